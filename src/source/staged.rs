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
//! index that reader leaves alone is diffed by libgit2 whole, and one that libgit2 cannot
//! load either (a split index, a sparse index, an extension it does not know) by git
//! itself, as in a repository that libgit2 cannot open (SHA-256, reftable): `git
//! diff-index --cached`, run with the hook's `GIT_INDEX_FILE`.

use anyhow::{Context, Result};
use git2::{DiffOptions, ErrorCode, Index, Repository, Tree};
use std::collections::HashMap;

use super::index;
use super::lines::OldLines;
use super::renames::{self, changed_files_of};
use super::{text_of, ChangedFile, CopySources, ObjectId, Repo};
use crate::change::{AddedLines, Change};

/// The files staged for the next commit whose new side can hold added text; none is read
/// here, so that workers can read and scan them in parallel, one at a time.
pub fn files(repo: &Repo) -> Result<Vec<ChangedFile>> {
    let Some(lib) = repo.lib() else {
        return repo.git().staged_files(repo.head()?, CopySources::ModifiedFilesOnly);
    };
    let head = head_tree(lib)?;
    match index::read(lib)? {
        Some(staged) => {
            let differences = index::differences(lib, head.as_ref(), &staged)?;
            renames::files_of_differences(lib, &differences, renames::rename_limit(lib))
        }
        None => match lib.index() {
            Ok(index) => diffed_files(lib, head.as_ref(), &index, CopySources::ModifiedFilesOnly),
            Err(refused) => by_git(repo, head.as_ref(), CopySources::ModifiedFilesOnly, &refused),
        },
    }
}

/// The staged files as git finds them, for an index that libgit2 `refused` to load.
fn by_git(
    repo: &Repo,
    head: Option<&Tree<'_>>,
    copies: CopySources,
    refused: &git2::Error,
) -> Result<Vec<ChangedFile>> {
    let head = head.map(|tree| ObjectId::from(tree.id()));
    repo.git()
        .staged_files(head, copies)
        .with_context(|| format!("reading the index, which libgit2 cannot load ({})", refused.message()))
}

/// For the staged `changes` at `paths`, which the fast diff calls new: whether each is
/// really a copy of a file that HEAD already has, and if so only its edits count (its
/// `added` lines become those the copy's edit added). This looks at every unmodified file,
/// so it runs only when a new file holds a finding. Whether any change was narrowed.
pub fn narrow_copies(repo: &Repo, changes: &mut [Change], paths: &[&str]) -> Result<bool> {
    let copies: HashMap<String, (String, ObjectId)> = copies_of_unmodified(repo)?
        .into_iter()
        .filter(|file| paths.contains(&file.path.as_str()))
        // The first pass already tried a pairing by name, and found the two too different.
        .filter(|file| !file.paired_by_name)
        .filter_map(|file| Some((file.path, file.old?)))
        .collect();
    let mut narrowed = false;
    for change in changes.iter_mut() {
        let Some((old_path, old_id)) = copies.get(&change.path) else { continue };
        // An absent source (a partial clone) leaves the copy a new file.
        let Some(old) = repo
            .read_blob(*old_id)
            .with_context(|| format!("reading {old_path}, copied to {}", change.path))?
        else {
            continue;
        };
        change.is_new = false;
        change.added = AddedLines::Ranges(OldLines::of(&text_of(&old)).added_ranges(&change.text));
        narrowed = true;
    }
    Ok(narrowed)
}

/// The staged files, with copies from every file of HEAD found.
fn copies_of_unmodified(repo: &Repo) -> Result<Vec<ChangedFile>> {
    let Some(lib) = repo.lib() else {
        return repo.git().staged_files(repo.head()?, CopySources::AllFiles);
    };
    let head = head_tree(lib)?;
    match lib.index() {
        Ok(index) => diffed_files(lib, head.as_ref(), &index, CopySources::AllFiles),
        Err(refused) => by_git(repo, head.as_ref(), CopySources::AllFiles, &refused),
    }
}

fn head_tree(repo: &Repository) -> Result<Option<Tree<'_>>> {
    match repo.head() {
        Ok(head) => Ok(Some(head.peel_to_tree().context("reading the tree of HEAD")?)),
        Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => Ok(None),
        Err(e) => Err(e).context("reading HEAD"),
    }
}

fn diffed_files(
    repo: &Repository,
    head: Option<&Tree<'_>>,
    index: &Index,
    copies: CopySources,
) -> Result<Vec<ChangedFile>> {
    changed_files_of(
        || {
            repo.diff_tree_to_index(head, Some(index), Some(&mut diff_options(copies)))
                .context("comparing HEAD with the index")
        },
        copies,
        renames::rename_limit(repo),
    )
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

    /// The staged files as this module finds them, checked against libgit2's whole diff and
    /// against git's own (`git diff-index --cached`).
    fn staged_files(dir: &Path, read_by_this_crate: bool) -> Vec<String> {
        let repo = Repo::at(dir).unwrap();
        let lib = repo.lib().expect("libgit2 opens it");
        assert_eq!(index::read(lib).unwrap().is_some(), read_by_this_crate, "who reads the index");
        let fast = listed(files(&repo).unwrap());
        let head = head_tree(lib).unwrap();
        let index = lib.index().unwrap();
        let whole = diffed_files(lib, head.as_ref(), &index, CopySources::ModifiedFilesOnly).unwrap();
        assert_eq!(fast, listed(whole), "the same files as libgit2's whole diff");
        let by_git = repo.git().staged_files(repo.head().unwrap(), CopySources::ModifiedFilesOnly).unwrap();
        assert_eq!(fast, listed(by_git), "the same files as git's diff");
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

    /// Regression (issue 15): a split or sparse index made every commit exit 2 ("reading the
    /// index": libgit2 cannot load one). git reads it now, with the same result as the
    /// whole index of the same change.
    #[test]
    fn split_and_sparse_indexes_are_read_by_git_with_the_same_files() {
        for (format, make) in [
            ("split", &["update-index", "--split-index"][..]),
            ("sparse", &["sparse-checkout", "set", "--cone", "--sparse-index", "d0"][..]),
        ] {
            let repo = committed_repo();
            let dir = repo.path();
            git(dir, make);
            write(dir, "d0/e0/f0.txt", &text(0).replace("line 1 ", "line one "));
            write(dir, "d0/new.txt", "brand new\n");
            git(dir, &["mv", "top.txt", "d0/moved.txt"]);
            git(dir, &["add", "-A", "d0"]);
            let index = std::fs::read(dir.join(".git/index")).unwrap();
            let extension: &[u8] = if format == "split" { b"link" } else { b"sdir" };
            assert!(index.windows(4).any(|w| w == extension), "{format}: git wrote no {extension:?}");
            let repo = Repo::at(dir).unwrap();
            let lib = repo.lib().expect("libgit2 opens the repository");
            assert!(index::read(lib).unwrap().is_none(), "{format}: left to others by this crate's reader");
            assert!(lib.index().is_err(), "{format}: libgit2 cannot load it");
            let found = listed(files(&repo).unwrap());
            // The same change, in a whole index that libgit2 reads.
            git(dir, &["sparse-checkout", "disable"]);
            git(dir, &["update-index", "--no-split-index"]);
            assert_eq!(found, staged_files(dir, true), "{format}");
            assert_eq!(found.len(), 3, "{format}: {found:?}");
        }
    }

    #[test]
    fn conflicts_are_left_to_libgit2() {
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
