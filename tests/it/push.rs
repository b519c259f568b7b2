//! The pre-push and pre-receive checks against real `git push` to real bare repositories
//! (plain file paths as remote URLs), one test per push situation that issue 3 lists: a
//! secret in a commit the remote lacks is refused and named by its commit, what the remote
//! already has is not reported again, deletions pass, every ref of a push is reported, and
//! the server-side hook refuses what the client let through.
//!
//! The secret commits are made with `git commit --no-verify`, as a developer without the
//! pre-commit hook would; secrets come from `zoomguard::synth` (see `support::secret`).

use std::path::PathBuf;
use std::process::Command;

use crate::support::{
    filler, install_pre_receive, run_with_input, secret, secret_line, Run, TestRepo, CLIENT_SECRET_RULE,
    ZOOMGUARD,
};

/// Seed of a secret that the remote already has.
const X: u64 = 31;
/// Seed of a secret that the push under test would send.
const Y: u64 = 32;
/// Seed of a second secret that the push under test would send.
const Z: u64 = 33;

/// A client repository with a bare remote `origin` (`<tmp>/remote.git`) and the zoomguard
/// pre-push hook installed, whose `main` (one clean commit) is already pushed.
struct Pushing {
    repo: TestRepo,
    remote: PathBuf,
}

impl Pushing {
    fn new() -> Self {
        let repo = TestRepo::new();
        let remote = repo.init_bare("remote.git");
        repo.git_ok(["remote".as_ref(), "add".as_ref(), "origin".as_ref(), remote.as_os_str()]);
        let run = repo.zoomguard(["install", "--hook", "pre-push"]);
        assert_eq!(run.code, 0, "zoomguard install --hook pre-push failed:\n{run}");
        assert_eq!(repo.hook_files(), ["pre-push"], "the pre-push shim is missing:\n{run}");
        let pushing = Pushing { repo, remote };
        pushing.commit_clean("settings.env", "initial settings");
        let run = pushing.push(&["origin", "main"]);
        pushing.assert_passed(&run, "main");
        pushing
    }

    /// Commits a new file `rel` holding the secret made from `seed`, hooks skipped; returns its sha.
    fn commit_secret(&self, rel: &str, seed: u64, subject: &str) -> String {
        self.repo.commit_secret_unchecked(rel, seed, subject)
    }

    /// Commits a new clean file `rel`; returns its sha.
    fn commit_clean(&self, rel: &str, subject: &str) -> String {
        self.repo.stage(rel, filler(3));
        self.repo.commit_unchecked(subject);
        self.repo.head().expect("the commit landed")
    }

    /// Runs the real `git push <args>`, hooks and all.
    fn push(&self, args: &[&str]) -> Run {
        let mut all = vec!["push"];
        all.extend_from_slice(args);
        self.repo.git(all)
    }

    /// Pushes with the hook skipped, to give the remote history that holds secrets.
    fn push_unchecked(&self, args: &[&str]) {
        let mut all = vec!["push", "--no-verify"];
        all.extend_from_slice(args);
        self.repo.git_ok(all);
    }

    /// What `rev` names on the remote, if anything.
    fn remote_rev(&self, rev: &str) -> Option<String> {
        self.repo.rev_in(&self.remote, rev)
    }

    /// What `rev` names locally.
    fn local_rev(&self, rev: &str) -> String {
        self.repo.rev_in(&self.repo.path, rev).expect("the local revision exists")
    }

    /// The push went through and the remote's `branch` now is the local one.
    fn assert_passed(&self, run: &Run, branch: &str) {
        assert_eq!(run.code, 0, "the push should pass:\n{run}");
        assert!(!run.all().contains("zoom-"), "a finding was reported on a passing push:\n{run}");
        assert_eq!(
            self.remote_rev(&format!("refs/heads/{branch}")),
            Some(self.local_rev(branch)),
            "the remote's {branch} was not updated:\n{run}"
        );
    }
}

/// The line that names a commit in the report: `commit <10-char sha> <subject>`.
fn commit_line(sha: &str, subject: &str) -> String {
    format!("commit {} {subject}", &sha[..10])
}

