//! What a repository says about how to scan it: its `.zoomguardignore` and the
//! `zoomguard.*` keys of its git config. Read here, because reading them needs git (a
//! server's bare repository has no work tree: its ignore file is the one at HEAD).
//!
//! The ignore file and a baseline are files the repository controls: whoever wrote the
//! commit (a pull request, in CI) chose their content and whether they are symbolic links.
//! So they are read as regular files only, never through a link (a committed
//! `.zoomguardignore -> ~/.netrc` would put a password in the error, `-> /dev/zero` would
//! read until memory runs out), and only up to a bound; a directory on the way to them
//! inside the work tree may not be a link either.

use std::fs::File;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use anyhow::{bail, Context, Result};

use super::{mode, ObjectId, ObjectKind, Repo, DEFAULT_MAX_FILE_SIZE};
use crate::allow::IGNORE_FILE;
use crate::change::{read_text, Text};
use crate::detect::Severity;

/// The most of `.zoomguardignore` that is read: 1 MiB, some 25,000 entries.
pub const IGNORE_FILE_LIMIT: u64 = 1024 * 1024;

/// The most of a baseline that is read: 16 MiB. A baseline is a whole JSON report, some
/// 700 bytes a finding (more with the history inventory), so 1 MiB would refuse the
/// baseline of a repository with a thousand or so old findings, the one a baseline is for.
pub const BASELINE_LIMIT: u64 = 16 * 1024 * 1024;

/// A file's text and the name to show in messages about it.
#[derive(Debug)]
pub struct NamedText {
    /// Where it came from (a path, or `HEAD:.zoomguardignore`).
    pub name: String,
    /// Its content, lossy UTF-8 (UTF-16 and UTF-32 decoded).
    pub text: String,
}

/// Which version of the ignore file applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// What the commit being made will hold: the index's (the hook's `GIT_INDEX_FILE`), so
    /// that an unstaged edit neither allows nor blocks what the commit brings. When the index
    /// has none, the work tree's untracked one (as `zoomguard allow` writes it) applies.
    Staged,
    /// The work tree's: what `scan`, `pre-push` and CI see checked out.
    WorkTree,
}

/// The ignore file that applies: for [`Version::Staged`] the index's, else (or when the
/// index has none) the work tree's `.zoomguardignore` (the current directory's without a
/// repository), or for a bare repository the one at HEAD. `None` when there is none.
pub fn ignore_file(repo: Option<&Repo>, version: Version) -> Result<Option<NamedText>> {
    let root = match repo {
        Some(repo) => match repo.workdir() {
            Some(workdir) => {
                if version == Version::Staged {
                    if let Some(staged) = ignore_file_in_index(repo)? {
                        return Ok(Some(staged));
                    }
                }
                workdir.to_owned()
            }
            None => return ignore_file_at_head(repo),
        },
        None => PathBuf::from("."),
    };
    read_if_present(&root.join(IGNORE_FILE), IGNORE_FILE_LIMIT, Some(&root))
}

fn ignore_file_at_head(repo: &Repo) -> Result<Option<NamedText>> {
    let Ok(Some(head)) = repo.head() else { return Ok(None) };
    let Ok(Some((mode, id))) = repo.entry_at(head, IGNORE_FILE) else { return Ok(None) };
    read_blob(repo, &format!("HEAD:{IGNORE_FILE}"), mode, id).map(Some)
}

/// The index's `.zoomguardignore` (stage 0), if it has one, read as git reads the index.
fn ignore_file_in_index(repo: &Repo) -> Result<Option<NamedText>> {
    let Some((mode, id)) = repo.staged_entry(IGNORE_FILE)? else { return Ok(None) };
    read_blob(repo, &format!("{IGNORE_FILE} (staged)"), mode, id).map(Some)
}

