//! Commits as sources of changes: which commits a range or the whole history holds, and
//! what each commit adds. Pushes, server pushes and CI scans all read commits this way.
//!
//! A commit is diffed against its first parent (a root commit against the empty tree). For a
//! merge, only lines that no parent had count, so merging a branch does not report again
//! what the branch brought.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use aho_corasick::AhoCorasick;
use anyhow::{bail, Context, Result};
use git2::{Diff, DiffFindOptions, DiffOptions, FileMode, ObjectType, Oid, Repository, Sort, Tree};

use super::{added_lines_by_path, lossy_path, Collected};
use crate::change::{line_number, read_text, AddedLines, Change, CommitInfo};
use crate::detect::{scan_unsettled, ScanOptions};

/// Every commit reachable from any ref or from HEAD, oldest first.
pub fn all_commits(repo: &Repository) -> Result<Vec<Oid>> {
    let mut tips = ref_targets(repo, "refs/*")?;
    if let Ok(head) = repo.head().and_then(|head| head.peel_to_commit()) {
        tips.push(head.id());
    }
    let mut commits = Vec::new();
    new_commits(repo, &tips, &[], &mut HashSet::new(), &mut commits)?;
    Ok(commits)
}

/// The commits of `spec` (`A..B`: reachable from B and not from A; `A...B`: reachable from
/// B and not from the merge base of A and B), oldest first.
pub fn range_commits(repo: &Repository, spec: &str) -> Result<Vec<Oid>> {
    let (from, to, symmetric) = match spec.split_once("...") {
        Some((from, to)) => (from, to, true),
        None => match spec.split_once("..") {
            Some((from, to)) => (from, to, false),
            None => bail!("{spec:?} is not a range: give it as A..B (the commits of B that A lacks)"),
        },
    };
    let resolve = |name: &str| -> Result<Oid> {
        let name = if name.is_empty() { "HEAD" } else { name };
        let object = repo.revparse_single(name).with_context(|| format!("resolving {name:?} in {spec:?}"))?;
        let commit = object.peel_to_commit().with_context(|| format!("{name:?} does not name a commit"))?;
        Ok(commit.id())
    };
    let (from, to) = (resolve(from)?, resolve(to)?);
    let hide = if symmetric {
        repo.merge_base(from, to).with_context(|| format!("finding the merge base of {spec:?}"))?
    } else {
        from
    };
    let mut commits = Vec::new();
    new_commits(repo, &[to], &[hide], &mut HashSet::new(), &mut commits)?;
    Ok(commits)
}

/// The commits that the refs matching `glob` point at (tags peeled to their commits).
pub fn ref_targets(repo: &Repository, glob: &str) -> Result<Vec<Oid>> {
    let mut targets = Vec::new();
    for reference in repo.references_glob(glob).with_context(|| format!("listing {glob}"))? {
        let reference = reference.context("reading a ref")?;
        if let Ok(commit) = reference.peel_to_commit() {
            targets.push(commit.id());
        }
    }
    Ok(targets)
}

/// Appends to `out` every commit reachable from `tips` and not from `hide`, oldest first,
/// skipping those already in `seen`.
pub fn new_commits(
    repo: &Repository,
    tips: &[Oid],
    hide: &[Oid],
    seen: &mut HashSet<Oid>,
    out: &mut Vec<Oid>,
) -> Result<()> {
    let mut walk = repo.revwalk().context("starting a walk over the commits")?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE).context("ordering the commits")?;
    for &tip in tips {
        walk.push(tip).with_context(|| format!("reading commit {tip}"))?;
    }
    for &oid in hide {
        walk.hide(oid).with_context(|| format!("excluding commit {oid}"))?;
    }
    for oid in walk {
        let oid = oid.context("walking the commits")?;
        if seen.insert(oid) {
            out.push(oid);
        }
    }
    Ok(())
}

