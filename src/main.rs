//! The `zoomguard` binary: parse arguments, run, map the outcome to an exit code
//! (0 clean, 1 secrets found, 2 error). An error always blocks, with its cause.

use std::process::ExitCode;

use clap::Parser;
use zoomguard::cli::{self, Cli, Command};
use zoomguard::commands::{self, Failure, InstallTarget, Reporting, ScanTarget};
use zoomguard::detect::Severity;
use zoomguard::output;

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
        Command::Scan { staged, range, history, paths, image, platform, stdin_name, jobs, verbose } => {
            let target = match image {
                Some(path) => ScanTarget::Image { path: path.clone(), platform: platform.clone() },
                None => ScanTarget::of(*staged, range.as_deref(), *history, paths, stdin_name.as_deref()),
            };
            commands::scan(&target, jobs.map(usize::from), &reporting(*verbose))
        }
        Command::Allow { fingerprint, reason } => commands::allow(fingerprint, reason.as_deref()),
        Command::Rules => commands::rules(),
        Command::Completions { shell } => commands::completions(&cli::completion_script(*shell)),
        Command::Install { hook, repo, global } => {
            commands::install(*hook, &InstallTarget::of(repo, *global))
        }
        Command::Uninstall { hook, repo, global } => {
            commands::uninstall(*hook, &InstallTarget::of(repo, *global))
        }
    };
    match result {
        Ok(status) => ExitCode::from(status as u8),
        Err(error) => {
            let failure = match cli.command {
                Command::PreCommit { .. }
                | Command::CommitMsg { .. }
                | Command::PrePush { .. }
                | Command::PreReceive { .. } => Failure::Hook,
                Command::Scan { .. } => Failure::Scan,
                _ => Failure::Command,
            };
            ExitCode::from(commands::failed(&error, failure))
        }
    }
}
