//! Zoom's tokens are JWTs, and so are many other vendors'. This module finds JWT-shaped
//! strings, decodes their header and claims, and says which Zoom token (if any) each one is.
//!
//! JWTs are read by hand from the keyword pass's `eyJ` offsets, not by a pattern over the
//! whole text. Classification reads the decoded JSON, not the leading bytes: each token rule
//! of the table carries a [`TokenTest`] (algorithms, header keys, claims, the identifier it
//! names), tried in table order. An OAuth token carries Zoom's audience or a `zm:cid:`
//! issuer; a ZAK has `zm_skm`; an SDK signature has `appKey`/`sdkKey` or `app_key` with
//! session claims; a legacy JWT-app token is HS256 with a 22-character API key as `iss`. A
//! token whose decoded JSON holds none of the marks those tests need is dropped before it is
//! parsed, and a signature of the wrong length (a truncated token in a doc) is not a token.

use std::ops::Range;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use once_cell::sync::Lazy;
use serde_json::{Map, Value};

use super::kind::{IdentifierKind, Kind};
use super::rules::{Claim, IdentifierClaim, IdentifierValue, Matcher, TokenTest, RULES};
use super::shape::{b64url_run_end, is_b64url, is_placeholder, is_uuid22, Shape};

/// The fewest characters a header or claims segment has after its `eyJ` (`{"`).
const MIN_OBJECT_LEN: usize = 10;
/// The fewest characters a signature segment has.
const MIN_SIGNATURE_LEN: usize = 20;

/// A Zoom token found in text.
#[derive(Debug, Clone)]
pub struct ZoomJwt {
    /// Byte range of the whole token.
    pub span: Range<usize>,
    /// Which token it is.
    pub kind: Kind,
    /// The `exp` claim, when present.
    pub expires_at: Option<i64>,
    /// The identifier the token names (API key, client ID, SDK key).
    pub related: Option<(IdentifierKind, String)>,
}

/// Every Zoom token in `text`; other JWTs are decoded and dropped. `starts` are the offsets
/// of every `eyJ` in `text`, in order (the keyword pass has them): a JWT starts with one.
pub fn find(text: &[u8], starts: impl IntoIterator<Item = usize>) -> Vec<ZoomJwt> {
    jwts(text, starts)
        .filter_map(|jwt| {
            let segment = |range: &Range<usize>| &text[range.clone()];
            let classified =
                classify_segments(segment(&jwt.header), segment(&jwt.claims), segment(&jwt.signature));
            let (kind, expires_at, related) = classified?;
            Some(ZoomJwt { span: jwt.header.start..jwt.signature.end, kind, expires_at, related })
        })
        .collect()
}

/// Where the three segments of a JWT are in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Segments {
    header: Range<usize>,
    claims: Range<usize>,
    signature: Range<usize>,
}

/// The JWT-shaped strings among those that start at `starts` (see [`find`]).
///
/// A JWT is three base64url segments joined by dots, the first two JSON objects (`eyJ` is
/// `{"`): `eyJ` and at least 10 more characters, a dot, `eyJ` and at least 10 more, a dot,
/// and at least 20. The segments are read whole (a segment ends where base64url ends), and
/// JWTs do not overlap: one that starts inside another one's span is not looked at, and one
/// glued to the base64url before it is skipped.
fn jwts<'t, S>(text: &'t [u8], starts: S) -> impl Iterator<Item = Segments> + 't
where
    S: IntoIterator<Item = usize>,
    S::IntoIter: 't,
{
    let mut shapes = Shapes { text, run: None, tail: None };
    let mut resume = 0;
    starts.into_iter().filter_map(move |start| {
        if start < resume {
            return None;
        }
        let jwt = shapes.token_at(start)?;
        resume = jwt.signature.end;
        (start == 0 || !is_b64url(text[start - 1])).then_some(jwt)
    })
}

