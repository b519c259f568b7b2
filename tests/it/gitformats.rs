//! Every repository format git makes, end to end (issue 15): SHA-256 objects, reftable refs,
//! a split index and a sparse index. libgit2 cannot open the first two, nor load the index
//! of the last two, so zoomguard reads them through git itself. The same change must give
//! the same findings as in a plain repository, which libgit2 reads: through a real `git
//! commit` with the installed hook, a real `git push` to a bare remote of the same format
//! with the pre-push hook, a bare server's pre-receive hook, and `scan --staged`, `--range`
//! and `--history`.
//!
//! Each format is made with an installed git that supports it (`PATH`'s, else another); a
//! test is skipped, saying why, only when none does.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

use crate::support::{
    filler, install_pre_receive, secret, secret_line, Expect, Run, TestRepo, CLIENT_SECRET_RULE,
};

/// Seeds of the two secrets the change adds.
const A: u64 = 151;
const B: u64 = 152;

/// A repository format and how to make one.
struct Format {
    name: &'static str,
    /// What `git init` gets.
    init: &'static [&'static str],
    /// git commands run after the first commit.
    after_first_commit: &'static [&'static [&'static str]],
    /// What shows that the repository is in this format once the change is staged.
    proof: Proof,
}

enum Proof {
    /// `git <args>` prints this line.
    Prints(&'static [&'static str], &'static str),
    /// The index file holds this extension.
    IndexExtension(&'static [u8; 4]),
    /// HEAD's objects are in a pack, none loose.
    Packed,
    /// A plain repository.
    Nothing,
}

const PLAIN: Format = Format { name: "plain", init: &[], after_first_commit: &[], proof: Proof::Nothing };

/// What zoomguard reported, without commit ids (they differ between SHA-1 and SHA-256).
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    /// `scan --staged`, `scan --range`, `scan --history`: each finding as `rule path:line:column
    /// fingerprint (commit summary)`.
    staged: Vec<String>,
    range: Vec<String>,
    history: Vec<String>,
    /// `scan --staged` once the first secret is allowed in the staged `.zoomguardignore`.
    allowed: Vec<String>,
    /// The inventory: each credential's fingerprint and where it still is at HEAD.
    inventory: Vec<String>,
    /// The `at` lines of the blocked commit, of the blocked `git commit <path>` (its own
    /// temporary index), of the refused push and of the refused server push.
    hooks: [Vec<String>; 4],
}

/// The directory of an installed git that makes a repository with `git init <args>` (`None`:
/// the one on `PATH`), or why none does.
fn git_for(args: &[&str]) -> Result<Option<PathBuf>, String> {
    let probe = tempfile::tempdir().expect("a temporary directory");
    let mut tried = Vec::new();
    for dir in [None, Some("/usr/local/bin"), Some("/usr/bin")] {
        let git = dir.map_or_else(|| PathBuf::from("git"), |dir| Path::new(dir).join("git"));
        let target = probe.path().join(tried.len().to_string());
        let init = Command::new(&git)
            .args(["init", "-q"])
            .args(args)
            .arg(&target)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output();
        let version = Command::new(&git).arg("--version").output();
        match (init, version) {
            (Ok(init), _) if init.status.success() => return Ok(dir.map(PathBuf::from)),
            (_, Ok(version)) => tried.push(String::from_utf8_lossy(&version.stdout).trim().to_owned()),
            (_, Err(_)) => {}
        }
    }
    Err(format!(
        "no installed git makes a repository with `git init {}` (tried: {})",
        args.join(" "),
        tried.join(", ")
    ))
}

fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{run}"))
}

/// A JSON report's findings, normalised and sorted.
fn findings(run: &Run) -> Vec<String> {
    assert_eq!(run.code, 1, "the scan should find the secrets:\n{run}");
    let report = json(run);
    let mut found: Vec<String> = report["findings"]
        .as_array()
        .expect("a findings list")
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}:{} {} ({})",
                f["rule_id"], f["path"], f["line"], f["column"], f["fingerprint"], f["commit"]["summary"]
            )
        })
        .collect();
    found.sort();
    found
}

