//! Runs detection over what a source collected and gathers what the report needs: the
//! findings with their paths, what was allowed or skipped, and how much was scanned.
//!
//! Large jobs (a history, a big push, a directory tree) are spread over worker threads, each
//! with its own state (a repository handle) from the caller. A worker collects one item (a
//! commit, a file), scans it and keeps only the findings, so memory holds one item's text
//! per worker, whatever the size of the whole job.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Result};

use crate::allow;
use crate::change::{Change, CommitInfo, ImagePlace};
use crate::detect::verify::{self, verify_pairs, Located};
use crate::detect::{self, scan_unsettled, Finding, ScanOptions, Severity};
use crate::source::Collected;

/// A finding and the file it is in.
#[derive(Debug, Clone)]
pub struct FileFinding {
    /// Repository-relative path (or the path as given, for files on disk).
    pub path: String,
    /// The commit that added it, when scanning commits.
    pub commit: Option<Arc<CommitInfo>>,
    /// Where in a container image it is, when scanning an image.
    pub image: Option<ImagePlace>,
    /// What was found.
    pub finding: Finding,
}

/// What was scanned, which decides how the report words its advice.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Scope {
    /// The staged changes (pre-commit, `scan --staged`).
    #[default]
    Staged,
    /// The commits a push would send (pre-push, client side).
    Push,
    /// The commits a push brings (pre-receive, server side).
    Receive,
    /// The commits of a range (`scan --range A..B`, a merge request).
    Range,
    /// Every commit of every ref (`scan --history`, the leak inventory).
    History,
    /// Files on disk (`scan <path>...`).
    Files,
    /// The message of a commit being made (commit-msg).
    CommitMessage,
    /// A container image's layers and config (`scan --image`).
    Image,
}

impl Scope {
    /// Whether the changes come from commits (and findings name one).
    pub fn is_commits(self) -> bool {
        matches!(self, Scope::Push | Scope::Receive | Scope::Range | Scope::History)
    }
}

/// Everything a report shows.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The findings that block, in path then commit then position order.
    pub findings: Vec<FileFinding>,
    /// Files scanned (a file changed by three commits counts three times).
    pub files_scanned: usize,
    /// Commits scanned, for the scopes that read commits.
    pub commits_scanned: usize,
    /// Added lines scanned (not counting those of commits' files that held no keyword at
    /// all, which are passed over before their added lines are worked out).
    pub lines_scanned: u64,
    /// Binary files passed over, each path once.
    pub binary_skipped: Vec<String>,
    /// Files over the size limit, not scanned, each path once.
    pub too_large: Vec<String>,
    /// Files in a text encoding they do not decode in (UTF-16, UTF-32), not scanned, each
    /// path once.
    pub undecodable: Vec<String>,
    /// Files whose content is absent from the object store (a partial clone, a mirror that
    /// dropped large files), not scanned, each path once.
    pub absent: Vec<String>,
    /// Files whose old version is absent from the object store, scanned whole (every line
    /// counted as added), each path once.
    pub old_absent: Vec<String>,
    /// Findings dropped by an inline `zoomguard:allow` marker.
    pub allowed_by_marker: usize,
    /// Findings dropped by `.zoomguardignore` (fingerprint or path glob).
    pub allowed_by_ignore_file: usize,
    /// Findings dropped because the baseline already knows them.
    pub allowed_by_baseline: usize,
    /// Findings below the blocking bar (`--min-severity`, `zoomguard.blockSeverity`), and that bar.
    pub below_min_severity: usize,
    /// Those findings themselves: reported as one-line notices, never blocking.
    pub notices: Vec<FileFinding>,
    /// The blocking bar, when one is set.
    pub min_severity: Option<Severity>,
    /// Wall time of the whole run.
    pub elapsed: Duration,
    /// What was scanned.
    pub scope: Scope,
    /// Why a scanned text shows that the project uses Zoom, if one did (the first found).
    pub project_signal: Option<String>,
}

impl Outcome {
    /// The number of distinct files with findings.
    pub fn files_with_findings(&self) -> usize {
        let mut paths: Vec<&str> = self.findings.iter().map(|f| f.path.as_str()).collect();
        paths.sort_unstable();
        paths.dedup();
        paths.len()
    }

