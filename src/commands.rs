//! The subcommands, each from parsed arguments to an exit status. `main.rs` only dispatches.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::{anyhow, bail, Context, Result};

use crate::allow::{self, Baseline, IgnoreFile};
use crate::change::ImagePart;
use crate::cli::{Format, HookChoice};
use crate::detect::{ScanOptions, Severity, RULES};
use crate::engine::{self, Outcome, Scope, Settle, Workers};
use crate::install::{self, Hook, Installed, ShimKind};
use crate::inventory::{self, Credential};
use crate::output::{self, note, say};
use crate::report::progress::Progress;
use crate::report::{human, json, sarif};
use crate::source::commits::{NamedObject, TagMessage, Targets};
use crate::source::image::Whiteout;
use crate::source::project::{self as project_context, ProjectLook};
use crate::source::settings::{Settings, Version, BASELINE_LIMIT, IGNORE_FILE_LIMIT};
use crate::source::{self, push, staged, ChangedFile, Collected, ObjectId, ObjectKind, Repo, WhenAbsent};
use crate::synth;

/// The process exit status contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Nothing found.
    Clean = 0,
    /// Secrets found: blocked.
    Blocked = 1,
}

/// How to report and what to allow: the options every scanning command shares.
#[derive(Debug, Clone, Default)]
pub struct Reporting {
    /// The report's format.
    pub format: Format,
    /// Where to write the report (default: standard error for the human report, standard
    /// output for JSON and SARIF).
    pub output: Option<PathBuf>,
    /// A JSON report whose findings are known and accepted.
    pub baseline: Option<PathBuf>,
    /// Print the summary line even when nothing is found.
    pub verbose: bool,
    /// The lowest severity that blocks (default: git config zoomguard.blockSeverity, else
    /// medium in hooks and low in scans).
    pub min_severity: Option<Severity>,
}

/// `zoomguard pre-commit` (and `zoomguard scan --staged`). The staged files are read and
/// scanned by worker threads, one file at a time each; only files that hold findings or
/// pairing evidence stay in memory, to verify pairs across the whole change at the end.
pub fn pre_commit(reporting: &Reporting) -> Result<Status> {
    let started = Instant::now();
    let mut repo = source::open()?;
    let settings = Settings::open(Some(&repo))?;
    let options = ScanOptions { project: project_context::configured(&settings)?, ..ScanOptions::default() };
    let limit = settings.max_file_size()?;
    let files = staged::files(&repo)?;
    let workers = Workers {
        jobs: default_jobs(),
        open: &source::open,
        collect: &|repo: &mut Repo, file: &ChangedFile| {
            let mut collected = Collected::with_max_file_size(limit);
            collected.add_file(repo, file, None)?;
            Ok(collected)
        },
        on_item_done: &|| {},
        keep_evidence: true,
        settle: Settle::ByCaller,
    };
    let (mut outcome, changes) = engine::run_each(&files, &workers, &options, &mut repo)?;
    let mut kept = Collected { commits: vec![None; changes.len()], changes, ..Collected::default() };
    engine::verify_across(&mut outcome, &kept.changes);
    // A "new" file with a finding may be a copy of a file HEAD has: then only its edits count.
    let new_files = engine::new_files_with_findings(&outcome, &kept.changes);
    if !new_files.is_empty() {
        let before = engine::scan_collected(&kept, &options);
        if staged::narrow_copies(&repo, &mut kept.changes, &new_files)? {
            let after = engine::scan_collected(&kept, &options);
            // Only the kept files can hold findings: swap their results for the new ones.
            outcome.findings = after.findings;
            outcome.allowed_by_marker =
                outcome.allowed_by_marker - before.allowed_by_marker + after.allowed_by_marker;
        }
    }
    // A generic name counts if any staged file, or the project at HEAD, shows Zoom.
    outcome.settle(|paths| Ok(ProjectLook::at_head(&repo, paths)))?;
    let mut outcome = outcome.finish(Scope::Staged, started);
    allow_known(Some(&repo), &settings, &mut outcome, reporting)?;
    emit(&outcome, None, reporting)
}

