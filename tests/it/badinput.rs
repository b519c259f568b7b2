//! Hostile and broken input (issue 6): each case is a real temporary repository with the
//! real hook installed and a real `git commit` (or `git push`), asserting the exit code and
//! what was or was not reported. The hook must never panic, never print a secret in full or
//! a terminal escape read from the repository, and never let a commit through on an error.
//!
//! Secrets come from `zoomguard::synth` (see `support::secret`): `OLD` is already in
//! history, `NEW` is what the commit under test adds.

#[cfg(unix)]
use std::ffi::OsStr;
use std::fs;
use std::path::Path;

use crate::support::{
    filler, redacted, run_with_input, secret, secret_line, Expect, Run, TestRepo, CLIENT_SECRET_RULE,
    ZOOMGUARD,
};
use zoomguard::synth::Synth;

/// Seed of a secret that is already in history.
const OLD: u64 = 61;
/// Seed of the secret the commit under test adds.
const NEW: u64 = 62;

/// A bidirectional override (RIGHT-TO-LEFT OVERRIDE), as a crafted file name would carry it.
#[cfg(unix)]
const RLO: char = '\u{202E}';

/// Commits with the hook and checks the outcome against `expect` (secrets `OLD` and `NEW`
/// must never be printed in full, whatever happens).
fn commit_expecting(repo: &TestRepo, args: &[&str], expect: Expect<'_>) -> Run {
    let before = repo.head();
    let run = repo.commit(args);
    repo.attempt_in(&repo.path, before.as_deref()).check(&run, &[&secret(OLD), &secret(NEW)], expect);
    run
}

/// The expectation that the `NEW` secret (`new`) is reported at `at` and the commit refused.
fn blocked<'a>(at: &'a str, new: &'a str) -> Expect<'a> {
    Expect::Block { rule: CLIENT_SECRET_RULE, at, secret: new }
}

/// `ZOOM_CLIENT_SECRET=` is 19 bytes: a secret at the start of a line is at column 20.
const SECRET_COLUMN: usize = "ZOOM_CLIENT_SECRET=".len() + 1;

// ---- file contents ----

#[test]
fn binary_blob_with_nul_bytes_is_skipped_and_counted() {
    let repo = TestRepo::with_hook();
    let mut bytes = b"\x7fELF\x02\x01\x01\x00\x00\x00".to_vec();
    bytes.extend_from_slice(secret_line(NEW).as_bytes());
    bytes.extend(Synth::new(7).bytes(4096));
    repo.stage("tool.bin", bytes);
    let verbose = repo.zoomguard(["pre-commit", "-v"]);
    assert_eq!(verbose.code, 0, "a binary file is skipped, not an error:\n{verbose}");
    assert!(verbose.stderr.contains("1 binary file skipped"), "the skip was not counted:\n{verbose}");
    commit_expecting(&repo, &[], Expect::Pass);
}

#[test]
fn binary_blob_without_nul_bytes_is_scanned_as_text() {
    let repo = TestRepo::with_hook();
    // High bytes, control bytes and newlines, but no NUL: git and zoomguard call it text.
    let noise: Vec<u8> = Synth::new(8).bytes(8192).into_iter().map(|b| b.max(1)).collect();
    repo.stage("noise.dat", &noise);
    commit_expecting(&repo, &[], Expect::Pass);

    let mut bytes = noise.clone();
    bytes.push(b'\n');
    let line = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
    bytes.extend_from_slice(secret_line(NEW).as_bytes());
    bytes.extend_from_slice(&noise);
    repo.stage("noise.dat", bytes);
    let new = secret(NEW);
    commit_expecting(&repo, &[], blocked(&format!("noise.dat:{line}:{SECRET_COLUMN}"), &new));
}

#[test]
fn invalid_utf8_around_a_secret_on_a_valid_line_is_blocked() {
    let repo = TestRepo::with_hook();
    let mut bytes = b"# \xc3\x28 \xa0\xa1 \xf0\x28\x8c\xbc \xed\xa0\x80 overlong \xc0\xaf\n".to_vec();
    bytes.extend_from_slice(secret_line(NEW).as_bytes());
    bytes.extend_from_slice(b"# truncated at the end of a line \xe2\x82\n\xff\xfe\xfd\n");
    repo.stage("broken.env", bytes);
    let new = secret(NEW);
    commit_expecting(&repo, &[], blocked(&format!("broken.env:2:{SECRET_COLUMN}"), &new));
}

/// `text` as UTF-16 with a byte-order mark, little- or big-endian.
fn utf16(text: &str, little_endian: bool) -> Vec<u8> {
    let (bom, units): (_, Vec<u8>) = if little_endian {
        ([0xFF, 0xFE], text.encode_utf16().flat_map(u16::to_le_bytes).collect())
    } else {
        ([0xFE, 0xFF], text.encode_utf16().flat_map(u16::to_be_bytes).collect())
    };
    [&bom[..], &units].concat()
}

/// Regression: UTF-16 has NUL bytes, so it was skipped as binary and its secret went through.
#[test]
fn utf16_with_a_byte_order_mark_is_scanned_as_text() {
    let new = secret(NEW);
    for little_endian in [true, false] {
        let repo = TestRepo::with_hook();
        let text =
            format!("# zoom app (saved by a Windows editor)\r\n{}", secret_line(NEW).replace('\n', "\r\n"));
        repo.stage("settings.env", utf16(&text, little_endian));
        commit_expecting(&repo, &[], blocked(&format!("settings.env:2:{SECRET_COLUMN}"), &new));
    }
}

#[test]
fn utf16_edit_reports_only_the_lines_it_adds() {
    let repo = TestRepo::with_hook();
    let old_text = filler(3) + &secret_line(OLD);
    repo.stage("settings.env", utf16(&old_text, true));
    repo.commit_unchecked("a UTF-16 file whose secret is already in history");

    // Editing another line passes: the old secret is not reported again.
    let edited = old_text.replace("value number 2 ", "value number two ") + "DEBUG=1\n";
    repo.stage("settings.env", utf16(&edited, true));
    let run = commit_expecting(&repo, &[], Expect::Pass);
    assert!(!run.all().contains(&redacted(&secret(OLD))), "the old secret was reported:\n{run}");

    // Adding a secret is blocked at its line, and only that line is reported.
    repo.stage("settings.env", utf16(&(edited + &secret_line(NEW)), true));
    let new = secret(NEW);
    let run = commit_expecting(&repo, &[], blocked(&format!("settings.env:6:{SECRET_COLUMN}"), &new));
    assert!(!run.all().contains("settings.env:4:"), "the old secret was reported:\n{run}");
}

#[test]
fn utf16_secret_in_a_pushed_commit_is_refused() {
    let repo = TestRepo::new();
    let remote = repo.init_bare("remote.git");
    repo.commit_files_unchecked(&[("README.md", "# hi\n")]);
    let base = repo.head().expect("the commit landed");
    repo.stage("settings.env", utf16(&(filler(1) + &secret_line(NEW)), true));
    repo.commit_unchecked("a UTF-16 settings file");
    let tip = repo.head().expect("the commit landed");
    let url = remote.display().to_string();
    for (remote_sha, what) in [("0".repeat(40), "a new branch"), (base, "an update")] {
        let run = pre_push(
            &repo,
            &repo.path,
            "origin",
            &url,
            &format!("refs/heads/main {tip} refs/heads/main {remote_sha}\n"),
        );
        assert_eq!(run.code, 1, "{what}: the UTF-16 secret was let through:\n{run}");
        assert!(run.stderr.contains(&format!("settings.env:2:{SECRET_COLUMN}")), "{what}:\n{run}");
        assert!(!run.all().contains(&secret(NEW)), "{what}: the secret was printed in full:\n{run}");
    }
}

