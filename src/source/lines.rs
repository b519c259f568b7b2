//! Which lines of a file's new version are added, compared with its old version.
//!
//! libgit2's blob diff looks up `.gitattributes` for every pair of blobs, which loads and
//! checksums the whole index (8 ms on a repository of 10,000 files, for a one-line change),
//! and its xdiff keeps both versions and per-line records of each in memory at once. Here the
//! old version is reduced to one token per line ([`OldLines`]) before the new one is read, and
//! the two token lists are compared with imara-diff's Myers algorithm: git's default
//! algorithm, ported from git's xdiff with the same heuristics that keep huge inputs fast.
//! Memory is the new version plus about 30 bytes per line; or, for a large file, the larger
//! of its new version plus 4 bytes a line and 30 bytes a line alone, when the new version is
//! tokenized ([`OldLines::new_lines`]) and let go before the two are compared. Either version
//! can also arrive in pieces, as a stream inflates it ([`LineFeed`], [`OldLines::push`],
//! [`OldLines::push_new`]), and is then never held whole just to be tokenized.
//! Where both versions are at hand anyway (a file of up to a megabyte in a scan of commits), the
//! lines they share at either end are found by comparing bytes, and never tokenized
//! ([`added_ranges_between`]).
//!
//! A line's token comes from two independently seeded 64-bit hashes of its bytes, seeds
//! drawn at random for each run, so the old text need not be kept. For a changed line to be
//! taken for an old one, both hashes would have to collide: for a file of a million lines the
//! chance is below one in 10^25 per run.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::ops::Range;

use foldhash::quality::RandomState;
use imara_diff::{Algorithm, Diff, Token};

use crate::change::line_count;

/// The old version of a file, as a token per line, ready to be compared with a new version.
pub struct OldLines {
    tokens: Vec<Token>,
    /// Each distinct line's first hash, and its second hash and token.
    distinct: HashMap<u64, (u64, Token), BuildHasherDefault<PreHashed>>,
    /// Tokens given out so far: the next line not seen before gets this one.
    token_count: u32,
    first: RandomState,
    second: RandomState,
}

impl OldLines {
    /// Tokenizes `text` (a file's old version as text); the text itself is not kept.
    pub fn of(text: &[u8]) -> OldLines {
        let mut old = OldLines::with_capacity(memchr::memchr_iter(b'\n', text).count() + 1);
        Lines::of(text).for_each(|line| old.push(line));
        old
    }

    /// No lines yet, with room for `lines`: the old version's lines are to be [pushed]
    /// (OldLines::push) one by one, as they arrive.
    pub fn with_capacity(lines: usize) -> OldLines {
        OldLines {
            tokens: Vec::with_capacity(lines),
            distinct: HashMap::default(),
            token_count: 0,
            first: RandomState::default(),
            second: RandomState::default(),
        }
    }

    /// Adds the old version's next line (with its line feed, if it has one).
    pub fn push(&mut self, line: &[u8]) {
        let (first, second) = (self.first.hash_one(line), self.second.hash_one(line));
        let token = match self.distinct.get(&first) {
            Some(&(known, token)) if known == second => token,
            // Another line with the same first hash gets a token that is never looked
            // up: a new line with that first hash counts as added, never as this one.
            Some(_) => self.new_token(),
            None => {
                let token = self.new_token();
                self.distinct.insert(first, (second, token));
                token
            }
        };
        self.tokens.push(token);
    }

    /// Gives back the room reserved for lines that never came.
    pub fn shrink_to_fit(&mut self) {
        self.tokens.shrink_to_fit();
    }

    fn new_token(&mut self) -> Token {
        self.token_count += 1;
        Token(self.token_count - 1)
    }

    /// How many lines the old version has.
    pub fn line_count(&self) -> u64 {
        self.tokens.len() as u64
    }

    /// The 1-based line ranges of `new` that the old version lacks, as git's diff reports
    /// them with no context lines.
    pub fn added_ranges(&self, new: &[u8]) -> Vec<Range<u32>> {
        self.added_ranges_of(&self.new_lines(new))
    }

