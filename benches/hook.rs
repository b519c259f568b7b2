//! End to end: the built binary run as the pre-commit hook on real repositories, next to
//! `git diff --cached -U0`, the work git itself does to produce what is staged (issue 5).
//!
//! The repositories are the ones `bench/compare.sh` measures, made by `bench/make-repos.py`
//! (needs python3 and git): *small* is one changed line among 10,000 tracked files, *wide*
//! 2,000 new files of 100 MB in all, *deep* one 50 MB file with 1% of its lines changed.
//! They are made once per run in a temporary directory, or kept in `ZG_BENCH_DIR` when that is
//! set (making them takes a minute). Peak memory and the detect-secrets reference are
//! measured by `bench/compare.sh`, which times the same commands with hyperfine.
//!
//! Run with `cargo bench --bench hook` (`-- small` for one case); CI only builds it.

use criterion::{criterion_group, criterion_main, Criterion};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Where the three repositories are, made if they are not there yet; the temporary
/// directory, if any, lives as long as the value.
fn repositories() -> (PathBuf, Option<tempfile::TempDir>) {
    let (dir, temporary) = match std::env::var_os("ZG_BENCH_DIR") {
        Some(dir) => (PathBuf::from(dir), None),
        None => {
            let temporary = tempfile::tempdir().expect("a temporary directory");
            (temporary.path().to_path_buf(), Some(temporary))
        }
    };
    if !dir.join("deep").is_dir() {
        std::fs::create_dir_all(&dir).expect("the benchmark directory");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/make-repos.py");
        let status = Command::new("python3").arg(script).arg(&dir).status().expect("python3 runs");
        assert!(status.success(), "bench/make-repos.py failed");
    }
    (dir, temporary)
}

/// Runs `program args` in `repo` with no user or system git configuration, as
/// `bench/compare.sh` does, and checks that it succeeds.
fn run(program: &str, args: &[&str], repo: &Path) {
    let status = Command::new(program)
        .args(args)
        .current_dir(repo)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdout(Stdio::null())
        .status()
        .expect("the command starts");
    assert!(status.success(), "{program} {args:?} failed in {}", repo.display());
}

fn hook(c: &mut Criterion) {
    let (dir, _temporary) = repositories();
    let zoomguard = env!("CARGO_BIN_EXE_zoomguard");
    for case in ["small", "wide", "deep"] {
        let repo = dir.join(case);
        let mut group = c.benchmark_group(format!("hook/{case}"));
        if case != "small" {
            group.sample_size(10);
        }
        group.bench_function("git diff --cached -U0", |b| {
            b.iter(|| run("git", &["diff", "--cached", "-U0", "--no-color"], &repo))
        });
        group.bench_function("zoomguard pre-commit", |b| b.iter(|| run(zoomguard, &["pre-commit"], &repo)));
        group.finish();
    }
}

criterion_group!(benches, hook);
criterion_main!(benches);
