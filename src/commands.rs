//! The subcommands, each from parsed arguments to an exit status. `main.rs` only dispatches.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use git2::{Oid, Repository};

use crate::cli::HookChoice;
use crate::detect::ScanOptions;
use crate::engine::{self, Outcome, Scope, Workers};
use crate::install::{self, Hook, Installed};
use crate::inventory;
use crate::report::human;
use crate::report::progress::Progress;
use crate::source::{self, push, staged};

/// The process exit status contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Nothing found.
    Clean = 0,
    /// Secrets found: blocked.
    Blocked = 1,
}

/// `zoomguard pre-commit` (and `zoomguard scan --staged`).
pub fn pre_commit(verbose: bool) -> Result<Status> {
    let started = Instant::now();
    let options = ScanOptions::default();
    let repo = source::open()?;
    let mut collected = staged::collect(&repo)?;
    let mut outcome = engine::run(&collected, Scope::Staged, &options, started);
    let new_files = engine::new_files_with_findings(&outcome, &collected.changes);
    if !new_files.is_empty() {
        let copies = staged::copies_of_unmodified(&repo, &new_files)?;
        if !copies.is_empty() {
            for change in &mut collected.changes {
                if let Some((old, added)) = copies.get(&change.path) {
                    change.old_path = Some(old.clone());
                    change.added = added.clone();
                }
            }
            outcome = engine::run(&collected, Scope::Staged, &options, started);
        }
    }
    report(&outcome, verbose)
}

/// `zoomguard pre-push <remote> <url>`, reading git's ref lines from standard input.
pub fn pre_push(remote: Option<&str>, verbose: bool) -> Result<Status> {
    let started = Instant::now();
    let mut stdin = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut stdin).context("reading the refs to push")?;
    let mut updates = push::parse_pre_push(&stdin)?;
    if updates.is_empty() {
        // The pre-commit framework gives no standard input; it names the range in the environment.
        updates = push::from_pre_commit_framework()?;
    }
    let repo = source::open()?;
    let remote = remote.map(str::to_owned).or_else(|| std::env::var("PRE_COMMIT_REMOTE_NAME").ok());
    let commits = push::commits_to_push(&repo, remote.as_deref(), &updates)?;
    let outcome = scan_commits(&commits, default_jobs())?.finish(Scope::Push, started);
    report(&outcome, verbose)
}

/// `zoomguard pre-receive`, on the server, reading git's `<old> <new> <ref>` lines from standard input.
pub fn pre_receive(verbose: bool) -> Result<Status> {
    let started = Instant::now();
    let mut stdin = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut stdin).context("reading the pushed refs")?;
    let updates = push::parse_pre_receive(&stdin)?;
    let repo = source::open()?;
    let commits = push::received_commits(&repo, &updates)?;
    let outcome = scan_commits(&commits, default_jobs())?.finish(Scope::Receive, started);
    report(&outcome, verbose)
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
    /// Files and directories on disk.
    Paths(Vec<PathBuf>),
}

/// `zoomguard scan`: for CI and audits. `jobs` caps the worker threads (default: every core).
pub fn scan(target: &ScanTarget, jobs: Option<usize>, verbose: bool) -> Result<Status> {
    let started = Instant::now();
    let jobs = jobs.unwrap_or_else(default_jobs);
    match target {
        ScanTarget::Staged => pre_commit(verbose),
        ScanTarget::Range(spec) => {
            let commits = source::commits::range_commits(&source::open()?, spec)?;
            let outcome = scan_commits(&commits, jobs)?.finish(Scope::Range, started);
            report(&outcome, verbose)
        }
        ScanTarget::History => history(jobs, verbose, started),
        ScanTarget::Paths(paths) => {
            let files = source::files::list(paths)?;
            let progress = Progress::new(files.len(), "files");
            let workers = Workers {
                jobs,
                open: &|| Ok(()),
                collect: &|_: &mut (), path: &PathBuf| source::files::read(path),
                on_item_done: &|| progress.tick(),
            };
            let outcome = engine::run_each(&files, &workers, &ScanOptions::default());
            progress.finish();
            report(&outcome?.finish(Scope::Files, started), verbose)
        }
    }
}

