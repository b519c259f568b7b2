//! Partial clones and object stores that lack objects (issue 15): an old version that is
//! not here never fails a hook and is never fetched, the new file is scanned whole and `-v`
//! says so; a history or range scan skips a blob that is absent and names it, instead of
//! losing every other commit's result; an object the scan cannot do without is an error
//! that says how to fetch it.
//!
//! The clones are real `git clone --filter=…` of a local repository that serves filters.

use std::path::PathBuf;

use serde_json::Value;

use crate::support::{filler, secret, secret_line, Run, TestRepo, CLIENT_SECRET_RULE, ZOOMGUARD};

/// Seed of a secret that the old version already had.
const OLD: u64 = 171;
/// Seed of a secret a commit adds.
const NEW: u64 = 172;

/// A repository that serves partial clones (`origin`, the test's repository) and a clone
/// of it in `<tmp>/clone`.
struct Partial {
    origin: TestRepo,
    clone: PathBuf,
}

impl Partial {
    /// The commits of `setup` in `origin`, then `git clone --filter=<filter> <args>`.
    fn new(filter: &str, args: &[&str], setup: impl FnOnce(&TestRepo)) -> Partial {
        let origin = TestRepo::named("origin");
        setup(&origin);
        origin.git_ok(["config", "uploadpack.allowFilter", "true"]);
        let url = format!("file://{}", origin.path.display());
        let mut clone = vec!["clone", "-q"];
        let filter = format!("--filter={filter}");
        clone.push(&filter);
        clone.extend_from_slice(args);
        clone.extend([url.as_str(), "clone"]);
        origin.git_ok_in(origin.root(), clone);
        let partial = Partial { clone: origin.root().join("clone"), origin };
        partial.git(&["config", "user.name", "Zoomguard Test"]);
        partial.git(&["config", "user.email", "test@zoomguard.invalid"]);
        partial
    }

    /// Runs git in the clone; its standard output.
    fn git(&self, args: &[&str]) -> String {
        self.origin.git_ok_in(&self.clone, args)
    }

    /// Runs the real binary in the clone.
    fn zoomguard(&self, args: &[&str]) -> Run {
        let mut cmd = self.origin.command_in(ZOOMGUARD, &self.clone);
        cmd.args(args);
        TestRepo::run(cmd)
    }

    /// Whether object `rev` (a `commit:path`) is in the clone's object store; never fetches.
    fn has(&self, rev: &str) -> bool {
        let mut cmd = self.origin.command_in("git", &self.clone);
        cmd.args(["cat-file", "-e", rev]).env("GIT_NO_LAZY_FETCH", "1");
        TestRepo::run(cmd).code == 0
    }

    fn write(&self, rel: &str, contents: &str) {
        std::fs::create_dir_all(self.clone.join(rel).parent().expect("a directory")).expect("make it");
        std::fs::write(self.clone.join(rel), contents).expect("write a file of the clone");
    }
}

fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{run}"))
}

/// A clone without blobs and without a checkout, whose index is HEAD's tree: every blob of
/// HEAD is absent, as for the files of a sparse checkout that were never fetched.
fn clone_without_blobs(files: &[(&str, &str)]) -> Partial {
    let partial =
        Partial::new("blob:none", &["--no-checkout"], |origin| origin.commit_files_unchecked(files));
    partial.git(&["read-tree", "HEAD"]);
    for (path, _) in files {
        assert!(!partial.has(&format!("HEAD:{path}")), "the clone has {path}");
    }
    partial
}

/// Regression (issue 15): a commit in a partial clone whose old version was never fetched
/// exited 2 ("object not found"), with no hint.
#[test]
fn absent_old_version_makes_the_whole_file_new_and_is_never_fetched() {
    let old = filler(3) + &secret_line(OLD);
    let partial = clone_without_blobs(&[("config/app.env", &old)]);
    partial.write("config/app.env", &format!("{old}EXTRA=1\n"));
    partial.git(&["add", "config/app.env"]);
    let run = partial.zoomguard(&["install"]);
    assert_eq!(run.code, 0, "{run}");

    // Which lines are new cannot be told: every line counts, the old secret too.
    let before = partial.git(&["rev-parse", "HEAD"]);
    let mut cmd = partial.origin.command_in("git", &partial.clone);
    cmd.args(["commit", "-q", "-m", "edit"]);
    let commit = TestRepo::run(cmd);
    assert_ne!(commit.code, 0, "the commit should be blocked:\n{commit}");
    assert_eq!(partial.git(&["rev-parse", "HEAD"]), before, "a commit landed:\n{commit}");
    assert!(
        commit.stderr.contains(CLIENT_SECRET_RULE) && commit.stderr.contains("config/app.env:4:20"),
        "{commit}"
    );
    assert!(commit.stderr.contains("scanned whole"), "the report does not say why:\n{commit}");
    assert!(!commit.all().contains(&secret(OLD)), "{commit}");
    assert!(!partial.has("HEAD:config/app.env"), "the old version was fetched");

    let run = partial.zoomguard(&["pre-commit", "--format", "json"]);
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(json(&run)["summary"]["old_version_absent"], serde_json::json!(["config/app.env"]), "{run}");
}

