//! `zoomguard scan` through the real binary: the leak inventory of a whole history, the
//! commits of a range, files on disk (no git at all), and the staged changes. Secrets come
//! from `zoomguard::synth`; every test also checks that no value is printed in full.

use std::fs;
use std::path::Path;

use super::support::{
    assert_never_printed, filler, redacted, secret, secret_line, Run, TestRepo, CLIENT_SECRET_RULE, ZOOMGUARD,
};

/// Seeds of the secrets the tests commit.
const A: u64 = 61;
const B: u64 = 62;
const C: u64 = 63;
const D: u64 = 64;

/// How a report names the commit `sha` with `subject`.
fn commit_label(sha: &str, subject: &str) -> String {
    format!("{} {subject}", &sha[..10])
}

/// The lines of the report that name findings, without the timing of the summary line.
fn report_lines(run: &Run) -> Vec<String> {
    run.stderr.lines().filter(|line| !line.contains(" ms")).map(str::to_owned).collect()
}

/// A pull request squash-merged: the same blob is added on the pull request's ref and again,
/// in another commit, on main. The inventory needs both places (a history scan reads every
/// ref, and the ref outlives the merge), whatever the scan does with a blob it has seen.
#[test]
fn history_reports_a_blob_added_at_two_places_at_both() {
    let repo = TestRepo::new();
    repo.commit_file_unchecked("README.md", "a project\n", "start");
    repo.git_ok(["checkout", "-q", "-b", "pull-request"]);
    let on_ref = repo.commit_secret_unchecked("config/app.env", A, "add the app settings");
    repo.git_ok(["update-ref", "refs/pull/1/head", &on_ref]);
    repo.git_ok(["checkout", "-q", "main"]);
    repo.git_ok(["branch", "-q", "-D", "pull-request"]);
    let squashed = repo.commit_secret_unchecked("config/app.env", A, "app settings (#1)");
    let blob = |rev: &str| repo.git_ok(["rev-parse", &format!("{rev}:config/app.env")]);
    assert_eq!(blob(&on_ref), blob(&squashed), "the same blob at both places");

    let run = repo.zoomguard(["scan", "--history"]);
    assert_eq!(run.code, 1, "{run}");
    let out = run.all();
    assert!(out.contains("1 Zoom secret found in the history, added in 2 places"), "{run}");
    for (sha, subject) in [(&on_ref, "add the app settings"), (&squashed, "app settings (#1)")] {
        let label = commit_label(sha, subject);
        let line =
            out.lines().find(|line| line.contains(&label)).unwrap_or_else(|| panic!("{label}:\n{run}"));
        assert!(line.contains("config/app.env:3"), "{line}\n{run}");
    }
    assert_never_printed(&run, &[A]);
}

/// A commit's new files are searched for the file they came from only when one of them may
/// matter (issue 16): here one does, a copy of a file that holds a secret with a secret added,
/// beside a new file that cannot, in a commit that edits the copy's source too.
#[test]
fn history_pairs_a_copy_with_its_source_beside_new_files_that_cannot_matter() {
    let repo = TestRepo::new();
    let settings = format!("{}{}", filler(10), secret_line(A));
    repo.commit_file_unchecked("config.env", &settings, "settings");
    repo.write("copy.env", format!("{settings}{}", secret_line(B)));
    repo.write("config.env", format!("{settings}DEBUG=1\n"));
    repo.write("notes.txt", "nothing to see\n");
    repo.add(&["copy.env", "config.env", "notes.txt"]);
    repo.commit_unchecked("copy the settings");

    let run = repo.zoomguard(["scan", "--history"]);
    assert_eq!(run.code, 1, "{run}");
    let out = run.all();
    assert!(out.contains("2 Zoom secrets found in the history, added in 2 places"), "{run}");
    assert!(out.contains("config.env:11") && out.contains("copy.env:12"), "{run}");
    let copied_again =
        out.lines().any(|line| line.contains("copy the settings") && line.contains("copy.env:11"));
    assert!(!copied_again, "the copied, unchanged secret was reported as added:\n{run}");
    assert_never_printed(&run, &[A, B]);
}

