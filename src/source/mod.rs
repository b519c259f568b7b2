//! Where changed text comes from. These are the only modules that read from git (or the
//! disk, or a container image's tar and OCI files): they turn what git holds into
//! [`Change`](crate::change::Change)s and know nothing about rules.

pub mod commits;
pub mod files;
pub mod git;
pub mod image;
pub mod index;
pub mod lines;
pub mod loose;
pub mod mode;
pub mod oid;
pub mod pack;
pub mod project;
pub mod push;
pub mod renames;
pub mod repo;
pub mod settings;
pub mod staged;
pub mod treediff;

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use anyhow::{Context, Result};

use crate::change::{
    is_stored_as_text, line_count, read_text, AddedLines, Change, CommitInfo, Text, BINARY_SNIFF_LEN,
    MESSAGE_OF, TAG_MESSAGE_OF,
};
use crate::detect;
use lines::{LineFeed, NewLines, OldLines};
pub use oid::{ObjectId, ObjectKind};
pub use renames::changed_files_of;
pub use repo::{Absent, Repo};

/// Files up to this size have their new version read before their old one, when a source
/// passes over what cannot matter: both versions of such a file fit in memory at once.
const NEW_FIRST_BYTES: u64 = 1 << 20;

/// Files whose old version has more lines than this have their two versions compared before
/// the new one is held for the scan (see [`Collected::add_file`]). Comparing took 27 bytes a
/// line beside the text on the deep bench (34 MiB over the file's size at a million lines,
/// the process's own 7 MiB included); at this many lines it stays near 14 MiB.
const COMPARE_FIRST_LINES: u64 = 1 << 19;

/// Files larger than this have the versions they are compared by streamed from a loose
/// object, line by line, when they can be (see [`stream_lines`]): a large file is not held
/// whole only to be cut into line tokens.
const STREAM_FROM_BYTES: u64 = 1 << 20;

/// The pieces a streamed blob is inflated in.
const STREAM_PIECE_BYTES: usize = 256 * 1024;

/// Opens the repository the way a hook sees it (see [`Repo::open`]).
pub fn open() -> Result<Repo> {
    Repo::open()
}

/// Files larger than this are not read (git config `zoomguard.maxFileSize`): 100 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 100 * 1024 * 1024;

/// What a changed file whose new content is absent from the object store means.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum WhenAbsent {
    /// An error: a hook checks what the commit or push brings, and cannot check it.
    #[default]
    Fails,
    /// The file is named as not scanned and the scan goes on (`scan --range`, `--history`
    /// in a partial clone, or a mirror that dropped large files).
    IsSkipped,
}

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
    /// Paths of files whose content is absent from the object store: not scanned (only
    /// with [`WhenAbsent::IsSkipped`]).
    pub absent: Vec<String>,
    /// Paths of files whose old version is absent from the object store: scanned whole,
    /// every line as added.
    pub old_absent: Vec<String>,
    /// The largest file read, in bytes.
    pub max_file_size: u64,
    /// What an absent new version means.
    pub when_absent: WhenAbsent,
    /// Whether a modified file whose new version cannot matter ([`detect::may_matter`]) is
    /// passed over before its old version is read: no line of it can be a finding, whichever
    /// are added. Set for commits, where most changed files hold no keyword at all.
    pub pass_over_what_cannot_matter: bool,
    /// Files passed over so: read and searched, their added lines never worked out.
    pub passed_over: usize,
}

impl Default for Collected {
    fn default() -> Self {
        Collected::with_max_file_size(DEFAULT_MAX_FILE_SIZE)
    }
}

impl Collected {
    /// Nothing collected yet; files over `max_file_size` bytes will be listed, not read,
    /// and an absent new version is an error.
    pub fn with_max_file_size(max_file_size: u64) -> Self {
        Collected {
            changes: Vec::new(),
            commits: Vec::new(),
            binary_skipped: Vec::new(),
            too_large: Vec::new(),
            undecodable: Vec::new(),
            absent: Vec::new(),
            old_absent: Vec::new(),
            max_file_size,
            when_absent: WhenAbsent::Fails,
            pass_over_what_cannot_matter: false,
            passed_over: 0,
        }
    }

