//! Third-party tools the hook-manager tests drive for real: the pre-commit framework and
//! Microsoft's sarif-tools (PyPI, in a virtualenv), husky and lefthook (npm); and the tools
//! the image tests build container images with, umoci and skopeo (Debian's packages).
//!
//! The PyPI and npm tools are installed once per test run, at pinned versions, under
//! `<target dir>/test-tools`, and kept there (with a file naming the pins) so that later runs
//! reuse them. umoci and skopeo come from the machine's Debian archive, installed with
//! apt-get when they are missing (CI runs as root on a fresh machine). A tool that cannot be
//! installed fails the tests that need it: they never skip.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::support::ZOOMGUARD;

/// The PyPI packages, pinned: what the tests were written against.
const PYTHON_PINS: &[&str] = &["pre-commit==4.7.0", "sarif-tools==3.0.5"];

/// The npm packages, pinned (exact versions).
const NODE_PINS: &[&str] = &["husky@9.1.7", "lefthook@2.2.1"];

/// The Debian packages (and the commands they bring) that build the image tests' images.
const IMAGE_PACKAGES: &[&str] = &["umoci", "skopeo"];

/// The file in an install directory that records which pins it holds.
const PINS_FILE: &str = "zoomguard-test-pins.txt";

/// `<target dir>/test-tools`, beside the built binary's profile directory.
pub fn dir() -> PathBuf {
    let profile = Path::new(ZOOMGUARD).parent().expect("the binary lives in a profile directory");
    let target = profile.parent().expect("the profile directory lives in the target directory");
    target.join("test-tools")
}

/// The `bin` directory of the virtualenv holding `pre-commit` and `sarif`.
pub fn python_bin() -> &'static Path {
    static VENV: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let venv = VENV.get_or_init(|| install_python(&dir().join("venv")));
    match venv {
        Ok(path) => path,
        Err(why) => panic!("the Python test tools (pre-commit, sarif-tools) could not be installed: {why}"),
    }
}

/// The `node_modules/.bin` directory holding `husky` and `lefthook`.
pub fn node_bin() -> &'static Path {
    static NODE: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let node = NODE.get_or_init(|| install_node(&dir().join("node")));
    match node {
        Ok(path) => path,
        Err(why) => panic!("the npm test tools (husky, lefthook) could not be installed: {why}"),
    }
}

/// Makes sure `umoci` and `skopeo` run, installing them from Debian's packages the first
/// time (once per test run; apt's own lock serialises concurrent runs).
pub fn image_tools() {
    static TOOLS: OnceLock<Result<(), String>> = OnceLock::new();
    if let Err(why) = TOOLS.get_or_init(install_image_tools) {
        panic!("the image test tools (umoci, skopeo) could not be installed: {why}");
    }
}

fn image_tools_run() -> bool {
    IMAGE_PACKAGES
        .iter()
        .all(|tool| Command::new(tool).arg("--version").output().is_ok_and(|o| o.status.success()))
}

fn install_image_tools() -> Result<(), String> {
    if image_tools_run() {
        return Ok(());
    }
    let uid = Command::new("id").arg("-u").output().map_err(|e| format!("id -u did not start: {e}"))?;
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        return Err(format!(
            "{} are not installed, and installing them takes root: sudo apt-get install {}",
            IMAGE_PACKAGES.join(" and "),
            IMAGE_PACKAGES.join(" ")
        ));
    }
    let apt = |args: &[&str]| {
        let mut apt = Command::new("apt-get");
        apt.env("DEBIAN_FRONTEND", "noninteractive")
            .args(["-q", "-y", "-o", "DPkg::Lock::Timeout=600"])
            .args(args)
            .stdin(std::process::Stdio::null());
        apt
    };
    let mut install = vec!["install", "--no-install-recommends"];
    install.extend_from_slice(IMAGE_PACKAGES);
    // A fresh machine may have no package lists yet: fetch them, then try again.
    if run(apt(&install), "apt-get install").is_err() {
        run(apt(&["update"]), "apt-get update")?;
        run(apt(&install), "apt-get install")?;
    }
    if image_tools_run() {
        Ok(())
    } else {
        Err(format!("apt-get installed {}, but they do not run", IMAGE_PACKAGES.join(" and ")))
    }
}

fn install_python(venv: &Path) -> Result<PathBuf, String> {
    let bin = venv.join("bin");
    if has_pins(venv, PYTHON_PINS) {
        return Ok(bin);
    }
    remove_partial(venv)?;
    let mut create = Command::new("python3");
    create.args(["-m", "venv"]).arg(venv);
    run(create, "python3 -m venv")?;
    let mut pip = Command::new(bin.join("python"));
    pip.args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check"]).args(PYTHON_PINS);
    run(pip, "pip install")?;
    record_pins(venv, PYTHON_PINS)?;
    Ok(bin)
}

fn install_node(dir: &Path) -> Result<PathBuf, String> {
    let bin = dir.join("node_modules").join(".bin");
    if has_pins(dir, NODE_PINS) {
        return Ok(bin);
    }
    remove_partial(dir)?;
    fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    fs::write(dir.join("package.json"), "{\"name\": \"zoomguard-test-tools\", \"private\": true}\n")
        .map_err(|e| format!("writing package.json: {e}"))?;
    let mut npm = Command::new("npm");
    // No install scripts: lefthook's would install hooks into whatever repository is around.
    // Its binary comes in a per-platform package, which needs no script.
    npm.current_dir(dir)
        .args(["install", "--ignore-scripts", "--save-exact", "--no-audit", "--no-fund", "--loglevel=error"])
        .args(NODE_PINS);
    run(npm, "npm install")?;
    record_pins(dir, NODE_PINS)?;
    Ok(bin)
}

fn has_pins(dir: &Path, pins: &[&str]) -> bool {
    fs::read_to_string(dir.join(PINS_FILE)).is_ok_and(|text| text == pins.join("\n"))
}

fn record_pins(dir: &Path, pins: &[&str]) -> Result<(), String> {
    fs::write(dir.join(PINS_FILE), pins.join("\n")).map_err(|e| format!("writing {PINS_FILE}: {e}"))
}

/// Removes what an interrupted or older install left, so the new one starts clean.
fn remove_partial(dir: &Path) -> Result<(), String> {
    match fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(format!("removing the old {}: {e}", dir.display()))
        }
        _ => Ok(()),
    }
}

fn run(mut cmd: Command, what: &str) -> Result<(), String> {
    let output = cmd.output().map_err(|e| format!("{what} did not start: {e}"))?;
    if output.status.success() {
        return Ok(());
    }
    Err(format!(
        "{what} failed ({})\n--- stdout ---\n{}--- stderr ---\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    ))
}
