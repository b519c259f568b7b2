//! What the user reads. Formatting only: reports receive an [`Outcome`](crate::engine::Outcome)
//! and never decide anything. No report prints a secret in full.

pub mod human;
pub mod json;
pub mod progress;
pub mod remediation;
pub mod sarif;

/// Text from a repository (paths, lines) made safe for a terminal: control characters,
/// ANSI escapes and bidirectional overrides are replaced, so a crafted file name cannot
/// rewrite the screen or reorder what the user reads.
pub fn sanitize(text: &str) -> String {
    text.chars()
        .map(|c| {
            let bidi =
                matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}');
            if c.is_control() || bidi {
                '?'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_bidi_characters_are_replaced() {
        assert_eq!(sanitize("a\u{1b}[31mb\nc\u{202E}d"), "a?[31mb?c?d");
        assert_eq!(sanitize("src/config .env"), "src/config .env");
    }
}
