//! zoomguard under the hook managers teams already use, each run for real: `zoomguard
//! install --global`, the pre-commit framework (with this repository as its hook source),
//! husky and lefthook; and sarif-tools reading our SARIF log. The configurations are the
//! README's, checked to be there word for word.
//!
//! The pre-commit framework builds the hooks from this repository's HEAD commit, so it
//! tests committed code: commit before running it on a change to the binary.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{
    filler, run_with_input, secret, secret_line, Expect, Run, TestRepo, CLIENT_SECRET_RULE,
};
use crate::tools;

/// The hooks part of `.pre-commit-config.yaml`, as the README shows it.
const PRE_COMMIT_HOOKS: &str = "    hooks:\n      - id: zoomguard\n      - id: zoomguard-push\n";
/// The README's optional commit-msg hook, which follows them.
const PRE_COMMIT_MSG_HOOK: &str =
    "      - id: zoomguard-commit-msg   # optional: refuses secrets pasted into commit messages\n";
/// The README's `pre-commit install` for every stage.
const PRE_COMMIT_INSTALL: &str =
    "pre-commit install --hook-type pre-commit --hook-type pre-push --hook-type commit-msg";
/// husky's `.husky/pre-commit`, as the README shows it.
const HUSKY_PRE_COMMIT: &str = "zoomguard pre-commit\n";
/// husky's `.husky/pre-push`, as the README shows it: git's arguments, and its standard input
/// (which husky passes on).
const HUSKY_PRE_PUSH: &str = "zoomguard pre-push \"$@\"\n";
/// husky's `.husky/commit-msg`, as the README shows it: git's one argument, the message file.
const HUSKY_COMMIT_MSG: &str = "zoomguard commit-msg \"$1\"\n";
/// `lefthook.yml`, as the README shows it. Without `use_stdin` lefthook gives the command no
/// standard input, and the push would pass unchecked.
const LEFTHOOK_YML: &str = "\
pre-commit:
  commands:
    zoomguard:
      run: zoomguard pre-commit
pre-push:
  commands:
    zoomguard:
      run: zoomguard pre-push {1} {2}
      use_stdin: true
commit-msg:
  commands:
    zoomguard:
      run: zoomguard commit-msg {1}
";

const X: u64 = 0x6d61_6e61_6765_7201;
const Y: u64 = 0x6d61_6e61_6765_7202;
const Z: u64 = 0x6d61_6e61_6765_7203;

#[test]
fn readme_shows_the_tested_configurations() {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).expect("read the README");
    let section =
        readme.split("\n## Hook managers\n").nth(1).expect("the README has a Hook managers section");
    let section = section.split("\n## ").next().expect("the section has text");
    let framework = format!("{PRE_COMMIT_HOOKS}{PRE_COMMIT_MSG_HOOK}");
    for (what, text) in [
        (".pre-commit-config.yaml", framework.as_str()),
        ("pre-commit install", PRE_COMMIT_INSTALL),
        (".husky/pre-commit", HUSKY_PRE_COMMIT),
        (".husky/pre-push", HUSKY_PRE_PUSH),
        (".husky/commit-msg", HUSKY_COMMIT_MSG),
        ("lefthook.yml", LEFTHOOK_YML),
    ] {
        assert!(section.contains(text), "the README's {what} is not the tested one:\n{text}");
    }
}

// ---- zoomguard install --global ----

/// `git config --global --get core.hooksPath` in the repository's isolated environment.
fn global_hooks_path(repo: &TestRepo) -> Option<String> {
    let run = repo.git(["config", "--global", "--get", "core.hooksPath"]);
    (run.code == 0).then(|| run.stdout.trim().to_owned())
}

/// Where `install --global` puts the shims when the user has no global `core.hooksPath`
/// (support gives every command `XDG_CONFIG_HOME=<tmp>/home`).
fn default_global_dir(repo: &TestRepo) -> PathBuf {
    repo.root().join("home").join("zoomguard").join("hooks")
}

fn zoomguard_ok(repo: &TestRepo, args: &[&str]) -> Run {
    let run = repo.zoomguard(args);
    assert_eq!(run.code, 0, "zoomguard {} failed:\n{run}", args.join(" "));
    run
}