    /// `new` (a file's new version as text) as tokens to compare with this old version: what
    /// [`OldLines::added_ranges_of`] needs of it, about 4 bytes a line, so that the text can be
    /// let go before the two are compared (the comparison takes about 16 bytes a line more).
    pub fn new_lines(&self, new: &[u8]) -> NewLines {
        let mut tokens = NewLines::with_capacity(memchr::memchr_iter(b'\n', new).count() + 1);
        Lines::of(new).for_each(|line| self.push_new(&mut tokens, line));
        tokens
    }

    /// Adds the new version's next line to `new`, its tokens so far.
    pub fn push_new(&self, new: &mut NewLines, line: &[u8]) {
        // Lines the old version lacks all share one token, which the old version never has.
        let token = match self.distinct.get(&self.first.hash_one(line)) {
            Some(&(second, token)) if second == self.second.hash_one(line) => token,
            _ => Token(self.token_count),
        };
        new.tokens.push(token);
    }

    /// The 1-based line ranges of the new version that `new` tokenized, and that the old
    /// version lacks: the same as [`OldLines::added_ranges`] on that text.
    pub fn added_ranges_of(&self, new: &NewLines) -> Vec<Range<u32>> {
        let mut diff = Diff::default();
        diff.compute_with(Algorithm::Myers, &self.tokens, &new.tokens, self.token_count + 1);
        // Hunks count lines from 0; git's (and `AddedLines`) from 1.
        diff.hunks()
            .filter(|hunk| !hunk.after.is_empty())
            .map(|hunk| hunk.after.start + 1..hunk.after.end + 1)
            .collect()
    }
}

/// The 1-based line ranges of `new` that `old` lacks, and how many lines `old` has: what
/// [`OldLines::of`] then [`OldLines::added_ranges`] give, for when both versions are at hand.
///
/// Most changes keep most lines, at either end. The comparison passes over the lines the two
/// versions begin with in common, then those they end with (imara-diff strips those tokens
/// before it runs Myers' algorithm). Found here by comparing bytes, those lines are never cut
/// up nor hashed: only the lines between are tokenized and compared, as they would have been.
pub fn added_ranges_between(old: &[u8], new: &[u8]) -> (u64, Vec<Range<u32>>) {
    let same = common_prefix_len(old, new);
    if same == old.len() && same == new.len() {
        return (u64::from(line_count(old)), Vec::new());
    }
    // The whole lines before the first byte that differs.
    let start = memchr::memrchr(b'\n', &old[..same]).map_or(0, |at| at + 1);
    let (old_rest, new_rest) = (&old[start..], &new[start..]);
    let same_end = common_suffix_len(old_rest, new_rest);
    // The whole lines after the last byte that differs: those that start where a line does in
    // both versions (the byte before is the same in both, or it is where the rest begins).
    let starts_line = |rest: &[u8], len: usize| len == rest.len() || rest[rest.len() - len - 1] == b'\n';
    let end = if starts_line(old_rest, same_end) && starts_line(new_rest, same_end) {
        same_end
    } else {
        let tail = &old_rest[old_rest.len() - same_end..];
        memchr::memchr(b'\n', tail).map_or(0, |at| same_end - at - 1)
    };
    let old_middle = &old_rest[..old_rest.len() - end];
    let new_middle = &new_rest[..new_rest.len() - end];
    // Whole lines: as many as their line feeds.
    let lines_before = u64::from(line_count(&old[..start]));
    let middle = OldLines::of(old_middle);
    let offset = u32::try_from(lines_before).unwrap_or(u32::MAX);
    let ranges = middle
        .added_ranges(new_middle)
        .into_iter()
        .map(|range| range.start.saturating_add(offset)..range.end.saturating_add(offset))
        .collect();
    (lines_before + middle.line_count() + u64::from(line_count(&old_rest[old_rest.len() - end..])), ranges)
}

/// How many bytes `a` and `b` begin with in common.
fn common_prefix_len(a: &[u8], b: &[u8]) -> usize {
    const CHUNK: usize = 64;
    let len = a.len().min(b.len());
    let mut at = 0;
    while at + CHUNK <= len && a[at..at + CHUNK] == b[at..at + CHUNK] {
        at += CHUNK;
    }
    at + a[at..len].iter().zip(&b[at..len]).take_while(|(x, y)| x == y).count()
}

