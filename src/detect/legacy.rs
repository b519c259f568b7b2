//! The old Meeting Web SDK signature, from before the SDK took JWTs: standard base64 of
//! `key.meeting number.timestamp in ms.role.base64(HMAC-SHA256)`.
//!
//! It is no JWT and has no fixed prefix, but once decoded its structure is unmistakable, and
//! it holds the API or SDK key in clear text: an audit wants it even though it expired within
//! hours of the timestamp it carries.

use std::ops::Range;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use once_cell::sync::Lazy;
use regex::bytes::Regex;

use super::shape::{is_uuid22, Shape};

/// A run of standard base64 as long as a signature can be: a 20–36 character key, an
/// 11-digit meeting number, a 13-digit timestamp, a role and a 44-character hash.
static BASE64_RUN: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"(?:^|[^A-Za-z0-9+/=])([A-Za-z0-9+/]{96,200}={0,2})").expect("valid pattern"));

/// How long such a signature lasts after the time it was made, at the most (Zoom's SDK
/// signatures live at most two days).
const LIFETIME_SECONDS: i64 = 2 * 24 * 3600;

/// One old-style signature in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacySignature {
    /// Where it is written.
    pub span: Range<usize>,
    /// The key it carries (a JWT-app API key, or an SDK key).
    pub key: String,
    /// When it stopped working: its timestamp plus the longest lifetime.
    pub expires_at: i64,
}

/// Every old-style Meeting SDK signature in `text`.
pub fn find(text: &[u8]) -> Vec<LegacySignature> {
    BASE64_RUN
        .captures_iter(text)
        .filter_map(|caps| {
            let run = caps.get(1)?;
            let decoded = STANDARD.decode(run.as_bytes()).ok()?;
            let (key, expires_at) = parse(&decoded)?;
            Some(LegacySignature { span: run.range(), key, expires_at })
        })
        .collect()
}

/// The key and expiry of a decoded signature, if `decoded` is one.
fn parse(decoded: &[u8]) -> Option<(String, i64)> {
    let text = std::str::from_utf8(decoded).ok()?;
    let mut parts = text.split('.');
    let (key, meeting, millis, role, hash) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let digits = |part: &str, lengths: Range<usize>| {
        lengths.contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit())
    };
    let key_shaped = is_uuid22(key.as_bytes())
        || matches!(Shape::of(key.as_bytes()), Some(Shape::Alnum36 | Shape::ShortClientId));
    let hash_is_a_digest = STANDARD.decode(hash).is_ok_and(|bytes| bytes.len() == 32);
    if !(key_shaped
        && digits(meeting, 9..13)
        && digits(millis, 13..14)
        && matches!(role, "0" | "1")
        && hash_is_a_digest)
    {
        return None;
    }
    let made = millis.parse::<i64>().ok()? / 1000;
    Some((key.to_owned(), made.saturating_add(LIFETIME_SECONDS)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::Synth;

    #[test]
    fn signatures_are_found_with_their_key() {
        let mut synth = Synth::new(9);
        let key = synth.uuid22();
        let signature = synth.legacy_sdk_signature(&key);
        let text = format!("ZoomMtg.join({{ signature: '{signature}', meetingNumber }})");
        let found = find(text.as_bytes());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].key, key);
        assert_eq!(&text[found[0].span.clone()], signature);
        assert!(found[0].expires_at < 1_700_000_000, "made in 2021, long expired");
    }

    #[test]
    fn other_base64_is_not_a_signature() {
        let mut synth = Synth::new(10);
        let blob = STANDARD.encode(synth.bytes(90));
        let made_up = STANDARD.encode(format!("{}.123.456.0.abc", synth.uuid22()));
        for text in [blob, made_up, "A".repeat(150)] {
            assert!(find(text.as_bytes()).is_empty(), "{text}");
        }
    }
}
