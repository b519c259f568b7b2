//! The installed pre-commit hook against real `git commit`, one test per git situation
//! that issue 2 lists: what must be blocked, what must pass, and that the hook never
//! prints a secret in full nor touches the index or the working tree.
//!
//! Secrets come from `zoomguard::synth` (see `support::secret`); `OLD` is a secret already
//! in history (committed with `--no-verify`), `NEW` is one the commit under test adds.

use std::fs;
use std::path::Path;

use crate::support::{
    filler, redacted, secret, secret_line, Expect, Run, TestRepo, CLIENT_SECRET_RULE, ZOOMGUARD,
};

/// Seed of a secret that is already in history.
const OLD: u64 = 1;
/// Seed of the secret the commit under test adds.
const NEW: u64 = 2;

/// What a situation should end in.
#[derive(Debug, Clone, Copy)]
enum Outcome<'a> {
    Pass,
    /// Blocked, with the `NEW` secret reported at this `path:line:column`.
    Blocked(&'a str),
}

/// A setup that stages one file on the unborn branch and commits with no extra argument.
fn staging(path: &'static str, contents: impl AsRef<[u8]>) -> impl FnOnce(&TestRepo) -> Vec<&'static str> {
    move |r| {
        r.stage(path, contents);
        vec![]
    }
}

/// Installs the hook in a fresh repository, lets `setup` prepare it and name the extra
/// `git commit` arguments, commits, and checks the outcome. Returns the run for extra checks.
fn situation(setup: impl FnOnce(&TestRepo) -> Vec<&'static str>, outcome: Outcome<'_>) -> (TestRepo, Run) {
    let repo = TestRepo::with_hook();
    let args = setup(&repo);
    let before = repo.head();
    let run = repo.commit(&args);
    let new = secret(NEW);
    let expect = match outcome {
        Outcome::Pass => Expect::Pass,
        Outcome::Blocked(at) => Expect::Block { rule: CLIENT_SECRET_RULE, at, secret: &new },
    };
    repo.attempt_in(&repo.path, before.as_deref()).check(&run, &[&secret(OLD), &new], expect);
    (repo, run)
}

/// A repository whose history holds `config.env`: ten settings, then the `OLD` secret (line 11).
fn with_old_secret(repo: &TestRepo) {
    let text = filler(10) + &secret_line(OLD);
    repo.commit_files_unchecked(&[("config.env", &text), ("notes.txt", "first\n")]);
}

/// A repository whose history holds a clean `config.env` (three lines) and `notes.txt`.
fn with_clean_history(repo: &TestRepo) {
    repo.commit_files_unchecked(&[("config.env", &filler(3)), ("notes.txt", "first\n")]);
}

// ---- blocked ----

#[test]
fn first_commit_on_unborn_branch_is_blocked() {
    situation(staging(".env", secret_line(NEW)), Outcome::Blocked(".env:1:20"));
}

#[test]
fn commit_all_with_secret_in_tracked_modified_file_is_blocked() {
    let setup = |r: &TestRepo| {
        with_clean_history(r);
        r.append("config.env", secret_line(NEW));
        vec!["-a"]
    };
    situation(setup, Outcome::Blocked("config.env:4:20"));
}

#[test]
fn commit_named_path_holding_the_secret_is_blocked() {
    for flag in ["--", "--only"] {
        let setup = move |r: &TestRepo| {
            with_clean_history(r);
            r.stage("notes.txt", "second\n");
            r.append("config.env", secret_line(NEW)); // unstaged: git stages it for the commit
            vec![flag, "config.env"]
        };
        situation(setup, Outcome::Blocked("config.env:4:20"));
    }
}

#[test]
fn commit_include_is_blocked_by_the_included_path_and_by_the_index() {
    let included_has_secret = |r: &TestRepo| {
        with_clean_history(r);
        r.stage("notes.txt", "second\n");
        r.append("config.env", secret_line(NEW));
        vec!["--include", "config.env"]
    };
    situation(included_has_secret, Outcome::Blocked("config.env:4:20"));
    let index_has_secret = |r: &TestRepo| {
        with_clean_history(r);
        r.append("config.env", secret_line(NEW));
        r.add(&["config.env"]);
        r.write("notes.txt", "second\n");
        vec!["--include", "notes.txt"]
    };
    situation(index_has_secret, Outcome::Blocked("config.env:4:20"));
}

#[test]
fn amend_adding_a_secret_is_blocked() {
    let setup = |r: &TestRepo| {
        with_clean_history(r);
        r.stage(".env", secret_line(NEW));
        vec!["--amend"]
    };
    situation(setup, Outcome::Blocked(".env:1:20"));
}

#[test]
fn rename_with_an_edit_adding_a_secret_reports_only_the_added_line() {
    let setup = |r: &TestRepo| {
        with_old_secret(r);
        r.git_ok(["mv", "config.env", "renamed.env"]);
        r.append("renamed.env", secret_line(NEW));
        r.add(&["renamed.env"]);
        vec![]
    };
    let (_, run) = situation(setup, Outcome::Blocked("renamed.env:12:20"));
    assert!(!run.all().contains("renamed.env:11:"), "the old, unchanged secret was reported:\n{run}");
}

#[test]
fn copy_with_an_edit_adding_a_secret_reports_only_the_added_line() {
    let setup = |r: &TestRepo| {
        with_old_secret(r);
        let old = fs::read(r.path.join("config.env")).expect("read config.env");
        r.write("copy.env", old);
        r.append("copy.env", secret_line(NEW));
        r.add(&["copy.env"]);
        vec![]
    };
    let (_, run) = situation(setup, Outcome::Blocked("copy.env:12:20"));
    assert!(!run.all().contains("copy.env:11:"), "the copied, unchanged secret was reported:\n{run}");
}

#[test]
fn crlf_file_is_blocked_at_the_right_line() {
    let text = format!("# zoom app\r\nDEBUG=1\r\n{}", secret_line(NEW).replace('\n', "\r\n"));
    situation(staging("win.env", text), Outcome::Blocked("win.env:3:20"));
}

#[test]
fn non_utf8_file_is_blocked() {
    let mut bytes = b"# caf\xe9 cr\xe8me br\xfbl\xe9e\n".to_vec();
    bytes.extend_from_slice(secret_line(NEW).as_bytes());
    bytes.extend_from_slice(b"# na\xefve \xa9 2024\n");
    situation(staging("latin1.env", bytes), Outcome::Blocked("latin1.env:2:20"));
}

#[test]
fn single_20_mb_line_with_a_secret_in_the_middle_is_blocked() {
    const HALF: usize = 10 * 1024 * 1024;
    let pattern = b"lorem ipsum dolor sit amet ";
    let mut bytes: Vec<u8> = pattern.iter().copied().cycle().take(HALF).collect();
    bytes.push(b' '); // the filler may end mid-word
    let column = bytes.len() + 1 + "ZOOM_CLIENT_SECRET=".len();
    bytes.extend_from_slice(format!("ZOOM_CLIENT_SECRET={} ", secret(NEW)).as_bytes());
    bytes.extend(pattern.iter().copied().cycle().take(HALF));
    bytes.push(b'\n');
    let at = format!("dump.txt:1:{column}");
    // How long it takes is for the benchmarks (benches/detect.rs, linear/*), not for a test.
    situation(staging("dump.txt", bytes), Outcome::Blocked(&at));
}

#[test]
fn linked_worktree_commit_is_blocked() {
    let repo = TestRepo::with_hook();
    with_clean_history(&repo);
    let wt = repo.root().join("wt");
    let wt_arg = wt.display().to_string();
    repo.git_ok(["worktree", "add", "-q", "-b", "feature", wt_arg.as_str()]);
    let new = secret(NEW);
    fs::write(wt.join(".env"), secret_line(NEW)).expect("write in the worktree");
    repo.git_ok_in(&wt, ["add", ".env"]);
    let before = repo.head_in(&wt);
    let run = repo.commit_in(&wt, &[]);
    repo.attempt_in(&wt, before.as_deref()).check(
        &run,
        &[&new],
        Expect::Block { rule: CLIENT_SECRET_RULE, at: ".env:1:20", secret: &new },
    );
    // The hook works there, not just fails: a clean version goes through.
    fs::write(wt.join(".env"), "ZOOM_CLIENT_SECRET=${ZOOM_CLIENT_SECRET}\n").expect("write in the worktree");
    repo.git_ok_in(&wt, ["add", ".env"]);
    let run = repo.commit_in(&wt, &[]);
    repo.attempt_in(&wt, before.as_deref()).check(&run, &[&new], Expect::Pass);
}

#[test]
fn core_hooks_path_gets_the_hook_and_it_blocks() {
    for relative in [true, false] {
        let repo = TestRepo::new();
        let dir = if relative {
            ".githooks".to_owned()
        } else {
            repo.root().join("shared-hooks").display().to_string()
        };
        repo.git_ok(["config", "core.hooksPath", &dir]);
        repo.install();
        let hook = if relative { repo.path.join(&dir) } else { dir.clone().into() }.join("pre-commit");
        assert!(hook.is_file(), "no hook at {} after install with core.hooksPath={dir}", hook.display());
        assert!(!repo.path.join(".git/hooks/pre-commit").exists(), "the hook went to .git/hooks instead");
        repo.stage(".env", secret_line(NEW));
        let new = secret(NEW);
        let run = repo.commit(&[]);
        repo.attempt_in(&repo.path, None).check(
            &run,
            &[&new],
            Expect::Block { rule: CLIENT_SECRET_RULE, at: ".env:1:20", secret: &new },
        );
    }
}

// ---- allowed ----

#[test]
fn clean_commit_passes_silently() {
    let (repo, run) = situation(staging("README.md", "# hello\n"), Outcome::Pass);
    assert_eq!(run.stderr, "", "a clean commit printed something on stderr");
    // `-v` prints a summary line instead of nothing.
    repo.stage("more.md", "more\n");
    let verbose = repo.zoomguard(["pre-commit", "-v"]);
    assert_eq!(verbose.code, 0, "{verbose}");
    assert!(!verbose.stderr.trim().is_empty(), "-v printed no summary:\n{verbose}");
}

#[test]
fn commit_named_clean_path_passes_while_another_file_holds_a_staged_secret() {
    for flag in ["--", "--only"] {
        let setup = move |r: &TestRepo| {
            with_clean_history(r);
            r.append("config.env", secret_line(NEW));
            r.add(&["config.env"]);
            r.write("notes.txt", "second\n");
            vec![flag, "notes.txt"]
        };
        let (repo, _) = situation(setup, Outcome::Pass);
        let staged = repo.git_ok(["diff", "--cached", "--name-only"]);
        assert_eq!(staged.trim(), "config.env", "the staged secret should still wait in the index");
    }
}

#[test]
fn commit_include_of_clean_paths_passes() {
    let setup = |r: &TestRepo| {
        with_clean_history(r);
        r.stage("extra.txt", "extra\n");
        r.write("notes.txt", "second\n");
        r.write("scratch.env", secret_line(NEW)); // untracked, not included
        vec!["--include", "notes.txt"]
    };
    situation(setup, Outcome::Pass);
}

#[test]
fn amend_without_a_new_secret_passes() {
    let setup = |r: &TestRepo| {
        with_old_secret(r); // HEAD already holds a secret, committed knowingly
        r.stage("notes.txt", "amended\n");
        vec!["--amend"]
    };
    situation(setup, Outcome::Pass);
}

#[test]
fn rename_without_edit_passes() {
    let setup = |r: &TestRepo| {
        with_old_secret(r);
        r.git_ok(["mv", "config.env", "renamed.env"]);
        vec![]
    };
    situation(setup, Outcome::Pass);
}

#[test]
fn copy_without_edit_passes() {
    let setup = |r: &TestRepo| {
        with_old_secret(r);
        fs::copy(r.path.join("config.env"), r.path.join("copy.env")).expect("cp config.env copy.env");
        r.add(&["copy.env"]);
        vec![]
    };
    situation(setup, Outcome::Pass);
}

#[test]
fn deleting_a_file_with_a_secret_passes() {
    let setup = |r: &TestRepo| {
        with_old_secret(r);
        r.git_ok(["rm", "-q", "config.env"]);
        vec![]
    };
    situation(setup, Outcome::Pass);
}

#[test]
fn removing_the_secret_line_passes() {
    let setup = |r: &TestRepo| {
        with_old_secret(r);
        r.stage("config.env", filler(10) + "ZOOM_CLIENT_SECRET=${ZOOM_CLIENT_SECRET}\n");
        vec![]
    };
    situation(setup, Outcome::Pass);
}

#[test]
fn editing_another_line_of_a_file_holding_a_secret_passes() {
    let setup = |r: &TestRepo| {
        with_old_secret(r);
        r.append("config.env", "DEBUG=true\n");
        let text = fs::read_to_string(r.path.join("config.env")).expect("read config.env");
        r.stage("config.env", text.replace("value number 1 ", "value number one "));
        vec![]
    };
    situation(setup, Outcome::Pass);
}

#[cfg(unix)]
#[test]
fn mode_only_change_passes() {
    use std::os::unix::fs::PermissionsExt;
    let setup = |r: &TestRepo| {
        with_old_secret(r);
        fs::set_permissions(r.path.join("config.env"), fs::Permissions::from_mode(0o755)).expect("chmod +x");
        r.add(&["config.env"]);
        vec![]
    };
    let (repo, _) = situation(setup, Outcome::Pass);
    let mode = repo.git_ok(["ls-tree", "HEAD", "config.env"]);
    assert!(mode.starts_with("100755"), "the mode change did not land: {mode}");
}

#[test]
fn binary_file_holding_secret_text_passes() {
    let mut bytes = b"\x00\x01\x02PK\x00".to_vec();
    bytes.extend_from_slice(secret_line(NEW).as_bytes());
    bytes.extend_from_slice(b"\x00\xff\x00");
    situation(staging("blob.bin", bytes), Outcome::Pass);
}

#[test]
fn submodule_entry_passes() {
    let setup = |r: &TestRepo| {
        let sub = r.root().join("sub");
        fs::create_dir(&sub).expect("create the submodule's repository");
        fs::write(sub.join(".env"), secret_line(OLD)).expect("write in the submodule");
        let identity = ["-c", "user.name=Sub", "-c", "user.email=sub@zoomguard.invalid"];
        for args in
            [&["init", "-q"][..], &["add", ".env"], &[identity, ["commit", "-q", "-m", "sub"]].concat()]
        {
            r.git_ok_in(&sub, args);
        }
        let url = sub.display().to_string();
        r.git_ok(["-c", "protocol.file.allow=always", "submodule", "add", "-q", url.as_str(), "vendor/sub"]);
        vec![]
    };
    let (repo, _) = situation(setup, Outcome::Pass);
    let entry = repo.git_ok(["ls-tree", "HEAD", "vendor/sub"]);
    assert!(entry.starts_with("160000 commit"), "no gitlink was committed: {entry}");
}

#[cfg(unix)]
#[test]
fn symlink_passes() {
    let setup = |r: &TestRepo| {
        with_old_secret(r);
        std::os::unix::fs::symlink("config.env", r.path.join("link.env")).expect("ln -s");
        r.add(&["link.env"]);
        vec![]
    };
    let (repo, _) = situation(setup, Outcome::Pass);
    let entry = repo.git_ok(["ls-tree", "HEAD", "link.env"]);
    assert!(entry.starts_with("120000 blob"), "no symlink was committed: {entry}");
}

#[test]
fn secret_only_in_the_unstaged_working_tree_passes() {
    let setup = |r: &TestRepo| {
        with_clean_history(r);
        r.stage(".env", filler(2));
        r.append(".env", secret_line(NEW)); // not staged
        vec![]
    };
    let (repo, _) = situation(setup, Outcome::Pass);
    let committed = repo.git_ok(["show", "HEAD:.env"]);
    assert_eq!(committed, filler(2), "the commit should hold the staged version only");
}

// ---- errors ----

#[test]
fn pre_commit_outside_a_repository_is_an_error() {
    let repo = TestRepo::new();
    let not_a_repo = repo.root().join("home");
    let mut outside = repo.command_in(ZOOMGUARD, &not_a_repo);
    outside.arg("pre-commit");
    let mut bad_git_dir = repo.command(ZOOMGUARD);
    bad_git_dir.arg("pre-commit").env("GIT_DIR", &not_a_repo);
    for (case, cmd) in [("outside any repository", outside), ("GIT_DIR is not a repository", bad_git_dir)] {
        let run = TestRepo::run(cmd);
        assert_eq!(run.code, 2, "{case}:\n{run}");
        assert!(run.stderr.starts_with("zoomguard: error:"), "{case}:\n{run}");
        assert!(run.stderr.contains("--no-verify"), "{case}: no bypass hint:\n{run}");
    }
}

// ---- install, chaining, side effects ----

#[test]
fn install_twice_is_idempotent() {
    let repo = TestRepo::with_hook();
    let hook = repo.hooks_dir().join("pre-commit");
    let first = fs::read(&hook).expect("the hook was installed");
    repo.install();
    assert_eq!(repo.hook_files(), ["pre-commit"], "a second install left extra hooks");
    assert_eq!(fs::read(&hook).expect("the hook is still there"), first, "a second install changed the shim");
    repo.stage("README.md", "# hello\n");
    let run = repo.commit(&[]);
    repo.attempt_in(&repo.path, None).check(&run, &[], Expect::Pass);
    let new = secret(NEW);
    repo.stage(".env", secret_line(NEW));
    let before = repo.head();
    let run = repo.commit(&[]);
    repo.attempt_in(&repo.path, before.as_deref()).check(
        &run,
        &[&new],
        Expect::Block { rule: CLIENT_SECRET_RULE, at: ".env:1:20", secret: &new },
    );
}

/// Writes an executable foreign pre-commit hook that appends a line to `marker` and exits with `code`.
#[cfg(unix)]
fn foreign_hook(repo: &TestRepo, marker: &Path, code: i32) -> String {
    use std::os::unix::fs::PermissionsExt;
    let script = format!(
        "#!/bin/sh\necho ran >> '{}'\necho 'foreign hook says {code}' >&2\nexit {code}\n",
        marker.display()
    );
    let dir = repo.hooks_dir();
    fs::create_dir_all(&dir).expect("create the hooks directory");
    let hook = dir.join("pre-commit");
    fs::write(&hook, &script).expect("write the foreign hook");
    fs::set_permissions(&hook, fs::Permissions::from_mode(0o755)).expect("chmod +x the foreign hook");
    script
}

#[cfg(unix)]
fn marker_runs(marker: &Path) -> usize {
    fs::read_to_string(marker).map_or(0, |text| text.lines().count())
}

#[cfg(unix)]
#[test]
fn foreign_hook_is_kept_chained_and_restored() {
    let repo = TestRepo::new();
    let marker = repo.root().join("marker");
    let script = foreign_hook(&repo, &marker, 0);
    repo.install();
    assert_eq!(repo.hook_files(), ["pre-commit", "pre-commit.pre-zoomguard"]);
    let kept = fs::read_to_string(repo.hooks_dir().join("pre-commit.pre-zoomguard")).expect("the kept hook");
    assert_eq!(kept, script, "the foreign hook was not kept as it was");
    repo.install();
    assert_eq!(repo.hook_files(), ["pre-commit", "pre-commit.pre-zoomguard"], "reinstall changed the chain");

    repo.stage("README.md", "# hello\n");
    let run = repo.commit(&[]);
    repo.attempt_in(&repo.path, None).check(&run, &[], Expect::Pass);
    assert_eq!(marker_runs(&marker), 1, "the foreign hook did not run on a clean commit");

    let new = secret(NEW);
    repo.stage(".env", secret_line(NEW));
    let before = repo.head();
    let run = repo.commit(&[]);
    repo.attempt_in(&repo.path, before.as_deref()).check(
        &run,
        &[&new],
        Expect::Block { rule: CLIENT_SECRET_RULE, at: ".env:1:20", secret: &new },
    );
    assert_eq!(marker_runs(&marker), 2, "the foreign hook did not run first on a blocked commit");

    let run = repo.zoomguard(["uninstall"]);
    assert_eq!(run.code, 0, "zoomguard uninstall failed:\n{run}");
    assert_eq!(repo.hook_files(), ["pre-commit"], "uninstall did not restore the chain");
    let restored = fs::read_to_string(repo.hooks_dir().join("pre-commit")).expect("the restored hook");
    assert_eq!(restored, script, "uninstall did not restore the foreign hook as it was");
    let run = repo.commit(&[]);
    repo.attempt_in(&repo.path, before.as_deref()).check(&run, &[], Expect::Pass);
    assert_eq!(marker_runs(&marker), 3, "the restored foreign hook did not run");
}

#[cfg(unix)]
#[test]
fn failing_foreign_hook_refuses_the_commit() {
    let repo = TestRepo::new();
    let marker = repo.root().join("marker");
    foreign_hook(&repo, &marker, 1);
    repo.install();
    repo.stage("README.md", "# hello\n");
    let run = repo.commit(&[]);
    assert_ne!(run.code, 0, "the commit should be refused by the foreign hook:\n{run}");
    assert_eq!(repo.head(), None, "a commit landed although the foreign hook failed:\n{run}");
    assert!(run.stderr.contains("foreign hook says 1"), "the foreign hook's message is missing:\n{run}");
    assert_eq!(marker_runs(&marker), 1);
}

#[test]
fn blocked_commit_leaves_index_and_working_tree_untouched() {
    let repo = TestRepo::with_hook();
    with_clean_history(&repo);
    repo.stage(".env", secret_line(NEW));
    repo.append("notes.txt", "unstaged edit\n");
    repo.write("untracked.txt", "untracked\n");
    let state = |r: &TestRepo| {
        let files: Vec<Vec<u8>> = [".env", "notes.txt", "untracked.txt", "config.env"]
            .iter()
            .map(|f| fs::read(r.path.join(f)).expect("read a working tree file"))
            .collect();
        (r.git_ok(["status", "--porcelain", "-uall"]), r.git_ok(["ls-files", "-s"]), files)
    };
    let index = repo.path.join(".git/index");
    let before = state(&repo);
    // The hook on its own must not rewrite the index file.
    let index_bytes = fs::read(&index).expect("read the index");
    let run = repo.zoomguard(["pre-commit"]);
    assert_eq!(run.code, 1, "zoomguard pre-commit should block:\n{run}");
    assert_eq!(fs::read(&index).expect("read the index"), index_bytes, "the hook rewrote the index");
    // Nor through git commit.
    let head = repo.head();
    let run = repo.commit(&[]);
    let new = secret(NEW);
    repo.attempt_in(&repo.path, head.as_deref()).check(
        &run,
        &[&new],
        Expect::Block { rule: CLIENT_SECRET_RULE, at: ".env:1:20", secret: &new },
    );
    assert_eq!(state(&repo), before, "the index or working tree changed");
}

// ---- what the user reads ----

#[test]
fn blocked_message_snapshot() {
    let mut synth = zoomguard::synth::Synth::new(20_240_601);
    let id = synth.uuid22();
    let value = synth.alnum(32);
    let repo = TestRepo::with_hook();
    repo.stage(".env", format!("ZOOM_CLIENT_ID={id}\nZOOM_CLIENT_SECRET={value}\n"));
    let run = repo.commit(&[]);
    repo.attempt_in(&repo.path, None).check(
        &run,
        &[&value],
        Expect::Block { rule: CLIENT_SECRET_RULE, at: ".env:2:20", secret: &value },
    );
    let timing = regex::Regex::new(r"\d+(\.\d+)?\s?(ms|milliseconds)\b").expect("a valid regex");
    let message = repo.redact_paths(&run.stderr).replace(&id, "[ZOOM_CLIENT_ID]");
    let message = timing.replace_all(&message, "[TIME]").into_owned();
    assert!(message.contains(&redacted(&value)), "{message}");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!("blocked_message", message));
}