#[test]
fn utf16_secret_is_found_by_scan_on_disk_and_in_a_range() {
    let repo = TestRepo::new();
    repo.commit_files_unchecked(&[("README.md", "# hi\n")]);
    repo.stage("settings.env", utf16(&(filler(1) + &secret_line(NEW)), false));
    repo.commit_unchecked("a UTF-16 settings file");
    let at = format!("settings.env:2:{SECRET_COLUMN}");
    for run in [repo.zoomguard(["scan", "settings.env"]), repo.zoomguard(["scan", "--range", "HEAD~1..HEAD"])]
    {
        assert_eq!(run.code, 1, "the UTF-16 secret was not found:\n{run}");
        assert!(run.all().contains(&at), "{at} is not reported:\n{run}");
        assert!(!run.all().contains(&secret(NEW)), "the secret was printed in full:\n{run}");
    }
}

/// `text` as UTF-32 with a byte-order mark, little- or big-endian.
fn utf32(text: &str, little_endian: bool) -> Vec<u8> {
    let (bom, units): (_, Vec<u8>) = if little_endian {
        ([0xFF, 0xFE, 0, 0], text.chars().flat_map(|c| u32::from(c).to_le_bytes()).collect())
    } else {
        ([0, 0, 0xFE, 0xFF], text.chars().flat_map(|c| u32::from(c).to_be_bytes()).collect())
    };
    [&bom[..], &units].concat()
}

/// Regression (issue 15): UTF-32 with a byte-order mark was decoded as UTF-16 (its
/// little-endian mark starts with UTF-16's), and its secret went through the hook.
#[test]
fn utf32_with_a_byte_order_mark_is_scanned_as_text() {
    let new = secret(NEW);
    for little_endian in [true, false] {
        let repo = TestRepo::with_hook();
        let text = format!("# zoom app\r\n{}", secret_line(NEW).replace('\n', "\r\n"));
        repo.stage("settings.env", utf32(&text, little_endian));
        commit_expecting(&repo, &[], blocked(&format!("settings.env:2:{SECRET_COLUMN}"), &new));
        repo.commit_unchecked("a UTF-32 settings file");
        // The inventory names a line, not a column; "at HEAD" searches the decoded text too.
        let history = ("settings.env:2", repo.zoomguard(["scan", "--history"]));
        let files =
            (&format!("settings.env:2:{SECRET_COLUMN}")[..], repo.zoomguard(["scan", "settings.env"]));
        for (at, run) in [files, history] {
            assert_eq!(run.code, 1, "the UTF-32 secret was not found:\n{run}");
            assert!(run.all().contains(at), "{at} is not reported:\n{run}");
            assert!(!run.all().contains(&new), "the secret was printed in full:\n{run}");
        }
    }
}

/// Regression (issue 15): UTF-16 without a byte-order mark (some Windows tools write it so)
/// has NUL bytes, so it was skipped as binary and its secret went through.
#[test]
fn utf16_without_a_byte_order_mark_is_recognised_by_its_nuls() {
    let new = secret(NEW);
    for little_endian in [true, false] {
        let repo = TestRepo::with_hook();
        let text = format!("# exported settings\r\n{}", secret_line(NEW).replace('\n', "\r\n"));
        repo.stage("export.env", &utf16(&text, little_endian)[2..]);
        commit_expecting(&repo, &[], blocked(&format!("export.env:2:{SECRET_COLUMN}"), &new));
        repo.commit_unchecked("a UTF-16 file without a mark");
        let run = repo.zoomguard(["scan", "--history"]);
        assert_eq!(run.code, 1, "the UTF-16 secret was not found in history:\n{run}");
        assert!(run.stderr.contains("export.env:2 (still there)"), "not found at HEAD:\n{run}");
    }
}

