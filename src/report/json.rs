//! The JSON report: a stable, documented shape for scripts, dashboards and baselines
//! (README.md, "JSON output", documents every field). Version 1 fields never change meaning;
//! new fields may be added. No field ever holds a whole secret: values appear redacted
//! (first four characters and the length) and as fingerprints.

use serde_json::{json, Value};

use super::{image_value, remediation};
use crate::inventory::Credential;
use crate::outcome::{FileFinding, Outcome, Scope};

/// The version of the report's shape.
pub const FORMAT_VERSION: u32 = 1;

/// The whole report; `inventory` is given for history scans.
pub fn render(outcome: &Outcome, inventory: Option<&[Credential]>) -> String {
    let mut report = json!({
        "version": FORMAT_VERSION,
        "tool": { "name": "zoomguard", "version": env!("CARGO_PKG_VERSION") },
        "scope": scope_name(outcome.scope),
        "summary": {
            "findings": outcome.findings.len(),
            "files_scanned": outcome.files_scanned,
            "commits_scanned": outcome.commits_scanned,
            "lines_scanned": outcome.lines_scanned,
            "allowed": {
                "marker": outcome.allowed_by_marker,
                "ignore_file": outcome.allowed_by_ignore_file,
                "baseline": outcome.allowed_by_baseline,
            },
            "below_min_severity": outcome.below_min_severity,
            "min_severity": outcome.min_severity.map(|s| s.name()),
            "binary_skipped": outcome.binary_skipped,
            "too_large": outcome.too_large,
            "undecodable": outcome.undecodable,
            "absent": outcome.absent,
            "old_version_absent": outcome.old_absent,
            "elapsed_ms": u64::try_from(outcome.elapsed.as_millis()).unwrap_or(u64::MAX),
        },
        "findings": outcome.findings.iter().map(finding).collect::<Vec<_>>(),
        "notices": outcome.notices.iter().map(finding).collect::<Vec<_>>(),
    });
    if let Some(credentials) = inventory {
        report["inventory"] = credentials.iter().map(credential).collect();
    }
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}

fn scope_name(scope: Scope) -> &'static str {
    match scope {
        Scope::Staged => "staged",
        Scope::Push => "push",
        Scope::Receive => "receive",
        Scope::Range => "range",
        Scope::History => "history",
        Scope::Files => "files",
        Scope::CommitMessage => "commit-message",
        Scope::Image => "image",
    }
}

fn finding(file_finding: &FileFinding) -> Value {
    let finding = &file_finding.finding;
    json!({
        "rule_id": finding.rule.id,
        "kind": finding.kind().name(),
        "severity": finding.severity().name(),
        "path": file_finding.path,
        "line": finding.line,
        "column": finding.column,
        "commit": file_finding.commit.as_ref().map(|c| json!({
            "id": c.id,
            "summary": c.summary,
            "author_time": c.author_time,
        })),
        "redacted": finding.redacted(),
        "fingerprint": finding.fingerprint(),
        "related": finding.related.as_ref().map(|r| json!({ "kind": r.kind.label(), "value": r.value })),
        "verified": finding.proof.is_some(),
        "verification": finding.proof,
        "expired": finding.expired,
        "zoom_context": finding.because.as_ref().map(crate::detect::Because::describe),
        "expires_at": finding.expires_at,
        "image": file_finding.image.as_ref().map(image_value),
        "remediation": remediation::summary(finding.kind()),
    })
}

fn credential(credential: &Credential) -> Value {
    json!({
        "fingerprint": credential.fingerprint,
        "rule_id": credential.first.rule.id,
        "kind": credential.first.kind().name(),
        "redacted": credential.first.redacted(),
        "added": credential.added.iter().map(|place| json!({
            "commit": place.commit.as_ref().map(|c| c.id.as_str()),
            "author_time": place.commit.as_ref().map(|c| c.author_time),
            "path": place.path,
            "line": place.line,
        })).collect::<Vec<_>>(),
        "at_head": credential.at_head.iter().map(|(path, line)| json!({ "path": path, "line": line }))
            .collect::<Vec<_>>(),
    })
}
