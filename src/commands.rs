//! The subcommands, each from parsed arguments to an exit status. `main.rs` only dispatches.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};

use crate::cli::HookChoice;
use crate::detect::ScanOptions;
use crate::engine::{self, Outcome, Scope};
use crate::install::{self, Hook, Installed};
use crate::report::human;
use crate::source::{push, staged};

/// The process exit status contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Nothing found.
    Clean = 0,
    /// Secrets found: blocked.
    Blocked = 1,
}

/// `zoomguard pre-commit`.
pub fn pre_commit(verbose: bool) -> Result<Status> {
    let started = Instant::now();
    let options = ScanOptions::default();
    let repo = staged::open()?;
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
    let mut stdin = Vec::new(); // bytes: a ref name need not be UTF-8, and only the shas matter
    std::io::Read::read_to_end(&mut std::io::stdin(), &mut stdin).context("reading the refs to push")?;
    let mut updates = push::parse_pre_push(&String::from_utf8_lossy(&stdin))?;
    if updates.is_empty() {
        // The pre-commit framework gives no standard input; it names the range in the environment.
        updates = push::from_pre_commit_framework()?;
    }
    let repo = staged::open()?;
    let remote = remote.map(str::to_owned).or_else(|| std::env::var("PRE_COMMIT_REMOTE_NAME").ok());
    let collected = push::collect(&repo, remote.as_deref(), &updates)?;
    let outcome = engine::run(&collected, Scope::Push, &ScanOptions::default(), started);
    report(&outcome, verbose)
}

/// `zoomguard pre-receive`, on the server, reading git's `<old> <new> <ref>` lines from standard input.
pub fn pre_receive(verbose: bool) -> Result<Status> {
    let started = Instant::now();
    let mut stdin = Vec::new(); // bytes: a ref name need not be UTF-8, and only the shas matter
    std::io::Read::read_to_end(&mut std::io::stdin(), &mut stdin).context("reading the pushed refs")?;
    let updates = push::parse_pre_receive(&String::from_utf8_lossy(&stdin))?;
    let repo = staged::open()?;
    let collected = push::collect_received(&repo, &updates)?;
    let outcome = engine::run(&collected, Scope::Receive, &ScanOptions::default(), started);
    report(&outcome, verbose)
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
