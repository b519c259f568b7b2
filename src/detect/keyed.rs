//! Secrets found by their name: `ZOOM_CLIENT_SECRET=…`, `clientSecret: '…'`,
//! `os.getenv("ZOOM_API_SECRET", "…")`, `<ClientSecret>…</ClientSecret>`, a `zoom:` parent
//! key in YAML, a Kubernetes `name:`/`value:` pair.
//!
//! One pattern reads a key, the glue of any common assignment syntax, and a value of one of
//! Zoom's shapes. The key says which role the value plays (secret, token, identifier); the
//! value's length and charset say which credential it is (names lie: `ZOOM_API_KEY` often
//! holds an OAuth client ID). Indirections (`${VAR}`, `process.env.X`, `{{ secrets.X }}`,
//! `<client-secret>`) never match, because the glue does not admit `$`, `{` or `<`.

use once_cell::sync::Lazy;
use regex::bytes::{Match, Regex};

use super::context::mentions_zoom;
use super::kind::{IdentifierKind, Kind};
use super::names::{
    counts_in_wide_context, identifier_kind, names_other_vendor, names_own_secret, normalized,
    other_vendor_above, role_of, strictly_random, NAME_LOOKBACK,
};
use super::rules::{keyed_kind, paired_kind, Role, SdkInName};
use super::shape::{b64url_run_end, is_b64url, LongRuns, Shape};
use crate::change::line_around;

/// key, closing quotes/brackets, an assignment or argument separator, an opening quote,
/// and a value of 20–40 base64url characters that ends at a non-base64url character.
static ASSIGNMENT: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r#"(?x)
        (?P<key>[A-Za-z_$@][A-Za-z0-9_.$@-]*)
        (?:\\?["'`]|\])*[\ \t]*\)?(?:\*\*)?[\ \t]*
        (?:=>|:=|\?\?|\|\||=|:|,|>|\bor\b
          |\.unwrap_or(?:_else)?\((?:\|_\|)?
          |:[\ \t]*&?(?:'static[\ \t]+)?str[\ \t]*=
          |:[\ \t]*[Ss]tring[\ \t]*=
          |[\ \t]+string[\ \t]*=
          |[\ \t]+value[\ \t]*=
          |\{[\ \t]*get;[\ \t]*(?:(?:private[\ \t]+)?(?:set|init);[\ \t]*)?\}[\ \t]*=)
        [\ \t]*(?:\(|\[|&)?[\ \t]*
        (?:(?:[rR][bB]|[bB][rR]|[rbuRBU@])?\\?["'`])?
        (?P<value>[A-Za-z0-9_-]{20,40})
        (?:[^A-Za-z0-9_-]|$)"#,
    )
    .expect("the assignment pattern is valid")
});

/// An identifier and a secret side by side, with no name in front: `-u "<id>:<secret>"`,
/// `Buffer.from('<id>:<secret>')`, `ZoomClient('<key>', '<secret>')`,
/// `VALUES ('<id>', '<secret>')`, `Initialize("<sdk key>", "<sdk secret>")`, a CSV row
/// `zoom,<id>,<secret>`. A 20–22 character identifier must have the UUIDv4 structure (or the
/// short client ID ending), so that two random strings side by side rarely match; a
/// 36-character one must be followed by a 36-character secret.
static PAIR: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r#"(?x)
        (?:^|[^A-Za-z0-9_-])
        (?P<id>[A-Za-z0-9_-]{20,22}|[A-Za-z0-9]{36})
        (?::|,|\\?["'`][\ \t]*,[\ \t]*(?:\r?\n[\ \t]*)?(?:[rbuRBU@]?\\?["'`]))
        (?P<secret>[A-Za-z0-9]{36}|[A-Za-z0-9]{32})
        (?:[^A-Za-z0-9_-]|$)"#,
    )
    .expect("the pair pattern is valid")
});

/// Commands that set a variable with a space instead of `=`: a Dockerfile's legacy
/// `ENV NAME value`, fish `set -gx NAME value`, csh `setenv`, Apache `SetEnv`, nginx
/// `fastcgi_param NAME value;`, a C or Objective-C `#define NAME @"value"`.
static COMMAND_ASSIGNMENT: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r#"(?xm)
        ^[\ \t]*(?:ENV|set(?:[\ \t]+-[A-Za-z]+)*|setenv|SetEnv|fastcgi_param|uwsgi_param|PassEnv|\#define)[\ \t]+
        (?P<key>[A-Za-z_][A-Za-z0-9_]*)[\ \t]+@?["']?
        (?P<value>[A-Za-z0-9_-]{20,40})
        ["']?[\ \t]*;?[\ \t]*\r?$"#,
    )
    .expect("the command assignment pattern is valid")
});

/// A line that opens a mapping: `  meeting_sdk:`, `"zoom": {`.
static PARENT_KEY: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r#"^[ \t]*(?:-[ \t]+)?["']?(?P<key>[A-Za-z0-9_.-]+)["']?[ \t]*:[ \t]*\{?[ \t]*(?:#.*)?\r?$"#)
        .expect("the parent key pattern is valid")
});

/// A TOML or INI section header: `[zoom.meeting_sdk]`, `[[apps]]`.
static SECTION: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r#"^[ \t]*\[\[?(?P<section>[A-Za-z0-9_. "'-]+)\]\]?[ \t]*(?:[#;].*)?\r?$"#)
        .expect("the section pattern is valid")
});

