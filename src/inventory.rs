//! The leak inventory of `scan --history`. Before rotating a leaked credential, a team needs
//! every place it sits: each commit that added it, and each file that still holds it at
//! HEAD (the services that will break when it is rotated read it from there). Findings are
//! grouped by fingerprint, so the inventory names each credential without its value.

use std::collections::HashMap;
use std::sync::Arc;

use crate::change::CommitInfo;
use crate::detect::Finding;
use crate::outcome::FileFinding;

/// One distinct credential and where it was added.
#[derive(Debug, Clone)]
pub struct Credential {
    /// Its stable fingerprint (rule id and a hash of the value).
    pub fingerprint: String,
    /// The first finding of it, for its kind, redacted value and app identifier.
    pub first: Finding,
    /// Every commit, path and line that added it, oldest first.
    pub added: Vec<Place>,
    /// Where the value is at HEAD (path, line), empty when it is gone.
    pub at_head: Vec<(String, u32)>,
}

/// A place where a credential was added.
#[derive(Debug, Clone)]
pub struct Place {
    /// The commit that added it.
    pub commit: Option<Arc<CommitInfo>>,
    /// The file.
    pub path: String,
    /// 1-based line.
    pub line: u32,
}

/// The leak inventory of a history: every credential found, and whether HEAD could be read
/// to say where each still is.
#[derive(Debug, Default)]
pub struct Inventory {
    /// The credentials, in the order of the first commit that added each.
    pub credentials: Vec<Credential>,
    /// Whether HEAD was read (false in a repository without a HEAD commit): only then does an
    /// empty [`Credential::at_head`] mean the value is gone.
    pub head_known: bool,
}

/// Groups `findings` by credential, in the order of the first commit that added each.
pub fn group(findings: &[FileFinding]) -> Vec<Credential> {
    let mut credentials: Vec<Credential> = Vec::new();
    let mut by_fingerprint: HashMap<String, usize> = HashMap::new();
    for file_finding in findings {
        let fingerprint = file_finding.finding.fingerprint();
        let place = Place {
            commit: file_finding.commit.clone(),
            path: file_finding.path.clone(),
            line: file_finding.finding.line,
        };
        match by_fingerprint.get(&fingerprint) {
            Some(&index) => credentials[index].added.push(place),
            None => {
                by_fingerprint.insert(fingerprint.clone(), credentials.len());
                credentials.push(Credential {
                    fingerprint,
                    first: file_finding.finding.clone(),
                    added: vec![place],
                    at_head: Vec::new(),
                });
            }
        }
    }
    let when = |place: &Place| place.commit.as_ref().map(|c| c.position);
    for credential in &mut credentials {
        credential
            .added
            .sort_by(|a, b| when(a).cmp(&when(b)).then_with(|| (&a.path, a.line).cmp(&(&b.path, b.line))));
    }
    credentials.sort_by(|a, b| when(&a.added[0]).cmp(&when(&b.added[0])));
    credentials
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::Synth;

    fn found_in(path: &str, text: &str, commit: &Arc<CommitInfo>) -> Vec<FileFinding> {
        crate::outcome::findings_in(path, text, Some(commit))
    }

    #[test]
    fn one_credential_per_value_with_every_place_oldest_first() {
        let mut synth = Synth::new(9);
        let (kept, other) = (synth.alnum(32), synth.alnum(32));
        let commit = |id: &str, position| {
            Arc::new(CommitInfo { id: id.repeat(40), summary: String::new(), author_time: 0, position })
        };
        let (old, new) = (commit("a", 0), commit("b", 1));
        let mut findings = found_in("late.env", &format!("ZOOM_CLIENT_SECRET={kept}\n"), &new);
        findings.extend(found_in("early.env", &format!("ZOOM_CLIENT_SECRET={kept}\n"), &old));
        findings.extend(found_in("other.env", &format!("ZOOM_CLIENT_SECRET={other}\n"), &new));
        let credentials = group(&findings);
        assert_eq!(credentials.len(), 2);
        assert_eq!(credentials[0].added.len(), 2);
        assert_eq!(credentials[0].added[0].path, "early.env");
        assert_eq!(credentials[0].added[1].path, "late.env");
        assert_eq!(credentials[1].added.len(), 1);
        assert_ne!(credentials[0].fingerprint, credentials[1].fingerprint);
    }
}
