//! A staged file's two versions, as any bytes: the line differ says which lines of the new
//! version the old one lacks, and the detector scans only those. Every line it leaves out must
//! be a line of the old version (the hook never scans fewer lines than git adds), the ranges
//! are sorted and inside the new text, and every finding lies on a line the differ kept.
#![no_main]

use std::collections::HashSet;

use libfuzzer_sys::fuzz_target;
use zoomguard::change::{line_count, AddedLines, Change};
use zoomguard::detect::{scan, ScanOptions};
use zoomguard::source::lines::OldLines;

/// Separates the old version from the new one in the input.
const SPLIT: u8 = 0xFF;

fuzz_target!(|data: &[u8]| {
    let (old, new) = match data.iter().position(|&b| b == SPLIT) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (&[][..], data),
    };
    let ranges = OldLines::of(old).added_ranges(new);
    let lines = line_count(new);
    let mut end = 1;
    for range in &ranges {
        assert!(range.start >= end && range.start < range.end && range.end <= lines + 1, "{ranges:?}");
        end = range.end;
    }
    let old_lines: HashSet<&[u8]> = old.split_inclusive(|&b| b == b'\n').collect();
    let added = AddedLines::Ranges(ranges);
    for (number, line) in (1..).zip(new.split_inclusive(|&b| b == b'\n')) {
        assert!(added.contains(number) || old_lines.contains(line), "line {number} was dropped");
    }
    let change = Change::edited("config/zoom.env".to_owned(), new.to_vec(), added);
    for finding in scan(&change, &ScanOptions { now: 1_700_000_000, ..ScanOptions::default() }) {
        assert!(change.added.contains(finding.line));
    }
});
