//! Renames and copies, found in time linear in the change, the way git bounds them.
//!
//! Which old file a new one came from decides which of its lines count as added. libgit2's
//! `find_similar` compares every new file with every old one (up to a thousand per new file),
//! each comparison a content signature: staging a reorganisation of 3,000 files costs the hook
//! seconds to tens of seconds, where `git diff` takes one. git bounds its exhaustive search by
//! `diff.renameLimit` (default 1,000): it runs only while new × old files stay within the
//! limit squared. Past it, git keeps its cheap steps (exact renames by object id, then a file
//! moved to another directory under the same name) and calls every other new file added.
//!
//! So does this module: within the limit, libgit2's full detection, as before; past it, exact
//! matches by id (a hash map: linear), then pairs of a deleted and an added file that are alone
//! in having their name, which count only if they are similar enough once both are read
//! ([`is_similar_enough`]); every other new file is added, every line of it. More lines are
//! scanned past the limit, never fewer than git's own diff shows as added.

use std::collections::HashMap;

use anyhow::{Context, Result};
use git2::{Delta, Diff, DiffFindOptions, DiffOptions, FileMode, Index, IndexEntry, IndexTime, Repository};

use super::index::{Difference, Stored};
use super::mode;
use super::{lossy_path, ChangedFile, CopySources, ObjectId};

/// git's default `diff.renameLimit`.
pub const DEFAULT_RENAME_LIMIT: u64 = 1000;

/// The share of a file's lines, in percent, that a file found under the same name in another
/// directory must keep to count as its rename (git's rename threshold of 50% moved halfway to
/// 100%, as git's own name-based step does).
const SAME_NAME_SIMILARITY_PERCENT: u64 = 75;

/// `diff.renameLimit` in `repo`'s config: git's default when unset, no limit at 0.
pub fn rename_limit(repo: &Repository) -> u64 {
    let configured = repo.config().ok().and_then(|config| config.get_i64("diff.renameLimit").ok());
    match configured {
        Some(limit) => u64::try_from(limit).unwrap_or(DEFAULT_RENAME_LIMIT),
        None => DEFAULT_RENAME_LIMIT,
    }
}

/// The files of the diff that `make` makes whose new side can hold added text, with renames
/// and copies found (copies from any file with [`CopySources::AllFiles`]), bounded by `limit`
/// (see the module doc).
pub fn changed_files_of<'r>(
    make: impl Fn() -> Result<Diff<'r>>,
    copies: CopySources,
    limit: u64,
) -> Result<Vec<ChangedFile>> {
    let diff = make()?;
    let added =
        diff.deltas().filter(|delta| delta.status() == Delta::Added && is_file(delta.new_file().mode()));
    let targets = added.count() as u64;
    let sources = diff.deltas().filter(|delta| is_source(delta.status(), copies)).count() as u64;
    if targets == 0 || sources == 0 {
        return Ok(changed_files(&diff)); // nothing can be a rename or a copy
    }
    if limit == 0 || targets.saturating_mul(sources) <= limit.saturating_mul(limit) {
        return Ok(changed_files(&find_similar(diff, &make, copies, limit)?));
    }
    Ok(cheap_renames(&diff, copies))
}

/// The files of `differences` (one side of each path, the other, as a tree walk or the index
/// reader found them) whose new side can hold added text, with renames and copies among them
/// found, bounded by `limit`. Where nothing can be a rename or a copy (no new file, or no old
/// one), they are listed directly; else libgit2 diffs just these paths, each side in an
/// in-memory index, and copy sources are the changed files ([`CopySources::ModifiedFilesOnly`]).
pub fn files_of_differences(
    repo: &Repository,
    differences: &[Difference],
    limit: u64,
) -> Result<Vec<ChangedFile>> {
    if !may_hold_renames(differences) {
        return Ok(listed(differences));
    }
    let mut old = Index::new().context("making an in-memory index")?;
    let mut new = Index::new().context("making an in-memory index")?;
    for difference in differences {
        for (index, side) in [(&mut old, difference.head), (&mut new, difference.staged)] {
            if let Some(side) = side {
                index.add(&index_entry(&difference.path, side)).with_context(|| {
                    format!("listing the changed file {}", lossy_path(Some(&difference.path)))
                })?;
            }
        }
    }
    changed_files_of(
        || {
            let mut options = DiffOptions::new();
            options.context_lines(0).include_typechange(true).ignore_submodules(true);
            repo.diff_index_to_index(&old, &new, Some(&mut options))
                .context("comparing the changed files' old and new versions")
        },
        CopySources::ModifiedFilesOnly,
        limit,
    )
}