#[test]
fn history_lists_every_place_a_secret_was_added_and_where_it_still_is() {
    let repo = TestRepo::new();
    repo.commit_file_unchecked("README.md", "a project\n", "start");
    let first = repo.commit_secret_unchecked(".env", A, "add zoom settings");
    let second = repo.commit_secret_unchecked("config/app.env", A, "settings for the app");
    let third = repo.commit_secret_unchecked("deploy/prod.env", A, "production settings");
    repo.git_ok(["rm", "-q", ".env"]);
    repo.commit_unchecked("drop the local env file");

    let run = repo.zoomguard(["scan", "--history"]);
    assert_eq!(run.code, 1, "a leak in history must exit 1:\n{run}");
    let out = run.all();
    assert!(out.contains("1 Zoom secret found in the history, added in 3 places; 1 still at HEAD"), "{run}");
    for (sha, subject, place) in [
        (&first, "add zoom settings", ".env:3"),
        (&second, "settings for the app", "config/app.env:3"),
        (&third, "production settings", "deploy/prod.env:3"),
    ] {
        let line = out
            .lines()
            .find(|line| line.contains(&commit_label(sha, subject)))
            .unwrap_or_else(|| panic!("commit {subject} is not listed:\n{run}"));
        assert!(line.contains(place), "commit {subject} should name {place}: {line}\n{run}");
    }
    assert_eq!(out.matches(&format!("fingerprint  {CLIENT_SECRET_RULE}:")).count(), 1, "{run}");
    let at_head: Vec<&str> = out.lines().skip_while(|l| !l.starts_with("    at HEAD")).take(3).collect();
    assert!(at_head[0].contains("config/app.env:3") && at_head[0].contains("still there"), "{run}");
    assert!(at_head[1].contains("deploy/prod.env:3"), "{run}");
    assert!(!at_head[2].contains("still there"), "only two places hold it at HEAD:\n{run}");
    assert!(!at_head.iter().any(|l| l.contains(" .env:")), ".env was removed at HEAD:\n{run}");
    assert!(out.contains(&redacted(&secret(A))), "{run}");
    assert_never_printed(&run, &[A]);
}

#[test]
fn history_says_when_a_secret_is_gone_from_head() {
    let repo = TestRepo::new();
    repo.commit_secret_unchecked("one.env", A, "first leak");
    repo.commit_secret_unchecked("two.env", A, "second leak");
    repo.commit_secret_unchecked("three.env", A, "third leak");
    repo.commit_secret_unchecked("other.env", B, "another secret");
    repo.git_ok(["rm", "-q", "one.env", "two.env", "three.env"]);
    repo.commit_unchecked("remove the leaks");

    let run = repo.zoomguard(["scan", "--history"]);
    assert_eq!(run.code, 1, "{run}");
    let out = run.all();
    assert!(out.contains("2 Zoom secrets found in the history, added in 4 places; 1 still at HEAD"), "{run}");
    let gone = out.find("gone from HEAD").expect("the removed secret is said to be gone from HEAD");
    let still = out.find("other.env:3 (still there)").expect("the other secret is still at HEAD");
    assert!(gone < still, "credentials are listed oldest first:\n{run}");
    assert_never_printed(&run, &[A, B]);
}

#[test]
fn history_covers_every_branch_and_tag_and_gives_the_same_result_on_one_thread() {
    let repo = TestRepo::new();
    repo.commit_file_unchecked("README.md", "a project\n", "start");
    repo.git_ok(["checkout", "-q", "-b", "topic"]);
    let on_topic = repo.commit_secret_unchecked("topic.env", B, "leak on a topic branch");
    repo.git_ok(["checkout", "-q", "main"]);
    repo.git_ok(["checkout", "-q", "--detach"]);
    let tagged = repo.commit_secret_unchecked("tagged.env", C, "leak only a tag reaches");
    repo.git_ok(["tag", "v1", &tagged]);
    repo.git_ok(["checkout", "-q", "main"]);
    for index in 0..12 {
        repo.commit_file_unchecked(&format!("src/{index}.txt"), &filler(index + 1), "clean work");
    }

    let parallel = repo.zoomguard(["scan", "--history"]);
    assert_eq!(parallel.code, 1, "{parallel}");
    assert!(parallel.all().contains(&commit_label(&on_topic, "leak on a topic branch")), "{parallel}");
    assert!(parallel.all().contains(&commit_label(&tagged, "leak only a tag reaches")), "{parallel}");
    assert!(parallel.all().contains("15 commits"), "every commit once:\n{parallel}");
    let serial = repo.zoomguard(["scan", "--history", "--jobs", "1"]);
    assert_eq!(report_lines(&serial), report_lines(&parallel), "one thread and many must agree");
    assert_never_printed(&parallel, &[B, C]);
}

