//! Helpers for the hook tests: a throw-away git repository with an isolated git
//! environment, and runs of real `git` and of the real built `zoomguard` binary.
//!
//! Every command gets `HOME` in the temporary directory, `GIT_CONFIG_NOSYSTEM=1`, an empty
//! `GIT_CONFIG_GLOBAL` and no inherited `GIT_*` variable, so neither the tester's git
//! configuration nor a surrounding hook run (`GIT_DIR`, `GIT_INDEX_FILE`) can leak in.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;
use zoomguard::synth::Synth;

/// The real built binary.
pub const ZOOMGUARD: &str = env!("CARGO_BIN_EXE_zoomguard");

/// The rule id of a client secret, the finding most tests make.
pub const CLIENT_SECRET_RULE: &str = "zoom-client-secret";

/// What a command did.
#[derive(Debug)]
pub struct Run {
    /// Exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output, lossy UTF-8.
    pub stdout: String,
    /// Standard error, lossy UTF-8.
    pub stderr: String,
}

impl Run {
    fn from_output(output: Output) -> Self {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Standard output and standard error together.
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {}\n--- stdout ---\n{}--- stderr ---\n{}", self.code, self.stdout, self.stderr)
    }
}

/// A client secret (32 letters and digits) made from `seed`: never a literal in the source.
pub fn secret(seed: u64) -> String {
    Synth::new(seed).alnum(32)
}

/// A `.env` line that makes a `zoom-client-secret` finding, newline included.
pub fn secret_line(seed: u64) -> String {
    format!("ZOOM_CLIENT_SECRET={}\n", secret(seed))
}

/// `lines` harmless configuration lines, so that renames and copies stay similar after an edit.
pub fn filler(lines: usize) -> String {
    (1..=lines).map(|i| format!("SETTING_{i}=value number {i} of the test configuration\n")).collect()
}

/// A temporary git repository (`<tmp>/repo`) with its own home and empty global config.
pub struct TestRepo {
    tmp: TempDir,
    /// The working tree.
    pub path: PathBuf,
    /// Arguments `git init` got (an object or ref format), given to bare repositories too.
    init_args: Vec<String>,
    /// A directory whose `git` runs ahead of `PATH`'s, for a format that one lacks.
    git_dir: Option<PathBuf>,
}

impl TestRepo {
    /// An initialised repository on an unborn `main` branch, without the hook.
    pub fn new() -> Self {
        Self::named("repo")
    }

    /// An initialised repository in `<tmp>/<name>`, without the hook.
    pub fn named(name: &str) -> Self {
        Self::formatted(name, &[], None)
    }

    /// An initialised repository in `<tmp>/<name>` made by `git init <init_args>` (say
    /// `--object-format=sha256`), run with the `git` of `git_dir` ahead of `PATH`'s one when
    /// given; bare repositories made by [`TestRepo::init_bare`] get the same format.
    pub fn formatted(name: &str, init_args: &[&str], git_dir: Option<&Path>) -> Self {
        let tmp = tempfile::Builder::new().prefix("zoomguard-it-").tempdir().expect("a temporary directory");
        fs::create_dir(tmp.path().join("home")).expect("create the temporary HOME");
        fs::write(tmp.path().join("gitconfig"), "").expect("create the empty global git config");
        let path = tmp.path().join(name);
        fs::create_dir(&path).expect("create the repository directory");
        let init_args = init_args.iter().map(|arg| (*arg).to_owned()).collect();
        let repo = TestRepo { tmp, path, init_args, git_dir: git_dir.map(Path::to_path_buf) };
        let mut init = vec!["-c", "init.defaultBranch=main", "init", "-q"];
        init.extend(repo.init_args.iter().map(String::as_str));
        repo.git_ok(init);
        repo.git_ok(["config", "user.name", "Zoomguard Test"]);
        repo.git_ok(["config", "user.email", "test@zoomguard.invalid"]);
        repo.git_ok(["config", "commit.gpgsign", "false"]);
        repo
    }

    /// A repository with the zoomguard pre-commit hook installed.
    pub fn with_hook() -> Self {
        let repo = Self::new();
        repo.install();
        repo
    }