/// Reads JWT shapes from the `eyJ`s of one text, in order. Every `eyJ` of a long base64url
/// run shares the run's end and what follows it, so both are remembered: the reading stays
/// linear however many `eyJ`s a run holds.
struct Shapes<'t> {
    text: &'t [u8],
    /// A run of base64url bytes: every byte from `.0` up to `.1` is one, and `.1` is not.
    run: Option<(usize, usize)>,
    /// Where a claims segment starts, and the claims and signature that follow, if they do.
    tail: Option<(usize, Option<Tail>)>,
}

/// The claims and signature segments of a JWT.
type Tail = (Range<usize>, Range<usize>);

impl Shapes<'_> {
    /// The JWT that starts at `start` (an `eyJ`), if one does.
    fn token_at(&mut self, start: usize) -> Option<Segments> {
        let header = start + 3;
        if self.text.get(start..header) != Some(&b"eyJ"[..]) {
            return None;
        }
        let header_end = match self.run {
            Some((from, to)) if from <= header && header <= to => to,
            _ => {
                let to = b64url_run_end(self.text, header);
                self.run = Some((header, to));
                to
            }
        };
        if header_end - header < MIN_OBJECT_LEN || self.text.get(header_end) != Some(&b'.') {
            return None;
        }
        let claims = header_end + 1;
        let (claims, signature) = match &self.tail {
            Some((at, tail)) if *at == claims => tail.clone(),
            _ => {
                let tail = tail_at(self.text, claims);
                self.tail = Some((claims, tail.clone()));
                tail
            }
        }?;
        Some(Segments { header: start..header_end, claims, signature })
    }
}

/// The claims and signature segments that start at `claims`, if they are there.
fn tail_at(text: &[u8], claims: usize) -> Option<Tail> {
    if text.get(claims..claims + 3) != Some(&b"eyJ"[..]) {
        return None;
    }
    let claims_end = b64url_run_end(text, claims + 3);
    if claims_end - (claims + 3) < MIN_OBJECT_LEN || text.get(claims_end) != Some(&b'.') {
        return None;
    }
    let signature = claims_end + 1;
    let end = b64url_run_end(text, signature);
    (end - signature >= MIN_SIGNATURE_LEN).then_some((claims..claims_end, signature..end))
}

type Classified = (Kind, Option<i64>, Option<(IdentifierKind, String)>);

/// Decodes one JWT and says which Zoom token it is, with its expiry and named identifier.
pub fn classify(token: &[u8]) -> Option<Classified> {
    let mut parts = token.split(|&b| b == b'.');
    classify_segments(parts.next()?, parts.next()?, parts.next()?)
}

/// [`classify`] on a token's three segments.
fn classify_segments(header: &[u8], claims: &[u8], signature: &[u8]) -> Option<Classified> {
    // Zoom signs with HS256 or HS512: a 32- or 64-byte signature, 43 or 86 characters. Other
    // lengths (RS256's 342) are dropped before any JSON is decoded.
    if !matches!(signature.len(), 43 | 86) {
        return None;
    }
    let header = URL_SAFE_NO_PAD.decode(header).ok()?;
    let claims = URL_SAFE_NO_PAD.decode(claims).ok()?;
    if !may_be_zoom(&header, &claims) {
        return None;
    }
    classify_json(&header, &claims, signature)
}

/// [`classify`] on a token's decoded header and claims (JSON text) and its signature segment.
fn classify_json(header: &[u8], claims: &[u8], signature: &[u8]) -> Option<Classified> {
    let header = json_object(header)?;
    let claims = json_object(claims)?;
    let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or("");
    let expected_signature_len = match alg {
        "HS256" => 32,
        "HS512" => 64,
        _ => return None,
    };
    if signature.len() != expected_signature_len {
        return None;
    }
    let expires_at = claims.get("exp").and_then(Value::as_i64);
    RULES.iter().find_map(|rule| match &rule.matcher {
        Matcher::Token(test) => {
            passes(test, alg, &header, &claims).map(|identifier| (rule.kind, expires_at, identifier))
        }
        Matcher::Keyed { .. } => None,
    })
}