/// How many bytes `a` and `b` end with in common.
fn common_suffix_len(a: &[u8], b: &[u8]) -> usize {
    const CHUNK: usize = 64;
    let len = a.len().min(b.len());
    let (a, b) = (&a[a.len() - len..], &b[b.len() - len..]);
    let mut done = 0;
    while done + CHUNK <= len && a[len - done - CHUNK..len - done] == b[len - done - CHUNK..len - done] {
        done += CHUNK;
    }
    done + a[..len - done].iter().rev().zip(b[..len - done].iter().rev()).take_while(|(x, y)| x == y).count()
}

/// A file's new version as one token per line, made by [`OldLines::new_lines`] for the old
/// version it is to be compared with.
pub struct NewLines {
    tokens: Vec<Token>,
}

impl NewLines {
    /// No lines yet, with room for `lines`, to be added by [`OldLines::push_new`].
    pub fn with_capacity(lines: usize) -> NewLines {
        NewLines { tokens: Vec::with_capacity(lines) }
    }

    /// Gives back the room reserved for lines that never came.
    pub fn shrink_to_fit(&mut self) {
        self.tokens.shrink_to_fit();
    }
}

/// Cuts text that arrives in pieces (as a stream inflates it) into the lines [`Lines`] would
/// cut it into whole. Only a line that runs across pieces is copied, into `partial`.
#[derive(Default)]
pub struct LineFeed {
    partial: Vec<u8>,
}

impl LineFeed {
    /// Hands `line` every line that `piece` completes.
    pub fn push(&mut self, mut piece: &[u8], line: &mut impl FnMut(&[u8])) {
        if !self.partial.is_empty() {
            let Some(at) = memchr::memchr(b'\n', piece) else {
                self.partial.extend_from_slice(piece);
                return;
            };
            self.partial.extend_from_slice(&piece[..=at]);
            line(&self.partial);
            self.partial.clear();
            piece = &piece[at + 1..];
        }
        let whole = memchr::memrchr(b'\n', piece).map_or(0, |at| at + 1);
        Lines::of(&piece[..whole]).for_each(&mut *line);
        self.partial.extend_from_slice(&piece[whole..]);
    }

    /// Hands `line` the last line, if the text does not end with a line feed.
    pub fn finish(self, line: &mut impl FnMut(&[u8])) {
        if !self.partial.is_empty() {
            line(&self.partial);
        }
    }
}

/// The lines of a text, each with its line feed; a last line without one is a line too.
struct Lines<'a> {
    rest: &'a [u8],
}

impl<'a> Lines<'a> {
    fn of(text: &'a [u8]) -> Self {
        Lines { rest: text }
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.rest.is_empty() {
            return None;
        }
        let end = memchr::memchr(b'\n', self.rest).map_or(self.rest.len(), |at| at + 1);
        let (line, rest) = self.rest.split_at(end);
        self.rest = rest;
        Some(line)
    }
}

/// A hasher for keys that are already hashes: it passes the key through.
#[derive(Default)]
struct PreHashed(u64);

impl Hasher for PreHashed {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, hash: u64) {
        self.0 = hash;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn added(old: &str, new: &str) -> Vec<Range<u32>> {
        OldLines::of(old.as_bytes()).added_ranges(new.as_bytes())
    }

    #[test]
    fn added_lines_are_those_a_diff_adds() {
        assert_eq!(added("a\nb\nc\n", "a\nb\nc\n"), vec![]);
        assert_eq!(added("a\nb\nc\n", "a\nx\nb\nc\ny\nz\n"), vec![2..3, 5..7]);
        assert_eq!(added("a\nb\nc\n", "a\nB\nc\n"), vec![2..3], "a changed line");
        assert_eq!(added("", "new\nline"), vec![1..3], "from nothing");
        assert_eq!(added("a\nb\n", ""), vec![], "everything removed");
    }

    #[test]
    fn tokens_taken_first_give_the_same_ranges() {
        let (old, new) = ("a\nb\nc\nd\n", "x\na\nc\nd\ny\nb");
        let old = OldLines::of(old.as_bytes());
        let tokens = old.new_lines(new.as_bytes());
        assert_eq!(old.added_ranges_of(&tokens), old.added_ranges(new.as_bytes()));
        assert_eq!(old.added_ranges_of(&tokens), vec![1..2, 5..7]);
    }

