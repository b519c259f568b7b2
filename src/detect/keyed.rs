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
use regex::bytes::Regex;

use super::context::is_zoom_reference;
use super::kind::{IdentifierKind, Kind};
use super::rules::{keyed_kind, Role};
use super::shape::{is_b64url, Shape};

/// key, closing quotes/brackets, an assignment or argument separator, an opening quote,
/// and a value of 20–40 base64url characters that ends at a non-base64url character.
static ASSIGNMENT: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r#"(?x)
        (?P<key>[A-Za-z_$@][A-Za-z0-9_.$@-]{0,100})
        (?:\\?["'`]|\])*[\ \t]*\)?[\ \t]*
        (?:=>|:=|\?\?|\|\||=|:|,|>|\bor\b
          |\.unwrap_or(?:_else)?\((?:\|_\|)?
          |:[\ \t]*&?(?:'static[\ \t]+)?str[\ \t]*=
          |:[\ \t]*[Ss]tring[\ \t]*=
          |[\ \t]+string[\ \t]*=
          |[\ \t]+value[\ \t]*=)
        [\ \t]*(?:\(|\[|&)?[\ \t]*
        (?:(?:[rR][bB]|[bB][rR]|[rbuRBU@])?\\?["'`])?
        (?P<value>[A-Za-z0-9_-]{20,40})
        (?:[^A-Za-z0-9_-]|$)"#,
    )
    .expect("the assignment pattern is valid")
});

/// Identifier-like words on a line, for finding the name a generic `value:` belongs to.
static NAME: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"[A-Za-z_][A-Za-z0-9_.-]{2,100}").expect("the name pattern is valid"));

/// Key names that only say "the value", whose real name is on a line just above
/// (`- name: ZOOM_CLIENT_SECRET` / `value: …`, Terraform `variable "…" { default = … }`).
const GENERIC_KEYS: &[&str] = &["value", "default", "defaultvalue"];

/// Key endings that name something about the secret rather than the secret itself.
const NOT_A_VALUE_SUFFIXES: &[&str] = &[
    "name", "path", "file", "url", "uri", "env", "ref", "arn", "header", "field", "param", "length", "len",
    "type", "version", "hash", "format", "prefix",
];

/// Other vendors' names: a key that names one of them (and not Zoom) is theirs.
const OTHER_VENDORS: &[&str] = &[
    "stripe", "aws", "github", "gitlab", "slack", "twilio", "google", "gcp", "azure", "mapbox", "sendgrid",
    "mailgun", "openai", "facebook", "twitter", "okta", "auth0", "supabase", "firebase", "paypal", "shopify",
    "webex", "teams", "discord", "algolia", "pusher", "sentry",
];

/// A keyed value that is a Zoom secret.
#[derive(Debug, Clone)]
pub struct KeyedSecret {
    /// Byte range of the value.
    pub span: std::ops::Range<usize>,
    /// Which secret it is.
    pub kind: Kind,
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
}

/// Every keyed Zoom secret and identifier in `text`.
pub fn find(text: &[u8], zoom_nearby: &dyn ZoomNearby) -> (Vec<KeyedSecret>, Vec<KeyedIdentifier>) {
    let mut secrets = Vec::new();
    let mut identifiers = Vec::new();
    for caps in ASSIGNMENT.captures_iter(text) {
        let (Some(key), Some(value)) = (caps.name("key"), caps.name("value")) else {
            continue;
        };
        if !ends_cleanly(text, value.end()) {
            continue;
        }
        let Some(shape) = Shape::of(value.as_bytes()) else {
            continue;
        };
        let key_bytes = effective_key(text, key.start(), key.as_bytes());
        let Some(role) = role_of(&key_bytes) else {
            continue;
        };
        let key_is_zoom = names_zoom(&key_bytes);
        if !key_is_zoom && (names_other_vendor(&key_bytes) || !zoom_nearby.near(key.start())) {
            continue;
        }
        if !shape.looks_random(value.as_bytes()) {
            continue;
        }
        let mentions_sdk = normalized(&key_bytes).contains("sdk");
        if let Some(kind) = keyed_kind(shape, role, mentions_sdk) {
            secrets.push(KeyedSecret { span: value.range(), kind });
        } else if role == Role::Identifier {
            identifiers.push(KeyedIdentifier {
                at: value.start(),
                kind: identifier_kind(&normalized(&key_bytes), shape),
                value: String::from_utf8_lossy(value.as_bytes()).into_owned(),
            });
        }
    }
    (secrets, identifiers)
}

/// The value must not continue as base64 (`+`, `/`, `=`) or as a further dotted segment.
fn ends_cleanly(text: &[u8], end: usize) -> bool {
    match text.get(end) {
        Some(b'+' | b'/' | b'=') => false,
        Some(b'.') => !text.get(end + 1).copied().is_some_and(is_b64url),
        _ => true,
    }
}

/// The key as written, or for a generic `value:`/`default =` the name on the closest of the
/// three lines above that says what the value is.
fn effective_key(text: &[u8], key_start: usize, key: &[u8]) -> Vec<u8> {
    if !GENERIC_KEYS.contains(&normalized(key).as_str()) {
        return key.to_vec();
    }
    let line_start = text[..key_start].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let mut above = &text[..line_start];
    for _ in 0..3 {
        let Some(end) = above.len().checked_sub(1) else { break };
        let start = above[..end].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
        let line = &above[start..end];
        if let Some(name) = NAME.find_iter(line).filter(|m| role_of(m.as_bytes()).is_some()).last() {
            return name.as_bytes().to_vec();
        }
        above = &above[..start];
    }
    key.to_vec()
}

/// Lower-case letters and digits of a key: `zoom.client-secret` → `zoomclientsecret`.
fn normalized(key: &[u8]) -> String {
    key.iter().filter(|b| b.is_ascii_alphanumeric()).map(|b| char::from(b.to_ascii_lowercase())).collect()
}

/// What the value under this key is for, if the key names a credential at all.
fn role_of(key: &[u8]) -> Option<Role> {
    let key = normalized(key);
    if NOT_A_VALUE_SUFFIXES.iter().any(|s| key.ends_with(s)) {
        return None;
    }
    let has = |words: &[&str]| words.iter().any(|w| key.contains(w));
    if has(&["verif"]) {
        Some(Role::Verification)
    } else if has(&["secret", "password", "passwd"]) {
        Some(Role::Secret)
    } else if has(&["token"]) {
        // Access, refresh and SDK tokens are JWTs, found by the JWT detector.
        (!has(&["access", "refresh", "jwt", "bearer", "zak", "oauth", "signature", "csrf"]))
            .then_some(Role::Token)
    } else if has(&["key"]) || key.ends_with("id") {
        Some(Role::Identifier)
    } else {
        None
    }
}

fn names_zoom(key: &[u8]) -> bool {
    let lower = key.to_ascii_lowercase();
    lower.windows(4).enumerate().any(|(at, w)| w == b"zoom" && is_zoom_reference(key, at))
}

fn names_other_vendor(key: &[u8]) -> bool {
    let key = normalized(key);
    OTHER_VENDORS.iter().any(|v| key.contains(v))
}

fn identifier_kind(key: &str, shape: Shape) -> IdentifierKind {
    if key.contains("account") {
        IdentifierKind::AccountId
    } else if key.contains("sdk") || shape == Shape::Alnum36 {
        IdentifierKind::SdkKey
    } else if key.contains("api") {
        IdentifierKind::ApiKey
    } else {
        IdentifierKind::ClientId
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
}