/// The `at path:line:column` lines of a human report (as git relays a server's, after
/// `remote:`), sorted.
fn at_lines(run: &Run) -> Vec<String> {
    let mut lines: Vec<String> = run
        .stderr
        .lines()
        .map(|line| line.strip_prefix("remote:").unwrap_or(line))
        .filter_map(|line| line.trim_start().strip_prefix("at "))
        .map(|at| at.trim().to_owned())
        .collect();
    lines.sort();
    lines
}

/// A repository in `format` made by a git that makes it; `None` (with the reason printed,
/// naming the `test`) when no installed git does.
fn formatted_repo(format: &Format, test: &str) -> Option<TestRepo> {
    match git_for(format.init) {
        Ok(git_dir) => Some(TestRepo::formatted("repo", format.init, git_dir.as_deref())),
        Err(why) => {
            eprintln!("SKIPPED the {} {test} test: {why}", format.name);
            None
        }
    }
}

/// Makes a repository in `format`, stages and commits the same change in it through every
/// hook and scan, and says what zoomguard reported; `None` (with the reason printed) when no
/// installed git makes the format.
fn exercise(format: &Format) -> Option<Seen> {
    let repo = formatted_repo(format, "repository")?;
    let name = format.name;
    repo.commit_files_unchecked(&[
        ("README.md", "docs\n"),
        ("config/app.env", &filler(4)),
        ("lib/other.txt", &filler(6)),
    ]);
    for args in format.after_first_commit {
        repo.git_ok(*args);
    }
    repo.install();
    let (remote, server) = push_hooks_and_remotes(&repo, name);
    // Clean pushes pass both hooks.
    let run = repo.git(["push", "origin", "main"]);
    assert_eq!(run.code, 0, "{name}: a clean push should pass:\n{run}");
    let run = repo.git(["push", "--no-verify", "server", "main"]);
    assert_eq!(run.code, 0, "{name}: a clean push to the server should pass:\n{run}");

    // The change: a secret appended, a new file with another, a pure rename.
    repo.append("config/app.env", secret_line(A));
    repo.write("config/new.env", filler(1) + &secret_line(B));
    repo.git_ok(["mv", "README.md", "config/README.md"]);
    repo.add(&["config/app.env", "config/new.env"]);
    match format.proof {
        Proof::Prints(args, expected) => {
            assert_eq!(repo.git_ok(args).trim(), expected, "{name}: the repository is not in its format")
        }
        Proof::IndexExtension(extension) => {
            let index = fs::read(repo.path.join(".git/index")).expect("read the index");
            assert!(index.windows(4).any(|w| w == extension), "{name}: the index has no {extension:?}");
        }
        Proof::Packed => {
            let counted = repo.git_ok(["count-objects", "-v"]);
            assert!(counted.contains("\npacks: 1\n"), "{name}: no pack:\n{counted}");
            let head_file = repo.git_ok(["rev-parse", "HEAD:config/app.env"]);
            let loose = repo.path.join(".git/objects").join(&head_file[..2]).join(head_file[2..].trim());
            assert!(!loose.exists(), "{name}: HEAD's config/app.env is loose");
        }
        Proof::Nothing => {}
    }
    let secrets = [secret(A), secret(B)];
    let staged = findings(&repo.zoomguard(["scan", "--staged", "--format", "json"]));

    let before = repo.head();
    let commit = repo.commit(&[]);
    let blocked = Expect::Block { rule: CLIENT_SECRET_RULE, at: "config/new.env:2:20", secret: &secrets[1] };
    repo.attempt_in(&repo.path, before.as_deref()).check(&commit, &[&secrets[0], &secrets[1]], blocked);
    let only = repo.commit(&["config/new.env"]);
    repo.attempt_in(&repo.path, before.as_deref()).check(&only, &[&secrets[0], &secrets[1]], blocked);

    // The staged ignore file is read as git reads the index.
    let fingerprint = json(&repo.zoomguard(["scan", "--staged", "--format", "json"]))["findings"]
        .as_array()
        .and_then(|found| found.iter().find(|f| f["path"] == "config/app.env"))
        .map(|f| f["fingerprint"].as_str().expect("a fingerprint").to_owned())
        .expect("the finding in config/app.env");
    let run = repo.zoomguard(["allow", &fingerprint]);
    assert_eq!(run.code, 0, "{name}: {run}");
    repo.add(&[".zoomguardignore"]);
    let allowed_run = repo.zoomguard(["scan", "--staged", "--format", "json"]);
    let allowed = findings(&allowed_run);
    assert_eq!(json(&allowed_run)["summary"]["allowed"]["ignore_file"], 1, "{name}: {allowed_run}");
    repo.git_ok(["rm", "-q", "--cached", ".zoomguardignore"]);
    fs::remove_file(repo.path.join(".zoomguardignore")).expect("remove the ignore file");
    repo.commit_unchecked("add zoom credentials");

    let range = findings(&repo.zoomguard(["scan", "--range", "HEAD~1..HEAD", "--format", "json"]));
    let history_run = repo.zoomguard(["scan", "--history", "--format", "json"]);
    let history = findings(&history_run);
    let mut inventory: Vec<String> = json(&history_run)["inventory"]
        .as_array()
        .expect("an inventory")
        .iter()
        .map(|credential| format!("{} at HEAD {}", credential["fingerprint"], credential["at_head"]))
        .collect();
    inventory.sort();

    let remote_main = repo.rev_in(&remote, "refs/heads/main");
    let pushed = repo.git(["push", "origin", "main"]);
    assert_ne!(pushed.code, 0, "{name}: the push should be refused:\n{pushed}");
    assert!(pushed.stderr.contains("add zoom credentials"), "{name}: the commit is not named:\n{pushed}");
    assert_eq!(repo.rev_in(&remote, "refs/heads/main"), remote_main, "{name}: the remote moved:\n{pushed}");

    let server_main = repo.rev_in(&server, "refs/heads/main");
    let received = repo.git(["push", "--no-verify", "server", "main"]);
    assert_ne!(received.code, 0, "{name}: the server should refuse the push:\n{received}");
    assert!(received.stderr.contains("pre-receive hook declined"), "{name}:\n{received}");
    assert_eq!(repo.rev_in(&server, "refs/heads/main"), server_main, "{name}: the server moved:\n{received}");
    for run in [&commit, &pushed, &received] {
        assert!(!secrets.iter().any(|s| run.all().contains(s.as_str())), "{name}: a secret in full:\n{run}");
    }
    Some(Seen {
        staged,
        range,
        history,
        allowed,
        inventory,
        hooks: [&commit, &only, &pushed, &received].map(at_lines),
    })
}

