//! Whether text around a candidate is about Zoom.
//!
//! Zoom's non-JWT secrets have no prefix: a 32-character client secret is just letters and
//! digits. What ties it to Zoom is the word `zoom` in its key name, a parent key or section,
//! a nearby import, or the file path. The word also means other things (CSS `zoom: 1.25`,
//! map `zoom: 13`, `zoomIn()`, `d3.zoom()`), and those must not count.

/// Endings that turn `zoom` into an ordinary English word (`zoomable`, `zoomed`, `zooms`).
const WORD_ENDINGS: &[&str] = &["able", "ed", "ing", "s", "to", "er", "ify"];

/// Words that, joined to `zoom` in camel case (`zoomLevel`) or after a `_` or `-`
/// (`ZOOM_FACTOR`, `zoom-in`), name the zoom of a camera, image or map. Only whole words:
/// `ZOOM_S2S_…` and `zoom-api` stay Zoom's.
const NOT_ZOOM_WORDS: &[&str] = &[
    "in",
    "out",
    "level",
    "levels",
    "control",
    "controls",
    "factor",
    "ratio",
    "scale",
    "ctrl",
    "offset",
    "speed",
    "step",
    "snap",
    "extent",
    "delta",
    "range",
    "min",
    "max",
    "lens",
    "box",
    "center",
    "behavior",
    "behaviour",
    "transform",
    "rect",
    "area",
    "amount",
    "percent",
];

/// Whether the `zoom` found at `text[at..at + 4]` (any case) refers to Zoom the product.
pub fn is_zoom_reference(text: &[u8], at: usize) -> bool {
    let end = at + 4;
    if at > 0 && text[at - 1].is_ascii_alphabetic() {
        return false; // minZoom, setZoom, pinchzoom
    }
    let rest = &text[end.min(text.len())..];
    let word_len = rest.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    if word_len > 0 {
        let word = following_word(&rest[..word_len]);
        return !NOT_ZOOM_WORDS.iter().chain(WORD_ENDINGS).any(|s| s.as_bytes() == word.as_slice());
    }
    if let Some(b'_' | b'-') = rest.first() {
        let after = &rest[1..];
        let word_len = after.iter().take_while(|b| b.is_ascii_alphabetic()).count();
        if word_len > 0 {
            let word = following_word(&after[..word_len]);
            if NOT_ZOOM_WORDS.iter().any(|s| s.as_bytes() == word.as_slice()) {
                return false; // ZOOM_FACTOR, zoom_level, zoom-in
            }
        }
    }
    match rest.first() {
        None => true,
        Some(b'(') => false, // d3.zoom(), zoom(…) calls
        Some(_) => !assigned_a_number(rest),
    }
}

/// The lower-cased word that continues `zoom`: the next camel-case word (`zoomLevel` →
/// `level`), or all the letters when they share one case (`zoomus`, `ZOOMAPI`).
fn following_word(letters: &[u8]) -> Vec<u8> {
    let camel_end = letters.iter().skip(1).position(u8::is_ascii_uppercase).map_or(letters.len(), |p| p + 1);
    let same_case = letters.iter().all(u8::is_ascii_uppercase) || letters.iter().all(u8::is_ascii_lowercase);
    let end = if same_case { letters.len() } else { camel_end };
    letters[..end].iter().map(u8::to_ascii_lowercase).collect()
}

/// `: 1.25`, `= 13`, `": 12`: a property set to a number (CSS, map settings).
fn assigned_a_number(rest: &[u8]) -> bool {
    let mut i = 0;
    let skip = |i: &mut usize, set: &[u8]| {
        while rest.get(*i).is_some_and(|b| set.contains(b)) {
            *i += 1;
        }
    };
    skip(&mut i, b"\"' \t");
    if !matches!(rest.get(i), Some(b':' | b'=')) {
        return false;
    }
    i += 1;
    skip(&mut i, b"\"' \t");
    rest.get(i).is_some_and(|b| b.is_ascii_digit() || *b == b'.' || *b == b'-')
}

/// Whether a name or path refers to Zoom (`ZOOM_CLIENT_SECRET`, `integrations/zoom/client.py`,
/// `ZoomSettings.cs`), by any of its `zoom`s.
pub fn mentions_zoom(text: &[u8]) -> bool {
    text.windows(4).enumerate().any(|(at, w)| w.eq_ignore_ascii_case(b"zoom") && is_zoom_reference(text, at))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refers(text: &str) -> bool {
        let at = text.to_ascii_lowercase().find("zoom").expect("test text has zoom");
        is_zoom_reference(text.as_bytes(), at)
    }

    #[test]
    fn product_references() {
        for text in [
            "ZOOM_CLIENT_SECRET=",
            "zoom:\n  client_secret:",
            "[zoom]",
            "\"zoom\": {",
            "api.zoom.us",
            "zoomClientSecret",
            "ZoomSettings",
            "import zoomus",
            "@zoom/meetingsdk",
            "spring.security.oauth2.client.registration.zoom.client-secret",
            "zoom",
            "ZOOM_S2S_CLIENT_ID=",
            "zoom_client_secret",
            "zoom-api",
            "ZOOM_API_KEY",
            "ZOOM_WEBHOOK_SECRET_TOKEN",
        ] {
            assert!(refers(text), "{text}");
        }
    }

    #[test]
    fn other_zooms() {
        for text in [
            ".card { zoom: 1.25; }",
            "zoom: 13",
            "\"zoom\": 12,",
            "map.setZoom(4)",
            "minZoom: 2",
            "zoomIn()",
            "zoomLevel = 3",
            "d3.zoom()",
            "zoomControl: true",
            "ZOOM_FACTOR = 2.0",
            "zoom_level = 3",
            "\"zoom-in\"",
            "ZOOM_MIN_LEVEL=2",
        ] {
            assert!(!refers(text), "{text}");
        }
    }

    #[test]
    fn paths() {
        assert!(mentions_zoom(b"integrations/zoom/client.py"));
        assert!(mentions_zoom(b"src/ZoomSettings.cs"));
        assert!(!mentions_zoom(b"src/components/ImageZoom.tsx"));
        assert!(!mentions_zoom(b"src/main.rs"));
    }
}