/// Regression (issue 15): a file that claims UTF-16 or UTF-32 but does not decode in it is
/// named as NOT scanned on every run, never passed over silently or scanned as binary.
#[test]
fn text_that_does_not_decode_is_named_as_not_scanned() {
    let repo = TestRepo::with_hook();
    repo.commit_files_unchecked(&[("README.md", "# hi\n")]);
    let text = secret_line(NEW);
    let mut lone_surrogate = utf16(&text, true);
    lone_surrogate.extend_from_slice(&[0x00, 0xD8]);
    let odd_length = &utf16(&text, false)[..text.len() * 2 + 1]; // the mark and all but half a unit
    let mut past_unicode = utf32(&text, true);
    past_unicode.extend_from_slice(&[0, 0, 0x11, 0]);
    repo.stage("surrogate.env", &lone_surrogate);
    repo.stage("odd.env", odd_length);
    repo.stage("past.env", &past_unicode);
    let run = commit_expecting(&repo, &[], Expect::Pass);
    let named = "3 files NOT scanned, not valid in the text encoding they claim (UTF-16 or UTF-32): \
                 odd.env, past.env, surrogate.env";
    assert!(run.stderr.contains(named), "the files were not named:\n{run}");
    assert!(!run.stderr.contains("binary"), "they are not binary:\n{run}");

    let range = repo.zoomguard(["scan", "--range", "HEAD~1..HEAD"]);
    let files = repo.zoomguard(["scan", "odd.env"]);
    for run in [&range, &files] {
        assert_eq!(run.code, 0, "{run}");
        assert!(run.stderr.contains("NOT scanned, not valid in the text encoding"), "{run}");
    }
    let json = repo.zoomguard(["scan", "--history", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("a JSON report");
    assert_eq!(report["summary"]["undecodable"], serde_json::json!(["odd.env", "past.env", "surrogate.env"]));
    assert!(json.stderr.contains("NOT scanned"), "the summary still warns on stderr:\n{json}");
}

#[test]
fn single_50_mb_line_with_a_secret_at_its_end_is_blocked() {
    const SIZE: usize = 50 * 1024 * 1024;
    let repo = TestRepo::with_hook();
    let mut bytes: Vec<u8> = b"lorem ipsum dolor sit amet ".iter().copied().cycle().take(SIZE).collect();
    bytes.push(b' ');
    let column = bytes.len() + SECRET_COLUMN;
    bytes.extend_from_slice(secret_line(NEW).as_bytes());
    repo.stage("dump.sql", bytes);
    let new = secret(NEW);
    commit_expecting(&repo, &[], blocked(&format!("dump.sql:1:{column}"), &new));
}

/// Regression: each finding on a line re-read the line (its column, its allow marker, its
/// parent keys, the name of a generic `value:`), so a long line with thousands of secrets
/// took minutes. The test asserts no time, but such a regression makes it crawl.
#[test]
fn long_line_with_thousands_of_secrets_is_blocked_and_each_one_named() {
    const EACH: usize = 1000;
    let repo = TestRepo::with_hook();
    let mut synth = Synth::new(NEW);
    let mut line = String::from("zoom ");
    let mut secrets = Vec::new();
    for _ in 0..EACH {
        let (keyed, generic) = (synth.alnum(32), synth.alnum(32));
        line.push_str(&format!("ZOOM_CLIENT_SECRET={keyed} {} ", "x".repeat(200)));
        line.push_str(&format!("{{\"name\":\"ZOOM_CLIENT_SECRET\",\"value\":\"{generic}\"}} "));
        secrets.extend([keyed, generic]);
    }
    repo.stage("bulk.json", line + "\n");
    let run = repo.commit(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr.lines().last().unwrap_or_default());
    assert_eq!(repo.head(), None, "the commit landed");
    assert!(run.stderr.contains(&format!("{} findings in 1 file", 2 * EACH)), "{}", run.stderr.len());
    let first = format!("bulk.json:1:{}", "zoom ".len() + SECRET_COLUMN);
    assert!(run.stderr.contains(&first), "the first secret is not at {first}");
    for full in secrets.iter().step_by(97) {
        assert!(!run.stderr.contains(full.as_str()), "a secret was printed in full");
    }
}

#[test]
fn million_line_file_with_a_secret_on_its_last_line_is_blocked() {
    const LINES: usize = 1_000_000;
    let repo = TestRepo::with_hook();
    let mut text = String::with_capacity(LINES * 24);
    for i in 1..LINES {
        text.push_str("row ");
        text.push_str(&i.to_string());
        text.push_str(" of generated data\n");
    }
    text.push_str(&secret_line(NEW));
    repo.stage("generated.txt", text);
    let new = secret(NEW);
    let run = commit_expecting(&repo, &[], blocked(&format!("generated.txt:{LINES}:{SECRET_COLUMN}"), &new));
    assert!(run.stderr.contains(&format!("{LINES} added lines scanned")), "wrong line count:\n{run}");
}

#[test]
fn ten_thousand_staged_files_with_one_secret_are_blocked() {
    let repo = TestRepo::with_hook();
    for dir in 0..100 {
        let dir_path = repo.path.join(format!("d{dir:02}"));
        fs::create_dir(&dir_path).expect("create a directory");
        for file in 0..100 {
            fs::write(dir_path.join(format!("f{file:02}.txt")), format!("file {dir} {file}\n"))
                .expect("write a file");
        }
    }
    repo.write("d42/f17.txt", secret_line(NEW));
    repo.git_ok(["add", "-A"]);
    let new = secret(NEW);
    let run = commit_expecting(&repo, &[], blocked(&format!("d42/f17.txt:1:{SECRET_COLUMN}"), &new));
    assert!(run.stderr.contains("1 finding in 1 file; 10000 files"), "not every file was scanned:\n{run}");
}

// ---- paths ----

#[cfg(unix)]
#[test]
fn odd_paths_are_reported_sanitised() {
    use std::os::unix::ffi::OsStrExt;

    let repo = TestRepo::with_hook();
    let names: [&[u8]; 5] = [
        b"with space.env",
        b"new\nline.env",
        b"caf\xe9-latin1.env",
        b"esc\x1b[31mred\x1b]0;title\x07.env",
        "bidi\u{202E}vne.txt".as_bytes(),
    ];
    let mut add = vec![OsStr::new("add"), OsStr::new("--")];
    for name in names {
        let name = OsStr::from_bytes(name);
        fs::write(repo.path.join(name), secret_line(NEW)).expect("write a file with an odd name");
        add.push(name);
    }
    repo.git_ok(add);
    let new = secret(NEW);
    let run = commit_expecting(&repo, &[], blocked(&format!("with space.env:1:{SECRET_COLUMN}"), &new));
    for shown in ["new?line.env", "caf\u{FFFD}-latin1.env", "esc?[31mred?]0;title?.env", "bidi?vne.txt"] {
        assert!(
            run.stderr.contains(&format!("{shown}:1:{SECRET_COLUMN}")),
            "{shown:?} is not reported:\n{run}"
        );
    }
    assert!(run.stderr.contains("5 findings in 5 files"), "{run}");
    assert!(!run.stderr.contains('\u{1b}') && !run.stderr.contains('\u{7}'), "a raw control byte:\n{run}");
    assert!(!run.stderr.contains(RLO), "a raw bidi override:\n{run}");
}

#[test]
fn files_named_like_options_are_scanned() {
    let repo = TestRepo::with_hook();
    for name in ["-rf", "--help", "--no-verify"] {
        repo.write(name, secret_line(NEW));
    }
    repo.git_ok(["add", "--", "-rf", "--help", "--no-verify"]);
    let new = secret(NEW);
    let run = commit_expecting(&repo, &[], blocked(&format!("-rf:1:{SECRET_COLUMN}"), &new));
    for name in ["--help", "--no-verify"] {
        assert!(run.stderr.contains(&format!("{name}:1:{SECRET_COLUMN}")), "{name} is not reported:\n{run}");
    }
    // The suggested `git add` must not read the file names as options.
    assert!(run.stderr.contains("git add ./--help ./--no-verify ./-rf"), "{run}");
}

// ---- git objects that are not plain files ----

/// A repository `<tmp>/<name>` with one commit holding `.env` with the `OLD` secret; returns its path.
fn library_repo(repo: &TestRepo, name: &str) -> std::path::PathBuf {
    let lib = repo.root().join(name);
    fs::create_dir(&lib).expect("create the library repository");
    fs::write(lib.join(".env"), secret_line(OLD)).expect("write in the library");
    let identity = ["-c", "user.name=Lib", "-c", "user.email=lib@zoomguard.invalid"];
    repo.git_ok_in(&lib, ["-c", "init.defaultBranch=main", "init", "-q"]);
    repo.git_ok_in(&lib, ["add", ".env"]);
    repo.git_ok_in(&lib, [&identity[..], &["commit", "-q", "-m", "lib"]].concat());
    lib
}

#[test]
fn submodule_add_and_update_pass_and_the_hook_still_sees_the_superproject() {
    let repo = TestRepo::with_hook();
    let lib = library_repo(&repo, "lib");
    let url = lib.display().to_string();
    let file = ["-c", "protocol.file.allow=always"];
    repo.git_ok([&file[..], &["submodule", "add", "-q", url.as_str(), "vendor/lib"]].concat());
    commit_expecting(&repo, &[], Expect::Pass);
    let entry = repo.git_ok(["ls-tree", "HEAD", "vendor/lib"]);
    assert!(entry.starts_with("160000 commit"), "no gitlink was committed: {entry}");

    // The library gets a new commit with another secret; updating the gitlink passes, since the
    // superproject records only a commit id.
    fs::write(lib.join("more.env"), secret_line(NEW)).expect("write in the library");
    let identity = ["-c", "user.name=Lib", "-c", "user.email=lib@zoomguard.invalid"];
    repo.git_ok_in(&lib, ["add", "more.env"]);
    repo.git_ok_in(&lib, [&identity[..], &["commit", "-q", "-m", "more"]].concat());
    repo.git_ok([&file[..], &["submodule", "update", "-q", "--remote", "vendor/lib"]].concat());
    repo.add(&["vendor/lib"]);
    commit_expecting(&repo, &[], Expect::Pass);
    let updated = repo.git_ok(["ls-tree", "HEAD", "vendor/lib"]);
    assert_ne!(updated, entry, "the gitlink was not updated");

    // Beside a gitlink change, a secret in the superproject is still blocked.
    let head = repo.git_ok_in(&lib, ["rev-parse", "HEAD~1"]);
    repo.git_ok_in(&repo.path.join("vendor/lib"), ["checkout", "-q", head.trim()]);
    repo.add(&["vendor/lib"]);
    repo.stage(".env", secret_line(NEW));
    let new = secret(NEW);
    commit_expecting(&repo, &[], blocked(&format!(".env:1:{SECRET_COLUMN}"), &new));
}

#[cfg(unix)]
#[test]
fn symlinks_are_not_scanned_but_their_targets_are() {
    use std::os::unix::fs::symlink;

    let repo = TestRepo::with_hook();
    repo.write("conf/app.env", secret_line(NEW));
    symlink("conf/app.env", repo.path.join("link.env")).expect("ln -s to a file");
    repo.add(&["conf/app.env", "link.env"]);
    let new = secret(NEW);
    let run = commit_expecting(&repo, &[], blocked(&format!("conf/app.env:1:{SECRET_COLUMN}"), &new));
    assert!(!run.stderr.contains("link.env"), "the symlink itself was reported:\n{run}");
    assert!(run.stderr.contains("1 finding in 1 file"), "{run}");

    repo.git_ok(["rm", "-q", "--cached", "conf/app.env"]);
    fs::remove_file(repo.path.join("conf/app.env")).expect("remove the secret");
    symlink("conf", repo.path.join("conf-link")).expect("ln -s to a directory");
    symlink("does/not/exist.env", repo.path.join("dangling.env")).expect("ln -s to nothing");
    repo.add(&["link.env", "conf-link", "dangling.env"]);
    commit_expecting(&repo, &[], Expect::Pass);
    let tree = repo.git_ok(["ls-tree", "HEAD"]);
    for name in ["link.env", "conf-link", "dangling.env"] {
        assert!(tree.lines().any(|l| l.starts_with("120000 blob") && l.ends_with(name)), "{name}: {tree}");
    }
}

#[test]
fn git_lfs_pointer_file_passes() {
    let repo = TestRepo::with_hook();
    let oid: String = Synth::new(9).bytes(32).iter().map(|b| format!("{b:02x}")).collect();
    repo.stage(".gitattributes", "*.mp4 filter=lfs diff=lfs merge=lfs -text\n");
    let pointer = format!("version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize 48213377\n");
    repo.stage("media/zoom_recording.mp4", pointer);
    let verbose = repo.zoomguard(["pre-commit", "-v"]);
    assert_eq!(verbose.code, 0, "{verbose}");
    assert!(verbose.stderr.contains("2 files"), "the pointer file was not scanned:\n{verbose}");
    commit_expecting(&repo, &[], Expect::Pass);
}

// ---- repository states ----

#[test]
fn sparse_checkout_scans_the_index_not_the_working_tree() {
    let repo = TestRepo::with_hook();
    repo.commit_files_unchecked(&[("in/app.txt", "in\n"), ("out/.env", &secret_line(OLD))]);
    repo.git_ok(["sparse-checkout", "set", "in"]);
    assert!(!repo.path.join("out/.env").exists(), "sparse checkout kept out/");
    repo.stage("in/app.txt", "in, edited\n");
    commit_expecting(&repo, &[], Expect::Pass);
    repo.stage("in/.env", secret_line(NEW));
    let new = secret(NEW);
    commit_expecting(&repo, &[], blocked(&format!("in/.env:1:{SECRET_COLUMN}"), &new));
}

#[test]
fn detached_head_commit_is_checked() {
    let repo = TestRepo::with_hook();
    repo.commit_files_unchecked(&[("README.md", "# hi\n")]);
    repo.git_ok(["checkout", "-q", "--detach"]);
    repo.stage("notes.md", "notes\n");
    commit_expecting(&repo, &[], Expect::Pass);
    repo.stage(".env", secret_line(NEW));
    let new = secret(NEW);
    commit_expecting(&repo, &[], blocked(&format!(".env:1:{SECRET_COLUMN}"), &new));
    let branch = repo.git(["symbolic-ref", "-q", "HEAD"]);
    assert_ne!(branch.code, 0, "HEAD should still be detached: {branch}");
}

/// Two branches that change line 2 of `config.env` differently; `main` is checked out.
fn conflicting_branches(repo: &TestRepo) {
    repo.commit_files_unchecked(&[("config.env", "A=1\nB=2\nC=3\n")]);
    repo.git_ok(["checkout", "-q", "-b", "topic"]);
    repo.stage("config.env", "A=1\nB=topic\nC=3\n");
    repo.commit_unchecked("topic");
    repo.git_ok(["checkout", "-q", "main"]);
    repo.stage("config.env", "A=1\nB=main\nC=3\n");
    repo.commit_unchecked("main");
}

#[test]
fn resolved_merge_conflict_adding_a_secret_is_blocked() {
    let repo = TestRepo::with_hook();
    conflicting_branches(&repo);
    let merge = repo.git(["merge", "topic"]);
    assert_ne!(merge.code, 0, "the merge should conflict:\n{merge}");
    assert!(repo.path.join(".git/MERGE_HEAD").is_file(), "no merge in progress");
    repo.stage("config.env", format!("A=1\nB=both\n{}C=3\n", secret_line(NEW)));
    let new = secret(NEW);
    commit_expecting(&repo, &["--no-edit"], blocked(&format!("config.env:3:{SECRET_COLUMN}"), &new));
    assert!(repo.path.join(".git/MERGE_HEAD").is_file(), "the blocked commit ended the merge");

    repo.stage("config.env", "A=1\nB=both\nC=3\n");
    commit_expecting(&repo, &["--no-edit"], Expect::Pass);
    let parents = repo.git_ok(["rev-list", "--parents", "-n", "1", "HEAD"]);
    assert_eq!(parents.split_whitespace().count(), 3, "not a merge commit: {parents}");
}

#[test]
fn commit_during_a_conflicted_rebase_is_checked() {
    let repo = TestRepo::with_hook();
    conflicting_branches(&repo);
    repo.git_ok(["checkout", "-q", "topic"]);
    let rebase = repo.git(["rebase", "main"]);
    assert_ne!(rebase.code, 0, "the rebase should stop on the conflict:\n{rebase}");
    assert!(repo.path.join(".git/REBASE_HEAD").is_file(), "no rebase in progress");
    repo.stage("config.env", format!("A=1\nB=both\n{}C=3\n", secret_line(NEW)));
    let new = secret(NEW);
    commit_expecting(&repo, &[], blocked(&format!("config.env:3:{SECRET_COLUMN}"), &new));
    // git runs no pre-commit hook for `git rebase --continue` itself; a commit made during the
    // rebase is checked like any other, and the clean resolution lets the rebase finish.
    repo.stage("config.env", "A=1\nB=both\nC=3\n");
    commit_expecting(&repo, &[], Expect::Pass);
    repo.git_ok(["rebase", "--continue"]);
    assert!(!repo.path.join(".git/rebase-merge").exists(), "the rebase did not finish");
    assert_eq!(repo.git_ok(["symbolic-ref", "--short", "HEAD"]).trim(), "topic");
}

#[test]
fn amend_while_editing_in_an_interactive_rebase_is_checked() {
    let repo = TestRepo::with_hook();
    repo.commit_files_unchecked(&[("a.txt", "a\n")]);
    repo.commit_files_unchecked(&[("b.txt", "b\n")]);
    let mut rebase = repo.command("git");
    rebase.args(["rebase", "-i", "HEAD~1"]).env("GIT_SEQUENCE_EDITOR", "sed -i -e 1s/^pick/edit/");
    let run = TestRepo::run(rebase);
    assert_eq!(run.code, 0, "the interactive rebase should stop to edit:\n{run}");
    assert!(repo.path.join(".git/rebase-merge").is_dir(), "no interactive rebase in progress");
    repo.stage(".env", secret_line(NEW));
    let new = secret(NEW);
    commit_expecting(&repo, &["--amend"], blocked(&format!(".env:1:{SECRET_COLUMN}"), &new));
    repo.git_ok(["rm", "-q", "--cached", ".env"]);
    repo.git_ok(["rebase", "--continue"]);
}

#[test]
fn empty_commits_pass() {
    let repo = TestRepo::with_hook();
    let run = commit_expecting(&repo, &["--allow-empty"], Expect::Pass);
    assert_eq!(run.stderr, "", "an empty first commit printed something:\n{run}");
    repo.commit_files_unchecked(&[(".env", &secret_line(OLD))]);
    let run = commit_expecting(&repo, &["--allow-empty"], Expect::Pass);
    assert_eq!(run.stderr, "", "an empty commit on a secret printed something:\n{run}");
}

/// Every path under `dir`, sorted, to show that a run created or removed nothing.
#[cfg(unix)]
fn listing(dir: &Path) -> Vec<String> {
    let mut all = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in fs::read_dir(&at).expect("read a directory") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() && !path.is_symlink() {
                stack.push(path.clone());
            }
            all.push(path.display().to_string());
        }
    }
    all.sort();
    all
}

