//! What changed in one file: the seam between where text comes from and what is in it.
//!
//! Sources (staged index, pushed commits, plain files) produce `Change`s; detection reads
//! them and never learns where they came from. Detection gets the whole new text so that it
//! can read context around a line (a `zoom:` parent key three lines up), but a finding only
//! counts when the secret lies on an added line.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

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

/// The container image a text was found in (`scan --image`): how reports name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageInfo {
    /// Its name: the tag the archive or layout gives it (`app:1.2`), else its short digest; with
    /// the platform when several images of the file share the name.
    pub name: String,
    /// `os/arch[/variant]`, from the index or the image's config.
    pub platform: Option<String>,
    /// The digest of its manifest (none in a `docker save` archive, which keeps no manifest).
    pub manifest: Option<String>,
    /// The digest of its config, when the file names it.
    pub config: Option<String>,
    /// How many layers it has.
    pub layers: usize,
}

/// Where in an image a text sits: a file of one layer, or a part of the image's config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImagePlace {
    /// The image.
    pub image: Arc<ImageInfo>,
    /// The layer or config part.
    pub part: ImagePart,
}

/// A part of an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImagePart {
    /// A regular file of a layer.
    Layer {
        /// The layer's place in the image, from 1 (the base layer).
        index: usize,
        /// The digest of the layer's blob as stored (compressed or not).
        digest: Option<String>,
        /// The digest of its uncompressed tar (the config's `rootfs.diff_ids`): the same in
        /// every format the image is saved in.
        diff_id: Option<String>,
        /// The file's path inside the layer, without a leading `/`.
        path: String,
        /// The first later layer that deletes the file (a whiteout): it is then absent from
        /// the final filesystem, but still in the image for anyone who pulls it.
        deleted_by: Option<usize>,
    },
    /// A part of the image's config, which `docker inspect` shows and every pull brings.
    Config {
        /// `Env`, `Labels`, `Entrypoint`, `Cmd`, `OnBuild` or `history` (each step's `created_by`).
        field: &'static str,
    },
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
    /// Whether the file has no old version it was compared with (it is new, or its old
    /// version is absent), so that every line of it counts as added.
    pub is_new: bool,
    /// The bytes of the new version as stored (no newline conversion), except that UTF-16
    /// and UTF-32 text is decoded to UTF-8 (see [`read_text`]), so spans index these bytes.
    pub text: Arc<Vec<u8>>,
    /// The lines of `text` that were added.
    pub added: AddedLines,
}

/// What the path of a commit's message starts with: `commit message of 1a2b3c4d5e`.
pub const MESSAGE_OF: &str = "commit message of ";

/// What the path of an annotated tag's message starts with: `message of tag v1.2`.
pub const TAG_MESSAGE_OF: &str = "message of tag ";

impl Change {
    /// A new file at `path`: every line of `text` added.
    pub fn new_file(path: impl Into<String>, text: impl Into<Vec<u8>>) -> Change {
        Change { path: path.into(), is_new: true, text: Arc::new(text.into()), added: AddedLines::All }
    }

    /// A file at `path` whose `added` lines of `text` are new, the others its old version's.
    pub fn edited(path: impl Into<String>, text: impl Into<Vec<u8>>, added: AddedLines) -> Change {
        Change { path: path.into(), is_new: false, text: Arc::new(text.into()), added }
    }

    /// Whether this is a commit's or an annotated tag's message rather than a file.
    pub fn is_message(&self) -> bool {
        self.path.starts_with(MESSAGE_OF) || is_tag_message(&self.path)
    }
}

/// The tag whose message `path` names (`message of tag v1` → `v1`), if it names one.
pub fn tag_of_message(path: &str) -> Option<&str> {
    path.strip_prefix(TAG_MESSAGE_OF)
}

/// Whether `path` names an annotated tag's message rather than a file.
pub fn is_tag_message(path: &str) -> bool {
    tag_of_message(path).is_some()
}

/// The number of lines in `text`: a last line without a newline still counts.
pub fn line_count(text: &[u8]) -> u32 {
    let newlines = newline_count(text);
    let unterminated = !text.is_empty() && text.last() != Some(&b'\n');
    u32::try_from(newlines).unwrap_or(u32::MAX).saturating_add(u32::from(unterminated))
}

/// Where git calls a file binary: a NUL byte in its first this many bytes.
pub const BINARY_SNIFF_LEN: usize = 8000;

