//! What a credential value looks like: length and charset classes, the hidden UUIDv4
//! structure of Zoom's 22-character values, and the tests that tell a random secret from a
//! placeholder somebody typed.
//!
//! Placeholder words are matched as whole words, or at the very start or end of a value,
//! never as arbitrary substrings: substring stop-lists silently drop real secrets that
//! happen to contain `auth` or `code`.

/// The shape of a candidate value, decided by length and charset alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// 32 ASCII letters and digits: OAuth client secrets, new Meeting SDK secrets.
    Alnum32,
    /// 36 ASCII letters and digits: legacy JWT-app API secrets, legacy SDK keys and secrets.
    Alnum36,
    /// 22 base64url characters that decode as a UUIDv4: IDs, API keys, webhook tokens.
    Uuid22,
    /// 20 or 21 base64url characters ending `A`, `Q`, `g` or `w`: shorter client IDs.
    ShortClientId,
}

impl Shape {
    /// The shape of `value`, if it has one of Zoom's.
    pub fn of(value: &[u8]) -> Option<Shape> {
        let alnum = value.iter().all(u8::is_ascii_alphanumeric);
        match value.len() {
            32 if alnum => Some(Shape::Alnum32),
            36 if alnum => Some(Shape::Alnum36),
            22 if is_uuid22(value) => Some(Shape::Uuid22),
            20 | 21 if value.iter().all(|&b| is_b64url(b)) && ends_like_client_id(value) => {
                Some(Shape::ShortClientId)
            }
            _ => None,
        }
    }

    /// Whether a value of this shape is random enough to be a real credential.
    pub fn looks_random(self, value: &[u8]) -> bool {
        // `eyJ` opens a JWT segment (`{"` in base64url): a header cut from a token, not a secret.
        let jwt_piece = value.starts_with(b"eyJ");
        if jwt_piece
            || is_placeholder(value)
            || has_sequential_run(value, RANDOM_MAX_SEQUENTIAL_RUN)
            || has_repeat_run(value, RANDOM_MAX_REPEAT_RUN)
        {
            return false;
        }
        let mixed = char_classes(value) >= RANDOM_MIN_CHAR_CLASSES;
        match self {
            Shape::Alnum32 | Shape::Alnum36 => {
                mixed && !is_hex(value) && entropy(value) >= RANDOM_MIN_ENTROPY_LONG
            }
            Shape::Uuid22 | Shape::ShortClientId => mixed && entropy(value) >= RANDOM_MIN_ENTROPY_SHORT,
        }
    }
}

/// The randomness bar of [`Shape::looks_random`]. A run of this many characters in sequence
/// (`abcdef`, `123456`) is typed, not generated.
const RANDOM_MAX_SEQUENTIAL_RUN: usize = 6;
/// A run of this many equal characters (`xxxxx`) is typed, not generated.
const RANDOM_MAX_REPEAT_RUN: usize = 5;
/// Generated values mix at least this many of upper case, lower case and digits.
const RANDOM_MIN_CHAR_CLASSES: usize = 2;
/// The least Shannon entropy, in bits per character, of a 32- or 36-character value.
const RANDOM_MIN_ENTROPY_LONG: f64 = 3.5;
/// The least entropy of a 20- to 22-character value, whose short length caps what it can show.
const RANDOM_MIN_ENTROPY_SHORT: f64 = 3.0;

/// A base64url character: `[A-Za-z0-9_-]`, the bytes of every value and token.
#[inline]
pub fn is_b64url(b: u8) -> bool {
    B64URL[usize::from(b)]
}

/// The end of the run of base64url bytes from `at`: the first offset from `at` on that holds
/// another byte, or the text's end. Tokens and encoded values make long runs, so the bytes
/// are tested sixteen at a time, without a branch for each.
pub fn b64url_run_end(text: &[u8], at: usize) -> usize {
    const CHUNK: usize = 16;
    let mut end = at;
    while let Some(chunk) = text.get(end..end + CHUNK) {
        // A count, not `all`, so that no byte gets a branch of its own.
        if chunk.iter().map(|&b| usize::from(is_b64url(b))).sum::<usize>() != CHUNK {
            break;
        }
        end += CHUNK;
    }
    text[end..].iter().position(|&b| !is_b64url(b)).map_or(text.len(), |p| end + p)
}

/// The whole runs of bytes of one class (value bytes, base64) that are at least `min_len`
/// long, in order. A run that long covers one of any `min_len` consecutive offsets, so only
/// every `min_len`-th offset is read until one holds a byte of the class; the run around it is
/// then measured. Most bytes of ordinary text are never read.
pub struct LongRuns<'t, M, E> {
    text: &'t [u8],
    min_len: usize,
    member: M,
    /// Where the run that holds offset `at` ends (the first offset after it).
    run_end: E,
    /// No run crosses `from`: it is 0 or follows a byte outside the class.
    from: usize,
}