/// `zoomguard scan --history`: every commit of every ref, grouped into the leak inventory.
fn history(jobs: usize, verbose: bool, started: Instant) -> Result<Status> {
    let repo = source::open()?;
    let commits = source::commits::all_commits(&repo)?;
    let outcome = scan_commits(&commits, jobs)?.finish(Scope::History, started);
    let mut credentials = inventory::group(&outcome.findings);
    let secrets: Vec<&str> = credentials.iter().map(|c| c.first.secret()).collect();
    let at_head = source::commits::places_at_head(&repo, &secrets)?;
    let head_known = at_head.is_some();
    for (credential, places) in credentials.iter_mut().zip(at_head.unwrap_or_default()) {
        credential.at_head = places;
    }
    let mut stderr = std::io::stderr().lock();
    if credentials.is_empty() {
        if verbose {
            writeln!(stderr, "{}", human::summary(&outcome)).context("writing the summary")?;
        }
        return Ok(Status::Clean);
    }
    stderr
        .write_all(human::inventory(&outcome, &credentials, head_known).as_bytes())
        .context("writing the report")?;
    Ok(Status::Blocked)
}

/// Collects and scans `commits` on up to `jobs` threads, each with its own repository handle,
/// with a progress line on a terminal.
fn scan_commits(commits: &[Oid], jobs: usize) -> Result<Outcome> {
    let progress = Progress::new(commits.len(), "commits");
    let numbered: Vec<(usize, Oid)> = commits.iter().copied().enumerate().collect();
    let workers = Workers {
        jobs,
        open: &source::open,
        collect: &|repo: &mut Repository, &(position, oid): &(usize, Oid)| {
            source::commits::changes_of(repo, oid, position)
        },
        on_item_done: &|| progress.tick(),
    };
    let outcome = engine::run_each(&numbered, &workers, &ScanOptions::default());
    progress.finish();
    let mut outcome = outcome?;
    outcome.commits_scanned = commits.len();
    Ok(outcome)
}

fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

fn report(outcome: &Outcome, verbose: bool) -> Result<Status> {
    let mut stderr = std::io::stderr().lock();
    if outcome.findings.is_empty() {
        if verbose {
            writeln!(stderr, "{}", human::summary(outcome)).context("writing the summary")?;
        }
        return Ok(Status::Clean);
    }
    stderr.write_all(human::blocked(outcome).as_bytes()).context("writing the report")?;
    Ok(Status::Blocked)
}

/// `zoomguard install`.
pub fn install(choice: HookChoice, repo: &Path) -> Result<Status> {
    let dir = install::hooks_dir(repo)?;
    let binary = std::env::current_exe().context("finding the path of the zoomguard binary")?;
    for hook in hooks(choice) {
        match install::install(&dir, hook, &binary)? {
            Installed::Fresh(path) => println!("zoomguard: installed {}", path.display()),
            Installed::Refreshed(path) => println!("zoomguard: refreshed {}", path.display()),
            Installed::Chained(path, kept) => println!(
                "zoomguard: installed {} (the existing hook now lives at {} and still runs first)",
                path.display(),
                kept.display()
            ),
        }
    }
    Ok(Status::Clean)
}

/// `zoomguard uninstall`.
pub fn uninstall(choice: HookChoice, repo: &Path) -> Result<Status> {
    let dir = install::hooks_dir(repo)?;
    for hook in hooks(choice) {
        if install::uninstall(&dir, hook)? {
            println!("zoomguard: removed the {} hook from {}", hook.name(), dir.display());
        }
    }
    Ok(Status::Clean)
}

fn hooks(choice: HookChoice) -> Vec<Hook> {
    match choice {
        HookChoice::PreCommit => vec![Hook::PreCommit],
        HookChoice::PrePush => vec![Hook::PrePush],
        HookChoice::All => vec![Hook::PreCommit, Hook::PrePush],
    }
}