    /// The temporary directory that holds the repository, its home and its config.
    pub fn root(&self) -> &Path {
        self.tmp.path()
    }

    /// A command with the isolated environment, run in `dir`.
    pub fn command_in(&self, program: impl AsRef<OsStr>, dir: &Path) -> Command {
        let mut cmd = Command::new(program);
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("GIT_") {
                cmd.env_remove(&key);
            }
        }
        let bin_dir = Path::new(ZOOMGUARD).parent().expect("the binary lives in a directory");
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut dirs = vec![bin_dir.to_path_buf()];
        dirs.extend(self.git_dir.clone());
        dirs.extend(std::env::split_paths(&path));
        cmd.current_dir(dir)
            .env("PATH", std::env::join_paths(dirs).expect("PATH entries join"))
            .env("ZOOMGUARD", ZOOMGUARD) // what the installed shim runs, whatever the tester's env says
            .env("HOME", self.root().join("home"))
            .env("XDG_CONFIG_HOME", self.root().join("home"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.root().join("gitconfig"))
            .env("GIT_CEILING_DIRECTORIES", self.root())
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_EDITOR", "true")
            .env("NO_COLOR", "1")
            .env_remove("CLICOLOR_FORCE");
        cmd
    }

    /// A command with the isolated environment, run in the working tree.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        self.command_in(program, &self.path)
    }

    /// Runs a command and collects what it did.
    pub fn run(mut cmd: Command) -> Run {
        Run::from_output(cmd.output().expect("the command starts"))
    }

    /// Runs `git` in `dir`.
    pub fn git_in<I, S>(&self, dir: &Path, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = self.command_in("git", dir);
        cmd.args(args);
        Self::run(cmd)
    }

    /// Runs `git` in the working tree and returns its stdout; panics when it fails.
    pub fn git_ok<I, S>(&self, args: I) -> String
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.git_ok_in(&self.path, args)
    }

    /// Runs `git` in `dir` and returns its stdout; panics when it fails.
    pub fn git_ok_in<I, S>(&self, dir: &Path, args: I) -> String
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<S> = args.into_iter().collect();
        let shown: Vec<_> = args.iter().map(|a| a.as_ref().to_string_lossy()).collect();
        let run = self.git_in(dir, &args);
        assert_eq!(run.code, 0, "git {} failed in {}:\n{run}", shown.join(" "), dir.display());
        run.stdout
    }

    /// Runs the real `zoomguard` binary in the working tree.
    pub fn zoomguard<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = self.command(ZOOMGUARD);
        cmd.args(args);
        Self::run(cmd)
    }

    /// `zoomguard install` (pre-commit, this repository); panics when it fails.
    pub fn install(&self) {
        let run = self.zoomguard(["install"]);
        assert_eq!(run.code, 0, "zoomguard install failed:\n{run}");
    }

    /// Writes `contents` to `rel` in the working tree, creating directories.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let file = self.path.join(rel);
        if let Some(dir) = file.parent() {
            fs::create_dir_all(dir).expect("create the file's directory");
        }
        fs::write(file, contents).expect("write a file in the working tree");
    }

    /// Appends `contents` to `rel` in the working tree.
    pub fn append(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let mut bytes = fs::read(self.path.join(rel)).expect("read a file of the working tree");
        bytes.extend_from_slice(contents.as_ref());
        self.write(rel, bytes);
    }

    /// `git add -- <paths>`.
    pub fn add(&self, paths: &[&str]) {
        let mut args = vec!["add", "--"];
        args.extend_from_slice(paths);
        self.git_ok(args);
    }

    /// Writes and stages one file.
    pub fn stage(&self, rel: &str, contents: impl AsRef<[u8]>) {
        self.write(rel, contents);
        self.add(&[rel]);
    }

    /// Commits what is staged without running hooks (to set up history that holds secrets).
    pub fn commit_unchecked(&self, message: &str) {
        self.git_ok(["commit", "-q", "--no-verify", "-m", message]);
    }

    /// Commits the new file `rel` holding `contents`, hooks skipped; returns the commit's sha.
    pub fn commit_file_unchecked(&self, rel: &str, contents: &str, subject: &str) -> String {
        self.stage(rel, contents);
        self.commit_unchecked(subject);
        self.head().expect("the commit landed")
    }

    /// Commits a new file `rel` whose third line is the client secret made from `seed`,
    /// hooks skipped; returns the commit's sha.
    pub fn commit_secret_unchecked(&self, rel: &str, seed: u64, subject: &str) -> String {
        self.commit_file_unchecked(rel, &(filler(2) + &secret_line(seed)), subject)
    }

    /// Writes, stages and commits files without running hooks.
    pub fn commit_files_unchecked(&self, files: &[(&str, &str)]) {
        for (rel, contents) in files {
            self.stage(rel, contents);
        }
        self.commit_unchecked("setup");
    }

    /// Runs the real `git commit -m test <args>` in the working tree, hooks and all.
    pub fn commit(&self, args: &[&str]) -> Run {
        self.commit_in(&self.path, args)
    }

    /// Runs the real `git commit -m test <args>` in `dir` (a linked worktree, say).
    pub fn commit_in(&self, dir: &Path, args: &[&str]) -> Run {
        let mut all = vec!["commit", "-m", "test"];
        all.extend_from_slice(args);
        self.git_in(dir, all)
    }

    /// The commit HEAD names, or `None` on an unborn branch.
    pub fn head(&self) -> Option<String> {
        self.head_in(&self.path)
    }

    /// The commit HEAD names in `dir`, or `None` on an unborn branch.
    pub fn head_in(&self, dir: &Path) -> Option<String> {
        let run = self.git_in(dir, ["rev-parse", "--verify", "-q", "HEAD"]);
        (run.code == 0).then(|| run.stdout.trim().to_owned())
    }

    /// The hooks directory git uses (honours `core.hooksPath`).
    pub fn hooks_dir(&self) -> PathBuf {
        let out = self.git_ok(["rev-parse", "--path-format=absolute", "--git-path", "hooks"]);
        PathBuf::from(out.trim())
    }

    /// The names of the files in the hooks directory, sample hooks left out, sorted.
    pub fn hook_files(&self) -> Vec<String> {
        let Ok(entries) = fs::read_dir(self.hooks_dir()) else { return Vec::new() };
        let mut names: Vec<String> = entries
            .map(|e| e.expect("read a hooks directory entry").file_name().to_string_lossy().into_owned())
            .filter(|name| !name.ends_with(".sample"))
            .collect();
        names.sort();
        names
    }

    /// Replaces the temporary directory's path in `text` with `[TMP]`, for snapshots.
    pub fn redact_paths(&self, text: &str) -> String {
        let root = self.root().to_string_lossy().into_owned();
        let canonical = fs::canonicalize(self.root()).map(|p| p.to_string_lossy().into_owned());
        let text = canonical.map_or_else(|_| text.to_owned(), |c| text.replace(&c, "[TMP]"));
        text.replace(&root, "[TMP]")
    }
}