    /// Adds what `other` scanned and found to this outcome.
    pub fn absorb(&mut self, mut other: Outcome) {
        self.findings.append(&mut other.findings);
        self.files_scanned += other.files_scanned;
        self.commits_scanned += other.commits_scanned;
        self.lines_scanned += other.lines_scanned;
        self.binary_skipped.append(&mut other.binary_skipped);
        self.too_large.append(&mut other.too_large);
        self.undecodable.append(&mut other.undecodable);
        self.absent.append(&mut other.absent);
        self.old_absent.append(&mut other.old_absent);
        self.allowed_by_marker += other.allowed_by_marker;
        self.allowed_by_ignore_file += other.allowed_by_ignore_file;
        self.allowed_by_baseline += other.allowed_by_baseline;
        self.below_min_severity += other.below_min_severity;
        if self.project_signal.is_none() {
            self.project_signal = other.project_signal;
        }
    }

    /// Whether some finding waits for the project's context (see [`Outcome::settle`]).
    pub fn has_unresolved(&self) -> bool {
        self.findings.iter().any(|f| detect::is_unresolved(&f.finding))
    }

    /// Settles the findings that wait for the project's context: a scanned text that shows
    /// the project uses Zoom gives the reason, else `look` (the source's look at the
    /// project's manifests and names, given the paths of the waiting findings), which is
    /// called only when a finding waits.
    pub fn settle(&mut self, look: impl FnOnce(&[&str]) -> Result<Option<String>>) -> Result<()> {
        if !self.has_unresolved() {
            return Ok(());
        }
        let reason = match self.project_signal.clone() {
            Some(signal) => Some(signal),
            None => {
                let mut paths: Vec<&str> = self
                    .findings
                    .iter()
                    .filter(|f| detect::is_unresolved(&f.finding))
                    .map(|f| f.path.as_str())
                    .collect();
                paths.dedup();
                look(&paths)?
            }
        };
        let reason: Option<Arc<str>> = reason.map(Arc::from);
        self.findings.retain_mut(|f| detect::settle_one(&mut f.finding, reason.as_ref()));
        Ok(())
    }

    /// Puts the findings in report order and stamps the scope and the time since `started`.
    pub fn finish(mut self, scope: Scope, started: Instant) -> Outcome {
        self.findings.sort_by(|a, b| {
            let commit_order = |f: &FileFinding| f.commit.as_ref().map(|c| c.position);
            a.path
                .cmp(&b.path)
                .then_with(|| commit_order(a).cmp(&commit_order(b)))
                .then(a.finding.span.start.cmp(&b.finding.span.start))
        });
        self.binary_skipped.sort_unstable();
        self.binary_skipped.dedup();
        self.too_large.sort_unstable();
        self.too_large.dedup();
        self.undecodable.sort_unstable();
        self.undecodable.dedup();
        self.absent.sort_unstable();
        self.absent.dedup();
        self.old_absent.sort_unstable();
        self.old_absent.dedup();
        self.scope = scope;
        self.elapsed = started.elapsed();
        self
    }
}

/// Scans every change that `collected` holds, then checks the secrets against the tokens
/// and webhooks of the whole set (one commit, or everything staged); findings come unsorted
/// (see [`Outcome::finish`]).
pub fn scan_collected(collected: &Collected, options: &ScanOptions) -> Outcome {
    let mut outcome = Outcome {
        binary_skipped: collected.binary_skipped.clone(),
        too_large: collected.too_large.clone(),
        undecodable: collected.undecodable.clone(),
        absent: collected.absent.clone(),
        old_absent: collected.old_absent.clone(),
        // Read and searched, though their added lines were never worked out (nor counted).
        files_scanned: collected.passed_over,
        ..Outcome::default()
    };
    for (change, commit) in collected.changes.iter().zip(&collected.commits) {
        if !change.is_message() {
            outcome.files_scanned += 1;
            outcome.lines_scanned += change.added.count(&change.text);
        }
        let scanned = scan_unsettled(change, options);
        if outcome.project_signal.is_none() {
            outcome.project_signal = scanned.signal;
        }
        let (kept, allowed) = allow::apply_inline_markers(change, scanned.findings);
        outcome.allowed_by_marker += allowed;
        outcome.findings.extend(kept.into_iter().map(|finding| FileFinding {
            path: change.path.clone(),
            commit: commit.clone(),
            image: None,
            finding,
        }));
    }
    verify_across(&mut outcome, &collected.changes);
    outcome
}

