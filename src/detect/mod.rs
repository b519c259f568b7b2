//! Detection: text in, findings out. Pure and infallible: no git, no I/O, no panics.
//!
//! One case-insensitive keyword pass over the whole file decides what runs: files without
//! `zoom` or `eyJ` (and without `zoom` in the path) cost a single Aho-Corasick scan. Then
//! JWTs are decoded and classified, keyed values are read with their names, and only the
//! candidates that lie on added lines become findings.

mod context;
mod encoded;
pub mod examples;
mod finding;
mod jwt;
mod keyed;
pub mod kind;
mod legacy;
pub mod literals;
mod names;
mod prefilter;
pub mod project;
pub mod rules;
pub mod shape;
mod unnamed;
pub mod verify;

use std::cell::OnceCell;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use crate::change::Change;
pub use finding::{fingerprint, is_unresolved, settle, settle_one, Because, Finding, Related};
pub use kind::{IdentifierKind, Kind, Severity};
pub use prefilter::may_matter;
use prefilter::{names_a_secret, Route, PREFILTER};
pub use rules::{rule_for, Rule, RULES};

/// Lines around a keyed value (before, after) in which a `zoom` reference puts it in Zoom context.
const ZOOM_CONTEXT_LINES: (u32, u32) = (40, 10);
/// Lines around a secret in which an identifier is taken as the one it belongs to.
const RELATED_LINES: u32 = 10;

/// What detection needs to know besides the text: the time, and whether the project around
/// the text uses Zoom (the `Context` of the design).
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// The current Unix time, to say whether a token has expired.
    pub now: i64,
    /// Whether the project uses Zoom, as far as the source knows.
    pub project: ProjectContext,
}

impl Default for ScanOptions {
    fn default() -> Self {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        ScanOptions { now, project: ProjectContext::Unknown }
    }
}

/// Whether the project around a text uses Zoom: in a Zoom project, generic names
/// (`API_SECRET`, `clientSecret`) hold Zoom secrets when their values have Zoom's shapes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ProjectContext {
    /// Not known yet. Findings that need it come back with [`Because::ProjectUnresolved`],
    /// for the caller to [`settle`] once it has looked (only then: most texts need no look).
    #[default]
    Unknown,
    /// The project uses Zoom, for this reason ("package.json depends on @zoom/meetingsdk").
    Zoom(Arc<str>),
    /// The project does not use Zoom (`git config zoomguard.zoomProject false`).
    NotZoom,
}

/// A secret somewhere in the file.
struct Candidate {
    /// Where it is written.
    span: Range<usize>,
    kind: Kind,
    expires_at: Option<i64>,
    related: Option<Related>,
    /// The value, when it is written encoded (base64, percent-encoded, split) at `span`.
    decoded: Option<String>,
    /// Whether it counted only through the file's or the project's Zoom context.
    wide: bool,
}

/// Finds the Zoom secrets that `change` adds. Findings that would count only if the
/// project uses Zoom, when that is not known, are settled by what the change itself shows.
pub fn scan(change: &Change, options: &ScanOptions) -> Vec<Finding> {
    let Scanned { mut findings, signal } = scan_unsettled(change, options);
    settle(&mut findings, signal.map(Arc::from).as_ref());
    findings
}

/// What [`scan_unsettled`] found in one text.
#[derive(Debug, Default)]
pub struct Scanned {
    /// The findings, some perhaps waiting for the project's context ([`is_unresolved`]).
    pub findings: Vec<Finding>,
    /// Why this text shows that its project uses Zoom, if it does (see [`project::signal`]).
    pub signal: Option<String>,
}

