//! Writing, chaining and removing the hook shims.
//!
//! The shims are the files in `hooks/`, with the path of the installing binary filled in.
//! A hook that was already there is never overwritten: it is kept beside ours as
//! `<hook>.pre-zoomguard` and run first. Installing again only refreshes our shim, and
//! uninstalling puts the original back. `core.hooksPath` is honoured.
//!
//! `install --global` puts the same shims, marked global, into a directory named by
//! `core.hooksPath` in the user's global git config, so every repository is covered. Git
//! then no longer looks in a repository's own `hooks` directory, so a global shim runs the
//! repository's own hook itself. The global config is read and written through `git config
//! --global`, so it is the file git itself uses (`GIT_CONFIG_GLOBAL`, `~/.gitconfig`, XDG).

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use git2::Repository;

/// The line that marks a hook file as ours.
const MARKER: &str = "# zoomguard-managed hook";
/// The suffix a pre-existing hook is kept under.
const CHAINED_SUFFIX: &str = ".pre-zoomguard";
/// The shim's default binary line, replaced with the installing binary's path.
const BINARY_LINE: &str = "ZOOMGUARD=\"${ZOOMGUARD:-zoomguard}\"";
/// The shim's scope line; a global shim has it set to 1.
const LOCAL_LINE: &str = "ZOOMGUARD_GLOBAL=0";
/// The scope line of a global shim: it also runs the repository's own hook.
const GLOBAL_LINE: &str = "ZOOMGUARD_GLOBAL=1";

/// The hooks `install` and `uninstall` act on (`--hook`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookChoice {
    /// The pre-commit hook.
    PreCommit,
    /// The pre-push hook.
    PrePush,
    /// The commit-msg hook.
    CommitMsg,
    /// All three.
    All,
}

/// A hook zoomguard can install.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hook {
    /// Runs `zoomguard pre-commit`.
    PreCommit,
    /// Runs `zoomguard pre-push`.
    PrePush,
    /// Runs `zoomguard commit-msg`.
    CommitMsg,
}

impl Hook {
    /// Git's name for the hook (and the shim's file name).
    pub fn name(self) -> &'static str {
        match self {
            Hook::PreCommit => "pre-commit",
            Hook::PrePush => "pre-push",
            Hook::CommitMsg => "commit-msg",
        }
    }

    fn template(self) -> &'static str {
        match self {
            Hook::PreCommit => include_str!("../hooks/pre-commit"),
            Hook::PrePush => include_str!("../hooks/pre-push"),
            Hook::CommitMsg => include_str!("../hooks/commit-msg"),
        }
    }
}