#[test]
fn absent_old_version_of_a_clean_file_passes_and_says_so_with_verbose() {
    let partial = clone_without_blobs(&[("config/app.env", &filler(3)), ("README.md", "docs\n")]);
    partial.write("config/app.env", &(filler(3) + "EXTRA=1\n"));
    partial.git(&["add", "config/app.env"]);
    let quiet = partial.zoomguard(&["pre-commit"]);
    assert_eq!(quiet.code, 0, "{quiet}");
    assert!(quiet.stderr.is_empty(), "a clean commit passes silently:\n{quiet}");
    let verbose = partial.zoomguard(&["pre-commit", "-v"]);
    assert_eq!(verbose.code, 0, "{verbose}");
    assert!(
        verbose.stderr.contains("1 file scanned whole") && verbose.stderr.contains("config/app.env"),
        "-v does not say that the file was scanned whole:\n{verbose}"
    );
    let run = partial.zoomguard(&["install"]);
    assert_eq!(run.code, 0, "{run}");
    let mut cmd = partial.origin.command_in("git", &partial.clone);
    cmd.args(["commit", "-q", "-m", "edit"]);
    let commit = TestRepo::run(cmd);
    assert_eq!(commit.code, 0, "the commit should pass:\n{commit}");
    assert!(!partial.has("HEAD~1:config/app.env"), "the old version was fetched");
}

/// The partial clone of a history: `notes.env`'s first version is never fetched (HEAD has
/// a newer one), while the secret of `leak.env` is at HEAD and so fetched by the checkout.
fn partial_history() -> Partial {
    Partial::new("blob:none", &[], |origin| {
        origin.commit_files_unchecked(&[("notes.env", &filler(2))]);
        origin.stage("leak.env", filler(2) + &secret_line(NEW));
        origin.commit_unchecked("add the leak");
        origin.stage("notes.env", filler(3));
        origin.commit_unchecked("more notes");
    })
}

/// Regression (issue 15): one absent blob ended the whole history scan with exit 2 ("object
/// not found - cannot read header"), and every other commit's result was lost.
#[test]
fn history_and_range_skip_absent_blobs_name_them_and_keep_every_other_finding() {
    let partial = partial_history();
    assert!(!partial.has("HEAD~2:notes.env") && partial.has("HEAD:leak.env"), "not the clone the test needs");
    for args in [&["scan", "--history"][..], &["scan", "--range", "HEAD~2..HEAD"]] {
        let json_run = partial.zoomguard(&[args, &["--format", "json"]].concat());
        assert_eq!(json_run.code, 1, "{args:?}: the leak is found:\n{json_run}");
        let report = json(&json_run);
        assert_eq!(report["findings"][0]["path"], "leak.env", "{json_run}");
        assert_eq!(report["findings"][0]["commit"]["summary"], "add the leak", "{json_run}");
        let absent =
            if args[1] == "--history" { serde_json::json!(["notes.env"]) } else { serde_json::json!([]) };
        assert_eq!(report["summary"]["absent"], absent, "{args:?}:\n{json_run}");
        assert_eq!(report["summary"]["old_version_absent"], serde_json::json!(["notes.env"]), "{json_run}");
        let human = partial.zoomguard(args);
        assert_eq!(human.code, 1, "{human}");
        assert!(human.stderr.contains("leak.env:3"), "{human}");
        assert!(!human.all().contains(&secret(NEW)), "{human}");
    }
    let history = partial.zoomguard(&["scan", "--history"]);
    assert!(
        history.stderr.contains("1 file NOT scanned, absent from the object store")
            && history.stderr.contains("notes.env"),
        "the absent blob is not named:\n{history}"
    );
    assert!(!partial.has("HEAD~2:notes.env"), "the scan fetched the absent blob");
}