/// [`scan`], leaving the findings that wait for the project's context to the caller, who
/// may know more (the other files of a commit, the project's manifests).
pub fn scan_unsettled(change: &Change, options: &ScanOptions) -> Scanned {
    let text = change.text.as_slice();
    let mut zoom_hits = Vec::new();
    let mut jwt_starts = Vec::new();
    let mut mentions = Vec::new();
    PREFILTER.for_each_hit(text, |at, route| match route {
        Route::ZoomName => {
            mentions.push(at);
            if context::is_zoom_reference(text, at) {
                zoom_hits.push(at);
            }
        }
        Route::TokenStart(word) if text[at..].starts_with(word.as_bytes()) => jwt_starts.push(at),
        Route::TokenStart(_) => {}
        Route::ZoomWord => {
            // Zoom's webhook headers say Zoom as plainly as the word does.
            mentions.push(at);
            zoom_hits.push(at);
        }
    });
    let signal = project::signal(&change.path, text, &mentions);
    let keywords = Keywords { zoom_hits: &zoom_hits, jwt_starts };
    Scanned { findings: find(change, options, text, keywords), signal }
}

/// What the keyword pass found in a text.
struct Keywords<'a> {
    /// The offsets of the references to Zoom.
    zoom_hits: &'a [usize],
    /// The offsets where a JWT may start.
    jwt_starts: Vec<usize>,
}

/// The findings of `text` (the text of `change`), given what the keyword pass found.
fn find(change: &Change, options: &ScanOptions, text: &[u8], keywords: Keywords<'_>) -> Vec<Finding> {
    let Keywords { zoom_hits, jwt_starts } = keywords;
    let path_is_zoom = context::mentions_zoom(change.path.as_bytes());
    let says_zoom = !jwt_starts.is_empty() || !zoom_hits.is_empty() || path_is_zoom;
    // Only a generic secret's name can make a file that never says Zoom hold a finding: the
    // words of such names are looked for only when nothing else would run.
    let project_may_be_zoom =
        options.project != ProjectContext::NotZoom && (says_zoom || names_a_secret(text));
    if !says_zoom && !project_may_be_zoom {
        return Vec::new();
    }

    // Line numbers are worked out on first use: most files with a keyword hold no secret,
    // and a keyed value asks for them only to look for Zoom nearby.
    let lines = OnceCell::new();
    let mut candidates: Vec<Candidate> = Vec::new();
    if !jwt_starts.is_empty() {
        for token in jwt::find(text, jwt_starts) {
            let related = token.related.map(|(kind, value)| Related { kind, value });
            candidates.push(Candidate {
                span: token.span,
                kind: token.kind,
                expires_at: token.expires_at,
                related,
                decoded: None,
                wide: false,
            });
        }
    }
    // Old base64 SDK signatures sit beside `ZoomMtg` calls; a file that never names Zoom is not
    // searched for them, even in a project that may use Zoom (the search reads every byte).
    let may_hold_signature =
        !zoom_hits.is_empty() || path_is_zoom || matches!(options.project, ProjectContext::Zoom(_));
    if may_hold_signature && legacy::may_be_in(text) {
        for signature in legacy::find(text) {
            let kind =
                if signature.key.len() == 22 { IdentifierKind::ApiKey } else { IdentifierKind::SdkKey };
            candidates.push(Candidate {
                span: signature.span,
                kind: Kind::SdkSignature,
                expires_at: Some(signature.expires_at),
                related: Some(Related { kind, value: signature.key }),
                decoded: None,
                wide: false,
            });
        }
    }
    // A Zoom token in the file says Zoom as plainly as the word does.
    let first_zoom_mention = zoom_hits.iter().chain(candidates.iter().map(|c| &c.span.start)).min().copied();
    let mut identifiers = Vec::new();
    if first_zoom_mention.is_some() || path_is_zoom || project_may_be_zoom {
        let nearby = ZoomLines {
            text,
            lines: &lines,
            hits: zoom_hits,
            hit_lines: OnceCell::new(),
            whole_file: path_is_zoom,
            wide: first_zoom_mention.is_some() || project_may_be_zoom,
        };
        let (mut secrets, ids) = keyed::find(text, &nearby);
        secrets.extend(unnamed::find(text, &nearby));
        identifiers = ids;
        candidates.extend(secrets.into_iter().map(|s| Candidate {
            span: s.span,
            kind: s.kind,
            expires_at: None,
            related: None,
            decoded: None,
            wide: s.wide,
        }));
        // Encoded and split values are read where the file itself names Zoom.
        if !zoom_hits.is_empty() || path_is_zoom {
            let plain: Vec<Range<usize>> = candidates.iter().map(|c| c.span.clone()).collect();
            candidates.extend(decoded_candidates(text, &nearby, &plain));
        }
    }

    if candidates.is_empty() {
        return Vec::new();
    }
    let lines = lines.get_or_init(|| LineIndex::new(text));
    let ids_by_line = identifiers_by_line(&identifiers, lines);
    let wide_reason = || match (first_zoom_mention, &options.project) {
        (Some(at), _) => Because::ZoomInFile { line: lines.line_of(at) },
        (None, ProjectContext::Zoom(reason)) => Because::Project(reason.clone()),
        (None, _) => Because::ProjectUnresolved,
    };
    let api_specification = is_api_specification(text);
    let mut findings: Vec<Finding> = candidates
        .into_iter()
        .filter_map(|candidate| {
            let Candidate { span, kind, expires_at, related, decoded, wide } = candidate;
            let line = lines.line_of(span.start);
            if !change.added.contains(line) {
                return None;
            }
            if api_specification && lines.is_example(text, line) {
                return None;
            }
            let related = related.or_else(|| nearest_identifier(&identifiers, &ids_by_line, line));
            Some(Finding {
                rule: rule_for(kind),
                line,
                column: 0, // set below, once the findings are in order
                secret: decoded.unwrap_or_else(|| String::from_utf8_lossy(&text[span.clone()]).into_owned()),
                span,
                related,
                expires_at,
                expired: expires_at.is_some_and(|exp| exp <= options.now),
                proof: None,
                because: wide.then(wide_reason),
            })
        })
        .collect();
    findings.sort_by_key(|f| f.span.start);
    findings.dedup_by(|a, b| a.span == b.span && a.secret == b.secret);
    lines.set_columns(text, &mut findings);
    findings
}