/// The push was refused by zoomguard: git failed, the report names every commit in
/// `reported` (sha, subject) and the rule, and no secret of `secrets` appears in full.
fn assert_refused(run: &Run, reported: &[(&str, &str)], secrets: &[u64]) {
    let out = run.all();
    assert_ne!(run.code, 0, "the push should be refused:\n{run}");
    assert!(out.contains(CLIENT_SECRET_RULE), "the rule id is missing:\n{run}");
    for (sha, subject) in reported {
        assert!(out.contains(&commit_line(sha, subject)), "commit {sha} `{subject}` is not named:\n{run}");
    }
    let findings = out.matches(&format!("[{CLIENT_SECRET_RULE}]")).count();
    assert_eq!(findings, reported.len(), "expected one finding per reported commit:\n{run}");
    assert_no_secret(run, secrets);
}

/// No secret made from `seeds` appears in full anywhere in the output.
fn assert_no_secret(run: &Run, seeds: &[u64]) {
    let out = run.all();
    for &seed in seeds {
        assert!(!out.contains(&secret(seed)), "a secret was printed in full:\n{run}");
    }
}

/// `commit` (its sha and subject) is not mentioned anywhere in the output.
fn assert_not_named(run: &Run, sha: &str, subject: &str) {
    let out = run.all();
    assert!(!out.contains(&sha[..10]), "commit {sha} was reported although the remote has it:\n{run}");
    assert!(!out.contains(subject), "`{subject}` was reported although the remote has it:\n{run}");
}

// ---- pre-push ----

#[test]
fn push_of_a_secret_commit_is_refused_and_a_clean_push_passes() {
    let p = Pushing::new();
    let before = p.remote_rev("refs/heads/main");
    let leak = p.commit_secret(".env", Y, "add zoom credentials");
    let run = p.push(&["origin", "main"]);
    assert_refused(&run, &[(&leak, "add zoom credentials")], &[Y]);
    assert!(run.stderr.contains(".env:3:20"), "the location is missing:\n{run}");
    assert!(run.stderr.contains("git rebase -i"), "the advice to rewrite local history is missing:\n{run}");
    assert_eq!(p.remote_rev("refs/heads/main"), before, "the remote's main moved although refused:\n{run}");

    p.repo.git_ok(["reset", "-q", "--hard", "HEAD~1"]);
    p.commit_clean("more.env", "more settings");
    let run = p.push(&["origin", "main"]);
    p.assert_passed(&run, "main");
}

#[test]
fn force_push_of_rewritten_history_with_a_secret_is_refused() {
    let p = Pushing::new();
    p.commit_clean("more.env", "more settings");
    p.assert_passed(&p.push(&["origin", "main"]), "main");
    let before = p.remote_rev("refs/heads/main");
    p.repo.git_ok(["reset", "-q", "--hard", "HEAD~1"]);
    let leak = p.commit_secret(".env", Y, "rewritten with credentials");
    let run = p.push(&["--force", "origin", "main"]);
    assert_refused(&run, &[(&leak, "rewritten with credentials")], &[Y]);
    assert_eq!(p.remote_rev("refs/heads/main"), before, "the remote's main moved although refused:\n{run}");
}

#[test]
fn new_branch_reports_only_the_commits_the_remote_lacks() {
    let p = Pushing::new();
    let old = p.commit_secret(".env", X, "old leak already pushed");
    p.push_unchecked(&["origin", "main"]);

    p.repo.git_ok(["switch", "-q", "-c", "clean-topic"]);
    p.commit_clean("topic.env", "clean topic work");
    let run = p.push(&["origin", "clean-topic"]);
    p.assert_passed(&run, "clean-topic");
    assert_not_named(&run, &old, "old leak already pushed");
    assert_no_secret(&run, &[X]);

    p.repo.git_ok(["switch", "-q", "-c", "secret-topic", "main"]);
    p.commit_clean("first.env", "clean first step");
    let leak = p.commit_secret("second.env", Y, "new leak on the topic");
    let run = p.push(&["origin", "secret-topic"]);
    assert_refused(&run, &[(&leak, "new leak on the topic")], &[X, Y]);
    assert_not_named(&run, &old, "old leak already pushed");
    assert_eq!(p.remote_rev("refs/heads/secret-topic"), None, "the refused branch was created:\n{run}");
}

