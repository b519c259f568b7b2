//! What zoomguard writes to its standard streams, and how that may fail without changing
//! the answer. The exit status is a contract (0 clean, 1 blocked, 2 error), so nothing here
//! panics the way `println!` does when a stream cannot be written (exit 101): a reader that
//! went away (`zoomguard rules | head`) is not an error, since what it did not read it did
//! not want; a stream that cannot take the report (a full disk) is an error the caller
//! returns. Whether colour and redrawn lines suit the terminal is decided here too, once.

use std::fmt;
use std::io::{self, IsTerminal, Write};

/// Whether to colour what goes to `stream`: a terminal that can show colour (not
/// `TERM=dumb`), and `NO_COLOR` unset or empty.
pub fn colour_for(stream: &impl IsTerminal) -> bool {
    let no_colour = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    redraws_on(stream) && !no_colour
}

/// Whether `stream` is a terminal that understands escape sequences (to colour text, or to
/// redraw a progress line): not a pipe or file, and not `TERM=dumb` (an editor's shell, a
/// serial console), which shows them as noise.
pub fn redraws_on(stream: &impl IsTerminal) -> bool {
    stream.is_terminal() && std::env::var_os("TERM").is_none_or(|term| term != "dumb")
}

/// Writes all of `bytes` to `out` and flushes it, so that a failure shows here and not in a
/// flush at exit that nobody checks. A closed pipe is not an error.
pub fn write_all(out: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Prints one line to standard output that tells of something already done (a hook
/// installed, a fingerprint recorded). Failing to print it cannot undo that, so a failure
/// does not change the exit status.
pub fn say(line: fmt::Arguments<'_>) {
    let _ = write_all(&mut io::stdout().lock(), format!("{line}\n").as_bytes());
}

/// Prints one line to standard error, best effort: a note, or the error that ends the run,
/// which has nowhere else to go when standard error itself fails.
pub fn note(line: fmt::Arguments<'_>) {
    let _ = write_all(&mut io::stderr().lock(), format!("{line}\n").as_bytes());
}

/// An error and its causes, outermost first, joined by `: ` (anyhow's `{:#}`), except that a
/// libgit2 error that gave no message of its own (libgit2 reports its absence as
/// "no error") says what that means from its code, instead of "…: no error".
pub fn error_chain(error: &anyhow::Error) -> String {
    let causes: Vec<String> = error
        .chain()
        .map(|cause| match cause.downcast_ref::<git2::Error>() {
            Some(git) if git.message().is_empty() || git.message() == "no error" => unexplained(git),
            _ => cause.to_string(),
        })
        .collect();
    causes.join(": ")
}

/// What a libgit2 error without a message means, from its code and class.
fn unexplained(error: &git2::Error) -> String {
    use git2::ErrorCode as Code;
    let meaning = match error.code() {
        Code::NotFound => "something it needed is missing (an object, a file or a ref)",
        Code::Exists => "something it meant to create already exists",
        Code::Ambiguous => "an abbreviated object id matches more than one object",
        Code::BufSize => "a value was too large for its buffer",
        Code::Locked => "a file it needed is locked by another git process",
        Code::Invalid | Code::InvalidSpec => "something it read is not valid",
        Code::Auth | Code::Certificate => "it was refused access",
        _ => "it failed",
    };
    let class = match error.class() {
        git2::ErrorClass::None => String::new(),
        class => format!(", class={class:?}"),
    };
    format!("libgit2 gave no reason, only its code: {meaning} (code={:?}{class})", error.code())
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    /// Regression (issue 15): a libgit2 error with no message read "…: no error".
    #[test]
    fn a_libgit2_error_without_a_message_says_what_its_code_means() {
        for message in ["", "no error"] {
            let git = git2::Error::new(git2::ErrorCode::NotFound, git2::ErrorClass::Odb, message);
            let error = Err::<(), _>(git).context("detecting renamed and copied files").unwrap_err();
            let text = error_chain(&error);
            assert!(!text.contains("no error"), "{text}");
            assert!(text.starts_with("detecting renamed and copied files: libgit2 gave no reason"), "{text}");
            assert!(text.contains("missing") && text.contains("code=NotFound, class=Odb"), "{text}");
        }
        let git = git2::Error::new(git2::ErrorCode::NotFound, git2::ErrorClass::Odb, "object not found");
        let error = Err::<(), _>(git).context("reading a.txt").unwrap_err();
        assert_eq!(error_chain(&error), format!("{error:#}"), "a message of its own is kept as it is");
    }

    #[test]
    fn a_closed_pipe_is_not_an_error_and_a_full_disk_is() {
        struct Failing(io::ErrorKind);
        impl Write for Failing {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(self.0.into())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        assert!(write_all(&mut Failing(io::ErrorKind::BrokenPipe), b"report").is_ok());
        assert!(write_all(&mut Failing(io::ErrorKind::StorageFull), b"report").is_err());
    }
}