#[test]
fn history_of_a_clean_or_empty_repository_passes() {
    let repo = TestRepo::new();
    let empty = repo.zoomguard(["scan", "--history", "-v"]);
    assert_eq!(empty.code, 0, "{empty}");
    repo.commit_file_unchecked("README.md", "no secrets here\n", "start");
    let clean = repo.zoomguard(["scan", "--history", "-v"]);
    assert_eq!(clean.code, 0, "{clean}");
    assert!(clean.stderr.contains("0 findings") && clean.stderr.contains("1 commit"), "{clean}");
}

#[test]
fn range_reports_exactly_the_commits_in_the_range() {
    let repo = TestRepo::new();
    let before = repo.commit_secret_unchecked("before.env", A, "leak before the range");
    let in_one = repo.commit_secret_unchecked("one.env", B, "first leak in the range");
    repo.commit_file_unchecked("clean.txt", "nothing to see\n", "clean commit in the range");
    let in_two = repo.commit_secret_unchecked("two.env", C, "second leak in the range");
    let tip = repo.head().expect("a tip");
    let after = repo.commit_secret_unchecked("after.env", D, "leak after the range");

    let run = repo.zoomguard(["scan", "--range", &format!("{before}..{tip}")]);
    assert_eq!(run.code, 1, "{run}");
    let out = run.all();
    assert!(out.contains("2 Zoom secrets found in the commits of the range"), "{run}");
    assert!(out.contains(&format!("commit {}", commit_label(&in_one, "first leak in the range"))), "{run}");
    assert!(out.contains(&format!("commit {}", commit_label(&in_two, "second leak in the range"))), "{run}");
    assert!(out.contains("one.env:3:") && out.contains("two.env:3:"), "{run}");
    assert!(!out.contains(&before[..10]) && !out.contains(&after[..10]), "only the range counts:\n{run}");
    assert!(out.contains("3 commits"), "{run}");
    assert_never_printed(&run, &[A, B, C, D]);

    let symmetric = repo.zoomguard(["scan", "--range", &format!("{tip}...HEAD")]);
    assert_eq!(symmetric.code, 1, "{symmetric}");
    assert!(
        symmetric.all().contains(&after[..10]) && !symmetric.all().contains(&in_two[..10]),
        "{symmetric}"
    );

    let empty = repo.zoomguard(["scan", "--range", "HEAD..HEAD"]);
    assert_eq!(empty.code, 0, "an empty range has nothing to report:\n{empty}");
}

#[test]
fn a_bad_range_is_an_error_not_a_pass() {
    let repo = TestRepo::new();
    repo.commit_secret_unchecked("a.env", A, "leak");
    let not_a_range = repo.zoomguard(["scan", "--range", "HEAD"]);
    assert_eq!(not_a_range.code, 2, "{not_a_range}");
    assert!(not_a_range.stderr.contains("is not a range"), "{not_a_range}");
    let unknown = repo.zoomguard(["scan", "--range", "no-such-branch..HEAD"]);
    assert_eq!(unknown.code, 2, "{unknown}");
    assert!(unknown.stderr.contains("no-such-branch"), "the error names what failed:\n{unknown}");
    assert!(unknown.stderr.contains("the scan did not finish"), "{unknown}");
}

