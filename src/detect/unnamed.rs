//! Secrets written with no name in front, where only their place in a Zoom call says what
//! they are: the HMAC key of a webhook handler that checks `x-zm-signature`, a verification
//! token compared with the `authorization` header, the secret argument of a JWT-signing
//! call, the initial value of a React `useState(` on the next line.
//!
//! Each place is one pattern; the value must have a Zoom shape and pass the strict
//! randomness bar of values that count through context alone, and the file (or, for
//! [`ZoomNearby::wide`], the project) must say Zoom.

use std::ops::Range;

use memchr::memmem;
use once_cell::sync::Lazy;
use regex::bytes::Regex;

use super::keyed::{KeyedSecret, ZoomNearby};
use super::kind::Kind;
use super::names::{normalized, role_of, strictly_random};
use super::rules::{keyed_kind, SdkInName};
use super::shape::{is_uuid22, Shape};
use crate::change::line_around;

/// The key argument of an HMAC-SHA256 in Node, Python, Ruby, PHP, Java and C#.
static HMAC_KEY: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r#"(?x)
        (?:createHmac\(\s*["']sha256["']\s*,
          |hmac\.new\(
          |HMAC\.(?:hex)?digest\(\s*["'](?i:sha256)["']\s*,
          |hash_hmac\(\s*["']sha256["']\s*,[^,\n]{1,120},
          |new\s+HMACSHA256\(\s*Encoding\.UTF8\.GetBytes\(
          |SecretKeySpec\()
        \s*[bB]?\\?["'](?P<value>[A-Za-z0-9_-]{22})\\?["']"#,
    )
    .expect("the HMAC key pattern is valid")
});

/// A 22-character literal compared with the `authorization` header, either way round.
static COMPARED_WITH_AUTHORIZATION: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r#"(?x)
        (?i:authorization)["'\])]*\s*(?:===?|!==?)\s*["'](?P<value>[A-Za-z0-9_-]{22})["']
        |["'](?P<before>[A-Za-z0-9_-]{22})["']\s*(?:===?|!==?)\s*[A-Za-z0-9_.\[\]"'()]{0,60}(?i:authorization)"#,
    )
    .expect("the authorization comparison pattern is valid")
});

/// `const [sdkSecret, setSdkSecret] = useState(` with the literal on that line or the next.
static USE_STATE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r#"(?x)
        (?:\[\s*(?P<key>[A-Za-z_$][A-Za-z0-9_$]*)\s*,[^\]\n]{0,80}\]\s*=\s*)?
        (?:React\.)?useState(?:<[^>\n]{0,40}>)?\(\s*["'`](?P<value>[A-Za-z0-9_-]{20,40})["'`]"#,
    )
    .expect("the useState pattern is valid")
});

/// A call that signs a JWT, whose secret argument may follow the claims.
static JWT_SIGNING_CALL: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r"(?:KJUR\.jws\.JWS\.sign|JWT\.encode|jwt\.encode|jwt\.sign|JWT::encode|JWS\.sign|Jwts\.builder)\(",
    )
    .expect("the signing call pattern is valid")
});

/// A quoted 32- or 36-character literal after a comma: a signing call's secret argument.
static SECRET_ARGUMENT: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r#",\s*["'](?P<value>[A-Za-z0-9]{36}|[A-Za-z0-9]{32})["']\s*[,)]"#)
        .expect("the secret argument pattern is valid")
});

/// How far past the start of a signing call its secret argument may be.
const SIGNING_CALL_REACH: usize = 600;

/// Words in a signing call that make its secret an SDK secret.
const SDK_CALL_WORDS: &[&[u8]] = &[b"sdkKey", b"appKey", b"app_key", b"KJUR"];

/// Words of the calls [`HMAC_KEY`] reads.
const HMAC_CALL_WORDS: &[&str] =
    &["createHmac", "hmac.new", "HMAC.", "hash_hmac", "HMACSHA256", "SecretKeySpec"];

/// Words that show a file handles Zoom's webhooks.
const WEBHOOK_WORDS: &[&str] = &["x-zm-", "url_validation", "plainToken"];