/// A repository-controlled file stored in git with `mode`: a regular file's blob of at most
/// [`IGNORE_FILE_LIMIT`] bytes; a symbolic link, a submodule or a larger blob is an error.
fn read_blob(repo: &Repo, name: &str, mode: u32, id: ObjectId) -> Result<NamedText> {
    if !mode::is_regular(mode) {
        let what = if mode == mode::LINK { "a symbolic link" } else { "not a regular file" };
        bail!("{name} is {what}; zoomguard reads it only as a regular file, never through a link");
    }
    let absent = || repo.absent_error(id, name);
    let (kind, size) =
        repo.header(id).with_context(|| format!("reading the size of {name}"))?.ok_or_else(absent)?;
    if kind != ObjectKind::Blob {
        bail!("{name} is not a regular file; zoomguard reads it only as one");
    }
    check_size(name, size, IGNORE_FILE_LIMIT)?;
    let content = repo.read_blob(id).with_context(|| format!("reading {name}"))?.ok_or_else(absent)?;
    Ok(NamedText { name: name.to_owned(), text: as_text(name, &content)? })
}

/// Reads `path`, a file the repository controls, when it exists: a regular file of at most
/// `limit` bytes, opened without following a symbolic link; when `path` lies in
/// `work_tree` (or is relative), no directory on the way to it may be a link either. Any
/// other failure is an error that names the file and never quotes it.
pub fn read_if_present(path: &Path, limit: u64, work_tree: Option<&Path>) -> Result<Option<NamedText>> {
    let name = path.strip_prefix(".").unwrap_or(path).display().to_string();
    if !directories_are_real(path, work_tree)? {
        return Ok(None);
    }
    let mut file = match open_no_follow(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) if is_symlink_refusal(&e, path) => {
            bail!(
                "{name} is a symbolic link; zoomguard reads it only as a regular file, never through a link"
            )
        }
        Err(e) => return Err(e).with_context(|| format!("reading {name}")),
    };
    let metadata = file.metadata().with_context(|| format!("reading {name}"))?;
    if !metadata.is_file() {
        bail!("{name} is not a regular file; zoomguard reads it only as one");
    }
    check_size(&name, metadata.len(), limit)?;
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    (&mut file).take(limit + 1).read_to_end(&mut bytes).with_context(|| format!("reading {name}"))?;
    check_size(&name, u64::try_from(bytes.len()).unwrap_or(u64::MAX), limit)?; // it grew meanwhile
    Ok(Some(NamedText { text: as_text(&name, &bytes)?, name }))
}

/// Whether every directory between `work_tree` (or for a relative path, the current
/// directory) and `path` is a real directory: `false` when one is missing, an error when one
/// is a symbolic link.
fn directories_are_real(path: &Path, work_tree: Option<&Path>) -> Result<bool> {
    let (mut at, inside) = match work_tree.and_then(|root| Some((root, path.strip_prefix(root).ok()?))) {
        Some((root, inside)) => (root.to_path_buf(), inside),
        None if path.is_relative() => (PathBuf::new(), path),
        None => return Ok(true),
    };
    let mut components: Vec<Component<'_>> = inside.components().collect();
    components.pop(); // the file itself: opened without following a link
    for component in components {
        at.push(component);
        if matches!(component, Component::CurDir) {
            continue;
        }
        match std::fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => bail!(
                "{} is a symbolic link; zoomguard reads {} only through real directories",
                at.display(),
                path.display()
            ),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(e).with_context(|| format!("reading {}", at.display())),
        }
    }
    Ok(true)
}

/// Opens `path` for reading without following a symbolic link in its last component, and
/// without blocking on a FIFO (whose open would wait for a writer).
#[cfg(unix)]
fn open_no_follow(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK).open(path)
}

#[cfg(not(unix))]
fn open_no_follow(path: &Path) -> std::io::Result<File> {
    if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
        return Err(std::io::Error::other("a symbolic link"));
    }
    File::open(path)
}