/// Lines that say what the value below them is (`- name: BUILD_ID`, Terraform
/// `variable "…" {`): the search for a generic value's name stops there.
static NAMING_LINE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r#"(?:^|[^A-Za-z0-9_.-])name["']?[ \t]*[:=]|^[ \t]*(?:variable|resource|data|output)[ \t]+""#)
        .expect("the naming-line pattern is valid")
});

/// Identifier-like words on a line, for finding the name a generic `value:` belongs to.
static NAME: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"[A-Za-z_][A-Za-z0-9_.-]{2,100}").expect("the name pattern is valid"));

/// The longest key name taken: anything longer is not a name a person wrote.
const MAX_KEY_LEN: usize = 101;

/// Key names that only say "the value", whose real name is on a line just above
/// (`- name: ZOOM_CLIENT_SECRET` / `value: …`, Terraform `variable "…" { default = … }`).
const GENERIC_KEYS: &[&str] = &["value", "default", "defaultvalue"];

/// Names of Zoom identifiers under which a 32-character value is still taken as a client
/// secret, even when the name itself does not say `zoom` (`zoom:` / `  api_key: …`).
const ZOOM_IDENTIFIER_NAMES: &[&str] = &["clientid", "clientkey", "apikey", "accountid"];

/// A keyed value that is a Zoom secret.
#[derive(Debug, Clone)]
pub struct KeyedSecret {
    /// Byte range of the value.
    pub span: std::ops::Range<usize>,
    /// Which secret it is.
    pub kind: Kind,
    /// Whether it counted only through the file-wide or project-wide Zoom context (see
    /// [`ZoomNearby::wide`]), not through a Zoom name at or near it.
    pub wide: bool,
}

/// A keyed value that is a Zoom identifier (never a finding on its own).
#[derive(Debug, Clone)]
pub struct KeyedIdentifier {
    /// Byte offset of the value.
    pub at: usize,
    /// Which identifier it is.
    pub kind: IdentifierKind,
    /// The identifier itself.
    pub value: String,
}

/// Where the text says Zoom: lets a keyed value without `zoom` in its own name count.
pub trait ZoomNearby {
    /// Whether a Zoom reference stands near byte offset `at`.
    fn near(&self, at: usize) -> bool;

    /// Whether Zoom is said farther away: elsewhere in the file, or by the project around
    /// it. There a generic name (`API_SECRET`, `clientSecret`) counts only with a value of a
    /// Zoom shape that is plainly random, and never beside another vendor's name.
    fn wide(&self) -> bool {
        false
    }
}

/// What Zoom context a keyed value counts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// The key names Zoom, or Zoom is named near it.
    Near,
    /// Only the file or the project says Zoom.
    Wide,
}

/// Every keyed Zoom secret and identifier in `text`.
///
/// Every pattern here ends in a value that is a whole run of 20 to 40 value characters, so
/// one cheap pass first finds the lines that hold such a run, and the patterns run on those
/// lines only: most text never meets a regex. Of those lines, a pattern runs only where
/// [`PatternsThatCanKeep`] says that one of its matches could be kept.
pub fn find(text: &[u8], zoom_nearby: &dyn ZoomNearby) -> (Vec<KeyedSecret>, Vec<KeyedIdentifier>) {
    find_with(text, zoom_nearby, PatternsThatCanKeep::of)
}

/// [`find`], with `takes` saying which patterns run on each run of value lines (the tests
/// compare [`PatternsThatCanKeep::of`] with running every pattern everywhere).
fn find_with(
    text: &[u8],
    zoom_nearby: &dyn ZoomNearby,
    takes: impl Fn(&[u8], std::ops::Range<usize>) -> PatternsThatCanKeep,
) -> (Vec<KeyedSecret>, Vec<KeyedIdentifier>) {
    let mut found =
        KeyedSoFar { text, zoom_nearby, secrets: Vec::new(), identifiers: Vec::new(), parents: None };
    let lines = value_lines(text);
    for line in &lines {
        let takes = takes(text, line.clone());
        let haystack = &text[..line.end];
        if takes.assignment {
            let mut from = line.start;
            while let Some(caps) = ASSIGNMENT.captures_at(haystack, from) {
                let (Some(key), Some(value)) = (caps.name("key"), caps.name("value")) else {
                    break;
                };
                // The next search starts at this value, which may be the next key rather
                // than a value: in `key="ZOOM_WEBHOOK_SECRET_TOKEN" value="…"` the first
                // match reads the name as a value and must not swallow it.
                from = value.start();
                found.keyed(key, value);
            }
        }
        if takes.command {
            let mut from = line.start;
            while let Some(caps) = COMMAND_ASSIGNMENT.captures_at(haystack, from) {
                let (Some(key), Some(value)) = (caps.name("key"), caps.name("value")) else {
                    break;
                };
                from = value.end();
                found.keyed(key, value);
            }
        }
        if takes.pair {
            found.pairs(haystack, line.start);
        }
    }
    (found.secrets, found.identifiers)
}

