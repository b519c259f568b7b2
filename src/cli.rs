//! Command-line definitions (clap) and nothing else.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Exit codes:
  0  nothing found
  1  Zoom secrets found: the commit or push is blocked
  2  error: the commit or push is blocked, with the cause

Examples:
  zoomguard install                  install the pre-commit hook in this repository
  zoomguard install --hook all       install the pre-commit and pre-push hooks
  zoomguard pre-commit -v            scan what is staged now, as the hook would
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