/// Whether a token with this `alg`, `header` and `claims` passes `test`, and the identifier
/// it names if so.
fn passes(
    test: &TokenTest,
    alg: &str,
    header: &Map<String, Value>,
    claims: &Map<String, Value>,
) -> Option<Option<(IdentifierKind, String)>> {
    let has_header = |key: &&str| header.contains_key(*key);
    if !test.algs.contains(&alg)
        || !test.header_any.is_empty() && !test.header_any.iter().any(has_header)
        || test.header_none.iter().any(has_header)
    {
        return None;
    }
    let identifier = match &test.identifier {
        Some(wanted) => match named_identifier(wanted, claims) {
            Named::Valid(value) => Some((wanted.kind, value)),
            Named::Nothing if !wanted.required => None,
            Named::Nothing | Named::Invalid => return None,
        },
        None => None,
    };
    let holds = |claim: &Claim| claim_holds(claim, claims, identifier.as_ref().map(|(_, id)| id.as_str()));
    (test.claims.iter().all(holds) && !test.claims_none.iter().any(holds)).then_some(identifier)
}

/// What a token's claims say about the identifier a rule looks for.
enum Named {
    /// It names one, of the right look.
    Valid(String),
    /// It names none.
    Nothing,
    /// It names one that does not look like a real identifier.
    Invalid,
}

fn named_identifier(wanted: &IdentifierClaim, claims: &Map<String, Value>) -> Named {
    let text = wanted.keys.iter().find_map(|key| claims.get(*key).and_then(Value::as_str));
    let value = match (text, wanted.prefix) {
        (None, _) => return Named::Nothing,
        (Some(text), None) => text,
        (Some(text), Some(prefix)) => match text.strip_prefix(prefix) {
            Some(value) => value,
            None => return Named::Nothing,
        },
    };
    let valid = match wanted.value {
        IdentifierValue::NotMadeUp => !is_made_up(value),
        IdentifierValue::ApiKey => is_uuid22(value.as_bytes()),
    };
    if valid {
        Named::Valid(value.to_owned())
    } else {
        Named::Invalid
    }
}

/// Whether `claim` holds of `claims`; `identifier` is the one the token names, if any.
fn claim_holds(claim: &Claim, claims: &Map<String, Value>, identifier: Option<&str>) -> bool {
    match *claim {
        Claim::Is(key, value) => claims.get(key).and_then(Value::as_str) == Some(value),
        Claim::StartsWith(key, prefix) => {
            claims.get(key).and_then(Value::as_str).is_some_and(|v| v.starts_with(prefix))
        }
        Claim::Number(key, value) => claims.get(key).and_then(Value::as_i64) == Some(value),
        Claim::AnyKey(keys) => keys.iter().any(|key| claims.contains_key(*key)),
        Claim::AnyOf(any) => any.iter().any(|claim| claim_holds(claim, claims, identifier)),
        Claim::IdentifierIsKeyShaped => identifier.is_some_and(|id| Shape::of(id.as_bytes()).is_some()),
    }
}

/// Whether an identifier inside a token's claims is a placeholder rather than a generated
/// key: too short, not made of key characters, or a placeholder word.
fn is_made_up(identifier: &str) -> bool {
    let bytes = identifier.as_bytes();
    bytes.len() < MIN_CLAIMED_KEY_LEN || !bytes.iter().all(|&b| is_b64url(b)) || is_placeholder(bytes)
}

/// The shortest key or client ID that Zoom issues (a 20-character client ID).
const MIN_CLAIMED_KEY_LEN: usize = 20;

/// Whether a token's decoded `header` and `claims` hold the bytes that every token
/// [`classify_json`] calls Zoom's must show (its [`Marks`]: `"zm_skm"` in the header, or in
/// the claims `"aud"`, a `"zm:cid:` issuer, an SDK key name, or a string that is a
/// 22-character API key). JSON writes a key or a
/// string as itself unless it holds an escape, so without a backslash this answers for the
/// decoded JSON, and most other vendors' tokens are dropped without being parsed.
fn may_be_zoom(header: &[u8], claims: &[u8]) -> bool {
    if header.contains(&b'\\') || claims.contains(&b'\\') {
        return true;
    }
    let marks = &*MARKS;
    let marked = |json: &[u8], words: &[Vec<u8>]| {
        from_quotes(json).any(|rest| words.iter().any(|word| rest.starts_with(word)))
    };
    marked(header, &marks.header)
        || marked(claims, &marks.claims)
        || marks.api_key
            && from_quotes(claims).any(|rest| rest.get(23) == Some(&b'"') && is_uuid22(&rest[1..23]))
}