impl<'t, M: Fn(u8) -> bool, E: Fn(&[u8], usize) -> usize> LongRuns<'t, M, E> {
    /// The runs of `member` bytes in `text` of `min_len` (at least 1) or more; `run_end` finds
    /// where a run that holds an offset ends. (Generic, not function pointers: the byte test
    /// runs on every byte read, and must be inlined.)
    pub fn new(text: &'t [u8], min_len: usize, member: M, run_end: E) -> Self {
        LongRuns { text, min_len: min_len.max(1), member, run_end, from: 0 }
    }

    /// Goes on from offset `at` (a line's end, say), when that is further on.
    pub fn skip_to(&mut self, at: usize) {
        self.from = self.from.max(at);
    }
}

impl<M: Fn(u8) -> bool, E: Fn(&[u8], usize) -> usize> Iterator for LongRuns<'_, M, E> {
    type Item = std::ops::Range<usize>;

    fn next(&mut self) -> Option<Self::Item> {
        let text = self.text;
        loop {
            let probe_at = self.from + self.min_len - 1;
            let &probe = text.get(probe_at)?;
            if !(self.member)(probe) {
                self.from = probe_at + 1;
                continue;
            }
            let from = self.from;
            let start =
                text[from..probe_at].iter().rposition(|&b| !(self.member)(b)).map_or(from, |p| from + p + 1);
            let end = (self.run_end)(text, probe_at);
            self.from = end + 1;
            return Some(start..end);
        }
    }
}

/// [`is_b64url`] by byte value: a table lookup is what the scans over whole files need.
static B64URL: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
        byte += 1;
    }
    table
};

fn ends_like_client_id(value: &[u8]) -> bool {
    matches!(value.last(), Some(b'A' | b'Q' | b'g' | b'w'))
}

/// Whether 22 bytes are a base64url-encoded RFC 4122 version-4 UUID: the version nibble
/// pins index 8, the variant bits index 10, and the padding bits the last character.
pub fn is_uuid22(value: &[u8]) -> bool {
    value.len() == 22
        && value.iter().all(|&b| is_b64url(b))
        && matches!(value[8], b'Q'..=b'T')
        && b64url_index(value[10]) % 4 == 2
        && ends_like_client_id(value)
}

fn b64url_index(b: u8) -> u8 {
    match b {
        b'A'..=b'Z' => b - b'A',
        b'a'..=b'z' => b - b'a' + 26,
        b'0'..=b'9' => b - b'0' + 52,
        b'-' => 62,
        _ => 63,
    }
}

/// Shannon entropy of `value` in bits per character.
pub fn entropy(value: &[u8]) -> f64 {
    let mut counts = [0u32; 256];
    for &b in value {
        counts[usize::from(b)] += 1;
    }
    let len = value.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}

fn char_classes(value: &[u8]) -> usize {
    [
        value.iter().any(u8::is_ascii_uppercase),
        value.iter().any(u8::is_ascii_lowercase),
        value.iter().any(u8::is_ascii_digit),
    ]
    .iter()
    .filter(|&&present| present)
    .count()
}

fn is_hex(value: &[u8]) -> bool {
    value.iter().all(u8::is_ascii_hexdigit)
        && (value.iter().all(|b| !b.is_ascii_uppercase()) || value.iter().all(|b| !b.is_ascii_lowercase()))
}

/// Whether `value` holds a run of six characters that count up or down (`123456`, `fedcba`)
/// or five equal ones (`00000`): what a person types, not what a generator makes.
pub fn is_typed_sequence(value: &[u8]) -> bool {
    has_sequential_run(value, 6) || has_repeat_run(value, 5)
}

/// A run of `n` characters each one more (or each one less) than the one before: `abcdef`, `654321`.
fn has_sequential_run(value: &[u8], n: usize) -> bool {
    let lower: Vec<u8> = value.iter().map(u8::to_ascii_lowercase).collect();
    [1i16, -1].iter().any(|&step| {
        let mut run = 1;
        lower.windows(2).any(|w| {
            let next = i16::from(w[0]) + step == i16::from(w[1]) && w[0].is_ascii_alphanumeric();
            run = if next { run + 1 } else { 1 };
            run >= n
        })
    })
}

/// `n` equal characters in a row: `xxxxx`, `00000` (case counts: `MMMMm` is random).
fn has_repeat_run(value: &[u8], n: usize) -> bool {
    let mut run = 1;
    value.windows(2).any(|w| {
        run = if w[0] == w[1] { run + 1 } else { 1 };
        run >= n
    })
}

/// Words that mark a value as made up, wherever they stand in it (long enough that a random
/// value contains one with negligible probability).
const PLACEHOLDER_ANYWHERE: &[&str] = &[
    "example",
    "sample",
    "placeholder",
    "changeme",
    "change_me",
    "secret",
    "token",
    "dummy",
    "redacted",
    "replace",
    "insert",
    "xxxx",
    "yyyy",
    "zzzz",
    "client",
    "zoom",
    "password",
];