/// `zoomguard commit-msg <file>`: the message git is about to record, every line of it. The
/// commit has not been made yet, so the fix is an edit of the message.
pub fn commit_msg(file: &Path, reporting: &Reporting) -> Result<Status> {
    let started = Instant::now();
    let repo = source::open().ok();
    let settings = Settings::open(repo.as_ref())?;
    let options = ScanOptions { project: project_context::configured(&settings)?, ..ScanOptions::default() };
    let collected = source::files::read_message(file, settings.max_file_size()?)?;
    let mut outcome = engine::scan_collected(&collected, &options);
    outcome.settle(|paths| Ok(repo.as_ref().and_then(|repo| ProjectLook::at_head(repo, paths))))?;
    let mut outcome = outcome.finish(Scope::CommitMessage, started);
    allow_known(repo.as_ref(), &settings, &mut outcome, reporting)?;
    emit(&outcome, None, reporting)
}

/// `zoomguard pre-push <remote> <url>`, reading git's ref lines from standard input.
pub fn pre_push(remote: Option<&str>, reporting: &Reporting) -> Result<Status> {
    let started = Instant::now();
    let mut updates = push::parse_pre_push(&hook_input("reading the refs to push")?)?;
    if updates.is_empty() {
        // The pre-commit framework gives no standard input; it names the range in the environment.
        updates = push::from_pre_commit_framework()?;
    }
    if updates.is_empty() {
        // git always names at least one ref; an empty input means a hook manager did not pass
        // git's standard input on, and nothing can be checked.
        output::note(format_args!(
            "zoomguard: note: no refs to check arrived on standard input. If a hook manager runs \
             this, make it pass git's stdin on (lefthook: use_stdin: true)."
        ));
    }
    let mut repo = source::open()?;
    let remote = remote.map(str::to_owned).or_else(|| std::env::var("PRE_COMMIT_REMOTE_NAME").ok());
    let targets = push::commits_to_push(&repo, remote.as_deref(), &updates)?;
    let settings = Settings::open(Some(&repo))?;
    let mut outcome = scan_commits(&mut repo, &targets, default_jobs(), &settings, WhenAbsent::Fails)?
        .finish(Scope::Push, started);
    allow_known(Some(&repo), &settings, &mut outcome, reporting)?;
    emit(&outcome, None, reporting)
}

/// `zoomguard pre-receive`, on the server, reading git's `<old> <new> <ref>` lines from standard input.
pub fn pre_receive(reporting: &Reporting) -> Result<Status> {
    let started = Instant::now();
    let updates = push::parse_pre_receive(&hook_input("reading the pushed refs")?)?;
    let mut repo = source::open()?;
    let targets = push::received_commits(&repo, &updates)?;
    let settings = Settings::open(Some(&repo))?;
    let mut outcome = scan_commits(&mut repo, &targets, default_jobs(), &settings, WhenAbsent::Fails)?
        .finish(Scope::Receive, started);
    allow_known(Some(&repo), &settings, &mut outcome, reporting)?;
    emit(&outcome, None, reporting)
}

/// The hook's standard input, read as bytes: a ref name need not be UTF-8, and only the
/// object ids matter. `doing` names the step in an error.
fn hook_input(doing: &'static str) -> Result<String> {
    let mut stdin = Vec::new();
    std::io::Read::read_to_end(&mut std::io::stdin(), &mut stdin).context(doing)?;
    Ok(String::from_utf8_lossy(&stdin).into_owned())
}

/// What `zoomguard scan` looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanTarget {
    /// The staged changes, as the pre-commit hook sees them.
    Staged,
    /// The commits of a range `A..B`.
    Range(String),
    /// Every commit reachable from any ref: the leak inventory.
    History,
    /// Files and directories on disk; `-` is standard input, named `stdin_name` in reports.
    Paths {
        /// What to read.
        paths: Vec<PathBuf>,
        /// The name standard input goes by.
        stdin_name: Option<String>,
    },
    /// A container image saved to a file or an OCI layout directory.
    Image {
        /// Where it is.
        path: PathBuf,
        /// Only the images of this platform (`os/arch[/variant]`).
        platform: Option<String>,
    },
}