/// What a decoded token shows when some token rule may take it, read off the rule table: a
/// word of its header, a word of its claims (each as it starts after a quote), or a string
/// that is a 22-character API key.
struct Marks {
    header: Vec<Vec<u8>>,
    claims: Vec<Vec<u8>>,
    api_key: bool,
}

static MARKS: Lazy<Marks> = Lazy::new(|| {
    let mut marks = Marks { header: Vec::new(), claims: Vec::new(), api_key: false };
    for rule in RULES {
        let Matcher::Token(test) = &rule.matcher else { continue };
        match (test.identifier, test.header_any, test.claims.first()) {
            // A token that names no identifier fails: the identifier's claim is the mark.
            (Some(IdentifierClaim { value: IdentifierValue::ApiKey, required: true, .. }), _, _) => {
                marks.api_key = true;
            }
            (Some(IdentifierClaim { keys, required: true, .. }), _, _) => {
                marks.claims.extend(keys.iter().map(|key| quoted(key, true)));
            }
            (_, [_, ..], _) => marks.header.extend(test.header_any.iter().map(|key| quoted(key, true))),
            (_, [], Some(claim)) => claim_marks(claim, &mut marks.claims),
            // A test that asks for nothing takes any token: every token is marked.
            (_, [], None) => marks.header.push(b"\"".to_vec()),
        }
    }
    marks
});

/// The words one of which a token's claims hold when `claim` holds.
fn claim_marks(claim: &Claim, words: &mut Vec<Vec<u8>>) {
    match *claim {
        Claim::Is(key, _) | Claim::Number(key, _) => words.push(quoted(key, true)),
        Claim::StartsWith(_, prefix) => words.push(quoted(prefix, false)),
        Claim::AnyKey(keys) => words.extend(keys.iter().map(|key| quoted(key, true))),
        Claim::AnyOf(any) => any.iter().for_each(|claim| claim_marks(claim, words)),
        // The identifier's own claim marks it.
        Claim::IdentifierIsKeyShaped => words.push(b"\"".to_vec()),
    }
}

/// `"word"` as JSON writes a key (`whole`), or `"word` as a string starts.
fn quoted(word: &str, whole: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(word.len() + 2);
    out.push(b'"');
    out.extend_from_slice(word.as_bytes());
    if whole {
        out.push(b'"');
    }
    out
}

/// The JSON from each of its quotes on: every key and every string starts at one.
fn from_quotes(json: &[u8]) -> impl Iterator<Item = &[u8]> {
    (0..json.len()).filter(|&at| json[at] == b'"').map(|at| &json[at..])
}