/// Short words that mark a value as made up when they open or close it, or stand alone as a
/// word in it (`test-key`, `fake_secret`, `mysecretHERE`).
const PLACEHOLDER_EDGE: &[&str] =
    &["your", "test", "fake", "here", "demo", "mock", "todo", "none", "null", "abc", "foo", "bar"];

/// Whether `value` reads as a placeholder rather than a generated credential.
///
/// A word counts only when it is written the way people write words: `mock`, `MOCK` or
/// `Mock`. A random value has `MoCK` or `zOom` in it about once in three thousand, and must
/// not be taken for a placeholder because of that.
pub fn is_placeholder(value: &[u8]) -> bool {
    if PLACEHOLDER_ANYWHERE.iter().any(|w| value.windows(w.len()).any(|part| is_word(part, w.as_bytes()))) {
        return true;
    }
    PLACEHOLDER_EDGE.iter().any(|w| {
        let w = w.as_bytes();
        value.get(..w.len()).is_some_and(|head| is_word(head, w))
            || value.len() >= w.len() && is_word(&value[value.len() - w.len()..], w)
            || value.split(|b| !b.is_ascii_alphanumeric()).any(|part| is_word(part, w))
    })
}

/// `part` spells the lower-case `word` in lower case, upper case or capitalised.
fn is_word(part: &[u8], word: &[u8]) -> bool {
    if !part.eq_ignore_ascii_case(word) {
        return false;
    }
    let letters = || part.iter().filter(|b| b.is_ascii_alphabetic());
    letters().all(u8::is_ascii_lowercase)
        || letters().all(u8::is_ascii_uppercase)
        || letters().skip(1).all(u8::is_ascii_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::Synth;

    #[test]
    fn shapes_by_length_and_charset() {
        let mut s = Synth::new(3);
        assert_eq!(Shape::of(s.alnum(32).as_bytes()), Some(Shape::Alnum32));
        assert_eq!(Shape::of(s.alnum(36).as_bytes()), Some(Shape::Alnum36));
        assert_eq!(Shape::of(s.uuid22().as_bytes()), Some(Shape::Uuid22));
        assert_eq!(Shape::of(s.client_id21().as_bytes()), Some(Shape::ShortClientId));
        assert_eq!(Shape::of(b"123e4567-e89b-42d3-a456-426614174000"), None);
        assert_eq!(Shape::of(b"short"), None);
    }

    #[test]
    fn random_values_pass_and_placeholders_do_not() {
        let mut s = Synth::new(11);
        for _ in 0..200 {
            let v = s.alnum(32);
            assert!(Shape::Alnum32.looks_random(v.as_bytes()), "{v}");
            let id = s.uuid22();
            assert!(Shape::Uuid22.looks_random(id.as_bytes()), "{id}");
        }
        for placeholder in [
            "your_client_secret_goes_here_ok1",
            "YOURCLIENTSECRETHERE000000000000",
            "abcdefghijklmnopqrstuvwxyz123456",
            "1234567890abcdefghijklmnopqrstuv",
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "d41d8cd98f00b204e9800998ecf8427e",
            "testR4nd0mV4lu3Qw9Zp2Lk8Hj5Nm1Xc",
        ] {
            assert!(!Shape::Alnum32.looks_random(placeholder.as_bytes()), "{placeholder}");
        }
    }

    #[test]
    fn words_in_odd_case_are_chance_not_placeholders() {
        let mut s = Synth::new(21);
        for (at, chance, typed) in [
            (0, "MoCK", "Mock"),
            (9, "zOom", "ZOOM"),
            (29, "fOO", "foo"),
            (14, "xxXX", "xxxx"),
            (20, "MMMMm", "MMMMM"),
        ] {
            let mut value = s.alnum(32).into_bytes();
            value[at..at + chance.len()].copy_from_slice(chance.as_bytes());
            assert!(Shape::Alnum32.looks_random(&value), "{}", String::from_utf8_lossy(&value));
            value[at..at + typed.len()].copy_from_slice(typed.as_bytes());
            assert!(!Shape::Alnum32.looks_random(&value), "{}", String::from_utf8_lossy(&value));
        }
    }

    #[test]
    fn runs_end_at_the_first_other_byte() {
        let text = b"abc_-09XYZ.abcdefghijklmnop=q";
        for at in 0..=text.len() {
            let bytewise = text[at..].iter().position(|&b| !is_b64url(b)).map_or(text.len(), |p| at + p);
            assert_eq!(b64url_run_end(text, at), bytewise, "from {at}");
        }
    }

    #[test]
    fn uuid_structure_positions() {
        assert!(is_uuid22(b"AbCdEfGhTxOmnopqrstuvg"));
        assert!(!is_uuid22(b"AbCdEfGhAxOmnopqrstuvg"), "index 8 must be Q-T");
        assert!(!is_uuid22(b"AbCdEfGhTxBmnopqrstuvg"), "index 10 must be a variant char");
        assert!(!is_uuid22(b"AbCdEfGhTxOmnopqrstuvb"), "last char must be A, Q, g or w");
    }
}
