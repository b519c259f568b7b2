//! Where changed text comes from. These are the only modules that read from git (or the
//! disk): they turn what git holds into [`Change`](crate::change::Change)s and know nothing
//! about rules.

pub mod commits;
pub mod files;
pub mod index;
pub mod lines;
pub mod project;
pub mod push;
pub mod settings;
pub mod staged;

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Read;
use std::ops::Range;
use std::sync::Arc;

use anyhow::{Context, Result};
use git2::{Delta, Diff, FileMode, ObjectType, Odb, Oid, Patch, Repository};

use crate::change::{read_text, AddedLines, Change, CommitInfo, Text, MESSAGE_OF};
use lines::OldLines;

/// Opens the repository the way a hook sees it: `GIT_DIR`, `GIT_INDEX_FILE`, git's object
/// quarantine and linked worktrees from the environment first, then the working directory.
pub fn open() -> Result<Repository> {
    // Like git's own commands, trust the object store instead of re-hashing every object
    // read (SHA-1 with collision detection): re-hashing was half the time of a history scan.
    // A damaged object still fails to inflate or parse, and that is still an error.
    git2::opts::strict_hash_verification(false);
    Repository::open_from_env().context("opening the git repository (is this inside a git work tree?)")
}

/// Files larger than this are not read (git config `zoomguard.maxFileSize`): 100 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 100 * 1024 * 1024;

/// What a source produced: the changes to scan, and what it passed over and why.
#[derive(Debug)]
pub struct Collected {
    /// Text files with added lines.
    pub changes: Vec<Change>,
    /// For each of `changes`, the commit it was added in, when it comes from history rather
    /// than the index or the disk.
    pub commits: Vec<Option<Arc<CommitInfo>>>,
    /// Paths of binary files that were not scanned.
    pub binary_skipped: Vec<String>,
    /// Paths of files over `max_file_size` that were not read.
    pub too_large: Vec<String>,
    /// Paths of files that claim a text encoding (UTF-16, UTF-32) but do not decode in it:
    /// not scanned, and named as such.
    pub undecodable: Vec<String>,
    /// The largest file read, in bytes.
    pub max_file_size: u64,
}

impl Default for Collected {
    fn default() -> Self {
        Collected::with_max_file_size(DEFAULT_MAX_FILE_SIZE)
    }
}

impl Collected {
    /// Nothing collected yet; files over `max_file_size` bytes will be listed, not read.
    pub fn with_max_file_size(max_file_size: u64) -> Self {
        Collected {
            changes: Vec::new(),
            commits: Vec::new(),
            binary_skipped: Vec::new(),
            too_large: Vec::new(),
            undecodable: Vec::new(),
            max_file_size,
        }
    }

    /// Keeps only the lines that `other_side` also adds: a merge commit adds only what none
    /// of its parents had. Changes left with no added line are dropped.
    pub fn keep_added_in(&mut self, other_side: &HashMap<String, AddedLines>) {
        let mut kept = Vec::with_capacity(self.changes.len());
        for (mut change, commit) in self.changes.drain(..).zip(self.commits.drain(..)) {
            let Some(other) = other_side.get(&change.path) else { continue };
            change.added = change.added.intersect(other);
            if change.added != AddedLines::Ranges(Vec::new()) {
                kept.push((change, commit));
            }
        }
        (self.changes, self.commits) = kept.into_iter().unzip();
    }

    /// Adds the text changes of `diff` (whose new side is in `repo`), labelled with `commit`.
    pub fn add_diff(
        &mut self,
        repo: &Repository,
        diff: &Diff<'_>,
        commit: Option<&Arc<CommitInfo>>,
    ) -> Result<()> {
        for file in changed_files(diff) {
            self.add_file(repo, &file, commit)?;
        }
        Ok(())
    }

