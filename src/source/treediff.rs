//! Which paths a commit changes, found by comparing raw tree objects by id.
//!
//! A history scan diffs every commit against its parent. libgit2's tree-to-tree diff builds an
//! iterator frame per directory, parses every entry of every tree it enters (its octal mode
//! parse alone was a tenth of a history scan) and joins a path string per entry: most of the
//! scan's time went there, not to reading or scanning text. Here a tree is compared with its
//! old version entry by entry on the raw bytes: an entry whose mode, name and id are the same
//! bytes is passed over without being parsed, and a subdirectory whose id is the same is never
//! read. Raw trees are kept in a cache bounded in bytes, shared by the commits a worker diffs
//! (a commit's trees are mostly its parent's).

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use anyhow::{anyhow, Context, Result};
use git2::{ObjectType, Oid, Repository};

use super::index::{Difference, Stored};
use super::mode::{self, TreeName};
use super::oid::SHA1_LEN;

/// Bytes of raw trees a [`TreeCache`] keeps before it starts again empty. What it saves is
/// the trees a commit shares with its parent, read when the parent was diffed: 1 MiB does
/// that as well as 16 MiB did (the same instruction count on the 2,000-commit bench, and
/// fewer with two workers), and a history scan's peak memory holds one per worker.
const TREE_CACHE_BYTES: usize = 1 << 20;

/// Directories nest at most this deep in a tree that is not damaged (git's own limit is
/// lower: `core.maxTreeDepth`, 2,048 by default).
const MAX_DEPTH: usize = 4096;

/// Raw tree objects by id, up to [`TREE_CACHE_BYTES`].
#[derive(Default)]
pub struct TreeCache {
    trees: HashMap<Oid, Arc<Vec<u8>>>,
    bytes: usize,
}

impl TreeCache {
    fn get(&mut self, read: ReadTree<'_>, id: Oid) -> Result<Arc<Vec<u8>>> {
        if let Some(tree) = self.trees.get(&id) {
            return Ok(tree.clone());
        }
        let tree = read(id)?;
        if self.bytes + tree.len() > TREE_CACHE_BYTES {
            self.trees.clear();
            self.bytes = 0;
        }
        self.bytes += tree.len();
        self.trees.insert(id, tree.clone());
        Ok(tree)
    }
}

/// Reads the raw tree with an id: see [`read_with_libgit2`].
pub type ReadTree<'a> = &'a dyn Fn(Oid) -> Result<Arc<Vec<u8>>>;

/// The raw tree `id`, as libgit2 reads it; an object of another kind is an error.
pub fn read_with_libgit2(repo: &Repository, id: Oid) -> Result<Arc<Vec<u8>>> {
    let odb = repo.odb().context("opening the object store")?;
    let object = odb.read(id).with_context(|| format!("reading the tree {id}"))?;
    if object.kind() != ObjectType::Tree {
        return Err(anyhow!("{id} is a {}, where a tree was expected", object.kind()));
    }
    Ok(Arc::new(object.data().to_vec()))
}

/// The paths whose entry differs between the tree `old` (none: the empty tree) and `new`,
/// files only (a directory's change is the changes of its files), submodules included; trees
/// are read by `read`.
pub fn differences(
    read: ReadTree<'_>,
    cache: &mut TreeCache,
    old: Option<Oid>,
    new: Oid,
) -> Result<Vec<Difference>> {
    let mut found = Vec::new();
    let mut path = Vec::new();
    compare(read, cache, old, Some(new), &mut path, &mut found, 0)?;
    Ok(found)
}

/// One entry of a raw tree.
#[derive(Clone, Copy)]
struct Entry<'t> {
    /// The entry's bytes, `<mode> <name>\0<id>`: equal bytes are an unchanged entry.
    raw: &'t [u8],
    mode: u32,
    name: &'t [u8],
    id: Oid,
}

impl Entry<'_> {
    fn is_tree(&self) -> bool {
        mode::is_tree(self.mode)
    }
}

/// A place in a raw tree: the entries from there on, in the order git keeps them.
struct Cursor<'t> {
    rest: &'t [u8],
    tree: Oid,
}

impl<'t> Cursor<'t> {
    fn damaged(&self) -> anyhow::Error {
        anyhow!("the tree {} is damaged", self.tree)
    }

    /// The length of the next entry's bytes, found without parsing them.
    fn entry_len(&self) -> Result<usize> {
        let nul = memchr::memchr(0, self.rest).ok_or_else(|| self.damaged())?;
        let end = nul + 1 + SHA1_LEN;
        if end > self.rest.len() {
            return Err(self.damaged());
        }
        Ok(end)
    }