/// Sets every directory under `dir` (and `dir`) to `mode`.
#[cfg(unix)]
fn chmod_dirs(dir: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    for path in listing(dir).iter().map(Path::new).chain([dir]) {
        if path.is_dir() {
            fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod a directory");
        }
    }
}

#[cfg(unix)]
#[test]
fn read_only_git_directory_gets_a_clear_answer_and_no_new_file() {
    let repo = TestRepo::with_hook();
    repo.commit_files_unchecked(&[("README.md", "# hi\n")]);
    repo.stage(".env", secret_line(NEW));
    let git_dir = repo.path.join(".git");
    chmod_dirs(&git_dir, 0o555);
    // Root ignores directory permissions; then only the hook's own behaviour is checked.
    let probe = git_dir.join("objects/write-probe");
    let enforced = fs::write(&probe, "").is_err();
    let _ = fs::remove_file(&probe);

    let before = listing(&git_dir);
    let blocked = repo.zoomguard(["pre-commit"]);
    assert_eq!(listing(&git_dir), before, "the hook created or removed a file in .git");
    chmod_dirs(&git_dir, 0o755);
    repo.git_ok(["rm", "-q", "--cached", ".env"]);
    chmod_dirs(&git_dir, 0o555);
    let clean = repo.zoomguard(["pre-commit", "-v"]);
    let commit = repo.commit(&["--allow-empty"]);
    chmod_dirs(&git_dir, 0o755);

    assert_eq!(blocked.code, 1, "the hook only reads: it must still find the secret:\n{blocked}");
    assert!(blocked.stderr.contains(&format!(".env:1:{SECRET_COLUMN}")), "{blocked}");
    assert!(!blocked.all().contains(&secret(NEW)), "a secret was printed in full:\n{blocked}");
    assert_eq!(clean.code, 0, "a clean index in a read-only .git must pass:\n{clean}");
    assert!(!commit.stderr.contains("zoomguard: error"), "the hook failed on a read-only .git:\n{commit}");
    if enforced {
        assert_ne!(commit.code, 0, "git should not manage to commit into a read-only .git:\n{commit}");
    } else {
        assert_eq!(commit.code, 0, "running as root, the commit should land:\n{commit}");
    }
}