impl ScanTarget {
    /// The one target the `scan` flags name (clap requires exactly one of them).
    pub fn of(
        staged: bool,
        range: Option<&str>,
        history: bool,
        paths: &[PathBuf],
        stdin_name: Option<&str>,
    ) -> Self {
        match (staged, range, history) {
            (true, _, _) => ScanTarget::Staged,
            (_, Some(spec), _) => ScanTarget::Range(spec.to_owned()),
            (_, _, true) => ScanTarget::History,
            _ => ScanTarget::Paths { paths: paths.to_vec(), stdin_name: stdin_name.map(str::to_owned) },
        }
    }
}

/// What was running when an error stopped it, which decides what the user is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// A hook: the commit or push is blocked (or, with zoomguard.onError warn, let through).
    Hook,
    /// A scan: its result is unknown.
    Scan,
    /// Any other command.
    Command,
}

/// Tells the user what failed and what it means, and gives the exit code: 2, or 0 for a hook
/// whose team chose `zoomguard.onError warn`. Every line is best effort: standard error may be
/// the stream that failed.
pub fn failed(error: &anyhow::Error, failure: Failure) -> u8 {
    // The cause may quote a path or ref name from the repository: print it sanitised.
    note(format_args!("zoomguard: error: {}", crate::report::sanitize(&output::error_chain(error))));
    if let Some(hint) = source::repo::partial_clone_hint(error) {
        note(format_args!("zoomguard: hint: {}", crate::report::sanitize(&hint)));
    }
    match failure {
        Failure::Scan => {
            note(format_args!(
                "zoomguard: the scan did not finish, so its result is unknown; nothing was changed."
            ));
        }
        Failure::Hook if warn_on_error() => {
            note(format_args!(
                "zoomguard: WARNING: nothing was checked, and git config zoomguard.onError is \"warn\","
            ));
            note(format_args!(
                "zoomguard: so this goes ahead unchecked. Fix the error, or scan later: zoomguard scan --history"
            ));
            return 0;
        }
        Failure::Hook | Failure::Command => {
            note(format_args!(
                "zoomguard: nothing was changed; the commit or push is blocked until this is fixed."
            ));
            note(format_args!(
                "zoomguard: to go ahead knowingly without the check: git commit --no-verify (or git push --no-verify)"
            ));
        }
    }
    2
}

/// `zoomguard scan`: for CI and audits. `jobs` caps the worker threads (default: every core).
pub fn scan(target: &ScanTarget, jobs: Option<usize>, reporting: &Reporting) -> Result<Status> {
    let started = Instant::now();
    let jobs = jobs.unwrap_or_else(default_jobs);
    match target {
        ScanTarget::Staged => pre_commit(reporting),
        ScanTarget::Range(spec) => {
            let mut repo = source::open()?;
            let targets = source::commits::range_commits(&repo, spec)?;
            let settings = Settings::open(Some(&repo))?;
            let mut outcome = scan_commits(&mut repo, &targets, jobs, &settings, WhenAbsent::IsSkipped)?
                .finish(Scope::Range, started);
            allow_known(Some(&repo), &settings, &mut outcome, reporting)?;
            emit(&outcome, None, reporting)
        }
        ScanTarget::History => history(jobs, reporting, started),
        ScanTarget::Image { path, platform } => image(path, platform.as_deref(), jobs, reporting, started),
        ScanTarget::Paths { paths, stdin_name } => {
            let reads_stdin = paths.iter().any(|p| p.as_os_str() == source::files::STDIN_PATH);
            if stdin_name.is_some() && !reads_stdin {
                bail!("--stdin-name names standard input: pass - as the path to scan it");
            }
            let stdin_name = stdin_name.as_deref().unwrap_or(source::files::STDIN_NAME);
            let repo = source::open().ok();
            let settings = Settings::open(repo.as_ref())?;
            let limit = settings.max_file_size()?;
            let options =
                ScanOptions { project: project_context::configured(&settings)?, ..ScanOptions::default() };
            let files = source::files::list(paths)?;
            let progress = Progress::new(files.len(), "files");
            let workers = Workers {
                jobs,
                open: &|| Ok(()),
                collect: &|_: &mut (), path: &PathBuf| match path.as_os_str() == source::files::STDIN_PATH {
                    true => source::files::read_stdin(stdin_name, limit),
                    false => source::files::read(path, limit),
                },
                on_item_done: &|| progress.tick(),
                keep_evidence: false,
                settle: Settle::ByCaller,
            };
            let outcome = engine::run_each(&files, &workers, &options, &mut ());
            progress.finish();
            let mut outcome = outcome?.0;
            // The files scanned together are one project; outside them, only the repository's names.
            outcome.settle(|paths| {
                Ok(repo.as_ref().and_then(|r| ProjectLook::new(r).in_tree(r, None, paths)))
            })?;
            let mut outcome = outcome.finish(Scope::Files, started);
            allow_known(repo.as_ref(), &settings, &mut outcome, reporting)?;
            emit(&outcome, None, reporting)
        }
    }
}

