//! Synthetic Zoom credentials, made at run time from a seeded generator.
//!
//! Tests, the rule table's examples and the labelled corpus never hold a credential-shaped
//! literal: they hold templates such as `ZOOM_CLIENT_SECRET={s32}`, and this module fills the
//! slots with values of the right shape (random letters and digits, base64url UUIDv4s, JWTs
//! with Zoom's headers and claims and a random signature of the right length). The same seed
//! always gives the same values, so a failing case can be reproduced.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;

use crate::detect::examples::fill;

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// A Unix time far in the future (2033-05-18), for tokens that must not be expired.
pub const FAR_FUTURE: i64 = 2_000_000_000;
/// A Unix time in the past (2023-11-14), for expired tokens.
pub const PAST: i64 = 1_700_000_000;

/// A deterministic generator of credential-shaped values (splitmix64 underneath).
#[derive(Debug, Clone)]
pub struct Synth {
    state: u64,
}

impl Synth {
    /// A generator whose output is fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        Synth { state: seed }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn pick(&mut self, alphabet: &[u8], len: usize) -> String {
        (0..len).map(|_| alphabet[(self.next_u64() % alphabet.len() as u64) as usize] as char).collect()
    }

    /// `len` random bytes.
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next_u64() as u8).collect()
    }

    /// `len` random ASCII letters and digits, the shape of Zoom's client and API secrets.
    pub fn alnum(&mut self, len: usize) -> String {
        self.pick(ALNUM, len)
    }

    /// A 22-character base64url UUIDv4: the shape of client IDs, account IDs, legacy API
    /// keys and webhook tokens.
    pub fn uuid22(&mut self) -> String {
        let mut raw = self.bytes(16);
        raw[6] = (raw[6] & 0x0F) | 0x40;
        raw[8] = (raw[8] & 0x3F) | 0x80;
        URL_SAFE_NO_PAD.encode(raw)
    }

    /// A 21-character client ID (some apps have 20 or 21 characters, always ending `AQgw`).
    pub fn client_id21(&mut self) -> String {
        let mut id = self.pick(B64URL, 20);
        id.push(['A', 'Q', 'g', 'w'][(self.next_u64() % 4) as usize]);
        id
    }

    /// A JWT with the given header and payload JSON and a random signature of `sig_len` bytes.
    pub fn jwt(&mut self, header: &str, payload: &str, sig_len: usize) -> String {
        let sig = self.bytes(sig_len);
        format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload),
            URL_SAFE_NO_PAD.encode(sig)
        )
    }

    /// `token` (an HS256 JWT) with its signature replaced by a real HMAC-SHA256 under
    /// `secret`, for verification tests.
    pub fn signed_with(token: &str, secret: &str) -> String {
        let signing_input = token.rsplit_once('.').map_or(token, |(input, _)| input);
        let signature = crate::detect::verify::hmac_sha256(secret.as_bytes(), signing_input.as_bytes());
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    /// A Zoom OAuth token. `token_type` 1 is a refresh token; 0, 2 and 3 are access tokens.
    pub fn oauth_token(&mut self, token_type: u8, exp: i64) -> String {
        let header = format!(r#"{{"sv":"000002","alg":"HS512","v":"2.0","kid":"{}"}}"#, self.uuid22());
        let lifetime = if token_type == 1 { 7_776_000 } else { 3600 };
        let payload = format!(
            r#"{{"aud":"https://oauth.zoom.us","uid":"{}","ver":10,"auid":"{}","nbf":{iat},"code":"{}","iss":"zm:cid:{}","gno":0,"exp":{exp},"type":{token_type},"iat":{iat},"aid":"{}"}}"#,
            self.uuid22(),
            self.alnum(64).to_lowercase(),
            self.pick(B64URL, 33),
            self.uuid22(),
            self.uuid22(),
            iat = exp - lifetime,
        );
        self.jwt(&header, &payload, 64)
    }

    /// A legacy JWT-app token signed (randomly) for `api_key`.
    pub fn jwt_app_token(&mut self, api_key: &str, exp: i64) -> String {
        let payload = format!(r#"{{"aud":null,"iss":"{api_key}","exp":{exp},"iat":{}}}"#, exp - 86_400);
        self.jwt(r#"{"alg":"HS256"}"#, &payload, 32)
    }

    /// A ZAK token.
    pub fn zak(&mut self, exp: i64) -> String {
        let payload = format!(
            r#"{{"aud":"clientsm","uid":"{}","iss":"web","sty":100,"wcd":"aw1","clt":0,"stk":"{}","exp":{exp},"iat":{},"aid":"{}","cid":""}}"#,
            self.uuid22(),
            self.pick(B64URL, 120),
            exp - 7200,
            self.uuid22(),
        );
        self.jwt(r#"{"zm_skm":"zm_o2m","alg":"HS256","typ":"JWT"}"#, &payload, 32)
    }

    /// A Meeting SDK signature for `sdk_key`.
    pub fn meeting_sdk_signature(&mut self, sdk_key: &str, exp: i64) -> String {
        let payload = format!(
            r#"{{"appKey":"{sdk_key}","sdkKey":"{sdk_key}","mn":"{}","role":0,"iat":{},"exp":{exp},"tokenExp":{exp}}}"#,
            8_000_000_000u64 + self.next_u64() % 999_999_999,
            exp - 7200,
        );
        self.jwt(r#"{"alg":"HS256","typ":"JWT"}"#, &payload, 32)
    }

    /// A Meeting Web SDK signature of the old, non-JWT kind for `api_key`: standard base64
    /// of `key.meeting number.timestamp in ms.role.base64(HMAC-SHA256)`, made in 2021.
    pub fn legacy_sdk_signature(&mut self, api_key: &str) -> String {
        let meeting = 80_000_000_000u64 + self.next_u64() % 9_999_999_999;
        self.legacy_sdk_signature_for(api_key, meeting)
    }

    /// [`Synth::legacy_sdk_signature`] for meeting `meeting`.
    pub fn legacy_sdk_signature_for(&mut self, api_key: &str, meeting: u64) -> String {
        let millis = 1_620_000_000_000u64 + self.next_u64() % 10_000_000_000;
        let role = self.next_u64() % 2;
        let hash = STANDARD.encode(self.bytes(32));
        STANDARD.encode(format!("{api_key}.{meeting}.{millis}.{role}.{hash}"))
    }

    /// A Video SDK signature for `sdk_key`.
    pub fn video_sdk_signature(&mut self, sdk_key: &str, exp: i64) -> String {
        let payload = format!(
            r#"{{"app_key":"{sdk_key}","tpc":"session-{}","role_type":1,"version":1,"iat":{},"exp":{exp}}}"#,
            self.next_u64() % 1000,
            exp - 7200,
        );
        self.jwt(r#"{"alg":"HS256","typ":"JWT"}"#, &payload, 32)
    }

    /// Fills every `{slot}` of `template` with a fresh value (see [`Synth::slot`]); text
    /// outside braces, and braces that do not name a slot, are kept as they are.
    pub fn expand(&mut self, template: &str) -> String {
        fill(template, |slot| self.slot(slot))
    }

    /// The value for one named slot, or `None` for an unknown name. Slots:
    /// `s32` `s36` (secrets), `u22` (UUIDv4 id or webhook token), `c21` (short client ID),
    /// `hex32`, `hex40`, `jwt-app`, `jwt-app-expired`, `oauth-access`, `oauth-access-expired`,
    /// `oauth-refresh`, `oauth-s2s`, `zak`, `zak-sv` (a ZAK whose header carries `sv`),
    /// `jwt-app-noexp`, `sdk-meeting`, `sdk-video`, `sdk-init` (a native SDK's init token), `sdk-legacy` and `sdk-legacy-36` (the old
    /// base64 Meeting SDK signature, for a 22- or 36-character key; `sdk-legacy-sample` is the docs'
    /// example for meeting 123456789), the look-alikes
    /// `sdk-sample` (a signature whose key is a placeholder) and `jwt-test`, and the non-Zoom
    /// `jwt-hs256-other`, `jwt-rs256`, `jwt-supabase`. Encoded forms: `basic-client` (base64
    /// of `<u22>:<s32>`), `basic-other` (base64 of a user and password), `b64-<slot>` (base64
    /// of any other slot's value). Pieces: `a<N>` is N random letters and digits, so
    /// `"{a10}" + "{a22}"` is a 32-character secret split in two.
    pub fn slot(&mut self, name: &str) -> Option<String> {
        if let Some(inner) = name.strip_prefix("b64-") {
            let value = self.slot(inner)?;
            return Some(STANDARD.encode(value));
        }
        if let Some(length) = name.strip_prefix('a').and_then(|n| n.parse::<usize>().ok()) {
            return (1..=64).contains(&length).then(|| self.alnum(length));
        }
        Some(match name {
            "s32" => self.alnum(32),
            "s36" => self.alnum(36),
            "u22" => self.uuid22(),
            "c21" => self.client_id21(),
            "hex32" => self.pick(b"0123456789abcdef", 32),
            "hex40" => self.pick(b"0123456789abcdef", 40),
            "jwt-app" => {
                let key = self.uuid22();
                self.jwt_app_token(&key, FAR_FUTURE)
            }
            "jwt-app-expired" => {
                let key = self.uuid22();
                self.jwt_app_token(&key, PAST)
            }
            "oauth-access" => self.oauth_token(0, FAR_FUTURE),
            "oauth-access-expired" => self.oauth_token(0, PAST),
            "oauth-refresh" => self.oauth_token(1, FAR_FUTURE),
            "oauth-s2s" => self.oauth_token(3, FAR_FUTURE),
            "zak" => self.zak(FAR_FUTURE),
            "zak-sv" => {
                // A ZAK whose header leads with `typ` and carries Zoom's `sv`, as some do.
                let token = self.zak(FAR_FUTURE);
                let header =
                    URL_SAFE_NO_PAD.encode(r#"{"typ":"JWT","sv":"000001","zm_skm":"zm_o2m","alg":"HS256"}"#);
                let rest = token.split_once('.').map_or("", |(_, rest)| rest).to_owned();
                format!("{header}.{rest}")
            }
            "jwt-app-noexp" => {
                let payload = format!(r#"{{"iss":"{}"}}"#, self.uuid22());
                self.jwt(r#"{"alg":"HS256"}"#, &payload, 32)
            }
            "jwt-test" => {
                self.jwt(r#"{"alg":"HS256","typ":"JWT"}"#, r#"{"iss":"test","exp":2000000000}"#, 32)
            }
            "sdk-sample" => {
                let keys = ["abc123", "VIDEO_SDK_KEY", "APIKEYHERE", "YOUR_SDK_KEY", "<Client_ID>"];
                let key = keys[(self.next_u64() % keys.len() as u64) as usize];
                self.meeting_sdk_signature(key, FAR_FUTURE)
            }
            "sdk-init" => {
                let key = self.alnum(36);
                let payload = format!(
                    r#"{{"appKey":"{key}","sdkKey":"{key}","iat":{},"exp":{FAR_FUTURE}}}"#,
                    FAR_FUTURE - 7200
                );
                self.jwt(r#"{"alg":"HS256","typ":"JWT"}"#, &payload, 32)
            }
            "sdk-legacy" => {
                let key = self.uuid22();
                self.legacy_sdk_signature(&key)
            }
            "sdk-legacy-sample" => {
                let key = self.uuid22();
                self.legacy_sdk_signature_for(&key, 123_456_789)
            }
            "sdk-legacy-36" => {
                let key = self.alnum(36);
                self.legacy_sdk_signature(&key)
            }
            "sdk-meeting" => {
                let key = self.uuid22();
                self.meeting_sdk_signature(&key, FAR_FUTURE)
            }
            "sdk-video" => {
                let key = self.alnum(36);
                self.video_sdk_signature(&key, FAR_FUTURE)
            }
            "jwt-hs256-other" => {
                let payload = format!(
                    r#"{{"sub":"{}","name":"Ada Lovelace","iat":1516239022}}"#,
                    self.next_u64() % 1_000_000
                );
                self.jwt(r#"{"alg":"HS256","typ":"JWT"}"#, &payload, 32)
            }
            "jwt-rs256" => {
                let payload = format!(
                    r#"{{"iss":"https://example.auth0.com/","sub":"auth0|{}","aud":"{}","iat":1700000000,"exp":{FAR_FUTURE}}}"#,
                    self.alnum(24),
                    self.alnum(32)
                );
                let header = format!(r#"{{"alg":"RS256","typ":"JWT","kid":"{}"}}"#, self.alnum(20));
                self.jwt(&header, &payload, 256)
            }
            "basic-client" => {
                let pair = format!("{}:{}", self.uuid22(), self.alnum(32));
                STANDARD.encode(pair)
            }
            "basic-other" => {
                let pair = format!("deploy-bot:{}", self.alnum(32));
                STANDARD.encode(pair)
            }
            "jwt-supabase" => {
                let payload = format!(
                    r#"{{"iss":"supabase","ref":"{}","role":"anon","iat":1700000000,"exp":{FAR_FUTURE}}}"#,
                    self.alnum(20).to_lowercase()
                );
                self.jwt(r#"{"alg":"HS256","typ":"JWT"}"#, &payload, 32)
            }
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_values() {
        assert_eq!(Synth::new(7).expand("{s32}"), Synth::new(7).expand("{s32}"));
        assert_ne!(Synth::new(7).expand("{s32}"), Synth::new(8).expand("{s32}"));
    }

    #[test]
    fn shapes() {
        let mut s = Synth::new(1);
        assert_eq!(s.alnum(32).len(), 32);
        let id = s.uuid22();
        assert_eq!(id.len(), 22);
        assert!(b"QRST".contains(&id.as_bytes()[8]), "{id}");
        assert!(b"AQgw".contains(&id.as_bytes()[21]), "{id}");
        let token = s.expand("{oauth-refresh}");
        assert!(token.starts_with("eyJzdiI6IjAwMDAw"), "{token}");
        assert_eq!(token.rsplit('.').next().map(str::len), Some(86));
    }

    #[test]
    fn every_slot_of_the_rules_examples_is_described() {
        for rule in crate::detect::RULES {
            for template in rule.examples.iter().chain(rule.negatives) {
                let described = crate::detect::examples::describe(template);
                assert_eq!(Synth::new(1).expand(&described), described, "{}: {template}", rule.id);
            }
        }
    }

    #[test]
    fn unknown_slots_are_kept() {
        assert_eq!(Synth::new(1).expand("${HOME} {x} {"), "${HOME} {x} {");
    }
}
