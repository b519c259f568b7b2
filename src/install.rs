//! Writing, chaining and removing the hook shims.
//!
//! The shims are the files in `hooks/`, with the path of the installing binary filled in.
//! A hook that was already there is never overwritten: it is kept beside ours as
//! `<hook>.pre-zoomguard` and run first. Installing again only refreshes our shim, and
//! uninstalling puts the original back. `core.hooksPath` is honoured.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use git2::Repository;

/// The line that marks a hook file as ours.
const MARKER: &str = "# zoomguard-managed hook";
/// The suffix a pre-existing hook is kept under.
const CHAINED_SUFFIX: &str = ".pre-zoomguard";
/// The shim's default binary line, replaced with the installing binary's path.
const BINARY_LINE: &str = "ZOOMGUARD=\"${ZOOMGUARD:-zoomguard}\"";

/// A hook zoomguard can install.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hook {
    /// Runs `zoomguard pre-commit`.
    PreCommit,
    /// Runs `zoomguard pre-push`.
    PrePush,
}

impl Hook {
    /// Git's name for the hook (and the shim's file name).
    pub fn name(self) -> &'static str {
        match self {
            Hook::PreCommit => "pre-commit",
            Hook::PrePush => "pre-push",
        }
    }

    fn template(self) -> &'static str {
        match self {
            Hook::PreCommit => include_str!("../hooks/pre-commit"),
            Hook::PrePush => include_str!("../hooks/pre-push"),
        }
    }
}

/// What `install` did for one hook.
#[derive(Debug, PartialEq, Eq)]
pub enum Installed {
    /// A new shim was written.
    Fresh(PathBuf),
    /// Our shim was already there and was refreshed.
    Refreshed(PathBuf),
    /// An existing hook was kept at the second path and chained before ours.
    Chained(PathBuf, PathBuf),
}

/// The hooks directory of the repository at or above `start`: `core.hooksPath` when set
/// (relative to the work tree), else the common git directory's `hooks` (shared by worktrees).
pub fn hooks_dir(start: &Path) -> Result<PathBuf> {
    let repo = Repository::discover(start)
        .with_context(|| format!("finding a git repository at {}", start.display()))?;
    let config = repo.config().context("reading the repository's git config")?;
    if let Ok(custom) = config.get_path("core.hooksPath") {
        if custom.is_absolute() {
            return Ok(custom);
        }
        let base = repo.workdir().unwrap_or_else(|| repo.path());
        return Ok(base.join(custom));
    }
    Ok(repo.commondir().join("hooks"))
}

/// Installs `hook` into `dir`, calling `binary`.
pub fn install(dir: &Path, hook: Hook, binary: &Path) -> Result<Installed> {
    fs::create_dir_all(dir).with_context(|| format!("creating the hooks directory {}", dir.display()))?;
    let path = dir.join(hook.name());
    let chained = dir.join(format!("{}{CHAINED_SUFFIX}", hook.name()));
    let outcome = match fs::read(&path) {
        Ok(existing) if is_ours(&existing) => Installed::Refreshed(path.clone()),
        Ok(_) => {
            if chained.exists() {
                bail!(
                    "{} is not zoomguard's and {} already exists; move one of them away and install again",
                    path.display(),
                    chained.display()
                );
            }
            fs::rename(&path, &chained)
                .with_context(|| format!("keeping the existing hook as {}", chained.display()))?;
            Installed::Chained(path.clone(), chained)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Installed::Fresh(path.clone()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let binary_line = format!("ZOOMGUARD=\"${{ZOOMGUARD:-{}}}\"", binary.display());
    let shim = hook.template().replace(BINARY_LINE, &binary_line);
    fs::write(&path, shim).with_context(|| format!("writing {}", path.display()))?;
    make_executable(&path)?;
    Ok(outcome)
}

/// Removes our `hook` from `dir` and puts a chained original back. Returns whether anything changed.
pub fn uninstall(dir: &Path, hook: Hook) -> Result<bool> {
    let path = dir.join(hook.name());
    match fs::read(&path) {
        Ok(existing) if is_ours(&existing) => {}
        Ok(_) => bail!("{} is not zoomguard's hook; leaving it alone", path.display()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    }
    fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
    let chained = dir.join(format!("{}{CHAINED_SUFFIX}", hook.name()));
    if chained.exists() {
        fs::rename(&chained, &path).with_context(|| format!("restoring {}", path.display()))?;
    }
    Ok(true)
}

fn is_ours(content: &[u8]) -> bool {
    content.windows(MARKER.len()).any(|w| w == MARKER.as_bytes())
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755))
        .with_context(|| format!("making {} executable", path.display()))
}

#[cfg(not(unix))]
fn make_executable(_: &Path) -> Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_carry_the_marker_and_the_binary_line() {
        for hook in [Hook::PreCommit, Hook::PrePush] {
            assert!(is_ours(hook.template().as_bytes()), "{}", hook.name());
            assert!(hook.template().contains(BINARY_LINE), "{}", hook.name());
        }
    }

    #[test]
    fn install_chain_refresh_uninstall() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let hooks = dir.path();
        fs::write(hooks.join("pre-commit"), "#!/bin/sh\necho theirs\n").expect("write a foreign hook");
        let bin = Path::new("/opt/zg/zoomguard");
        assert!(matches!(install(hooks, Hook::PreCommit, bin), Ok(Installed::Chained(..))));
        assert!(matches!(install(hooks, Hook::PreCommit, bin), Ok(Installed::Refreshed(_))));
        let shim = fs::read_to_string(hooks.join("pre-commit")).expect("the shim");
        assert!(shim.contains("ZOOMGUARD=\"${ZOOMGUARD:-/opt/zg/zoomguard}\""));
        assert!(uninstall(hooks, Hook::PreCommit).expect("uninstall"));
        let restored = fs::read_to_string(hooks.join("pre-commit")).expect("the original hook");
        assert_eq!(restored, "#!/bin/sh\necho theirs\n");
        assert!(!hooks.join("pre-commit.pre-zoomguard").exists());
    }
}