/// What a commit is expected to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect<'a> {
    /// The hook lets it through: exit 0, a new HEAD, no finding named.
    Pass,
    /// The hook stops it: git fails, HEAD is unchanged, the report names `rule`, the
    /// location `at` (`path:line:` or `path:line:column`) and shows `secret` redacted only.
    Block {
        /// The id of the rule that must find it.
        rule: &'a str,
        /// The expected location prefix.
        at: &'a str,
        /// The secret whose redacted form (first 4 characters and `…`) must be shown.
        secret: &'a str,
    },
}

/// No secret made from `seeds` appears in full anywhere in the output.
pub fn assert_never_printed(run: &Run, seeds: &[u64]) {
    for &seed in seeds {
        assert!(!run.all().contains(&secret(seed)), "secret {seed} was printed in full:\n{run}");
    }
}

/// The redacted form of a secret the report shows: its first four characters and `…`.
pub fn redacted(secret: &str) -> String {
    format!("{}\u{2026}", &secret[..4])
}

/// A commit about to be tried: where, and what HEAD was before it.
pub struct Attempt<'a> {
    repo: &'a TestRepo,
    dir: &'a Path,
    before: Option<&'a str>,
}

impl TestRepo {
    /// A commit about to be tried in `dir` (the repository or one of its worktrees), HEAD
    /// being `before`.
    pub fn attempt_in<'a>(&'a self, dir: &'a Path, before: Option<&'a str>) -> Attempt<'a> {
        Attempt { repo: self, dir, before }
    }
}

