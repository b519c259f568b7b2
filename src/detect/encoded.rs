//! Secrets that are not written as themselves:
//!
//! - `Authorization: Basic <base64 of "client_id:client_secret">` (curl, `.http` files,
//!   Postman collections, code);
//! - the base64 values of a Kubernetes `Secret`'s `data:`;
//! - percent-encoded query strings and form bodies (`client_secret%3D…`);
//! - string literals split and joined again: `"abc" + "def"`, adjacent literals, line
//!   continuations (Python, JavaScript, Java, Go, shell).
//!
//! Each becomes a small decoded *view*: a line of text that says the same thing plainly, which
//! the keyed reader scans like any other. A finding in a view is reported where the encoded
//! text was written, with the decoded value as its secret.

use std::ops::Range;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use once_cell::sync::Lazy;
use regex::bytes::Regex;

use super::shape::Shape;
use crate::change::line_around;

/// A decoded view of some encoded text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// The plain text: `<id>:<secret>`, `KEY: value`, a decoded line, a joined literal.
    pub text: Vec<u8>,
    /// The bytes of the original text it stands for (where a finding is reported).
    pub origin: Range<usize>,
}

static BASIC: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"(?i)\bbasic[ \t]+([A-Za-z0-9+/]{40,120}={0,2})").expect("valid pattern"));

static K8S_SECRET_KIND: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"(?m)^kind:[ \t]*Secret[ \t]*\r?$").expect("valid pattern"));

/// A `data:` entry: indented key, colon, a base64 value alone on the line.
static K8S_DATA_ENTRY: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r#"(?m)^([ \t]+)([A-Za-z0-9_.-]+)[ \t]*:[ \t]*["']?([A-Za-z0-9+/]{24,4096}={0,2})["']?[ \t]*\r?$"#,
    )
    .expect("valid pattern")
});

/// Escapes that percent-encoded assignments and JSON hold: `=`, `:`, `"`, `&`, `,`.
static PERCENT_ESCAPE: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"%(?:3[Dd]|3[Aa]|22|26|2[Cc])").expect("valid pattern"));

/// Two to eight string literals of value characters joined by `+`, juxtaposition, or a line
/// continuation, possibly across one line break.
static SPLIT_LITERAL: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r#"(?x)
        (?P<quote>["'])[A-Za-z0-9_-]{1,40}["']
        (?:
          (?:[\ \t]*\+[\ \t]*(?:\r?\n[\ \t]*)?|[\ \t]*\\?\r?\n[\ \t]*\+?[\ \t]*|[\ \t]*)
          ["'][A-Za-z0-9_-]{1,40}["']
        ){1,7}"#,
    )
    .expect("valid pattern")
});

/// How much of the text before joined literals their view keeps: more than any key name the
/// keyed reader accepts, with its quotes, brackets and assignment glue.
const KEY_AND_GLUE_MAX: usize = 256;