/// What commit `oid` adds: its diff against its first parent (a root commit against the
/// empty tree), and for a merge only the lines that no parent had. `position` is the
/// commit's place in the walk (see [`CommitInfo::position`]); files over `max_file_size`
/// bytes are listed, not read.
pub fn changes_of(repo: &Repository, oid: Oid, position: usize, max_file_size: u64) -> Result<Collected> {
    let commit = repo.find_commit(oid).with_context(|| format!("reading commit {oid}"))?;
    let tree = commit.tree().with_context(|| format!("reading the tree of commit {oid}"))?;
    let parent_trees = commit
        .parents()
        .map(|parent| parent.tree())
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("reading the parent trees of commit {oid}"))?;
    let info = Arc::new(CommitInfo {
        id: oid.to_string(),
        summary: String::from_utf8_lossy(commit.summary_bytes().unwrap_or_default()).into_owned(),
        author_time: commit.author().when().seconds(),
        position,
    });
    let mut added = Collected::with_max_file_size(max_file_size);
    added.add_diff(repo, &commit_diff(repo, parent_trees.first(), &tree, oid)?, Some(&info))?;
    for other_parent in parent_trees.iter().skip(1) {
        let other_side = added_lines_by_path(&commit_diff(repo, Some(other_parent), &tree, oid)?)?;
        added.keep_added_in(&other_side);
    }
    // A curl -u id:secret pasted into the message is in the history as surely as a file.
    added.add_message(commit.message_bytes(), &info);
    Ok(added)
}

fn commit_diff<'r>(
    repo: &'r Repository,
    parent: Option<&Tree<'r>>,
    tree: &Tree<'r>,
    oid: Oid,
) -> Result<Diff<'r>> {
    let mut options = DiffOptions::new();
    options.context_lines(0).include_typechange(true).ignore_submodules(true);
    let mut diff = repo
        .diff_tree_to_tree(parent, Some(tree), Some(&mut options))
        .with_context(|| format!("diffing commit {oid}"))?;
    diff.find_similar(Some(DiffFindOptions::new().renames(true).copies(true)))
        .context("detecting renamed and copied files")?;
    Ok(diff)
}

/// Places in a tree: (path, 1-based line).
pub type TreePlaces = Vec<(String, u32)>;

/// Where each of `needles` sits in HEAD's tree: for each needle, the (path, 1-based line) of
/// every occurrence in a text file. `None` when HEAD names no commit (an empty repository).
pub fn places_at_head(repo: &Repository, needles: &[&str]) -> Result<Option<Vec<TreePlaces>>> {
    let Ok(head) = repo.head().and_then(|head| head.peel_to_commit()) else { return Ok(None) };
    let tree = head.tree().context("reading the tree of HEAD")?;
    let mut places = vec![Vec::new(); needles.len()];
    if needles.is_empty() {
        return Ok(Some(places));
    }
    let searcher = AhoCorasick::new(needles).context("building the search for the values at HEAD")?;
    let index_of: HashMap<&str, usize> = needles.iter().enumerate().map(|(i, needle)| (*needle, i)).collect();
    let mut files = Vec::new();
    tree_files(repo, &tree, Vec::new(), &mut files)?;
    for (path, id) in files {
        let blob = repo.find_blob(id).with_context(|| format!("reading {path} at HEAD"))?;
        // Read as the scan read it: a UTF-16 file's value is searched in its decoded text.
        let Some(text) = read_text(blob.content()).into_text() else { continue };
        let mut here: Vec<(usize, u32)> = searcher
            .find_iter(&*text)
            .map(|hit| {
                (hit.pattern().as_usize(), u32::try_from(line_number(&text, hit.start())).unwrap_or(u32::MAX))
            })
            .collect();
        // A value written encoded (base64, percent-encoded, split into literals) is not in the
        // text as itself: the detector reads it, and its finding names the decoded value.
        let change =
            Change { path: path.clone(), old_path: None, text: text.into_owned(), added: AddedLines::All };
        for finding in scan_unsettled(&change, &ScanOptions::default()).findings {
            if let Some(&index) = index_of.get(finding.secret()) {
                if !here.contains(&(index, finding.line)) {
                    here.push((index, finding.line));
                }
            }
        }
        here.sort_unstable();
        for (index, line) in here {
            places[index].push((path.clone(), line));
        }
    }
    Ok(Some(places))
}

/// The regular files of `tree` (recursively), as (path, blob id).
fn tree_files(
    repo: &Repository,
    tree: &Tree<'_>,
    prefix: Vec<u8>,
    out: &mut Vec<(String, Oid)>,
) -> Result<()> {
    for entry in tree {
        let mut path = prefix.clone();
        path.extend_from_slice(entry.name_bytes());
        match entry.kind() {
            Some(ObjectType::Tree) => {
                let subtree = repo
                    .find_tree(entry.id())
                    .with_context(|| format!("reading directory {} at HEAD", lossy_path(Some(&path))))?;
                path.push(b'/');
                tree_files(repo, &subtree, path, out)?;
            }
            Some(ObjectType::Blob)
                if [FileMode::Blob, FileMode::BlobExecutable].map(i32::from).contains(&entry.filemode()) =>
            {
                out.push((lossy_path(Some(&path)), entry.id()));
            }
            _ => {}
        }
    }
    Ok(())
}
