//! Where a repository that git reads (and libgit2 cannot open) lives, as git itself finds it
//! from the environment and the working directory.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};

use crate::source::git::Git;

/// Where a repository read by git lives.
pub struct Layout {
    pub(super) git_dir: PathBuf,
    pub(super) common_dir: PathBuf,
    pub(super) work_tree: Option<PathBuf>,
}

impl Layout {
    /// Where git finds the repository from here; and the bytes of its object ids.
    pub(super) fn discover() -> Result<(Layout, usize)> {
        let git = Git::new(20);
        let args = ["rev-parse", "--absolute-git-dir", "--git-common-dir", "--is-bare-repository"];
        let out = git.run(&[&args[..], &["--show-object-format"]].concat(), None)?;
        let out = String::from_utf8_lossy(&out);
        let lines: Vec<&str> = out.lines().collect();
        let [git_dir, common_dir, bare, format] = lines[..] else {
            bail!("git rev-parse printed {out:?}");
        };
        let here = std::env::current_dir().context("reading the current directory")?;
        let git_dir = PathBuf::from(git_dir);
        let common_dir = here.join(common_dir);
        let id_len = match format {
            "sha1" => 20,
            "sha256" => 32,
            other => bail!("an object format zoomguard does not know: {other:?}"),
        };
        let work_tree = if bare == "true" {
            None
        } else {
            // Fails inside the git directory of a non-bare repository: no work tree there.
            git.run(&["rev-parse", "--show-toplevel"], None).ok().map(|out| {
                let text = String::from_utf8_lossy(&out);
                PathBuf::from(text.strip_suffix('\n').unwrap_or(&text))
            })
        };
        Ok((Layout { git_dir, common_dir, work_tree }, id_len))
    }
}