/// `zoomguard scan --history`: every commit of every ref, grouped into the leak inventory.
fn history(jobs: usize, reporting: &Reporting, started: Instant) -> Result<Status> {
    let mut repo = source::open()?;
    let targets = source::commits::all_commits(&repo)?;
    let settings = Settings::open(Some(&repo))?;
    let mut outcome = scan_commits(&mut repo, &targets, jobs, &settings, WhenAbsent::IsSkipped)?
        .finish(Scope::History, started);
    allow_known(Some(&repo), &settings, &mut outcome, reporting)?;
    let mut credentials = inventory::group(&outcome.findings);
    let secrets: Vec<&str> = credentials.iter().map(|c| c.first.secret()).collect();
    let at_head = source::commits::places_at_head(&repo, &secrets)?;
    let head_known = at_head.is_some();
    let (at_head, absent_at_head) = at_head.unwrap_or_default();
    for (credential, places) in credentials.iter_mut().zip(at_head) {
        credential.at_head = places;
    }
    // Files of HEAD that are absent were not searched: say so, as for any file not scanned.
    if !absent_at_head.is_empty() {
        outcome.absent.extend(absent_at_head);
        outcome.absent.sort_unstable();
        outcome.absent.dedup();
    }
    emit(&outcome, Some((&credentials, head_known)), reporting)
}

