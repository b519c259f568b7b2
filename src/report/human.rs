//! The message a developer reads when a commit is blocked: what was found and where, why it
//! matters, what to do now (with a snippet in the file's own language), when to rotate, and
//! how to mark a false positive. Colour only when the caller enabled it.

use std::fmt::Write as _;

use colored::Colorize;

use super::remediation::{
    advice, env_snippet, Language, IMAGE_STEPS, ROTATE_STEPS, SECRET_MANAGERS, TAG_MESSAGE_STEPS,
};
use super::sanitize;
use crate::allow::{IGNORE_FILE, MARKER};
use crate::change::{is_tag_message, tag_of_message, ImagePart, ImagePlace};
use crate::detect::{Finding, Kind};
use crate::inventory::Inventory;
use crate::outcome::{FileFinding, Outcome, Scope};

/// The full report of a blocked commit.
pub fn blocked(outcome: &Outcome) -> String {
    let mut out = String::new();
    let count = outcome.findings.len();
    let verdict = if blocks(outcome.scope) { "blocked: " } else { "" };
    let _ = writeln!(
        out,
        "{} {}\n",
        "zoomguard:".bold(),
        format!("{verdict}{} found in {}", plural(count, "Zoom secret"), what_was_scanned(outcome))
            .red()
            .bold()
    );
    for file_finding in &outcome.findings {
        finding_block(&mut out, file_finding);
    }
    what_to_do(&mut out, outcome);
    let _ = writeln!(out, "{}", summary(outcome));
    out
}

/// The leak inventory of a history scan: each credential, every commit and place that added
/// it, where it still is at HEAD (unknown in a repository without a HEAD commit),
/// and what to do before rotating.
pub fn inventory(outcome: &Outcome, inventory: &Inventory) -> String {
    let Inventory { credentials, head_known } = inventory;
    let mut out = String::new();
    let places: usize = credentials.iter().map(|c| c.added.len()).sum();
    let at_head = credentials.iter().filter(|c| !c.at_head.is_empty()).count();
    let _ = writeln!(
        out,
        "{} {}\n",
        "zoomguard:".bold(),
        format!(
            "{} found in the history, added in {}; {} still at HEAD",
            plural(credentials.len(), "Zoom secret"),
            plural(places, "place"),
            at_head
        )
        .red()
        .bold()
    );
    for credential in credentials {
        let finding = &credential.first;
        finding_title(&mut out, finding);
        let _ = writeln!(out, "    fingerprint  {}", credential.fingerprint);
        let _ = writeln!(out, "    value        {}", finding.redacted().yellow());
        if let Some(related) = &finding.related {
            let _ = writeln!(out, "    app          {} {}", related.kind.label(), sanitize(&related.value));
        }
        if let Some(proof) = &finding.proof {
            let _ = writeln!(out, "    {}        {}", "proof".red().bold(), sanitize(proof));
        }
        if let Some(because) = &finding.because {
            let _ = writeln!(out, "    zoom         {}", sanitize(&because.describe()));
        }
        for (index, place) in credential.added.iter().enumerate() {
            let label = if index == 0 { "added in" } else { "" };
            let commit = place.commit.as_ref().map_or_else(String::new, |c| {
                format!("{}  {}  ", format_unix_date(c.author_time), sanitize(&c.label()))
            });
            let _ = writeln!(out, "    {label:<12} {commit}{}:{}", sanitize(&place.path).cyan(), place.line);
        }
        if !*head_known {
            let _ = writeln!(out, "    at HEAD      (no HEAD commit to compare with)");
        } else if credential.at_head.is_empty() {
            let _ = writeln!(
                out,
                "    at HEAD      {}",
                "gone from HEAD, but still in the history of every clone".green()
            );
        } else {
            for (index, (path, line)) in credential.at_head.iter().enumerate() {
                let label = if index == 0 { "at HEAD" } else { "" };
                let _ = writeln!(
                    out,
                    "    {label:<12} {}:{line} {}",
                    sanitize(path).cyan(),
                    "(still there)".red()
                );
            }
        }
        let _ =
            writeln!(out, "    why          {}\n", wrap(advice(finding.kind()).why, 90, "                 "));
    }
    let _ = writeln!(out, "{}", "Before rotating".bold().underline());
    let _ = writeln!(
        out,
        "  1. Change every file listed \"at HEAD\" to read the value from the environment or a\n     \
         secrets manager, so that rotating does not break the code that uses it."
    );
    let _ =
        writeln!(out, "  2. Rotate every credential above: it is in the history, so treat it as exposed.");
    rotation_steps(&mut out, credentials.iter().map(|c| c.first.kind()));
    let tag_message = credentials.iter().flat_map(|c| &c.added).any(|place| is_tag_message(&place.path));
    let end = if tag_message { "" } else { "\n" };
    let _ = writeln!(
        out,
        "  3. Rewriting history (git filter-repo --replace-text) cleans only clones made afterwards;\n     \
         existing clones, forks and CI caches keep the value, so rotation comes first.{end}"
    );
    if tag_message {
        let _ = writeln!(
            out,
            "  4. A tag's message cannot be rewritten: delete the tag (git tag -d <tag>, git push --delete\n     \
             origin <tag>) and make it again without the value.\n"
        );
    }
    let _ = writeln!(out, "{}", summary(outcome));
    out
}