/// The files of `differences` whose new side can hold added text, each new file paired only
/// with an old file of the very same content (an exact rename or copy, by id, as libgit2 pairs
/// it first): for a change whose new files cannot matter whichever lines of them are added,
/// where reading every changed file to compare their contents would buy nothing.
pub fn exact_renames_of_differences(differences: &[Difference]) -> Vec<ChangedFile> {
    let mut files = listed(differences);
    let sources: HashMap<ObjectId, &[u8]> = differences
        .iter()
        .filter_map(|d| {
            d.head.filter(|side| is_text_side(&Some(*side))).map(|side| (side.id.into(), &d.path[..]))
        })
        .rev() // the first path of a content, as libgit2's search meets them in order
        .collect();
    for file in files.iter_mut().filter(|file| file.old.is_none()) {
        if let Some(path) = sources.get(&file.id) {
            file.old = Some((lossy_path(Some(path)), file.id));
        }
    }
    files
}

/// The files of `differences` whose new side can hold added text, with no renames or copies.
fn listed(differences: &[Difference]) -> Vec<ChangedFile> {
    let files = differences.iter().filter(|d| is_text_side(&d.staged)).filter_map(|d| {
        let new = d.staged?;
        Some(ChangedFile {
            path: lossy_path(Some(&d.path)),
            // A submodule's commit is no old text: a file in its place is new.
            old: d
                .head
                .filter(|_| is_source_side(&d.head))
                .map(|old| (lossy_path(Some(&d.path)), old.id.into())),
            id: new.id.into(),
            binary: false,
            paired_by_name: false,
        })
    });
    files.collect()
}

/// Whether a file of `differences` may be a rename or a copy of another: some file is new,
/// and some old one changed or went.
pub fn may_hold_renames(differences: &[Difference]) -> bool {
    differences.iter().any(is_rename_target) && differences.iter().any(|d| is_source_side(&d.head))
}

/// Whether `difference` adds a file that may be a rename or a copy of another.
pub fn is_rename_target(difference: &Difference) -> bool {
    difference.head.is_none() && is_text_side(&difference.staged)
}

/// Whether one side of a difference is a regular file.
fn is_text_side(side: &Option<Stored>) -> bool {
    side.is_some_and(|side| mode::is_regular(side.mode))
}

/// Whether one side of a difference can be where a new file came from.
fn is_source_side(side: &Option<Stored>) -> bool {
    is_text_side(side) || side.is_some_and(|side| side.mode == mode::LINK)
}

fn index_entry(path: &[u8], side: Stored) -> IndexEntry {
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

/// libgit2's rename and copy detection on `diff`, which `make` made. Finding an edited rename
/// reads both blobs, and libgit2 fails where one is absent (a partial clone): then the diff is
/// made again and only exact renames and copies are found, by id, with nothing read; the new
/// file counts as added, every line of it, as in git's own fallback ([`super::git::Git`]).
fn find_similar<'r>(
    mut diff: Diff<'r>,
    make: &impl Fn() -> Result<Diff<'r>>,
    copies: CopySources,
    limit: u64,
) -> Result<Diff<'r>> {
    let options = |exact: bool| {
        let mut find = DiffFindOptions::new();
        find.renames(true)
            .copies(true)
            .copies_from_unmodified(copies == CopySources::AllFiles)
            .rename_limit(usize::try_from(limit).unwrap_or(usize::MAX))
            .exact_match_only(exact);
        find
    };
    match diff.find_similar(Some(&mut options(false))) {
        Ok(()) => Ok(diff),
        Err(e) if e.code() == git2::ErrorCode::NotFound => {
            let mut diff = make()?;
            diff.find_similar(Some(&mut options(true))).context("detecting renamed and copied files")?;
            Ok(diff)
        }
        Err(e) => Err(e).context("detecting renamed and copied files"),
    }
}