    /// Adds the message of `commit` as a text whose every line counts, named
    /// `commit message of <short id>` (a message that is not text, or over the size limit, is
    /// listed as files are).
    pub fn add_message(&mut self, message: &[u8], commit: &Arc<CommitInfo>) {
        let path = format!("{MESSAGE_OF}{}", commit.short_id());
        if u64::try_from(message.len()).unwrap_or(u64::MAX) > self.max_file_size {
            self.too_large.push(path);
            return;
        }
        match read_text(message.to_vec()) {
            Text::Binary => self.binary_skipped.push(path),
            Text::Undecodable(_) => self.undecodable.push(path),
            text @ (Text::AsStored(_) | Text::Decoded(..)) => {
                let text = text.into_text().unwrap_or_default().into_owned();
                self.changes.push(Change { path, old_path: None, text, added: AddedLines::All });
                self.commits.push(Some(commit.clone()));
            }
        }
    }

    /// Reads `file` and adds the lines it adds, labelled with `commit`; a binary file, one
    /// over the size limit, one that does not decode, or one that adds no line (a pure
    /// rename) is listed or left out.
    pub fn add_file(
        &mut self,
        repo: &Repository,
        file: &ChangedFile,
        commit: Option<&Arc<CommitInfo>>,
    ) -> Result<()> {
        let path = &file.path;
        let odb = repo.odb().context("opening the object database")?;
        let (size, _) = odb.read_header(file.id).with_context(|| format!("reading the size of {path}"))?;
        if u64::try_from(size).unwrap_or(u64::MAX) > self.max_file_size {
            self.too_large.push(path.clone());
            return Ok(());
        }
        // The old version becomes line tokens before the new one is read: holding both at
        // once would double the memory a large file takes.
        let old = match &file.old {
            Some((old_path, old_id)) => {
                let blob =
                    repo.find_blob(*old_id).with_context(|| format!("reading the old content of {path}"))?;
                Some((old_path, OldLines::of(&text_of(blob.content()))))
            }
            None => None,
        };
        let content =
            read_blob(&odb, file.id).with_context(|| format!("reading the new content of {path}"))?;
        let text = match read_text(content) {
            Text::Decoded(text, _) => text,
            Text::AsStored(text) if !file.binary => text.into_owned(),
            Text::AsStored(_) | Text::Binary => {
                self.binary_skipped.push(path.clone());
                return Ok(());
            }
            Text::Undecodable(_) => {
                self.undecodable.push(path.clone());
                return Ok(());
            }
        };
        let (old_path, added) = match old {
            None => (None, AddedLines::All),
            Some((old_path, old_lines)) => {
                let ranges = old_lines.added_ranges(&text);
                if ranges.is_empty() {
                    return Ok(()); // a pure rename, copy or mode change adds no line
                }
                (Some(old_path.clone()), AddedLines::Ranges(ranges))
            }
        };
        self.changes.push(Change { path: path.clone(), old_path, text, added });
        self.commits.push(commit.cloned());
        Ok(())
    }
}

/// A file that a diff changes, before any of its content is read.
#[derive(Debug, Clone)]
pub struct ChangedFile {
    /// Its path on the new side.
    pub path: String,
    /// The old side (path and blob) of a modified, renamed or copied file; none for a new one.
    pub old: Option<(String, Oid)>,
    /// The new blob.
    pub id: Oid,
    /// Whether git already called it binary.
    pub binary: bool,
}

/// The files of `diff` whose new side can hold added text.
pub fn changed_files(diff: &Diff<'_>) -> Vec<ChangedFile> {
    diff.deltas()
        .filter(|delta| carries_text(delta.status(), delta.new_file().mode()))
        .map(|delta| ChangedFile {
            path: lossy_path(delta.new_file().path_bytes()),
            old: (delta.status() != Delta::Added)
                .then(|| (lossy_path(delta.old_file().path_bytes()), delta.old_file().id())),
            id: delta.new_file().id(),
            binary: delta.flags().is_binary(),
        })
        .collect()
}

