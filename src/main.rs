//! The `zoomguard` binary: parse arguments, run, map the outcome to an exit code
//! (0 clean, 1 secrets found, 2 error). An error always blocks, with its cause.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use zoomguard::cli::{Cli, Command};
use zoomguard::commands;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    colored::control::set_override(colour);
    let result = match &cli.command {
        Command::PreCommit { verbose } => commands::pre_commit(*verbose),
        Command::PrePush { remote, verbose, .. } => commands::pre_push(remote.as_deref(), *verbose),
        Command::PreReceive { verbose } => commands::pre_receive(*verbose),
        Command::Install { hook, repo } => commands::install(*hook, repo),
        Command::Uninstall { hook, repo } => commands::uninstall(*hook, repo),
    };
    match result {
        Ok(status) => ExitCode::from(status as u8),
        Err(error) => {
            // The cause may quote a path or ref name from the repository: print it sanitised.
            eprintln!("zoomguard: error: {}", zoomguard::report::sanitize(&format!("{error:#}")));
            eprintln!("zoomguard: nothing was changed; the commit or push is blocked until this is fixed.");
            eprintln!("zoomguard: to go ahead knowingly without the check: git commit --no-verify (or git push --no-verify)");
            ExitCode::from(2)
        }
    }
}