    /// The next entry, parsed.
    fn entry(&self) -> Result<Entry<'t>> {
        let end = self.entry_len()?;
        let nul = end - 1 - SHA1_LEN;
        let space = memchr::memchr(b' ', &self.rest[..nul]).ok_or_else(|| self.damaged())?;
        let mode = self.rest[..space].iter().try_fold(0u32, |mode, &digit| match digit {
            b'0'..=b'7' => mode.checked_mul(8).map(|m| m + u32::from(digit - b'0')),
            _ => None,
        });
        let (Some(mode), Ok(id)) = (mode, Oid::from_bytes(&self.rest[nul + 1..end])) else {
            return Err(self.damaged());
        };
        Ok(Entry { raw: &self.rest[..end], mode, name: &self.rest[space + 1..nul], id })
    }

    fn skip(&mut self, len: usize) {
        self.rest = &self.rest[len..];
    }
}

/// Compares two versions of one directory (either may be absent), adding what differs under
/// `path` to `found`. Entries whose bytes are the same on both sides are passed over unparsed,
/// and the walk stops as soon as what is left of both trees is the same bytes.
fn compare(
    read: ReadTree<'_>,
    cache: &mut TreeCache,
    old: Option<Oid>,
    new: Option<Oid>,
    path: &mut Vec<u8>,
    found: &mut Vec<Difference>,
    depth: usize,
) -> Result<()> {
    if old == new {
        return Ok(());
    }
    if depth > MAX_DEPTH {
        return Err(anyhow!("trees nest deeper than {MAX_DEPTH} directories under {}", lossy(path)));
    }
    let old_tree = old.map(|id| cache.get(read, id)).transpose()?;
    let new_tree = new.map(|id| cache.get(read, id)).transpose()?;
    let mut o = Cursor {
        rest: old_tree.as_deref().map_or(&[][..], Vec::as_slice),
        tree: old.unwrap_or(Oid::ZERO_SHA1),
    };
    let mut n = Cursor {
        rest: new_tree.as_deref().map_or(&[][..], Vec::as_slice),
        tree: new.unwrap_or(Oid::ZERO_SHA1),
    };
    // The bytes both trees end with, measured once: comparing what is left of both at every
    // entry made a large directory with one changed entry quadratic (memcmp was 11% of a
    // history scan).
    let same_end = o.rest.iter().rev().zip(n.rest.iter().rev()).take_while(|(a, b)| a == b).count();
    while !(o.rest.is_empty() && n.rest.is_empty()) {
        if o.rest.len() == n.rest.len() && o.rest.len() <= same_end {
            break; // the rest of both trees is the same
        }
        if !o.rest.is_empty() && !n.rest.is_empty() {
            let len = o.entry_len()?;
            if n.rest.get(..len) == Some(&o.rest[..len]) {
                o.skip(len);
                n.skip(len);
                continue;
            }
        }
        let (a, b) = (
            (!o.rest.is_empty()).then(|| o.entry()).transpose()?,
            (!n.rest.is_empty()).then(|| n.entry()).transpose()?,
        );
        let order = match (&a, &b) {
            (Some(a), Some(b)) => mode::tree_order(
                TreeName { name: a.name, is_dir: a.is_tree() },
                TreeName { name: b.name, is_dir: b.is_tree() },
            ),
            (Some(_), None) => Ordering::Less,
            (None, _) => Ordering::Greater,
        };
        let (old_entry, new_entry) = match order {
            Ordering::Less => (a, None),
            Ordering::Greater => (None, b),
            Ordering::Equal => (a, b),
        };
        if let Some(entry) = &old_entry {
            o.skip(entry.raw.len());
        }
        if let Some(entry) = &new_entry {
            n.skip(entry.raw.len());
        }
        one_side(read, cache, old_entry, new_entry, path, found, depth)?;
    }
    Ok(())
}

/// What one name of a directory holds on each side, when the two differ.
fn one_side(
    read: ReadTree<'_>,
    cache: &mut TreeCache,
    old: Option<Entry<'_>>,
    new: Option<Entry<'_>>,
    path: &mut Vec<u8>,
    found: &mut Vec<Difference>,
    depth: usize,
) -> Result<()> {
    let Some(name) = old.or(new).map(|entry| entry.name) else { return Ok(()) };
    let parent_len = path.len();
    if parent_len > 0 {
        path.push(b'/');
    }
    path.extend_from_slice(name);
    let tree_of = |entry: Option<Entry<'_>>| entry.filter(Entry::is_tree).map(|entry| entry.id);
    let file_of = |entry: Option<Entry<'_>>| {
        entry.filter(|entry| !entry.is_tree()).map(|entry| Stored { mode: entry.mode, id: entry.id })
    };
    let result = compare(read, cache, tree_of(old), tree_of(new), path, found, depth + 1);
    let (old_file, new_file) = (file_of(old), file_of(new));
    if result.is_ok() && old_file != new_file {
        found.push(Difference { path: path.clone(), head: old_file, staged: new_file });
    }
    path.truncate(parent_len);
    result
}