#[test]
fn branch_deletion_passes_even_when_the_branch_holds_secrets() {
    let p = Pushing::new();
    p.repo.git_ok(["switch", "-q", "-c", "topic"]);
    p.commit_secret(".env", X, "leak on a topic");
    p.push_unchecked(&["origin", "topic"]);
    assert!(p.remote_rev("refs/heads/topic").is_some(), "setup: the topic is not on the remote");

    let run = p.push(&["origin", "--delete", "topic"]);
    assert_eq!(run.code, 0, "the deletion should pass:\n{run}");
    assert!(!run.all().contains("zoom-"), "a finding was reported on a deletion:\n{run}");
    assert_eq!(p.remote_rev("refs/heads/topic"), None, "the remote's topic still exists:\n{run}");
}

#[test]
fn push_of_several_refs_reports_each_one() {
    let p = Pushing::new();
    p.repo.git_ok(["switch", "-q", "-c", "a"]);
    let on_a = p.commit_secret("a.env", Y, "leak on branch a");
    p.repo.git_ok(["switch", "-q", "-c", "b", "main"]);
    let on_b = p.commit_secret("b.env", Z, "leak on branch b");

    let run = p.push(&["origin", "a", "b"]);
    assert_refused(&run, &[(&on_a, "leak on branch a"), (&on_b, "leak on branch b")], &[Y, Z]);
    assert!(run.stderr.contains("a.env:3:20") && run.stderr.contains("b.env:3:20"), "{run}");
    assert_eq!(p.remote_rev("refs/heads/a"), None, "branch a was pushed although refused:\n{run}");
    assert_eq!(p.remote_rev("refs/heads/b"), None, "branch b was pushed although refused:\n{run}");
}

#[test]
fn push_of_several_refs_reports_a_commit_they_share_once() {
    let p = Pushing::new();
    p.repo.git_ok(["switch", "-q", "-c", "a"]);
    let shared = p.commit_secret(".env", Y, "leak both branches share");
    p.repo.git_ok(["branch", "b"]);

    let run = p.push(&["origin", "a", "b"]);
    assert_refused(&run, &[(&shared, "leak both branches share")], &[Y]);
}

#[test]
fn merge_does_not_report_again_what_its_first_parent_had() {
    let p = Pushing::new();
    p.repo.git_ok(["branch", "feature"]);
    let old = p.commit_secret(".env", X, "old leak already pushed");
    p.push_unchecked(&["origin", "main"]);
    p.repo.git_ok(["switch", "-q", "feature"]);
    p.commit_clean("feature.env", "clean feature work");
    p.repo.git_ok(["switch", "-q", "main"]);
    p.repo.git_ok(["merge", "-q", "--no-ff", "--no-edit", "feature"]);
    assert!(p.repo.rev_in(&p.repo.path, "HEAD^2").is_some(), "setup: HEAD is not a merge");

    // Against its second parent the merge would add the old secret's line again.
    let run = p.push(&["origin", "main"]);
    p.assert_passed(&run, "main");
    assert_not_named(&run, &old, "old leak already pushed");
    assert_no_secret(&run, &[X]);
}

#[test]
fn merge_reports_a_secret_its_second_parent_brings_that_the_remote_lacks() {
    let p = Pushing::new();
    p.repo.git_ok(["switch", "-q", "-c", "feature"]);
    let leak = p.commit_secret(".env", Y, "leak on the feature");
    p.repo.git_ok(["switch", "-q", "main"]);
    p.commit_clean("main.env", "clean main work");
    p.repo.git_ok(["merge", "-q", "--no-ff", "--no-edit", "feature"]);
    let before = p.remote_rev("refs/heads/main");

    let run = p.push(&["origin", "main"]);
    assert_ne!(run.code, 0, "the push should be refused:\n{run}");
    assert!(run.all().contains(&commit_line(&leak, "leak on the feature")), "{run}");
    assert_no_secret(&run, &[Y]);
    assert_eq!(p.remote_rev("refs/heads/main"), before, "the remote's main moved although refused:\n{run}");
}