/// The shortest and longest value the patterns take.
const VALUE_LENGTHS: std::ops::RangeInclusive<usize> = 20..=40;

/// The byte ranges of the lines (adjacent ones merged) that hold a whole run of value bytes
/// (`[A-Za-z0-9_-]`) of a length in [`VALUE_LENGTHS`].
///
/// A run of 20 bytes or more covers one of any 20 consecutive offsets, so only every 20th
/// offset is looked at until one holds a value byte; the run around it is then measured,
/// and a marked line is skipped to its end. Most bytes of ordinary text are never read.
fn value_lines(text: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut lines: Vec<std::ops::Range<usize>> = Vec::new();
    let mut runs = LongRuns::new(text, *VALUE_LENGTHS.start(), is_b64url, b64url_run_end);
    while let Some(run) = runs.next() {
        if !VALUE_LENGTHS.contains(&run.len()) {
            continue;
        }
        let line = line_around(text, run.start);
        match lines.last_mut() {
            Some(last) if last.end + 1 >= line.start => last.end = line.end,
            _ => lines.push(line.clone()),
        }
        runs.skip_to(line.end + 1);
    }
    lines
}

/// Which patterns could keep a match in a block of value lines: the block holds a value
/// that the pattern would capture and that [`KeyedSoFar::keyed`] or [`KeyedSoFar::pairs`] would not
/// throw away for its shape, its randomness or its ending alone. A pattern that cannot keep
/// a match is not run on the block; where one can, it runs exactly as it would everywhere.
#[derive(Debug, Default, PartialEq, Eq)]
struct PatternsThatCanKeep {
    /// [`ASSIGNMENT`]: a value after assignment glue.
    assignment: bool,
    /// [`COMMAND_ASSIGNMENT`]: a line that opens with a command word.
    command: bool,
    /// [`PAIR`]: a 32- or 36-character secret after `:`, `,` or a quote.
    pair: bool,
}

/// Words that open the lines [`COMMAND_ASSIGNMENT`] reads (`set` covers `setenv`).
const COMMAND_WORDS: &[&[u8]] =
    &[b"ENV", b"set", b"SetEnv", b"fastcgi_param", b"uwsgi_param", b"PassEnv", b"#define"];

/// How far back from a value [`PatternsThatCanKeep`] looks for the end of assignment glue; further than
/// that, it lets the pattern decide.
const GLUE_LOOKBACK: usize = 64;

impl PatternsThatCanKeep {
    /// What the patterns can keep on `lines` of `text`.
    fn of(text: &[u8], lines: std::ops::Range<usize>) -> PatternsThatCanKeep {
        let mut takes = PatternsThatCanKeep::default();
        let mut at = lines.start;
        while at < lines.end {
            if at == lines.start || text[at - 1] == b'\n' {
                let indent = text[at..lines.end].iter().take_while(|&&b| b == b' ' || b == b'\t').count();
                takes.command |=
                    COMMAND_WORDS.iter().any(|word| text[at + indent..lines.end].starts_with(word));
            }
            if !is_b64url(text[at]) {
                at += 1;
                continue;
            }
            let end = b64url_run_end(&text[..lines.end], at);
            takes.value_run(text, at..end);
            at = end;
        }
        takes
    }

    /// Notes what the whole run of value bytes `run` can give.
    fn value_run(&mut self, text: &[u8], run: std::ops::Range<usize>) {
        if run.len() < *VALUE_LENGTHS.start() || !ends_cleanly(text, run.end) {
            return;
        }
        let kept = |value: &[u8]| Shape::of(value).is_some_and(|shape| shape.looks_random(value));
        // A value is the whole run, or (after `or`, as in `x or-…`) the part from a `-`.
        let (shortest, longest) = (*VALUE_LENGTHS.start(), *VALUE_LENGTHS.end());
        let inside = run.end.saturating_sub(longest).max(run.start + 1)..=run.end - shortest;
        let starts =
            std::iter::once(run.start).chain(inside.filter(|&at| text[at - 1] == b'r' && text[at] == b'-'));
        for start in starts {
            let value = &text[start..run.end];
            if !self.assignment
                && VALUE_LENGTHS.contains(&value.len())
                && after_glue(text, start)
                && kept(value)
            {
                self.assignment = true;
            }
        }
        let value = &text[run.clone()];
        if !self.pair
            && matches!(value.len(), 32 | 36)
            && value.iter().all(u8::is_ascii_alphanumeric)
            && run.start > 0
            && matches!(text[run.start - 1], b':' | b',' | b'"' | b'\'' | b'`')
            && kept(value)
        {
            self.pair = true;
        }
    }
}

