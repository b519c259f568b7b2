//! The `zoomguard` binary: parse arguments, run, map the outcome to an exit code
//! (0 clean, 1 secrets found, 2 error). An error always blocks, with its cause.

use std::process::ExitCode;

use clap::Parser;
use zoomguard::cli::{Cli, Command};
use zoomguard::commands::{self, InstallTarget, Reporting, ScanTarget};
use zoomguard::detect::Severity;
use zoomguard::output::{self, note};

fn main() -> ExitCode {
    let cli = Cli::parse();
    colored::control::set_override(output::colour_for(&std::io::stderr()));
    let reporting = |verbose: bool| Reporting {
        format: cli.format,
        output: cli.output.clone(),
        baseline: cli.baseline.clone(),
        verbose,
        min_severity: cli.min_severity.as_deref().and_then(Severity::from_name),
    };
    let result = match &cli.command {
        Command::PreCommit { verbose } => commands::pre_commit(&reporting(*verbose)),
        Command::CommitMsg { file, verbose } => commands::commit_msg(file, &reporting(*verbose)),
        Command::PrePush { remote, verbose, .. } => {
            commands::pre_push(remote.as_deref(), &reporting(*verbose))
        }
        Command::PreReceive { verbose } => commands::pre_receive(&reporting(*verbose)),
        Command::Scan { staged, range, history, paths, stdin_name, jobs, verbose } => {
            let target = if *staged {
                ScanTarget::Staged
            } else if let Some(spec) = range {
                ScanTarget::Range(spec.clone())
            } else if *history {
                ScanTarget::History
            } else {
                ScanTarget::Paths { paths: paths.clone(), stdin_name: stdin_name.clone() }
            };
            commands::scan(&target, jobs.map(usize::from), &reporting(*verbose))
        }
        Command::Allow { fingerprint, reason } => commands::allow(fingerprint, reason.as_deref()),
        Command::Rules => commands::rules(),
        Command::Completions { shell } => commands::completions(*shell),
        Command::Install { hook, repo, global } => commands::install(*hook, &install_target(repo, *global)),
        Command::Uninstall { hook, repo, global } => {
            commands::uninstall(*hook, &install_target(repo, *global))
        }
    };
    match result {
        Ok(status) => ExitCode::from(status as u8),
        Err(error) => {
            // The cause may quote a path or ref name from the repository: print it sanitised.
            // Every line is best effort: standard error may be the stream that failed.
            note(format_args!(
                "zoomguard: error: {}",
                zoomguard::report::sanitize(&output::error_chain(&error))
            ));
            let hook = matches!(
                cli.command,
                Command::PreCommit { .. }
                    | Command::CommitMsg { .. }
                    | Command::PrePush { .. }
                    | Command::PreReceive { .. }
            );
            if matches!(cli.command, Command::Scan { .. }) {
                note(format_args!(
                    "zoomguard: the scan did not finish, so its result is unknown; nothing was changed."
                ));
            } else if hook && commands::warn_on_error() {
                note(format_args!(
                    "zoomguard: WARNING: nothing was checked, and git config zoomguard.onError is \"warn\","
                ));
                note(format_args!("zoomguard: so this goes ahead unchecked. Fix the error, or scan later: zoomguard scan --history"));
                return ExitCode::SUCCESS;
            } else {
                note(format_args!(
                    "zoomguard: nothing was changed; the commit or push is blocked until this is fixed."
                ));
                note(format_args!("zoomguard: to go ahead knowingly without the check: git commit --no-verify (or git push --no-verify)"));
            }
            ExitCode::from(2)
        }
    }
}

/// Where `install`/`uninstall` act: `--global`, or the repository `--repo` names.
fn install_target(repo: &std::path::Path, global: bool) -> InstallTarget {
    if global {
        InstallTarget::Global
    } else {
        InstallTarget::Repository(repo.to_path_buf())
    }
}