/// One line for each finding below the blocking bar (an expired token, by default): what
/// and where, and that it does not block. Hooks print these and let the commit go ahead.
pub fn notices(outcome: &Outcome) -> String {
    let mut out = String::new();
    for file_finding in &outcome.notices {
        let finding = &file_finding.finding;
        let commit =
            file_finding.commit.as_ref().map_or_else(String::new, |c| format!(" in {}", c.short_id()));
        let state = match finding.expires_at {
            Some(exp) if finding.expired => format!("expired on {}", format_unix_date(exp)),
            _ => format!("{} severity", finding.severity().name()),
        };
        let _ = writeln!(
            out,
            "zoomguard: notice: {} [{}] at {}:{}{commit}, {}: {state}; not blocking (fingerprint {})",
            finding.kind().name(),
            finding.rule.id,
            sanitize(&file_finding.path),
            finding.line,
            finding.redacted(),
            finding.fingerprint()
        );
    }
    out
}

/// Whether findings in `scope` stop a commit or a push (hooks), rather than only report (scans).
fn blocks(scope: Scope) -> bool {
    matches!(scope, Scope::Staged | Scope::CommitMessage | Scope::Push | Scope::Receive)
}

fn what_was_scanned(outcome: &Outcome) -> &'static str {
    match outcome.scope {
        Scope::Staged => "the staged changes",
        Scope::Push => "the commits to push",
        Scope::Receive => "the pushed commits",
        Scope::Range => "the commits of the range",
        Scope::History => "the history",
        Scope::Files => "the scanned files",
        Scope::CommitMessage => "the commit message",
        Scope::Image => "the image",
    }
}

/// The last line: findings, files, lines scanned, milliseconds, and anything passed over.
pub fn summary(outcome: &Outcome) -> String {
    let commits = if outcome.scope.is_commits() {
        format!("{} and ", plural(outcome.commits_scanned, "commit"))
    } else {
        String::new()
    };
    let lines = if matches!(outcome.scope, Scope::Files | Scope::Image) { "line" } else { "added line" };
    let mut line = format!(
        "zoomguard: {} in {}; {commits}{}, {} scanned in {} ms",
        plural(outcome.findings.len(), "finding"),
        plural(outcome.files_with_findings(), "file"),
        plural(outcome.files_scanned, "file"),
        plural(usize::try_from(outcome.lines_scanned).unwrap_or(usize::MAX), lines),
        outcome.elapsed.as_millis()
    );
    let allowed: Vec<String> = [
        (outcome.allowed_by_marker, format!("{MARKER} markers")),
        (outcome.allowed_by_ignore_file, IGNORE_FILE.to_owned()),
        (outcome.allowed_by_baseline, "the baseline".to_owned()),
    ]
    .into_iter()
    .filter(|(count, _)| *count > 0)
    .map(|(count, how)| format!("{count} by {how}"))
    .collect();
    if !allowed.is_empty() {
        let total = outcome.allowed_by_marker + outcome.allowed_by_ignore_file + outcome.allowed_by_baseline;
        let noun = if total == 1 { "finding" } else { "findings" };
        let _ = write!(line, "; {noun} allowed: {}", allowed.join(", "));
    }
    if !outcome.binary_skipped.is_empty() {
        let _ = write!(line, "; {} skipped", plural(outcome.binary_skipped.len(), "binary file"));
    }
    if let (Some(bar), count @ 1..) = (outcome.min_severity, outcome.below_min_severity) {
        let _ = write!(line, "; {} below the {} bar, not blocking", plural(count, "finding"), bar.name());
    }
    for (paths, why) in [
        (&outcome.too_large, "over zoomguard.maxFileSize"),
        (&outcome.undecodable, "not valid in the text encoding they claim (UTF-16 or UTF-32)"),
        (&outcome.absent, "absent from the object store (a partial clone, or a mirror without them)"),
    ] {
        if !paths.is_empty() {
            let _ =
                write!(line, "; {} NOT scanned, {why}: {}", plural(paths.len(), "file"), first_names(paths));
        }
    }
    if !outcome.old_absent.is_empty() {
        let _ = write!(
            line,
            "; {} scanned whole, every line as added, since the old version is absent from the \
             object store (a partial clone): {}",
            plural(outcome.old_absent.len(), "file"),
            first_names(&outcome.old_absent)
        );
    }
    line
}