/// Removes the loose object `oid` of `repo`, or replaces it with `replacement` bytes.
fn break_object(repo: &TestRepo, oid: &str, replacement: Option<&[u8]>) {
    let path = repo.path.join(".git/objects").join(&oid[..2]).join(&oid[2..]);
    fs::remove_file(&path).expect("remove a loose object");
    if let Some(bytes) = replacement {
        fs::write(&path, bytes).expect("write a corrupt loose object");
    }
}

/// Asserts that `run` is the hook's error exit: code 2, the cause, the bypass hint.
fn assert_error_exit(run: &Run, cause: &str) {
    assert_eq!(run.code, 2, "an unreadable object must be an error:\n{run}");
    assert!(run.stderr.starts_with("zoomguard: error:"), "{run}");
    assert!(run.stderr.contains(cause), "the cause {cause:?} is missing:\n{run}");
    assert!(run.stderr.contains("--no-verify"), "no bypass hint:\n{run}");
}

#[test]
fn missing_or_corrupt_object_blocks_with_exit_2_and_the_cause() {
    for (replacement, cause) in [(None, "object not found"), (Some(&b"not zlib at all"[..]), "class=Zlib")] {
        let repo = TestRepo::with_hook();
        repo.stage("notes.txt", "notes\n");
        let oid = repo.git_ok(["rev-parse", ":notes.txt"]);
        break_object(&repo, oid.trim(), replacement);
        let run = repo.zoomguard(["pre-commit"]);
        assert_error_exit(&run, cause);
        assert!(run.stderr.contains("notes.txt"), "the file is not named:\n{run}");
        let commit = repo.commit(&[]);
        assert_ne!(commit.code, 0, "the commit went through:\n{commit}");
        assert_eq!(repo.head(), None, "a commit landed although the object is broken");
        assert!(commit.stderr.contains("zoomguard: error:"), "the hook did not say why:\n{commit}");
    }
}

#[test]
fn corrupt_index_blocks_with_exit_2() {
    let repo = TestRepo::with_hook();
    repo.stage(".env", secret_line(NEW));
    fs::write(repo.path.join(".git/index"), b"DIRC\x00\x00\x00\x02 truncated").expect("corrupt the index");
    let run = repo.zoomguard(["pre-commit"]);
    assert_error_exit(&run, "reading the index");
    assert!(!run.all().contains(&secret(NEW)), "{run}");
}

#[test]
fn missing_object_found_by_rename_detection_blocks_with_exit_2() {
    // With a modified file beside it, rename detection is what reads the missing blob first;
    // libgit2 gives it no message of its own, only its code.
    let repo = TestRepo::with_hook();
    repo.commit_files_unchecked(&[("config.env", &filler(3))]);
    repo.stage("config.env", filler(4));
    repo.stage("notes.txt", "notes\n");
    let oid = repo.git_ok(["rev-parse", ":notes.txt"]);
    break_object(&repo, oid.trim(), None);
    let before = repo.head();
    let run = repo.zoomguard(["pre-commit"]);
    assert_error_exit(&run, "NotFound");
    let commit = repo.commit(&[]);
    assert_ne!(commit.code, 0, "the commit went through:\n{commit}");
    assert_eq!(repo.head(), before, "a commit landed although an object is missing");
}

/// Regression: the error's cause quoted the path raw, so a crafted name put an escape
/// sequence on the terminal.
#[cfg(unix)]
#[test]
fn error_naming_an_odd_path_is_sanitised() {
    use std::os::unix::ffi::OsStrExt;

    let repo = TestRepo::with_hook();
    let name = OsStr::from_bytes("evil\x1b[2J\u{202E}txt.env".as_bytes());
    fs::write(repo.path.join(name), "notes\n").expect("write a file with an odd name");
    repo.git_ok([OsStr::new("add"), OsStr::new("--"), name]);
    let staged = repo.git_ok(["ls-files", "-s"]);
    let oid = staged.split_whitespace().nth(1).expect("ls-files -s names the object").to_owned();
    break_object(&repo, &oid, None);
    let run = repo.zoomguard(["pre-commit"]);
    assert_error_exit(&run, "evil?[2J?txt.env");
    assert!(!run.stderr.contains('\u{1b}') && !run.stderr.contains(RLO), "raw escape or bidi:\n{run}");
}

