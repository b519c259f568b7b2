//! The staged change: what `git commit` is about to record.
//!
//! The diff is HEAD's tree (none on an unborn branch) against the index that git hands the
//! hook. `Repository::open_from_env` honours `GIT_DIR`, `GIT_INDEX_FILE` (the temporary
//! index of `git commit -a`, `git commit <path>`, `--only`, `--include`) and linked
//! worktrees. New text always comes from the index blob, never from the working tree, so
//! unstaged edits neither block nor hide anything.
//!
//! The index is read by [`index`](super::index), which finds the changed paths the way git
//! does; libgit2 then diffs only those paths, so renames and copies are found as before. An
//! index that reader leaves alone is diffed by libgit2 whole.

use anyhow::{Context, Result};
use git2::{
    Delta, Diff, DiffFindOptions, DiffOptions, ErrorCode, Index, IndexEntry, IndexTime, Repository, Tree,
};
use std::collections::HashMap;

use super::index::{self, Difference, Side};
use super::{added_ranges, changed_files, lossy_path, ChangedFile};
use crate::change::AddedLines;

/// The files staged for the next commit whose new side can hold added text; none is read
/// here, so that workers can read and scan them in parallel, one at a time.
pub fn files(repo: &Repository) -> Result<Vec<ChangedFile>> {
    let head = head_tree(repo)?;
    let diff = match index::read(repo)? {
        Some(staged) => {
            let differences = index::differences(repo, head.as_ref(), &staged)?;
            differences_diff(repo, &differences)?
        }
        None => staged_diff(repo, head.as_ref(), CopySources::ModifiedFilesOnly)?,
    };
    Ok(changed_files(&diff))
}

/// libgit2's diff of just the paths in `differences`: HEAD's side of each in one in-memory
/// index, the staged side in another. Rename and copy sources are the changed files, as
/// with [`CopySources::ModifiedFilesOnly`].
fn differences_diff<'r>(repo: &'r Repository, differences: &[Difference]) -> Result<Diff<'r>> {
    let mut head = Index::new().context("making an in-memory index")?;
    let mut staged = Index::new().context("making an in-memory index")?;
    for difference in differences {
        let sides = [(&mut head, difference.head), (&mut staged, difference.staged)];
        for (index, side) in sides {
            if let Some(side) = side {
                index.add(&index_entry(&difference.path, side)).with_context(|| {
                    format!("listing the staged file {}", lossy_path(Some(&difference.path)))
                })?;
            }
        }
    }
    let mut diff = repo
        .diff_index_to_index(&head, &staged, Some(&mut diff_options(CopySources::ModifiedFilesOnly)))
        .context("comparing HEAD with the index")?;
    find_similar(&mut diff, CopySources::ModifiedFilesOnly)?;
    Ok(diff)
}

fn index_entry(path: &[u8], side: Side) -> IndexEntry {
    let never = IndexTime::new(0, 0);
    IndexEntry {
        ctime: never,
        mtime: never,
        dev: 0,
        ino: 0,
        mode: side.mode,
        uid: 0,
        gid: 0,
        file_size: 0,
        id: side.id,
        flags: 0,
        flags_extended: 0,
        path: path.to_vec(),
    }
}

/// For files that the fast diff calls new, whether each is really a copy of a file that
/// HEAD already has, and if so which of its lines the copy's edit added. This looks at
/// every unmodified file, so it runs only when a new file holds a finding.
pub fn copies_of_unmodified(
    repo: &Repository,
    paths: &[&str],
) -> Result<HashMap<String, (String, AddedLines)>> {
    let head = head_tree(repo)?;
    let diff = staged_diff(repo, head.as_ref(), CopySources::AllFiles)?;
    let mut copies = HashMap::new();
    for index in 0..diff.deltas().len() {
        let Some(delta) = diff.get_delta(index) else { continue };
        let path = lossy_path(delta.new_file().path_bytes());
        if delta.status() == Delta::Copied && paths.contains(&path.as_str()) {
            let old = lossy_path(delta.old_file().path_bytes());
            let ranges = added_ranges(&diff, index, &path)?;
            copies.insert(path, (old, AddedLines::Ranges(ranges)));
        }
    }
    Ok(copies)
}

