//! Files on disk, outside git (`zoomguard scan <path>...`): every line of a file counts as
//! added. Directories are walked; `.git` directories and symbolic links found while walking
//! are passed over (a link named on the command line is followed).

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use super::Collected;
use crate::change::{read_text, AddedLines, Change, Text};

/// The files under `paths`, sorted within each directory. A path that does not exist is an
/// error: a scan never passes because it looked at nothing.
pub fn list(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
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
    match read_text(bytes) {
        Text::Binary => collected.binary_skipped.push(shown),
        Text::Undecodable(_) => collected.undecodable.push(shown),
        text @ (Text::AsStored(_) | Text::Decoded(..)) => {
            let text = text.into_text().unwrap_or_default().into_owned();
            collected.changes.push(Change { path: shown, old_path: None, text, added: AddedLines::All });
            collected.commits.push(None);
        }
    }
    Ok(collected)
}