static LITERAL: Lazy<Regex> =
    Lazy::new(|| Regex::new(r#"["']([A-Za-z0-9_-]{1,40})["']"#).expect("valid pattern"));

/// Hands every decoded view of `text` to `each`, one at a time: a long line of many encoded
/// or split values costs memory for one view, not for all of them.
pub fn for_each_view(text: &[u8], mut each: impl FnMut(View)) {
    basic_auth(text, &mut each);
    kubernetes_data(text, &mut each);
    percent_encoded(text, &mut each);
    split_literals(text, &mut each);
}

fn basic_auth(text: &[u8], each: &mut impl FnMut(View)) {
    for caps in BASIC.captures_iter(text) {
        let token = caps.get(1).expect("the pattern has a group");
        let Ok(decoded) = STANDARD.decode(token.as_bytes()) else { continue };
        if decoded.contains(&b':') && decoded.iter().all(|b| b.is_ascii_graphic()) {
            each(View { text: decoded, origin: token.range() });
        }
    }
}

/// A Kubernetes `Secret`'s `data:` values, and elsewhere (Helm values, other YAML) the base64
/// values that decode to exactly one of Zoom's shapes (`zoom:` / `  clientSecret: <base64>`).
fn kubernetes_data(text: &[u8], each: &mut impl FnMut(View)) {
    let secret_manifest = K8S_SECRET_KIND.is_match(text);
    for caps in K8S_DATA_ENTRY.captures_iter(text) {
        let (key, value) = (&caps[2], caps.get(3).expect("the pattern has a value group"));
        let Ok(decoded) = STANDARD.decode(value.as_bytes()) else { continue };
        let decoded = decoded.strip_suffix(b"\n").unwrap_or(&decoded);
        if decoded.is_empty() || !decoded.iter().all(|b| b.is_ascii_graphic()) {
            continue;
        }
        if !secret_manifest && Shape::of(decoded).is_none() {
            continue;
        }
        let mut line = key.to_vec();
        line.extend_from_slice(b": ");
        line.extend_from_slice(decoded);
        each(View { text: line, origin: value.range() });
    }
}

fn percent_encoded(text: &[u8], each: &mut impl FnMut(View)) {
    let mut after_last_line = 0;
    for escape in PERCENT_ESCAPE.find_iter(text) {
        if escape.start() < after_last_line {
            continue; // this line is already decoded
        }
        let line = line_around(text, escape.start());
        after_last_line = line.end;
        each(View { text: percent_decode(&text[line.clone()]), origin: line });
    }
}

/// `%XX` escapes decoded, `+` as a space (form bodies); malformed escapes kept as they are.
fn percent_decode(text: &[u8]) -> Vec<u8> {
    let hex = |b: u8| char::from(b).to_digit(16).and_then(|d| u8::try_from(d).ok());
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        match (text[i], text.get(i + 1).copied().and_then(hex), text.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(high), Some(low)) => {
                out.push(high * 16 + low);
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

fn split_literals(text: &[u8], each: &mut impl FnMut(View)) {
    for run in SPLIT_LITERAL.find_iter(text) {
        let joined: Vec<u8> = LITERAL.captures_iter(run.as_bytes()).flat_map(|c| c[1].to_vec()).collect();
        // The line up to the first literal keeps the key and its glue: `secret = `. When the
        // literals open a line of their own (`SECRET = (` above), the key is on the line above.
        // Only the end of a long line can be the key: the view keeps at most its last bytes,
        // so that many runs on one line cost each their own length, not the line's.
        let mut line_start = line_start_within(text, run.start(), KEY_AND_GLUE_MAX);
        if text[line_start..run.start()].iter().all(u8::is_ascii_whitespace) && line_start > 0 {
            line_start = line_start_within(text, line_start - 1, KEY_AND_GLUE_MAX);
        }
        let mut line: Vec<u8> =
            text[line_start..run.start()].iter().copied().filter(|&b| b != b'\n' && b != b'\r').collect();
        line.push(b'"');
        line.extend_from_slice(&joined);
        line.push(b'"');
        each(View { text: line, origin: run.range() });
    }
}

/// Where the line holding `at` starts, or `at - within` if it starts further back: only that
/// many bytes are read.
fn line_start_within(text: &[u8], at: usize, within: usize) -> usize {
    let from = at.saturating_sub(within);
    memchr::memrchr(b'\n', &text[from..at]).map_or(from, |newline| from + newline + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(input: &str) -> Vec<String> {
        views(input.as_bytes()).into_iter().map(|v| String::from_utf8_lossy(&v.text).into_owned()).collect()
    }

    fn views(text: &[u8]) -> Vec<View> {
        let mut views = Vec::new();
        for_each_view(text, |view| views.push(view));
        views
    }

    #[test]
    fn basic_auth_is_decoded() {
        let encoded = STANDARD.encode("abcdefghijABCDEFGHIJ12:abcdefghijklmnopqrstuvwxyz123456");
        let input = format!("-H \"Authorization: Basic {encoded}\"");
        assert_eq!(texts(&input), ["abcdefghijABCDEFGHIJ12:abcdefghijklmnopqrstuvwxyz123456"]);
        let found = &views(input.as_bytes())[0];
        assert_eq!(&input.as_bytes()[found.origin.clone()], encoded.as_bytes());
    }

    #[test]
    fn kubernetes_data_needs_a_secret_manifest() {
        let value = STANDARD.encode("some-value-of-length-24!");
        let manifest = format!("apiVersion: v1\nkind: Secret\ndata:\n  ZOOM_CLIENT_SECRET: {value}\n");
        assert_eq!(texts(&manifest), ["ZOOM_CLIENT_SECRET: some-value-of-length-24!"]);
        let config_map = manifest.replace("kind: Secret", "kind: ConfigMap");
        assert!(texts(&config_map).is_empty());
    }

    #[test]
    fn elsewhere_only_values_that_decode_to_a_zoom_shape() {
        let secret = crate::synth::Synth::new(4).alnum(32);
        let helm = format!(
            "zoom:\n  clientSecret: {}\n  note: {}\n",
            STANDARD.encode(&secret),
            STANDARD.encode("some-value-of-length-24!")
        );
        assert_eq!(texts(&helm), [format!("clientSecret: {secret}")]);
    }

    #[test]
    fn percent_encoding_and_form_bodies() {
        assert_eq!(percent_decode(b"a%3Db%26c+d%2"), b"a=b&c d%2");
        assert_eq!(texts("next=%2Fcb%3Fclient_secret%3Dabc"), ["next=/cb?client_secret=abc"]);
    }

    #[test]
    fn split_literals_are_joined_with_their_key() {
        assert_eq!(texts("secret = \"abcd\" + \"efgh\" + 'ijkl'\n"), ["secret = \"abcdefghijkl\""]);
        assert_eq!(texts("SECRET=(\"abcd\"\n    \"efgh\")\n"), ["SECRET=(\"abcdefgh\""]);
        assert_eq!(texts("export S=\"abcd\"\\\n\"efgh\"\n"), ["export S=\"abcdefgh\""]);
        assert!(texts("call(\"a\", \"b\")").is_empty(), "arguments are not a split literal");
    }

    #[test]
    fn many_split_literals_on_one_line_each_keep_only_their_key() {
        // One line of 100 KB of adjacent literals: each view holds the bytes before its run up
        // to the bound, never the whole line before it (which made such a line quadratic).
        let line = "'zoom'".repeat(100_000 / 6);
        let views = views(line.as_bytes());
        assert_eq!(views.len(), (line.len() / 6).div_ceil(8), "one view per run of eight literals");
        let longest = views.iter().map(|v| v.text.len()).max().unwrap_or(0);
        assert!(longest <= KEY_AND_GLUE_MAX + 8 * 4 + 2, "a view of {longest} bytes");
        let keyed = format!("{}; client_secret = 'abcd' 'efgh'", "x".repeat(1000));
        assert_eq!(
            texts(&keyed),
            ["x".repeat(KEY_AND_GLUE_MAX - "; client_secret = ".len()) + "; client_secret = \"abcdefgh\""]
        );
    }
}