/// Past the limit: exact renames and copies by id, then same-name pairs to be confirmed
/// when read; every other added file is new.
fn cheap_renames(diff: &Diff<'_>, copies: CopySources) -> Vec<ChangedFile> {
    let mut files = changed_files(diff);
    // Old blobs a new file may be an exact copy of: deleted, modified (its old side) and,
    // with every file as a source, unmodified ones.
    let mut by_id: HashMap<ObjectId, String> = HashMap::new();
    let mut deleted_by_name: HashMap<String, Option<(String, ObjectId)>> = HashMap::new();
    for delta in diff.deltas().filter(|delta| is_source(delta.status(), copies)) {
        let old = delta.old_file();
        if !is_file(old.mode()) {
            continue;
        }
        let path = lossy_path(old.path_bytes());
        by_id.entry(old.id().into()).or_insert_with(|| path.clone());
        if delta.status() == Delta::Deleted {
            let name = file_name(&path).to_owned();
            // A name two deleted files share is nobody's: `None` marks it taken.
            deleted_by_name
                .entry(name)
                .and_modify(|seen| *seen = None)
                .or_insert(Some((path, old.id().into())));
        }
    }
    let mut added_by_name: HashMap<String, usize> = HashMap::new();
    for file in files.iter().filter(|file| file.old.is_none()) {
        *added_by_name.entry(file_name(&file.path).to_owned()).or_default() += 1;
    }
    for file in files.iter_mut().filter(|file| file.old.is_none()) {
        if let Some(old_path) = by_id.get(&file.id) {
            file.old = Some((old_path.clone(), file.id));
            continue;
        }
        let name = file_name(&file.path);
        if added_by_name.get(name) != Some(&1) {
            continue;
        }
        if let Some(Some(old)) = deleted_by_name.get(name) {
            file.old = Some(old.clone());
            file.paired_by_name = true;
        }
    }
    files
}

/// Whether a file paired by its name alone keeps enough of the old file to be its rename:
/// `kept` of the new file's lines are old ones, out of `old_lines` and `new_lines`.
pub fn is_similar_enough(kept: u64, old_lines: u64, new_lines: u64) -> bool {
    kept * 100 >= SAME_NAME_SIMILARITY_PERCENT * old_lines.max(new_lines)
}

/// The files of `diff` whose new side can hold added text.
pub fn changed_files(diff: &Diff<'_>) -> Vec<ChangedFile> {
    diff.deltas()
        .filter(|delta| carries_text(delta.status(), delta.new_file().mode()))
        .map(|delta| ChangedFile {
            path: lossy_path(delta.new_file().path_bytes()),
            old: (delta.status() != Delta::Added)
                .then(|| (lossy_path(delta.old_file().path_bytes()), delta.old_file().id().into())),
            id: delta.new_file().id().into(),
            binary: delta.flags().is_binary(),
            paired_by_name: false,
        })
        .collect()
}

/// Whether a delta's old side can be where a new file came from.
fn is_source(status: Delta, copies: CopySources) -> bool {
    match status {
        Delta::Deleted | Delta::Modified | Delta::Typechange => true,
        Delta::Unmodified => copies == CopySources::AllFiles,
        _ => false,
    }
}

/// Whether a delta's new side is a regular file whose text can hold added lines (not a
/// deletion, a submodule entry or a symlink).
fn carries_text(status: Delta, mode: FileMode) -> bool {
    let added_or_changed =
        matches!(status, Delta::Added | Delta::Modified | Delta::Renamed | Delta::Copied | Delta::Typechange);
    added_or_changed && is_file(mode)
}

fn is_file(mode: FileMode) -> bool {
    matches!(mode, FileMode::Blob | FileMode::BlobExecutable)
}

/// The last component of a `/`-separated path.
fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use git2::Oid;

    fn side(id: &str) -> Option<Stored> {
        Some(Stored { mode: 0o100644, id: Oid::from_str(id).expect("a hex id") })
    }

    fn difference(path: &str, head: Option<Stored>, staged: Option<Stored>) -> Difference {
        Difference { path: path.as_bytes().to_vec(), head, staged }
    }

    #[test]
    fn exact_renames_pair_only_new_files_of_the_same_content() {
        let differences = [
            difference("gone.txt", side("aa"), None),
            difference("edited.txt", side("bb"), side("cc")),
            difference("moved/gone.txt", None, side("aa")),
            difference("copy-of-edited.txt", None, side("bb")),
            difference("fresh.txt", None, side("dd")),
        ];
        let files = exact_renames_of_differences(&differences);
        let old_of = |path: &str| {
            let file = files.iter().find(|file| file.path == path).expect("listed");
            file.old.as_ref().map(|(path, _)| path.clone())
        };
        assert_eq!(files.len(), 4, "the deleted file has no new side");
        assert_eq!(old_of("moved/gone.txt").as_deref(), Some("gone.txt"));
        assert_eq!(old_of("copy-of-edited.txt").as_deref(), Some("edited.txt"));
        assert_eq!(old_of("edited.txt").as_deref(), Some("edited.txt"));
        assert_eq!(old_of("fresh.txt"), None);
    }
}