#[test]
fn paths_are_scanned_on_disk_without_git() {
    let repo = TestRepo::new();
    let dir = repo.root().join("plain");
    let write = |rel: &str, contents: &[u8]| {
        let file = dir.join(rel);
        fs::create_dir_all(file.parent().expect("a parent")).expect("create a directory");
        fs::write(file, contents).expect("write a file");
    };
    write("app/settings.env", (filler(1) + &secret_line(A)).as_bytes());
    write("app/notes.txt", b"nothing secret\n");
    write("deep/er/more.env", secret_line(B).as_bytes());
    write(".git/config.env", secret_line(C).as_bytes());
    let mut binary = secret_line(D).into_bytes();
    binary.extend_from_slice(&[0, 1, 2, 0]);
    write("image.bin", &binary);

    let run = scan_in(&repo, &dir, &["."]);
    assert_eq!(run.code, 1, "{run}");
    let out = run.all();
    assert!(out.contains("2 Zoom secrets found in the scanned files"), "{run}");
    assert!(out.contains("app/settings.env:2:20") && out.contains("deep/er/more.env:1:20"), "{run}");
    assert!(!out.contains(".git/config.env"), "a .git directory is not walked:\n{run}");
    assert!(out.contains("1 binary file skipped"), "{run}");
    assert!(out.contains("3 files, 4 lines scanned"), "{run}");
    assert_never_printed(&run, &[A, B, C, D]);

    let one_file = scan_in(&repo, &dir, &["app/notes.txt", "-v"]);
    assert_eq!(one_file.code, 0, "{one_file}");
    assert!(one_file.stderr.contains("1 file, 1 line scanned"), "{one_file}");
    let missing = scan_in(&repo, &dir, &["app/missing.env"]);
    assert_eq!(missing.code, 2, "a path that does not exist must not pass:\n{missing}");
    assert!(missing.stderr.contains("app/missing.env"), "{missing}");
}

fn scan_in(repo: &TestRepo, dir: &Path, args: &[&str]) -> Run {
    let mut cmd = repo.command_in(ZOOMGUARD, dir);
    cmd.arg("scan").args(args);
    TestRepo::run(cmd)
}

#[test]
fn staged_is_what_the_hook_sees() {
    let repo = TestRepo::new();
    repo.commit_file_unchecked("README.md", "a project\n", "start");
    repo.stage("settings.env", filler(1) + &secret_line(A));
    repo.write("unstaged.env", secret_line(B));
    let scan = repo.zoomguard(["scan", "--staged"]);
    let hook = repo.zoomguard(["pre-commit"]);
    assert_eq!(scan.code, 1, "{scan}");
    assert_eq!(report_lines(&scan), report_lines(&hook), "scan --staged must report what the hook does");
    assert!(scan.stderr.contains("settings.env:2:20") && !scan.stderr.contains("unstaged.env"), "{scan}");
    assert_never_printed(&scan, &[A, B]);
}