/// The first three of `paths`, sanitised, and `…` when there are more.
fn first_names(paths: &[String]) -> String {
    let mut names: Vec<String> = paths.iter().take(3).map(|p| sanitize(p)).collect();
    if paths.len() > names.len() {
        names.push("…".to_owned());
    }
    names.join(", ")
}

fn finding_block(out: &mut String, file_finding: &FileFinding) {
    let finding = &file_finding.finding;
    let kind = finding.kind();
    let path = sanitize(&file_finding.path);
    finding_title(out, finding);
    if let Some(commit) = &file_finding.commit {
        let _ = writeln!(out, "    commit {}", sanitize(&commit.label()));
    }
    if let Some(place) = &file_finding.image {
        image_lines(out, place);
    }
    let _ = writeln!(out, "    at     {}:{}:{}", path.cyan(), finding.line, finding.column);
    let _ =
        writeln!(out, "    value  {}  (fingerprint {})", finding.redacted().yellow(), finding.fingerprint());
    if let Some(related) = &finding.related {
        let _ = writeln!(out, "    app    {} {}", related.kind.label(), sanitize(&related.value));
    }
    if let Some(proof) = &finding.proof {
        let _ = writeln!(out, "    {}  {}", "proof".red().bold(), sanitize(proof));
    }
    if let Some(because) = &finding.because {
        let _ = writeln!(out, "    zoom   {}", sanitize(&because.describe()));
    }
    if let Some(exp) = finding.expires_at {
        let when = format_unix_date(exp);
        let state = if finding.expired {
            format!("expired on {when}: still a leak, since whatever wrote it down can leak the next one")
        } else {
            format!("valid until {when}")
        };
        let _ = writeln!(out, "    token  {state}");
    }
    let _ = writeln!(out, "    why    {}\n", wrap(advice(kind).why, 90, "           "));
}

/// Which image, and which layer (with whether a later one deletes the file) or config part.
fn image_lines(out: &mut String, place: &ImagePlace) {
    let image = &place.image;
    let platform = image.platform.as_ref().map_or_else(String::new, |p| format!("  ({})", sanitize(p)));
    let _ = writeln!(out, "    image  {}{platform}", sanitize(&image.name));
    match &place.part {
        ImagePart::Layer { index, digest, path, deleted_by, .. } => {
            let digest = digest.as_ref().map_or_else(String::new, |d| format!("  {}", sanitize(d)));
            let _ = writeln!(out, "    layer  {index} of {}{digest}", image.layers);
            let _ = writeln!(out, "    file   /{}", sanitize(path));
            if let Some(later) = deleted_by {
                let note = format!(
                    "deleted by layer {later}, so absent from the final filesystem, but layer {index} \
                     still ships it to everyone who pulls the image"
                );
                let _ = writeln!(out, "    {}   {}", "note".yellow().bold(), wrap(&note, 90, "           "));
            }
        }
        ImagePart::Config { field } => {
            let _ = writeln!(
                out,
                "    in     the image config ({field}): docker inspect and docker history show it"
            );
        }
    }
}