/// A text encoding other than the bytes as stored, that [`read_text`] decodes to UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-16, little-endian.
    Utf16Le,
    /// UTF-16, big-endian.
    Utf16Be,
    /// UTF-32, little-endian.
    Utf32Le,
    /// UTF-32, big-endian.
    Utf32Be,
}

impl Encoding {
    /// Its usual name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
            Encoding::Utf32Le => "UTF-32LE",
            Encoding::Utf32Be => "UTF-32BE",
        }
    }
}

/// What a file's bytes are to the scanner: the one answer every source asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Text<'a> {
    /// Text to scan as stored: no NUL byte where git looks for one (UTF-8, ASCII, Latin-1,
    /// or noise without NULs, which git diffs as text too).
    AsStored(Cow<'a, [u8]>),
    /// UTF-16 or UTF-32 (with a byte-order mark, or UTF-16 recognised by its NUL bytes),
    /// decoded to UTF-8 without the mark.
    Decoded(Vec<u8>, Encoding),
    /// Binary: NUL bytes, and no text encoding that explains them.
    Binary,
    /// Marked or shaped as UTF-16 or UTF-32, but not valid in it (an odd length, an unpaired
    /// surrogate, a value past U+10FFFF): it cannot be scanned, and the report must say so.
    Undecodable(Encoding),
}

impl<'a> Text<'a> {
    /// The text to scan, if there is one.
    pub fn into_text(self) -> Option<Cow<'a, [u8]>> {
        match self {
            Text::AsStored(text) => Some(text),
            Text::Decoded(text, _) => Some(Cow::Owned(text)),
            Text::Binary | Text::Undecodable(_) => None,
        }
    }
}

/// Reads a file's bytes as text, the way every source does: UTF-32 and UTF-16 with a
/// byte-order mark, and UTF-16 without one (found by its NUL pattern), are decoded to UTF-8;
/// other bytes with a NUL in the first 8000 are binary, as git decides; anything else is
/// scanned as stored. UTF-16 and UTF-32 hold NUL bytes, so they are recognised before the
/// binary check, and a file that claims one of them but does not decode is
/// [`Text::Undecodable`], never scanned as something else or passed over silently. Line
/// numbers survive decoding; byte offsets and columns are those of the decoded text, which
/// is what an editor shows.
pub fn read_text<'a>(bytes: impl Into<Cow<'a, [u8]>>) -> Text<'a> {
    let bytes = bytes.into();
    let (encoding, body) = match byte_order_mark(&bytes) {
        Some((encoding, mark)) => (encoding, &bytes[mark..]),
        None if !has_nul(&bytes) => return Text::AsStored(bytes),
        None => match utf16_by_its_nuls(&bytes) {
            Some(encoding) => (encoding, &bytes[..]),
            None => return Text::Binary,
        },
    };
    match decode(body, encoding) {
        Some(text) => Text::Decoded(text, encoding),
        None => Text::Undecodable(encoding),
    }
}

/// The encoding a byte-order mark names, and the mark's length. UTF-32LE's mark starts with
/// UTF-16LE's, so it is asked first; UTF-16LE text whose first character is U+0000 reads as
/// UTF-32LE then, and is named as not decodable rather than guessed at (read as UTF-16, a
/// broken UTF-32 file would come out as text with a NUL between its characters, where no
/// secret can be found: a silent pass).
fn byte_order_mark(bytes: &[u8]) -> Option<(Encoding, usize)> {
    match bytes {
        [0xFF, 0xFE, 0x00, 0x00, ..] => Some((Encoding::Utf32Le, 4)),
        [0x00, 0x00, 0xFE, 0xFF, ..] => Some((Encoding::Utf32Be, 4)),
        [0xFF, 0xFE, ..] => Some((Encoding::Utf16Le, 2)),
        [0xFE, 0xFF, ..] => Some((Encoding::Utf16Be, 2)),
        _ => None,
    }
}

/// Whether [`read_text`] leaves content that starts with `first` as stored: no byte-order
/// mark and no NUL byte. `first` is the whole content, or at least its first
/// [`BINARY_SNIFF_LEN`] bytes: nothing past them changes the answer.
pub fn is_stored_as_text(first: &[u8]) -> bool {
    byte_order_mark(first).is_none() && !has_nul(first)
}