// ---- files the repository controls ----

/// A `.netrc` in the test's home, holding a password made at test time; returns its path
/// and the password.
#[cfg(unix)]
fn netrc(repo: &TestRepo) -> (std::path::PathBuf, String) {
    let password = Synth::new(91).alnum(20);
    let path = repo.root().join("home/.netrc");
    fs::write(&path, format!("machine api.example.com login me password {password}\n"))
        .expect("write .netrc");
    (path, password)
}

/// Asserts that `run` refused a repository-controlled file with exit 2, saying `why`, and
/// quoted nothing of `password` (or of the `.netrc` line it sits in).
#[cfg(unix)]
fn assert_refused(run: &Run, why: &str, password: Option<&str>) {
    assert_eq!(run.code, 2, "a file the repository controls must be refused:\n{run}");
    assert!(run.stderr.contains("zoomguard: error:") && run.stderr.contains(why), "no {why:?}:\n{run}");
    let quoted = password.is_some_and(|p| run.all().contains(p)) || run.all().contains("machine api");
    assert!(!quoted, "the linked file was quoted:\n{run}");
}

/// Regression (issue 15): `.zoomguardignore` was read through a symbolic link, so a
/// committed `.zoomguardignore -> ~/.netrc` put the password line into the error (a CI log),
/// and `-> /dev/zero` read until memory ran out.
#[cfg(unix)]
#[test]
fn ignore_file_that_is_a_symbolic_link_is_refused_not_followed() {
    use std::os::unix::fs::symlink;

    for target in ["netrc", "/dev/zero"] {
        let repo = TestRepo::with_hook();
        let (netrc, password) = netrc(&repo);
        let target = if target == "netrc" { netrc } else { target.into() };
        repo.commit_files_unchecked(&[("README.md", "# hi\n")]);
        symlink(&target, repo.path.join(".zoomguardignore")).expect("ln -s");
        repo.add(&[".zoomguardignore"]);
        repo.stage("notes.txt", "clean\n");

        // The hook reads the staged version: a link in the index.
        let commit = repo.commit(&[]);
        assert_ne!(commit.code, 0, "{commit}");
        assert_refused(
            &repo.zoomguard(["pre-commit"]),
            ".zoomguardignore (staged) is a symbolic link",
            Some(&password),
        );
        // What is checked out: `scan` of a path, of a range, and of the history.
        repo.commit_unchecked("a linked ignore file");
        for args in [&["scan", "notes.txt"][..], &["scan", "--range", "HEAD~1..HEAD"], &["scan", "--history"]]
        {
            assert_refused(&repo.zoomguard(args), ".zoomguardignore is a symbolic link", Some(&password));
        }
        // A dangling link is refused too, never taken for "no ignore file".
        fs::remove_file(repo.path.join(".zoomguardignore")).expect("remove the link");
        symlink("does/not/exist", repo.path.join(".zoomguardignore")).expect("ln -s");
        assert_refused(&repo.zoomguard(["scan", "notes.txt"]), "is a symbolic link", Some(&password));
        // `zoomguard allow` neither reads nor writes through it.
        let fingerprint = format!("zoom-client-secret:{}", "0123456789abcdef");
        assert_refused(&repo.zoomguard(["allow", &fingerprint]), "is a symbolic link", Some(&password));
        assert!(!repo.path.join("does").exists(), "allow wrote through the link");
    }
}

#[cfg(unix)]
#[test]
fn ignore_file_that_is_not_a_regular_file_or_too_large_is_refused() {
    let repo = TestRepo::new();
    repo.commit_files_unchecked(&[("notes.txt", "clean\n")]);
    let ignore = repo.path.join(".zoomguardignore");
    // A FIFO would block an ordinary open until someone writes to it.
    let made = repo.command("mkfifo").arg(&ignore).status().expect("mkfifo runs");
    assert!(made.success());
    assert_refused(&repo.zoomguard(["scan", "notes.txt"]), ".zoomguardignore is not a regular file", None);
    fs::remove_file(&ignore).expect("remove the FIFO");
    fs::create_dir(&ignore).expect("a directory in its place");
    assert_refused(&repo.zoomguard(["scan", "notes.txt"]), ".zoomguardignore is not a regular file", None);
    fs::remove_dir(&ignore).expect("remove the directory");

    // Over 1 MiB: refused before it is read, on disk and in the index.
    let big = "fixtures/generated/**\n".repeat(50_000);
    assert!(big.len() > 1024 * 1024);
    fs::write(&ignore, &big).expect("write a big ignore file");
    assert_refused(&repo.zoomguard(["scan", "notes.txt"]), "larger than zoomguard reads", None);
    repo.add(&[".zoomguardignore"]);
    assert_refused(&repo.zoomguard(["pre-commit"]), "larger than zoomguard reads", None);
    // Just under the bound it is read.
    fs::write(&ignore, &big[..1024 * 1024 - 1]).expect("write the ignore file");
    repo.add(&[".zoomguardignore"]);
    assert_eq!(repo.zoomguard(["pre-commit"]).code, 0);
}

/// Regression (issue 15): the baseline named in git config was read through links too.
#[cfg(unix)]
#[test]
fn baseline_through_a_symbolic_link_is_refused() {
    use std::os::unix::fs::symlink;

    let repo = TestRepo::with_hook();
    let (netrc, password) = netrc(&repo);
    repo.commit_files_unchecked(&[("README.md", "# hi\n")]);
    symlink(&netrc, repo.path.join("baseline.json")).expect("ln -s to a file");
    symlink(repo.root().join("home"), repo.path.join("conf")).expect("ln -s to a directory");
    fs::write(repo.root().join("home/baseline.json"), "{\"findings\": []}\n").expect("a real baseline");
    repo.stage("notes.txt", "clean\n");
    for (named, why) in [
        ("baseline.json", "baseline.json is a symbolic link"),
        ("conf/baseline.json", "conf is a symbolic link"),
        ("conf/missing.json", "conf is a symbolic link"),
    ] {
        repo.git_ok(["config", "zoomguard.baseline", named]);
        assert_refused(&repo.zoomguard(["pre-commit"]), why, Some(&password));
        let commit = repo.commit(&[]);
        assert_ne!(commit.code, 0, "{named}: the commit went through:\n{commit}");
        assert_refused(&repo.zoomguard(["scan", "--history", "--baseline", named]), why, Some(&password));
    }
    repo.git_ok(["config", "--unset", "zoomguard.baseline"]);
    let zero = repo.zoomguard(["scan", "--history", "--baseline", "/dev/zero"]);
    assert_refused(&zero, "/dev/zero is not a regular file", Some(&password));
}

/// Regression (issue 15): a server read HEAD's `.zoomguardignore` whatever its mode.
#[cfg(unix)]
#[test]
fn pre_receive_refuses_an_ignore_file_that_is_a_link_at_head() {
    use std::os::unix::fs::{symlink, PermissionsExt};

    let repo = TestRepo::new();
    let server = repo.init_bare("server.git");
    let hook = server.join("hooks/pre-receive");
    fs::write(&hook, format!("#!/bin/sh\nexec \"{ZOOMGUARD}\" pre-receive\n")).expect("write the hook");
    fs::set_permissions(&hook, fs::Permissions::from_mode(0o755)).expect("make the hook executable");
    let (netrc, password) = netrc(&repo);
    symlink(&netrc, repo.path.join(".zoomguardignore")).expect("ln -s");
    repo.commit_files_unchecked(&[("README.md", "# hi\n")]);
    repo.add(&[".zoomguardignore"]);
    repo.commit_unchecked("a linked ignore file");
    let url = server.display().to_string();
    // The first push lands (the server has no HEAD yet); the next one meets the link at HEAD.
    repo.git_ok(["push", "-q", url.as_str(), "main"]);
    repo.commit_files_unchecked(&[("more.txt", "clean\n")]);
    let push = repo.git(["push", url.as_str(), "main"]);
    assert_ne!(push.code, 0, "{push}");
    assert!(push.stderr.contains("HEAD:.zoomguardignore is a symbolic link"), "{push}");
    assert!(!push.all().contains(&password), "{push}");
}