/// Every unnamed secret in `text`.
pub fn find(text: &[u8], zoom: &dyn ZoomNearby) -> Vec<KeyedSecret> {
    let mut found = Vec::new();
    let mut keep = |span: Range<usize>, kind: Kind| {
        let wide = if zoom.near(span.start) {
            false
        } else if zoom.wide() {
            true
        } else {
            return;
        };
        let value = &text[span.clone()];
        let shape = Shape::of(value);
        if shape.is_some_and(|s| s.looks_random(value)) && strictly_random(shape, value) {
            found.push(KeyedSecret { span, kind, wide });
        }
    };
    // Each pattern runs only on the lines that hold its word (and a line or two below, where
    // the value may be): a pattern that opens with a quote would otherwise try every quote.
    if WEBHOOK_WORDS.iter().any(|word| memmem::find(text, word.as_bytes()).is_some()) {
        for_each_capture(&HMAC_KEY, text, &lines_holding(text, HMAC_CALL_WORDS, 2), |caps| {
            if let Some(value) = caps.name("value").filter(|v| is_uuid22(v.as_bytes())) {
                keep(value.range(), Kind::WebhookSecretToken);
            }
        });
    }
    let authorization = lines_holding(text, &["uthorization", "UTHORIZATION"], 0);
    for_each_capture(&COMPARED_WITH_AUTHORIZATION, text, &authorization, |caps| {
        if let Some(value) =
            caps.name("value").or_else(|| caps.name("before")).filter(|v| is_uuid22(v.as_bytes()))
        {
            keep(value.range(), Kind::WebhookVerificationToken);
        }
    });
    for_each_capture(&USE_STATE, text, &lines_holding(text, &["useState"], 1), |caps| {
        let Some(value) = caps.name("value") else { return };
        let Some(shape) = Shape::of(value.as_bytes()) else { return };
        let key = caps.name("key").map_or(&b""[..], |k| k.as_bytes());
        let named = role_of(key).and_then(|role| keyed_kind(shape, role, SdkInName::of(&normalized(key))));
        let kind = named.or(match shape {
            Shape::Alnum36 => Some(Kind::JwtApiSecret),
            Shape::Alnum32 => Some(Kind::ClientSecret),
            _ => None,
        });
        if let Some(kind) = kind {
            keep(value.range(), kind);
        }
    });
    for call in JWT_SIGNING_CALL.find_iter(text) {
        let end = (call.end() + SIGNING_CALL_REACH).min(text.len());
        let Some(caps) = SECRET_ARGUMENT.captures(&text[call.end()..end]) else { continue };
        let Some(local) = caps.name("value") else { continue };
        let range = call.end() + local.start()..call.end() + local.end();
        let call_text = &text[call.start()..range.start];
        let sdk = SDK_CALL_WORDS.iter().any(|word| memmem::find(call_text, word).is_some());
        let kind = match (range.len(), sdk) {
            (_, true) => Kind::SdkSecret,
            (36, false) => Kind::JwtApiSecret,
            _ => Kind::ClientSecret,
        };
        keep(range, kind);
    }
    found
}

/// The lines of `text` that hold one of `words`, each widened by `lines_below` lines below it;
/// overlapping windows are merged, so that every byte is searched at most once.
fn lines_holding(text: &[u8], words: &[&str], lines_below: usize) -> Vec<Range<usize>> {
    let mut starts: Vec<usize> =
        words.iter().flat_map(|word| memmem::find_iter(text, word.as_bytes()).collect::<Vec<_>>()).collect();
    starts.sort_unstable();
    let mut windows: Vec<Range<usize>> = Vec::new();
    for at in starts {
        if windows.last().is_some_and(|last| last.contains(&at)) {
            continue;
        }
        let mut window = line_around(text, at);
        for _ in 0..lines_below {
            if window.end < text.len() {
                window.end = line_around(text, window.end + 1).end;
            }
        }
        match windows.last_mut() {
            Some(last) if last.end >= window.start => last.end = window.end,
            _ => windows.push(window),
        }
    }
    windows
}

/// Calls `each` with every match of `pattern` that starts in one of `windows` and ends in it.
fn for_each_capture<'t>(
    pattern: &Regex,
    text: &'t [u8],
    windows: &[Range<usize>],
    mut each: impl FnMut(regex::bytes::Captures<'t>),
) {
    for window in windows {
        let haystack = &text[..window.end];
        let mut from = window.start;
        while let Some(caps) = pattern.captures_at(haystack, from) {
            let Some(whole) = caps.get(0) else { break };
            from = if whole.end() > whole.start() { whole.end() } else { whole.end() + 1 };
            each(caps);
            if from > window.end {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::Synth;

    struct Near;
    impl ZoomNearby for Near {
        fn near(&self, _: usize) -> bool {
            true
        }
    }
    struct Nowhere;
    impl ZoomNearby for Nowhere {
        fn near(&self, _: usize) -> bool {
            false
        }
    }

    fn kinds(template: &str, zoom: &dyn ZoomNearby) -> Vec<Kind> {
        let text = Synth::new(3).expand(template);
        find(text.as_bytes(), zoom).into_iter().map(|s| s.kind).collect()
    }

    #[test]
    fn places_in_zoom_calls() {
        for (template, want) in [
            (
                "const sig = req.headers['x-zm-signature'];\nconst h = crypto.createHmac('sha256', '{u22}').update(msg).digest('hex');",
                vec![Kind::WebhookSecretToken],
            ),
            ("if request.headers['authorization'] == '{u22}':", vec![Kind::WebhookVerificationToken]),
            ("if ('{u22}' !== req.headers.authorization) return", vec![Kind::WebhookVerificationToken]),
            ("const [sdkSecret, setSdkSecret] = useState(\n  '{s36}'\n);", vec![Kind::SdkSecret]),
            ("const [apiSecret, setApiSecret] = useState('{s36}');", vec![Kind::JwtApiSecret]),
            ("token = JWT.encode({ iss: '{u22}', exp: Time.now.to_i + 3600 }, '{s36}', 'HS256')", vec![Kind::JwtApiSecret]),
            ("KJUR.jws.JWS.sign('HS256', sHeader, sPayload, '{s32}')", vec![Kind::SdkSecret]),
            // Not places a secret goes, or not a Zoom shape.
            ("crypto.createHmac('sha256', '{u22}')", vec![]),
            ("const [name, setName] = useState('{hex32}');", vec![]),
            ("JWT.encode(payload, 'not-a-secret-value')", vec![]),
        ] {
            assert_eq!(kinds(template, &Near), want, "{template}");
        }
        assert!(kinds("if (req.headers.authorization === '{u22}')", &Nowhere).is_empty(), "no Zoom context");
    }
}