/// Writes an executable script.
fn write_script(path: &Path, body: &str) {
    use std::os::unix::fs::PermissionsExt;
    fs::create_dir_all(path.parent().expect("a script lives in a directory")).expect("create the directory");
    fs::write(path, format!("#!/bin/sh\n{body}")).expect("write the script");
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).expect("make the script executable");
}

/// A hook that appends its name, its arguments and its standard input to `<tmp>/hook.log`,
/// and fails when `<tmp>/hook.fail` exists.
fn logging_hook(repo: &TestRepo, path: &Path, name: &str) {
    let root = repo.root().display();
    let body = format!(
        "{{ echo \"{name} ran with: $*\"; cat; }} >> '{root}/hook.log'\n[ ! -e '{root}/hook.fail' ]\n"
    );
    write_script(path, &body);
}

fn hook_log(repo: &TestRepo) -> String {
    fs::read_to_string(repo.root().join("hook.log")).unwrap_or_default()
}

/// Stages `.env` with a secret, commits for real and checks the hook refused it.
fn assert_secret_commit_blocked(repo: &TestRepo, seed: u64) {
    let before = repo.head();
    let value = secret(seed);
    repo.stage(".env", secret_line(seed));
    let run = repo.commit(&[]);
    repo.attempt_in(&repo.path, before.as_deref()).check(
        &run,
        &[&value],
        Expect::Block { rule: CLIENT_SECRET_RULE, at: ".env:1:20", secret: &value },
    );
    repo.git_ok(["rm", "-q", "--cached", ".env"]);
    fs::remove_file(repo.path.join(".env")).expect("remove the secret file");
}

/// Stages a clean file, commits for real and checks it landed.
fn assert_clean_commit_passes(repo: &TestRepo, name: &str) {
    let before = repo.head();
    repo.stage(name, filler(3));
    let run = repo.commit(&[]);
    repo.attempt_in(&repo.path, before.as_deref()).check(&run, &[], Expect::Pass);
}

/// A real `git commit -m` (run by `git`) whose message holds the secret made from `seed` is
/// refused by the commit-msg hook, HEAD staying where it was, and a clean message passes;
/// the refused run, for the caller's own checks.
fn assert_secret_message_refused(repo: &TestRepo, seed: u64, git: &dyn Fn(&[&str]) -> Run) -> Run {
    repo.stage("notes.txt", filler(2));
    let before = repo.head();
    let message = format!("Fix the token refresh\n\n{}", secret_line(seed).trim_end());
    let refused = git(&["commit", "-m", &message]);
    assert_ne!(refused.code, 0, "the message should be refused:\n{refused}");
    assert!(refused.all().contains(CLIENT_SECRET_RULE), "the rule id is missing:\n{refused}");
    assert!(refused.all().contains("commit message:3:20"), "the location is missing:\n{refused}");
    assert!(refused.all().contains("Nothing was committed"), "no advice for a message:\n{refused}");
    assert!(!refused.all().contains(&secret(seed)), "the secret was printed in full:\n{refused}");
    assert_eq!(repo.head(), before, "HEAD moved although the message was refused:\n{refused}");

    let clean = git(&["commit", "-m", "Rotate the Zoom client secret (see the vault)"]);
    assert_eq!(clean.code, 0, "a clean message should pass:\n{clean}");
    assert_ne!(repo.head(), before, "the clean commit did not land:\n{clean}");
    refused
}

/// Adds a bare `origin` and pushes the current `main` to it, hooks and all.
fn add_remote(repo: &TestRepo) -> PathBuf {
    let remote = repo.init_bare("remote.git");
    repo.git_ok(["remote".as_ref(), "add".as_ref(), "origin".as_ref(), remote.as_os_str()]);
    remote
}