/// Where copies may come from: only files modified in the change (cheap), or every file.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CopySources {
    ModifiedFilesOnly,
    AllFiles,
}

fn head_tree(repo: &Repository) -> Result<Option<Tree<'_>>> {
    match repo.head() {
        Ok(head) => Ok(Some(head.peel_to_tree().context("reading the tree of HEAD")?)),
        Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => Ok(None),
        Err(e) => Err(e).context("reading HEAD"),
    }
}

fn staged_diff<'r>(repo: &'r Repository, head: Option<&Tree<'r>>, copies: CopySources) -> Result<Diff<'r>> {
    let index = repo.index().context("reading the index")?;
    let mut diff = repo
        .diff_tree_to_index(head, Some(&index), Some(&mut diff_options(copies)))
        .context("comparing HEAD with the index")?;
    find_similar(&mut diff, copies)?;
    Ok(diff)
}

fn diff_options(copies: CopySources) -> DiffOptions {
    let mut options = DiffOptions::new();
    options
        .context_lines(0)
        .include_typechange(true)
        .ignore_submodules(true)
        .include_unmodified(copies == CopySources::AllFiles);
    options
}

fn find_similar(diff: &mut Diff<'_>, copies: CopySources) -> Result<()> {
    let mut find = DiffFindOptions::new();
    find.renames(true).copies(true).copies_from_unmodified(copies == CopySources::AllFiles);
    diff.find_similar(Some(&mut find)).context("detecting renamed and copied files")
}

#[cfg(test)]
mod tests {
    use super::super::testing::{git, write};
    use super::*;
    use std::path::Path;
    use std::process::Command;

    fn text(seed: usize) -> String {
        (0..40).map(|line| format!("line {line} of file {seed}\n")).collect()
    }