/// Checks the secrets among `outcome`'s findings against the tokens and webhooks of `changes`
/// (one change set: a collected commit, or the files [`run_each`] kept from the staged ones).
pub fn verify_across(outcome: &mut Outcome, changes: &[Change]) {
    let mut located: Vec<Located<'_>> = outcome
        .findings
        .iter_mut()
        .map(|FileFinding { path, finding, .. }| Located { path, finding })
        .collect();
    verify_pairs(changes, &mut located);
}

/// How a parallel run reads its items.
pub struct Workers<'a, T, S> {
    /// How many threads to use, at most.
    pub jobs: usize,
    /// Makes one worker's state (a repository handle of its own).
    pub open: &'a (dyn Fn() -> Result<S> + Sync),
    /// Collects what one item adds.
    pub collect: &'a (dyn Fn(&mut S, &T) -> Result<Collected> + Sync),
    /// Called after each item, from the worker that did it (progress display).
    pub on_item_done: &'a (dyn Fn() + Sync),
    /// Whether to keep, and return, the changes that hold findings or pairing evidence, so
    /// that pairs can be verified across items that form one change set (staged files).
    pub keep_evidence: bool,
    /// How the findings that wait for the project's context are settled.
    pub settle: Settle<'a, T, S>,
}

/// A look at one item's project, given the paths of its waiting findings: why it uses Zoom.
pub type ProjectLookFn<'a, T, S> = dyn Fn(&mut S, &T, &[&str]) -> Result<Option<String>> + Sync + 'a;

/// When the findings that count only in a Zoom project are settled.
pub enum Settle<'a, T, S> {
    /// After each item (a commit is its own project state): what the item's own texts show,
    /// else what this look at its project finds (its tree's manifests, the repository's names).
    EachItem(&'a ProjectLookFn<'a, T, S>),
    /// By the caller, once every item is in (the staged files form one change).
    ByCaller,
}

/// Collects and scans every item of `items` on up to `workers.jobs` threads: the calling
/// thread works with `own` (the caller's repository handle), every other thread with a state
/// of its own from `workers.open`. The first error stops every worker and is returned; a
/// worker that panics is an error too, never a pass. Findings come unsorted (see
/// [`Outcome::finish`]); with `keep_evidence`, the changes that hold findings or pairing
/// evidence come back too, every other text is let go at once.
pub fn run_each<T: Sync, S>(
    items: &[T],
    workers: &Workers<'_, T, S>,
    options: &ScanOptions,
    own: &mut S,
) -> Result<(Outcome, Vec<Change>)> {
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let work = |state: &mut S| -> Result<(Outcome, Vec<Change>)> {
        let mut outcome = Outcome::default();
        let mut kept = Vec::new();
        while !failed.load(Ordering::Relaxed) {
            let Some(item) = items.get(next.fetch_add(1, Ordering::Relaxed)) else { break };
            let collected = (workers.collect)(state, item).inspect_err(|_| {
                failed.store(true, Ordering::Relaxed);
            })?;
            let mut scanned = scan_collected(&collected, options);
            if let Settle::EachItem(look) = &workers.settle {
                scanned.settle(|paths| look(state, item, paths))?;
                scanned.project_signal = None;
            }
            if workers.keep_evidence {
                kept.extend(collected.changes.into_iter().filter(|change| {
                    scanned.findings.iter().any(|f| f.path == change.path)
                        || verify::may_be_evidence(&change.text)
                }));
            }
            outcome.absorb(scanned);
            (workers.on_item_done)();
        }
        Ok((outcome, kept))
    };
    let helpers = workers.jobs.clamp(1, items.len().max(1)) - 1;
    let results: Vec<Result<(Outcome, Vec<Change>)>> = std::thread::scope(|threads| {
        let handles: Vec<_> = (0..helpers)
            .map(|_| {
                threads.spawn(|| {
                    let mut state =
                        (workers.open)().inspect_err(|_| failed.store(true, Ordering::Relaxed))?;
                    work(&mut state)
                })
            })
            .collect();
        let mut results = vec![work(own)];
        results.extend(
            handles
                .into_iter()
                .map(|handle| handle.join().unwrap_or_else(|_| Err(anyhow!("a scanning thread crashed")))),
        );
        results
    });
    let (mut total, mut kept) = (Outcome::default(), Vec::new());
    for result in results {
        let (outcome, mut changes) = result?;
        total.absorb(outcome);
        kept.append(&mut changes);
    }
    Ok((total, kept))
}