fn json_object(json: &[u8]) -> Option<Map<String, Value>> {
    match serde_json::from_slice(json).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::{Synth, FAR_FUTURE, PAST};

    fn kind_of(template: &str) -> Option<Kind> {
        let token = Synth::new(5).expand(template);
        classify(token.as_bytes()).map(|(kind, _, _)| kind)
    }

    #[test]
    fn zoom_tokens_by_claims() {
        assert_eq!(kind_of("{oauth-access}"), Some(Kind::OAuthAccessToken));
        assert_eq!(kind_of("{oauth-s2s}"), Some(Kind::OAuthAccessToken));
        assert_eq!(kind_of("{oauth-refresh}"), Some(Kind::OAuthRefreshToken));
        assert_eq!(kind_of("{zak}"), Some(Kind::ZakToken));
        assert_eq!(kind_of("{sdk-meeting}"), Some(Kind::SdkSignature));
        assert_eq!(kind_of("{sdk-video}"), Some(Kind::SdkSignature));
        assert_eq!(kind_of("{jwt-app}"), Some(Kind::JwtAppToken));
    }

    #[test]
    fn other_vendors_tokens_are_not_zoom() {
        assert_eq!(kind_of("{jwt-hs256-other}"), None);
        assert_eq!(kind_of("{jwt-rs256}"), None);
        assert_eq!(kind_of("{jwt-supabase}"), None);
    }

    #[test]
    fn expiry_and_related_identifier() {
        let mut s = Synth::new(9);
        let token = s.jwt_app_token("AbCdEfGhTxOmnopqrstuvg", PAST);
        let (_, exp, related) = classify(token.as_bytes()).expect("a JWT-app token");
        assert_eq!(exp, Some(PAST));
        assert_eq!(related, Some((IdentifierKind::ApiKey, "AbCdEfGhTxOmnopqrstuvg".into())));
        let refresh = s.oauth_token(1, FAR_FUTURE);
        let (_, _, related) = classify(refresh.as_bytes()).expect("a refresh token");
        assert_eq!(related.map(|r| r.0), Some(IdentifierKind::ClientId));
    }

    #[test]
    fn truncated_signature_is_not_a_token() {
        let token = Synth::new(2).expand("{oauth-access}");
        let cut = &token[..token.len() - 10];
        assert!(classify(cut.as_bytes()).is_none());
        assert!(find_all(format!("Bearer {cut}...").as_bytes()).is_empty());
    }

    /// Every JWT in `text`, from the offsets of its `eyJ`s.
    fn find_all(text: &[u8]) -> Vec<ZoomJwt> {
        let starts = (0..text.len()).filter(|&at| text[at..].starts_with(b"eyJ"));
        find(text, starts)
    }

    #[test]
    fn finds_tokens_in_urls_and_headers() {
        let zak = Synth::new(4).expand("{zak}");
        let url = format!("https://us02web.zoom.us/s/81234567890?zak={zak}&pwd=abc");
        let found = find_all(url.as_bytes());
        assert_eq!(found.len(), 1);
        assert_eq!(&url.as_bytes()[found[0].span.clone()], zak.as_bytes());
    }

    /// The spans of the JWTs that `jwts` reads, each checked against its segments.
    fn spans(text: &[u8], starts: impl IntoIterator<Item = usize>) -> Vec<Range<usize>> {
        jwts(text, starts)
            .map(|jwt| {
                assert_eq!((jwt.header.end + 1, jwt.claims.end + 1), (jwt.claims.start, jwt.signature.start));
                let token = &text[jwt.header.start..jwt.signature.end];
                assert_eq!(token.iter().filter(|&&b| b == b'.').count(), 2);
                jwt.header.start..jwt.signature.end
            })
            .collect()
    }

    /// The pattern `jwts` reads by hand, as `find_iter` over the whole text: the same JWTs,
    /// with the same spans, must come out of both.
    fn jwts_by_pattern(text: &[u8]) -> Vec<Range<usize>> {
        let pattern =
            regex::bytes::Regex::new(r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{20,}")
                .expect("a valid pattern");
        pattern
            .find_iter(text)
            .filter(|m| m.start() == 0 || !is_b64url(text[m.start() - 1]))
            .map(|m| m.range())
            .collect()
    }

    fn pieces() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            3 => proptest::collection::vec(proptest::sample::select(&b"eyJAQgw09_-.=+/ \n\"z"[..]), 1..24),
            2 => proptest::collection::vec(proptest::sample::select(&b"eyJAQgw09_-"[..]), 8..30),
            1 => Just(b"eyJ".to_vec()),
            1 => Just(b".".to_vec()),
            1 => (0u64..500, 0usize..12).prop_map(|(seed, which)| {
                let slots = [
                    "{oauth-access}", "{oauth-refresh}", "{zak}", "{sdk-meeting}", "{sdk-video}", "{jwt-app}",
                    "{jwt-hs256-other}", "{jwt-rs256}", "{jwt-supabase}", "{oauth-s2s}", "{jwt-app-expired}",
                    "{oauth-access-expired}",
                ];
                Synth::new(seed).expand(slots[which]).into_bytes()
            }),
        ];
        proptest::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn reads_what_the_pattern_matches(text in pieces()) {
            let starts = (0..text.len()).filter(|&at| text[at..].starts_with(b"eyJ"));
            prop_assert_eq!(spans(&text, starts), jwts_by_pattern(&text));
        }
    }

    #[test]
    fn the_byte_check_keeps_every_zoom_token() {
        // A key written with a JSON escape still reaches the parser.
        let mut s = Synth::new(8);
        let payload = format!(r#"{{"\u0061ud":"https://oauth.zoom.us","exp":{FAR_FUTURE}}}"#);
        let token = s.jwt(r#"{"sv":"000002","alg":"HS512"}"#, &payload, 64);
        assert_eq!(kind_of_token(&token), Some(Kind::OAuthAccessToken));
        let zak = s.jwt(r#"{"zm_skm":"zm_o2m","alg":"HS256"}"#, "{}", 32);
        assert_eq!(kind_of_token(&zak), Some(Kind::ZakToken));
        // An API key is the only Zoom word in a JWT-app token's claims.
        let payload = format!(r#"{{"iss":"AbCdEfGhTxOmnopqrstuvg","exp":{FAR_FUTURE}}}"#);
        let jwt_app = s.jwt(r#"{"alg":"HS256"}"#, &payload, 32);
        assert_eq!(kind_of_token(&jwt_app), Some(Kind::JwtAppToken));
    }

    #[test]
    fn segments_as_short_as_the_pattern_takes() {
        for (header, claims, signature) in
            [(9, 10, 20), (10, 9, 20), (10, 10, 19), (10, 10, 20), (11, 11, 21)]
        {
            let text =
                format!("eyJ{}.eyJ{}.{}", "A".repeat(header), "B".repeat(claims), "C".repeat(signature));
            let starts = [0, header + 4];
            assert_eq!(spans(text.as_bytes(), starts), jwts_by_pattern(text.as_bytes()));
        }
    }

    /// A JSON object of some of `keys` (some of them written with an escape), with values of
    /// the shapes `classify` looks for.
    fn json_objects(keys: &'static [&'static str]) -> impl Strategy<Value = String> {
        let value = proptest::sample::select(vec![
            "\"HS256\"".to_owned(),
            "\"HS512\"".to_owned(),
            "\"RS256\"".to_owned(),
            "\"https://oauth.zoom.us\"".to_owned(),
            "\"zm:cid:AbCdEfGhTxOmnopqrstuvg\"".to_owned(),
            "\"AbCdEfGhTxOmnopqrstuvg\"".to_owned(),
            "\"AbCdEfGh\\u0054xOmnopqrstuvg\"".to_owned(),
            "\"supabase\"".to_owned(),
            FAR_FUTURE.to_string(),
            "1".to_owned(),
            "null".to_owned(),
            "{\"aud\":\"x\"}".to_owned(),
        ]);
        proptest::collection::vec((proptest::sample::select(keys), value), 0..6).prop_map(|fields| {
            let fields: Vec<String> = fields.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            format!("{{{}}}", fields.join(","))
        })
    }

    const HEADER_KEYS: &[&str] = &["alg", "alg", "sv", "zm_skm", "typ", "zm\\u005fskm"];
    const CLAIM_KEYS: &[&str] = &[
        "aud",
        "iss",
        "exp",
        "type",
        "appKey",
        "sdkKey",
        "app_key",
        "mn",
        "role",
        "tpc",
        "sub",
        "\\u0061ud",
        "\\u0069ss",
        "app\\u004bey",
    ];

    proptest! {
        #![proptest_config(ProptestConfig { cases: 8000, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn the_byte_check_drops_no_zoom_token(header in json_objects(HEADER_KEYS), claims in json_objects(CLAIM_KEYS), long in any::<bool>()) {
            let signature = if long { "A".repeat(86) } else { "A".repeat(43) };
            if classify_json(header.as_bytes(), claims.as_bytes(), signature.as_bytes()).is_some() {
                prop_assert!(may_be_zoom(header.as_bytes(), claims.as_bytes()), "{} {}", header, claims);
            }
        }
    }

    fn kind_of_token(token: &str) -> Option<Kind> {
        classify(token.as_bytes()).map(|(kind, _, _)| kind)
    }
}