fn what_to_do(out: &mut String, outcome: &Outcome) {
    let _ = writeln!(out, "{}", "What to do now".bold().underline());
    if outcome.scope == Scope::CommitMessage {
        message_steps(out, outcome);
        return;
    }
    if outcome.scope == Scope::Image {
        image_steps(out, outcome);
        return;
    }
    // An annotated tag's message is fixed by a new tag, not by an edit: its steps come apart.
    let (in_tags, in_files): (Vec<&FileFinding>, Vec<&FileFinding>) =
        outcome.findings.iter().partition(|f| is_tag_message(&f.path));
    if !in_files.is_empty() {
        file_steps(out, outcome.scope, &in_files);
    }
    if !in_tags.is_empty() {
        tag_steps(out, &in_tags);
    }
    let _ = writeln!(
        out,
        "  Not a secret (a test fixture, a documented sample)? Put `{MARKER}` in a comment on that line,\n  \
         or record its fingerprint in {IGNORE_FILE} with: zoomguard allow <fingerprint>"
    );
    match outcome.scope {
        Scope::Staged => {
            let _ = writeln!(out, "  To commit anyway, knowingly: git commit --no-verify\n");
        }
        Scope::Push => {
            let _ = writeln!(out, "  To push anyway, knowingly: git push --no-verify\n");
        }
        Scope::Receive => {
            let _ = writeln!(
                out,
                "  This server refuses such pushes; ask its administrators if this is a false positive.\n"
            );
        }
        Scope::Range | Scope::History | Scope::Files | Scope::CommitMessage | Scope::Image => {
            let _ = writeln!(out);
        }
    }
}

/// What to do about secrets in files (and commit messages) that commits or the index hold:
/// read the value from the environment, fix the commits, rotate.
fn file_steps(out: &mut String, scope: Scope, findings: &[&FileFinding]) {
    let _ = writeln!(out, "  1. Take the value out of the file and read it from the environment instead:");
    let mut shown: Vec<(Language, Kind)> = Vec::new();
    for file_finding in findings {
        let language = Language::from_path(&file_finding.path);
        let kind = file_finding.finding.kind();
        if shown.iter().any(|&(l, k)| l == language && advice(k).env_var == advice(kind).env_var) {
            continue;
        }
        shown.push((language, kind));
        let path = sanitize(&file_finding.path);
        if path.ends_with(language.name()) {
            let _ = writeln!(out, "     {path}:");
        } else {
            let _ = writeln!(out, "     {path} ({}):", language.name());
        }
        for line in env_snippet(language, advice(kind).env_var).lines() {
            let _ = writeln!(out, "         {}", line.green());
        }
    }
    let _ = writeln!(out, "     Or fetch it at run time from a secrets manager:");
    for (name, how) in SECRET_MANAGERS {
        let _ = writeln!(out, "       - {name}: {how}");
    }
    let mut paths: Vec<String> = findings.iter().map(|f| shell_quote(&not_an_option(&f.path))).collect();
    paths.dedup();
    match scope {
        Scope::Staged => {
            let _ = writeln!(out, "  2. Stage the fixed file and commit again: git add {}", paths.join(" "));
        }
        Scope::Push | Scope::Receive => {
            let _ = writeln!(
                out,
                "  2. The secret is in commits this push would add: rewrite them in your clone\n     \
                 (git commit --amend for the last commit, git rebase -i <commit>~ for an older one),\n     \
                 then push again."
            );
        }
        Scope::Range => {
            let _ = writeln!(
                out,
                "  2. The secret is in commits of this range. Before the branch is merged, rewrite them\n     \
                 (git rebase -i <commit>~, drop the value, git push --force-with-lease). Once merged,\n     \
                 it stays in the history: rotating it is the fix."
            );
        }
        // (A commit message and an image have steps of their own: see `message_steps`, `image_steps`.)
        Scope::Files | Scope::History | Scope::CommitMessage | Scope::Image => {
            let _ = writeln!(out, "  2. Files to fix: {}", paths.join(" "));
        }
    }
    let _ = writeln!(out, "  3. Rotate it if the value was ever pushed, shared or logged:");
    rotation_steps(out, findings.iter().map(|f| f.finding.kind()));
}

/// What to do about secrets in annotated tags' messages: a new tag, the old one deleted
/// wherever it went, and rotation.
fn tag_steps(out: &mut String, findings: &[&FileFinding]) {
    let mut tags: Vec<&str> = findings.iter().filter_map(|f| tag_of_message(&f.path)).collect();
    tags.sort_unstable();
    tags.dedup();
    let shown: Vec<String> = tags.iter().map(|tag| sanitize(tag)).collect();
    let _ = writeln!(out, "  In the message of tag {}:", shown.join(", "));
    let tag = match &tags[..] {
        [one] => shell_quote(&not_an_option(one)),
        _ => "<tag>".to_owned(),
    };
    for (number, step) in TAG_MESSAGE_STEPS.iter().enumerate() {
        let _ = writeln!(out, "  {}. {}", number + 1, wrap(&step.replace("{tag}", &tag), 90, "     "));
    }
    rotation_steps(out, findings.iter().map(|f| f.finding.kind()));
}