/// The offset of every `eyJ` in `text`, where a JWT may start (see [`jwt::find`]).
fn jwt_starts(text: &[u8]) -> Vec<usize> {
    let mut starts = Vec::new();
    PREFILTER.for_each_hit(text, |at, route| {
        if let Route::TokenStart(word) = route {
            if text[at..].starts_with(word.as_bytes()) {
                starts.push(at);
            }
        }
    });
    starts
}

/// Secrets written encoded or split (see [`encoded`]): each decoded view is read like any
/// other text, in the Zoom context of the place it was written. A value that the plain
/// reading already found (`plain`) in that place is not found twice.
fn decoded_candidates(text: &[u8], nearby: &ZoomLines<'_>, plain: &[Range<usize>]) -> Vec<Candidate> {
    let mut candidates = Vec::new();
    encoded::for_each_view(text, |view| {
        let at_origin = AtOrigin { nearby, origin: view.origin.start };
        let mut found: Vec<(Range<usize>, Kind, Option<i64>, bool)> = keyed::find(&view.text, &at_origin)
            .0
            .into_iter()
            .map(|s| (s.span, s.kind, None, s.wide))
            .collect();
        found.extend(
            jwt::find(&view.text, jwt_starts(&view.text))
                .into_iter()
                .map(|t| (t.span, t.kind, t.expires_at, false)),
        );
        for (span, kind, expires_at, wide) in found {
            let value = &view.text[span];
            let found_plainly = plain.iter().any(|p| {
                p.start >= view.origin.start && p.end <= view.origin.end && &text[p.clone()] == value
            });
            if found_plainly {
                continue;
            }
            candidates.push(Candidate {
                span: view.origin.clone(),
                kind,
                expires_at,
                related: None,
                decoded: Some(String::from_utf8_lossy(value).into_owned()),
                wide,
            });
        }
    });
    candidates
}