/// Hands over one text of a streamed item, with where it sits in the image.
pub type Emit<'a> = dyn FnMut(Collected, ImagePlace) + 'a;

/// Reads one item of [`run_streamed`], handing over each of its texts as it is read.
pub type StreamFn<'a, T> = dyn Fn(&T, &mut Emit<'_>) -> Result<()> + Sync + 'a;

/// Scans items that are too large to collect whole (an image layer: a tar stream of any
/// size) on up to `jobs` threads, one item per thread at a time: `stream` reads an item and
/// hands over its texts one at a time, each scanned at once and let go, so memory holds one
/// text per thread. Its findings are labelled with the text's place in the image. The first
/// error stops every worker and is returned; findings come unsorted (see [`Outcome::finish`]).
pub fn run_streamed<T: Sync>(
    items: &[T],
    jobs: usize,
    options: &ScanOptions,
    stream: &StreamFn<'_, T>,
    on_item_done: &(dyn Fn() + Sync),
) -> Result<Outcome> {
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let work = || -> Result<Outcome> {
        let mut outcome = Outcome::default();
        while !failed.load(Ordering::Relaxed) {
            let Some(item) = items.get(next.fetch_add(1, Ordering::Relaxed)) else { break };
            let mut emit = |collected: Collected, place: ImagePlace| {
                let mut scanned = scan_collected(&collected, options);
                for finding in &mut scanned.findings {
                    finding.image = Some(place.clone());
                }
                outcome.absorb(scanned);
            };
            stream(item, &mut emit).inspect_err(|_| failed.store(true, Ordering::Relaxed))?;
            on_item_done();
        }
        Ok(outcome)
    };
    let helpers = jobs.clamp(1, items.len().max(1)) - 1;
    let results: Vec<Result<Outcome>> = std::thread::scope(|threads| {
        let handles: Vec<_> = (0..helpers).map(|_| threads.spawn(work)).collect();
        let mut results = vec![work()];
        results.extend(
            handles
                .into_iter()
                .map(|handle| handle.join().unwrap_or_else(|_| Err(anyhow!("a scanning thread crashed")))),
        );
        results
    });
    let mut total = Outcome::default();
    for result in results {
        total.absorb(result?);
    }
    Ok(total)
}

impl Outcome {
    /// Moves the findings below `bar` to the notices, counting them: they do not block.
    pub fn apply_min_severity(&mut self, bar: Severity) {
        let (blocking, below): (Vec<FileFinding>, Vec<FileFinding>) =
            std::mem::take(&mut self.findings).into_iter().partition(|f| f.finding.severity() >= bar);
        self.findings = blocking;
        self.below_min_severity += below.len();
        self.notices.extend(below);
        self.min_severity = Some(bar);
    }
}

/// The paths of new files (every line added) that hold findings: candidates for copy detection.
pub fn new_files_with_findings<'a>(outcome: &'a Outcome, changes: &[Change]) -> Vec<&'a str> {
    let mut paths: Vec<&str> = outcome
        .findings
        .iter()
        .map(|f| f.path.as_str())
        .filter(|p| changes.iter().any(|c| c.path == *p && c.old_path.is_none()))
        .collect();
    paths.dedup();
    paths
}

/// Test helper: the findings of `text` as a new file at `path`, added by `commit`.
#[cfg(test)]
pub(crate) fn findings_in(path: &str, text: &str, commit: Option<&Arc<CommitInfo>>) -> Vec<FileFinding> {
    let change = Change {
        path: path.into(),
        old_path: None,
        text: text.as_bytes().to_vec(),
        added: crate::change::AddedLines::All,
    };
    crate::detect::scan(&change, &ScanOptions::default())
        .into_iter()
        .map(|finding| FileFinding { path: path.into(), commit: commit.cloned(), image: None, finding })
        .collect()
}
