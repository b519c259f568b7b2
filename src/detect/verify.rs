//! Offline verification: when one change (the staged files, or one commit) holds both halves
//! of a pair, check them against each other, never over the network. A Zoom secret that
//! signs a token or a recorded webhook in the same change is proven real and used.
//!
//! - A JWT-app token (HS256) or an SDK signature is the HMAC-SHA256 of `header.payload`
//!   under the API or SDK secret; a JWT-app token's `iss` must also be the API key that
//!   stands beside the secret, when one does.
//! - A webhook is signed `v0=hex(HMAC-SHA256(secret, "v0:<timestamp>:<raw body>"))` in
//!   `x-zm-signature`, with the timestamp in `x-zm-request-timestamp`; Zoom's URL
//!   validation (CRC) answers `encryptedToken = hex(HMAC-SHA256(secret, plainToken))`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use once_cell::sync::Lazy;
use regex::bytes::Regex;
use sha2::Sha256;

use super::kind::{IdentifierKind, Kind};
use super::literals::Literals;
use super::rules::{rule_for, Matcher, TokenTest};
use super::{jwt, Finding};
use crate::change::{line_number, Change};

static SIGNATURE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r#"(?i)x-zm-signature["']?\s*[:=,]\s*["']?v0=([0-9a-f]{64})"#).expect("valid pattern")
});
static TIMESTAMP: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r#"(?i)x-zm-request-timestamp["']?\s*[:=,]\s*["']?([0-9]{9,13})"#).expect("valid pattern")
});
static PLAIN_TOKEN: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r#"plainToken\\?["']?\s*[:=]\s*\\?["']([A-Za-z0-9_\-]{8,128})\\?["']"#).expect("valid pattern")
});
static ENCRYPTED_TOKEN: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r#"encryptedToken\\?["']?\s*[:=]\s*\\?["']([0-9a-f]{64})\\?["']"#).expect("valid pattern")
});

/// Words of what [`verify_pairs`] checks secrets against: tokens and webhook recordings.
pub(super) const EVIDENCE_WORDS: [&str; 3] = ["eyJ", "x-zm-signature", "encryptedToken"];

/// The search for [`EVIDENCE_WORDS`]: every staged file is searched, at GB/s.
static EVIDENCE: Lazy<Literals> = Lazy::new(|| Literals::new(&EVIDENCE_WORDS));

/// Whether `text` holds something a secret could be verified against.
pub fn may_be_evidence(text: &[u8]) -> bool {
    EVIDENCE.is_match(text)
}

/// HMAC-SHA256 of `message` under `key`.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A finding and the path of its file, as verification sees it.
pub struct Located<'a> {
    /// The file's path.
    pub path: &'a str,
    /// The finding, whose `proof` is set when a pair proves it.
    pub finding: &'a mut Finding,
}