/// Whether git would call `bytes` binary: a NUL byte in the first 8000.
pub fn has_nul(bytes: &[u8]) -> bool {
    memchr::memchr(0, &bytes[..bytes.len().min(BINARY_SNIFF_LEN)]).is_some()
}

/// UTF-16 without a byte-order mark, as some Windows tools write it: in text that is mostly
/// ASCII every other byte is NUL. Of the first 8000 bytes, at least three quarters of the
/// two-byte units must be a printable ASCII character or a tab, CR or LF with a NUL on the
/// same side; binary data (machine code, images, tables of small numbers) falls short of
/// that. `None` when the bytes do not look like UTF-16.
fn utf16_by_its_nuls(bytes: &[u8]) -> Option<Encoding> {
    let sample = &bytes[..bytes.len().min(BINARY_SNIFF_LEN)];
    let units = sample.len() / 2;
    if units < 2 {
        return None;
    }
    let text_like = |b: u8| matches!(b, b'\t' | b'\n' | b'\r' | 0x20..=0x7E);
    let (mut little, mut big) = (0, 0);
    for pair in sample.chunks_exact(2) {
        little += usize::from(pair[1] == 0 && text_like(pair[0]));
        big += usize::from(pair[0] == 0 && text_like(pair[1]));
    }
    let enough = |count: usize| count * 4 >= units * 3;
    if enough(little) {
        Some(Encoding::Utf16Le)
    } else if enough(big) {
        Some(Encoding::Utf16Be)
    } else {
        None
    }
}

/// `body` (after any byte-order mark) decoded from `encoding` to UTF-8; `None` when it is
/// not valid in it.
fn decode(body: &[u8], encoding: Encoding) -> Option<Vec<u8>> {
    let text: String = match encoding {
        Encoding::Utf16Le | Encoding::Utf16Be => {
            if !body.len().is_multiple_of(2) {
                return None;
            }
            let from = if encoding == Encoding::Utf16Le { u16::from_le_bytes } else { u16::from_be_bytes };
            let units = body.chunks_exact(2).map(|pair| from([pair[0], pair[1]]));
            char::decode_utf16(units).collect::<Result<_, _>>().ok()?
        }
        Encoding::Utf32Le | Encoding::Utf32Be => {
            if !body.len().is_multiple_of(4) {
                return None;
            }
            let from = if encoding == Encoding::Utf32Le { u32::from_le_bytes } else { u32::from_be_bytes };
            body.chunks_exact(4)
                .map(|quad| char::from_u32(from([quad[0], quad[1], quad[2], quad[3]])))
                .collect::<Option<_>>()?
        }
    };
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
    newline_count(&text[..at]) + 1
}

