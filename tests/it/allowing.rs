//! The three ways to allow a finding, through real `git commit` with the installed hook:
//! the inline marker, `.zoomguardignore` (fingerprints written by `zoomguard allow`, and
//! path globs), and a baseline made by `zoomguard scan --history --format json`. Each is
//! counted in the summary; a malformed ignore file or baseline blocks with exit 2 and names
//! the file and line.

use super::support::{assert_never_printed, filler, secret, secret_line, Run, TestRepo, CLIENT_SECRET_RULE};

/// A secret already in history when the baseline is made.
const KNOWN: u64 = 71;
/// A secret the commit under test adds.
const FRESH: u64 = 72;
/// Another secret the commit under test adds.
const OTHER: u64 = 73;
/// A third one.
const THIRD: u64 = 74;

/// The fingerprint the report prints for the first finding.
fn fingerprint_in(run: &Run) -> String {
    let at =
        run.stderr.find(&format!("(fingerprint {CLIENT_SECRET_RULE}:")).expect("a fingerprint is printed");
    let start = at + "(fingerprint ".len();
    run.stderr[start..].split(')').next().expect("the fingerprint ends").to_owned()
}

#[test]
fn inline_marker_allows_its_line_and_is_counted() {
    let repo = TestRepo::with_hook();
    let marked = format!("ZOOM_CLIENT_SECRET={}  # zoomguard:allow documented sample\n", secret(FRESH));
    repo.stage("sample.env", marked);
    let run = repo.commit(&[]);
    assert_eq!(run.code, 0, "{run}");
    repo.stage("second.env", format!("ZOOM_CLIENT_SECRET={} // ZOOMGUARD:ALLOW\n", secret(OTHER)));
    let verbose = repo.zoomguard(["pre-commit", "-v"]);
    assert_eq!(verbose.code, 0, "{verbose}");
    assert!(verbose.stderr.contains("finding allowed: 1 by zoomguard:allow markers"), "{verbose}");
    assert_never_printed(&verbose, &[FRESH, OTHER]);
}

#[test]
fn allow_records_a_fingerprint_that_follows_the_value() {
    let repo = TestRepo::with_hook();
    repo.stage("settings.env", filler(1) + &secret_line(FRESH));
    let blocked = repo.commit(&[]);
    assert_eq!(blocked.code, 1, "{blocked}");
    let fingerprint = fingerprint_in(&blocked);

    let allow = repo.zoomguard(["allow", &fingerprint, "--reason", "sandbox app, no access"]);
    assert_eq!(allow.code, 0, "{allow}");
    let ignore = std::fs::read_to_string(repo.path.join(".zoomguardignore")).expect("the ignore file");
    assert_eq!(ignore, format!("{fingerprint}  # sandbox app, no access\n"));
    let again = repo.zoomguard(["allow", &fingerprint]);
    assert!(again.code == 0 && again.stdout.contains("already allowed"), "{again}");

    let passed = repo.commit(&[]);
    assert_eq!(passed.code, 0, "the allowed value must pass:\n{passed}");
    // The same value in another file, another format, is still allowed; another value is not.
    let yaml =
        format!("service:\n  name: meetings\n  region: eu\nzoom:\n  client_secret: {}\n", secret(FRESH));
    repo.stage("moved/app.yml", yaml);
    let verbose = repo.zoomguard(["pre-commit", "-v"]);
    assert!(verbose.code == 0 && verbose.stderr.contains("1 by .zoomguardignore"), "{verbose}");
    repo.stage("other.env", secret_line(OTHER));
    let other = repo.commit(&[]);
    assert_eq!(other.code, 1, "a different value still blocks:\n{other}");
    assert!(other.stderr.contains("other.env:1:20") && !other.stderr.contains("moved/app.yml"), "{other}");
    assert!(other.stderr.contains("finding allowed: 1 by .zoomguardignore"), "{other}");
    assert_never_printed(&other, &[FRESH, OTHER]);
}

/// Issue 15: the hook reads the staged `.zoomguardignore`, what the commit will carry, not
/// an unstaged edit of it (an untracked one, as `zoomguard allow` writes it, still counts).
#[test]
fn the_hook_reads_the_staged_ignore_file() {
    let repo = TestRepo::with_hook();
    repo.stage("settings.env", filler(1) + &secret_line(FRESH));
    let fingerprint = fingerprint_in(&repo.commit(&[]));
    repo.stage("other.env", secret_line(OTHER));
    let other = fingerprint_in(&repo.zoomguard(["scan", "other.env"]));
    repo.git_ok(["reset", "-q"]);

    // Staged with FRESH's fingerprint; the work tree's copy drops it: the staged one decides.
    repo.stage(".zoomguardignore", format!("{fingerprint}  # sandbox\n"));
    repo.write(".zoomguardignore", "# emptied, not staged\n");
    repo.stage("settings.env", filler(1) + &secret_line(FRESH));
    let passed = repo.commit(&[]);
    assert_eq!(passed.code, 0, "the staged ignore file allows it:\n{passed}");
    let committed = repo.git_ok(["show", "HEAD:.zoomguardignore"]);
    assert!(committed.contains(&fingerprint), "{committed}");

    // An unstaged addition does not allow what the commit brings, until it is staged.
    repo.write(".zoomguardignore", format!("{fingerprint}  # sandbox\n{other}  # unstaged\n"));
    repo.stage("other.env", secret_line(OTHER));
    let blocked = repo.commit(&[]);
    assert_eq!(blocked.code, 1, "an unstaged ignore line must not allow it:\n{blocked}");
    let scanned = repo.zoomguard(["scan", "other.env", "-v"]);
    assert!(
        scanned.code == 0 && scanned.stderr.contains("1 by .zoomguardignore"),
        "scan reads the work tree:\n{scanned}"
    );
    repo.add(&[".zoomguardignore"]);
    let passed = repo.commit(&[]);
    assert_eq!(passed.code, 0, "staged, it allows it:\n{passed}");
    assert_never_printed(&blocked, &[FRESH, OTHER]);
}