    /// Keeps only the lines that a merge's other parent lacks too: `other_side` is what the
    /// merge changes against that parent. A merge commit adds only what none of its parents
    /// had. Changes left with no added line are dropped.
    pub fn keep_added_in(&mut self, repo: &Repo, other_side: &[ChangedFile]) -> Result<()> {
        let other_side: HashMap<&str, &ChangedFile> =
            other_side.iter().map(|file| (file.path.as_str(), file)).collect();
        let mut kept = Vec::with_capacity(self.changes.len());
        for (mut change, commit) in self.changes.drain(..).zip(self.commits.drain(..)) {
            let Some(other) = other_side.get(change.path.as_str()) else { continue };
            if let Some((_, old_id)) = &other.old {
                // An old version that is absent cannot narrow anything: the lines stay added.
                if let Some(old) = repo.read_blob(*old_id).with_context(|| {
                    format!("reading the version of {} in a parent of the merge", change.path)
                })? {
                    let ranges = OldLines::of(&text_of(&old)).added_ranges(&change.text);
                    change.added = change.added.intersect(&AddedLines::Ranges(ranges));
                }
            }
            if change.added != AddedLines::Ranges(Vec::new()) {
                kept.push((change, commit));
            }
        }
        (self.changes, self.commits) = kept.into_iter().unzip();
        Ok(())
    }

    /// Adds the files of `files`, labelled with `commit`.
    pub fn add_files(
        &mut self,
        repo: &Repo,
        files: &[ChangedFile],
        commit: Option<&Arc<CommitInfo>>,
    ) -> Result<()> {
        for file in files {
            self.add_file(repo, file, commit)?;
        }
        Ok(())
    }

    /// Adds the message of `commit` as a text whose every line counts, named
    /// `commit message of <short id>` (a message that is not text, or over the size limit, is
    /// listed as files are).
    pub fn add_message(&mut self, message: &[u8], commit: &Arc<CommitInfo>) {
        self.add_whole_text(format!("{MESSAGE_OF}{}", commit.short_id()), message, Some(commit));
    }

    /// Adds the message of the annotated tag `name` as a text whose every line counts, named
    /// `message of tag <name>`, as [`Collected::add_message`] does a commit's.
    pub fn add_tag_message(&mut self, message: &[u8], name: &str) {
        self.add_whole_text(format!("{TAG_MESSAGE_OF}{name}"), message, None);
    }

    fn add_whole_text(&mut self, path: String, message: &[u8], commit: Option<&Arc<CommitInfo>>) {
        if u64::try_from(message.len()).unwrap_or(u64::MAX) > self.max_file_size {
            self.too_large.push(path);
            return;
        }
        match read_text(message.to_vec()) {
            Text::Binary => self.binary_skipped.push(path),
            Text::Undecodable(_) => self.undecodable.push(path),
            text @ (Text::AsStored(_) | Text::Decoded(..)) => {
                let text = text.into_text().unwrap_or_default().into_owned();
                self.changes.push(Change::new_file(path, text));
                self.commits.push(commit.cloned());
            }
        }
    }

    /// Reads `file` and adds the lines it adds, labelled with `commit`; a binary file, one
    /// over the size limit, one that does not decode, or one that adds no line (a pure
    /// rename) is listed or left out. An old version that is absent makes every line added.
    pub fn add_file(
        &mut self,
        repo: &Repo,
        file: &ChangedFile,
        commit: Option<&Arc<CommitInfo>>,
    ) -> Result<()> {
        let path = &file.path;
        let header = repo.header(file.id).with_context(|| format!("reading the size of {path}"))?;
        let size = match header {
            Some((_, size)) => size,
            None if self.when_absent == WhenAbsent::IsSkipped => {
                self.absent.push(path.clone());
                return Ok(());
            }
            None => return Err(repo.absent_error(file.id, &format!("the new content of {path}"))),
        };
        if size > self.max_file_size {
            self.too_large.push(path.clone());
            return Ok(());
        }
        if file.old.as_ref().is_some_and(|(_, old_id)| *old_id == file.id) {
            return Ok(()); // a pure rename or copy
        }
        // A small file's new version is read first: if it cannot matter, its old version is
        // never read. Otherwise the old version becomes line tokens before the new one is read:
        // holding both at once would double the memory a large file takes.
        let new_first = self.pass_over_what_cannot_matter && file.old.is_some() && size <= NEW_FIRST_BYTES;
        let mut text = None;
        if new_first {
            let Some(read) = self.read_new(repo, file)? else { return Ok(()) };
            if !detect::may_matter(path, &read) {
                // Scanned whole, as a file whose old version is absent would be: say so.
                if let Some((_, old_id)) = &file.old {
                    if !repo.contains(*old_id)? {
                        self.old_absent.push(path.clone());
                    }
                }
                self.passed_over += 1;
                return Ok(());
            }
            text = Some(read);
        }
        let stream = size > STREAM_FROM_BYTES;
        let (mut compared, mut old) = (None, None);
        if let Some((_, old_id)) = &file.old {
            let reading = || format!("reading the old content of {path}");
            let found = match &text {
                // Both versions at hand: the lines they share at either end are found by
                // comparing bytes, and only those between are cut into tokens.
                Some(new) => {
                    compared = repo
                        .with_blob(*old_id, |blob| lines::added_ranges_between(&text_of(blob), new))
                        .with_context(reading)?;
                    compared.is_some()
                }
                None => {
                    old = old_lines(repo, *old_id, stream).with_context(reading)?;
                    old.is_some()
                }
            };
            if !found {
                self.old_absent.push(path.clone());
            }
        }
        // A file of very many lines has its added lines worked out before its new version is
        // held for the scan: the comparison's memory grows with the lines, not the bytes, and
        // beside the text it would pass the file's size plus 32 MiB. Its new version is read
        // twice then: streamed for its tokens, then whole for the scan.
        if let (None, Some(old_lines)) = (&text, &old) {
            if old_lines.line_count() > COMPARE_FIRST_LINES {
                let tokens = new_lines(repo, file, old_lines)
                    .with_context(|| format!("reading the new content of {path}"))?;
                let tokens = match tokens {
                    Some(Ok(tokens)) => tokens,
                    Some(Err(not_text)) => {
                        self.list(path, not_text);
                        return Ok(());
                    }
                    None => return Err(repo.absent_error(file.id, &format!("the new content of {path}"))),
                };
                compared = Some((old_lines.line_count(), old_lines.added_ranges_of(&tokens)));
            }
        }
        if compared.is_some() {
            drop(old.take());
        }
        let text = match text {
            Some(text) => text,
            None => match self.read_new(repo, file)? {
                Some(text) => text,
                None => return Ok(()),
            },
        };
        let compared =
            compared.or_else(|| old.map(|old_lines| (old_lines.line_count(), old_lines.added_ranges(&text))));
        let (is_new, added) = match compared {
            None => (true, AddedLines::All),
            Some((old_line_count, ranges)) => {
                let lines = u64::from(line_count(&text));
                let added = AddedLines::Ranges(ranges);
                let kept = lines.saturating_sub(added.count(&text));
                if file.paired_by_name && !renames::is_similar_enough(kept, old_line_count, lines) {
                    (true, AddedLines::All)
                } else if kept == lines {
                    return Ok(()); // a pure rename, copy or mode change adds no line
                } else {
                    (false, added)
                }
            }
        };
        self.changes.push(Change { path: path.clone(), is_new, text, added });
        self.commits.push(commit.cloned());
        Ok(())
    }

