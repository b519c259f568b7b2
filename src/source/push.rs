//! The commits a push would send (client side, pre-push) or brings (server side,
//! pre-receive): git's pre-push lines (`<local ref> <local sha> <remote ref>
//! <remote sha>`) turned into the changes each new commit adds.
//!
//! A commit counts when the push sends it and the remote does not have it yet: for an update
//! of an existing remote branch, the commits since the remote's sha; for a new branch, the
//! commits not reachable from any ref we know of that remote. A deletion sends nothing.
//! What each commit adds is read by [`super::commits::changes_of`]. A pushed tag of a blob
//! or a tree sends that object, which is scanned whole. A pushed annotated tag sends its own
//! message, which is scanned unless the remote has that tag object already (the ref's old
//! value there, or what a ref of that remote names), and so does each tag it tags in turn.

use std::collections::HashSet;

use anyhow::{bail, Context, Result};

use super::commits::{add_tag_messages, commits_of, new_commits, refs, NamedObject, Targets};
use super::{ObjectId, ObjectKind, Repo};

/// One line of pre-push input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefUpdate {
    /// The local ref being pushed (`(delete)` for deletions).
    pub local_ref: String,
    /// The local commit (or tag, or whatever the ref names); zero for a deletion.
    pub local: ObjectId,
    /// The ref on the remote.
    pub remote_ref: String,
    /// The remote's current commit; zero when the ref is new there.
    pub remote: ObjectId,
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
        ObjectId::from_hex(text.trim()).with_context(|| format!("{name} is not an object id: {text:?}"))
    };
    Ok(vec![RefUpdate {
        local_ref: std::env::var("PRE_COMMIT_LOCAL_BRANCH").unwrap_or_else(|_| to.clone()),
        local: oid("PRE_COMMIT_TO_REF", &to)?,
        remote_ref: std::env::var("PRE_COMMIT_REMOTE_BRANCH").unwrap_or_default(),
        remote: oid("PRE_COMMIT_FROM_REF", &from)?,
    }])
}

/// Every commit that `updates` would send to `remote` and the remote lacks, oldest first;
/// the blobs and trees that pushed refs name; and the messages of the annotated tags the
/// push sends.
pub fn commits_to_push(repo: &Repo, remote: Option<&str>, updates: &[RefUpdate]) -> Result<Targets> {
    // Skip what the remote has: whatever any ref of that remote points at (a new branch, or
    // commits the remote has under another branch), and each ref's old commit.
    let remote_refs = match remote {
        Some(remote) => refs(repo, &format!("refs/remotes/{remote}/"))?,
        None => Vec::new(),
    };
    let remote_has = commits_of(&remote_refs);
    // The tag objects it has: what those refs name, and what each pushed ref names there now.
    let mut remote_tags: HashSet<ObjectId> = remote_refs.iter().map(|r| r.id).collect();
    remote_tags.extend(updates.iter().map(|u| u.remote).filter(|id| !id.is_zero()));
    let mut targets = Targets::default();
    let mut seen = HashSet::new();
    let mut tags_seen = HashSet::new();
    for update in updates.iter().filter(|u| !u.local.is_zero()) {
        let (name, id) = (&update.local_ref, update.local);
        add_tag_messages(repo, name, id, &remote_tags, &mut tags_seen, &mut targets.tags)
            .with_context(|| format!("reading the tags {name} sends"))?;
        let mut hide = remote_has.clone();
        if !update.remote.is_zero() {
            if let Some((ObjectKind::Commit, commit)) = repo.peel(update.remote)? {
                hide.push(commit);
            }
        }
        let sent = |what: &str| format!("{what} {} sends", update.local_ref);
        let unchanged = update.local == update.remote;
        add_target(repo, &mut targets, &mut seen, &update.local_ref, update.local, &hide, unchanged)
            .with_context(|| sent("reading the commits"))?;
    }
    Ok(targets)
}

/// Adds what `id`, which `name` now names, brings: the commits it reaches that `hide` does
/// not, or, for a blob or a tree (unless `unchanged`), that object.
fn add_target(
    repo: &Repo,
    targets: &mut Targets,
    seen: &mut HashSet<ObjectId>,
    name: &str,
    id: ObjectId,
    hide: &[ObjectId],
    unchanged: bool,
) -> Result<()> {
    match repo.peel(id)? {
        Some((ObjectKind::Commit, commit)) => new_commits(repo, &[commit], hide, seen, &mut targets.commits),
        Some((kind @ (ObjectKind::Blob | ObjectKind::Tree), id)) => {
            if !unchanged && seen.insert(id) {
                targets.objects.push(NamedObject { name: name.to_owned(), kind, id });
            }
            Ok(())
        }
        Some((ObjectKind::Tag, _)) => bail!("a tag that names nothing"),
        None => Err(repo.absent_error(id, &format!("what {name} names"))),
    }
}

/// One line of pre-receive input: `<old sha> <new sha> <ref name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedUpdate {
    /// What the ref pointed at before; zero for a new ref.
    pub old: ObjectId,
    /// What the push sets it to; zero for a deletion.
    pub new: ObjectId,
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

/// The commits a push brings to this (server) repository, oldest first, the blobs and
/// trees that pushed refs name, and the messages of the annotated tags it brings (those that
/// no ref here names already). The new objects sit in git's quarantine directory, which
/// `open_from_env` (and git itself) reads through `GIT_OBJECT_DIRECTORY` and
/// `GIT_ALTERNATE_OBJECT_DIRECTORIES`.
pub fn received_commits(repo: &Repo, updates: &[ReceivedUpdate]) -> Result<Targets> {
    let mut targets = Targets::default();
    let mut seen = HashSet::new();
    // The server has everything its refs reach, whichever ref is being updated.
    let existing_refs = refs(repo, "refs/")?;
    let existing = commits_of(&existing_refs);
    let mut existing_tags: HashSet<ObjectId> = existing_refs.iter().map(|r| r.id).collect();
    existing_tags.extend(updates.iter().map(|u| u.old).filter(|id| !id.is_zero()));
    let mut tags_seen = HashSet::new();
    for update in updates.iter().filter(|u| !u.new.is_zero()) {
        add_tag_messages(repo, &update.name, update.new, &existing_tags, &mut tags_seen, &mut targets.tags)
            .with_context(|| format!("reading the tags pushed to {}", update.name))?;
        add_target(
            repo,
            &mut targets,
            &mut seen,
            &update.name,
            update.new,
            &existing,
            update.new == update.old,
        )
        .with_context(|| format!("reading the commits pushed to {}", update.name))?;
    }
    Ok(targets)
}

fn full_oid(text: &str, line: usize) -> Result<ObjectId> {
    ObjectId::from_hex(text).with_context(|| format!("input line {line}: {text:?} is not a full object id"))
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
