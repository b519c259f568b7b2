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

/// Every file and directory under `dir`, with its size, sorted.
fn tree_listing(dir: &std::path::Path) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).expect("list a directory") {
            let entry = entry.expect("a directory entry");
            let meta = entry.metadata().expect("metadata");
            out.push((entry.path().display().to_string(), if meta.is_dir() { 0 } else { meta.len() }));
            if meta.is_dir() {
                stack.push(entry.path());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn the_hook_and_scans_write_no_file_anywhere() {
    let repo = TestRepo::new();
    repo.stage("README.md", "a project\n");
    repo.commit_unchecked("start");
    repo.stage("old.env", secret_line(BIG));
    repo.commit_unchecked("an old leak");
    repo.stage("new.env", filler(2) + &secret_line(BIG + 1));
    let tmp = repo.root().join("tmp");
    std::fs::create_dir(&tmp).expect("a TMPDIR");
    let before = (tree_listing(repo.root()), std::fs::read(repo.path.join(".git/index")).expect("the index"));
    for args in [
        &["pre-commit"][..],
        &["pre-commit", "--format", "json"],
        &["pre-commit", "--format", "sarif", "-v"],
        &["scan", "--history"],
        &["scan", "--history", "--format", "json"],
        &["scan", "--range", "HEAD~1..HEAD"],
        &["scan", "."],
    ] {
        let mut cmd = repo.command(super::support::ZOOMGUARD);
        cmd.args(args).env("TMPDIR", &tmp);
        let run = TestRepo::run(cmd);
        assert_eq!(run.code, 1, "{args:?}:\n{run}");
        for seed in [BIG, BIG + 1] {
            assert!(!run.all().contains(&secret(seed)), "{args:?} printed a whole secret:\n{run}");
        }
    }
    let after = (tree_listing(repo.root()), std::fs::read(repo.path.join(".git/index")).expect("the index"));
    assert!(before == after, "a run created, removed or changed a file");
}