/// Checks every secret among `findings` against the tokens and webhook recordings in
/// `changes` (one change set), and marks the findings that a pair proves.
pub fn verify_pairs(changes: &[Change], findings: &mut [Located<'_>]) {
    let is_signed_token =
        |kind: Kind| matches!(rule_for(kind).matcher, Matcher::Token(TokenTest { signed_by_app: true, .. }));
    let secrets: Vec<usize> =
        (0..findings.len()).filter(|&i| !findings[i].finding.kind().is_token()).collect();
    if secrets.is_empty() {
        return;
    }
    for change in changes {
        let text = change.text.as_slice();
        let jwt_starts = super::jwt_starts(text);
        if !jwt_starts.is_empty() {
            for token in jwt::find(text, jwt_starts) {
                if !is_signed_token(token.kind) {
                    continue;
                }
                let raw = &text[token.span.clone()];
                for &index in &secrets {
                    if signs_token(findings[index].finding.secret(), raw, &token, findings[index].finding) {
                        let line = line_number(text, token.span.start);
                        let about = format!("signs the {} at {}:{line}", token.kind.name(), change.path);
                        mark(&mut findings[index], about);
                        let secret_at = format!(
                            "signed by the {} at {}:{}",
                            findings[index].finding.kind().name(),
                            findings[index].path,
                            findings[index].finding.line
                        );
                        if let Some(token_finding) = findings
                            .iter_mut()
                            .find(|f| f.path == change.path && f.finding.span == token.span)
                        {
                            mark(token_finding, secret_at);
                        }
                    }
                }
            }
        }
        // The recordings are read once per change, not once per secret: a change with
        // thousands of secrets would otherwise be searched thousands of times.
        let evidence = WebhookEvidence::of(text);
        if evidence.is_empty() {
            continue;
        }
        for &index in &secrets {
            let secret = findings[index].finding.secret().as_bytes().to_vec();
            if let Some(what) = evidence.signed_by(&secret) {
                mark(&mut findings[index], format!("signs the {what} in {}", change.path));
            }
        }
    }
}

fn mark(located: &mut Located<'_>, about: String) {
    if located.finding.proof.is_none() {
        located.finding.proof = Some(about);
    }
}

/// Whether `secret` signed `token` (and, for a JWT-app token, the API key beside the secret,
/// if any, is the token's issuer).
fn signs_token(secret: &str, raw: &[u8], token: &jwt::ZoomJwt, secret_finding: &Finding) -> bool {
    let Some(dot) = raw.iter().rposition(|&b| b == b'.') else { return false };
    let Ok(signature) = URL_SAFE_NO_PAD.decode(&raw[dot + 1..]) else { return false };
    if hmac_sha256(secret.as_bytes(), &raw[..dot]).as_slice() != signature.as_slice() {
        return false;
    }
    match (&token.related, &secret_finding.related) {
        (Some((IdentifierKind::ApiKey, issuer)), Some(beside)) if beside.kind == IdentifierKind::ApiKey => {
            *issuer == beside.value
        }
        _ => true,
    }
}

/// What in one change's text a webhook secret may have signed: URL validation (CRC)
/// answers, and the messages of recorded events with their signatures.
struct WebhookEvidence<'t> {
    /// Every (`plainToken`, `encryptedToken`) pairing.
    crc: Vec<(&'t [u8], &'t [u8])>,
    /// The `x-zm-signature` values (hex, without `v0=`).
    signatures: Vec<&'t [u8]>,
    /// Every `v0:<timestamp>:<body>` that one of `signatures` may sign.
    messages: Vec<Vec<u8>>,
}

impl<'t> WebhookEvidence<'t> {
    fn of(text: &'t [u8]) -> Self {
        let plain: Vec<&[u8]> =
            PLAIN_TOKEN.captures_iter(text).filter_map(|c| c.get(1)).map(|m| m.as_bytes()).collect();
        let crc = ENCRYPTED_TOKEN
            .captures_iter(text)
            .filter_map(|c| c.get(1))
            .flat_map(|encrypted| plain.iter().map(move |&p| (p, encrypted.as_bytes())))
            .collect();
        let signatures: Vec<&[u8]> =
            SIGNATURE.captures_iter(text).filter_map(|c| c.get(1)).map(|m| m.as_bytes()).collect();
        let mut messages = Vec::new();
        if !signatures.is_empty() {
            let bodies = candidate_bodies(text);
            for timestamp in TIMESTAMP.captures_iter(text).filter_map(|c| c.get(1)) {
                for body in &bodies {
                    let mut message = b"v0:".to_vec();
                    message.extend_from_slice(timestamp.as_bytes());
                    message.push(b':');
                    message.extend_from_slice(body);
                    messages.push(message);
                }
            }
        }
        WebhookEvidence { crc, signatures, messages }
    }

    fn is_empty(&self) -> bool {
        self.crc.is_empty() && self.messages.is_empty()
    }

    /// What `secret` signs: a recorded event or a CRC answer.
    fn signed_by(&self, secret: &[u8]) -> Option<&'static str> {
        for (plain, encrypted) in &self.crc {
            if hex(&hmac_sha256(secret, plain)).as_bytes() == *encrypted {
                return Some("URL validation (CRC) answer");
            }
        }
        for message in &self.messages {
            let expected = hex(&hmac_sha256(secret, message));
            if self.signatures.contains(&expected.as_bytes()) {
                return Some("recorded webhook event");
            }
        }
        None
    }
}

/// Raw request bodies a webhook recording may hold: the part after the blank line of an
/// HTTP message, and every JSON object that starts with an `event` key (as written, and
/// with `\"` unescaped when it sits inside a string literal).
fn candidate_bodies(text: &[u8]) -> Vec<Vec<u8>> {
    let mut bodies = Vec::new();
    for separator in [&b"\r\n\r\n"[..], b"\n\n"] {
        if let Some(at) = memchr::memmem::find(text, separator) {
            let body = &text[at + separator.len()..];
            let body = body.strip_suffix(b"\n").unwrap_or(body);
            bodies.push(body.strip_suffix(b"\r").unwrap_or(body).to_vec());
        }
    }
    for (start, _) in text.iter().enumerate().filter(|(_, &b)| b == b'{') {
        let rest = &text[start + 1..];
        let key_at = rest.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(rest.len());
        let key = &rest[key_at..];
        if key.starts_with(b"\"event\"") {
            if let Some(end) = balanced_end(text, start) {
                bodies.push(text[start..end].to_vec());
            }
        } else if key.starts_with(b"\\\"event\\\"") {
            if let Some(end) = balanced_end(text, start) {
                bodies.push(unescape_quotes(&text[start..end]));
            }
        }
    }
    bodies
}

