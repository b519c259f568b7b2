//! The commands that set zoomguard up rather than scan: installing and removing the hooks,
//! vouching for a finding (`allow`), listing the rules, and shell completions.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::allow::{self, IgnoreFile};
use crate::detect::{examples, RULES};
use crate::install::{self, Hook, HookChoice, Installed, ShimKind};
use crate::outcome::Status;
use crate::output::{self, say};
use crate::source::settings::IGNORE_FILE_LIMIT;
use crate::source::{self, Repo};

/// `zoomguard allow <fingerprint>`: records a fingerprint in the repository's
/// `.zoomguardignore`, with a comment saying why.
pub fn allow(fingerprint: &str, reason: Option<&str>) -> Result<Status> {
    if !allow::is_fingerprint(fingerprint) {
        bail!("{fingerprint:?} is not a fingerprint: copy one from a report (a rule id, `:`, 16 hex digits)");
    }
    let repo = source::open().ok();
    let path = source::settings::ignore_file_path(repo.as_ref())?;
    let work_tree = repo.as_ref().and_then(Repo::workdir);
    let existing = source::settings::read_if_present(&path, IGNORE_FILE_LIMIT, work_tree)?;
    if let Some(file) = &existing {
        if IgnoreFile::parse(&file.text, &file.name)?.has_fingerprint(fingerprint) {
            say(format_args!("zoomguard: {fingerprint} is already allowed in {}", path.display()));
            return Ok(Status::Clean);
        }
    }
    let reason = reason.map_or_else(|| "allowed with zoomguard allow".to_owned(), str::to_owned);
    let mut text = existing.map(|file| file.text).unwrap_or_default();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&allow::ignore_line(fingerprint, &reason));
    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    say(format_args!(
        "zoomguard: added {fingerprint} to {}; stage it (git add {}) and commit it: the hook reads \
         the staged version, and everyone shares it",
        path.display(),
        allow::IGNORE_FILE
    ));
    Ok(Status::Clean)
}

/// `zoomguard rules`: every detector, what it matches and an example of its shape.
pub fn rules() -> Result<Status> {
    let mut out = String::new();
    for rule in RULES {
        let example = rule.examples.first().map(|template| examples::describe(template)).unwrap_or_default();
        let _ = writeln!(
            out,
            "{}\n  name      {}\n  severity  {}\n  matches   {}\n  example   {}\n",
            rule.id,
            rule.kind.name(),
            rule.kind.severity().name(),
            rule.matches,
            example.replace('\n', "\n            ")
        );
    }
    output::write_all(&mut std::io::stdout().lock(), out.as_bytes()).context("writing the rules")?;
    Ok(Status::Clean)
}

/// `zoomguard completions <shell>`: writes the completion script (see
/// `cli::completion_script`).
pub fn completions(script: &[u8]) -> Result<Status> {
    output::write_all(&mut std::io::stdout().lock(), script).context("writing the completion script")?;
    Ok(Status::Clean)
}

/// Where `zoomguard install` and `uninstall` act.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstallTarget {
    /// The repository at or above this path.
    Repository(PathBuf),
    /// Every repository of the user: the global `core.hooksPath`.
    Global,
}

impl InstallTarget {
    /// `--global`, or the repository `--repo` names.
    pub fn of(repo: &Path, global: bool) -> Self {
        if global {
            InstallTarget::Global
        } else {
            InstallTarget::Repository(repo.to_path_buf())
        }
    }
}

/// `zoomguard install`: the pre-commit hook by default, both hooks with `--global`.
pub fn install(choice: Option<HookChoice>, target: &InstallTarget) -> Result<Status> {
    let binary = std::env::current_exe().context("finding the path of the zoomguard binary")?;
    let (dir, kind) = match target {
        InstallTarget::Repository(repo) => (install::hooks_dir(repo)?, ShimKind::Repository),
        InstallTarget::Global => (install::global_hooks()?.dir, ShimKind::Global),
    };
    for hook in hooks(choice, target) {
        match install::install(&dir, hook, &binary, kind)? {
            Installed::Fresh(path) => say(format_args!("zoomguard: installed {}", path.display())),
            Installed::Refreshed(path) => say(format_args!("zoomguard: refreshed {}", path.display())),
            Installed::Chained(path, kept) => say(format_args!(
                "zoomguard: installed {} (the existing hook now lives at {} and still runs first)",
                path.display(),
                kept.display()
            )),
        }
    }
    if kind == ShimKind::Global {
        if !install::global_hooks()?.configured {
            install::set_global_hooks_path(&dir)?;
            say(format_args!("zoomguard: set core.hooksPath = {} in your global git config", dir.display()));
        }
        say(format_args!(
            "zoomguard: every repository now runs these hooks, and still runs its own hooks/{{pre-commit,pre-push}} \
             first; a repository that sets its own core.hooksPath (husky does) uses that instead"
        ));
    }
    Ok(Status::Clean)
}

/// `zoomguard uninstall`. With `--global`, the global `core.hooksPath` is unset too when it
/// is zoomguard's own directory and nothing else is left in it.
pub fn uninstall(choice: Option<HookChoice>, target: &InstallTarget) -> Result<Status> {
    let (dir, kind) = match target {
        InstallTarget::Repository(repo) => (install::hooks_dir(repo)?, ShimKind::Repository),
        InstallTarget::Global => {
            let global = install::global_hooks()?;
            if !global.configured {
                say(format_args!(
                    "zoomguard: no core.hooksPath in your global git config; nothing to remove"
                ));
                return Ok(Status::Clean);
            }
            (global.dir, ShimKind::Global)
        }
    };
    for hook in hooks(choice, target) {
        if install::uninstall(&dir, hook, kind)? {
            say(format_args!("zoomguard: removed the {} hook from {}", hook.name(), dir.display()));
        }
    }
    if kind == ShimKind::Global {
        let ours = same_dir(&dir, &install::default_global_dir()?);
        if ours && install::is_empty_dir(&dir)? {
            install::unset_global_hooks_path()?;
            if dir.exists() {
                std::fs::remove_dir(&dir).with_context(|| format!("removing {}", dir.display()))?;
            }
            say(format_args!("zoomguard: removed core.hooksPath from your global git config"));
        } else {
            say(format_args!(
                "zoomguard: left core.hooksPath = {} in your global git config ({})",
                dir.display(),
                if ours { "other hooks are still there" } else { "it was not zoomguard's directory" }
            ));
        }
    }
    Ok(Status::Clean)
}

/// Whether `a` and `b` name the same directory, following symbolic links when both exist.
fn same_dir(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// The hooks `--hook` names; without it, pre-commit in a repository and both globally.
fn hooks(choice: Option<HookChoice>, target: &InstallTarget) -> Vec<Hook> {
    let choice = choice.unwrap_or(match target {
        InstallTarget::Repository(_) => HookChoice::PreCommit,
        InstallTarget::Global => HookChoice::All,
    });
    match choice {
        HookChoice::PreCommit => vec![Hook::PreCommit],
        HookChoice::PrePush => vec![Hook::PrePush],
        HookChoice::CommitMsg => vec![Hook::CommitMsg],
        HookChoice::All => vec![Hook::PreCommit, Hook::PrePush, Hook::CommitMsg],
    }
}