/// A commit holding a secret (made with `--no-verify`) is refused by a real `git push`, on
/// `main` and on a new branch; once it is gone, a clean push passes.
fn assert_secret_push_refused(repo: &TestRepo, remote: &Path, seed: u64) {
    let run = repo.git(["push", "origin", "main"]);
    assert_eq!(run.code, 0, "the first, clean push should pass:\n{run}");
    let pushed = repo.rev_in(remote, "refs/heads/main");
    assert_eq!(pushed, repo.head(), "the clean push did not land:\n{run}");

    repo.stage("leak.env", filler(2) + &secret_line(seed));
    repo.commit_unchecked("leak pushed past the commit hook");
    for args in [["push", "origin", "main"], ["push", "origin", "main:refs/heads/topic"]] {
        let run = repo.git(args);
        assert_ne!(run.code, 0, "git {} should be refused:\n{run}", args.join(" "));
        assert!(run.all().contains(CLIENT_SECRET_RULE), "the rule id is missing:\n{run}");
        assert!(run.all().contains("leak.env:3:20"), "the location is missing:\n{run}");
        assert!(!run.all().contains(&secret(seed)), "the secret was printed in full:\n{run}");
    }
    assert_eq!(repo.rev_in(remote, "refs/heads/main"), pushed, "the remote's main moved");
    assert_eq!(repo.rev_in(remote, "refs/heads/topic"), None, "the refused branch was created");

    repo.git_ok(["reset", "-q", "--hard", "HEAD~1"]);
    repo.stage("more.env", filler(4));
    repo.commit_unchecked("clean work");
    let run = repo.git(["push", "origin", "main"]);
    assert_eq!(run.code, 0, "a clean push should pass:\n{run}");
    assert_eq!(repo.rev_in(remote, "refs/heads/main"), repo.head(), "the clean push did not land:\n{run}");
}

#[test]
fn global_install_covers_a_fresh_repository_and_uninstall_restores_it() {
    let repo = TestRepo::new();
    let dir = default_global_dir(&repo);
    let run = zoomguard_ok(&repo, &["install", "--global"]);
    assert!(run.stdout.contains("core.hooksPath"), "{run}");
    assert_eq!(global_hooks_path(&repo), Some(dir.display().to_string()));
    assert_eq!(repo.hooks_dir(), dir, "git does not use the global hooks directory");
    assert!(!repo.path.join(".git/hooks/pre-commit").exists(), "something was installed in the repository");

    assert_secret_commit_blocked(&repo, X);
    assert_clean_commit_passes(&repo, "settings.env");
    let remote = add_remote(&repo);
    assert_secret_push_refused(&repo, &remote, Y);

    let run = zoomguard_ok(&repo, &["uninstall", "--global"]);
    assert!(run.stdout.contains("removed core.hooksPath"), "{run}");
    assert_eq!(global_hooks_path(&repo), None, "the global core.hooksPath is still set");
    assert!(!dir.exists(), "the global hooks directory is still there");
    repo.stage(".env", secret_line(X));
    let before = repo.head();
    let run = repo.commit(&[]);
    repo.attempt_in(&repo.path, before.as_deref()).check(&run, &[], Expect::Pass);
}

#[test]
fn global_shims_run_the_repositorys_own_hooks_and_their_failure_blocks() {
    let repo = TestRepo::new();
    let own = repo.path.join(".git").join("hooks");
    logging_hook(&repo, &own.join("pre-commit"), "own pre-commit");
    logging_hook(&repo, &own.join("pre-push"), "own pre-push");
    zoomguard_ok(&repo, &["install", "--global"]);

    assert_clean_commit_passes(&repo, "settings.env");
    assert!(hook_log(&repo).contains("own pre-commit ran"), "the repository's hook did not run");
    assert_secret_commit_blocked(&repo, X);

    fs::write(repo.root().join("hook.fail"), "").expect("make the own hooks fail");
    let before = repo.head();
    repo.stage("more.env", filler(2));
    let run = repo.commit(&[]);
    assert_ne!(run.code, 0, "the repository's failing hook should block the commit:\n{run}");
    assert_eq!(repo.head(), before, "HEAD moved although the repository's hook failed");
    fs::remove_file(repo.root().join("hook.fail")).expect("make the own hooks pass");
    repo.commit_unchecked("more settings");

    // The repository's pre-push hook gets git's arguments and standard input.
    let remote = add_remote(&repo);
    assert_secret_push_refused(&repo, &remote, Y);
    let log = hook_log(&repo);
    let expected = format!("own pre-push ran with: origin {}", remote.display());
    assert!(log.contains(&expected), "the arguments did not reach the repository's pre-push hook:\n{log}");
    let head = repo.head().expect("a commit");
    let line = format!("refs/heads/main {head} refs/heads/main ");
    assert!(log.contains(&line), "git's ref lines did not reach the repository's pre-push hook:\n{log}");

    fs::write(repo.root().join("hook.fail"), "").expect("make the own hooks fail");
    repo.stage("later.env", filler(5));
    repo.commit_unchecked("later settings");
    let run = repo.git(["push", "origin", "main"]);
    assert_ne!(run.code, 0, "the repository's failing pre-push hook should block the push:\n{run}");
    assert_eq!(repo.rev_in(&remote, "refs/heads/main"), Some(head), "the remote moved");
}