/// Whether the bytes before a value at `start` can end [`ASSIGNMENT`]'s glue: past the
/// quotes, string prefixes, spaces and brackets that may stand between them, the glue ends
/// in `=`, `:`, `>`, `?`, `|`, `,`, `or` or `_else(`.
fn after_glue(text: &[u8], start: usize) -> bool {
    let between = |b: u8| b" \t\"'`\\([&rRbBuU@".contains(&b);
    let mut at = start;
    while at > 0 && between(text[at - 1]) {
        at -= 1;
        if start - at > GLUE_LOOKBACK {
            return true;
        }
    }
    let Some(at) = at.checked_sub(1) else {
        return false;
    };
    match text[at] {
        b'=' | b':' | b'>' | b'?' | b'|' | b',' => true,
        b'o' => text.get(at + 1) == Some(&b'r'),
        b'e' => text.get(at + 1) == Some(&b'('),
        _ => false,
    }
}

/// What `find` has collected so far.
struct KeyedSoFar<'t> {
    text: &'t [u8],
    zoom_nearby: &'t dyn ZoomNearby,
    secrets: Vec<KeyedSecret>,
    identifiers: Vec<KeyedIdentifier>,
    /// The last line's byte range and its `parent_keys`.
    parents: Option<(std::ops::Range<usize>, Vec<&'t [u8]>)>,
}

impl<'t> KeyedSoFar<'t> {
    /// `parent_keys` of the line holding `at`, worked out once per line: values come in
    /// order, and walking back from each of many values on one long line is quadratic.
    fn parents_of(&mut self, at: usize) -> Vec<&'t [u8]> {
        if let Some((line, parents)) = &self.parents {
            if line.contains(&at) {
                return parents.clone();
            }
        }
        let parents = parent_keys(self.text, at);
        self.parents = Some((line_around(self.text, at), parents.clone()));
        parents
    }

    /// One value under one key.
    fn keyed(&mut self, key: Match<'_>, value: Match<'_>) {
        let text = self.text;
        // The pattern admits keys of any length (a bounded repetition there makes the regex
        // engine fall back from its DFA to a hundred times slower search); names are short.
        if key.len() > MAX_KEY_LEN || !ends_cleanly(text, value.end()) {
            return;
        }
        let Some(shape) = Shape::of(value.as_bytes()) else {
            return;
        };
        let key_bytes = effective_key(text, key.start(), key.as_bytes());
        let Some(role) = role_of(&key_bytes) else {
            return;
        };
        let key_is_zoom = mentions_zoom(&key_bytes);
        if !key_is_zoom && names_other_vendor(&key_bytes) {
            return;
        }
        let reach = if key_is_zoom || self.zoom_nearby.near(key.start()) {
            Reach::Near
        } else if self.zoom_nearby.wide() && counts_in_wide_context(&key_bytes, role, shape, value.as_bytes())
        {
            Reach::Wide
        } else {
            return;
        };
        if !shape.looks_random(value.as_bytes()) {
            return;
        }
        let parents = self.parents_of(key.start());
        // An application's own secret (`SESSION_SECRET`) is not Zoom's, nor is a generic name
        // under another vendor's heading (`# Twilio`); in a nested mapping, its parent keys
        // decide that (below).
        if !key_is_zoom
            && (names_own_secret(&key_bytes, &parents)
                || parents.is_empty() && other_vendor_above(text, key.start()))
        {
            return;
        }
        // `github:` / `  client_secret: …` beside a `zoom:` section is GitHub's.
        if !key_is_zoom
            && parents.iter().any(|parent| names_other_vendor(parent))
            && !parents.iter().any(|parent| mentions_zoom(parent))
        {
            return;
        }
        let name = normalized(&key_bytes);
        // `zoom:` / `  meeting_sdk:` / `    secret: …`: the SDK is named by a parent key.
        let sdk = match SdkInName::of(&name) {
            SdkInName::Unnamed
                if parents.iter().any(|p| SdkInName::of(&normalized(p)) == SdkInName::Named) =>
            {
                SdkInName::Named
            }
            said => said,
        };
        match keyed_kind(shape, role, sdk) {
            // A secret-shaped value under an identifier's name is a secret only when the name
            // is Zoom's (`ZOOM_API_KEY`, `client_id`), not any `BUILD_ID` or `ENCRYPTION_KEY`.
            Some(kind)
                if role != Role::Identifier
                    || key_is_zoom
                    || reach == Reach::Near && ZOOM_IDENTIFIER_NAMES.iter().any(|n| name.ends_with(n)) =>
            {
                self.secrets.push(KeyedSecret { span: value.range(), kind, wide: reach == Reach::Wide });
            }
            Some(_) => {}
            None if role == Role::Identifier => self.identifiers.push(KeyedIdentifier {
                at: value.start(),
                kind: identifier_kind(&name, shape),
                value: String::from_utf8_lossy(value.as_bytes()).into_owned(),
            }),
            None => {}
        }
    }

    /// Identifier–secret pairs written without names (see [`PAIR`]).
    /// The unnamed pairs in `haystack` (the text up to the end of a value line), from `from`.
    fn pairs(&mut self, haystack: &[u8], mut from: usize) {
        let text = self.text;
        while let Some(caps) = PAIR.captures_at(haystack, from) {
            let (Some(id), Some(secret)) = (caps.name("id"), caps.name("secret")) else {
                break;
            };
            from = secret.start();
            let (id_shape, secret_shape) = (Shape::of(id.as_bytes()), Shape::of(secret.as_bytes()));
            let Some((kind, id_kind)) =
                id_shape.zip(secret_shape).and_then(|(id, secret)| paired_kind(id, secret))
            else {
                continue;
            };
            let random =
                |shape: Option<Shape>, m: &Match<'_>| shape.is_some_and(|s| s.looks_random(m.as_bytes()));
            if !random(id_shape, &id) || !random(secret_shape, &secret) || !ends_cleanly(text, secret.end()) {
                continue;
            }
            let wide = if self.zoom_nearby.near(id.start()) {
                false
            } else if self.zoom_nearby.wide()
                && strictly_random(secret_shape, secret.as_bytes())
                && matches!(id_shape, Some(Shape::Uuid22 | Shape::ShortClientId))
                && !other_vendor_above(text, id.start())
            {
                true
            } else {
                continue;
            };
            self.secrets.push(KeyedSecret { span: secret.range(), kind, wide });
            self.identifiers.push(KeyedIdentifier {
                at: id.start(),
                kind: id_kind,
                value: String::from_utf8_lossy(id.as_bytes()).into_owned(),
            });
        }
    }
}

