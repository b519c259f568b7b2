//! SARIF 2.1.0, for code-scanning dashboards (GitHub code scanning, Azure DevOps, Sonar…):
//! one rule per detector with its help text and `security-severity`, one result per
//! finding with its location and a partial fingerprint that survives line moves. Values
//! appear redacted only.

use serde_json::{json, Value};

use super::remediation::advice;
use crate::change::ImagePart;
use crate::detect::{Severity, RULES};
use crate::outcome::{FileFinding, Outcome};

/// The key of zoomguard's fingerprint among a result's `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "zoomguardFingerprint/v1";

/// The whole SARIF log of one run.
pub fn render(outcome: &Outcome) -> String {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|rule| {
            let kind = rule.kind;
            let help = format!("{} {}", advice(kind).why, super::remediation::summary(kind));
            json!({
                "id": rule.id,
                "name": pascal_case(rule.id),
                "shortDescription": { "text": kind.name() },
                "fullDescription": { "text": rule.matches },
                "help": { "text": help, "markdown": help },
                "defaultConfiguration": { "level": "error" },
                "properties": {
                    "security-severity": kind.severity().score(),
                    "tags": ["security", "secret", "zoom"],
                    "precision": "high",
                },
            })
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "zoomguard",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": outcome.findings.iter().map(result).collect::<Vec<_>>(),
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

fn result(file_finding: &FileFinding) -> Value {
    let finding = &file_finding.finding;
    let rule_index = RULES.iter().position(|rule| rule.id == finding.rule.id).unwrap_or(0);
    let length = u32::try_from(finding.secret().chars().count()).unwrap_or(u32::MAX);
    let mut message = format!("{} {} added here", finding.kind().name(), finding.redacted());
    if let Some(commit) = &file_finding.commit {
        message.push_str(&format!(" in commit {}", commit.label()));
    }
    if let Some(place) = &file_finding.image {
        message.push_str(&match &place.part {
            ImagePart::Layer { index, path, deleted_by, .. } => {
                let deleted = deleted_by.map_or_else(String::new, |later| {
                    format!(" (deleted by layer {later}, but still shipped in layer {index})")
                });
                format!(" in /{path} of layer {index} of image {}{deleted}", place.image.name)
            }
            ImagePart::Config { field } => format!(" in the config ({field}) of image {}", place.image.name),
        });
    }
    if finding.expired {
        message.push_str(" (expired token)");
    }
    if let Some(proof) = &finding.proof {
        message.push_str(&format!("; verified offline: it {proof}"));
    }
    let mut result = json!({
        "ruleId": finding.rule.id,
        "ruleIndex": rule_index,
        "level": if finding.severity() == Severity::Medium { "warning" } else { "error" },
        "message": { "text": message },
        "locations": [{ "physicalLocation": {
            "artifactLocation": { "uri": uri(&file_finding.path) },
            "region": {
                "startLine": finding.line,
                "startColumn": finding.column,
                "endColumn": finding.column.saturating_add(length),
            },
        }}],
        "partialFingerprints": { FINGERPRINT_KEY: finding.fingerprint() },
        "properties": { "severity": finding.severity().name() },
    });
    if let Some(commit) = &file_finding.commit {
        result["properties"]["commit"] = json!(commit.id);
    }
    if let Some(place) = &file_finding.image {
        // The path names the image, the layer and the file in it (`app:1.2/layer-2/app/.env`);
        // the logical locations name them one by one, for dashboards that group by them.
        let (name, kind) = match &place.part {
            ImagePart::Layer { path, .. } => (path.as_str(), "resource"),
            ImagePart::Config { field } => (*field, "property"),
        };
        result["locations"][0]["logicalLocations"] = json!([{
            "name": name,
            "fullyQualifiedName": file_finding.path,
            "kind": kind,
        }]);
        result["properties"]["image"] = super::image_value(place);
    }
    result
}

/// `zoom-client-secret` → `ZoomClientSecret`, SARIF's customary rule name form.
fn pascal_case(id: &str) -> String {
    id.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map_or_else(String::new, |first| first.to_ascii_uppercase().to_string() + chars.as_str())
        })
        .collect()
}

/// A repository-relative path as a URI reference: unreserved characters and `/` kept,
/// every other byte percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_uris() {
        assert_eq!(pascal_case("zoom-oauth-refresh-token"), "ZoomOauthRefreshToken");
        assert_eq!(uri("src/my file#1.env"), "src/my%20file%231.env");
        assert_eq!(uri("données/é"), "donn%C3%A9es/%C3%A9");
    }
}
