//! The detector on arbitrary bytes: it must not panic, and every finding must lie inside
//! the text and on an added line. The first byte picks the path (Zoom-named or not), which
//! lines count as added, whether the text goes through the text reader (UTF-16/32) first, and
//! whether the project is known to use Zoom (which lets generic names count).
#![no_main]

use libfuzzer_sys::fuzz_target;
use zoomguard::change::{read_text, AddedLines, Change};
use zoomguard::detect::{scan, ProjectContext, ScanOptions};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, bytes)) = data.split_first() else { return };
    let path = if mode & 1 == 0 { "config/zoom.env" } else { "src/app.js" };
    let added = if mode & 2 == 0 { AddedLines::All } else { AddedLines::Ranges(vec![1..3, 5..u32::MAX]) };
    let text = match read_text(bytes).into_text() {
        Some(text) if mode & 4 == 0 => text.into_owned(),
        _ => bytes.to_vec(),
    };
    let change = Change::edited(path.to_owned(), text, added);
    let project = if mode & 8 == 0 { ProjectContext::Unknown } else { ProjectContext::Zoom("fuzz".into()) };
    for finding in scan(&change, &ScanOptions { now: 1_700_000_000, project }) {
        assert!(finding.span.start < finding.span.end && finding.span.end <= change.text.len());
        assert!(change.added.contains(finding.line));
        assert!(finding.column >= 1);
    }
});