/// What a plain repository, read by libgit2, gives: worked out once for every test.
fn plain() -> &'static Seen {
    static SEEN: OnceLock<Seen> = OnceLock::new();
    SEEN.get_or_init(|| {
        let seen = exercise(&PLAIN).expect("PATH's git makes a plain repository");
        assert_eq!(seen.staged.len(), 2, "{seen:#?}");
        let both = ["config/app.env:5:20", "config/new.env:2:20"];
        assert!(seen.hooks.iter().enumerate().all(|(i, at)| at == &both[usize::from(i == 1)..]), "{seen:#?}");
        assert_eq!(seen.allowed.len(), 1, "{seen:#?}");
        seen
    })
}

fn same_as_plain(format: &Format) {
    if let Some(seen) = exercise(format) {
        assert_eq!(&seen, plain(), "{}: not what a plain repository gives", format.name);
    }
}

/// Regression (issue 15): `git init --object-format=sha256` made every hook exit 2
/// ("unknown object format 'sha256'").
#[test]
fn sha256_repository_gives_what_a_plain_one_gives() {
    same_as_plain(&Format {
        name: "SHA-256",
        init: &["--object-format=sha256"],
        after_first_commit: &[],
        proof: Proof::Prints(&["rev-parse", "--show-object-format"], "sha256"),
    });
}

