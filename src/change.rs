//! What changed in one file: the seam between where text comes from and what is in it.
//!
//! Sources (staged index, pushed commits, plain files) produce `Change`s; detection reads
//! them and never learns where they came from. Detection gets the whole new text so that it
//! can read context around a line (a `zoom:` parent key three lines up), but a finding only
//! counts when the secret lies on an added line.

use std::ops::Range;

/// The commit that added a change, when the change comes from history rather than the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    /// The full object id, in hex.
    pub id: String,
    /// The first line of its message.
    pub summary: String,
    /// The author date, Unix seconds.
    pub author_time: i64,
    /// Its place in the scan's walk, oldest first (parents before children): the order in
    /// which reports list commits, since author dates can tie or go backwards.
    pub position: usize,
}

impl CommitInfo {
    /// The first 10 hex digits of the id.
    pub fn short_id(&self) -> &str {
        &self.id[..self.id.len().min(10)]
    }

    /// `<short id> <summary>`, as reports name a commit.
    pub fn label(&self) -> String {
        format!("{} {}", self.short_id(), self.summary)
    }
}

/// Which lines of a file's new version were added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddedLines {
    /// Every line: a new file, or a file scanned outside git.
    All,
    /// These 1-based, end-exclusive line ranges, sorted and not overlapping.
    Ranges(Vec<Range<u32>>),
}

impl AddedLines {
    /// Whether 1-based `line` was added.
    pub fn contains(&self, line: u32) -> bool {
        match self {
            AddedLines::All => true,
            AddedLines::Ranges(ranges) => {
                let after = ranges.partition_point(|r| r.end <= line);
                ranges.get(after).is_some_and(|r| r.start <= line)
            }
        }
    }

    /// The lines added in both `self` and `other`.
    pub fn intersect(&self, other: &AddedLines) -> AddedLines {
        match (self, other) {
            (AddedLines::All, x) | (x, AddedLines::All) => x.clone(),
            (AddedLines::Ranges(a), AddedLines::Ranges(b)) => {
                let mut both = Vec::new();
                let (mut i, mut j) = (0, 0);
                while i < a.len() && j < b.len() {
                    let (start, end) = (a[i].start.max(b[j].start), a[i].end.min(b[j].end));
                    if start < end {
                        both.push(start..end);
                    }
                    if a[i].end < b[j].end {
                        i += 1;
                    } else {
                        j += 1;
                    }
                }
                AddedLines::Ranges(both)
            }
        }
    }

    /// How many lines of `text` were added (only a whole-file change needs to count them).
    pub fn count(&self, text: &[u8]) -> u64 {
        match self {
            AddedLines::All => u64::from(line_count(text)),
            AddedLines::Ranges(ranges) => ranges.iter().map(|r| u64::from(r.end - r.start)).sum(),
        }
    }
}

/// One file's new content and which of its lines were added.
#[derive(Debug, Clone)]
pub struct Change {
    /// Repository-relative path with `/` separators (lossy UTF-8 for odd names).
    pub path: String,
    /// The path before a rename or copy, when there was one.
    pub old_path: Option<String>,
    /// The bytes of the new version as stored (no newline conversion), except that UTF-16
    /// text is decoded to UTF-8 (see [`decode_utf16`]), so spans index these bytes.
    pub text: Vec<u8>,
    /// The lines of `text` that were added.
    pub added: AddedLines,
}

/// The number of lines in `text`: a last line without a newline still counts.
pub fn line_count(text: &[u8]) -> u32 {
    let newlines = memchr_count(text);
    let unterminated = !text.is_empty() && text.last() != Some(&b'\n');
    u32::try_from(newlines).unwrap_or(u32::MAX).saturating_add(u32::from(unterminated))
}