#[test]
fn scan_needs_a_target() {
    let repo = TestRepo::new();
    let run = repo.zoomguard(["scan"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("--history"), "the usage error lists the targets:\n{run}");
}

#[test]
fn progress_is_shown_on_a_terminal_only() {
    let repo = TestRepo::new();
    for index in 0..3 {
        repo.commit_file_unchecked(&format!("{index}.txt"), "clean\n", "work");
    }
    let piped = repo.zoomguard(["scan", "--history", "-v"]);
    assert_eq!(piped.code, 0, "{piped}");
    assert!(!piped.stderr.contains('\r') && !piped.stderr.contains("scanned ("), "{piped}");
    // `script` gives the command a terminal for its standard error.
    let mut cmd = repo.command("script");
    cmd.args(["-qec", &format!("{ZOOMGUARD} scan --history -v"), "/dev/null"]);
    let on_terminal = TestRepo::run(cmd);
    assert_eq!(on_terminal.code, 0, "{on_terminal}");
    assert!(on_terminal.all().contains("3/3 commits scanned ("), "{on_terminal}");
}

#[test]
fn standard_input_is_scanned_as_a_file_of_its_given_name() {
    let repo = TestRepo::new();
    let scan_stdin = |args: &[&str], input: &str| {
        let mut cmd = repo.command(ZOOMGUARD);
        cmd.arg("scan").args(args);
        super::support::run_with_input(cmd, input.as_bytes())
    };
    let found = scan_stdin(&["-"], &secret_line(201));
    assert_eq!(found.code, 1, "{found}");
    assert!(found.stderr.contains("(standard input):1"), "{found}");
    assert_never_printed(&found, &[201]);

    // A Kubernetes Secret piped from kubectl, named so that its format and Zoom name count.
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(secret(202));
    let manifest =
        format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ndata:\n  client_secret: {encoded}\n");
    let named =
        scan_stdin(&["-", "--stdin-name", "k8s/zoom-credentials.yaml", "--format", "json"], &manifest);
    assert_eq!(named.code, 1, "{named}");
    let report: serde_json::Value = serde_json::from_str(&named.stdout).expect("a JSON report");
    assert_eq!(report["findings"][0]["path"], "k8s/zoom-credentials.yaml", "{named}");
    assert_eq!(report["findings"][0]["rule_id"], CLIENT_SECRET_RULE);

    let clean = scan_stdin(&["-"], "nothing to see here\n");
    assert_eq!(clean.code, 0, "{clean}");
    let unnamed = scan_stdin(&["notes.txt", "--stdin-name", "x.yaml"], "");
    assert_eq!(unnamed.code, 2, "--stdin-name without - is an error:\n{unnamed}");
    let twice = scan_stdin(&["-", "-"], "");
    assert_eq!(twice.code, 2, "{twice}");
}

#[test]
fn history_and_range_read_commit_messages_too() {
    let repo = TestRepo::new();
    repo.commit_file_unchecked("README.md", "# app\n", "start");
    repo.stage("app.py", "print('hi')\n");
    let message = format!("Add the app\n\nZoom creds for staging: {}", secret_line(203).trim_end());
    repo.git_ok(["commit", "-q", "--no-verify", "-m", &message]);
    let sha = repo.head().expect("the commit landed");
    let history = repo.zoomguard(["scan", "--history", "--format", "json"]);
    assert_eq!(history.code, 1, "{history}");
    let report: serde_json::Value = serde_json::from_str(&history.stdout).expect("a JSON report");
    let findings = report["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{history}");
    assert_eq!(findings[0]["path"], format!("commit message of {}", &sha[..10]));
    assert_eq!(findings[0]["line"], 3);
    assert_eq!(findings[0]["commit"]["id"], sha);
    assert_eq!(report["summary"]["files_scanned"], 2, "a message is not a file");
    let range = repo.zoomguard(["scan", "--range", "HEAD~1..HEAD"]);
    assert_eq!(range.code, 1, "{range}");
    assert_never_printed(&range, &[203]);
}

/// The inventory's "at HEAD" finds a value however the file writes it: base64 in a Kubernetes
/// Secret, or split across string literals, not only as itself.
#[test]
fn history_finds_encoded_and_split_values_still_at_head() {
    use base64::Engine;
    let repo = TestRepo::new();
    let (encoded_secret, split_secret) = (secret(204), secret(205));
    let encoded = base64::engine::general_purpose::STANDARD.encode(&encoded_secret);
    let manifest = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: zoom-credentials\ndata:\n  client_secret: {encoded}\n"
    );
    let (a, b) = split_secret.split_at(16);
    let split = format!("# zoom\nZOOM_CLIENT_SECRET = \"{a}\" + \"{b}\"\n");
    repo.commit_file_unchecked("k8s/secret.yaml", &manifest, "deploy");
    repo.commit_file_unchecked("app/settings.py", &split, "settings");
    let history = repo.zoomguard(["scan", "--history", "--format", "json"]);
    assert_eq!(history.code, 1, "{history}");
    let report: serde_json::Value = serde_json::from_str(&history.stdout).expect("a JSON report");
    let mut at_head: Vec<(String, u64)> = report["inventory"]
        .as_array()
        .expect("an inventory")
        .iter()
        .flat_map(|credential| credential["at_head"].as_array().cloned().unwrap_or_default())
        .map(|place| (place["path"].as_str().unwrap_or("").to_owned(), place["line"].as_u64().unwrap_or(0)))
        .collect();
    at_head.sort();
    assert_eq!(at_head, [("app/settings.py".to_owned(), 2), ("k8s/secret.yaml".to_owned(), 6)], "{history}");
    assert_never_printed(&history, &[204, 205]);
}