impl Attempt<'_> {
    /// Checks what the commit `run` did against `expect`; `secrets` are every full value
    /// that must never be printed, whatever the outcome.
    pub fn check(&self, run: &Run, secrets: &[&str], expect: Expect<'_>) {
        let Attempt { repo, dir, before } = *self;
        let after = repo.head_in(dir);
        let out = run.all();
        match expect {
            Expect::Pass => {
                assert_eq!(run.code, 0, "the commit should pass:\n{run}");
                assert!(after.is_some() && after.as_deref() != before, "no new commit landed:\n{run}");
                assert!(!out.contains("zoom-"), "a finding was reported on a passing commit:\n{run}");
            }
            Expect::Block { rule, at, secret } => {
                assert_ne!(run.code, 0, "the commit should be blocked:\n{run}");
                assert_eq!(after.as_deref(), before, "HEAD moved although the commit was blocked:\n{run}");
                assert!(out.contains(rule), "the rule id {rule} is missing:\n{run}");
                assert!(out.contains(at), "the location {at} is missing:\n{run}");
                assert!(out.contains(&redacted(secret)), "the redacted value is missing:\n{run}");
                let length = format!("({} chars)", secret.chars().count());
                assert!(out.contains(&length), "the secret's length {length} is missing:\n{run}");
                assert!(
                    !out.contains('\u{1b}'),
                    "colour codes although NO_COLOR is set and stderr is a pipe:\n{run}"
                );
            }
        }
        for full in secrets {
            assert!(!out.contains(full), "a secret was printed in full:\n{run}");
        }
    }
}

/// Runs a command with `input` on its standard input and collects what it did.
pub fn run_with_input(mut cmd: Command, input: &[u8]) -> Run {
    use std::io::Write;
    use std::process::Stdio;

    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("the command starts");
    let mut stdin = child.stdin.take().expect("standard input was piped");
    match stdin.write_all(input) {
        // A program may exit before it reads everything; what it did is still in the output.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.expect("write the command's standard input"),
    }
    drop(stdin);
    Run::from_output(child.wait_with_output().expect("the command finishes"))
}

/// Makes `server`'s `hooks/pre-receive` run the real binary.
pub fn install_pre_receive(server: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let hook = server.join("hooks").join("pre-receive");
    fs::write(&hook, format!("#!/bin/sh\nexec \"{ZOOMGUARD}\" pre-receive\n"))
        .expect("write the pre-receive hook");
    fs::set_permissions(&hook, fs::Permissions::from_mode(0o755))
        .expect("make the pre-receive hook executable");
}

/// Helpers for the push tests: bare repositories standing in for remotes and servers.
impl TestRepo {
    /// Creates a bare repository `<tmp>/<name>` (on `main`) and returns its path.
    pub fn init_bare(&self, name: &str) -> PathBuf {
        let path = self.root().join(name);
        let target = path.to_string_lossy().into_owned();
        let mut init = vec!["-c", "init.defaultBranch=main", "init", "-q", "--bare"];
        init.extend(self.init_args.iter().map(String::as_str));
        init.push(&target);
        self.git_ok_in(self.root(), init);
        path
    }

    /// The commit or object that `rev` names in the repository at `dir`, or `None` when it does not exist.
    pub fn rev_in(&self, dir: &Path, rev: &str) -> Option<String> {
        let run = self.git_in(dir, ["rev-parse", "--verify", "-q", rev]);
        (run.code == 0).then(|| run.stdout.trim().to_owned())
    }

    /// Runs `git <args>` in the working tree and collects what it did, whatever the exit code.
    pub fn git<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.git_in(&self.path, args)
    }
}
