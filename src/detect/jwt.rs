//! Zoom's tokens are JWTs, and so are many other vendors'. This module finds JWT-shaped
//! strings, decodes their header and claims, and says which Zoom token (if any) each one is.
//!
//! Classification reads the decoded JSON, not the leading bytes: an OAuth token carries
//! `sv` and HS512 in its header and `aud: https://oauth.zoom.us` in its claims; a ZAK has
//! `zm_skm`; an SDK signature has `appKey`/`sdkKey` or `app_key` with session claims; a
//! legacy JWT-app token is HS256 with a 22-character API key as `iss`. A signature of the
//! wrong length (a truncated token in a doc) is not a token.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use once_cell::sync::Lazy;
use regex::bytes::Regex;
use serde_json::{Map, Value};

use super::kind::{IdentifierKind, Kind};
use super::shape::is_uuid22;

/// Three base64url segments, the first two JSON objects (`eyJ` is `{"`).
static JWT: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{20,}")
        .expect("the JWT pattern is valid")
});

/// A Zoom token found in text.
#[derive(Debug, Clone)]
pub struct ZoomJwt {
    /// Byte range of the whole token.
    pub span: std::ops::Range<usize>,
    /// Which token it is.
    pub kind: Kind,
    /// The `exp` claim, when present.
    pub expires_at: Option<i64>,
    /// The identifier the token names (API key, client ID, SDK key).
    pub related: Option<(IdentifierKind, String)>,
}

/// Every Zoom token in `text`; other JWTs are decoded and dropped.
pub fn find(text: &[u8]) -> Vec<ZoomJwt> {
    JWT.find_iter(text)
        .filter(|m| m.start() == 0 || !super::shape::is_b64url(text[m.start() - 1]))
        .filter_map(|m| {
            let (kind, expires_at, related) = classify(m.as_bytes())?;
            Some(ZoomJwt { span: m.range(), kind, expires_at, related })
        })
        .collect()
}

type Classified = (Kind, Option<i64>, Option<(IdentifierKind, String)>);

/// Decodes one JWT and says which Zoom token it is, with its expiry and named identifier.
pub fn classify(token: &[u8]) -> Option<Classified> {
    let mut parts = token.split(|&b| b == b'.');
    let (header, claims, signature) = (parts.next()?, parts.next()?, parts.next()?);
    // Zoom signs with HS256 or HS512: a 32- or 64-byte signature, 43 or 86 characters. Other
    // lengths (RS256's 342) are dropped before any JSON is decoded.
    if !matches!(signature.len(), 43 | 86) {
        return None;
    }
    let header = decode_object(header)?;
    let claims = decode_object(claims)?;
    let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or("");
    let expected_signature_len = match alg {
        "HS256" => 32,
        "HS512" => 64,
        _ => return None, // Zoom signs every token with HMAC; RS256/ES256 tokens are not Zoom's
    };
    if signature.len() != expected_signature_len {
        return None;
    }
    let text = |map: &Map<String, Value>, key: &str| map.get(key).and_then(Value::as_str).map(str::to_owned);
    let expires_at = claims.get("exp").and_then(Value::as_i64);

    let oauth_audience = text(&claims, "aud").as_deref() == Some("https://oauth.zoom.us");
    let client_id = text(&claims, "iss").and_then(|iss| iss.strip_prefix("zm:cid:").map(str::to_owned));
    if header.contains_key("sv") || oauth_audience || client_id.is_some() {
        if !(oauth_audience || client_id.is_some()) {
            return None;
        }
        let refresh = claims.get("type").and_then(Value::as_i64) == Some(1);
        let kind = if refresh { Kind::OAuthRefreshToken } else { Kind::OAuthAccessToken };
        return Some((kind, expires_at, client_id.map(|id| (IdentifierKind::ClientId, id))));
    }
    if header.get("zm_skm").is_some() {
        return Some((Kind::ZakToken, expires_at, None));
    }
    let sdk_key = ["appKey", "sdkKey", "app_key"].iter().find_map(|k| text(&claims, k));
    let session_claims = ["mn", "role", "tokenExp", "tpc", "role_type"];
    if let Some(key) = sdk_key {
        if session_claims.iter().any(|c| claims.contains_key(*c)) {
            return Some((Kind::SdkSignature, expires_at, Some((IdentifierKind::SdkKey, key))));
        }
    }
    let api_key = text(&claims, "iss").filter(|iss| is_uuid22(iss.as_bytes()));
    if let (Some(key), "HS256", Some(_)) = (api_key, alg, expires_at) {
        return Some((Kind::JwtAppToken, expires_at, Some((IdentifierKind::ApiKey, key))));
    }
    None
}

fn decode_object(segment: &[u8]) -> Option<Map<String, Value>> {
    let json = URL_SAFE_NO_PAD.decode(segment).ok()?;
    match serde_json::from_slice(&json).ok()? {
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
        assert!(find(format!("Bearer {cut}...").as_bytes()).is_empty());
    }

    #[test]
    fn finds_tokens_in_urls_and_headers() {
        let zak = Synth::new(4).expand("{zak}");
        let url = format!("https://us02web.zoom.us/s/81234567890?zak={zak}&pwd=abc");
        let found = find(url.as_bytes());
        assert_eq!(found.len(), 1);
        assert_eq!(&url.as_bytes()[found[0].span.clone()], zak.as_bytes());
    }
}