/// `zoomguard scan --image PATH`: each image's config, and every file of every layer, one
/// layer per thread, streamed. A file that a later layer deletes is still reported, with the
/// layer that deletes it. The image is one project: a generic name counts when any of its
/// texts shows Zoom.
fn image(
    path: &Path,
    platform: Option<&str>,
    jobs: usize,
    reporting: &Reporting,
    started: Instant,
) -> Result<Status> {
    if path.as_os_str() == source::files::STDIN_PATH {
        bail!(
            "--image needs a file, not a stream: an archive's manifest may come after its layers, \
             and reading them first would hold the image in memory. Save it first: docker save -o \
             app.tar app:tag && zoomguard scan --image app.tar"
        );
    }
    let repo = source::open().ok();
    let settings = Settings::open(repo.as_ref())?;
    let limit = settings.max_file_size()?;
    let options = ScanOptions { project: project_context::configured(&settings)?, ..ScanOptions::default() };
    let file = source::image::open(path, platform)
        .with_context(|| format!("reading the image {}", path.display()))?;
    for skipped in &file.skipped {
        note(format_args!("zoomguard: note: passed over {}", crate::report::sanitize(skipped)));
    }
    // Each image's config, then each of its layers: (image, layer position or none).
    let items: Vec<(usize, Option<usize>)> = file
        .images
        .iter()
        .enumerate()
        .flat_map(|(at, image)| {
            std::iter::once((at, None)).chain((0..image.layers.len()).map(move |l| (at, Some(l))))
        })
        .collect();
    let whiteouts: Mutex<HashMap<(usize, usize), Vec<Whiteout>>> = Mutex::new(HashMap::new());
    let progress = Progress::new(items.len(), "layers");
    let stream = |&(at, layer): &(usize, Option<usize>), emit: &mut engine::Emit<'_>| -> Result<()> {
        let image = &file.images[at];
        match layer {
            None => file.config_texts(image, limit, emit),
            Some(position) => {
                let deletes = file.stream_layer(image, &image.layers[position], limit, emit)?;
                whiteouts
                    .lock()
                    .map_err(|_| anyhow!("a scanning thread crashed"))?
                    .insert((at, position), deletes);
            }
        }
        Ok(())
    };
    let outcome = engine::run_streamed(&items, jobs, &options, &stream, &|| progress.tick());
    progress.finish();
    let mut outcome = outcome?;
    let whiteouts = whiteouts.into_inner().map_err(|_| anyhow!("a scanning thread crashed"))?;
    for (at, image) in file.images.iter().enumerate() {
        let layers: Vec<Vec<Whiteout>> =
            (0..image.layers.len()).map(|l| whiteouts.get(&(at, l)).cloned().unwrap_or_default()).collect();
        for finding in &mut outcome.findings {
            let Some(place) = &mut finding.image else { continue };
            if !Arc::ptr_eq(&place.image, &image.info) {
                continue;
            }
            if let ImagePart::Layer { index, path, deleted_by, .. } = &mut place.part {
                *deleted_by = source::image::deleted_by(&layers, *index, path);
            }
        }
    }
    // Only the image's own texts can show that it is a Zoom project.
    outcome.settle(|_| Ok(None))?;
    let mut outcome = outcome.finish(Scope::Image, started);
    allow_known(repo.as_ref(), &settings, &mut outcome, reporting)?;
    emit(&outcome, None, reporting)
}

/// One thing [`scan_commits`] reads: a commit (with its place in the walk), a blob or tree
/// that a ref names, or an annotated tag's message.
enum Item<'a> {
    Commit(usize, ObjectId),
    Object(&'a NamedObject),
    Tag(&'a TagMessage),
}

/// Collects and scans `targets` on up to `jobs` threads (this one with `repo`, the others
/// each with a repository handle of its own), with a progress line on a terminal. Files over
/// `zoomguard.maxFileSize` are listed, not read; `when_absent` says what a file whose content
/// is absent means. Each commit is its own project state: a generic name counts when that
/// commit's files or manifests show Zoom.
fn scan_commits(
    repo: &mut Repo,
    targets: &Targets,
    jobs: usize,
    settings: &Settings,
    when_absent: WhenAbsent,
) -> Result<Outcome> {
    let max_file_size = settings.max_file_size()?;
    let options = ScanOptions { project: project_context::configured(settings)?, ..ScanOptions::default() };
    let look = ProjectLook::new(repo);
    let progress =
        Progress::new(targets.commits.len() + targets.objects.len() + targets.tags.len(), "commits");
    let mut items: Vec<Item<'_>> = targets
        .commits
        .iter()
        .copied()
        .enumerate()
        .map(|(position, oid)| Item::Commit(position, oid))
        .collect();
    items.extend(targets.objects.iter().map(Item::Object));
    items.extend(targets.tags.iter().map(Item::Tag));
    let workers = Workers {
        jobs,
        open: &source::open,
        collect: &|repo: &mut Repo, item: &Item<'_>| match *item {
            Item::Commit(position, oid) => {
                source::commits::changes_of(repo, oid, position, max_file_size, when_absent)
            }
            Item::Object(object) => {
                source::commits::changes_of_object(repo, object, max_file_size, when_absent)
            }
            Item::Tag(tag) => Ok(source::commits::changes_of_tag(tag, max_file_size)),
        },
        on_item_done: &|| progress.tick(),
        keep_evidence: false,
        settle: Settle::EachItem(&|repo: &mut Repo, item: &Item<'_>, paths: &[&str]| {
            let tree = match *item {
                Item::Commit(_, oid) => Some(oid),
                Item::Object(NamedObject { kind: ObjectKind::Tree, id, .. }) => Some(*id),
                Item::Object(_) | Item::Tag(_) => None,
            };
            Ok(look.in_tree(repo, tree, paths))
        }),
    };
    let outcome = engine::run_each(&items, &workers, &options, repo);
    progress.finish();
    let mut outcome = outcome?.0;
    outcome.commits_scanned = targets.commits.len();
    Ok(outcome)
}

fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// Drops what `.zoomguardignore` and the baseline (`--baseline`, else git config
/// `zoomguard.baseline`) allow, and sets aside as notices what is below the severity bar
/// (`--min-severity`, else git config `zoomguard.blockSeverity`, else medium in hooks). A
/// malformed or missing named file is an error.
fn allow_known(
    repo: Option<&Repo>,
    settings: &Settings,
    outcome: &mut Outcome,
    reporting: &Reporting,
) -> Result<()> {
    // A commit carries the staged ignore file: that one decides what the commit may hold.
    let version = match outcome.scope {
        Scope::Staged | Scope::CommitMessage => Version::Staged,
        _ => Version::WorkTree,
    };
    let ignore = match source::settings::ignore_file(repo, version)? {
        Some(file) => Some(IgnoreFile::parse(&file.text, &file.name)?),
        None => None,
    };
    let baseline_path = match &reporting.baseline {
        Some(path) => Some(path.clone()),
        None => settings.baseline()?,
    };
    let baseline = match baseline_path {
        Some(path) => {
            let work_tree = repo.and_then(Repo::workdir);
            let Some(file) = source::settings::read_if_present(&path, BASELINE_LIMIT, work_tree)? else {
                bail!("the baseline {} does not exist", path.display());
            };
            Some(Baseline::parse(&file.text, &file.name)?)
        }
        None => None,
    };
    allow::apply(outcome, ignore.as_ref(), baseline.as_ref());
    let bar = match reporting.min_severity {
        Some(bar) => Some(bar),
        None => settings.block_severity()?,
    };
    // A hook lets an expired token through with a notice; a scan reports and counts it.
    let hook = matches!(outcome.scope, Scope::Staged | Scope::CommitMessage | Scope::Push | Scope::Receive);
    match bar {
        Some(bar) => outcome.apply_min_severity(bar),
        None if hook => outcome.apply_min_severity(Severity::Medium),
        None => {}
    }
    Ok(())
}

/// Writes the report in the chosen format and gives the exit status. A hook that blocks
/// always explains itself on standard error, whatever the format.
fn emit(
    outcome: &Outcome,
    inventory: Option<(&[Credential], bool)>,
    reporting: &Reporting,
) -> Result<Status> {
    let status = if outcome.findings.is_empty() { Status::Clean } else { Status::Blocked };
    if reporting.output.is_some() {
        colored::control::set_override(false);
    }
    let human_report = || match (status, inventory) {
        // Files left unscanned are never passed over silently.
        (Status::Clean, _) => {
            (reporting.verbose || worth_saying(outcome)).then(|| human::summary(outcome) + "\n")
        }
        (Status::Blocked, Some((credentials, head_known))) => {
            Some(human::inventory(outcome, credentials, head_known))
        }
        (Status::Blocked, None) => Some(human::blocked(outcome)),
    };
    let mut stderr = std::io::stderr().lock();
    output::write_all(&mut stderr, human::notices(outcome).as_bytes()).context("writing the notices")?;
    match reporting.format {
        Format::Human => match (&reporting.output, human_report()) {
            (Some(path), report) => write_file(path, report.unwrap_or_default().as_bytes())?,
            (None, Some(report)) => {
                output::write_all(&mut stderr, report.as_bytes()).context("writing the report")?
            }
            (None, None) => {}
        },
        Format::Json | Format::Sarif => {
            let report = match reporting.format {
                Format::Sarif => sarif::render(outcome),
                _ => json::render(outcome, inventory.map(|(credentials, _)| credentials)),
            };
            match &reporting.output {
                Some(path) => write_file(path, report.as_bytes())?,
                None => output::write_all(&mut std::io::stdout().lock(), report.as_bytes())
                    .context("writing the report")?,
            }
            let hook = matches!(outcome.scope, Scope::Staged | Scope::Push | Scope::Receive);
            if status == Status::Blocked && hook {
                output::write_all(&mut stderr, human::blocked(outcome).as_bytes())
                    .context("writing the report")?;
            } else if reporting.verbose || worth_saying(outcome) {
                let summary = human::summary(outcome) + "\n";
                output::write_all(&mut stderr, summary.as_bytes()).context("writing the summary")?;
            }
        }
    }
    Ok(status)
}