    /// Lists `path`, whose new version is not text, with the files passed over so.
    fn list(&mut self, path: &str, not_text: NotText) {
        match not_text {
            NotText::Binary => self.binary_skipped.push(path.to_owned()),
            NotText::Undecodable => self.undecodable.push(path.to_owned()),
        }
    }

    /// The new version of `file` as text; `None` (and the file listed) when it is binary or
    /// does not decode.
    fn read_new(&mut self, repo: &Repo, file: &ChangedFile) -> Result<Option<Arc<Vec<u8>>>> {
        let path = &file.path;
        let content = repo
            .read_shared_blob(file.id)
            .with_context(|| format!("reading the new content of {path}"))?
            .ok_or_else(|| repo.absent_error(file.id, &format!("the new content of {path}")))?;
        match new_text(file, content.as_slice()) {
            // Text as stored is the content itself, still shared.
            Ok(Cow::Borrowed(_)) => Ok(Some(content)),
            Ok(Cow::Owned(decoded)) => Ok(Some(Arc::new(decoded))),
            Err(not_text) => {
                self.list(path, not_text);
                Ok(None)
            }
        }
    }
}

/// Why a changed file's new version is not scanned as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NotText {
    /// It is binary (by its bytes, or by git's attributes).
    Binary,
    /// It claims a text encoding it does not decode in.
    Undecodable,
}

/// Blob `id`, an old version, as line tokens; `None` when it is absent. Streamed when `stream`
/// says so and it can be.
fn old_lines(repo: &Repo, id: ObjectId, stream: bool) -> Result<Option<OldLines>> {
    if stream {
        let mut old = OldLines::with_capacity(0);
        if stream_lines(repo, id, &mut |line| old.push(line))? {
            old.shrink_to_fit();
            return Ok(Some(old));
        }
    }
    repo.with_blob(id, |blob| OldLines::of(&text_of(blob)))
}

/// The new version of `file` as line tokens to compare with `old`; `None` when it is absent,
/// `Some(Err)` when it is not text. Streamed when it can be.
fn new_lines(repo: &Repo, file: &ChangedFile, old: &OldLines) -> Result<Option<Result<NewLines, NotText>>> {
    let mut tokens = NewLines::with_capacity(0);
    if !file.binary && stream_lines(repo, file.id, &mut |line| old.push_new(&mut tokens, line))? {
        tokens.shrink_to_fit();
        return Ok(Some(Ok(tokens)));
    }
    repo.with_blob(file.id, |content| new_text(file, content).map(|text| old.new_lines(&text)))
}

