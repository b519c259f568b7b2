//! What detection reports: a [`Finding`] (the rule, where it is, what it names and why it is
//! Zoom's) that holds its secret privately and shows it only redacted or as a fingerprint,
//! and the settling of findings that wait for the project's context.

use std::ops::Range;
use std::sync::Arc;

use super::kind::{IdentifierKind, Kind, Severity};
use super::rules::Rule;

/// Why a finding whose own name does not say Zoom is Zoom's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Because {
    /// The file names Zoom, though not near the value: on this 1-based line first.
    ZoomInFile {
        /// The first line that names Zoom.
        line: u32,
    },
    /// The project uses Zoom, for this reason.
    Project(Arc<str>),
    /// It counts only if the project uses Zoom, which is not known yet (see [`settle`]).
    ProjectUnresolved,
}

impl Because {
    /// The sentence a report shows.
    pub fn describe(&self) -> String {
        match self {
            Because::ZoomInFile { line } => format!("this file uses Zoom (line {line})"),
            Because::Project(reason) => format!("this repository uses Zoom: {reason}"),
            Because::ProjectUnresolved => "this repository may use Zoom".to_owned(),
        }
    }
}

/// Decides the findings that wait for the project's context: with a reason they count, and
/// say it; without one they are dropped.
pub fn settle(findings: &mut Vec<Finding>, reason: Option<&Arc<str>>) {
    findings.retain_mut(|finding| settle_one(finding, reason));
}

/// [`settle`] for one finding: whether it is kept.
pub fn settle_one(finding: &mut Finding, reason: Option<&Arc<str>>) -> bool {
    if finding.because != Some(Because::ProjectUnresolved) {
        return true;
    }
    match reason {
        Some(reason) => {
            finding.because = Some(Because::Project(reason.clone()));
            true
        }
        None => false,
    }
}

/// Whether a finding waits for the project's context (see [`settle`]).
pub fn is_unresolved(finding: &Finding) -> bool {
    finding.because == Some(Because::ProjectUnresolved)
}

/// An identifier that names the app a secret belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    /// Which identifier.
    pub kind: IdentifierKind,
    /// Its value (identifiers are not secrets and are shown in full).
    pub value: String,
}

/// A Zoom secret on an added line.
#[derive(Clone)]
pub struct Finding {
    /// The rule that found it.
    pub rule: &'static Rule,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// Byte range of the secret in the file.
    pub span: Range<usize>,
    /// The app's identifier, when one was found beside the secret or inside the token.
    pub related: Option<Related>,
    /// The token's `exp` (Unix seconds), for JWTs that carry one.
    pub expires_at: Option<i64>,
    /// Whether `expires_at` is already past.
    pub expired: bool,
    /// What proved it real, when the same change holds the other half of its pair (see
    /// [`super::verify`]): "signs the Zoom JWT app token at app.py:3".
    pub proof: Option<String>,
    /// Why it is Zoom's when its name does not say so; `None` when it does.
    pub because: Option<Because>,
    pub(super) secret: String,
}

impl Finding {
    /// The kind of secret.
    pub fn kind(&self) -> Kind {
        self.rule.kind
    }

    /// How urgent it is: an expired token is low (it grants nothing, even when a secret beside
    /// it verifies it: the secret is its own finding), a verified secret critical, otherwise
    /// its kind decides.
    pub fn severity(&self) -> Severity {
        if self.expired {
            Severity::Low
        } else if self.proof.is_some() {
            Severity::Critical
        } else {
            self.rule.kind.severity()
        }
    }

    /// The secret itself. Never print it: use [`Finding::redacted`].
    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// The first four characters, an ellipsis and the length: enough to recognise the value,
    /// never enough to use it.
    pub fn redacted(&self) -> String {
        let head: String = self.secret.chars().take(4).collect();
        format!("{head}… ({} chars)", self.secret.chars().count())
    }

    /// A stable name for this secret: the rule id and 16 hex digits of a SHA-256 of the
    /// value. The same secret gets the same fingerprint wherever it moves, and the value
    /// cannot be recovered from it, so fingerprints can go in ignore files and reports.
    pub fn fingerprint(&self) -> String {
        fingerprint(self.rule.id, &self.secret)
    }
}

/// The fingerprint of `secret` found by rule `rule_id` (see [`Finding::fingerprint`]).
pub fn fingerprint(rule_id: &str, secret: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new().chain_update(b"zoomguard-fingerprint-v1\0").chain_update(secret).finalize();
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("{rule_id}:{hex}")
}

impl std::fmt::Debug for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Finding")
            .field("rule", &self.rule.id)
            .field("line", &self.line)
            .field("column", &self.column)
            .field("secret", &self.redacted())
            .field("related", &self.related)
            .field("expires_at", &self.expires_at)
            .field("proof", &self.proof)
            .finish()
    }
}
