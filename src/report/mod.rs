//! What the user reads. Formatting only: reports receive an [`Outcome`](crate::outcome::Outcome)
//! and never decide anything. No report prints a secret in full.

pub mod human;
pub mod json;
pub mod progress;
pub mod remediation;
pub mod sarif;

/// The report's format (`--format`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    /// Text for people, with remediation.
    #[default]
    Human,
    /// JSON with a stable, documented shape.
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
}

use serde_json::{json, Value};

use crate::change::{ImagePart, ImagePlace};

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

/// Where in an image a finding is: the image, and its layer and path there or its config part.
fn image_value(place: &ImagePlace) -> Value {
    let info = &place.image;
    let mut value = json!({
        "name": info.name,
        "platform": info.platform,
        "manifest": info.manifest,
        "config": info.config,
    });
    match &place.part {
        ImagePart::Layer { index, digest, diff_id, path, deleted_by } => {
            value["source"] = json!("layer");
            value["layer"] = json!({ "index": index, "digest": digest, "diff_id": diff_id });
            value["path"] = json!(path);
            value["deleted_by_layer"] = json!(deleted_by);
        }
        ImagePart::Config { field } => {
            value["source"] = json!("config");
            value["layer"] = Value::Null;
            value["path"] = json!(field);
            value["deleted_by_layer"] = Value::Null;
        }
    }
    value
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