/// Whether a clean run must still print its summary: files were left unscanned (too
/// large, not decodable, or absent from the object store) or findings did not block. Never
/// a silent pass.
fn worth_saying(outcome: &Outcome) -> bool {
    !outcome.too_large.is_empty()
        || !outcome.undecodable.is_empty()
        || !outcome.absent.is_empty()
        || outcome.below_min_severity > 0
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("writing the report to {}", path.display()))
}

/// Whether an internal error of a hook should warn and let the commit or push through
/// (`git config zoomguard.onError warn`) instead of blocking it.
pub fn warn_on_error() -> bool {
    Settings::open(source::open().ok().as_ref()).is_ok_and(|settings| settings.warn_on_error())
}

/// `zoomguard allow <fingerprint>`: records a fingerprint in the repository's
/// `.zoomguardignore`, with a comment saying why.
pub fn allow(fingerprint: &str, reason: Option<&str>) -> Result<Status> {
    if !allow::is_fingerprint(fingerprint) {
        bail!("{fingerprint:?} is not a fingerprint: copy one from a report (a rule id, `:`, 16 hex digits)");
    }
    let repo = source::open().ok();
    let path = source::settings::ignore_file_path(repo.as_ref())?;
    let work_tree = repo.as_ref().and_then(Repo::workdir);
    let existing = source::settings::read_if_present(&path, IGNORE_FILE_LIMIT, work_tree)?;
    if let Some(file) = &existing {
        if IgnoreFile::parse(&file.text, &file.name)?.has_fingerprint(fingerprint) {
            say(format_args!("zoomguard: {fingerprint} is already allowed in {}", path.display()));
            return Ok(Status::Clean);
        }
    }
    let reason = reason.map_or_else(|| "allowed with zoomguard allow".to_owned(), str::to_owned);
    let mut text = existing.map(|file| file.text).unwrap_or_default();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&allow::ignore_line(fingerprint, &reason));
    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    say(format_args!(
        "zoomguard: added {fingerprint} to {}; stage it (git add {}) and commit it: the hook reads \
         the staged version, and everyone shares it",
        path.display(),
        allow::IGNORE_FILE
    ));
    Ok(Status::Clean)
}

/// `zoomguard rules`: every detector, what it matches and an example of its shape.
pub fn rules() -> Result<Status> {
    let mut out = String::new();
    for rule in RULES {
        let example = rule.examples.first().map(|template| synth::describe(template)).unwrap_or_default();
        let _ = writeln!(
            out,
            "{}\n  name      {}\n  severity  {}\n  matches   {}\n  example   {}\n",
            rule.id,
            rule.kind.name(),
            rule.kind.severity().name(),
            rule.matches,
            example.replace('\n', "\n            ")
        );
    }
    output::write_all(&mut std::io::stdout().lock(), out.as_bytes()).context("writing the rules")?;
    Ok(Status::Clean)
}

/// `zoomguard completions <shell>`: the completion script, generated from the argument
/// definitions.
pub fn completions(shell: clap_complete::Shell) -> Result<Status> {
    let mut command = <crate::cli::Cli as clap::CommandFactory>::command();
    // Generated into memory: clap_complete panics when it cannot write.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "zoomguard", &mut script);
    output::write_all(&mut std::io::stdout().lock(), &script).context("writing the completion script")?;
    Ok(Status::Clean)
}

/// Where `zoomguard install` and `uninstall` act.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstallTarget {
    /// The repository at or above this path.
    Repository(PathBuf),
    /// Every repository of the user: the global `core.hooksPath`.
    Global,
}

