//! Findings the team has vouched for, in three ways, each counted in the summary:
//!
//! - an inline `zoomguard:allow` marker on the finding's line, in any comment syntax
//!   (`# zoomguard:allow`, `// zoomguard:allow`, `<!-- zoomguard:allow -->`);
//! - `.zoomguardignore` at the repository root: fingerprints (the rule id and a hash of
//!   the value, never the value) and path globs, with `#` comments;
//! - a baseline: the JSON report of an earlier scan, whose findings are known and accepted,
//!   so a team can adopt the hook in an old repository and block only new leaks.
//!
//! A malformed ignore file or baseline is an error naming the file and line: a typo must
//! never turn into a silent pass.

use std::collections::HashSet;

use anyhow::{anyhow, bail, Context, Result};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::change::{line_around, line_number, Change};
use crate::detect::{Finding, RULES};
use crate::outcome::{FileFinding, Outcome};

/// The inline marker.
pub const MARKER: &str = "zoomguard:allow";

/// The ignore file's name, at the repository root.
pub const IGNORE_FILE: &str = ".zoomguardignore";

/// Splits `findings` into those that stand and the number allowed by a marker on their line.
pub fn apply_inline_markers(change: &Change, findings: Vec<Finding>) -> (Vec<Finding>, usize) {
    let before = findings.len();
    // Each line is searched once, however many findings it holds (scan returns them in
    // order): otherwise a long line with many secrets costs its length once per secret.
    let mut last: Option<(u32, bool)> = None;
    let kept: Vec<Finding> = findings
        .into_iter()
        .filter(|f| {
            let marked = match last {
                Some((line, marked)) if line == f.line => marked,
                _ => line_has_marker(&change.text, f.span.start),
            };
            last = Some((f.line, marked));
            !marked
        })
        .collect();
    let allowed = before - kept.len();
    (kept, allowed)
}

fn line_has_marker(text: &[u8], at: usize) -> bool {
    text[line_around(text, at)].windows(MARKER.len()).any(|w| w.eq_ignore_ascii_case(MARKER.as_bytes()))
}

