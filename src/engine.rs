//! Runs detection over what a source collected and gathers what the report needs: the
//! findings with their paths, what was allowed or skipped, and how much was scanned.
//!
//! Large jobs (a history, a big push, a directory tree) are spread over worker threads, each
//! with its own state (a repository handle) from the caller. A worker collects one item (a
//! commit, a file), scans it and keeps only the findings, so memory holds one item's text
//! per worker, whatever the size of the whole job.

use anyhow::Result;

use crate::allow;
use crate::change::{Change, ImagePlace};
use crate::detect::verify::{self, verify_pairs, Located};
use crate::detect::{scan_unsettled, ScanOptions};
use crate::outcome::{FileFinding, Outcome};
use crate::source::Collected;
use crate::threads;

/// Scans every change that `collected` holds and counts what it read, then checks the
/// secrets against the tokens and webhooks of the whole set (one commit, one file); findings
/// come unsorted (see [`Outcome::finish`]).
pub fn scan_collected(collected: &Collected, options: &ScanOptions) -> Outcome {
    let mut outcome = counts_of(collected);
    outcome.absorb(scan_change_set(collected, options));
    outcome
}

/// What `collected` read and passed over, without scanning it.
fn counts_of(collected: &Collected) -> Outcome {
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
    for change in collected.changes.iter().filter(|change| !change.is_message()) {
        outcome.files_scanned += 1;
        outcome.lines_scanned += change.added.count(&change.text);
    }
    outcome
}

/// The findings of `collected`'s changes as one change set: each change scanned, inline
/// markers applied, then the secrets checked against the tokens and webhooks of them all.
/// Counts nothing read (see [`scan_collected`]).
pub fn scan_change_set(collected: &Collected, options: &ScanOptions) -> Outcome {
    let mut outcome = Outcome::default();
    for (change, commit) in collected.changes.iter().zip(&collected.commits) {
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
    let mut located: Vec<Located<'_>> = outcome
        .findings
        .iter_mut()
        .map(|FileFinding { path, finding, .. }| Located { path, finding })
        .collect();
    verify_pairs(&collected.changes, &mut located);
    outcome
}

/// How a parallel run reads its items.
pub struct ParallelScan<'a, T, S> {
    /// How many threads to use, at most.
    pub jobs: usize,
    /// Makes one worker's state (a repository handle of its own).
    pub open: &'a (dyn Fn() -> Result<S> + Sync),
    /// Collects what one item adds.
    pub collect: &'a (dyn Fn(&S, &T) -> Result<Collected> + Sync),
    /// Called after each item, from the worker that did it (progress display).
    pub on_item_done: &'a (dyn Fn() + Sync),
    /// What the items are to each other.
    pub items_are: ItemsAre<'a, T, S>,
}

/// A look at one item's project, given the paths of its waiting findings: why it uses Zoom.
pub type ProjectLookFn<'a, T, S> = dyn Fn(&S, &T, &[&str]) -> Result<Option<String>> + Sync + 'a;

/// What the items of a parallel run are to each other, which decides where pairs are
/// verified and when the findings that count only in a Zoom project are settled.
pub enum ItemsAre<'a, T, S> {
    /// Each its own change and project state (commits): verified within the item, then
    /// settled by what its own texts show, else by this look at its project (its tree's
    /// manifests, the repository's names).
    Separate(&'a ProjectLookFn<'a, T, S>),
    /// Separate changes of one project (files on disk): settled by the caller.
    OneProject,
    /// Parts of one change (the staged files): the texts that hold findings or pairing
    /// evidence come back to the caller, who scans them together as one change set; every
    /// other text is let go at once.
    OneChange,
}

/// Collects and scans every item of `items` on up to `run.jobs` threads: the calling thread
/// works with `own` (the caller's repository handle), every other thread with a state of its
/// own from `run.open` (see [`threads::each_item`]). The first error stops every worker and is
/// returned. Findings come unsorted (see [`Outcome::finish`]). With [`ItemsAre::OneChange`],
/// the texts that hold findings (allowed ones too) or pairing evidence come back as one
/// [`Collected`], and the outcome holds only what was read.
pub fn run_each<T: Sync, S>(
    items: &[T],
    run: &ParallelScan<'_, T, S>,
    options: &ScanOptions,
    own: &S,
) -> Result<(Outcome, Collected)> {
    let work = |state: &S, _: usize, item: &T, (outcome, kept): &mut (Outcome, Collected)| -> Result<()> {
        let mut collected = (run.collect)(state, item)?;
        match &run.items_are {
            ItemsAre::Separate(look) => {
                let mut scanned = scan_collected(&collected, options);
                scanned.settle(|paths| look(state, item, paths))?;
                scanned.project_signal = None;
                outcome.absorb(scanned);
            }
            ItemsAre::OneProject => outcome.absorb(scan_collected(&collected, options)),
            ItemsAre::OneChange => {
                outcome.absorb(counts_of(&collected));
                keep_what_matters(&mut collected, options, outcome);
                kept.changes.append(&mut collected.changes);
                kept.commits.append(&mut collected.commits);
            }
        }
        (run.on_item_done)();
        Ok(())
    };
    let (mut total, mut kept) = (Outcome::default(), Collected::default());
    for (outcome, mut changes) in threads::each_item(items, run.jobs, own, run.open, &work)? {
        total.absorb(outcome);
        kept.changes.append(&mut changes.changes);
        kept.commits.append(&mut changes.commits);
    }
    Ok((total, kept))
}

/// Keeps in `collected` only the changes that hold a finding (one a marker allows too) or
/// pairing evidence; the project signal of those let go goes to `outcome`.
fn keep_what_matters(collected: &mut Collected, options: &ScanOptions, outcome: &mut Outcome) {
    let mut keep = Vec::with_capacity(collected.changes.len());
    for change in &collected.changes {
        let scanned = scan_unsettled(change, options);
        let matters = !scanned.findings.is_empty() || verify::may_be_evidence(&change.text);
        if !matters && outcome.project_signal.is_none() {
            outcome.project_signal = scanned.signal;
        }
        keep.push(matters);
    }
    let mut keep = keep.into_iter();
    let mut keep_commit = keep.clone();
    collected.changes.retain(|_| keep.next().unwrap_or(false));
    collected.commits.retain(|_| keep_commit.next().unwrap_or(false));
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
    let work = |_: &(), _: usize, item: &T, outcome: &mut Outcome| -> Result<()> {
        let mut emit = |collected: Collected, place: ImagePlace| {
            let mut scanned = scan_collected(&collected, options);
            for finding in &mut scanned.findings {
                finding.image = Some(place.clone());
            }
            outcome.absorb(scanned);
        };
        stream(item, &mut emit)?;
        on_item_done();
        Ok(())
    };
    let mut total = Outcome::default();
    for outcome in threads::each_item(items, jobs, &(), &|| Ok(()), &work)? {
        total.absorb(outcome);
    }
    Ok(total)
}

/// The paths of new files (every line added) that hold findings: candidates for copy detection.
pub fn new_files_with_findings<'a>(outcome: &'a Outcome, changes: &[Change]) -> Vec<&'a str> {
    let mut paths: Vec<&str> = outcome
        .findings
        .iter()
        .map(|f| f.path.as_str())
        .filter(|p| changes.iter().any(|c| c.path == *p && c.is_new))
        .collect();
    paths.dedup();
    paths
}
