//! The git hooks: pre-commit, commit-msg, pre-push and pre-receive. Each reads what git hands
//! it (the index, the message file, the refs on standard input) and runs the pipeline.

use std::path::Path;

use anyhow::{Context, Result};

use super::pipeline::{Pipeline, ProjectOf};
use super::{default_jobs, Reporting};
use crate::engine;
use crate::outcome::{Scope, Status};
use crate::output;
use crate::source::{self, push, WhenAbsent};

/// `zoomguard pre-commit` (and `zoomguard scan --staged`). A generic name counts if any staged
/// file, or the project at HEAD, shows Zoom.
pub fn pre_commit(reporting: &Reporting) -> Result<Status> {
    let pipeline = Pipeline::in_repository(reporting)?;
    let outcome = pipeline.scan_staged()?;
    pipeline.finish(outcome, Scope::Staged, ProjectOf::Head)
}

/// `zoomguard commit-msg <file>`: the message git is about to record, every line of it. The
/// commit has not been made yet, so the fix is an edit of the message.
pub fn commit_msg(file: &Path, reporting: &Reporting) -> Result<Status> {
    let pipeline = Pipeline::anywhere(reporting)?;
    let collected = source::files::read_message(file, pipeline.max_file_size)?;
    let outcome = engine::scan_collected(&collected, &pipeline.options);
    pipeline.finish(outcome, Scope::CommitMessage, ProjectOf::Head)
}

/// `zoomguard pre-push <remote> <url>`, reading git's ref lines from standard input.
pub fn pre_push(remote: Option<&str>, reporting: &Reporting) -> Result<Status> {
    let mut updates = push::parse_pre_push(&hook_input("reading the refs to push")?)?;
    if updates.is_empty() {
        // The pre-commit framework gives no standard input; it names the range in the environment.
        updates = push::from_pre_commit_framework()?;
    }
    if updates.is_empty() {
        // git always names at least one ref; an empty input means a hook manager did not pass
        // git's standard input on, and nothing can be checked.
        output::note(format_args!(
            "zoomguard: note: no refs to check arrived on standard input. If a hook manager runs \
             this, make it pass git's stdin on (lefthook: use_stdin: true)."
        ));
    }
    let pipeline = Pipeline::in_repository(reporting)?;
    let remote = remote.map(str::to_owned).or_else(|| std::env::var("PRE_COMMIT_REMOTE_NAME").ok());
    let targets = push::commits_to_push(pipeline.repo()?, remote.as_deref(), &updates)?;
    let outcome = pipeline.scan_commits(&targets, default_jobs(), WhenAbsent::Fails)?;
    pipeline.finish(outcome, Scope::Push, ProjectOf::Settled)
}

/// `zoomguard pre-receive`, on the server, reading git's `<old> <new> <ref>` lines from standard input.
pub fn pre_receive(reporting: &Reporting) -> Result<Status> {
    let updates = push::parse_pre_receive(&hook_input("reading the pushed refs")?)?;
    let pipeline = Pipeline::in_repository(reporting)?;
    let targets = push::received_commits(pipeline.repo()?, &updates)?;
    let outcome = pipeline.scan_commits(&targets, default_jobs(), WhenAbsent::Fails)?;
    pipeline.finish(outcome, Scope::Receive, ProjectOf::Settled)
}

/// The hook's standard input, read as bytes: a ref name need not be UTF-8, and only the
/// object ids matter. `doing` names the step in an error.
fn hook_input(doing: &'static str) -> Result<String> {
    let mut stdin = Vec::new();
    std::io::Read::read_to_end(&mut std::io::stdin(), &mut stdin).context(doing)?;
    Ok(String::from_utf8_lossy(&stdin).into_owned())
}