/// Zoom context as seen from the place an encoded view was written.
struct AtOrigin<'a> {
    nearby: &'a ZoomLines<'a>,
    origin: usize,
}

impl keyed::ZoomNearby for AtOrigin<'_> {
    fn near(&self, _: usize) -> bool {
        keyed::ZoomNearby::near(self.nearby, self.origin)
    }

    fn wide(&self) -> bool {
        keyed::ZoomNearby::wide(self.nearby)
    }
}

/// The JWT decoder on its own: which Zoom token `token` (one `header.claims.signature`
/// string) is, if any. Detection calls it through [`scan`]; this entry point is for fuzzing.
#[doc(hidden)]
pub fn classify_jwt(token: &[u8]) -> Option<Kind> {
    jwt::classify(token).map(|(kind, _, _)| kind)
}

/// For each line that holds an identifier, the first of them (in the order found), so that
/// each finding looks at a few lines rather than at every identifier in the file.
fn identifiers_by_line(ids: &[keyed::KeyedIdentifier], lines: &LineIndex) -> HashMap<u32, usize> {
    let mut by_line = HashMap::new();
    for (index, id) in ids.iter().enumerate() {
        by_line.entry(lines.line_of(id.at)).or_insert(index);
    }
    by_line
}

/// The identifier nearest to `line`, within [`RELATED_LINES`]; of equally near ones, the
/// first found.
fn nearest_identifier(
    ids: &[keyed::KeyedIdentifier],
    by_line: &HashMap<u32, usize>,
    line: u32,
) -> Option<Related> {
    (0..=RELATED_LINES)
        .find_map(|distance| {
            let above = line.checked_sub(distance).and_then(|l| by_line.get(&l));
            let below = line.checked_add(distance).and_then(|l| by_line.get(&l));
            above.into_iter().chain(below).min().copied()
        })
        .map(|index| Related { kind: ids[index].kind, value: ids[index].value.clone() })
}

/// The lines on which Zoom is mentioned, as seen from a keyed value.
struct ZoomLines<'a> {
    text: &'a [u8],
    /// The text's line index, built by whoever needs it first.
    lines: &'a OnceCell<LineIndex>,
    /// The offsets of the Zoom references, and (once asked) their lines.
    hits: &'a [usize],
    hit_lines: OnceCell<Vec<u32>>,
    whole_file: bool,
    /// Whether the file names Zoom somewhere, or the project may use it.
    wide: bool,
}

impl keyed::ZoomNearby for ZoomLines<'_> {
    fn near(&self, at: usize) -> bool {
        if self.whole_file {
            return true;
        }
        let lines = self.lines.get_or_init(|| LineIndex::new(self.text));
        let hit_lines =
            self.hit_lines.get_or_init(|| self.hits.iter().map(|&at| lines.line_of(at)).collect());
        let line = lines.line_of(at);
        let (before, after) = ZOOM_CONTEXT_LINES;
        let first = line.saturating_sub(before);
        let i = hit_lines.partition_point(|&l| l < first);
        hit_lines.get(i).is_some_and(|&l| l <= line + after)
    }

    fn wide(&self) -> bool {
        self.wide
    }
}

/// Whether `text` is an OpenAPI or Swagger document (Zoom publishes its API as one, and
/// projects vendor it): its examples are the publisher's samples, not anyone's credentials.
fn is_api_specification(text: &[u8]) -> bool {
    let head = &text[..text.len().min(API_SPECIFICATION_HEAD)];
    [&b"\"openapi\""[..], b"\"swagger\"", b"openapi:", b"swagger:"]
        .iter()
        .any(|key| memchr::memmem::find(head, key).is_some())
}