#[test]
fn ignore_file_globs_allow_paths() {
    let repo = TestRepo::with_hook();
    repo.write(".zoomguardignore", "# fixtures hold fake credentials\nfixtures/\n*.sample  # templates\n");
    repo.stage("test/fixtures/zoom.env", secret_line(FRESH));
    repo.stage("config.env.sample", secret_line(OTHER));
    let run = repo.commit(&[]);
    assert_eq!(run.code, 0, "{run}");
    repo.stage("config.env", secret_line(THIRD));
    let blocked = repo.commit(&[]);
    assert_eq!(blocked.code, 1, "paths outside the globs still block:\n{blocked}");
    assert!(blocked.stderr.contains("config.env:1:20"), "{blocked}");
}

#[test]
fn malformed_ignore_file_blocks_and_names_the_line() {
    let repo = TestRepo::with_hook();
    repo.write(".zoomguardignore", "fixtures/\nzoom-client-secret:not-a-hash\n");
    repo.stage("README.md", "clean\n");
    let direct = repo.zoomguard(["pre-commit"]);
    assert_eq!(direct.code, 2, "a malformed ignore file must not pass silently:\n{direct}");
    let run = repo.commit(&[]);
    assert_ne!(run.code, 0, "{run}");
    assert!(run.stderr.contains("zoomguard: error:") && run.stderr.contains(".zoomguardignore:2"), "{run}");
    assert!(repo.head().is_none(), "the commit must be blocked");
    let bad = repo.zoomguard(["allow", "zoom-client-secret:xyz"]);
    assert_eq!(bad.code, 2, "{bad}");
}

#[test]
fn baseline_blocks_only_new_leaks() {
    let repo = TestRepo::with_hook();
    repo.stage("old.env", filler(1) + &secret_line(KNOWN));
    repo.commit_unchecked("an old leak, before zoomguard");
    let made =
        repo.zoomguard(["scan", "--history", "--format", "json", "--output", "zoomguard-baseline.json"]);
    assert_eq!(made.code, 1, "the history holds a leak:\n{made}");
    assert_eq!(made.stdout, "", "with --output the report goes to the file only:\n{made}");
    let baseline = std::fs::read_to_string(repo.path.join("zoomguard-baseline.json")).expect("the baseline");
    assert!(!baseline.contains(&secret(KNOWN)), "the baseline must not hold the secret");

    let known = repo.zoomguard(["scan", "--history", "--baseline", "zoomguard-baseline.json", "-v"]);
    assert_eq!(known.code, 0, "{known}");
    assert!(known.stderr.contains("1 by the baseline"), "{known}");

    // The hook reads the baseline from git config: the known value may come back, a new one may not.
    repo.git_ok(["config", "zoomguard.baseline", "zoomguard-baseline.json"]);
    repo.stage("copy.env", secret_line(KNOWN));
    let passed = repo.commit(&[]);
    assert_eq!(passed.code, 0, "a value the baseline knows passes:\n{passed}");
    repo.stage("new.env", secret_line(FRESH));
    let blocked = repo.commit(&[]);
    assert_eq!(blocked.code, 1, "{blocked}");
    assert!(blocked.stderr.contains("new.env:1:20"), "{blocked}");
    assert_never_printed(&blocked, &[KNOWN, FRESH]);
}

#[test]
fn malformed_or_missing_baseline_is_an_error() {
    let repo = TestRepo::with_hook();
    repo.write(
        "broken.json",
        "{\n  \"findings\": [\n    {\"fingerprint\": \"zoom-client-secret:oops\"}\n  ]\n}\n",
    );
    repo.write("not-json.json", "findings: yes\n");
    repo.stage("README.md", "clean\n");
    for (file, expected) in
        [("broken.json", "broken.json:3"), ("not-json.json", "not-json.json"), ("gone.json", "gone.json")]
    {
        let run = repo.zoomguard(["pre-commit", "--baseline", file]);
        assert_eq!(run.code, 2, "{file}:\n{run}");
        assert!(run.stderr.contains(expected), "{file}: the error must name {expected}:\n{run}");
    }
    repo.git_ok(["config", "zoomguard.baseline", "broken.json"]);
    let commit = repo.commit(&[]);
    assert!(commit.code != 0 && commit.stderr.contains("broken.json:3"), "{commit}");
    assert!(repo.head().is_none(), "the commit must be blocked");
}