#[test]
fn merge_of_a_branch_already_on_the_remote_passes() {
    let p = Pushing::new();
    p.repo.git_ok(["switch", "-q", "-c", "feature"]);
    let old = p.commit_secret(".env", X, "old leak already pushed");
    p.push_unchecked(&["origin", "feature"]);
    p.repo.git_ok(["switch", "-q", "main"]);
    p.commit_clean("main.env", "clean main work");
    p.assert_passed(&p.push(&["origin", "main"]), "main");
    p.repo.git_ok(["merge", "-q", "--no-ff", "--no-edit", "feature"]);

    // The push sends only the merge; the feature's commit is on the remote already.
    let run = p.push(&["origin", "main"]);
    p.assert_passed(&run, "main");
    assert_not_named(&run, &old, "old leak already pushed");
    assert_no_secret(&run, &[X]);
}

#[test]
fn update_does_not_scan_again_commits_the_remote_has_on_another_branch() {
    let p = Pushing::new();
    p.repo.git_ok(["switch", "-q", "-c", "feature"]);
    let old = p.commit_secret(".env", X, "old leak already pushed");
    p.push_unchecked(&["origin", "feature"]);
    p.repo.git_ok(["switch", "-q", "main"]);
    p.repo.git_ok(["merge", "-q", "--ff-only", "feature"]);
    p.commit_clean("main.env", "clean main work");

    // git sends only the clean commit: the remote has the old one under refs/heads/feature.
    let run = p.push(&["origin", "main"]);
    p.assert_passed(&run, "main");
    assert_not_named(&run, &old, "old leak already pushed");
    assert_no_secret(&run, &[X]);
}

#[test]
fn tag_push_of_an_unpushed_secret_commit_is_blocked() {
    let p = Pushing::new();
    let leak = p.commit_secret(".env", Y, "release with credentials");
    p.repo.git_ok(["tag", "v1"]);
    p.repo.git_ok(["tag", "-a", "-m", "annotated release", "v2"]);

    for tag in ["v1", "v2"] {
        let run = p.push(&["origin", tag]);
        assert_refused(&run, &[(&leak, "release with credentials")], &[Y]);
        assert_eq!(p.remote_rev(&format!("refs/tags/{tag}")), None, "tag {tag} was pushed:\n{run}");
    }
    assert_ne!(p.remote_rev("refs/heads/main"), Some(leak), "setup: the commit reached the remote");
}

/// Seed of a secret in an annotated tag's message.
const T: u64 = 34;

/// The message of an annotated tag, with the secret made from `seed` on its third line.
fn tag_message(seed: u64) -> String {
    format!("Release notes\n\nstaging: {}", secret_line(seed).trim_end())
}

/// A pushed annotated tag sends its message: a secret in it is refused even when the commit it
/// tags is on the remote already, and named as the tag's message. A clean tag passes, and a tag
/// that the remote has already is not read again (a new tag of it, force-pushed over it).
#[test]
fn push_of_an_annotated_tag_whose_message_holds_a_secret_is_refused() {
    let p = Pushing::new();
    p.repo.git_ok(["tag", "-a", "v1", "-m", &tag_message(T)]);
    let run = p.push(&["origin", "v1"]);
    assert_ne!(run.code, 0, "the push should be refused:\n{run}");
    assert!(run.stderr.contains(CLIENT_SECRET_RULE), "{run}");
    assert!(run.stderr.contains("at     message of tag v1:3:"), "the tag is not named:\n{run}");
    assert!(run.stderr.contains("git push --delete origin v1"), "no advice for a tag:\n{run}");
    assert!(!run.stderr.contains("commit message of"), "{run}");
    assert_no_secret(&run, &[T]);
    assert_eq!(p.remote_rev("refs/tags/v1"), None, "the tag reached the remote:\n{run}");

    p.repo.git_ok(["tag", "-a", "v0", "-m", "a clean release"]);
    let run = p.push(&["origin", "v0"]);
    assert_eq!(run.code, 0, "a clean tag should pass:\n{run}");
    assert_eq!(p.remote_rev("refs/tags/v0"), Some(p.local_rev("refs/tags/v0")), "{run}");

    // The remote takes v1 without the hook; a clean tag of it, pushed over it, sends only its
    // own message: the old one is the remote's already.
    p.push_unchecked(&["origin", "v1"]);
    p.repo.git_ok(["tag", "-f", "-a", "v1", "-m", "re-signed", "v1"]);
    let run = p.push(&["--force", "origin", "v1"]);
    assert_eq!(run.code, 0, "only the new tag's clean message should be read:\n{run}");
    assert!(!run.all().contains("zoom-"), "{run}");
    // Everything up to date: git names no ref, and nothing is read again.
    let run = p.push(&["origin", "--tags"]);
    assert_eq!(run.code, 0, "{run}");
}