/// How far into a text [`is_api_specification`] looks for its version key.
const API_SPECIFICATION_HEAD: usize = 2048;

/// How much of a line [`LineIndex::is_example`] reads (a minified specification is one line).
const EXAMPLE_LOOKBACK: usize = 4096;

/// Byte offsets of line starts, to turn offsets into line and column.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &[u8]) -> Self {
        let mut starts = vec![0];
        starts.extend(text.iter().enumerate().filter(|(_, &b)| b == b'\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// Whether 1-based `line`, or the line above it (a YAML `example:` key), names an example.
    fn is_example(&self, text: &[u8], line: u32) -> bool {
        let range_of = |line: u32| {
            let start = self.starts[line as usize - 1];
            let end = self.starts.get(line as usize).map_or(text.len(), |&next| next);
            start..end
        };
        let mentions = |line: u32| {
            let range = range_of(line);
            let bytes = &text[range.start..range.end.min(range.start + EXAMPLE_LOOKBACK)];
            memchr::memmem::find(bytes, b"example").is_some()
                || memchr::memmem::find(bytes, b"Example").is_some()
        };
        mentions(line) || line > 1 && mentions(line - 1)
    }

    /// 1-based line of byte offset `at`.
    fn line_of(&self, at: usize) -> u32 {
        u32::try_from(self.starts.partition_point(|&s| s <= at)).unwrap_or(u32::MAX)
    }

    /// Sets each finding's 1-based column, in characters (of lossy UTF-8). `findings` are in
    /// order, so each line is counted once from its start, however many findings it holds:
    /// counting from the line start for every finding is quadratic on a long line. Findings
    /// start with an ASCII byte, so counting on from one of them counts what a whole-line
    /// count would.
    fn set_columns(&self, text: &[u8], findings: &mut [Finding]) {
        let mut counted_to: Option<(usize, u32)> = None; // a byte offset and its column
        for finding in findings {
            let line_start = self.starts[finding.line as usize - 1];
            let (from, column) = match counted_to {
                Some((at, column)) if at >= line_start => (at, column),
                _ => (line_start, 1),
            };
            let chars = String::from_utf8_lossy(&text[from..finding.span.start]).chars().count();
            finding.column = column.saturating_add(u32::try_from(chars).unwrap_or(u32::MAX));
            counted_to = Some((finding.span.start, finding.column));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::AddedLines;
    use crate::synth::Synth;

    /// What a source may pass over without working out its added lines must be what `scan`
    /// finds nothing in, whichever lines are added and whatever the project.
    #[test]
    fn what_cannot_matter_is_what_finds_nothing() {
        let mut synth = Synth::new(31);
        let secret = synth.alnum(32);
        let cases = [
            ("src/app.rs", "fn main() { let total = count + 1; }\n".to_owned(), false),
            ("src/zoom/app.rs", "let total = 1;\n".to_owned(), true),
            ("src/app.rs", "// Zoom\n".to_owned(), true),
            ("src/app.rs", "headers['x-zm-request-timestamp']\n".to_owned(), true),
            ("src/app.rs", "token = eyJhbGciOi\n".to_owned(), true),
            ("src/app.rs", "{\"encryptedToken\": \"ab\"}\n".to_owned(), true),
            (".env", format!("API_SECRET={secret}\n"), true),
        ];
        for (path, text, matters) in cases {
            assert_eq!(may_matter(path, text.as_bytes()), matters, "{path}: {text}");
            if !matters {
                let change = Change::new_file(path, text.into_bytes());
                let zoom =
                    ScanOptions { project: ProjectContext::Zoom("a test".into()), ..ScanOptions::default() };
                assert!(scan(&change, &zoom).is_empty());
            }
        }
    }

    fn change(text: &str, added: AddedLines) -> Change {
        Change::edited("app/.env", text, added)
    }

    #[test]
    fn only_added_lines_count() {
        let secret = Synth::new(1).alnum(32);
        let text = format!("# zoom app\nZOOM_CLIENT_SECRET={secret}\nOTHER=1\n");
        let on = scan(&change(&text, AddedLines::Ranges(vec![2..3, 9..10])), &ScanOptions::default());
        assert_eq!(on.len(), 1);
        assert_eq!((on[0].line, on[0].column), (2, 20));
        let off = scan(&change(&text, AddedLines::Ranges(vec![1..2, 3..4])), &ScanOptions::default());
        assert!(off.is_empty());
    }

    #[test]
    fn related_identifier_and_redaction() {
        let mut s = Synth::new(2);
        let (id, secret) = (s.uuid22(), s.alnum(32));
        let text = format!("ZOOM_CLIENT_ID={id}\nZOOM_CLIENT_SECRET={secret}\n");
        let found = scan(&change(&text, AddedLines::All), &ScanOptions::default());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].related, Some(Related { kind: IdentifierKind::ClientId, value: id }));
        assert_eq!(found[0].redacted(), format!("{}… (32 chars)", &secret[..4]));
        assert!(!format!("{:?}", found[0]).contains(&secret));
    }

    #[test]
    fn fingerprints_follow_the_value_not_the_place() {
        let secret = Synth::new(5).alnum(32);
        let at_top = scan(
            &change(&format!("ZOOM_CLIENT_SECRET={secret}\n"), AddedLines::All),
            &ScanOptions::default(),
        );
        let moved = format!("# zoom\n\n\nclient_secret: \"{secret}\"\n");
        let further_down = scan(&change(&moved, AddedLines::All), &ScanOptions::default());
        assert_eq!(at_top[0].fingerprint(), further_down[0].fingerprint());
        assert!(at_top[0].fingerprint().starts_with("zoom-client-secret:"));
        assert_eq!(at_top[0].fingerprint().len(), "zoom-client-secret:".len() + 16);
        assert!(!at_top[0].fingerprint().contains(&secret[..8]));
        assert_ne!(fingerprint("zoom-client-secret", &Synth::new(6).alnum(32)), at_top[0].fingerprint());
    }

    #[test]
    fn expired_tokens_are_reported_as_expired() {
        let token = Synth::new(3).expand("{oauth-access-expired}");
        let found = scan(&change(&token, AddedLines::All), &ScanOptions::default());
        assert_eq!(found.len(), 1);
        assert!(found[0].expired);
    }

    /// The (rule id, secret) of every finding in `text` at `path`.
    fn found_at(path: &str, text: &str) -> Vec<(&'static str, String)> {
        let c = Change::new_file(path, text.as_bytes().to_vec());
        scan(&c, &ScanOptions::default()).iter().map(|f| (f.rule.id, f.secret().to_owned())).collect()
    }

    #[test]
    fn basic_auth_holds_a_client_secret() {
        use base64::Engine;
        let mut s = Synth::new(40);
        let (id, secret) = (s.uuid22(), s.alnum(32));
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
        for text in [
            format!("curl -X POST https://zoom.us/oauth/token -H \"Authorization: Basic {encoded}\""),
            format!("POST https://zoom.us/oauth/token\nAuthorization: Basic {encoded}\n"),
            format!("{{\"url\": \"https://zoom.us/oauth/token\", \"header\": [{{\"key\": \"Authorization\", \"value\": \"Basic {encoded}\"}}]}}"),
        ] {
            assert_eq!(found_at("api.txt", &text), [("zoom-client-secret", secret.clone())], "{text}");
        }
        let other =
            base64::engine::general_purpose::STANDARD.encode("deploy-user:correct horse battery staple");
        assert!(found_at("api.txt", &format!("zoom.us\nAuthorization: Basic {other}")).is_empty());
    }

    #[test]
    fn kubernetes_secret_data_is_decoded() {
        use base64::Engine;
        let secret = Synth::new(41).alnum(32);
        let encoded = base64::engine::general_purpose::STANDARD.encode(&secret);
        let manifest = format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: zoom-credentials\ntype: Opaque\ndata:\n  client_secret: {encoded}\n"
        );
        assert_eq!(found_at("k8s/secret.yaml", &manifest), [("zoom-client-secret", secret.clone())]);
        let not_zoom = manifest.replace("zoom-credentials", "payments");
        assert!(found_at("k8s/secret.yaml", &not_zoom).is_empty(), "a Secret with no Zoom context");
    }

    #[test]
    fn percent_encoded_values_are_decoded() {
        let secret = Synth::new(42).alnum(32);
        let text = format!("https://app.example/cb?state=%7B%22zoom_client_secret%22%3A%22{secret}%22%7D\n");
        assert_eq!(found_at("links.txt", &text), [("zoom-client-secret", secret.clone())]);
        let form =
            format!("grant_type=client_credentials&zoom_client_secret={secret}&scope=meeting%3Aread\n");
        assert_eq!(found_at("body.txt", &form), [("zoom-client-secret", secret)], "found once, plainly");
    }

    #[test]
    fn split_literals_are_joined() {
        let secret = Synth::new(43).alnum(32);
        let (a, b, c) = (&secret[..10], &secret[10..20], &secret[20..]);
        for text in [
            format!("ZOOM_CLIENT_SECRET = \"{a}\" + \"{b}\" + \"{c}\"\n"),
            format!("const zoomClientSecret = '{a}' +\n  '{b}' + '{c}';\n"),
            format!("String zoomClientSecret = \"{a}\"\n    + \"{b}{c}\";\n"),
            format!("zoomClientSecret := \"{a}{b}\" +\n\t\"{c}\"\n"),
            format!("ZOOM_CLIENT_SECRET = (\n    \"{a}{b}\"\n    \"{c}\"\n)\n"),
            format!("export ZOOM_CLIENT_SECRET=\"{a}{b}\"\\\n\"{c}\"\n"),
        ] {
            assert_eq!(found_at("app.src", &text), [("zoom-client-secret", secret.clone())], "{text}");
        }
    }

    #[test]
    fn many_findings_on_one_line_get_their_own_columns() {
        let mut synth = Synth::new(7);
        let line: String = (0..40)
            .map(|i| format!("\u{e9}\u{fffd} ZOOM_CLIENT_SECRET={} {} ", synth.alnum(32), "x".repeat(i)))
            .collect();
        let text = format!("# zoom\n{line}\n");
        let found = scan(&change(&text, AddedLines::All), &ScanOptions::default());
        assert_eq!(found.len(), 40);
        for finding in &found {
            let before = &text[..finding.span.start];
            let line_start = before.rfind('\n').map_or(0, |p| p + 1);
            let column = before[line_start..].chars().count() + 1;
            assert_eq!((finding.line, finding.column as usize), (2, column));
        }
    }

    #[test]
    fn a_bundlers_minified_line_is_read_like_any_other() {
        let mut synth = Synth::new(44);
        let (id, secret) = (synth.uuid22(), synth.alnum(32));
        let filler: String = (0..2_000).map(|i| format!("var a{i}=b{i}(c);")).collect();
        let bundle = format!(
            "{filler}const cfg={{clientId:\"{id}\",clientSecret:\"{secret}\"}};{filler}ZoomMtg.init(cfg);{filler}\n"
        );
        assert!(bundle.len() > 20_000);
        assert_eq!(found_at("dist/main.3f2a1c.js", &bundle), [("zoom-client-secret", secret)]);
    }

    #[test]
    fn odd_bytes_do_not_panic() {
        let text: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
        let c = Change::new_file("zoom.bin", text);
        assert!(scan(&c, &ScanOptions::default()).is_empty());
    }
}
