//! Command-line definitions (clap) and nothing else.

use std::path::PathBuf;

use clap::builder::PossibleValue;
use clap::{ArgGroup, Parser, Subcommand, ValueEnum};

pub use crate::install::HookChoice;
pub use crate::report::Format;

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
  docker save -o app.tar app:tag && zoomguard scan --image app.tar
                                     scan a container image before it is pushed
  zoomguard scan --history --format json --output zoomguard-baseline.json
                                     record what is known, then: --baseline zoomguard-baseline.json
  zoomguard scan --range origin/main..HEAD --format sarif --output zoomguard.sarif
                                     a SARIF log for a code-scanning dashboard
  zoomguard allow zoom-client-secret:0123456789abcdef --reason 'test fixture'
                                     stop one known value from blocking (.zoomguardignore)
  zoomguard rules                    list the detectors
  zoomguard uninstall --hook all     remove the hooks, restoring any hook kept aside
  zoomguard install --global         both hooks in every repository (global core.hooksPath)";

/// Stops Zoom API credentials (client secrets, JWT and OAuth tokens, SDK and webhook
/// secrets) from entering a git repository.
#[derive(Debug, Parser)]
#[command(name = "zoomguard", version, after_help = AFTER_HELP)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// The report's format: human text, JSON (a stable shape, see README) or SARIF 2.1.0.
    #[arg(long, value_enum, global = true, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report to FILE (default: standard error for human text, standard output for
    /// JSON and SARIF).
    #[arg(long, global = true, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Ignore the findings listed in this JSON report (make one with `zoomguard scan
    /// --history --format json --output zoomguard-baseline.json`); also git config
    /// zoomguard.baseline.
    #[arg(long, global = true, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Block only on findings of this severity or above (critical: verified secrets and live
    /// refresh or JWT-app tokens; high: other secrets; low: expired tokens, which grant
    /// nothing). Also git config zoomguard.blockSeverity. Default: hooks block at medium
    /// (an expired token is a one-line notice), scans report and count everything.
    #[arg(long, global = true, value_parser = ["low", "medium", "high", "critical"])]
    pub min_severity: Option<String>,
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
    /// Scan a commit message (what the commit-msg hook runs): git passes the file that holds it.
    CommitMsg {
        /// The file that holds the message (git passes .git/COMMIT_EDITMSG).
        file: PathBuf,
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
    /// whether it is still at HEAD), files on disk, or a container image.
    #[command(group(ArgGroup::new("target").required(true).args(["staged", "range", "history", "paths", "image"])))]
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
        /// Files or directories on disk (no git needed; every line counts); `-` reads standard
        /// input (`kubectl get secret app -o yaml | zoomguard scan -`).
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// A container image saved to a file, no container engine needed: a `docker save` or
        /// `podman save` archive, an OCI image layout directory or an OCI archive (the format
        /// is read from the content). Every layer's files, deleted ones included, and the
        /// config's Env, Labels, Entrypoint, Cmd and history. A stream (`-`) is not supported:
        /// `docker save -o app.tar app:tag` first.
        #[arg(long, value_name = "PATH")]
        image: Option<PathBuf>,
        /// With --image: only the images of this platform, `os/arch[/variant]` (linux/arm64).
        #[arg(long, value_name = "OS/ARCH", requires = "image")]
        platform: Option<String>,
        /// The file name standard input's text goes by (`config.yaml`): it names the text in the
        /// report, picks its format for the advice, and may say Zoom (`zoom.env`).
        #[arg(long, value_name = "NAME")]
        stdin_name: Option<String>,
        /// Worker threads (default: one per core).
        #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
        jobs: Option<u16>,
        /// Print the summary line even when nothing is found.
        #[arg(short, long)]
        verbose: bool,
    },
    /// Record a finding's fingerprint in .zoomguardignore, so it no longer blocks.
    Allow {
        /// The fingerprint, as a report prints it (`zoom-client-secret:0123456789abcdef`).
        fingerprint: String,
        /// Why it is not a secret, kept as a comment beside it.
        #[arg(long)]
        reason: Option<String>,
    },
    /// List every detector: id, name, severity, what it matches, and the shape of an example.
    Rules,
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Install the hook shims into a repository, or with --global for every repository.
    Install {
        /// Which hook to install (default: pre-commit; with --global: all).
        #[arg(long, value_enum)]
        hook: Option<HookChoice>,
        /// The repository (default: the one around the current directory).
        #[arg(long, default_value = ".")]
        repo: PathBuf,
        /// Install for every repository of this user: into the global core.hooksPath (set to
        /// ~/.config/zoomguard/hooks when there is none). Each repository's own hook still runs.
        #[arg(long, conflicts_with = "repo")]
        global: bool,
    },
    /// Remove the hook shims, restoring any hook that was kept aside.
    Uninstall {
        /// Which hook to remove (default: pre-commit; with --global: all).
        #[arg(long, value_enum)]
        hook: Option<HookChoice>,
        /// The repository (default: the one around the current directory).
        #[arg(long, default_value = ".")]
        repo: PathBuf,
        /// Remove the global shims, and the global core.hooksPath when it was zoomguard's.
        #[arg(long, conflicts_with = "repo")]
        global: bool,
    },
}

// The library's own option types, given to clap here so that clap stays in this module.

impl ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        &[Format::Human, Format::Json, Format::Sarif]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            Format::Human => PossibleValue::new("human").help("Text for people, with remediation"),
            Format::Json => PossibleValue::new("json").help("JSON with a stable, documented shape"),
            Format::Sarif => PossibleValue::new("sarif").help("SARIF 2.1.0, for code-scanning dashboards"),
        })
    }
}

impl ValueEnum for HookChoice {
    fn value_variants<'a>() -> &'a [Self] {
        &[HookChoice::PreCommit, HookChoice::PrePush, HookChoice::CommitMsg, HookChoice::All]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            HookChoice::PreCommit => PossibleValue::new("pre-commit").help("The pre-commit hook"),
            HookChoice::PrePush => PossibleValue::new("pre-push").help("The pre-push hook"),
            HookChoice::CommitMsg => PossibleValue::new("commit-msg").help("The commit-msg hook"),
            HookChoice::All => PossibleValue::new("all").help("All three"),
        })
    }
}

/// The completion script for `shell`, generated from the argument definitions so that it
/// never drifts from them (into memory: clap_complete panics when it cannot write).
pub fn completion_script(shell: clap_complete::Shell) -> Vec<u8> {
    let mut command = <Cli as clap::CommandFactory>::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "zoomguard", &mut script);
    script
}
