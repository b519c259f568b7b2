//! The commits a push would send (client side, pre-push) or brings (server side,
//! pre-receive): git's pre-push lines (`<local ref> <local sha> <remote ref>
//! <remote sha>`) turned into the changes each new commit adds.
//!
//! A commit counts when the push sends it and the remote does not have it yet: for an update
//! of an existing remote branch, the commits since the remote's sha; for a new branch, the
//! commits not reachable from any ref we know of that remote. A deletion sends nothing. Each
//! commit is diffed against its first parent (a root commit against the empty tree), so a
//! merge does not report again what its first parent already had.

use std::collections::HashSet;

use anyhow::{bail, Context, Result};
use git2::{Diff, DiffFindOptions, DiffOptions, Oid, Repository, Sort, Tree};

use super::{added_lines_by_path, Collected};

/// One line of pre-push input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefUpdate {
    /// The local ref being pushed (`(delete)` for deletions).
    pub local_ref: String,
    /// The local commit; zero for a deletion.
    pub local: Oid,
    /// The ref on the remote.
    pub remote_ref: String,
    /// The remote's current commit; zero when the ref is new there.
    pub remote: Oid,
}

/// Parses git's pre-push standard input. Blank lines are ignored; anything else malformed is an error.
pub fn parse_pre_push(input: &str) -> Result<Vec<RefUpdate>> {
    hook_input_lines(input, "`<local ref> <local sha> <remote ref> <remote sha>`")?
        .into_iter()
        .map(|(number, [local_ref, local, remote_ref, remote])| {
            Ok(RefUpdate {
                local_ref: local_ref.to_owned(),
                local: full_oid(local, number)?,
                remote_ref: remote_ref.to_owned(),
                remote: full_oid(remote, number)?,
            })
        })
        .collect()
}

/// The push range that the pre-commit framework passes in `PRE_COMMIT_FROM_REF` (what the
/// remote has) and `PRE_COMMIT_TO_REF` (what is pushed); none when they are not set.
pub fn from_pre_commit_framework() -> Result<Vec<RefUpdate>> {
    let (Ok(from), Ok(to)) = (std::env::var("PRE_COMMIT_FROM_REF"), std::env::var("PRE_COMMIT_TO_REF"))
    else {
        return Ok(Vec::new());
    };
    let oid = |name: &str, text: &str| {
        Oid::from_str(text.trim()).with_context(|| format!("{name} is not an object id: {text:?}"))
    };
    Ok(vec![RefUpdate {
        local_ref: std::env::var("PRE_COMMIT_LOCAL_BRANCH").unwrap_or_else(|_| to.clone()),
        local: oid("PRE_COMMIT_TO_REF", &to)?,
        remote_ref: std::env::var("PRE_COMMIT_REMOTE_BRANCH").unwrap_or_default(),
        remote: oid("PRE_COMMIT_FROM_REF", &from)?,
    }])
}

/// The changes added by every commit that `updates` would send to `remote`.
pub fn collect(repo: &Repository, remote: Option<&str>, updates: &[RefUpdate]) -> Result<Collected> {
    let mut collected = Collected::default();
    let mut seen = HashSet::new();
    for update in updates.iter().filter(|u| !u.local.is_zero()) {
        // Skip what the remote has: the ref's old commit, and whatever any ref of that remote
        // points at (a new branch, or commits the remote has under another branch).
        let mut hide = match remote {
            Some(remote) => ref_targets(repo, &format!("refs/remotes/{remote}/*"))?,
            None => Vec::new(),
        };
        if !update.remote.is_zero() && repo.find_commit(update.remote).is_ok() {
            hide.push(update.remote);
        }
        add_new_commits(repo, update.local, &hide, &mut seen, &mut collected)
            .with_context(|| format!("reading the commits of {}", update.local_ref))?;
    }
    Ok(collected)
}

/// One line of pre-receive input: `<old sha> <new sha> <ref name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedUpdate {
    /// What the ref pointed at before; zero for a new ref.
    pub old: Oid,
    /// What the push sets it to; zero for a deletion.
    pub new: Oid,
    /// The ref name.
    pub name: String,
}

/// Parses a pre-receive hook's standard input.
pub fn parse_pre_receive(input: &str) -> Result<Vec<ReceivedUpdate>> {
    hook_input_lines(input, "`<old sha> <new sha> <ref name>`")?
        .into_iter()
        .map(|(number, [old, new, name])| {
            Ok(ReceivedUpdate {
                old: full_oid(old, number)?,
                new: full_oid(new, number)?,
                name: name.to_owned(),
            })
        })
        .collect()
}

/// The non-blank lines of a hook's standard input, each split into exactly `N` fields, with
/// its 1-based line number; a line with another number of fields is an error naming `shape`.
fn hook_input_lines<'a, const N: usize>(input: &'a str, shape: &str) -> Result<Vec<(usize, [&'a str; N])>> {
    let mut lines = Vec::new();
    for (index, line) in input.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let Ok(fields) = <[&str; N]>::try_from(fields) else {
            bail!("hook input line {} is not {shape}", index + 1);
        };
        lines.push((index + 1, fields));
    }
    Ok(lines)
}