/// Hands `line` each line of blob `id` as it is inflated, never holding the whole content,
/// when the blob is a loose object whose first bytes show it is text as stored (what
/// [`read_text`] leaves as it is): `true` then. `false`, and no line handed, when it is not:
/// the caller reads it whole.
fn stream_lines(repo: &Repo, id: ObjectId, line: &mut impl FnMut(&[u8])) -> Result<bool> {
    let Some(mut blob) = repo.loose_blob(id) else { return Ok(false) };
    let mut buffer = vec![0; STREAM_PIECE_BYTES];
    let mut first = 0;
    while first < BINARY_SNIFF_LEN {
        match blob.next_piece(&mut buffer[first..])?.len() {
            0 => break,
            read => first += read,
        }
    }
    if !is_stored_as_text(&buffer[..first]) {
        return Ok(false);
    }
    let mut feed = LineFeed::default();
    feed.push(&buffer[..first], line);
    loop {
        let piece = blob.next_piece(&mut buffer)?;
        if piece.is_empty() {
            break;
        }
        feed.push(piece, line);
    }
    feed.finish(line);
    Ok(true)
}

/// The new version of `file` as the text to scan: decoded if it is UTF-16 or UTF-32.
fn new_text<'a>(file: &ChangedFile, content: impl Into<Cow<'a, [u8]>>) -> Result<Cow<'a, [u8]>, NotText> {
    match read_text(content) {
        Text::Decoded(text, _) => Ok(Cow::Owned(text)),
        Text::AsStored(text) if !file.binary => Ok(text),
        Text::AsStored(_) | Text::Binary => Err(NotText::Binary),
        Text::Undecodable(_) => Err(NotText::Undecodable),
    }
}

/// A file that a diff changes, before any of its content is read.
#[derive(Debug, Clone)]
pub struct ChangedFile {
    /// Its path on the new side.
    pub path: String,
    /// The old side (path and blob) of a modified, renamed or copied file; none for a new one.
    pub old: Option<(String, ObjectId)>,
    /// The new blob.
    pub id: ObjectId,
    /// Whether git already called it binary.
    pub binary: bool,
    /// Whether `old` is a deleted file paired with this one by name alone, past the rename
    /// limit: it counts only if the two are similar enough, else every line is added.
    pub paired_by_name: bool,
}

/// Where copies may come from: only files modified in the change (cheap), or every file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopySources {
    /// Files the change modifies (git's `-C`).
    ModifiedFilesOnly,
    /// Every file (`--find-copies-harder`).
    AllFiles,
}

/// A blob's content as text to compare lines with: decoded if it is UTF-16 or UTF-32, as
/// stored otherwise (an old version that is binary or does not decode is still compared
/// line by line, so that the new version's added lines come out right).
pub fn text_of(content: &[u8]) -> Cow<'_, [u8]> {
    read_text(content).into_text().unwrap_or(Cow::Borrowed(content))
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

#[cfg(test)]
mod tests {
    use super::testing::{git, write};
    use super::*;

    #[test]
    fn only_a_loose_blob_that_is_text_as_stored_is_streamed() {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q"]);
        let text: String = (0..50_000).map(|n| format!("line {n}\n")).collect::<String>() + "no line feed";
        write(dir.path(), "text.txt", &text);
        std::fs::write(dir.path().join("utf16.txt"), [0xFF, 0xFE, b'a', 0, b'\n', 0]).unwrap();
        git(dir.path(), &["add", "."]);
        git(dir.path(), &["commit", "-qm", "two files"]);
        let lib = git2::Repository::open(dir.path()).unwrap();
        let id_of = |path: &str| ObjectId::from(lib.revparse_single(&format!("HEAD:{path}")).unwrap().id());
        let (text_id, utf16_id) = (id_of("text.txt"), id_of("utf16.txt"));
        let repo = Repo::at(dir.path()).unwrap();

        let mut lines = Vec::new();
        assert!(stream_lines(&repo, text_id, &mut |line| lines.push(line.to_vec())).unwrap());
        let whole: Vec<Vec<u8>> = text.split_inclusive('\n').map(|line| line.as_bytes().to_vec()).collect();
        assert_eq!(lines, whole, "a loose text blob, line by line");
        assert!(!stream_lines(&repo, utf16_id, &mut |_| panic!("a UTF-16 blob is decoded whole")).unwrap());

        git(dir.path(), &["repack", "-adq"]);
        let repo = Repo::at(dir.path()).unwrap();
        assert!(!stream_lines(&repo, text_id, &mut |_| panic!("a packed blob is read whole")).unwrap());
        let streamed_or_not = old_lines(&repo, text_id, true).unwrap().unwrap();
        assert_eq!(streamed_or_not.line_count(), 50_001, "a packed blob still reads");
    }
}