/// For each text file of `diff`, which lines of its new side the diff adds (no blob is read).
pub fn added_lines_by_path(diff: &Diff<'_>) -> Result<HashMap<String, AddedLines>> {
    let mut added = HashMap::new();
    for index in 0..diff.deltas().len() {
        let Some(delta) = diff.get_delta(index) else { continue };
        if !carries_text(delta.status(), delta.new_file().mode()) {
            continue;
        }
        let path = lossy_path(delta.new_file().path_bytes());
        let lines = match delta.status() {
            Delta::Added => AddedLines::All,
            _ => AddedLines::Ranges(added_ranges(diff, index, &path)?),
        };
        added.insert(path, lines);
    }
    Ok(added)
}

/// Whether a delta's new side is a regular file whose text can hold added lines (not a
/// deletion, a submodule entry or a symlink).
fn carries_text(status: Delta, mode: FileMode) -> bool {
    let added_or_changed =
        matches!(status, Delta::Added | Delta::Modified | Delta::Renamed | Delta::Copied | Delta::Typechange);
    added_or_changed && matches!(mode, FileMode::Blob | FileMode::BlobExecutable)
}

/// The 1-based line ranges of the new side that the diff adds (diffs are made with zero
/// context lines, so every hunk's new range is added text).
fn added_ranges(diff: &Diff<'_>, index: usize, path: &str) -> Result<Vec<Range<u32>>> {
    match Patch::from_diff(diff, index).with_context(|| format!("diffing {path}"))? {
        Some(patch) => hunk_ranges(&patch, path),
        None => Ok(Vec::new()),
    }
}

/// A blob's content as an owned buffer. A loose object (as every freshly staged one is) is
/// inflated straight into it; a packed one is copied out of libgit2's buffer.
fn read_blob(odb: &Odb<'_>, id: Oid) -> Result<Vec<u8>> {
    if let Ok((mut reader, size, ObjectType::Blob)) = odb.reader(id) {
        let mut content = Vec::with_capacity(size);
        reader.read_to_end(&mut content).context("inflating the object")?;
        return Ok(content);
    }
    Ok(odb.read(id)?.data().to_vec())
}

/// A blob's content as text to compare lines with: decoded if it is UTF-16 or UTF-32, as
/// stored otherwise (an old version that is binary or does not decode is still compared
/// line by line, so that the new version's added lines come out right).
fn text_of(content: &[u8]) -> Cow<'_, [u8]> {
    read_text(content).into_text().unwrap_or(Cow::Borrowed(content))
}

/// The new-side line ranges of `patch`'s hunks (made with zero context lines, so every hunk's
/// new range is added text).
fn hunk_ranges(patch: &Patch<'_>, path: &str) -> Result<Vec<Range<u32>>> {
    let mut ranges = Vec::with_capacity(patch.num_hunks());
    for hunk_index in 0..patch.num_hunks() {
        let (hunk, _) = patch.hunk(hunk_index).with_context(|| format!("reading a diff hunk of {path}"))?;
        if hunk.new_lines() > 0 {
            ranges.push(hunk.new_start()..hunk.new_start() + hunk.new_lines());
        }
    }
    Ok(ranges)
}

/// A path as UTF-8 text, odd bytes replaced, for reports.
pub fn lossy_path(bytes: Option<&[u8]>) -> String {
    String::from_utf8_lossy(bytes.unwrap_or_default()).into_owned()
}

/// What the unit tests of the git layer share: git itself, run on a scratch repository.
#[cfg(test)]
mod testing {
    use std::path::Path;
    use std::process::Command;

    /// Runs git in `dir` with no user or system configuration, and checks that it succeeds.
    pub fn git(dir: &Path, args: &[&str]) {
        let output = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .expect("git runs");
        assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    }

    /// Writes `text` to `path` under `dir`, making its directories.
    pub fn write(dir: &Path, path: &str, text: &str) {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}