/// Which kind of shim to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShimKind {
    /// In one repository's hooks directory.
    Repository,
    /// In the global `core.hooksPath` directory: also runs each repository's own hook.
    Global,
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
/// Found by libgit2, or by git for a repository libgit2 cannot open (SHA-256, reftable).
pub fn hooks_dir(start: &Path) -> Result<PathBuf> {
    let repo = match Repository::discover(start) {
        Ok(repo) => repo,
        Err(error) => {
            return hooks_dir_by_git(start)
                .map_err(|_| error)
                .with_context(|| format!("finding a git repository at {}", start.display()))
        }
    };
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

/// [`hooks_dir`] as git finds it: the same rule, from `git rev-parse` and `git config`.
fn hooks_dir_by_git(start: &Path) -> Result<PathBuf> {
    let git = |args: &[&str]| -> Result<Option<String>> {
        let output = Command::new("git").arg("-C").arg(start).args(args).output().context("running git")?;
        let text = String::from_utf8(output.stdout).context("a path that is not UTF-8")?;
        Ok(output.status.success().then(|| text.strip_suffix('\n').unwrap_or(&text).to_owned()))
    };
    let common = git(&["rev-parse", "--git-common-dir"])?.context("not a git repository")?;
    if let Some(custom) = git(&["config", "--path", "--get", "core.hooksPath"])? {
        let custom = PathBuf::from(custom);
        if custom.is_absolute() {
            return Ok(custom);
        }
        let base = match git(&["rev-parse", "--show-toplevel"])? {
            Some(top) => PathBuf::from(top),
            None => {
                PathBuf::from(git(&["rev-parse", "--absolute-git-dir"])?.context("not a git repository")?)
            }
        };
        return Ok(base.join(custom));
    }
    Ok(start.join(common).join("hooks"))
}

/// Installs `hook` into `dir` as a `kind` shim, calling `binary`.
pub fn install(dir: &Path, hook: Hook, binary: &Path, kind: ShimKind) -> Result<Installed> {
    fs::create_dir_all(dir).with_context(|| format!("creating the hooks directory {}", dir.display()))?;
    let path = dir.join(hook.name());
    let chained = dir.join(format!("{}{CHAINED_SUFFIX}", hook.name()));
    let outcome = match fs::read(&path) {
        Ok(existing) if is_global(&existing) && kind == ShimKind::Repository => bail!(
            "{} is zoomguard's global hook (zoomguard install --global), which already covers this repository",
            path.display()
        ),
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
    let mut shim = hook.template().replace(BINARY_LINE, &binary_line);
    if kind == ShimKind::Global {
        shim = shim.replace(LOCAL_LINE, GLOBAL_LINE);
    }
    fs::write(&path, shim).with_context(|| format!("writing {}", path.display()))?;
    make_executable(&path)?;
    Ok(outcome)
}

/// Removes our `kind` of `hook` from `dir` and puts a chained original back. Returns whether
/// anything changed.
pub fn uninstall(dir: &Path, hook: Hook, kind: ShimKind) -> Result<bool> {
    let path = dir.join(hook.name());
    match fs::read(&path) {
        Ok(existing) if is_global(&existing) && kind == ShimKind::Repository => bail!(
            "{} is zoomguard's global hook; remove it with zoomguard uninstall --global",
            path.display()
        ),
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

/// The global hooks directory: the global `core.hooksPath` when the user has one, else
/// zoomguard's own default directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobalHooks {
    /// Where the global shims go.
    pub dir: PathBuf,
    /// Whether the global `core.hooksPath` already names `dir`.
    pub configured: bool,
}

/// Finds the global hooks directory. A relative global `core.hooksPath` would name a
/// different directory in each repository, so it is an error.
pub fn global_hooks() -> Result<GlobalHooks> {
    match global_hooks_path()? {
        Some(dir) if dir.is_absolute() => Ok(GlobalHooks { dir, configured: true }),
        Some(dir) => bail!(
            "the global core.hooksPath ({}) is relative, so it names a different directory in each \
             repository; make it absolute, or unset it, and install again",
            dir.display()
        ),
        None => Ok(GlobalHooks { dir: default_global_dir()?, configured: false }),
    }
}

/// zoomguard's own global hooks directory: `$XDG_CONFIG_HOME/zoomguard/hooks`, else
/// `~/.config/zoomguard/hooks`.
pub fn default_global_dir() -> Result<PathBuf> {
    let non_empty = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty()).map(PathBuf::from);
    let config = match (non_empty("XDG_CONFIG_HOME"), non_empty("HOME")) {
        (Some(xdg), _) if xdg.is_absolute() => xdg,
        (_, Some(home)) => home.join(".config"),
        _ => bail!("neither XDG_CONFIG_HOME nor HOME is set, so there is no place for the global hooks"),
    };
    Ok(config.join("zoomguard").join("hooks"))
}

/// The global `core.hooksPath` (with `~` expanded), or `None` when it is not set.
pub fn global_hooks_path() -> Result<Option<PathBuf>> {
    let output = git_config(&["--type=path".into(), "--get".into(), "core.hooksPath".into()])?;
    match output.status.code() {
        Some(0) => {
            let text = String::from_utf8(output.stdout).context("the global core.hooksPath is not UTF-8")?;
            Ok(Some(PathBuf::from(text.trim_end_matches(['\n', '\r']))))
        }
        // `git config --get` exits 1 when the key is not set.
        Some(1) => Ok(None),
        _ => bail!(
            "git config --global --get core.hooksPath failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ),
    }
}

/// Sets the global `core.hooksPath` to `dir`.
pub fn set_global_hooks_path(dir: &Path) -> Result<()> {
    let output = git_config(&["core.hooksPath".into(), dir.as_os_str().to_owned()])?;
    if !output.status.success() {
        bail!(
            "git config --global core.hooksPath {} failed: {}",
            dir.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

/// Removes the global `core.hooksPath`.
pub fn unset_global_hooks_path() -> Result<()> {
    let output = git_config(&["--unset".into(), "core.hooksPath".into()])?;
    if !output.status.success() {
        bail!(
            "git config --global --unset core.hooksPath failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

/// Runs `git config --global <args>`.
fn git_config(args: &[OsString]) -> Result<std::process::Output> {
    Command::new("git")
        .arg("config")
        .arg("--global")
        .args(args)
        .output()
        .context("running git config --global (is git installed and on PATH?)")
}

/// Whether `dir` holds no file at all (a missing directory counts as empty).
pub fn is_empty_dir(dir: &Path) -> Result<bool> {
    match fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(e).with_context(|| format!("reading {}", dir.display())),
    }
}

fn is_ours(content: &[u8]) -> bool {
    memchr::memmem::find(content, MARKER.as_bytes()).is_some()
}

/// Whether `content` is a shim `install --global` wrote.
fn is_global(content: &[u8]) -> bool {
    is_ours(content) && content.split(|&b| b == b'\n').any(|line| line == GLOBAL_LINE.as_bytes())
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
        for hook in [Hook::PreCommit, Hook::PrePush, Hook::CommitMsg] {
            assert!(is_ours(hook.template().as_bytes()), "{}", hook.name());
            assert!(hook.template().contains(BINARY_LINE), "{}", hook.name());
            assert_eq!(hook.template().matches(LOCAL_LINE).count(), 1, "{}", hook.name());
        }
    }

    #[test]
    fn install_chain_refresh_uninstall() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let hooks = dir.path();
        fs::write(hooks.join("pre-commit"), "#!/bin/sh\necho theirs\n").expect("write a foreign hook");
        let bin = Path::new("/opt/zg/zoomguard");
        let local = ShimKind::Repository;
        assert!(matches!(install(hooks, Hook::PreCommit, bin, local), Ok(Installed::Chained(..))));
        assert!(matches!(install(hooks, Hook::PreCommit, bin, local), Ok(Installed::Refreshed(_))));
        let shim = fs::read_to_string(hooks.join("pre-commit")).expect("the shim");
        assert!(shim.contains("ZOOMGUARD=\"${ZOOMGUARD:-/opt/zg/zoomguard}\""));
        assert!(!is_global(shim.as_bytes()) && shim.lines().any(|line| line == LOCAL_LINE));
        assert!(matches!(
            install(hooks, Hook::PreCommit, bin, ShimKind::Global),
            Ok(Installed::Refreshed(_))
        ));
        let shim = fs::read_to_string(hooks.join("pre-commit")).expect("the shim");
        assert!(is_global(shim.as_bytes()) && !shim.contains(LOCAL_LINE));
        assert!(install(hooks, Hook::PreCommit, bin, local).is_err(), "a global shim became a local one");
        assert!(uninstall(hooks, Hook::PreCommit, local).is_err(), "a global shim was removed locally");
        assert!(uninstall(hooks, Hook::PreCommit, ShimKind::Global).expect("uninstall"));
        let restored = fs::read_to_string(hooks.join("pre-commit")).expect("the original hook");
        assert_eq!(restored, "#!/bin/sh\necho theirs\n");
        assert!(!hooks.join("pre-commit.pre-zoomguard").exists());
    }
}