#[test]
fn clean_history_with_absent_blobs_still_names_them() {
    let partial = Partial::new("blob:none", &[], |origin| {
        origin.commit_files_unchecked(&[("notes.env", &filler(2))]);
        origin.stage("notes.env", filler(3));
        origin.commit_unchecked("more notes");
    });
    let run = partial.zoomguard(&["scan", "--history"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stderr.contains("1 file NOT scanned, absent from the object store")
            && run.stderr.contains("notes.env"),
        "never silent:\n{run}"
    );
}

/// Not a partial clone: a mirror that lost a large blob still scans everything else, and
/// names the blob.
#[test]
fn a_blob_lost_from_a_plain_repository_is_skipped_by_history_scans() {
    let repo = TestRepo::new();
    repo.commit_files_unchecked(&[("assets/big.txt", &filler(50))]);
    repo.stage("leak.env", secret_line(NEW));
    repo.commit_unchecked("add the leak");
    let oid = repo.git_ok(["rev-parse", "HEAD:assets/big.txt"]);
    let oid = oid.trim();
    std::fs::remove_file(repo.path.join(".git/objects").join(&oid[..2]).join(&oid[2..]))
        .expect("drop the blob");
    let run = repo.zoomguard(["scan", "--history", "--format", "json"]);
    assert_eq!(run.code, 1, "{run}");
    let report = json(&run);
    assert_eq!(report["summary"]["absent"], serde_json::json!(["assets/big.txt"]), "{run}");
    assert_eq!(report["findings"][0]["path"], "leak.env", "{run}");
    assert!(!run.stderr.contains("partial clone:"), "not a partial clone:\n{run}");
    // What a hook checks must be there: the push of that commit is an error, not a pass.
    let remote = repo.init_bare("remote.git");
    repo.git_ok(["remote".as_ref(), "add".as_ref(), "origin".as_ref(), remote.as_os_str()]);
    let zero = "0".repeat(40);
    let head = repo.head().expect("a commit");
    let mut cmd = repo.command(ZOOMGUARD);
    cmd.args(["pre-push", "origin", remote.to_str().expect("a UTF-8 path")]);
    let push = crate::support::run_with_input(
        cmd,
        format!("refs/heads/main {head} refs/heads/main {zero}\n").as_bytes(),
    );
    assert_eq!(push.code, 2, "{push}");
    assert!(push.stderr.contains("assets/big.txt") && push.stderr.contains("object store"), "{push}");
}

/// An object the scan cannot do without (here a tree: `--filter=tree:0` fetches none) is an
/// error that says how to fetch it, since zoomguard never does.
#[test]
fn an_absent_tree_is_an_error_with_a_partial_clone_hint() {
    let partial = Partial::new("tree:0", &["--no-checkout"], |origin| {
        origin.commit_files_unchecked(&[("dir/notes.env", &filler(2))]);
        origin.stage("dir/more.env", filler(2));
        origin.commit_unchecked("more");
    });
    let run = partial.zoomguard(&["scan", "--history"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("is not in this repository's object store"), "{run}");
    assert!(run.stderr.contains("partial clone") && run.stderr.contains("\"origin\""), "no hint:\n{run}");
    assert!(run.stderr.contains("git cat-file -e"), "no way to fetch it is given:\n{run}");
    assert!(!partial.has("HEAD^{tree}"), "the scan fetched the tree");
}

/// The same partial-clone situations in a SHA-256 repository, which zoomguard reads
/// through git: absent blobs are named, never fetched, and never end the scan.
#[test]
fn sha256_partial_clone_skips_and_names_absent_blobs() {
    let origin = TestRepo::formatted("origin", &["--object-format=sha256"], None);
    origin.commit_files_unchecked(&[("notes.env", &filler(2))]);
    origin.stage("leak.env", filler(2) + &secret_line(NEW));
    origin.commit_unchecked("add the leak");
    origin.stage("notes.env", filler(3));
    origin.commit_unchecked("more notes");
    origin.git_ok(["config", "uploadpack.allowFilter", "true"]);
    let url = format!("file://{}", origin.path.display());
    origin.git_ok_in(origin.root(), ["clone", "-q", "--filter=blob:none", url.as_str(), "clone"]);
    let partial = Partial { clone: origin.root().join("clone"), origin };
    assert!(!partial.has("HEAD~2:notes.env"), "not the clone the test needs");
    let run = partial.zoomguard(&["scan", "--history", "--format", "json"]);
    assert_eq!(run.code, 1, "{run}");
    let report = json(&run);
    assert_eq!(report["findings"][0]["path"], "leak.env", "{run}");
    assert_eq!(report["summary"]["absent"], serde_json::json!(["notes.env"]), "{run}");
    assert_eq!(report["summary"]["old_version_absent"], serde_json::json!(["notes.env"]), "{run}");
    assert!(!partial.has("HEAD~2:notes.env"), "the scan fetched the absent blob");
}