/// Whether `text` is a fingerprint: a known rule id, `:`, and 16 lower-case hex digits.
pub fn is_fingerprint(text: &str) -> bool {
    let Some((rule, hash)) = text.split_once(':') else { return false };
    RULES.iter().any(|r| r.id == rule)
        && hash.len() == 16
        && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A parsed `.zoomguardignore`.
#[derive(Debug, Default)]
pub struct IgnoreFile {
    fingerprints: HashSet<String>,
    globs: Option<GlobSet>,
}

impl IgnoreFile {
    /// Parses the text of an ignore file; `name` (its path) is used in errors.
    ///
    /// Each line is blank, a `#` comment, a fingerprint, or a path glob, optionally followed
    /// by whitespace and a `#` comment. Globs follow .gitignore: `*` stays within a directory,
    /// `**` crosses directories, a pattern without `/` matches at any depth, a leading `/`
    /// anchors it at the root and a trailing `/` matches everything under a directory.
    pub fn parse(text: &str, name: &str) -> Result<IgnoreFile> {
        let mut fingerprints = HashSet::new();
        let mut globs = GlobSetBuilder::new();
        let mut any_glob = false;
        for (index, raw) in text.lines().enumerate() {
            let at = || format!("{name}:{}", index + 1);
            let entry = strip_comment(raw);
            if entry.is_empty() {
                continue;
            }
            if entry.split_whitespace().count() > 1 {
                bail!(
                    "{}: {} has more than one entry; put one fingerprint or glob per line",
                    at(),
                    excerpt(entry)
                );
            }
            if is_fingerprint(entry) {
                fingerprints.insert(entry.to_owned());
            } else if looks_like_fingerprint(entry) {
                bail!(
                    "{}: {} is not a fingerprint (a rule id from `zoomguard rules`, `:`, and \
                     16 lower-case hex digits, as reports print them)",
                    at(),
                    excerpt(entry)
                );
            } else if entry.starts_with('!') {
                bail!("{}: {}: negated patterns are not supported", at(), excerpt(entry));
            } else {
                // globset's message quotes the whole glob: only its kind of error is kept.
                let glob = GlobBuilder::new(&gitignore_glob(entry)).literal_separator(true).build().map_err(
                    |e| anyhow!("{}: {} is not a valid path glob: {}", at(), excerpt(entry), e.kind()),
                )?;
                globs.add(glob);
                any_glob = true;
            }
        }
        let globs =
            if any_glob { Some(globs.build().with_context(|| format!("building {name}"))?) } else { None };
        Ok(IgnoreFile { fingerprints, globs })
    }

    /// Whether the file allows `finding`, by its fingerprint or its path.
    pub fn allows(&self, finding: &FileFinding) -> bool {
        self.fingerprints.contains(&finding.finding.fingerprint())
            || self.globs.as_ref().is_some_and(|globs| globs.is_match(&finding.path))
    }

    /// Whether the file lists `fingerprint`.
    pub fn has_fingerprint(&self, fingerprint: &str) -> bool {
        self.fingerprints.contains(fingerprint)
    }
}

/// The text of a line before its `#` comment, trimmed.
fn strip_comment(line: &str) -> &str {
    let before = match line.find('#') {
        Some(0) => "",
        // A `#` inside a glob (`issue#1.txt`) is kept; one after whitespace starts a comment.
        Some(_) => line.split(" #").next().unwrap_or(line).split("\t#").next().unwrap_or(line),
        None => line,
    };
    before.trim()
}

/// At most [`EXCERPT_CHARS`] characters of `text` from an ignore file or a baseline, quoted,
/// with control characters escaped: enough to find the entry beside its line number, never
/// a whole line of a file whose content may not be meant for a log.
fn excerpt(text: &str) -> String {
    let mut shown: String = text.chars().take(EXCERPT_CHARS).collect();
    if shown.len() < text.len() {
        shown.push('…');
    }
    format!("{shown:?}")
}

/// How much of an entry an error quotes.
const EXCERPT_CHARS: usize = 24;

/// Whether `entry` was meant as a fingerprint: a rule id prefix and a colon.
fn looks_like_fingerprint(entry: &str) -> bool {
    entry.split_once(':').is_some_and(|(rule, _)| rule.starts_with("zoom-"))
}

/// A .gitignore-style pattern as a glob over repository-relative paths.
fn gitignore_glob(pattern: &str) -> String {
    let (pattern, directory) = match pattern.strip_suffix('/') {
        Some(dir) => (dir, true),
        None => (pattern, false),
    };
    let mut glob = match pattern.strip_prefix('/') {
        Some(anchored) => anchored.to_owned(),
        None if pattern.contains('/') => pattern.to_owned(),
        None => format!("**/{pattern}"),
    };
    if directory {
        glob.push_str("/**");
    }
    glob
}

/// The fingerprints of a baseline: a JSON report from `zoomguard scan --format json`.
#[derive(Debug, Default)]
pub struct Baseline {
    fingerprints: HashSet<String>,
}

impl Baseline {
    /// Parses a baseline file's text; `name` (its path) is used in errors.
    pub fn parse(text: &str, name: &str) -> Result<Baseline> {
        let report: serde_json::Value = serde_json::from_str(text).with_context(|| {
            format!("{name} is not a zoomguard JSON report (zoomguard scan --format json)")
        })?;
        let Some(findings) = report.get("findings").and_then(|f| f.as_array()) else {
            bail!(
                "{name}: no \"findings\" list; make a baseline with: zoomguard scan --history --format json"
            );
        };
        let mut fingerprints = HashSet::new();
        for (index, finding) in findings.iter().enumerate() {
            match finding.get("fingerprint").and_then(|f| f.as_str()) {
                Some(fingerprint) if is_fingerprint(fingerprint) => {
                    fingerprints.insert(fingerprint.to_owned());
                }
                other => {
                    let shown = other.map_or_else(|| "missing".to_owned(), excerpt);
                    let line =
                        other.and_then(|f| line_of(text, f)).map_or_else(String::new, |l| format!(":{l}"));
                    bail!("{name}{line}: findings[{index}] has a bad fingerprint ({shown})");
                }
            }
        }
        Ok(Baseline { fingerprints })
    }

    /// Whether the baseline knows `finding`.
    pub fn allows(&self, finding: &FileFinding) -> bool {
        self.fingerprints.contains(&finding.finding.fingerprint())
    }
}

/// The 1-based line of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> Option<usize> {
    Some(line_number(text.as_bytes(), text.find(needle)?))
}

/// Drops the findings that the ignore file or the baseline allows, counting each.
pub fn apply(outcome: &mut Outcome, ignore: Option<&IgnoreFile>, baseline: Option<&Baseline>) {
    outcome.findings.retain(|finding| {
        if ignore.is_some_and(|ignore| ignore.allows(finding)) {
            outcome.allowed_by_ignore_file += 1;
            false
        } else if baseline.is_some_and(|baseline| baseline.allows(finding)) {
            outcome.allowed_by_baseline += 1;
            false
        } else {
            true
        }
    });
}