/// The commit-msg hook: a secret pasted into a message is refused before the commit is made,
/// with advice about the message rather than a file; a clean message passes.
#[test]
fn a_commit_message_that_holds_a_secret_is_refused_by_the_commit_msg_hook() {
    let repo = TestRepo::new();
    let installed = repo.zoomguard(["install", "--hook", "commit-msg"]);
    assert_eq!(installed.code, 0, "{installed}");
    assert_eq!(repo.hook_files(), ["commit-msg"]);
    repo.stage("README.md", "# hello\n");
    let message = format!("Fix the token refresh\n\nTested with {}", secret_line(NEW).trim_end());
    let refused = repo.git_in(&repo.path, ["commit", "-q", "-m", &message]);
    assert_ne!(refused.code, 0, "{refused}");
    assert!(refused.stderr.contains("found in the commit message"), "{refused}");
    assert!(refused.stderr.contains("commit message:3:"), "{refused}");
    assert!(refused.stderr.contains("Nothing was committed"), "{refused}");
    assert!(!refused.all().contains(&secret(NEW)), "never the secret itself:\n{refused}");
    assert!(repo.head().is_none(), "the commit was not made");

    let clean =
        repo.git_in(&repo.path, ["commit", "-q", "-m", "Rotate the Zoom client secret (see the vault)"]);
    assert_eq!(clean.code, 0, "{clean}");
    assert!(repo.head().is_some());
    // `install --hook all` installs it beside the others.
    assert_eq!(repo.zoomguard(["install", "--hook", "all"]).code, 0);
    assert_eq!(repo.hook_files(), ["commit-msg", "pre-commit", "pre-push"]);
}