/// The changes added by the commits a push brings to this (server) repository. The new
/// objects sit in git's quarantine directory, which `open_from_env` reads through
/// `GIT_OBJECT_DIRECTORY` and `GIT_ALTERNATE_OBJECT_DIRECTORIES`.
pub fn collect_received(repo: &Repository, updates: &[ReceivedUpdate]) -> Result<Collected> {
    let mut collected = Collected::default();
    let mut seen = HashSet::new();
    let existing = ref_targets(repo, "refs/*")?;
    for update in updates.iter().filter(|u| !u.new.is_zero()) {
        // The server has everything its refs reach, whichever ref is being updated.
        add_new_commits(repo, update.new, &existing, &mut seen, &mut collected)
            .with_context(|| format!("reading the commits pushed to {}", update.name))?;
    }
    Ok(collected)
}

/// The commits that the refs matching `glob` point at (tags peeled to their commits).
fn ref_targets(repo: &Repository, glob: &str) -> Result<Vec<Oid>> {
    let mut targets = Vec::new();
    for reference in repo.references_glob(glob).with_context(|| format!("listing {glob}"))? {
        let reference = reference.context("reading a ref")?;
        if let Ok(commit) = reference.peel_to_commit() {
            targets.push(commit.id());
        }
    }
    Ok(targets)
}

/// Adds every commit reachable from `tip` and not from `hide`, oldest first, each once.
fn add_new_commits(
    repo: &Repository,
    tip: Oid,
    hide: &[Oid],
    seen: &mut HashSet<Oid>,
    collected: &mut Collected,
) -> Result<()> {
    let mut walk = repo.revwalk().context("starting a walk over the commits")?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE).context("ordering the commits")?;
    walk.push(tip).with_context(|| format!("reading commit {tip}"))?;
    for &oid in hide {
        walk.hide(oid).with_context(|| format!("excluding commit {oid}"))?;
    }
    for oid in walk {
        let oid = oid.context("walking the commits")?;
        if seen.insert(oid) {
            add_commit(repo, oid, collected)?;
        }
    }
    Ok(())
}

fn full_oid(text: &str, line: usize) -> Result<Oid> {
    let full_length = matches!(text.len(), 40 | 64) && text.bytes().all(|b| b.is_ascii_hexdigit());
    if !full_length {
        bail!("input line {line}: {text:?} is not a full object id");
    }
    Oid::from_str(text).with_context(|| format!("input line {line}: bad object id"))
}

/// Adds what commit `oid` adds: its diff against its first parent (a root commit against the
/// empty tree). For a merge, only lines that no parent had count, so merging a branch does not
/// report again what that branch brought.
pub fn add_commit(repo: &Repository, oid: Oid, collected: &mut Collected) -> Result<()> {
    let commit = repo.find_commit(oid).with_context(|| format!("reading commit {oid}"))?;
    let tree = commit.tree().with_context(|| format!("reading the tree of commit {oid}"))?;
    let parent_trees = commit
        .parents()
        .map(|parent| parent.tree())
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("reading the parent trees of commit {oid}"))?;
    let short = oid.to_string()[..10].to_owned();
    let label = format!("{short} {}", commit.summary().ok().flatten().unwrap_or(""));
    let mut added = Collected::default();
    added.add_diff(repo, &commit_diff(repo, parent_trees.first(), &tree, oid)?, Some(&label))?;
    for other_parent in parent_trees.iter().skip(1) {
        let other_side = added_lines_by_path(&commit_diff(repo, Some(other_parent), &tree, oid)?)?;
        added.keep_added_in(&other_side);
    }
    collected.changes.append(&mut added.changes);
    collected.commits.append(&mut added.commits);
    collected.binary_skipped.append(&mut added.binary_skipped);
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_updates_and_skips_blank_lines() {
        let a = "1".repeat(40);
        let zero = "0".repeat(40);
        let input = format!("refs/heads/main {a} refs/heads/main {zero}\n\n");
        let updates = parse_pre_push(&input).expect("valid input");
        assert_eq!(updates.len(), 1);
        assert!(updates[0].remote.is_zero());
        assert_eq!(updates[0].remote_ref, "refs/heads/main");
    }

    #[test]
    fn rejects_malformed_lines() {
        assert!(parse_pre_push("refs/heads/main abc").is_err());
        assert!(parse_pre_push("a b c d").is_err());
        assert!(parse_pre_receive("a b").is_err());
        assert!(parse_pre_receive("a b refs/heads/main").is_err());
    }

    #[test]
    fn parses_received_updates() {
        let (a, zero) = ("a".repeat(40), "0".repeat(40));
        let updates = parse_pre_receive(&format!("{zero} {a} refs/heads/topic\n")).expect("valid input");
        assert_eq!(updates.len(), 1);
        assert!(updates[0].old.is_zero());
        assert_eq!(updates[0].name, "refs/heads/topic");
    }
}