// ---- pre-receive ----

/// A client repository with no hook and a bare server `origin` (`<tmp>/server.git`, no hook
/// yet) that already has the client's first, clean `main`.
fn client_with_server() -> (TestRepo, PathBuf) {
    let client = TestRepo::new();
    let server = client.init_bare("server.git");
    client.git_ok(["remote".as_ref(), "add".as_ref(), "origin".as_ref(), server.as_os_str()]);
    client.stage("settings.env", filler(3));
    client.commit_unchecked("initial settings");
    client.git_ok(["push", "-q", "origin", "main"]);
    (client, server)
}

#[test]
fn pre_receive_refuses_secrets_and_accepts_clean_pushes() {
    // The client has no hook at all: the server is the last line of defence.
    let client = TestRepo::new();
    let server = client.init_bare("server.git");
    client.git_ok(["remote".as_ref(), "add".as_ref(), "origin".as_ref(), server.as_os_str()]);
    let server_rev = |rev: &str| client.rev_in(&server, rev);
    client.stage("settings.env", filler(3));
    client.commit_unchecked("initial settings");
    client.stage(".env", secret_line(X));
    client.commit_unchecked("old leak from before the hook");
    let old = client.head().expect("the commit landed");
    client.git_ok(["push", "-q", "origin", "main"]);
    install_pre_receive(&server);

    client.stage("leak.env", filler(2) + &secret_line(Y));
    client.commit_unchecked("new leak sent to the server");
    let leak = client.head().expect("the commit landed");
    let run = client.git(["push", "origin", "main"]);
    assert_ne!(run.code, 0, "the server should refuse the push:\n{run}");
    assert!(run.stderr.contains("pre-receive hook declined"), "git did not report the hook:\n{run}");
    assert!(run.stderr.contains(CLIENT_SECRET_RULE), "the rule id is missing:\n{run}");
    assert!(run.stderr.contains(&commit_line(&leak, "new leak sent to the server")), "{run}");
    assert!(run.stderr.contains("leak.env:3:20"), "the location is missing:\n{run}");
    assert_not_named(&run, &old, "old leak from before the hook");
    assert_no_secret(&run, &[X, Y]);
    assert_eq!(server_rev("refs/heads/main"), Some(old.clone()), "the server's main moved:\n{run}");
    let object = format!("{leak}^{{commit}}");
    assert_eq!(server_rev(&object), None, "the refused commit entered the server's object store:\n{run}");

    client.git_ok(["reset", "-q", "--hard", "HEAD~1"]);
    client.stage("more.env", filler(4));
    client.commit_unchecked("more settings");
    let run = client.git(["push", "origin", "main"]);
    assert_eq!(run.code, 0, "the server should accept a clean push:\n{run}");
    assert_eq!(server_rev("refs/heads/main"), client.head(), "the server's main was not updated:\n{run}");

    // A new branch whose history holds the old secret, which the server already has.
    client.git_ok(["switch", "-q", "-c", "topic"]);
    client.stage("topic.env", filler(5));
    client.commit_unchecked("clean topic work");
    let run = client.git(["push", "origin", "topic"]);
    assert_eq!(run.code, 0, "the server should accept a new branch of clean commits:\n{run}");
    assert!(!run.all().contains("zoom-"), "a finding was reported:\n{run}");
    assert_eq!(server_rev("refs/heads/topic"), client.head(), "the server has no topic:\n{run}");

    // A new branch carrying a secret is refused like an update.
    client.git_ok(["switch", "-q", "-c", "leaky", "main"]);
    client.stage("leaky.env", secret_line(Z));
    client.commit_unchecked("leak on a new branch");
    let leak = client.head().expect("the commit landed");
    let run = client.git(["push", "origin", "leaky"]);
    assert_ne!(run.code, 0, "the server should refuse the new branch:\n{run}");
    assert!(run.stderr.contains("pre-receive hook declined"), "{run}");
    assert!(run.stderr.contains(&commit_line(&leak, "leak on a new branch")), "{run}");
    assert_no_secret(&run, &[X, Z]);
    assert_eq!(server_rev("refs/heads/leaky"), None, "the refused branch was created:\n{run}");
}