// ---- clean failure ----

/// `/dev/full`, which takes no write (ENOSPC), when this system has one.
fn dev_full() -> Option<fs::File> {
    fs::OpenOptions::new().write(true).open("/dev/full").ok()
}

/// Runs `zoomguard <args>` in `repo` with standard output or error (`stream`) set by `set`.
fn run_with(repo: &TestRepo, args: &[&str], set: impl FnOnce(&mut std::process::Command)) -> Run {
    let mut cmd = repo.command(ZOOMGUARD);
    cmd.args(args);
    set(&mut cmd);
    TestRepo::run(cmd)
}

/// Regression (issue 15): `eprintln!` panicked (exit 101) when standard error could not be
/// written, and so did the completion script on a full standard output. Exit codes stay
/// 0, 1 and 2 whatever the streams do.
#[test]
fn a_full_stdout_or_stderr_never_panics_and_exit_codes_keep_their_meaning() {
    let Some(_) = dev_full() else { return };
    let repo = TestRepo::with_hook();
    repo.write("leak.env", secret_line(NEW));
    repo.write("clean.txt", "clean\n");
    let full = || std::process::Stdio::from(dev_full().expect("/dev/full opens"));
    for (args, to_stderr, code, why) in [
        (&["scan", "leak.env"][..], true, 2, "the report could not be written: an error"),
        (&["scan", "clean.txt"], true, 0, "a clean scan writes nothing"),
        (&["scan", "no-such-file"], true, 2, "the error itself cannot be written: still exit 2"),
        (&["scan", "leak.env"], false, 1, "the human report goes to stderr"),
        (&["scan", "leak.env", "--format", "json"], false, 2, "the JSON report could not be written"),
        (&["rules"], false, 2, "the rules could not be written"),
        (&["completions", "bash"], false, 2, "the script could not be written"),
        (&["--help"], false, 0, "clap ignores a failed write of the help"),
        (&["install"], false, 0, "the hook is installed; only the note about it was lost"),
    ] {
        let run = run_with(&repo, args, |cmd| {
            if to_stderr {
                cmd.stderr(full());
            } else {
                cmd.stdout(full());
            }
        });
        assert_eq!(
            run.code,
            code,
            "{args:?} with a full {}: {why}\n{run}",
            if to_stderr { "stderr" } else { "stdout" }
        );
        assert!(!run.all().contains("panicked"), "{args:?}: a panic:\n{run}");
    }
    assert!(repo.hook_files().contains(&"pre-commit".to_owned()));

    // The hook on a full stderr still blocks the commit.
    repo.add(&["leak.env"]);
    let hook = run_with(&repo, &["pre-commit"], |cmd| {
        cmd.stderr(full());
    });
    assert_eq!(hook.code, 2, "{hook}");
}

/// A reader that goes away (`zoomguard rules | head -1`) is not an error: the exit code is
/// the run's own.
#[test]
fn a_closed_pipe_is_not_an_error() {
    let repo = TestRepo::new();
    repo.write("leak.env", secret_line(NEW));
    for (args, code) in
        [(&["rules"][..], 0), (&["scan", "leak.env", "--format", "json"], 1), (&["completions", "zsh"], 0)]
    {
        let mut cmd = repo.command(ZOOMGUARD);
        cmd.args(args).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().expect("zoomguard starts");
        drop(child.stdout.take()); // the reader is gone before anything is written
        let output = child.wait_with_output().expect("zoomguard finishes");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "{args:?}:\n{stderr}");
        assert!(!stderr.contains("panicked") && !stderr.contains("error"), "{args:?}:\n{stderr}");
    }
}

/// Regression (issue 15): `TERM=dumb` (an editor's shell) still got colour codes.
#[cfg(unix)]
#[test]
fn term_dumb_means_no_colour_and_no_redrawn_lines() {
    let repo = TestRepo::new();
    repo.write("leak.env", secret_line(NEW));
    // `script` gives the command a terminal, as a developer's shell would.
    let on_a_terminal = |term: &str| {
        let mut cmd = repo.command("script");
        let line = format!("'{ZOOMGUARD}' scan leak.env");
        cmd.args(["-qec", line.as_str(), "/dev/null"]).env("TERM", term).env_remove("NO_COLOR");
        TestRepo::run(cmd)
    };
    let coloured = on_a_terminal("xterm-256color");
    if coloured.code == -1 || !coloured.stdout.contains("zoom-client-secret") {
        return; // no usable `script` here
    }
    assert!(coloured.stdout.contains('\u{1b}'), "a terminal gets colour:\n{coloured}");
    let dumb = on_a_terminal("dumb");
    assert_eq!(dumb.code, 1, "{dumb}");
    assert!(dumb.stdout.contains("zoom-client-secret"), "{dumb}");
    assert!(!dumb.stdout.contains('\u{1b}'), "TERM=dumb got escape sequences:\n{dumb}");
}

/// Regression (issue 15): libgit2 multiplies by the suffix without checking, so
/// `99999999999g` came out "negative", and `17179869184g` (2^64 bytes) as 0, which would
/// have skipped every file.
#[test]
fn a_max_file_size_past_what_git_holds_is_out_of_range() {
    let repo = TestRepo::with_hook();
    repo.stage("leak.env", secret_line(NEW));
    for (value, says) in [
        ("99999999999g", "out of range"),
        ("17179869184g", "out of range"),
        ("9223372036854775808", "out of range"),
        ("-1", "negative"),
        ("lots", "not a size"),
    ] {
        repo.git_ok(["config", "zoomguard.maxFileSize", value]);
        let run = repo.zoomguard(["pre-commit"]);
        assert_eq!(run.code, 2, "{value}: {run}");
        assert!(run.stderr.contains(&format!("zoomguard.maxFileSize is {says}")), "{value}: {run}");
    }
    repo.git_ok(["config", "zoomguard.maxFileSize", "8589934591g"]);
    let largest = repo.zoomguard(["pre-commit"]);
    assert_eq!(largest.code, 1, "the largest size git holds is a size:\n{largest}");
}

// ---- push ----

/// Runs `zoomguard pre-push <remote> <url>` in `repo` with one pre-push `line` on stdin.
fn pre_push(repo: &TestRepo, dir: &Path, remote: &str, url: &str, line: &str) -> Run {
    let mut cmd = repo.command_in(ZOOMGUARD, dir);
    cmd.args(["pre-push", remote, url]);
    run_with_input(cmd, line.as_bytes())
}

/// A first commit that holds the old secret, then three clean ones.
fn commit_an_old_secret_then_clean_files(repo: &TestRepo) {
    repo.commit_files_unchecked(&[("old.env", &secret_line(OLD))]);
    for i in 0..3 {
        repo.commit_files_unchecked(&[(&format!("f{i}.txt"), "clean\n")]);
    }
}

