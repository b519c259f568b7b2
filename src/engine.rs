//! Runs detection over what a source collected and gathers what the report needs: the
//! findings with their paths, what was allowed or skipped, and how much was scanned.

use std::time::{Duration, Instant};

use crate::allow;
use crate::change::Change;
use crate::detect::{scan, Finding, ScanOptions};
use crate::source::Collected;

/// A finding and the file it is in.
#[derive(Debug, Clone)]
pub struct FileFinding {
    /// Repository-relative path.
    pub path: String,
    /// The commit that added it (`abc1234 subject`), when scanning history.
    pub commit: Option<String>,
    /// What was found.
    pub finding: Finding,
}

/// What was scanned, which decides how the report words its advice.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Scope {
    /// The staged changes (pre-commit).
    #[default]
    Staged,
    /// The commits a push would send (pre-push, client side).
    Push,
    /// The commits a push brings (pre-receive, server side).
    Receive,
}

/// Everything a report shows.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The findings that block, in path then position order.
    pub findings: Vec<FileFinding>,
    /// Files scanned.
    pub files_scanned: usize,
    /// Added lines scanned.
    pub lines_scanned: u64,
    /// Binary files passed over.
    pub binary_skipped: Vec<String>,
    /// Findings dropped by an inline `zoomguard:allow` marker.
    pub allowed_by_marker: usize,
    /// Wall time of the whole run.
    pub elapsed: Duration,
    /// What was scanned.
    pub scope: Scope,
}

impl Outcome {
    /// The number of distinct files with findings.
    pub fn files_with_findings(&self) -> usize {
        let mut paths: Vec<&str> = self.findings.iter().map(|f| f.path.as_str()).collect();
        paths.dedup();
        paths.len()
    }
}

/// Scans every change of `scope`; `started` is when the run began, for the summary's timing.
pub fn run(collected: &Collected, scope: Scope, options: &ScanOptions, started: Instant) -> Outcome {
    let mut outcome =
        Outcome { binary_skipped: collected.binary_skipped.clone(), scope, ..Outcome::default() };
    for (change, commit) in collected.changes.iter().zip(&collected.commits) {
        outcome.files_scanned += 1;
        outcome.lines_scanned += change.added.count(&change.text);
        let (kept, allowed) = allow::apply_inline_markers(change, scan(change, options));
        outcome.allowed_by_marker += allowed;
        outcome.findings.extend(kept.into_iter().map(|finding| FileFinding {
            path: change.path.clone(),
            commit: commit.clone(),
            finding,
        }));
    }
    outcome
        .findings
        .sort_by(|a, b| a.path.cmp(&b.path).then(a.finding.span.start.cmp(&b.finding.span.start)));
    outcome.elapsed = started.elapsed();
    outcome
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
