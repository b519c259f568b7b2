//! The commits a push would send: git's pre-push lines (`<local ref> <local sha> <remote ref>
//! <remote sha>`) turned into the changes each new commit adds.
//!
//! A commit counts when the push sends it and the remote does not have it yet: for an update
//! of an existing remote branch, the commits since the remote's sha; for a new branch, the
//! commits not reachable from any ref we know of that remote. A deletion sends nothing. Each
//! commit is diffed against its first parent (a root commit against the empty tree), so a
//! merge does not report again what its first parent already had.

use std::collections::HashSet;

use anyhow::{bail, Context, Result};
use git2::{DiffFindOptions, DiffOptions, Oid, Repository, Sort};

use super::Collected;

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
    let mut updates = Vec::new();
    for (number, line) in input.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [local_ref, local, remote_ref, remote] = fields.as_slice() else {
            bail!(
                "pre-push input line {} is not `<local ref> <local sha> <remote ref> <remote sha>`",
                number + 1
            );
        };
        let oid = |text: &str| {
            let full_length = matches!(text.len(), 40 | 64) && text.bytes().all(|b| b.is_ascii_hexdigit());
            if !full_length {
                bail!("pre-push input line {}: {text:?} is not a full object id", number + 1);
            }
            Oid::from_str(text).with_context(|| format!("pre-push input line {}: bad object id", number + 1))
        };
        updates.push(RefUpdate {
            local_ref: (*local_ref).to_owned(),
            local: oid(local)?,
            remote_ref: (*remote_ref).to_owned(),
            remote: oid(remote)?,
        });
    }
    Ok(updates)
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
        let mut walk = repo.revwalk().context("walking the commits to push")?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE).context("ordering the commits to push")?;
        walk.push(update.local).with_context(|| format!("reading {}", update.local_ref))?;
        if !update.remote.is_zero() && repo.find_commit(update.remote).is_ok() {
            walk.hide(update.remote).context("excluding what the remote has")?;
        } else if let Some(remote) = remote {
            // A new branch (or a remote sha we do not have): skip what any ref of that remote has.
            for reference in
                repo.references_glob(&format!("refs/remotes/{remote}/*")).context("listing remote refs")?
            {
                if let Some(target) = reference.context("reading a remote ref")?.target() {
                    walk.hide(target).context("excluding what the remote has")?;
                }
            }
        }
        for oid in walk {
            let oid = oid.context("walking the commits to push")?;
            if seen.insert(oid) {
                add_commit(repo, oid, &mut collected)?;
            }
        }
    }
    Ok(collected)
}

/// Adds what commit `oid` adds relative to its first parent.
pub fn add_commit(repo: &Repository, oid: Oid, collected: &mut Collected) -> Result<()> {
    let commit = repo.find_commit(oid).with_context(|| format!("reading commit {oid}"))?;
    let tree = commit.tree().with_context(|| format!("reading the tree of commit {oid}"))?;
    let parent_tree = match commit.parent(0) {
        Ok(parent) => Some(parent.tree().with_context(|| format!("reading the parent tree of {oid}"))?),
        Err(_) => None,
    };
    let mut options = DiffOptions::new();
    options.context_lines(0).include_typechange(true).ignore_submodules(true);
    let mut diff = repo
        .diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), Some(&mut options))
        .with_context(|| format!("diffing commit {oid}"))?;
    diff.find_similar(Some(DiffFindOptions::new().renames(true).copies(true)))
        .context("detecting renamed and copied files")?;
    let short = oid.to_string()[..10].to_owned();
    let label = format!("{short} {}", commit.summary().ok().flatten().unwrap_or(""));
    collected.add_diff(repo, &diff, Some(&label))
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
    }
}