/// `git clone --depth <depth> <url>` into `shallow` beside the test repository.
fn shallow_clone(repo: &TestRepo, url: &str, depth: u32) -> std::path::PathBuf {
    let clone = repo.root().join("shallow");
    let (clone_arg, depth) = (clone.display().to_string(), depth.to_string());
    repo.git_ok_in(repo.root(), ["clone", "-q", "--depth", depth.as_str(), url, clone_arg.as_str()]);
    assert!(clone.join(".git/shallow").is_file(), "the clone is not shallow");
    clone
}

#[test]
fn shallow_clone_pushes_with_missing_parents() {
    let repo = TestRepo::new();
    // A history whose first commit holds an old secret, published to `origin`.
    commit_an_old_secret_then_clean_files(&repo);
    let origin = repo.init_bare("origin.git");
    let origin_url = format!("file://{}", origin.display());
    repo.git_ok(["push", "-q", origin_url.as_str(), "main"]);

    let clone = shallow_clone(&repo, &origin_url, 1);
    for args in [["config", "user.name", "Shallow"], ["config", "user.email", "shallow@zoomguard.invalid"]] {
        repo.git_ok_in(&clone, args);
    }
    let mut install = repo.command_in(ZOOMGUARD, &clone);
    install.args(["install", "--hook", "pre-push"]);
    assert_eq!(TestRepo::run(install).code, 0);
    let commit = |rel: &str, text: &str| {
        fs::write(clone.join(rel), text).expect("write in the shallow clone");
        repo.git_ok_in(&clone, ["add", rel]);
        repo.git_ok_in(&clone, ["commit", "-q", "--no-verify", "-m", rel]);
        repo.git_ok_in(&clone, ["rev-parse", "HEAD"]).trim().to_owned()
    };

    // A clean commit on top of the grafted root pushes: the walk stops at what origin has.
    let clean = commit("clean.txt", "clean\n");
    let push = repo.git_in(&clone, ["push", "origin", "main"]);
    assert_eq!(push.code, 0, "a clean push from a shallow clone failed:\n{push}");
    assert_eq!(repo.rev_in(&origin, "refs/heads/main").as_deref(), Some(clean.as_str()));

    // A secret is refused; the old one behind the shallow boundary is not reported.
    commit(".env", &secret_line(NEW));
    let push = repo.git_in(&clone, ["push", "origin", "main"]);
    assert_ne!(push.code, 0, "the secret was pushed:\n{push}");
    assert!(push.stderr.contains(&format!(".env:1:{SECRET_COLUMN}")), "{push}");
    assert!(!push.stderr.contains("old.env"), "the old secret was reported:\n{push}");
    assert_eq!(repo.rev_in(&origin, "refs/heads/main").as_deref(), Some(clean.as_str()));
    for full in [secret(OLD), secret(NEW)] {
        assert!(!push.all().contains(&full), "a secret was printed in full:\n{push}");
    }

    // To a remote that has nothing, the walk reaches the grafted root, whose parents are
    // missing: it is scanned as a root commit (no error), so the old secret it still holds is
    // reported along with the new one.
    let empty = repo.init_bare("empty.git");
    let empty_url = empty.display().to_string();
    let tip = repo.git_ok_in(&clone, ["rev-parse", "HEAD"]);
    let zero = "0".repeat(40);
    let line = format!("refs/heads/main {} refs/heads/main {zero}\n", tip.trim());
    let run = pre_push(&repo, &clone, "empty", &empty_url, &line);
    assert_eq!(run.code, 1, "missing parents must not be an error:\n{run}");
    assert!(run.stderr.contains("old.env:1:") && run.stderr.contains(".env:1:"), "{run}");
    let line = format!("refs/heads/main {clean} refs/heads/main {zero}\n");
    let run = pre_push(&repo, &clone, "empty", &empty_url, &line);
    assert_eq!(run.code, 1, "the grafted root holds the old secret:\n{run}");
    assert!(!run.stderr.contains("zoomguard: error"), "{run}");
}

/// A CI checkout is often shallow (`actions/checkout` fetches one commit): a history scan
/// there walks to the grafted root, which it scans as a root commit, with no error, and it
/// reports what that commit holds, old secret included, added at the boundary.
#[test]
fn history_of_a_shallow_clone_scans_its_grafted_root_whole() {
    let repo = TestRepo::new();
    commit_an_old_secret_then_clean_files(&repo);
    let clone = shallow_clone(&repo, &format!("file://{}", repo.path.display()), 2);
    let boundary = fs::read_to_string(clone.join(".git/shallow")).expect("the clone is shallow");
    let mut scan = repo.command_in(ZOOMGUARD, &clone);
    scan.args(["scan", "--history", "--format", "json"]);
    let run = TestRepo::run(scan);
    assert_eq!(run.code, 1, "the grafted root holds the old secret:\n{run}");
    assert!(run.stdout.contains("\"commits_scanned\": 2"), "the two commits the clone has:\n{run}");
    let found_at = format!("\"commit\": \"{}\"", boundary.trim());
    assert!(run.stdout.contains(&found_at), "reported at the boundary {boundary}:\n{run}");
    assert!(run.stdout.contains("\"path\": \"old.env\""), "{run}");
    assert!(!run.all().contains(&secret(OLD)), "printed in full:\n{run}");
}

/// Regression: the hooks read standard input as UTF-8, so pushing a branch whose name is
/// not UTF-8 (git allows any bytes but a few) failed with exit 2 instead of being checked.
#[cfg(unix)]
#[test]
fn push_of_a_branch_named_in_latin1_is_checked_on_both_sides() {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::PermissionsExt;

    let repo = TestRepo::new();
    let server = repo.init_bare("server.git");
    repo.git_ok([OsStr::new("remote"), OsStr::new("add"), OsStr::new("origin"), server.as_os_str()]);
    let run = repo.zoomguard(["install", "--hook", "pre-push"]);
    assert_eq!(run.code, 0, "{run}");
    let hook = server.join("hooks/pre-receive");
    fs::write(&hook, format!("#!/bin/sh\nexec \"{ZOOMGUARD}\" pre-receive\n")).expect("write the hook");
    fs::set_permissions(&hook, fs::Permissions::from_mode(0o755)).expect("make the hook executable");

    let branch = OsStr::from_bytes(b"caf\xe9");
    repo.commit_files_unchecked(&[("README.md", "# hi\n")]);
    repo.git_ok([OsStr::new("checkout"), OsStr::new("-q"), OsStr::new("-b"), branch]);
    let push = repo.git([OsStr::new("push"), OsStr::new("origin"), branch]);
    assert_eq!(push.code, 0, "a clean push of a latin1 branch failed:\n{push}");

    repo.commit_files_unchecked(&[(".env", &secret_line(NEW))]);
    let at = format!(".env:1:{SECRET_COLUMN}");
    let client = repo.git([OsStr::new("push"), OsStr::new("origin"), branch]);
    let server_side = repo.git([OsStr::new("push"), OsStr::new("--no-verify"), OsStr::new("origin"), branch]);
    for (side, run) in [("pre-push", &client), ("pre-receive", &server_side)] {
        assert_ne!(run.code, 0, "{side} let the secret through:\n{run}");
        assert!(!run.stderr.contains("zoomguard: error"), "{side} failed instead of checking:\n{run}");
        assert!(run.stderr.contains(&at), "{side} did not report {at}:\n{run}");
        assert!(!run.all().contains(&secret(NEW)), "{side} printed the secret in full:\n{run}");
    }
    assert!(server_side.stderr.contains("pre-receive hook declined"), "{server_side}");
}