#[test]
fn pre_receive_update_does_not_scan_again_commits_the_server_has_on_another_branch() {
    let (client, server) = client_with_server();
    client.stage(".env", secret_line(X));
    client.commit_unchecked("old leak from before the hook");
    let old = client.head().expect("the commit landed");
    client.git_ok(["push", "-q", "origin", "main:feature"]);
    install_pre_receive(&server);

    // main moves past the old commit, which the server already holds under refs/heads/feature.
    client.stage("more.env", filler(4));
    client.commit_unchecked("more settings");
    let run = client.git(["push", "origin", "main"]);
    assert_eq!(run.code, 0, "the server should accept a push of one clean commit:\n{run}");
    assert!(!run.all().contains("zoom-"), "a finding was reported:\n{run}");
    assert_not_named(&run, &old, "old leak from before the hook");
    assert_eq!(
        client.rev_in(&server, "refs/heads/main"),
        client.head(),
        "the server's main was not updated:\n{run}"
    );
}

/// The server reads a pushed annotated tag's message too, and a tag of a tag reads both
/// messages, each once.
#[test]
fn pre_receive_refuses_an_annotated_tag_whose_message_holds_a_secret() {
    let (client, server) = client_with_server();
    install_pre_receive(&server);
    client.git_ok(["tag", "-a", "clean", "-m", "a clean release"]);
    let run = client.git(["push", "origin", "clean"]);
    assert_eq!(run.code, 0, "a clean tag should pass:\n{run}");

    client.git_ok(["tag", "-a", "inner", "-m", &tag_message(T)]);
    client.git_ok(["tag", "-a", "outer", "-m", "signed", "inner"]);
    let run = client.git(["push", "origin", "outer"]);
    assert_ne!(run.code, 0, "the server should refuse it:\n{run}");
    assert!(run.stderr.contains("pre-receive hook declined"), "{run}");
    assert!(run.stderr.contains("message of tag inner:3:"), "the inner tag is not named:\n{run}");
    assert_eq!(run.stderr.matches(&format!("[{CLIENT_SECRET_RULE}]")).count(), 1, "{run}");
    assert_no_secret(&run, &[T]);
    assert_eq!(client.rev_in(&server, "refs/tags/outer"), None, "the tag was accepted:\n{run}");
}

// ---- run directly ----

/// `zoomguard pre-push <args>` in the client, with `input` on standard input and no
/// pre-commit framework variable inherited from the tester's environment.
fn pre_push(p: &Pushing, args: &[&str], input: &[u8], env: &[(&str, &str)]) -> Run {
    let mut cmd: Command = p.repo.command(ZOOMGUARD);
    cmd.arg("pre-push").args(args);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("PRE_COMMIT_") {
            cmd.env_remove(&key);
        }
    }
    cmd.envs(env.iter().copied());
    run_with_input(cmd, input)
}

#[test]
fn pre_push_reads_the_pre_commit_framework_range_when_stdin_is_empty() {
    let p = Pushing::new();
    let url = p.remote.to_string_lossy().into_owned();
    let pushed = p.remote_rev("refs/heads/main").expect("main is on the remote");
    let clean = p.commit_clean("more.env", "more settings");
    let leak = p.commit_secret(".env", Y, "leak in the range");
    let after = p.commit_clean("later.env", "later settings");

    let range = |from: &str, to: &str| {
        let env =
            [("PRE_COMMIT_FROM_REF", from), ("PRE_COMMIT_TO_REF", to), ("PRE_COMMIT_REMOTE_NAME", "origin")];
        pre_push(&p, &["origin", &url], b"", &env)
    };
    let run = range(&pushed, &clean);
    assert_eq!(run.code, 0, "a clean range should pass:\n{run}");
    assert!(!run.all().contains("zoom-"), "{run}");

    let run = range(&pushed, &after);
    assert_eq!(run.code, 1, "a range holding a secret should be blocked:\n{run}");
    assert!(run.stderr.contains(&commit_line(&leak, "leak in the range")), "{run}");
    assert_eq!(run.stderr.matches(&format!("[{CLIENT_SECRET_RULE}]")).count(), 1, "{run}");
    assert_no_secret(&run, &[Y]);

    let run = range(&leak, &after);
    assert_eq!(run.code, 0, "the secret is before the range, which should pass:\n{run}");
    assert!(!run.all().contains("zoom-"), "{run}");
}

