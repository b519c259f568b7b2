//! Findings the user has vouched for. A `zoomguard:allow` marker on the finding's line, in
//! any comment syntax (`# zoomguard:allow`, `// zoomguard:allow`, `<!-- zoomguard:allow -->`),
//! drops it. Every drop is counted, so the summary says how many were allowed.

use crate::change::Change;
use crate::detect::Finding;

/// The inline marker.
pub const MARKER: &str = "zoomguard:allow";

/// Splits `findings` into those that stand and the number allowed by a marker on their line.
pub fn apply_inline_markers(change: &Change, findings: Vec<Finding>) -> (Vec<Finding>, usize) {
    let before = findings.len();
    // Each line is searched once, however many findings it holds (scan returns them in
    // order): otherwise a long line with many secrets costs its length once per secret.
    let mut last: Option<(u32, bool)> = None;
    let kept: Vec<Finding> = findings
        .into_iter()
        .filter(|f| {
            let marked = match last {
                Some((line, marked)) if line == f.line => marked,
                _ => line_has_marker(&change.text, f.span.start),
            };
            last = Some((f.line, marked));
            !marked
        })
        .collect();
    let allowed = before - kept.len();
    (kept, allowed)
}

fn line_has_marker(text: &[u8], at: usize) -> bool {
    let start = text[..at].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let end = text[at..].iter().position(|&b| b == b'\n').map_or(text.len(), |p| at + p);
    text[start..end].windows(MARKER.len()).any(|w| w.eq_ignore_ascii_case(MARKER.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::AddedLines;
    use crate::detect::{scan, ScanOptions};
    use crate::synth::Synth;

    #[test]
    fn marker_on_the_line_allows_it_and_only_it() {
        let text = Synth::new(4)
            .expand("ZOOM_CLIENT_SECRET={s32} # zoomguard:allow test fixture\nZOOM_API_SECRET=\"{s36}\"\n");
        let change =
            Change { path: ".env".into(), old_path: None, text: text.into_bytes(), added: AddedLines::All };
        let findings = scan(&change, &ScanOptions::default());
        assert_eq!(findings.len(), 2);
        let (kept, allowed) = apply_inline_markers(&change, findings);
        assert_eq!(allowed, 1);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].line, 2);
    }

    #[test]
    fn a_marker_allows_every_finding_on_its_line() {
        let text = Synth::new(5).expand(
            "ZOOM_CLIENT_SECRET={s32} ZOOM_CLIENT_SECRET={s32} # zoomguard:allow\n\
             ZOOM_CLIENT_SECRET={s32} ZOOM_CLIENT_SECRET={s32}\n",
        );
        let change =
            Change { path: ".env".into(), old_path: None, text: text.into_bytes(), added: AddedLines::All };
        let (kept, allowed) = apply_inline_markers(&change, scan(&change, &ScanOptions::default()));
        assert_eq!(allowed, 2);
        assert_eq!(kept.iter().map(|f| f.line).collect::<Vec<_>>(), vec![2, 2]);
    }
}