/// Whether opening `path` failed because it is a symbolic link (`ELOOP` from `O_NOFOLLOW`).
fn is_symlink_refusal(error: &std::io::Error, path: &Path) -> bool {
    #[cfg(unix)]
    let refused = error.raw_os_error() == Some(libc::ELOOP);
    #[cfg(not(unix))]
    let refused = error.kind() == std::io::ErrorKind::Other;
    refused || std::fs::symlink_metadata(path).is_ok_and(|meta| meta.file_type().is_symlink())
}

fn check_size(name: &str, size: u64, limit: u64) -> Result<()> {
    if size > limit {
        bail!("{name} is larger than zoomguard reads ({size} bytes; at most {} KiB)", limit / 1024);
    }
    Ok(())
}

/// A repository-controlled file's bytes as text, read as every scanned file is (UTF-16 and
/// UTF-32 decoded); binary or undecodable content is an error that does not quote it.
fn as_text(name: &str, bytes: &[u8]) -> Result<String> {
    match read_text(bytes) {
        Text::Binary => bail!("{name} is not a text file (it holds NUL bytes)"),
        Text::Undecodable(encoding) => bail!("{name} is not valid {} text", encoding.name()),
        text => Ok(String::from_utf8_lossy(&text.into_text().unwrap_or_default()).into_owned()),
    }
}

/// A git config integer as git and libgit2 read it (`strtoimax` with base 0: decimal, `0x`
/// hex, a leading `0` for octal; then one optional `k`, `m` or `g`), without wrapping
/// round: `None` when it is not one, and a value past `i64` comes back as it is, so that the
/// caller can say it is out of range.
fn parse_size(raw: &str) -> Option<i128> {
    let text = raw.trim();
    let (negative, text) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (digits, multiplier) = match text.as_bytes().last()? {
        b'k' | b'K' => (&text[..text.len() - 1], 1i128 << 10),
        b'm' | b'M' => (&text[..text.len() - 1], 1 << 20),
        b'g' | b'G' => (&text[..text.len() - 1], 1 << 30),
        _ => (text, 1),
    };
    let (digits, radix) = if let Some(hex) = digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
        (hex, 16)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (&digits[1..], 8)
    } else {
        (digits, 10)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    // Past i128 is out of range all the same: saturate instead of failing to parse.
    let value =
        u128::from_str_radix(digits, radix).map_or(i128::MAX, |v| i128::try_from(v).unwrap_or(i128::MAX));
    let value = value.saturating_mul(multiplier);
    Some(if negative { -value } else { value })
}

/// The root where `zoomguard allow` writes the ignore file: the work tree, or the current
/// directory outside a repository.
pub fn ignore_file_path(repo: Option<&Repo>) -> Result<PathBuf> {
    match repo {
        Some(repo) => match repo.workdir() {
            Some(workdir) => Ok(workdir.join(IGNORE_FILE)),
            None => anyhow::bail!("this is a bare repository: commit {IGNORE_FILE} through a clone"),
        },
        None => Ok(PathBuf::from(IGNORE_FILE)),
    }
}

/// The `zoomguard.*` keys of the git config that applies (the repository's, with the global
/// and system files below it; without a repository, the global and system files alone),
/// opened once per run and read as each step needs a key.
pub struct Settings {
    config: git2::Config,
    /// Where relative paths in the config start; `None` outside a repository.
    base: Option<PathBuf>,
}

impl Settings {
    /// Opens the config of `repo`, or the global one without a repository.
    pub fn open(repo: Option<&Repo>) -> Result<Settings> {
        Ok(match repo {
            Some(repo) => Settings {
                config: repo.config()?,
                base: Some(repo.workdir().map(Path::to_path_buf).unwrap_or_default()),
            },
            None => Settings {
                config: git2::Config::open_default().context("reading the global git config")?,
                base: None,
            },
        })
    }