impl InstallTarget {
    /// `--global`, or the repository `--repo` names.
    pub fn of(repo: &Path, global: bool) -> Self {
        if global {
            InstallTarget::Global
        } else {
            InstallTarget::Repository(repo.to_path_buf())
        }
    }
}

/// `zoomguard install`: the pre-commit hook by default, both hooks with `--global`.
pub fn install(choice: Option<HookChoice>, target: &InstallTarget) -> Result<Status> {
    let binary = std::env::current_exe().context("finding the path of the zoomguard binary")?;
    let (dir, kind) = match target {
        InstallTarget::Repository(repo) => (install::hooks_dir(repo)?, ShimKind::Repository),
        InstallTarget::Global => (install::global_hooks()?.dir, ShimKind::Global),
    };
    for hook in hooks(choice, target) {
        match install::install(&dir, hook, &binary, kind)? {
            Installed::Fresh(path) => say(format_args!("zoomguard: installed {}", path.display())),
            Installed::Refreshed(path) => say(format_args!("zoomguard: refreshed {}", path.display())),
            Installed::Chained(path, kept) => say(format_args!(
                "zoomguard: installed {} (the existing hook now lives at {} and still runs first)",
                path.display(),
                kept.display()
            )),
        }
    }
    if kind == ShimKind::Global {
        if !install::global_hooks()?.configured {
            install::set_global_hooks_path(&dir)?;
            say(format_args!("zoomguard: set core.hooksPath = {} in your global git config", dir.display()));
        }
        say(format_args!(
            "zoomguard: every repository now runs these hooks, and still runs its own hooks/{{pre-commit,pre-push}} \
             first; a repository that sets its own core.hooksPath (husky does) uses that instead"
        ));
    }
    Ok(Status::Clean)
}

/// `zoomguard uninstall`. With `--global`, the global `core.hooksPath` is unset too when it
/// is zoomguard's own directory and nothing else is left in it.
pub fn uninstall(choice: Option<HookChoice>, target: &InstallTarget) -> Result<Status> {
    let (dir, kind) = match target {
        InstallTarget::Repository(repo) => (install::hooks_dir(repo)?, ShimKind::Repository),
        InstallTarget::Global => {
            let global = install::global_hooks()?;
            if !global.configured {
                say(format_args!(
                    "zoomguard: no core.hooksPath in your global git config; nothing to remove"
                ));
                return Ok(Status::Clean);
            }
            (global.dir, ShimKind::Global)
        }
    };
    for hook in hooks(choice, target) {
        if install::uninstall(&dir, hook, kind)? {
            say(format_args!("zoomguard: removed the {} hook from {}", hook.name(), dir.display()));
        }
    }
    if kind == ShimKind::Global {
        let ours = same_dir(&dir, &install::default_global_dir()?);
        if ours && install::is_empty_dir(&dir)? {
            install::unset_global_hooks_path()?;
            if dir.exists() {
                std::fs::remove_dir(&dir).with_context(|| format!("removing {}", dir.display()))?;
            }
            say(format_args!("zoomguard: removed core.hooksPath from your global git config"));
        } else {
            say(format_args!(
                "zoomguard: left core.hooksPath = {} in your global git config ({})",
                dir.display(),
                if ours { "other hooks are still there" } else { "it was not zoomguard's directory" }
            ));
        }
    }
    Ok(Status::Clean)
}

/// Whether `a` and `b` name the same directory, following symbolic links when both exist.
fn same_dir(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// The hooks `--hook` names; without it, pre-commit in a repository and both globally.
fn hooks(choice: Option<HookChoice>, target: &InstallTarget) -> Vec<Hook> {
    let choice = choice.unwrap_or(match target {
        InstallTarget::Repository(_) => HookChoice::PreCommit,
        InstallTarget::Global => HookChoice::All,
    });
    match choice {
        HookChoice::PreCommit => vec![Hook::PreCommit],
        HookChoice::PrePush => vec![Hook::PrePush],
        HookChoice::CommitMsg => vec![Hook::CommitMsg],
        HookChoice::All => vec![Hook::PreCommit, Hook::PrePush, Hook::CommitMsg],
    }
}
