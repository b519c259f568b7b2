//! The report model: what a scan found and how much it read, as plain data. Sources fill it
//! (through the engine), `allow` drops what the team vouched for, reports format it, and
//! `main` turns it into an exit code. It holds no logic beyond ordering, merging and
//! settling its own findings, so every stage after detection depends on it and on nothing
//! after itself.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::change::{CommitInfo, ImagePlace};
use crate::detect::{self, Finding, Severity};

/// The process exit status contract (an error is 2, see `commands::failed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Nothing found.
    Clean = 0,
    /// Secrets found: blocked.
    Blocked = 1,
}

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

    /// Whether a hook runs this scan (and an expired token only gets a notice by default).
    pub fn is_hook(self) -> bool {
        matches!(self, Scope::Staged | Scope::CommitMessage | Scope::Push | Scope::Receive)
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
    /// Blocked when a finding stands, else clean.
    pub fn status(&self) -> Status {
        if self.findings.is_empty() {
            Status::Clean
        } else {
            Status::Blocked
        }
    }

    /// Whether a clean run must still print its summary: files were left unscanned (too
    /// large, not decodable, or absent from the object store) or findings did not block.
    /// Never a silent pass.
    pub fn must_be_summarised(&self) -> bool {
        !self.too_large.is_empty()
            || !self.undecodable.is_empty()
            || !self.absent.is_empty()
            || self.below_min_severity > 0
    }

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

/// Test helper: the findings of `text` as a new file at `path`, added by `commit`.
#[cfg(test)]
pub(crate) fn findings_in(path: &str, text: &str, commit: Option<&Arc<CommitInfo>>) -> Vec<FileFinding> {
    let change = crate::change::Change::new_file(path, text.as_bytes().to_vec());
    crate::detect::scan(&change, &crate::detect::ScanOptions::default())
        .into_iter()
        .map(|finding| FileFinding { path: path.into(), commit: commit.cloned(), image: None, finding })
        .collect()
}