#[test]
fn pre_push_exits_cleanly_with_nothing_to_push() {
    let p = Pushing::new();
    let url = p.remote.to_string_lossy().into_owned();
    p.commit_secret(".env", Y, "leak never offered");
    let run = pre_push(&p, &["origin", &url], b"", &[]);
    assert_eq!(run.code, 0, "empty input without a framework range names no commit:\n{run}");
    assert!(!run.all().contains("zoom-"), "{run}");
}

#[test]
fn malformed_hook_input_is_an_error() {
    let p = Pushing::new();
    let url = p.remote.to_string_lossy().into_owned();
    let run = pre_push(&p, &["origin", &url], b"garbage\n", &[]);
    assert_eq!(run.code, 2, "malformed pre-push input should be an error:\n{run}");
    assert!(run.stderr.starts_with("zoomguard: error:"), "{run}");

    let short = format!("refs/heads/main {} refs/heads/main {}\n", "abc123", "0".repeat(40));
    let run = pre_push(&p, &["origin", &url], short.as_bytes(), &[]);
    assert_eq!(run.code, 2, "an abbreviated sha should be an error:\n{run}");
    assert!(run.stderr.starts_with("zoomguard: error:"), "{run}");

    let mut cmd = p.repo.command_in(ZOOMGUARD, &p.remote);
    cmd.arg("pre-receive");
    let run = run_with_input(cmd, b"garbage\n");
    assert_eq!(run.code, 2, "malformed pre-receive input should be an error:\n{run}");
    assert!(run.stderr.starts_with("zoomguard: error:"), "{run}");
}

#[test]
fn empty_input_is_said_not_passed_silently() {
    let p = Pushing::new();
    let mut cmd = p.repo.command(ZOOMGUARD);
    cmd.args(["pre-push", "origin", "unused-url"]);
    let run = run_with_input(cmd, b"");
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stderr.contains("no refs to check arrived on standard input"), "{run}");
}

/// A secret pasted into a commit message is as pushed as one in a file: the push is refused,
/// and the report names the message of that commit.
#[test]
fn push_of_a_commit_whose_message_holds_a_secret_is_refused() {
    let pushing = Pushing::new();
    pushing.repo.stage("notes.txt", filler(2));
    let message = format!(
        "Debug the token call\n\ncurl -X POST https://zoom.us/oauth/token -d {}",
        secret_line(Y).trim_end()
    );
    pushing.repo.git_ok(["commit", "-q", "--no-verify", "-m", &message]);
    let sha = pushing.repo.head().expect("the commit landed");
    let run = pushing.push(&["origin", "main"]);
    assert_ne!(run.code, 0, "{run}");
    assert!(run.stderr.contains(&format!("commit message of {}:3", &sha[..10])), "{run}");
    assert!(!run.all().contains(&secret(Y)), "never the secret itself:\n{run}");
    assert_ne!(pushing.remote_rev("refs/heads/main"), Some(sha), "the remote did not take it");
}

// ---- refs that name a blob or a tree ----

/// Writes `contents` as a blob of `repo`; its id.
fn blob_of(repo: &TestRepo, contents: &str) -> String {
    let mut cmd = repo.command("git");
    cmd.args(["hash-object", "-w", "--stdin"]);
    let run = run_with_input(cmd, contents.as_bytes());
    assert_eq!(run.code, 0, "{run}");
    run.stdout.trim().to_owned()
}

