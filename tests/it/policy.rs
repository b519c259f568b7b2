//! Team policy from git config: `zoomguard.onError` (block, the default, or warn) and
//! `zoomguard.maxFileSize` (files above it are named as not scanned, never passed silently).

use super::support::{filler, secret, secret_line, TestRepo};

const BIG: u64 = 91;

#[test]
fn an_internal_error_blocks_unless_the_team_chose_warn() {
    let repo = TestRepo::with_hook();
    // A malformed ignore file is an internal error for the hook.
    repo.write(".zoomguardignore", "zoom-client-secret:broken\n");
    repo.stage("README.md", "hello\n");
    let blocked = repo.commit(&[]);
    assert_ne!(blocked.code, 0, "{blocked}");
    assert!(
        blocked.stderr.contains("zoomguard: error:") && blocked.stderr.contains("--no-verify"),
        "{blocked}"
    );
    assert!(repo.head().is_none(), "the default policy blocks");

    repo.git_ok(["config", "zoomguard.onError", "warn"]);
    let warned = repo.commit(&[]);
    assert_eq!(warned.code, 0, "{warned}");
    assert!(warned.stderr.contains("zoomguard: error:"), "the cause is still shown:\n{warned}");
    assert!(warned.stderr.contains("WARNING: nothing was checked"), "{warned}");
    assert!(repo.head().is_some(), "warn lets the commit through");

    // Findings still block under warn: the policy is about errors only.
    repo.write(".zoomguardignore", "");
    repo.stage("leak.env", secret_line(BIG));
    let found = repo.commit(&[]);
    assert_ne!(found.code, 0, "{found}");
    assert!(found.stderr.contains("leak.env:1:20"), "{found}");

    // A scan has no commit to let through: its errors are always errors.
    let scan = repo.zoomguard(["scan", "--range", "nothing-here"]);
    assert_eq!(scan.code, 2, "{scan}");
}

#[test]
fn files_over_the_size_limit_are_named_as_not_scanned() {
    let repo = TestRepo::with_hook();
    repo.git_ok(["config", "zoomguard.maxFileSize", "1k"]);
    let big = filler(40) + &secret_line(BIG);
    assert!(big.len() > 1024);
    repo.stage("big.env", &big);
    repo.stage("small.txt", "fine\n");
    let run = repo.commit(&[]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stderr.contains("1 file NOT scanned, over zoomguard.maxFileSize: big.env"), "{run}");
    assert!(!run.stderr.contains(&secret(BIG)), "{run}");

    let history = repo.zoomguard(["scan", "--history", "--format", "json"]);
    assert_eq!(history.code, 0, "{history}");
    let report: serde_json::Value = serde_json::from_str(&history.stdout).expect("JSON");
    assert_eq!(report["summary"]["too_large"][0], "big.env", "{history}");
    assert!(history.stderr.contains("NOT scanned"), "the summary still warns on stderr:\n{history}");

    repo.git_ok(["config", "zoomguard.maxFileSize", "1m"]);
    let scanned = repo.zoomguard(["scan", "--history"]);
    assert_eq!(scanned.code, 1, "under the limit it is scanned:\n{scanned}");

    repo.git_ok(["config", "zoomguard.maxFileSize", "lots"]);
    let bad = repo.zoomguard(["scan", "--history"]);
    assert_eq!(bad.code, 2, "{bad}");
    assert!(bad.stderr.contains("zoomguard.maxFileSize"), "{bad}");
}