/// What to do about a secret in a commit message: nothing was committed, so editing the
/// message is the fix, and rotating only matters if the value went elsewhere too.
fn message_steps(out: &mut String, outcome: &Outcome) {
    let _ = writeln!(
        out,
        "  1. Nothing was committed. Take the value out of the message and commit again; git kept\n     \
         what you wrote: git commit -e -F \"$(git rev-parse --git-dir)/COMMIT_EDITMSG\""
    );
    let _ = writeln!(
        out,
        "  2. Name the credential instead of pasting it (\"rotated the Zoom client secret\"), or point\n     \
         to where it is kept (a secrets manager path, an environment variable's name)."
    );
    let _ = writeln!(
        out,
        "  3. If you pasted the value anywhere else too (a chat, a ticket, a shell history), rotate it:"
    );
    rotation_steps(out, outcome.findings.iter().map(|f| f.finding.kind()));
    let _ = writeln!(
        out,
        "  Not a secret (a documented sample)? Put `{MARKER}` on that line of the message.\n  \
         To commit anyway, knowingly: git commit --no-verify\n"
    );
}

/// What to do about a secret in an image: rebuild without it, remove what was pushed, rotate.
fn image_steps(out: &mut String, outcome: &Outcome) {
    for (number, step) in IMAGE_STEPS.iter().enumerate() {
        let _ = writeln!(out, "  {}. {}", number + 1, wrap(step, 90, "     "));
    }
    rotation_steps(out, outcome.findings.iter().map(|f| f.finding.kind()));
    let _ = writeln!(
        out,
        "  Not a secret (a test fixture, a documented sample)? Record its fingerprint in {IGNORE_FILE}\n  \
         with: zoomguard allow <fingerprint>\n"
    );
}

/// A finding's first line: its kind, rule id and severity.
fn finding_title(out: &mut String, finding: &Finding) {
    let _ = writeln!(
        out,
        "  {} {}  [{}]  {}",
        "✗".red().bold(),
        finding.kind().name().bold(),
        finding.rule.id,
        finding.severity().name()
    );
}

/// The rotation steps, then where to regenerate each of `kinds` (each kind once).
fn rotation_steps(out: &mut String, kinds: impl Iterator<Item = Kind>) {
    for step in ROTATE_STEPS {
        let _ = writeln!(out, "       - {step}");
    }
    let mut kinds: Vec<Kind> = kinds.collect();
    kinds.sort();
    kinds.dedup();
    for kind in kinds {
        let line = format!("{}: {}", kind.name(), advice(kind).regenerate);
        let _ = writeln!(out, "       - {}", wrap(&line, 90, "         "));
    }
}

/// Breaks `text` into lines of at most `width` characters, continuation lines indented.
pub(super) fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    let mut line_len = 0;
    for word in text.split_whitespace() {
        if line_len > 0 && line_len + 1 + word.chars().count() > width {
            out.push('\n');
            out.push_str(indent);
            line_len = 0;
        } else if line_len > 0 {
            out.push(' ');
            line_len += 1;
        }
        out.push_str(word);
        line_len += word.chars().count();
    }
    out
}

pub(super) fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A path sanitised and, when it starts with `-`, prefixed with `./`, so that a command line
/// suggested to the user cannot read a file named `-rf` as an option.
fn not_an_option(path: &str) -> String {
    let path = sanitize(path);
    if path.starts_with('-') {
        format!("./{path}")
    } else {
        path
    }
}

pub(super) fn shell_quote(path: &str) -> String {
    if path.bytes().all(|b| b.is_ascii_alphanumeric() || b"/._-".contains(&b)) {
        path.to_owned()
    } else {
        format!("'{}'", path.replace('\'', r"'\''"))
    }
}

/// `YYYY-MM-DD` (UTC) of a Unix time, without a date library.
pub(super) fn format_unix_date(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    // Howard Hinnant's civil-from-days algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(format_unix_date(0), "1970-01-01");
        assert_eq!(format_unix_date(1_700_000_000), "2023-11-14");
        assert_eq!(format_unix_date(2_000_000_000), "2033-05-18");
    }

    #[test]
    fn wrapping() {
        assert_eq!(wrap("aa bb cc dd", 5, "  "), "aa bb\n  cc dd");
        assert_eq!(wrap("short", 90, "  "), "short");
    }

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("config/.env"), "config/.env");
        assert_eq!(shell_quote("my file's.env"), "'my file'\\''s.env'");
        assert_eq!(shell_quote(&not_an_option("-rf")), "./-rf");
        assert_eq!(shell_quote(&not_an_option("--x y\u{1b}")), "'./--x y?'");
    }
}