/// The line `zoomguard allow` appends to an ignore file.
pub fn ignore_line(fingerprint: &str, reason: &str) -> String {
    let reason: String = reason.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    format!("{fingerprint}  # {}\n", reason.trim())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{scan, ScanOptions};
    use crate::synth::Synth;

    fn findings(path: &str, text: &str) -> Vec<FileFinding> {
        crate::outcome::findings_in(path, text, None)
    }

    #[test]
    fn marker_on_the_line_allows_it_and_only_it() {
        let text = Synth::new(4)
            .expand("ZOOM_CLIENT_SECRET={s32} # zoomguard:allow test fixture\nZOOM_API_SECRET=\"{s36}\"\n");
        let change = Change::new_file(".env", text.into_bytes());
        let findings = scan(&change, &ScanOptions::default());
        assert_eq!(findings.len(), 2);
        let (kept, allowed) = apply_inline_markers(&change, findings);
        assert_eq!(allowed, 1);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].line, 2);
    }

    #[test]
    fn ignore_file_fingerprints_and_globs() {
        let text = Synth::new(11).expand("ZOOM_CLIENT_SECRET={s32}\n");
        let found = findings("app/.env", &text);
        let fingerprint = found[0].finding.fingerprint();
        let ignore = IgnoreFile::parse(&format!("# known\n{fingerprint}  # test app\n"), "i").expect("valid");
        assert!(ignore.allows(&found[0]));
        assert!(ignore.allows(&findings("elsewhere/x.env", &text)[0]), "fingerprints follow the value");

        let globs = IgnoreFile::parse("fixtures/\n*.sample\n/top.env\ndocs/**/*.md\n", "i").expect("valid");
        let at = |path: &str| globs.allows(&findings(path, &text)[0]);
        assert!(at("fixtures/zoom.env") && at("a/fixtures/deep/zoom.env"));
        assert!(at("config.env.sample") && at("deep/config.env.sample"));
        assert!(at("top.env") && !at("sub/top.env"));
        assert!(at("docs/a/b/zoom.md") && !at("docs.md"));
        assert!(!at("app/.env"));
    }

    #[test]
    fn malformed_ignore_lines_name_the_line() {
        for (text, line) in [
            ("ok.txt\nzoom-client-secret:XYZ\n", ":2:"),
            ("zoom-no-such-rule:0123456789abcdef", ":1:"),
            ("\n\n[unclosed", ":3:"),
            ("a.txt b.txt", ":1:"),
            ("!keep.txt", ":1:"),
        ] {
            let error = format!("{:#}", IgnoreFile::parse(text, ".zoomguardignore").expect_err(text));
            assert!(error.contains(&format!(".zoomguardignore{line}")), "{text:?}: {error}");
        }
        assert!(IgnoreFile::parse("issue#1.txt  # a file with a hash\n", "i").is_ok());
    }

    /// Regression (issue 15): errors quoted the whole entry, so an ignore file that was really
    /// someone's `.netrc` put its password line in the log.
    #[test]
    fn errors_quote_a_short_excerpt_only() {
        let long = format!("machine example.com login me password {}", "p".repeat(40));
        for text in [
            long.clone(),
            format!("zoom-client-secret:{}", "f".repeat(60)),
            format!("!{}", "n".repeat(60)),
            format!("[{}", "u".repeat(60)),
        ] {
            let error = format!("{:#}", IgnoreFile::parse(&text, ".zoomguardignore").expect_err(&text));
            assert!(error.contains(".zoomguardignore:1:"), "{error}");
            assert!(!error.contains(&text[..EXCERPT_CHARS + 1]), "more than an excerpt: {error}");
            assert!(error.contains('…'), "the excerpt is not marked as cut: {error}");
            assert!(error.len() < 260, "{error}");
        }
        let baseline = format!("{{\"findings\": [{{\"fingerprint\": \"{}\"}}]}}", "s".repeat(80));
        let error = format!("{:#}", Baseline::parse(&baseline, "b.json").expect_err("a bad fingerprint"));
        assert!(!error.contains(&"s".repeat(30)) && error.contains('…'), "{error}");
        assert_eq!(excerpt("a\u{1b}[2Jb"), "\"a\\u{1b}[2Jb\"");
    }

    #[test]
    fn baselines_list_fingerprints_and_reject_bad_ones() {
        let fingerprint = crate::detect::fingerprint("zoom-client-secret", "x");
        let good = format!("{{\"findings\": [{{\"fingerprint\": \"{fingerprint}\"}}]}}");
        let baseline = Baseline::parse(&good, "b.json").expect("valid");
        assert!(baseline.fingerprints.contains(&fingerprint));
        let error = format!(
            "{:#}",
            Baseline::parse("{\n \"findings\": [\n {\"fingerprint\": \"nope\"}]}", "b.json").unwrap_err()
        );
        assert!(error.contains("b.json:3") && error.contains("findings[0]"), "{error}");
        assert!(format!("{:#}", Baseline::parse("{]", "b.json").unwrap_err()).contains("b.json"));
        assert!(format!("{:#}", Baseline::parse("{}", "b.json").unwrap_err()).contains("no \"findings\""));
    }

    #[test]
    fn the_appended_line_is_one_line() {
        assert_eq!(
            ignore_line("zoom-client-secret:0123456789abcdef", "a\nb"),
            "zoom-client-secret:0123456789abcdef  # a b\n"
        );
    }

    #[test]
    fn a_marker_allows_every_finding_on_its_line() {
        let text = Synth::new(5).expand(
            "ZOOM_CLIENT_SECRET={s32} ZOOM_CLIENT_SECRET={s32} # zoomguard:allow\n\
             ZOOM_CLIENT_SECRET={s32} ZOOM_CLIENT_SECRET={s32}\n",
        );
        let change = Change::new_file(".env", text.into_bytes());
        let (kept, allowed) = apply_inline_markers(&change, scan(&change, &ScanOptions::default()));
        assert_eq!(allowed, 2);
        assert_eq!(kept.iter().map(|f| f.line).collect::<Vec<_>>(), vec![2, 2]);
    }
}