/// A ref that names a blob or a tree (`git tag notes $(git hash-object -w notes.env)`) holds
/// text that no commit does: the history scans it whole, named after the ref.
#[test]
fn history_scans_the_blobs_and_trees_that_refs_name() {
    let repo = TestRepo::new();
    repo.commit_file_unchecked("README.md", "clean\n", "start");
    let write = |args: &[&str], input: String| {
        let mut cmd = repo.command("git");
        cmd.args(args);
        let run = crate::support::run_with_input(cmd, input.as_bytes());
        assert_eq!(run.code, 0, "{run}");
        run.stdout.trim().to_owned()
    };
    let blob = write(&["hash-object", "-w", "--stdin"], filler(2) + &secret_line(A));
    let other = write(&["hash-object", "-w", "--stdin"], secret_line(B));
    let tree = write(&["mktree"], format!("100644 blob {other}\tkeys.env\n"));
    repo.git_ok(["tag", "notes", &blob]);
    repo.git_ok(["tag", "-a", "-m", "a snapshot", "snapshot", &tree]);
    let run = repo.zoomguard(["scan", "--history", "--format", "json"]);
    assert_eq!(run.code, 1, "{run}");
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("a JSON report");
    assert_eq!(finding_places(&report), ["refs/tags/notes:3", "refs/tags/snapshot:keys.env:1"], "{run}");
    assert_never_printed(&run, &[A, B]);
}

/// Where a JSON report's findings are, as `path:line`, sorted.
fn finding_places(report: &serde_json::Value) -> Vec<String> {
    let mut places: Vec<String> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| format!("{}:{}", f["path"].as_str().unwrap_or_default(), f["line"]))
        .collect();
    places.sort();
    places
}

/// Makes the annotated tag `name` on HEAD with `message`, hooks and all irrelevant.
fn annotated_tag(repo: &TestRepo, name: &str, message: &str, target: &str) {
    repo.git_ok(["tag", "-a", name, "-m", message, target]);
}

