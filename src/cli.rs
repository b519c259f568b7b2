//! Command-line definitions (clap) and nothing else.

use std::path::PathBuf;

use clap::{ArgGroup, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Exit codes:
  0  nothing found
  1  Zoom secrets found: the commit or push is blocked
  2  error: the commit or push is blocked, with the cause
  (scan uses the same codes: 1 when anything is found)

Examples:
  zoomguard install                  install the pre-commit hook in this repository
  zoomguard install --hook all       install the pre-commit and pre-push hooks
  zoomguard pre-commit -v            scan what is staged now, as the hook would
  zoomguard scan --range origin/main..HEAD
                                     scan the commits of a merge request (CI)
  zoomguard scan --history           list every leaked credential, where, and if still at HEAD
  zoomguard scan config/ .env        scan files on disk
  zoomguard uninstall --hook all     remove the hooks, restoring any hook kept aside";

/// Stops Zoom API credentials (client secrets, JWT and OAuth tokens, SDK and webhook
/// secrets) from entering a git repository.
#[derive(Debug, Parser)]
#[command(name = "zoomguard", version, after_help = AFTER_HELP)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan the staged changes (what the pre-commit hook runs).
    PreCommit {
        /// Print the summary line even when nothing is found.
        #[arg(short, long)]
        verbose: bool,
    },
    /// Scan the commits a push would send (what the pre-push hook runs).
    PrePush {
        /// The remote's name, as git passes it.
        remote: Option<String>,
        /// The remote's URL, as git passes it.
        url: Option<String>,
        /// Print the summary line even when nothing is found.
        #[arg(short, long)]
        verbose: bool,
    },
    /// Scan the commits a push brings to a server repository (a pre-receive hook).
    PreReceive {
        /// Print the summary line even when nothing is found.
        #[arg(short, long)]
        verbose: bool,
    },
    /// Scan outside a hook, for CI and audits: the staged changes, the commits of a range,
    /// the whole history (a leak inventory: every place each credential was added, and
    /// whether it is still at HEAD), or files on disk.
    #[command(group(ArgGroup::new("target").required(true).args(["staged", "range", "history", "paths"])))]
    Scan {
        /// The staged changes, exactly as the pre-commit hook sees them.
        #[arg(long)]
        staged: bool,
        /// The commits of B that A lacks, e.g. a merge request: `origin/main..HEAD`.
        #[arg(long, value_name = "A..B")]
        range: Option<String>,
        /// Every commit reachable from any ref: which credentials leaked, where, and whether
        /// they are still at HEAD.
        #[arg(long)]
        history: bool,
        /// Files or directories on disk (no git needed; every line counts).
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Worker threads (default: one per core).
        #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
        jobs: Option<u16>,
        /// Print the summary line even when nothing is found.
        #[arg(short, long)]
        verbose: bool,
    },
    /// Install the hook shims into a repository.
    Install {
        /// Which hook to install.
        #[arg(long, value_enum, default_value_t = HookChoice::PreCommit)]
        hook: HookChoice,
        /// The repository (default: the one around the current directory).
        #[arg(long, default_value = ".")]
        repo: PathBuf,
    },
    /// Remove the hook shims, restoring any hook that was kept aside.
    Uninstall {
        /// Which hook to remove.
        #[arg(long, value_enum, default_value_t = HookChoice::PreCommit)]
        hook: HookChoice,
        /// The repository (default: the one around the current directory).
        #[arg(long, default_value = ".")]
        repo: PathBuf,
    },
}

/// `--hook` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HookChoice {
    /// The pre-commit hook.
    PreCommit,
    /// The pre-push hook.
    PrePush,
    /// Both.
    All,
}