/// How far up `parent_keys` looks for the keys that enclose a line.
const MAX_PARENT_LINES: usize = 40;

/// The keys that enclose the line at `at`, nearest first: the indented mappings of YAML or
/// pretty-printed JSON (for `    secret: …` under `  meeting_sdk:` under `zoom:`, those two),
/// then the TOML or INI section (`[zoom.meeting_sdk]`). The mapping walk stops at the first
/// less-indented line that does not open a mapping; the section is the nearest header above.
fn parent_keys(text: &[u8], at: usize) -> Vec<&[u8]> {
    let indent_of = |line: &[u8]| line.iter().take_while(|&&b| b == b' ' || b == b'\t').count();
    let line_start = line_around(text, at).start;
    let mut indent = Some(indent_of(&text[line_start..])).filter(|&i| i > 0);
    let mut parents = Vec::new();
    let mut end = line_start;
    for _ in 0..MAX_PARENT_LINES {
        if end == 0 {
            break;
        }
        let start = text[..end - 1].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
        let line = &text[start..end - 1];
        end = start;
        if let Some(section) = SECTION.captures(line).and_then(|c| c.name("section")) {
            parents.push(section.as_bytes());
            break;
        }
        let content = &line[indent_of(line)..];
        if content.iter().all(u8::is_ascii_whitespace) || content.starts_with(b"#") {
            continue;
        }
        match indent {
            Some(current) if indent_of(line) < current => {
                let Some(key) = PARENT_KEY.captures(line).and_then(|c| c.name("key")) else {
                    break;
                };
                parents.push(key.as_bytes());
                indent = Some(indent_of(line)).filter(|&i| i > 0);
            }
            _ => {}
        }
    }
    parents
}

/// The value must not continue as base64 (`+`, `/`, `=`) or as a further dotted segment,
/// nor be cut short with `...` or `…` (a truncated sample in docs).
fn ends_cleanly(text: &[u8], end: usize) -> bool {
    match text.get(end) {
        Some(b'+' | b'/' | b'=') => false,
        Some(b'.') => !text.get(end + 1).copied().is_some_and(|b| is_b64url(b) || b == b'.'),
        _ => !text[end..].starts_with("…".as_bytes()),
    }
}

/// The key as written, or for a generic `value:`/`default =` the name on the closest of the
/// three lines above that says what the value is.
fn effective_key(text: &[u8], key_start: usize, key: &[u8]) -> Vec<u8> {
    if !GENERIC_KEYS.contains(&normalized(key).as_str()) {
        return key.to_vec();
    }
    // The key's own line first (`- {name: ZOOM_CLIENT_SECRET, value: …}`), then three above.
    let mut end = key_start;
    for _ in 0..4 {
        let (line, line_start) = line_tail(text, end);
        if let Some(name) = NAME.find_iter(line).filter(|m| role_of(m.as_bytes()).is_some()).last() {
            return name.as_bytes().to_vec();
        }
        if NAMING_LINE.is_match(line) {
            break; // `- name: CACHE_BUSTER`: the value is that, whatever is named further up
        }
        // A line longer than the lookback leaves what is above it too far away.
        let Some(above_end) = line_start.and_then(|start| start.checked_sub(1)) else { break };
        end = above_end;
    }
    key.to_vec()
}

/// The line that ends at `end` (a key's start, or a newline), and where it starts; when it
/// is longer than [`NAME_LOOKBACK`], only its last bytes from a word boundary on, and no start.
fn line_tail(text: &[u8], end: usize) -> (&[u8], Option<usize>) {
    let from = end.saturating_sub(NAME_LOOKBACK);
    match text[from..end].iter().rposition(|&b| b == b'\n') {
        Some(newline) => (&text[from + newline + 1..end], Some(from + newline + 1)),
        None if from == 0 => (&text[..end], Some(0)),
        None => {
            let tail = &text[from..end];
            let word_end = tail.iter().position(|&b| !(b.is_ascii_alphanumeric() || b"_.-".contains(&b)));
            (&tail[word_end.unwrap_or(tail.len())..], None)
        }
    }
}