/// An annotated tag's message travels with the tag as a commit's does: the history reads it
/// (a tag of a tag too, each tag object once), names it `message of tag <name>` in every
/// format, lists it in the inventory and does not count it as a file; the tagger line is not
/// message, and a range whose end is the tag reads it as well.
#[test]
fn history_and_range_read_annotated_tag_messages() {
    let repo = TestRepo::new();
    repo.commit_file_unchecked("README.md", "# app\n", "start");
    annotated_tag(&repo, "v0", "first release", "HEAD");
    repo.commit_file_unchecked("app.py", "print('hi')\n", "the app");
    let message = format!("Release 1\n\nstaging creds: {}", secret_line(206).trim_end());
    annotated_tag(&repo, "v1", &message, "HEAD");
    // A tag of the tag: its own message is read, and v1's only once.
    let outer = format!("Signed off\n\n{}", secret_line(207).trim_end());
    repo.git_ok(["tag", "-a", "v1-signed", "-m", &outer, "v1"]);
    // A tagger whose name looks like a secret is a header, not message: no finding.
    let mut tag = repo.command("git");
    tag.args(["tag", "-a", "v2", "-m", "clean notes", "HEAD"])
        .env("GIT_COMMITTER_NAME", secret_line(208).trim_end());
    let tagged = TestRepo::run(tag);
    assert_eq!(tagged.code, 0, "{tagged}");

    let history = repo.zoomguard(["scan", "--history", "--format", "json"]);
    assert_eq!(history.code, 1, "{history}");
    let report: serde_json::Value = serde_json::from_str(&history.stdout).expect("a JSON report");
    assert_eq!(finding_places(&report), ["message of tag v1-signed:3", "message of tag v1:3"], "{history}");
    assert_eq!(report["summary"]["files_scanned"], 2, "a tag message is not a file: {history}");
    let inventory: Vec<String> = report["inventory"]
        .as_array()
        .expect("an inventory")
        .iter()
        .flat_map(|credential| credential["added"].as_array().cloned().unwrap_or_default())
        .filter_map(|place| place["path"].as_str().map(str::to_owned))
        .collect();
    assert!(inventory.iter().any(|path| path == "message of tag v1"), "no tag in the inventory:\n{history}");

    let human = repo.zoomguard(["scan", "--history"]);
    assert_eq!(human.code, 1, "{human}");
    assert!(human.stderr.contains("added in     message of tag v1:3"), "{human}");
    assert!(human.stderr.contains("delete the tag (git tag -d <tag>, git push --delete"), "{human}");
    let sarif = repo.zoomguard(["scan", "--history", "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&sarif.stdout).expect("a SARIF log");
    let mut uris: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    uris.sort_unstable();
    assert_eq!(uris, ["message%20of%20tag%20v1", "message%20of%20tag%20v1-signed"]);

    // A range that ends at the tag reads its message (and the commits); one from v1 to its
    // tag does not read v1 again.
    let range = repo.zoomguard(["scan", "--range", "v0..v1"]);
    assert_eq!(range.code, 1, "{range}");
    assert!(range.stderr.contains("at     message of tag v1:3:"), "{range}");
    assert!(range.stderr.contains("In the message of tag v1:"), "{range}");
    assert!(range.stderr.contains("git tag -d v1"), "{range}");
    let signed = repo.zoomguard(["scan", "--range", "v1..v1-signed", "--format", "json"]);
    let signed: serde_json::Value = serde_json::from_str(&signed.stdout).expect("a JSON report");
    let found: Vec<&str> =
        signed["findings"].as_array().expect("findings").iter().filter_map(|f| f["path"].as_str()).collect();
    assert_eq!(found, ["message of tag v1-signed"]);
    for run in [&history, &human, &range] {
        assert_never_printed(run, &[206, 207, 208]);
    }
}

/// A history read from packs (`source::pack`: the index, the entries and their delta chains,
/// read without libgit2) reports what the same history reads loose, whether the pack's deltas
/// name their bases by offset or by id.
#[test]
fn a_packed_history_reports_what_the_same_history_loose_does() {
    const PACKED: u64 = 65;
    let repo = TestRepo::new();
    let mut settings = filler(60);
    for step in 0..16 {
        settings.push_str(&format!("STEP_{step}=on\n"));
        if step == 5 {
            settings.push_str(&secret_line(PACKED));
        }
        if step == 11 {
            settings = settings.replace(&secret_line(PACKED), "");
        }
        let module = format!("src/part{}.rs", step % 3);
        repo.commit_files_unchecked(&[("config/app.env", &settings), (&module, &filler(30 + step))]);
    }
    let report = || {
        let run = repo.zoomguard(["scan", "--history", "--format", "json"]);
        assert_eq!(run.code, 1, "{run}");
        let mut report: serde_json::Value = serde_json::from_str(&run.stdout).expect("a JSON report");
        report["summary"]["elapsed_ms"] = serde_json::Value::Null;
        assert_never_printed(&run, &[PACKED]);
        report
    };
    let loose = report();
    assert_eq!(loose["findings"].as_array().map(Vec::len), Some(1), "{loose:#}");
    assert_eq!(loose["findings"][0]["path"], "config/app.env", "{loose:#}");
    let packs = repo.path.join(".git/objects/pack");
    for offsets in ["true", "false"] {
        let config = format!("repack.useDeltaBaseOffset={offsets}");
        repo.git_ok(["-c", &config, "repack", "-adfq", "--depth=50", "--window=50"]);
        let counted = repo.git_ok(["count-objects", "-v"]);
        assert!(counted.starts_with("count: 0\n"), "every object packed:\n{counted}");
        let index = fs::read_dir(&packs)
            .expect("a pack directory")
            .map(|entry| entry.expect("an entry").path())
            .find(|path| path.extension().is_some_and(|e| e == "idx"))
            .expect("a pack index");
        let listed = repo.git_ok(["verify-pack".as_ref(), "-v".as_ref(), index.as_os_str()]);
        // A delta's line also names its depth and its base.
        let deltas = listed.lines().filter(|line| line.split_whitespace().count() == 7).count();
        assert!(deltas > 10, "the pack holds deltas:\n{listed}");
        assert_eq!(report(), loose, "packed with {config}");
    }
}
