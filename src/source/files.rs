//! Files on disk, outside git (`zoomguard scan <path>...`): every line of a file counts as
//! added. Directories are walked; `.git` directories and symbolic links found while walking
//! are passed over (a link named on the command line is followed).

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use super::Collected;
use crate::change::{read_text, Change, Text};

/// The files under `paths`, sorted within each directory. A path that does not exist is an
/// error: a scan never passes because it looked at nothing.
pub fn list(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.as_os_str() == STDIN_PATH {
            if files.iter().any(|f: &PathBuf| f.as_os_str() == STDIN_PATH) {
                bail!("- (standard input) is given twice; it can be read once");
            }
            files.push(path.clone());
            continue;
        }
        let metadata = fs::metadata(path).with_context(|| format!("reading {}", path.display()))?;
        if metadata.is_dir() {
            walk(path, &mut files)?;
        } else if metadata.is_file() {
            files.push(path.clone());
        } else {
            bail!("{} is neither a file nor a directory", path.display());
        }
    }
    Ok(files)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries = fs::read_dir(dir)
        .with_context(|| format!("listing {}", dir.display()))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("listing {}", dir.display()))?;
    entries.sort_by_key(fs::DirEntry::file_name);
    for entry in entries {
        let kind = entry.file_type().with_context(|| format!("reading {}", entry.path().display()))?;
        if kind.is_dir() && entry.file_name() != ".git" {
            walk(&entry.path(), files)?;
        } else if kind.is_file() {
            files.push(entry.path());
        }
    }
    Ok(())
}

/// The path that stands for standard input on the command line.
pub const STDIN_PATH: &str = "-";

/// What standard input is called in reports when `--stdin-name` does not name it.
pub const STDIN_NAME: &str = "(standard input)";

/// Standard input as a file called `name` whose every line counts: read to its end, or only
/// named (as too large) when it holds more than `max_file_size` bytes, so that a stream
/// without end cannot fill memory.
pub fn read_stdin(name: &str, max_file_size: u64) -> Result<Collected> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(max_file_size.saturating_add(1))
        .read_to_end(&mut bytes)
        .context("reading standard input")?;
    let mut collected = Collected::with_max_file_size(max_file_size);
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > max_file_size {
        collected.too_large.push(name.to_owned());
        return Ok(collected);
    }
    add_text(&mut collected, name.to_owned(), bytes);
    Ok(collected)
}

/// Adds `bytes`, read from the file `shown`, as a change whose every line counts (or names it
/// as binary or not decodable).
pub(super) fn add_text(collected: &mut Collected, shown: String, bytes: Vec<u8>) {
    match read_text(bytes) {
        Text::Binary => collected.binary_skipped.push(shown),
        Text::Undecodable(_) => collected.undecodable.push(shown),
        text @ (Text::AsStored(_) | Text::Decoded(..)) => {
            let text = text.into_text().unwrap_or_default().into_owned();
            collected.changes.push(Change::new_file(shown, text));
            collected.commits.push(None);
        }
    }
}

/// What a commit message is called in reports.
pub const MESSAGE_NAME: &str = "commit message";

/// The commit message in the file git hands the commit-msg hook, every line of it counted,
/// named [`MESSAGE_NAME`]. git has already removed its comment lines.
pub fn read_message(path: &Path, max_file_size: u64) -> Result<Collected> {
    let mut collected = Collected::with_max_file_size(max_file_size);
    let size =
        fs::metadata(path).with_context(|| format!("reading the commit message {}", path.display()))?.len();
    if size > max_file_size {
        collected.too_large.push(MESSAGE_NAME.to_owned());
        return Ok(collected);
    }
    let bytes = fs::read(path).with_context(|| format!("reading the commit message {}", path.display()))?;
    add_text(&mut collected, MESSAGE_NAME.to_owned(), bytes);
    Ok(collected)
}

/// The change that file `path` makes when every line counts (nothing when it is binary, and
/// only its name when it is over `max_file_size` bytes or does not decode).
pub fn read(path: &Path, max_file_size: u64) -> Result<Collected> {
    let shown = path.strip_prefix(".").unwrap_or(path).to_string_lossy().into_owned();
    let mut collected = Collected::with_max_file_size(max_file_size);
    let size = fs::metadata(path).with_context(|| format!("reading {}", path.display()))?.len();
    if size > max_file_size {
        collected.too_large.push(shown);
        return Ok(collected);
    }
    let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    add_text(&mut collected, shown, bytes);
    Ok(collected)
}