#[cfg(test)]
mod value_line_tests {
    use super::*;
    use proptest::prelude::*;

    /// `value_lines` one byte at a time: every run measured, every line closed at its end.
    fn value_lines_bytewise(text: &[u8]) -> Vec<std::ops::Range<usize>> {
        let mut lines: Vec<std::ops::Range<usize>> = Vec::new();
        let (mut run, mut line_start, mut marked) = (0usize, 0usize, false);
        let close_line =
            |lines: &mut Vec<std::ops::Range<usize>>, start: usize, end: usize| match lines.last_mut() {
                Some(last) if last.end + 1 >= start => last.end = end,
                _ => lines.push(start..end),
            };
        for (at, &byte) in text.iter().enumerate() {
            if is_b64url(byte) {
                run += 1;
                continue;
            }
            marked |= VALUE_LENGTHS.contains(&run);
            run = 0;
            if byte == b'\n' {
                if marked {
                    close_line(&mut lines, line_start, at);
                }
                (line_start, marked) = (at + 1, false);
            }
        }
        if marked || VALUE_LENGTHS.contains(&run) {
            close_line(&mut lines, line_start, text.len());
        }
        lines
    }

    struct Everywhere;
    impl ZoomNearby for Everywhere {
        fn near(&self, _: usize) -> bool {
            true
        }
    }

    type Kept = (Vec<(std::ops::Range<usize>, Kind)>, Vec<(usize, IdentifierKind, String)>);

    fn kept(text: &[u8], takes: impl Fn(&[u8], std::ops::Range<usize>) -> PatternsThatCanKeep) -> Kept {
        let (secrets, ids) = find_with(text, &Everywhere, takes);
        (
            secrets.into_iter().map(|s| (s.span, s.kind)).collect(),
            ids.into_iter().map(|i| (i.at, i.kind, i.value)).collect(),
        )
    }

