//! The subcommands, each from parsed arguments to an exit status. `main.rs` only dispatches.
//!
//! Every hook and `scan` target runs the same pipeline (`commands::pipeline`): open the repository's settings,
//! collect and scan its source, settle the project's context, allow what the team vouched
//! for, report. The modules split by concern: the hooks, `scan`, and the commands that set
//! zoomguard up (install, allow, rules, completions).

mod hooks;
mod pipeline;
mod scan;
mod setup;

use std::path::PathBuf;

use crate::detect::Severity;
use crate::output::note;
use crate::report::Format;
use crate::source::{self, settings::Settings};

pub use crate::outcome::Status;
pub use hooks::{commit_msg, pre_commit, pre_push, pre_receive};
pub use scan::{scan, ScanTarget};
pub use setup::{allow, completions, install, rules, uninstall, InstallTarget};

/// How to report and what to allow: the options every scanning command shares.
#[derive(Debug, Clone, Default)]
pub struct Reporting {
    /// The report's format.
    pub format: Format,
    /// Where to write the report (default: standard error for the human report, standard
    /// output for JSON and SARIF).
    pub output: Option<PathBuf>,
    /// A JSON report whose findings are known and accepted.
    pub baseline: Option<PathBuf>,
    /// Print the summary line even when nothing is found.
    pub verbose: bool,
    /// The lowest severity that blocks (default: git config zoomguard.blockSeverity, else
    /// medium in hooks and low in scans).
    pub min_severity: Option<Severity>,
}

/// What was running when an error stopped it, which decides what the user is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// A hook: the commit or push is blocked (or, with zoomguard.onError warn, let through).
    Hook,
    /// A scan: its result is unknown.
    Scan,
    /// Any other command.
    Command,
}

/// Tells the user what failed and what it means, and gives the exit code: 2, or 0 for a hook
/// whose team chose `zoomguard.onError warn`. Every line is best effort: standard error may be
/// the stream that failed.
pub fn failed(error: &anyhow::Error, failure: Failure) -> u8 {
    // The cause may quote a path or ref name from the repository: print it sanitised.
    note(format_args!("zoomguard: error: {}", crate::report::sanitize(&crate::output::error_chain(error))));
    if let Some(hint) = source::repo::partial_clone_hint(error) {
        note(format_args!("zoomguard: hint: {}", crate::report::sanitize(&hint)));
    }
    match failure {
        Failure::Scan => {
            note(format_args!(
                "zoomguard: the scan did not finish, so its result is unknown; nothing was changed."
            ));
        }
        Failure::Hook if warn_on_error() => {
            note(format_args!(
                "zoomguard: WARNING: nothing was checked, and git config zoomguard.onError is \"warn\","
            ));
            note(format_args!(
                "zoomguard: so this goes ahead unchecked. Fix the error, or scan later: zoomguard scan --history"
            ));
            return 0;
        }
        Failure::Hook | Failure::Command => {
            note(format_args!(
                "zoomguard: nothing was changed; the commit or push is blocked until this is fixed."
            ));
            note(format_args!(
                "zoomguard: to go ahead knowingly without the check: git commit --no-verify (or git push --no-verify)"
            ));
        }
    }
    2
}

/// Whether an internal error of a hook should warn and let the commit or push through
/// (`git config zoomguard.onError warn`) instead of blocking it.
fn warn_on_error() -> bool {
    Settings::open(source::open().ok().as_ref()).is_ok_and(|settings| settings.warn_on_error())
}

/// Worker threads when none are asked for: every core.
fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}
