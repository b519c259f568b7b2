//! Rename and copy detection past `diff.renameLimit` (issue 16): a reorganisation of many
//! files must not cost the hook more than git's own diff, and must not hide a line it adds.
//! Past the limit only exact renames and moves that keep their name are paired; the same
//! change gives the same findings within the limit (libgit2's full detection) and past it.

use crate::support::{filler, redacted, secret, secret_line, Run, TestRepo};

/// Seeds of secrets already committed, one per moved file.
const OLD: u64 = 10;
/// Seed of the secret the reorganisation adds.
const NEW: u64 = 2;
/// How many files the reorganisation moves.
const MOVED: u64 = 6;

/// A repository whose history holds `lib/aK.env` for each moved file, each with its own old
/// secret on line 11, and the hook installed; `limit` as its `diff.renameLimit`.
fn repository(limit: Option<&str>) -> TestRepo {
    let repo = TestRepo::with_hook();
    for k in 0..MOVED {
        repo.stage(&format!("lib/a{k}.env"), filler(10) + &secret_line(OLD + k));
    }
    repo.commit_unchecked("setup");
    if let Some(limit) = limit {
        repo.git_ok(["config", "diff.renameLimit", limit]);
    }
    repo
}

/// Moves every `lib/aK.env` to `src/aK.env`, appends a line to each (the `NEW` secret to
/// `src/a3.env`), and commits through the hook.
fn move_all(repo: &TestRepo) -> Run {
    for k in 0..MOVED {
        mv(repo, &format!("lib/a{k}.env"), &format!("src/a{k}.env"));
        let line = if k == 3 { secret_line(NEW) } else { format!("ADDED_{k}=one more setting\n") };
        repo.append(&format!("src/a{k}.env"), line);
        repo.add(&[&format!("src/a{k}.env")]);
    }
    repo.commit(&[])
}

/// `git mv from to`, making the directory `to` goes into.
fn mv(repo: &TestRepo, from: &str, to: &str) {
    let dir = repo.path.join(to);
    std::fs::create_dir_all(dir.parent().expect("a file has a directory")).expect("make the directory");
    repo.git_ok(["mv", from, to]);
}

fn assert_only_the_new_secret(run: &Run) {
    assert_eq!(run.code, 1, "the added secret must block:\n{run}");
    let out = run.all();
    assert!(out.contains("src/a3.env:12:20"), "the added line is not reported:\n{run}");
    assert!(out.contains(&redacted(&secret(NEW))), "{run}");
    for k in 0..MOVED {
        let old = secret(OLD + k);
        assert!(!out.contains(&redacted(&old)), "a moved, unchanged secret was reported:\n{run}");
        assert!(!out.contains(&old), "a secret was printed in full:\n{run}");
    }
    assert!(!out.contains(&secret(NEW)), "a secret was printed in full:\n{run}");
}

#[test]
fn moved_files_past_the_rename_limit_report_only_the_added_line() {
    // 6 new × 6 deleted files is past a limit of 2 (2 × 2): only the cheap steps run.
    let repo = repository(Some("2"));
    assert_only_the_new_secret(&move_all(&repo));
}

#[test]
fn moved_files_within_the_rename_limit_report_the_same() {
    let repo = repository(None);
    assert_only_the_new_secret(&move_all(&repo));
}

#[test]
fn exact_moves_past_the_rename_limit_pass() {
    let repo = repository(Some("1"));
    for k in 0..MOVED {
        mv(&repo, &format!("lib/a{k}.env"), &format!("moved/a{k}.env"));
    }
    let run = repo.commit(&[]);
    assert_eq!(run.code, 0, "pure moves add no line:\n{run}");
    assert!(!run.all().contains("zoom-"), "{run}");
}

#[test]
fn a_file_that_only_shares_a_name_is_scanned_whole_past_the_limit() {
    // `src/a0.env` keeps the old file's name but little of its text: it is a new file, and
    // the old secret it repeats on its first line counts as added, as git's diff shows it.
    for limit in [Some("1"), None] {
        let repo = repository(limit);
        for k in 1..MOVED {
            mv(&repo, &format!("lib/a{k}.env"), &format!("src/a{k}.env"));
        }
        repo.git_ok(["rm", "-q", "lib/a0.env"]);
        let unrelated: String = (0..30).map(|i| format!("OTHER_{i}=a different file altogether\n")).collect();
        repo.stage("src/a0.env", secret_line(OLD) + &unrelated);
        let run = repo.commit(&[]);
        assert_eq!(run.code, 1, "limit {limit:?}: the repeated secret must block:\n{run}");
        assert!(run.all().contains("src/a0.env:1:20"), "limit {limit:?}:\n{run}");
        assert!(!run.all().contains(&secret(OLD)), "a secret was printed in full:\n{run}");
    }
}

#[test]
fn a_range_scan_past_the_rename_limit_reports_only_the_added_line() {
    let repo = repository(Some("2"));
    for k in 0..MOVED {
        mv(&repo, &format!("lib/a{k}.env"), &format!("src/a{k}.env"));
        let line = if k == 3 { secret_line(NEW) } else { format!("ADDED_{k}=one more setting\n") };
        repo.append(&format!("src/a{k}.env"), line);
        repo.add(&[&format!("src/a{k}.env")]);
    }
    repo.commit_unchecked("reorganise");
    assert_only_the_new_secret(&repo.zoomguard(["scan", "--range", "HEAD~1..HEAD"]));
}