/// A tree of `repo` holding `config/app.env` with the blob `blob`; its id.
fn tree_with(repo: &TestRepo, blob: &str) -> String {
    let mktree = |listing: String| {
        let mut cmd = repo.command("git");
        cmd.arg("mktree");
        let run = run_with_input(cmd, listing.as_bytes());
        assert_eq!(run.code, 0, "{run}");
        run.stdout.trim().to_owned()
    };
    let config = mktree(format!("100644 blob {blob}\tapp.env\n"));
    mktree(format!("040000 tree {config}\tconfig\n"))
}

/// Regression (issue 15): a pushed tag of a blob or of a tree made pre-push exit 2 ("object
/// is not a committish"), clean or not. The object is scanned whole now: a blob as a file
/// named after the tag, a tree's files as `<tag>:<path>`.
#[test]
fn pushed_tags_of_blobs_and_trees_are_scanned_whole() {
    let p = Pushing::new();
    let clean = blob_of(&p.repo, &filler(3));
    p.repo.git_ok(["tag", "clean-blob", &clean]);
    p.repo.git_ok(["tag", "clean-tree", &tree_with(&p.repo, &clean)]);
    let run = p.push(&["origin", "refs/tags/clean-blob", "refs/tags/clean-tree"]);
    assert_eq!(run.code, 0, "clean objects should pass:\n{run}");
    assert_eq!(p.remote_rev("refs/tags/clean-blob"), Some(clean), "{run}");

    let leak = blob_of(&p.repo, &(filler(2) + &secret_line(Y)));
    p.repo.git_ok(["tag", "leak-blob", &leak]);
    p.repo.git_ok(["tag", "-a", "-m", "notes", "annotated-leak", &leak]);
    p.repo.git_ok(["tag", "leak-tree", &tree_with(&p.repo, &leak)]);
    for (tag, at) in [
        ("leak-blob", "refs/tags/leak-blob:3:20"),
        ("annotated-leak", "refs/tags/annotated-leak:3:20"),
        ("leak-tree", "refs/tags/leak-tree:config/app.env:3:20"),
    ] {
        let run = p.push(&["origin", &format!("refs/tags/{tag}")]);
        assert_ne!(run.code, 0, "{tag}: the push should be refused:\n{run}");
        assert!(run.stderr.contains(CLIENT_SECRET_RULE), "{tag}: the rule id is missing:\n{run}");
        assert!(run.stderr.contains(at), "{tag}: {at} is not named:\n{run}");
        assert!(!run.stderr.contains("committish"), "{tag}:\n{run}");
        assert_no_secret(&run, &[Y]);
        assert_eq!(p.remote_rev(&format!("refs/tags/{tag}")), None, "{tag} reached the remote:\n{run}");
    }
}

/// The same on the server: pre-receive scans a pushed blob or tree whole.
#[test]
fn pre_receive_scans_pushed_blobs_and_trees_whole() {
    let (client, server) = client_with_server();
    install_pre_receive(&server);
    let clean = blob_of(&client, &filler(3));
    client.git_ok(["tag", "clean-blob", &clean]);
    let run = client.git(["push", "origin", "refs/tags/clean-blob"]);
    assert_eq!(run.code, 0, "a clean blob should pass:\n{run}");

    let leak = blob_of(&client, &(filler(2) + &secret_line(Z)));
    client.git_ok(["tag", "leak-blob", &leak]);
    client.git_ok(["tag", "leak-tree", &tree_with(&client, &leak)]);
    for (tag, at) in
        [("leak-blob", "refs/tags/leak-blob:3:20"), ("leak-tree", "refs/tags/leak-tree:config/app.env:3:20")]
    {
        let run = client.git(["push", "origin", &format!("refs/tags/{tag}")]);
        assert_ne!(run.code, 0, "{tag}: the server should refuse it:\n{run}");
        assert!(run.stderr.contains("pre-receive hook declined"), "{tag}:\n{run}");
        assert!(run.stderr.contains(at), "{tag}: {at} is not named:\n{run}");
        assert_no_secret(&run, &[Z]);
        assert_eq!(client.rev_in(&server, &format!("refs/tags/{tag}")), None, "{tag} was accepted:\n{run}");
    }
}