fn lossy(path: &[u8]) -> String {
    String::from_utf8_lossy(path).into_owned()
}

#[cfg(test)]
mod tests {
    use super::super::testing::{git, write};
    use super::*;
    use git2::{Delta, DiffOptions};

    /// Every file-level difference as libgit2's tree-to-tree diff reports it.
    fn by_libgit2(repo: &Repository, old: Option<Oid>, new: Oid) -> Vec<String> {
        let tree = |id: Oid| repo.find_tree(id).unwrap();
        let (old, new) = (old.map(tree), tree(new));
        let mut options = DiffOptions::new();
        options.include_typechange(true);
        let diff = repo.diff_tree_to_tree(old.as_ref(), Some(&new), Some(&mut options)).unwrap();
        let side = |file: git2::DiffFile<'_>, present: bool| {
            if present {
                format!("{:o} {}", u32::from(file.mode()), file.id())
            } else {
                String::new()
            }
        };
        let mut found: Vec<String> = diff
            .deltas()
            .map(|d| {
                let path =
                    String::from_utf8_lossy(d.new_file().path_bytes().or(d.old_file().path_bytes()).unwrap());
                let (had, has) = (d.status() != Delta::Added, d.status() != Delta::Deleted);
                format!("{path}: {} -> {}", side(d.old_file(), had), side(d.new_file(), has))
            })
            .collect();
        found.sort();
        found
    }

    fn by_this_module(repo: &Repository, old: Option<Oid>, new: Oid) -> Vec<String> {
        let side = |side: Option<Stored>| side.map(|s| format!("{:o} {}", s.mode, s.id)).unwrap_or_default();
        let mut found: Vec<String> =
            differences(&|id| read_with_libgit2(repo, id), &mut TreeCache::default(), old, new)
                .unwrap()
                .into_iter()
                .map(|d| {
                    format!("{}: {} -> {}", String::from_utf8_lossy(&d.path), side(d.head), side(d.staged))
                })
                .collect();
        found.sort();
        found
    }

    #[test]
    fn finds_what_libgit2_finds_commit_by_commit() {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        git(dir, &["init", "-q"]);
        let steps: &[&dyn Fn()] = &[
            // Nested directories, names that sort differently as files and as directories.
            &|| {
                for path in ["a.txt", "a-b/c.txt", "a/b/c.txt", "a/b/d.txt", "a/e.txt", "z/y/x.txt", "a.b"] {
                    write(dir, path, &format!("{path}\n"));
                }
            },
            // An edit deep down, a new file beside it, a deleted directory.
            &|| {
                write(dir, "a/b/c.txt", "changed\n");
                write(dir, "a/b/new.txt", "new\n");
                std::fs::remove_dir_all(dir.join("z")).unwrap();
            },
            // A file that becomes a directory, a directory that becomes a file, a move.
            &|| {
                std::fs::remove_file(dir.join("a.b")).unwrap();
                write(dir, "a.b/inside.txt", "inside\n");
                std::fs::remove_dir_all(dir.join("a-b")).unwrap();
                write(dir, "a-b", "a file now\n");
                std::fs::rename(dir.join("a/e.txt"), dir.join("moved.txt")).unwrap();
            },
            // A mode change, a symbolic link, and a link that becomes a file.
            &|| {
                git(dir, &["update-index", "--chmod=+x", "a.txt"]);
                std::os::unix::fs::symlink("a.txt", dir.join("link")).unwrap();
            },
            &|| {
                std::fs::remove_file(dir.join("link")).unwrap();
                write(dir, "link", "a file in place of the link\n");
            },
        ];
        let repo = Repository::open(dir).unwrap();
        let mut previous: Option<Oid> = None;
        for (number, step) in steps.iter().enumerate() {
            step();
            git(dir, &["add", "-A"]);
            git(dir, &["commit", "-q", "-m", &format!("step {number}")]);
            let tree = repo.head().unwrap().peel_to_tree().unwrap().id();
            let expected = by_libgit2(&repo, previous, tree);
            assert!(!expected.is_empty(), "step {number} changes something");
            assert_eq!(by_this_module(&repo, previous, tree), expected, "step {number}");
            previous = Some(tree);
        }
    }

    #[test]
    fn a_damaged_tree_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q"]);
        let repo = Repository::open(dir.path()).unwrap();
        let odb = repo.odb().unwrap();
        for damaged in
            [&b"100644 name-without-nul"[..], b"100644 short\0abc", b"10x644 bad-mode\0aaaaaaaaaaaaaaaaaaaa"]
        {
            let id = odb.write(ObjectType::Tree, damaged).unwrap();
            let error = differences(&|id| read_with_libgit2(&repo, id), &mut TreeCache::default(), None, id)
                .unwrap_err();
            assert!(format!("{error:#}").contains("is damaged"), "{error:#}");
        }
    }
}
