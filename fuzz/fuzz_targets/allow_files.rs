//! The files a repository controls, as any bytes: `.zoomguardignore` and a baseline are
//! parsed or refused, never a panic, and a refusal quotes at most a short excerpt of them
//! (the file may be a link to a secret elsewhere, or a log line's worth of one).
#![no_main]

use libfuzzer_sys::fuzz_target;
use zoomguard::allow::{Baseline, IgnoreFile};

/// Characters: more than any excerpt an error may quote.
const QUOTED_AT_MOST: usize = 40;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, bytes)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(bytes);
    let refused = if mode & 1 == 0 {
        IgnoreFile::parse(&text, ".zoomguardignore").err()
    } else {
        Baseline::parse(&text, "baseline.json").err()
    };
    let Some(error) = refused else { return };
    let message = format!("{error:#}");
    for line in text.lines().map(str::trim).filter(|line| line.chars().count() > QUOTED_AT_MOST) {
        assert!(!message.contains(line), "the error quotes a whole line: {message}");
    }
});
