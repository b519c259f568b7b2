//! The old Meeting Web SDK signature, from before the SDK took JWTs: standard base64 of
//! `key.meeting number.timestamp in ms.role.base64(HMAC-SHA256)`.
//!
//! It is no JWT and has no fixed prefix, but once decoded its structure is unmistakable, and
//! it holds the API or SDK key in clear text: an audit wants it even though it expired within
//! hours of the timestamp it carries.

use std::ops::Range;

use super::shape::{is_placeholder, is_typed_sequence, is_uuid22, LongRuns, Shape};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// The lengths of standard base64 that a signature can have: a 20–36 character key, a 9–12
/// digit meeting number, a 13-digit timestamp, a role and a 44-character hash.
const RUN_LENGTHS: Range<usize> = 96..201;

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

/// Whether `text` may hold an old-style signature: it is passed to the SDK as `signature`.
pub fn may_be_in(text: &[u8]) -> bool {
    memchr::memmem::find(text, b"ignature").is_some() || memchr::memmem::find(text, b"IGNATURE").is_some()
}

/// Every old-style Meeting SDK signature in `text`.
pub fn find(text: &[u8]) -> Vec<LegacySignature> {
    base64_runs(text)
        .into_iter()
        .filter_map(|run| {
            // The key (at most 36 bytes) and the dot after it are in the first 52 characters:
            // decode those first.
            let head = STANDARD.decode(&text[run.start..run.start + 52]).ok()?;
            if !head.iter().take(20).all(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                || !head.contains(&b'.')
            {
                return None;
            }
            let decoded = STANDARD.decode(&text[run.clone()]).ok()?;
            let (key, expires_at) = parse(&decoded)?;
            Some(LegacySignature { span: run, key, expires_at })
        })
        .collect()
}

/// A standard base64 character (the padding `=` aside).
fn is_base64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}

/// The whole runs of standard base64, with their padding, whose length is in [`RUN_LENGTHS`].
/// A run that long covers one of any 96 consecutive offsets, so only every 96th offset is
/// read until one holds a base64 byte: most bytes of a text are never looked at.
fn base64_runs(text: &[u8]) -> Vec<Range<usize>> {
    let run_end = |text: &[u8], at: usize| {
        text[at..].iter().position(|&b| !is_base64(b)).map_or(text.len(), |p| at + p)
    };
    LongRuns::new(text, RUN_LENGTHS.start, is_base64, run_end)
        .filter_map(|run| {
            let padding = text[run.end..].iter().take(2).take_while(|&&b| b == b'=').count();
            let end = run.end + padding;
            let whole = text.get(end).is_none_or(|&b| !is_base64(b) && b != b'=');
            (RUN_LENGTHS.contains(&run.len()) && whole).then_some(run.start..end)
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
    // Zoom's own READMEs sign their example for meeting `123456789`: a sample, not a leak.
    if is_typed_sequence(meeting.as_bytes()) || is_placeholder(key.as_bytes()) {
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
    fn runs_are_found_whole() {
        let run = |n: usize| "QUJD".repeat(n / 4);
        let text = format!("a {} b \"{}==\" {} {}", run(100), run(120), run(40), run(240));
        let found: Vec<&str> = base64_runs(text.as_bytes()).into_iter().map(|r| &text[r]).collect();
        assert_eq!(found, [run(100), format!("{}==", run(120))]);
    }

    #[test]
    fn a_docs_sample_for_meeting_123456789_is_not_a_leak() {
        let mut synth = Synth::new(11);
        let key = synth.uuid22();
        let sample = synth.legacy_sdk_signature_for(&key, 123_456_789);
        assert!(find(sample.as_bytes()).is_empty());
        let real = synth.legacy_sdk_signature_for(&key, 84_712_093_551);
        assert_eq!(find(real.as_bytes()).len(), 1);
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