    /// A repository of 60 files in nested directories, committed.
    fn committed_repo() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q", "-b", "main"]);
        for file in 0..60 {
            write(dir.path(), &format!("d{}/e{}/f{file}.txt", file % 3, file % 5), &text(file));
        }
        write(dir.path(), "top.txt", &text(100));
        git(dir.path(), &["add", "-A"]);
        git(dir.path(), &["commit", "-q", "-m", "start"]);
        dir
    }

    fn listed(files: Vec<ChangedFile>) -> Vec<String> {
        let mut listed: Vec<String> = files.iter().map(|file| format!("{:?}", file)).collect();
        listed.sort();
        listed
    }

    /// The staged files as this module finds them, checked against libgit2's whole diff.
    fn staged_files(dir: &Path, read_by_this_crate: bool) -> Vec<String> {
        let repo = Repository::open(dir).unwrap();
        assert_eq!(index::read(&repo).unwrap().is_some(), read_by_this_crate, "who reads the index");
        let fast = listed(files(&repo).unwrap());
        let head = head_tree(&repo).unwrap();
        let whole = staged_diff(&repo, head.as_ref(), CopySources::ModifiedFilesOnly).unwrap();
        assert_eq!(fast, listed(changed_files(&whole)), "the same files as libgit2's whole diff");
        fast
    }

    #[test]
    fn a_one_line_change_deep_in_the_tree() {
        let repo = committed_repo();
        write(repo.path(), "d1/e2/f7.txt", &text(7).replace("line 3 ", "line three "));
        git(repo.path(), &["add", "-A"]);
        let files = staged_files(repo.path(), true);
        assert_eq!(files.len(), 1);
        assert!(files[0].contains("d1/e2/f7.txt"), "{files:?}");
    }

    #[test]
    fn adds_edits_deletions_renames_and_copies_match_libgit2() {
        let repo = committed_repo();
        let dir = repo.path();
        write(dir, "d0/e0/f0.txt", &text(0).replace("line 1 ", "line one "));
        write(dir, "d0/new/added.txt", "brand new\n");
        write(dir, "d2/e1/f5-copy.txt", &format!("{}copied\n", text(5)));
        write(dir, "d2/e1/f5.txt", &text(5).replace("line 9 ", "line nine "));
        git(dir, &["rm", "-q", "d1/e1/f1.txt"]);
        git(dir, &["mv", "d0/e3/f3.txt", "moved.txt"]);
        write(dir, "moved.txt", &format!("{}edited after the move\n", text(3)));
        git(dir, &["mv", "d2/e2", "d2/renamed"]);
        git(dir, &["add", "-A"]);
        let files = staged_files(dir, true);
        assert!(
            files.iter().any(|file| file.contains("\"moved.txt\"") && file.contains("d0/e3/f3.txt")),
            "{files:?}"
        );
    }

    #[test]
    fn files_replaced_by_directories_type_and_mode_changes_match_libgit2() {
        let repo = committed_repo();
        let dir = repo.path();
        git(dir, &["rm", "-q", "top.txt"]);
        write(dir, "top.txt/inside.txt", "was a file\n");
        git(dir, &["rm", "-q", "-r", "d1/e3"]);
        write(dir, "d1/e3", "was a directory\n");
        std::fs::remove_file(dir.join("d0/e1/f6.txt")).unwrap();
        std::os::unix::fs::symlink("f0.txt", dir.join("d0/e1/f6.txt")).unwrap();
        git(dir, &["add", "-A"]);
        git(dir, &["update-index", "--chmod=+x", "d2/e4/f14.txt"]);
        staged_files(dir, true);
    }

    #[test]
    fn index_version_4_and_an_unborn_branch_are_read_here() {
        let repo = committed_repo();
        let dir = repo.path();
        git(dir, &["update-index", "--index-version", "4"]);
        write(dir, "d0/e0/f0.txt", "changed\n");
        write(dir, "d0/e0/f0-longer-name.txt", "added\n");
        git(dir, &["add", "-A"]);
        assert_eq!(staged_files(dir, true).len(), 2);

        let unborn = tempfile::tempdir().unwrap();
        git(unborn.path(), &["init", "-q"]);
        write(unborn.path(), "a/b.txt", "first\n");
        git(unborn.path(), &["add", "-A"]);
        assert_eq!(staged_files(unborn.path(), true).len(), 1);
    }

    #[test]
    fn split_indexes_and_conflicts_are_left_to_libgit2() {
        let repo = committed_repo();
        let dir = repo.path();
        git(dir, &["update-index", "--split-index"]);
        write(dir, "d0/e0/f0.txt", "changed\n");
        git(dir, &["add", "-A"]);
        let repo = Repository::open(dir).unwrap();
        assert!(index::read(&repo).unwrap().is_none(), "a split index is left to libgit2");
        // libgit2 cannot read one either: that is an error that names the index, never a pass.
        let error = files(&repo).unwrap_err();
        assert_eq!(error.to_string(), "reading the index");

        let repo = committed_repo();
        let dir = repo.path();
        git(dir, &["checkout", "-q", "-b", "side"]);
        write(dir, "top.txt", "side\n");
        git(dir, &["commit", "-q", "-am", "side"]);
        git(dir, &["checkout", "-q", "main"]);
        write(dir, "top.txt", "main\n");
        git(dir, &["commit", "-q", "-am", "main"]);
        let merge = Command::new("git").args(["merge", "-q", "side"]).current_dir(dir).output().unwrap();
        assert!(!merge.status.success(), "the merge conflicts");
        let repo = Repository::open(dir).unwrap();
        assert!(index::read(&repo).unwrap().is_none(), "conflict stages are left to libgit2");
    }
}