/// The end (exclusive) of the JSON object starting at `start`, counting braces outside strings.
fn balanced_end(text: &[u8], start: usize) -> Option<usize> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (offset, &byte) in text[start..].iter().enumerate() {
        match (in_string, escaped, byte) {
            (_, true, _) => escaped = false,
            (_, false, b'\\') => escaped = true,
            (_, false, b'"') => in_string = !in_string,
            (false, false, b'{') => depth += 1,
            (false, false, b'}') => {
                depth -= 1;
                if depth == 0 {
                    return Some(start + offset + 1);
                }
            }
            _ => {}
        }
    }
    None
}

fn unescape_quotes(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.iter().peekable();
    while let Some(&byte) = bytes.next() {
        if byte == b'\\' && bytes.peek().is_some_and(|&&next| next == b'"' || next == b'\\') {
            continue;
        }
        out.push(byte);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairing_evidence_is_found_by_both_searches() {
        let automaton = Literals::automaton(&EVIDENCE_WORDS);
        for (text, expected) in [
            (&b"token = eyJhbGciOi"[..], true),
            (b"headers: {'x-zm-signature': 'v0=00'}", true),
            (b"{\"encryptedToken\": \"ab\"}", true),
            (b"nothing to see, not even eyj", false),
        ] {
            assert_eq!(may_be_evidence(text), expected, "{}", String::from_utf8_lossy(text));
            assert_eq!(automaton.is_match(text), expected);
        }
    }
    use crate::detect::{scan, ScanOptions};
    use crate::synth::{Synth, FAR_FUTURE};

    /// Scans each (path, text) as a new file of one change set and verifies the pairs;
    /// returns (path, rule id, proof) for every finding.
    fn verified(files: &[(&str, String)]) -> Vec<(String, &'static str, Option<String>)> {
        let changes: Vec<Change> =
            files.iter().map(|(path, text)| Change::new_file(*path, text.as_str())).collect();
        let mut found: Vec<(String, Finding)> = changes
            .iter()
            .flat_map(|c| scan(c, &ScanOptions::default()).into_iter().map(|f| (c.path.clone(), f)))
            .collect();
        let mut located: Vec<Located<'_>> =
            found.iter_mut().map(|(path, finding)| Located { path, finding }).collect();
        verify_pairs(&changes, &mut located);
        found.into_iter().map(|(path, f)| (path, f.rule.id, f.proof)).collect()
    }

    fn proof_of(results: &[(String, &str, Option<String>)], rule: &str) -> Option<String> {
        results.iter().find(|(_, id, _)| *id == rule).and_then(|(_, _, proof)| proof.clone())
    }

    #[test]
    fn jwt_app_token_and_its_api_secret() {
        let mut s = Synth::new(31);
        let (key, secret) = (s.uuid22(), s.alnum(36));
        let token = Synth::signed_with(&s.jwt_app_token(&key, FAR_FUTURE), &secret);
        let env = format!("ZOOM_API_KEY={key}\nZOOM_API_SECRET={secret}\n");
        let results = verified(&[(".env", env.clone()), ("client.py", format!("TOKEN = \"{token}\"\n"))]);
        let proof = proof_of(&results, "zoom-jwt-api-secret").expect("the secret is verified");
        assert_eq!(proof, "signs the Zoom JWT app token at client.py:1");
        let token_proof = proof_of(&results, "zoom-jwt-app-token").expect("the token is verified");
        assert_eq!(token_proof, "signed by the Zoom JWT app API secret at .env:2");

        // Another secret does not verify; nor does the right one beside another API key.
        let other = s.alnum(36);
        let wrong = verified(&[(".env", format!("ZOOM_API_SECRET={other}\nJWT={token}\n"))]);
        assert!(wrong.iter().all(|(_, _, proof)| proof.is_none()), "{wrong:?}");
        let mismatched_key = format!("ZOOM_API_KEY={}\nZOOM_API_SECRET={secret}\nJWT={token}\n", s.uuid22());
        let mismatched = verified(&[(".env", mismatched_key)]);
        assert!(proof_of(&mismatched, "zoom-jwt-api-secret").is_none(), "{mismatched:?}");
    }

    #[test]
    fn sdk_signature_and_its_sdk_secret() {
        let mut s = Synth::new(32);
        let (key, secret) = (s.uuid22(), s.alnum(36));
        let signature = Synth::signed_with(&s.meeting_sdk_signature(&key, FAR_FUTURE), &secret);
        let text = format!("ZOOM_SDK_KEY={key}\nZOOM_SDK_SECRET={secret}\nSIGNATURE={signature}\n");
        let results = verified(&[("sdk.env", text)]);
        assert!(
            proof_of(&results, "zoom-sdk-secret").is_some_and(|p| p.contains("Zoom SDK signature")),
            "{results:?}"
        );
        assert!(proof_of(&results, "zoom-sdk-signature").is_some(), "{results:?}");
        let video = Synth::signed_with(&s.video_sdk_signature(&key, FAR_FUTURE), &secret);
        let text = format!("ZOOM_VIDEO_SDK_SECRET={secret}\nconst token = '{video}';\n");
        let results = verified(&[("video.env", text)]);
        assert!(proof_of(&results, "zoom-sdk-signature").is_some(), "a Video SDK signature: {results:?}");
        let unsigned = s.meeting_sdk_signature(&key, FAR_FUTURE);
        let text = format!("ZOOM_SDK_SECRET={secret}\nSIGNATURE={unsigned}\n");
        assert!(verified(&[("sdk.env", text)]).iter().all(|(_, _, p)| p.is_none()));
    }

    #[test]
    fn webhook_secret_and_a_recorded_event() {
        let mut s = Synth::new(33);
        let secret = s.uuid22();
        let body = r#"{"event":"meeting.started","payload":{"object":{"id":"81234567890"}},"event_ts":1700000000123}"#;
        let signature = hex(&hmac_sha256(secret.as_bytes(), format!("v0:1700000000:{body}").as_bytes()));
        let http = format!(
            "POST /zoom/webhook HTTP/1.1\r\nContent-Type: application/json\r\nx-zm-request-timestamp: 1700000000\r\nx-zm-signature: v0={signature}\r\n\r\n{body}\n"
        );
        let env = format!("ZOOM_WEBHOOK_SECRET_TOKEN={secret}\n");
        let results = verified(&[(".env", env.clone()), ("fixtures/started.http", http.clone())]);
        assert_eq!(
            proof_of(&results, "zoom-webhook-secret-token").as_deref(),
            Some("signs the recorded webhook event in fixtures/started.http")
        );
        let tampered = http.replace("81234567890", "81234567891");
        let results = verified(&[(".env", env.clone()), ("fixtures/started.http", tampered)]);
        assert!(proof_of(&results, "zoom-webhook-secret-token").is_none());

        // The same event recorded in a JavaScript test, the body inside a string literal.
        let escaped = body.replace('"', "\\\"");
        let js = format!(
            "const headers = {{ 'x-zm-signature': 'v0={signature}', 'x-zm-request-timestamp': '1700000000' }};\nconst raw = \"{escaped}\";\n"
        );
        let results = verified(&[(".env", env), ("test/webhook.test.js", js)]);
        assert!(proof_of(&results, "zoom-webhook-secret-token").is_some(), "{results:?}");
    }

    #[test]
    fn webhook_secret_and_a_url_validation_answer() {
        let mut s = Synth::new(34);
        let secret = s.uuid22();
        let plain = s.uuid22();
        let encrypted = hex(&hmac_sha256(secret.as_bytes(), plain.as_bytes()));
        let fixture = format!("{{\"plainToken\": \"{plain}\", \"encryptedToken\": \"{encrypted}\"}}\n");
        let env = format!("ZOOM_WEBHOOK_SECRET_TOKEN={secret}\n");
        let results = verified(&[(".env", env.clone()), ("crc.json", fixture)]);
        assert!(
            proof_of(&results, "zoom-webhook-secret-token").is_some_and(|p| p.contains("CRC")),
            "{results:?}"
        );
        let wrong = format!("{{\"plainToken\": \"{}\", \"encryptedToken\": \"{encrypted}\"}}\n", s.uuid22());
        let results = verified(&[(".env", env), ("crc.json", wrong)]);
        assert!(proof_of(&results, "zoom-webhook-secret-token").is_none());
    }
}