/// UTF-16 text that starts with a byte-order mark (little- or big-endian), decoded to UTF-8
/// without the mark; `None` for anything else, and for UTF-16 that does not decode (an odd
/// length, a lone surrogate). UTF-16 holds NUL bytes, so this must be asked before a file
/// is called binary. Line numbers survive decoding; byte offsets and columns are those of
/// the decoded text, which is what an editor shows.
pub fn decode_utf16(bytes: &[u8]) -> Option<Vec<u8>> {
    let from: fn([u8; 2]) -> u16 = match bytes.get(..2)? {
        [0xFF, 0xFE] => u16::from_le_bytes,
        [0xFE, 0xFF] => u16::from_be_bytes,
        _ => return None,
    };
    let body = &bytes[2..];
    if body.len() % 2 != 0 {
        return None;
    }
    let units = body.chunks_exact(2).map(|pair| from([pair[0], pair[1]]));
    let text: String = char::decode_utf16(units).collect::<Result<_, _>>().ok()?;
    Some(text.into_bytes())
}

/// The byte range of the line holding offset `at` (which may be the text's end), newline
/// excluded.
pub fn line_around(text: &[u8], at: usize) -> Range<usize> {
    let start = text[..at].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let end = text[at..].iter().position(|&b| b == b'\n').map_or(text.len(), |p| at + p);
    start..end
}

/// The 1-based number of the line holding byte offset `at`.
pub fn line_number(text: &[u8], at: usize) -> usize {
    memchr_count(&text[..at]) + 1
}

fn memchr_count(text: &[u8]) -> usize {
    text.iter().filter(|&&b| b == b'\n').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_contain_their_lines_only() {
        let added = AddedLines::Ranges(vec![2..4, 10..11]);
        let hits: Vec<u32> = (1..12).filter(|&l| added.contains(l)).collect();
        assert_eq!(hits, vec![2, 3, 10]);
        assert_eq!(added.count(&[b'\n'; 20]), 3);
        assert_eq!(AddedLines::All.count(b"a\nb"), 2);
        assert!(AddedLines::All.contains(7));
    }

    #[test]
    fn intersection() {
        let a = AddedLines::Ranges(vec![1..5, 8..10]);
        let b = AddedLines::Ranges(vec![3..9, 20..21]);
        assert_eq!(a.intersect(&b), AddedLines::Ranges(vec![3..5, 8..9]));
        assert_eq!(AddedLines::All.intersect(&b), b);
        assert_eq!(a.intersect(&AddedLines::Ranges(vec![])), AddedLines::Ranges(vec![]));
    }

    fn utf16(text: &str, bom: [u8; 2], to_bytes: fn(u16) -> [u8; 2]) -> Vec<u8> {
        let mut bytes = bom.to_vec();
        bytes.extend(text.encode_utf16().flat_map(to_bytes));
        bytes
    }

    #[test]
    fn decodes_utf16_with_a_byte_order_mark() {
        let text = "caf\u{e9} \u{1F600}\r\nline two\n";
        let le = utf16(text, [0xFF, 0xFE], u16::to_le_bytes);
        let be = utf16(text, [0xFE, 0xFF], u16::to_be_bytes);
        assert_eq!(decode_utf16(&le).as_deref(), Some(text.as_bytes()));
        assert_eq!(decode_utf16(&be).as_deref(), Some(text.as_bytes()));
        assert_eq!(decode_utf16(&[0xFF, 0xFE]).as_deref(), Some(&b""[..]));
    }

    #[test]
    fn leaves_other_bytes_alone() {
        let le = utf16("text", [0xFF, 0xFE], u16::to_le_bytes);
        assert_eq!(decode_utf16(&le[2..]), None, "no byte-order mark");
        assert_eq!(decode_utf16(&le[..le.len() - 1]), None, "odd length");
        assert_eq!(decode_utf16(&[0xFF, 0xFE, 0x00, 0xD8, b'a', 0]), None, "lone surrogate");
        assert_eq!(decode_utf16(b"\xEF\xBB\xBFutf-8 with a mark"), None);
        assert_eq!(decode_utf16(b""), None);
    }

    #[test]
    fn counts_lines() {
        assert_eq!(line_count(b""), 0);
        assert_eq!(line_count(b"a"), 1);
        assert_eq!(line_count(b"a\n"), 1);
        assert_eq!(line_count(b"a\nb"), 2);
    }
}