    /// Text made of keys, every kind of glue, and values of every length around Zoom's.
    fn keyed_text() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            4 => proptest::sample::select(vec![
                "ZOOM_CLIENT_SECRET", "client_secret", "zoom_api_key", "value", "- name: ZOOM_SDK_SECRET",
                "ENV ZOOM_CLIENT_SECRET", "set -gx zoom_secret", "SetEnv ZOOM_WEBHOOK_SECRET_TOKEN",
                "fastcgi_param zoom_token", "=", ":", ": ", "=>", ":=", " or ", "or", " ?? ", "||", ",", ">",
                ".unwrap_or(", ".unwrap_or_else(", ".unwrap_or_else(|_| ", ") ", ": &str = ", " string = ", "{ get; set; } = ", "\"",
                "'", "`", "r\"", "b'", "(", "[", "&", "\\", " ", "\t", "\n", "\r\n", "r-", "-", "_", ".", "+",
                "/", "=", "zoom:\n  ", "[zoom]\n",
            ]).prop_map(|piece| piece.as_bytes().to_vec()),
            3 => (0u64..1000, 0usize..8).prop_map(|(seed, which)| {
                let slots = ["{s32}", "{s36}", "{u22}", "{c21}", "{hex32}", "{a19}", "{a41}", "{a25}"];
                crate::synth::Synth::new(seed).expand(slots[which]).into_bytes()
            }),
            // Short client IDs of 20 characters, and of 21 that start with `-` (`key or-…`).
            1 => (0u64..1000, any::<bool>()).prop_map(|(seed, dash)| {
                let id = crate::synth::Synth::new(seed).client_id21();
                if dash { format!("-{}", &id[1..]) } else { id[1..].to_owned() }.into_bytes()
            }),
            1 => proptest::collection::vec(proptest::sample::select(&b"aZ09_-r"[..]), 1..45),
        ];
        proptest::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
    }

    #[test]
    fn a_value_after_or_may_start_inside_a_run() {
        let id = format!("-{}", &crate::synth::Synth::new(3).client_id21()[1..]);
        let text = format!("zoom_client_id or{id}\n");
        let everything = |_: &[u8], _: std::ops::Range<usize>| PatternsThatCanKeep {
            assignment: true,
            command: true,
            pair: true,
        };
        let found = kept(text.as_bytes(), everything);
        assert_eq!(found.1.iter().map(|(_, _, value)| value.as_str()).collect::<Vec<_>>(), [id.as_str()]);
        assert_eq!(kept(text.as_bytes(), PatternsThatCanKeep::of), found);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn probing_marks_the_lines_a_bytewise_pass_marks(text in keyed_text()) {
            prop_assert_eq!(value_lines(&text), value_lines_bytewise(&text));
        }

        #[test]
        fn skipping_patterns_keeps_every_value(text in keyed_text()) {
            let everything = |_: &[u8], _: std::ops::Range<usize>| PatternsThatCanKeep { assignment: true, command: true, pair: true };
            prop_assert_eq!(kept(&text, PatternsThatCanKeep::of), kept(&text, everything));
        }
    }

    #[test]
    fn only_lines_with_a_whole_run_of_value_length() {
        let twenty = "a".repeat(20);
        let text =
            format!("short=abc\nkey={twenty}\nnext={twenty}\n\nlong={}\nlast {twenty}", "b".repeat(41));
        let lines = value_lines(text.as_bytes());
        let shown: Vec<&str> = lines.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(shown, [format!("key={twenty}\nnext={twenty}"), format!("last {twenty}")]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Everywhere;
    impl ZoomNearby for Everywhere {
        fn near(&self, _: usize) -> bool {
            true
        }
    }

    fn values(text: &str) -> Vec<(String, Kind)> {
        find(text.as_bytes(), &Everywhere)
            .0
            .into_iter()
            .map(|s| (text[s.span.clone()].to_owned(), s.kind))
            .collect()
    }

    const SECRET: &str = "q8VwZ3nR7tKp2LmX9cYb4HdF6gJs1AeU";

    #[test]
    fn generic_values_on_one_long_line_are_named_by_their_neighbour() {
        let mut synth = crate::synth::Synth::new(11);
        let secrets: Vec<String> = (0..20).map(|_| synth.alnum(32)).collect();
        let filler = "x".repeat(5000);
        let line: String = secrets
            .iter()
            .map(|s| format!("{filler} {{\"name\":\"ZOOM_CLIENT_SECRET\",\"value\":\"{s}\"}}"))
            .collect();
        let found: Vec<String> = values(&line).into_iter().map(|(value, _)| value).collect();
        assert_eq!(found, secrets);
        // A name further back on the line than the lookback does not name the value.
        let far = format!("ZOOM_CLIENT_SECRET {} value: {}", "-".repeat(NAME_LOOKBACK), secrets[0]);
        assert!(values(&far).is_empty());
        let near = format!("ZOOM_CLIENT_SECRET {} value: {}", "-".repeat(NAME_LOOKBACK / 2), secrets[0]);
        assert_eq!(values(&near).len(), 1);
    }

    #[test]
    fn assignment_syntaxes() {
        for line in [
            format!("ZOOM_CLIENT_SECRET={SECRET}"),
            format!("export ZOOM_CLIENT_SECRET=\"{SECRET}\""),
            format!("client_secret: {SECRET}"),
            format!("\"clientSecret\": \"{SECRET}\","),
            format!("$zoom['client_secret'] => '{SECRET}',"),
            format!("os.getenv(\"ZOOM_CLIENT_SECRET\", \"{SECRET}\")"),
            format!("process.env.ZOOM_CLIENT_SECRET || '{SECRET}'"),
            format!("const ZOOM_CLIENT_SECRET: &str = \"{SECRET}\";"),
            format!("zoomClientSecret := \"{SECRET}\""),
            format!("<ClientSecret>{SECRET}</ClientSecret>"),
            format!("<add key=\"ZoomClientSecret\" value=\"{SECRET}\" />"),
            format!("\"    ZOOM_CLIENT_SECRET = \\\"{SECRET}\\\"\\n\","),
            format!("curl -d 'client_secret={SECRET}&grant_type=x'"),
            format!("env::var(\"ZOOM_CLIENT_SECRET\").unwrap_or(\"{SECRET}\".into())"),
        ] {
            assert_eq!(values(&line), vec![(SECRET.to_owned(), Kind::ClientSecret)], "{line}");
        }
    }

    #[test]
    fn indirections_are_not_values() {
        for line in [
            "ZOOM_CLIENT_SECRET=${ZOOM_CLIENT_SECRET_FROM_THE_VAULT}",
            "ZOOM_CLIENT_SECRET: ${{ secrets.ZOOM_CLIENT_SECRET_PRODUCTION }}",
            "clientSecret: process.env.ZOOM_CLIENT_SECRET_VALUE_X,",
            "ZOOM_CLIENT_SECRET=<your-zoom-client-secret-here>",
            "ZOOM_CLIENT_SECRET=%ZOOM_CLIENT_SECRET_FROM_WINDOWS%",
        ] {
            assert!(values(line).is_empty(), "{line}");
        }
    }

    #[test]
    fn generic_value_takes_the_name_above() {
        let k8s = format!("env:\n  - name: ZOOM_CLIENT_SECRET\n    value: \"{SECRET}\"\n");
        assert_eq!(values(&k8s).len(), 1);
        let tf = format!("variable \"zoom_client_secret\" {{\n  type = string\n  default = \"{SECRET}\"\n}}");
        assert_eq!(values(&tf).len(), 1);
        let unrelated = format!("- name: APP_MODE\n  value: \"{SECRET}\"\n");
        assert!(values(&unrelated).is_empty());
    }

    #[test]
    fn other_vendor_keys_are_skipped() {
        assert!(find(format!("STRIPE_SECRET_KEY={SECRET}").as_bytes(), &Everywhere).0.is_empty());
    }

    /// `(template, kinds found)`: templates are filled by `Synth`, seed 1.
    fn check(cases: &[(&str, &[Kind])]) {
        for (template, want) in cases {
            let text = crate::synth::Synth::new(1).expand(template);
            let got: Vec<Kind> = values(&text).into_iter().map(|(_, kind)| kind).collect();
            assert_eq!(&got, want, "{template}");
        }
    }

    #[test]
    fn a_long_name_read_as_a_value_does_not_hide_the_next_assignment() {
        check(&[
            ("<add key=\"ZOOM_WEBHOOK_SECRET_TOKEN\" value=\"{u22}\" />", &[Kind::WebhookSecretToken]),
            ("<add key=\"ZoomWebhookSecretTokenProd\" value=\"{u22}\" />", &[Kind::WebhookSecretToken]),
        ]);
    }

    #[test]
    fn more_assignment_syntaxes() {
        check(&[
            ("public string ClientSecret { get; set; } = \"{s32}\";", &[Kind::ClientSecret]),
            ("public string ClientSecret { get; init; } = \"{s32}\";", &[Kind::ClientSecret]),
            ("ENV ZOOM_CLIENT_SECRET {s32}", &[Kind::ClientSecret]),
            ("ENV ZOOM_CLIENT_SECRET={s32}", &[Kind::ClientSecret]),
            ("set -gx ZOOM_CLIENT_SECRET {s32}", &[Kind::ClientSecret]),
            ("fastcgi_param ZOOM_CLIENT_SECRET \"{s32}\";", &[Kind::ClientSecret]),
            ("SetEnv ZOOM_WEBHOOK_SECRET_TOKEN {u22}", &[Kind::WebhookSecretToken]),
        ]);
    }

    #[test]
    fn identifier_and_secret_side_by_side() {
        check(&[
            ("curl -u '{u22}:{s32}' https://zoom.us/oauth/token", &[Kind::ClientSecret]),
            ("curl --user \"{c21}:{s32}\"", &[Kind::ClientSecret]),
            ("Buffer.from(`{u22}:{s32}`)", &[Kind::ClientSecret]),
            ("ZoomClient('{u22}', '{s36}')", &[Kind::JwtApiSecret]),
            ("sdk.Initialize(\"{s36}\", \"{s36}\");", &[Kind::SdkSecret]),
            ("VALUES ('zoom', '{u22}', '{s32}');", &[Kind::ClientSecret]),
            ("zoom,{u22},{s32}", &[Kind::ClientSecret]),
            // Not an identifier of Zoom's structure, or not a random secret.
            ("'{hex32}', '{s32}'", &[]),
            ("'{u22}', '{hex32}'", &[]),
            ("'{s36}', '{s32}'", &[]),
            ("{u22}: {s32}", &[]),
        ]);
    }

    #[test]
    fn a_parent_key_or_section_can_name_the_sdk() {
        check(&[
            ("zoom:\n  meeting_sdk:\n    key: {s36}\n    secret: {s36}\n", &[Kind::SdkSecret]),
            ("zoom:\n  jwt:\n    secret: {s36}\n", &[Kind::JwtApiSecret]),
            ("{\n  \"videoSdk\": {\n    \"secret\": \"{s36}\"\n  }\n}", &[Kind::SdkSecret]),
            ("[zoom.meeting_sdk]\nkey = \"{s36}\"\nsecret = \"{s36}\"\n", &[Kind::SdkSecret]),
            ("[zoom_sdk]\nkey = 1\n\n[zoom]\nsecret = \"{s36}\"\n", &[Kind::JwtApiSecret]),
            ("sdk:\n  name: x\nother:\n  secret: {s36}\n", &[Kind::JwtApiSecret]),
        ]);
    }

    #[test]
    fn a_generic_value_is_named_by_the_nearest_naming_line() {
        check(&[
            (
                "- {name: ZOOM_ACCOUNT_ID, value: \"{u22}\"}\n- {name: ZOOM_CLIENT_SECRET, value: \"{s32}\"}",
                &[Kind::ClientSecret],
            ),
            ("- name: ZOOM_CLIENT_SECRET\n  valueFrom: {}\n- name: CACHE_BUSTER\n  value: \"{s32}\"", &[]),
        ]);
    }

    #[test]
    fn secret_shaped_values_under_other_identifiers_are_nothing() {
        check(&[
            ("ZOOM_API_KEY={s32}", &[Kind::ClientSecret]),
            ("api_key: {s32}", &[Kind::ClientSecret]),
            ("BUILD_ID={s32}", &[]),
            ("APP_ENCRYPTION_KEY={s32}", &[]),
        ]);
        let text = crate::synth::Synth::new(1).expand("BUILD_ID={s32}");
        assert!(find(text.as_bytes(), &Everywhere).1.is_empty(), "not an identifier either");
    }

    #[test]
    fn a_section_of_another_vendor_is_theirs() {
        check(&[
            ("zoom:\n  client_id: {u22}\ngithub:\n  client_secret: {s32}\n", &[]),
            ("[zoom]\nclient_id = {u22}\n\n[slack]\nclient_secret = {s32}\n", &[]),
            ("integrations:\n  zoom:\n    teams:\n      client_secret: {s32}\n", &[Kind::ClientSecret]),
            ("github:\n  ZOOM_CLIENT_SECRET: {s32}\n", &[Kind::ClientSecret]),
        ]);
    }

    #[test]
    fn the_url_validation_challenge_is_not_a_secret() {
        check(&[
            ("{\"plainToken\": \"{u22}\"}", &[]),
            ("{\"secretToken\": \"{u22}\"}", &[Kind::WebhookSecretToken]),
        ]);
    }
}
