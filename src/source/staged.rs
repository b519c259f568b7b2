//! The staged change: what `git commit` is about to record.
//!
//! The diff is HEAD's tree (none on an unborn branch) against the index that git hands the
//! hook. `Repository::open_from_env` honours `GIT_DIR`, `GIT_INDEX_FILE` (the temporary
//! index of `git commit -a`, `git commit <path>`, `--only`, `--include`) and linked
//! worktrees. New text always comes from the index blob, never from the working tree, so
//! unstaged edits neither block nor hide anything.

use anyhow::{Context, Result};
use git2::{Delta, Diff, DiffFindOptions, DiffOptions, ErrorCode, Repository, Tree};
use std::collections::HashMap;

use super::{added_ranges, changed_files, lossy_path, ChangedFile};
use crate::change::AddedLines;

/// The files staged for the next commit whose new side can hold added text; none is read
/// here, so that workers can read and scan them in parallel, one at a time.
pub fn files(repo: &Repository) -> Result<Vec<ChangedFile>> {
    let head = head_tree(repo)?;
    let diff = staged_diff(repo, head.as_ref(), CopySources::ModifiedFilesOnly)?;
    Ok(changed_files(&diff))
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
    let mut options = DiffOptions::new();
    options
        .context_lines(0)
        .include_typechange(true)
        .ignore_submodules(true)
        .include_unmodified(copies == CopySources::AllFiles);
    let mut diff = repo
        .diff_tree_to_index(head, Some(&index), Some(&mut options))
        .context("comparing HEAD with the index")?;
    let mut find = DiffFindOptions::new();
    find.renames(true).copies(true).copies_from_unmodified(copies == CopySources::AllFiles);
    diff.find_similar(Some(&mut find)).context("detecting renamed and copied files")?;
    Ok(diff)
}