    #[test]
    fn a_moved_line_is_added_where_it_lands() {
        // Unlike a set of old lines, a diff sees a line moved past others as added again.
        assert_eq!(added("a\nb\nc\nd\n", "b\nc\nd\na\n"), vec![4..5]);
    }

    #[test]
    fn a_line_ending_is_part_of_the_line() {
        assert_eq!(added("a\nb", "a\nb\n"), vec![2..3], "a line feed added at the end");
        assert_eq!(added("a\r\nb\n", "a\nb\n"), vec![1..2], "CRLF to LF");
    }

    #[test]
    fn lines_fed_in_pieces_are_the_lines_of_the_whole() {
        let texts = ["", "a", "a\n", "a\nb", "ab\ncd\n\nefg\nh", "\n\n\n", "one long line without a feed"];
        for text in texts {
            let whole: Vec<&[u8]> = Lines::of(text.as_bytes()).collect();
            for piece_len in 1..=text.len().max(1) {
                let mut fed = Vec::new();
                let mut feed = LineFeed::default();
                for piece in text.as_bytes().chunks(piece_len) {
                    feed.push(piece, &mut |line| fed.push(line.to_vec()));
                }
                feed.finish(&mut |line| fed.push(line.to_vec()));
                assert_eq!(fed, whole, "{text:?} in pieces of {piece_len}");
            }
        }
    }

    /// What [`added_ranges_between`] gives, checked against tokenizing both versions whole.
    fn added_between(old: &str, new: &str) -> Vec<Range<u32>> {
        let whole = OldLines::of(old.as_bytes());
        let (lines, ranges) = added_ranges_between(old.as_bytes(), new.as_bytes());
        assert_eq!(lines, whole.line_count(), "the old version's lines, {old:?}");
        assert_eq!(ranges, whole.added_ranges(new.as_bytes()), "{old:?} to {new:?}");
        ranges
    }

    #[test]
    fn lines_in_common_at_either_end_are_passed_over_with_the_same_result() {
        assert_eq!(added_between("a\nb\nc\n", "a\nb\nc\n"), vec![]);
        assert_eq!(added_between("a\nb\nc\n", "a\nx\nb\nc\ny\nz\n"), vec![2..3, 5..7]);
        assert_eq!(added_between("a\nb", "a\nb\n"), vec![2..3], "a line feed added at the end");
        assert_eq!(added_between("a\nb", "a\nbc"), vec![2..3], "a last line made longer");
        assert_eq!(added_between("ab\nc\n", "b\nc\n"), vec![1..2], "a first line made shorter");
        assert_eq!(added_between("x\nx\n", "x\nx\nx\n"), vec![3..4], "a line repeated");
        assert_eq!(added_between("a\nb\n", "a\nb\na\nb\n"), vec![3..5], "the text repeated");
        assert_eq!(added_between("", "new\nline"), vec![1..3], "from nothing");
        assert_eq!(added_between("a\nb\n", ""), vec![], "everything removed");
        assert_eq!(added_between("same", "same"), vec![], "one line, no feed");
        let long: String = (0..500).map(|n| format!("line {n}\n")).collect();
        let changed = long.replace("line 250\n", "line 250 and more\n");
        assert_eq!(added_between(&long, &changed), vec![251..252], "past the 64-byte steps");
    }

    proptest::proptest! {
        #[test]
        fn passing_over_the_ends_never_changes_what_is_added(
            old in proptest::collection::vec(0..4usize, 0..24),
            new in proptest::collection::vec(0..4usize, 0..24),
            old_feed in proptest::bool::ANY,
            new_feed in proptest::bool::ANY,
        ) {
            // Few distinct lines, so that many are alike, and a last line with or without a feed.
            let text = |lines: &[usize], feed: bool| {
                let mut text: String = lines.iter().map(|&n| ["a\n", "b\n", "ab\n", "\n"][n]).collect();
                if !feed && text.ends_with('\n') {
                    text.pop();
                }
                text
            };
            added_between(&text(&old, old_feed), &text(&new, new_feed));
        }
    }

    #[test]
    fn repeated_lines_are_counted_one_by_one() {
        assert_eq!(added("x\nx\n", "x\nx\nx\n"), vec![3..4]);
        assert_eq!(added("}\n}\n", "}\nlet a = 1;\n}\n"), vec![2..3]);
    }
}