    /// `zoomguard.maxFileSize` (bytes; git's `k`, `m` and `g` suffixes work), or 100 MiB.
    /// libgit2 multiplies by the suffix without checking, so `99999999999g` would wrap round
    /// (to a negative number, or to a small one that quietly skips every file): the value is
    /// read here, as git reads it, and one past what git can hold is out of range.
    pub fn max_file_size(&self) -> Result<u64> {
        let key = "zoomguard.maxFileSize";
        let raw = match self.config.get_string(key) {
            Ok(raw) => raw,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(DEFAULT_MAX_FILE_SIZE),
            Err(e) => return Err(e).with_context(|| format!("reading git config {key}")),
        };
        // Quoted short (main sanitises the whole message for the terminal).
        let shown = format!("{:?}", raw.chars().take(40).collect::<String>());
        match parse_size(&raw) {
            Some(size) if size < 0 => bail!("git config {key} is negative: {shown}"),
            Some(size) => {
                u64::try_from(size).ok().filter(|&size| i64::try_from(size).is_ok()).with_context(|| {
                    format!("git config {key} is out of range: {shown} (at most {}g)", i64::MAX >> 30)
                })
            }
            None => match self.config.get_i64(key) {
                // A form this parser does not know that libgit2 reads: trust it if it is sane.
                Ok(size) if size >= 0 => Ok(size.unsigned_abs()),
                Ok(_) => bail!("git config {key} is out of range: {shown}"),
                Err(e) => Err(e).with_context(|| format!("git config {key} is not a size (such as 100m)")),
            },
        }
    }

    /// `zoomguard.blockSeverity` (`low`, `medium`, `high` or `critical`; the older name
    /// `zoomguard.minSeverity` still works), if set; another value is an error.
    pub fn block_severity(&self) -> Result<Option<Severity>> {
        for key in ["zoomguard.blockSeverity", "zoomguard.minSeverity"] {
            match self.config.get_string(key) {
                Ok(value) => match Severity::from_name(&value) {
                    Some(severity) => return Ok(Some(severity)),
                    None => anyhow::bail!("git config {key} is {value:?}; use low, medium, high or critical"),
                },
                Err(e) if e.code() == git2::ErrorCode::NotFound => {}
                Err(e) => return Err(e).with_context(|| format!("reading git config {key}")),
            }
        }
        Ok(None)
    }

    /// `zoomguard.zoomProject` (`true` or `false`), if set: whether this repository uses
    /// Zoom, overriding what its manifests and names suggest.
    pub fn zoom_project(&self) -> Result<Option<bool>> {
        let key = "zoomguard.zoomProject";
        match self.config.get_bool(key) {
            Ok(value) => Ok(Some(value)),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("git config {key} is not true or false")),
        }
    }

    /// `zoomguard.baseline`, relative paths from the work tree; read only inside a repository.
    pub fn baseline(&self) -> Result<Option<PathBuf>> {
        let (key, Some(base)) = ("zoomguard.baseline", &self.base) else { return Ok(None) };
        match self.config.get_path(key) {
            Ok(value) => Ok(Some(base.join(value))),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("reading git config {key}")),
        }
    }

    /// Whether `zoomguard.onError` is `warn` (an internal error lets the commit or push
    /// through with a warning) rather than the default `block`. Other values mean block.
    pub fn warn_on_error(&self) -> bool {
        self.config.get_string("zoomguard.onError").is_ok_and(|v| v == "warn")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_git_reads_them_without_wrapping() {
        for (raw, size) in [
            ("100", Some(100)),
            ("100m", Some(100 << 20)),
            ("1K", Some(1024)),
            (" 2g ", Some(2 << 30)),
            ("0x10k", Some(16 << 10)),
            ("010", Some(8)),
            ("0", Some(0)),
            ("-5", Some(-5)),
            ("+7", Some(7)),
            ("99999999999g", Some(99_999_999_999 << 30)),
            ("99999999999999999999999999999999999999999999g", Some(i128::MAX)),
            ("lots", None),
            ("1x", None),
            ("", None),
            ("m", None),
            ("0x", None),
            ("09", None),
            ("1 m", None),
        ] {
            assert_eq!(parse_size(raw), size, "{raw:?}");
        }
    }
}