/// How many `\n` bytes `text` holds. memchr counts with the widest vectors the processor has,
/// chosen as it runs: a plain count compiled for every x86-64 (SSE2) was 5% of a history scan.
fn newline_count(text: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', text).count()
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

    fn utf32(text: &str, bom: [u8; 4], to_bytes: fn(u32) -> [u8; 4]) -> Vec<u8> {
        let mut bytes = bom.to_vec();
        bytes.extend(text.chars().flat_map(|c| to_bytes(u32::from(c))));
        bytes
    }

    /// The decoded text, or what else the reader said.
    fn decoded(bytes: &[u8]) -> Result<(Vec<u8>, Encoding), Text<'_>> {
        match read_text(bytes) {
            Text::Decoded(text, encoding) => Ok((text, encoding)),
            other => Err(other),
        }
    }

    #[test]
    fn decodes_utf16_with_a_byte_order_mark() {
        let text = "caf\u{e9} \u{1F600}\r\nline two\n";
        let le = utf16(text, [0xFF, 0xFE], u16::to_le_bytes);
        let be = utf16(text, [0xFE, 0xFF], u16::to_be_bytes);
        assert_eq!(decoded(&le), Ok((text.as_bytes().to_vec(), Encoding::Utf16Le)));
        assert_eq!(decoded(&be), Ok((text.as_bytes().to_vec(), Encoding::Utf16Be)));
        assert_eq!(decoded(&[0xFF, 0xFE]), Ok((Vec::new(), Encoding::Utf16Le)));
    }

    /// Regression (issue 15): UTF-32 with a byte-order mark was decoded as UTF-16 (its
    /// little-endian mark starts with UTF-16's) and came out as text with no secret in it.
    #[test]
    fn decodes_utf32_with_a_byte_order_mark() {
        let text = "ZOOM_CLIENT_SECRET=abc\r\ncaf\u{e9} \u{1F600}\n";
        let le = utf32(text, [0xFF, 0xFE, 0, 0], u32::to_le_bytes);
        let be = utf32(text, [0, 0, 0xFE, 0xFF], u32::to_be_bytes);
        assert_eq!(decoded(&le), Ok((text.as_bytes().to_vec(), Encoding::Utf32Le)));
        assert_eq!(decoded(&be), Ok((text.as_bytes().to_vec(), Encoding::Utf32Be)));
        assert_eq!(decoded(&[0xFF, 0xFE, 0, 0]), Ok((Vec::new(), Encoding::Utf32Le)));
    }

    #[test]
    fn recognises_utf16_without_a_byte_order_mark_by_its_nuls() {
        let text = "# saved by a Windows tool\r\nZOOM_CLIENT_SECRET=abc\r\ncaf\u{e9}\r\n";
        let le = utf16(text, [0xFF, 0xFE], u16::to_le_bytes);
        let be = utf16(text, [0xFE, 0xFF], u16::to_be_bytes);
        assert_eq!(decoded(&le[2..]), Ok((text.as_bytes().to_vec(), Encoding::Utf16Le)));
        assert_eq!(decoded(&be[2..]), Ok((text.as_bytes().to_vec(), Encoding::Utf16Be)));
        let short = utf16("text", [0xFF, 0xFE], u16::to_le_bytes);
        assert_eq!(decoded(&short[2..]), Ok((b"text".to_vec(), Encoding::Utf16Le)));
    }

    #[test]
    fn what_does_not_decode_is_named_not_guessed() {
        let le = utf16("text", [0xFF, 0xFE], u16::to_le_bytes);
        assert_eq!(read_text(&le[..le.len() - 1]), Text::Undecodable(Encoding::Utf16Le), "odd length");
        assert_eq!(read_text(&le[2..le.len() - 1]), Text::Undecodable(Encoding::Utf16Le), "odd, no mark");
        let lone = [0xFF, 0xFE, 0x00, 0xD8, b'a', 0];
        assert_eq!(read_text(&lone[..]), Text::Undecodable(Encoding::Utf16Le), "lone surrogate");
        let past = [0, 0, 0xFE, 0xFF, 0, 0x11, 0, 0];
        assert_eq!(read_text(&past[..]), Text::Undecodable(Encoding::Utf32Be), "past U+10FFFF");
        let cut = utf32("text", [0xFF, 0xFE, 0, 0], u32::to_le_bytes);
        assert_eq!(read_text(&cut[..cut.len() - 1]), Text::Undecodable(Encoding::Utf32Le), "cut short");
        // UTF-16LE whose first character is U+0000 starts with UTF-32LE's mark: named, not guessed.
        let nul_first = utf16("\0text", [0xFF, 0xFE], u16::to_le_bytes);
        assert_eq!(read_text(&nul_first[..]), Text::Undecodable(Encoding::Utf32Le));
    }

    #[test]
    fn leaves_other_bytes_alone() {
        let mark = b"\xEF\xBB\xBFutf-8 with a mark";
        assert_eq!(read_text(&mark[..]), Text::AsStored(Cow::Borrowed(&mark[..])));
        assert_eq!(read_text(&b""[..]), Text::AsStored(Cow::Borrowed(&b""[..])));
        let latin1 = b"caf\xe9 \xff\xfe";
        assert_eq!(read_text(&latin1[..]).into_text().as_deref(), Some(&latin1[..]));
        // Machine code and tables of small numbers have NUL bytes but are not UTF-16.
        let elf = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00\x3e\x00";
        assert_eq!(read_text(&elf[..]), Text::Binary);
        let table: Vec<u8> = (0u16..2000).flat_map(|n| (n % 251).to_le_bytes()).collect();
        assert_eq!(read_text(&table[..]), Text::Binary);
        assert_eq!(read_text(&[0u8; 64][..]), Text::Binary);
        assert_eq!(read_text(&b"a\0"[..]), Text::Binary, "one unit is too little to tell");
    }

    #[test]
    fn counts_lines() {
        assert_eq!(line_count(b""), 0);
        assert_eq!(line_count(b"a"), 1);
        assert_eq!(line_count(b"a\n"), 1);
        assert_eq!(line_count(b"a\nb"), 2);
    }
}