#[test]
fn global_install_joins_an_existing_global_hooks_path_and_chains_its_hook() {
    let repo = TestRepo::new();
    let theirs = repo.root().join("team-hooks");
    logging_hook(&repo, &theirs.join("pre-commit"), "team pre-commit");
    repo.git_ok(["config".as_ref(), "--global".as_ref(), "core.hooksPath".as_ref(), theirs.as_os_str()]);

    let run = zoomguard_ok(&repo, &["install", "--global"]);
    assert!(run.stdout.contains("still runs first"), "{run}");
    assert!(
        !default_global_dir(&repo).exists(),
        "the default directory was made although one was configured"
    );
    assert!(theirs.join("pre-commit.pre-zoomguard").exists(), "the team's hook was not kept aside");
    assert_secret_commit_blocked(&repo, X);
    assert!(hook_log(&repo).contains("team pre-commit ran"), "the chained hook did not run");

    let run = zoomguard_ok(&repo, &["uninstall", "--global"]);
    assert!(run.stdout.contains("it was not zoomguard's directory"), "{run}");
    assert_eq!(
        global_hooks_path(&repo),
        Some(theirs.display().to_string()),
        "the user's setting was changed"
    );
    let restored = fs::read_to_string(theirs.join("pre-commit")).expect("the team's hook is back");
    assert!(restored.contains("team pre-commit"), "{restored}");
    let mut names: Vec<_> = fs::read_dir(&theirs)
        .expect("read the team's hooks")
        .map(|e| e.expect("an entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["pre-commit"], "zoomguard left files behind");
}

#[test]
fn global_shim_hands_over_to_a_repositorys_own_zoomguard_shim_without_scanning_twice() {
    let repo = TestRepo::new();
    let own = repo.path.join(".git").join("hooks");
    logging_hook(&repo, &own.join("pre-commit"), "own pre-commit");
    zoomguard_ok(&repo, &["install"]);
    assert!(own.join("pre-commit.pre-zoomguard").exists(), "setup: the own hook was not chained");
    zoomguard_ok(&repo, &["install", "--global"]);

    repo.stage(".env", secret_line(X));
    let run = repo.commit(&[]);
    assert_ne!(run.code, 0, "the commit should be blocked:\n{run}");
    assert_eq!(run.stderr.matches("zoomguard: blocked").count(), 1, "scanned more than once:\n{run}");
    assert_eq!(
        hook_log(&repo).matches("own pre-commit ran").count(),
        1,
        "the chained hook ran {}",
        hook_log(&repo)
    );
}

#[test]
fn global_pre_push_shim_without_a_repository_hook_reads_the_refs_itself() {
    // Run directly, as git would: the shim passes standard input on to zoomguard.
    let repo = TestRepo::new();
    zoomguard_ok(&repo, &["install", "--global"]);
    repo.stage("settings.env", filler(3));
    repo.commit_unchecked("initial settings");
    repo.stage(".env", secret_line(X));
    repo.commit_unchecked("leak");
    let head = repo.head().expect("a commit");
    let mut cmd = repo.command(default_global_dir(&repo).join("pre-push"));
    cmd.args(["origin", "/nowhere"]);
    let input = format!("refs/heads/main {head} refs/heads/main {}\n", "0".repeat(40));
    let run = run_with_input(cmd, input.as_bytes());
    assert_eq!(run.code, 1, "the shim should report the secret:\n{run}");
    assert!(run.stderr.contains(".env:1:20"), "{run}");
}

// ---- the pre-commit framework ----

/// This source repository's HEAD commit: what the framework builds the hooks from.
fn source_head() -> String {
    let output = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("git starts");
    assert!(output.status.success(), "the source directory is not a git repository with a commit");
    String::from_utf8(output.stdout).expect("a commit id is ASCII").trim().to_owned()
}

/// Runs git with `args` in `repo` so that the framework's hooks it triggers find their cache
/// and cargo (see [`framework_command`]).
fn framework_git(repo: &TestRepo, args: &[&str]) -> Run {
    let mut cmd = framework_command(repo, "git");
    cmd.args(args);
    TestRepo::run(cmd)
}

/// A command for the framework: its cache shared by every test run (so the hooks are built
/// once per source commit), the cargo build directory kept (so a rebuild is incremental),
/// and the tester's Rust toolchain although `HOME` is the temporary one.
fn framework_command(repo: &TestRepo, program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut cmd = repo.command(program);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("PRE_COMMIT") {
            cmd.env_remove(&key);
        }
    }
    // The framework's `cargo install` ignores Cargo.lock: at least keep it to dependency
    // versions that declare support for our rust-version, so a new release needing a newer
    // compiler does not break the test.
    cmd.env("PRE_COMMIT_HOME", tools::dir().join("pre-commit-home"))
        .env("CARGO_TARGET_DIR", tools::dir().join("cargo-target"))
        .env("CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS", "fallback");
    let real_home = std::env::var_os("HOME").map(PathBuf::from);
    for (var, default) in [("CARGO_HOME", ".cargo"), ("RUSTUP_HOME", ".rustup")] {
        if std::env::var_os(var).is_none() {
            if let Some(home) = &real_home {
                cmd.env(var, home.join(default));
            }
        }
    }
    cmd
}

/// Writes `.pre-commit-config.yaml` with this repository as the hook source and `hooks`, and
/// runs `pre-commit install` with `hook_types`.
fn install_framework_with(repo: &TestRepo, hooks: &str, hook_types: &[&str]) {
    let config =
        format!("repos:\n  - repo: {}\n    rev: {}\n{hooks}", env!("CARGO_MANIFEST_DIR"), source_head());
    repo.write(".pre-commit-config.yaml", &config);
    let mut install = framework_command(repo, tools::python_bin().join("pre-commit"));
    install.arg("install");
    for hook_type in hook_types {
        install.args(["--hook-type", hook_type]);
    }
    let run = TestRepo::run(install);
    assert_eq!(run.code, 0, "pre-commit install failed:\n{run}");
}

/// The framework with the commit and push hooks, installed for both stages.
fn install_framework(repo: &TestRepo) {
    install_framework_with(repo, PRE_COMMIT_HOOKS, &["pre-commit", "pre-push"]);
}

/// The README's whole configuration, the optional commit-msg hook included, installed with
/// the README's command: a real `git commit -m` with a secret in the message is refused by the
/// framework's commit-msg stage, and a clean message passes.
#[test]
fn pre_commit_framework_refuses_a_secret_in_a_commit_message() {
    let repo = TestRepo::new();
    let hook_types: Vec<&str> = PRE_COMMIT_INSTALL.split(" --hook-type ").skip(1).collect();
    install_framework_with(&repo, &format!("{PRE_COMMIT_HOOKS}{PRE_COMMIT_MSG_HOOK}"), &hook_types);
    assert!(repo.hooks_dir().join("commit-msg").exists(), "the framework installed no commit-msg hook");
    let git = |args: &[&str]| framework_git(&repo, args);
    repo.add(&[".pre-commit-config.yaml"]);
    let run = git(&["commit", "-m", "use the pre-commit framework"]);
    assert_eq!(run.code, 0, "a clean commit should pass (building the hook may take minutes):\n{run}");
    assert!(run.all().contains("zoomguard (Zoom API credentials, commit messages)"), "{run}");

    let refused = assert_secret_message_refused(&repo, Z, &git);
    assert!(refused.all().contains("- hook id: zoomguard-commit-msg"), "{refused}");
}

#[test]
fn pre_commit_framework_refuses_secret_commits_and_pushes() {
    let repo = TestRepo::new();
    install_framework(&repo);

    // Every git command now runs the framework's hooks, which must find its cache and cargo.
    let framework = |args: &[&str]| framework_git(&repo, args);
    repo.add(&[".pre-commit-config.yaml"]);
    let run = framework(&["commit", "-m", "use the pre-commit framework"]);
    assert_eq!(run.code, 0, "a clean commit should pass (building the hook may take minutes):\n{run}");
    assert!(
        run.all().contains("zoomguard (Zoom API credentials)"),
        "the framework did not run the hook:\n{run}"
    );

    let value = secret(X);
    repo.stage(".env", secret_line(X));
    let before = repo.head();
    let run = framework(&["commit", "-m", "leak"]);
    repo.attempt_in(&repo.path, before.as_deref()).check(
        &run,
        &[&value],
        Expect::Block { rule: CLIENT_SECRET_RULE, at: ".env:1:20", secret: &value },
    );
    assert!(run.all().contains("- hook id: zoomguard"), "the framework did not report the hook:\n{run}");
    repo.git_ok(["rm", "-q", "--cached", ".env"]);

    let remote = add_remote(&repo);
    let run = framework(&["push", "origin", "main"]);
    assert_eq!(run.code, 0, "a clean push should pass:\n{run}");
    assert!(run.all().contains("zoomguard (Zoom API credentials, pushed commits)"), "{run}");
    let pushed = repo.rev_in(&remote, "refs/heads/main");
    assert_eq!(pushed, repo.head(), "the clean push did not land:\n{run}");

    repo.stage("leak.env", filler(2) + &secret_line(Y));
    repo.commit_unchecked("leak pushed past the commit hook");
    for target in ["main", "main:refs/heads/topic"] {
        let run = framework(&["push", "origin", target]);
        assert_ne!(run.code, 0, "pushing {target} should be refused:\n{run}");
        assert!(run.all().contains("- hook id: zoomguard-push"), "{run}");
        assert!(run.all().contains("leak.env:3:20"), "the location is missing:\n{run}");
        assert!(!run.all().contains(&secret(Y)), "the secret was printed in full:\n{run}");
    }
    assert_eq!(repo.rev_in(&remote, "refs/heads/main"), pushed, "the remote's main moved");
    assert_eq!(repo.rev_in(&remote, "refs/heads/topic"), None, "the refused branch was created");

    repo.git_ok(["reset", "-q", "--hard", "HEAD~1"]);
    repo.stage("more.env", filler(4));
    repo.commit_unchecked("clean work");
    let run = framework(&["push", "origin", "main"]);
    assert_eq!(run.code, 0, "a clean push should pass:\n{run}");
    assert_eq!(repo.rev_in(&remote, "refs/heads/main"), repo.head(), "the clean push did not land:\n{run}");
}

#[test]
fn global_install_runs_the_pre_commit_frameworks_hooks_of_a_repository() {
    // What the README advises: `pre-commit install` first (it refuses while any
    // core.hooksPath is set), then `zoomguard install --global`.
    let repo = TestRepo::new();
    install_framework(&repo);
    zoomguard_ok(&repo, &["install", "--global"]);
    let commit = |args: &[&str]| {
        let mut cmd = framework_command(&repo, "git");
        cmd.args(["commit", "-m", "test"]).args(args);
        TestRepo::run(cmd)
    };
    repo.add(&[".pre-commit-config.yaml"]);
    let run = commit(&[]);
    assert_eq!(run.code, 0, "a clean commit should pass:\n{run}");
    assert!(
        run.all().contains("zoomguard (Zoom API credentials)"),
        "the framework's hook did not run:\n{run}"
    );

    let value = secret(X);
    repo.stage(".env", secret_line(X));
    let before = repo.head();
    let run = commit(&[]);
    repo.attempt_in(&repo.path, before.as_deref()).check(
        &run,
        &[&value],
        Expect::Block { rule: CLIENT_SECRET_RULE, at: ".env:1:20", secret: &value },
    );
    assert!(run.all().contains("- hook id: zoomguard"), "the framework did not report the hook:\n{run}");
    assert_eq!(run.stderr.matches("zoomguard: blocked").count(), 1, "reported more than once:\n{run}");
}

// ---- sarif-tools ----

#[test]
fn sarif_tools_reads_the_sarif_log_of_a_scan_with_findings() {
    let sarif = tools::python_bin().join("sarif");
    let repo = TestRepo::new();
    repo.commit_files_unchecked(&[("settings.env", &filler(3))]);
    repo.commit_files_unchecked(&[("config/.env", &(filler(1) + &secret_line(X)))]);
    let log = repo.root().join("x.sarif");
    let log_arg = log.to_string_lossy().into_owned();
    let run = repo.zoomguard(["scan", "--range", "HEAD~1..HEAD", "--format", "sarif", "--output", &log_arg]);
    assert_eq!(run.code, 1, "the scan should find the secret:\n{run}");

    let mut summary = repo.command(&sarif);
    summary.args(["summary", &log_arg]);
    let run = TestRepo::run(summary);
    assert_eq!(run.code, 0, "sarif summary failed:\n{run}");
    assert!(run.stdout.contains("error: 1"), "sarif-tools did not count one error:\n{run}");
    assert!(run.stdout.contains(CLIENT_SECRET_RULE), "sarif-tools did not name the rule:\n{run}");
    assert!(!run.all().contains(&secret(X)), "the secret is in the SARIF log:\n{run}");

    // Its CSV export reads each result's location.
    let csv = repo.root().join("x.csv");
    let mut export = repo.command(&sarif);
    export.arg("csv").arg("--output").arg(&csv).arg(&log);
    let run = TestRepo::run(export);
    assert_eq!(run.code, 0, "sarif csv failed:\n{run}");
    let rows = fs::read_to_string(&csv).expect("sarif csv wrote its file");
    let row = rows.lines().nth(1).expect("a row for the finding");
    assert!(row.starts_with("zoomguard,error,zoom-client-secret,"), "{rows}");
    assert!(row.ends_with(",config/.env,2"), "the location did not survive:\n{rows}");
}

// ---- husky and lefthook ----

#[test]
fn husky_configuration_from_the_readme_refuses_secret_commits_messages_and_pushes() {
    let bin = tools::node_bin();
    let repo = TestRepo::new();
    let run = TestRepo::run(repo.command(bin.join("husky")));
    assert_eq!(run.code, 0, "husky failed to install:\n{run}");
    assert_eq!(repo.hooks_dir(), repo.path.join(".husky").join("_"), "husky did not set core.hooksPath");
    repo.write(".husky/pre-commit", HUSKY_PRE_COMMIT);
    repo.write(".husky/pre-push", HUSKY_PRE_PUSH);
    repo.write(".husky/commit-msg", HUSKY_COMMIT_MSG);
    repo.add(&[".husky/pre-commit", ".husky/pre-push", ".husky/commit-msg"]);
    repo.commit_unchecked("husky hooks");

    assert_clean_commit_passes(&repo, "settings.env");
    assert_secret_commit_blocked(&repo, X);
    assert_secret_message_refused(&repo, Z, &|args| repo.git(args));
    let remote = add_remote(&repo);
    assert_secret_push_refused(&repo, &remote, Y);
}

#[test]
fn lefthook_configuration_from_the_readme_refuses_secret_commits_messages_and_pushes() {
    let bin = tools::node_bin();
    let repo = TestRepo::new();
    repo.write("lefthook.yml", LEFTHOOK_YML);
    // lefthook colours its own frame even with NO_COLOR, and the shared checks want plain
    // text: a local override (not part of the README's configuration) shows only the output
    // of the commands.
    repo.write("lefthook-local.yml", "output:\n  - execution_out\n");
    let mut install = repo.command(bin.join("lefthook"));
    install.arg("install");
    let run = TestRepo::run(install);
    assert_eq!(run.code, 0, "lefthook install failed:\n{run}");
    repo.add(&["lefthook.yml"]);
    repo.commit_unchecked("lefthook configuration");

    assert_clean_commit_passes(&repo, "settings.env");
    assert_secret_commit_blocked(&repo, X);
    assert_secret_message_refused(&repo, Z, &|args| repo.git(args));
    let remote = add_remote(&repo);
    assert_secret_push_refused(&repo, &remote, Y);
}