/// Regression (issue 15): `git init --ref-format=reftable` made every hook exit 2
/// ("unsupported extension name extensions.refstorage").
#[test]
fn reftable_repository_gives_what_a_plain_one_gives() {
    same_as_plain(&Format {
        name: "reftable",
        init: &["--ref-format=reftable"],
        after_first_commit: &[],
        proof: Proof::Prints(&["rev-parse", "--show-ref-format"], "reftable"),
    });
}

/// Both at once: SHA-256 objects and reftable refs.
#[test]
fn sha256_reftable_repository_gives_what_a_plain_one_gives() {
    same_as_plain(&Format {
        name: "SHA-256 reftable",
        init: &["--object-format=sha256", "--ref-format=reftable"],
        after_first_commit: &[],
        proof: Proof::Prints(&["rev-parse", "--show-object-format"], "sha256"),
    });
}

/// Regression (issue 15): a split index (`core.splitIndex`) made every commit exit 2
/// ("unsupported mandatory extension: 'link'").
#[test]
fn split_index_gives_what_a_plain_one_gives() {
    same_as_plain(&Format {
        name: "split index",
        init: &[],
        after_first_commit: &[&["config", "core.splitIndex", "true"], &["update-index", "--split-index"]],
        proof: Proof::IndexExtension(b"link"),
    });
}

/// Regression (issue 15): a sparse index (`git sparse-checkout init --cone --sparse-index`)
/// made every commit exit 2 ("unsupported mandatory extension: 'sdir'").
#[test]
fn sparse_index_gives_what_a_plain_one_gives() {
    same_as_plain(&Format {
        name: "sparse index",
        init: &[],
        after_first_commit: &[&["sparse-checkout", "set", "--cone", "--sparse-index", "config"]],
        proof: Proof::IndexExtension(b"sdir"),
    });
}

/// Every object of HEAD in a pack, which `source::pack` reads instead of libgit2 (the old
/// versions the hooks and scans diff against), and every push kept as a pack
/// (`transfer.unpackLimit` 1), so the server's pre-receive hook reads the pushed objects from a
/// pack in git's quarantine.
#[test]
fn packed_repository_gives_what_a_plain_one_gives() {
    same_as_plain(&Format {
        name: "packed",
        init: &[],
        after_first_commit: &[&["config", "--global", "transfer.unpackLimit", "1"], &["repack", "-adq"]],
        proof: Proof::Packed,
    });
}

/// Seeds of the secrets in the tag messages.
const TAG_INNER: u64 = 153;
const TAG_OUTER: u64 = 154;

/// Installs the pre-push hook in `repo` (of the format `name`) and gives it two bare remotes:
/// `origin`, and `server`, whose pre-receive hook runs zoomguard; their paths, in that order.
fn push_hooks_and_remotes(repo: &TestRepo, name: &str) -> (PathBuf, PathBuf) {
    let run = repo.zoomguard(["install", "--hook", "pre-push"]);
    assert_eq!(run.code, 0, "{name}: installing the pre-push hook:\n{run}");
    let remote = repo.init_bare("remote.git");
    let server = repo.init_bare("server.git");
    repo.git_ok(["remote".as_ref(), "add".as_ref(), "origin".as_ref(), remote.as_os_str()]);
    repo.git_ok(["remote".as_ref(), "add".as_ref(), "server".as_ref(), server.as_os_str()]);
    install_pre_receive(&server);
    (remote, server)
}

