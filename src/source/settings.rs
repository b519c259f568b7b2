//! What a repository says about how to scan it: its `.zoomguardignore` and the
//! `zoomguard.*` keys of its git config. Read here, because reading them needs git (a
//! server's bare repository has no work tree: its ignore file is the one at HEAD).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use git2::Repository;

use super::DEFAULT_MAX_FILE_SIZE;
use crate::allow::IGNORE_FILE;
use crate::detect::Severity;

/// A file's text and the name to show in messages about it.
#[derive(Debug)]
pub struct NamedText {
    /// Where it came from (a path, or `HEAD:.zoomguardignore`).
    pub name: String,
    /// Its content, lossy UTF-8.
    pub text: String,
}

/// The ignore file that applies: the work tree's `.zoomguardignore` (the current
/// directory's without a repository), or for a bare repository the one at HEAD. `None` when
/// there is none.
pub fn ignore_file(repo: Option<&Repository>) -> Result<Option<NamedText>> {
    let root = match repo {
        Some(repo) => match repo.workdir() {
            Some(workdir) => workdir.to_owned(),
            None => return ignore_file_at_head(repo),
        },
        None => PathBuf::from("."),
    };
    read_if_present(&root.join(IGNORE_FILE))
}

fn ignore_file_at_head(repo: &Repository) -> Result<Option<NamedText>> {
    let Ok(tree) = repo.head().and_then(|head| head.peel_to_tree()) else { return Ok(None) };
    let Ok(entry) = tree.get_path(Path::new(IGNORE_FILE)) else { return Ok(None) };
    let blob = repo.find_blob(entry.id()).with_context(|| format!("reading {IGNORE_FILE} at HEAD"))?;
    let text = String::from_utf8_lossy(blob.content()).into_owned();
    Ok(Some(NamedText { name: format!("HEAD:{IGNORE_FILE}"), text }))
}

/// Reads `path` when it exists; any other failure is an error.
pub fn read_if_present(path: &Path) -> Result<Option<NamedText>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(NamedText {
            name: path.strip_prefix(".").unwrap_or(path).display().to_string(),
            text: String::from_utf8_lossy(&bytes).into_owned(),
        })),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// The root where `zoomguard allow` writes the ignore file: the work tree, or the current
/// directory outside a repository.
pub fn ignore_file_path(repo: Option<&Repository>) -> Result<PathBuf> {
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
    pub fn open(repo: Option<&Repository>) -> Result<Settings> {
        Ok(match repo {
            Some(repo) => Settings {
                config: repo.config().context("reading the repository's git config")?,
                base: Some(repo.workdir().map(Path::to_path_buf).unwrap_or_default()),
            },
            None => Settings {
                config: git2::Config::open_default().context("reading the global git config")?,
                base: None,
            },
        })
    }

    /// `zoomguard.maxFileSize` (bytes; git's `k`, `m` and `g` suffixes work), or 100 MiB.
    pub fn max_file_size(&self) -> Result<u64> {
        let key = "zoomguard.maxFileSize";
        match self.config.get_i64(key) {
            Ok(size) => u64::try_from(size).with_context(|| format!("git config {key} is negative: {size}")),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(DEFAULT_MAX_FILE_SIZE),
            Err(e) => Err(e).with_context(|| format!("git config {key} is not a size (such as 100m)")),
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