/// What zoomguard reports of annotated tag messages in a repository of `format`: a tag whose
/// message holds a secret and a tag of it with another, read by `scan --history` (each
/// finding as `rule path:line:column fingerprint`, sorted, and the inventory's places), by
/// the pre-push hook and by a bare server's pre-receive hook (their `at` lines); `None` when
/// no installed git makes the format.
fn tag_messages(format: &Format) -> Option<[Vec<String>; 4]> {
    let repo = formatted_repo(format, "tag message")?;
    let name = format.name;
    repo.commit_files_unchecked(&[("README.md", "docs\n")]);
    let (remote, server) = push_hooks_and_remotes(&repo, name);
    for to in ["origin", "server"] {
        let run = repo.git(["push", to, "main"]);
        assert_eq!(run.code, 0, "{name}: a clean push to {to} should pass:\n{run}");
    }
    let message = |seed: u64| format!("Release\n\n{}", secret_line(seed).trim_end());
    repo.git_ok(["tag", "-a", "v1", "-m", &message(TAG_INNER)]);
    repo.git_ok(["tag", "-a", "v1-signed", "-m", &message(TAG_OUTER), "v1"]);

    let history = repo.zoomguard(["scan", "--history", "--format", "json"]);
    let mut found: Vec<String> = json(&history)["findings"]
        .as_array()
        .expect("a findings list")
        .iter()
        .map(|f| format!("{} {}:{}:{} {}", f["rule_id"], f["path"], f["line"], f["column"], f["fingerprint"]))
        .collect();
    found.sort();
    let mut inventory: Vec<String> = json(&history)["inventory"]
        .as_array()
        .expect("an inventory")
        .iter()
        .flat_map(|credential| credential["added"].as_array().cloned().unwrap_or_default())
        .map(|place| format!("{}:{}", place["path"], place["line"]))
        .collect();
    inventory.sort();

    let pushed = repo.git(["push", "origin", "v1-signed"]);
    assert_ne!(pushed.code, 0, "{name}: the tag push should be refused:\n{pushed}");
    assert_eq!(repo.rev_in(&remote, "refs/tags/v1-signed"), None, "{name}: the remote took it:\n{pushed}");
    let received = repo.git(["push", "--no-verify", "server", "v1-signed"]);
    assert_ne!(received.code, 0, "{name}: the server should refuse the tag:\n{received}");
    assert!(received.stderr.contains("pre-receive hook declined"), "{name}:\n{received}");
    assert_eq!(repo.rev_in(&server, "refs/tags/v1-signed"), None, "{name}: the server took it:\n{received}");
    let secrets = [secret(TAG_INNER), secret(TAG_OUTER)];
    for run in [&history, &pushed, &received] {
        assert!(!secrets.iter().any(|s| run.all().contains(s.as_str())), "{name}: a secret in full:\n{run}");
    }
    Some([found, inventory, at_lines(&pushed), at_lines(&received)])
}

/// Annotated tags' messages are read the same through git (SHA-256 objects, reftable refs)
/// as through libgit2.
#[test]
fn tag_messages_read_through_git_give_what_libgit2_gives() {
    let plain = tag_messages(&PLAIN).expect("PATH's git makes a plain repository");
    let both = ["message of tag v1-signed:3:20", "message of tag v1:3:20"];
    assert_eq!(plain[0].len(), 2, "{plain:#?}");
    assert_eq!(plain[1], ["\"message of tag v1\":3", "\"message of tag v1-signed\":3"], "{plain:#?}");
    assert_eq!(plain[2], both, "{plain:#?}");
    assert_eq!(plain[3], both, "{plain:#?}");
    for format in [
        Format {
            name: "SHA-256",
            init: &["--object-format=sha256"],
            after_first_commit: &[],
            proof: Proof::Nothing,
        },
        Format {
            name: "reftable",
            init: &["--ref-format=reftable"],
            after_first_commit: &[],
            proof: Proof::Nothing,
        },
    ] {
        if let Some(seen) = tag_messages(&format) {
            assert_eq!(seen, plain, "{}: not what a plain repository gives", format.name);
        }
    }
}
