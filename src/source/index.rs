//! git's index file, read the way git reads it, to find what is staged without libgit2's
//! whole-index and whole-tree passes.
//!
//! libgit2 checks an index by hashing all of it (SHA-1 with collision detection) and puts
//! every entry in a hash map; its diff against HEAD then walks every tree. On a repository of
//! 10,000 files that is 13 ms of a 14 ms hook run, for a one-line commit. git trusts the file
//! (it checks the checksum only in `git fsck`) and skips each directory whose tree in the
//! index's cache tree (the `TREE` extension) is the one HEAD has. This module does the same:
//! [`read`] parses versions 2 to 4 of the format, and [`differences`] walks HEAD's trees only
//! where the cache tree says something changed.
//!
//! Anything this reader does not handle (a bare repository, a split or sparse index, an
//! unknown required extension, conflict stages, a file it cannot parse) makes [`read`] return
//! `None`, and the caller uses libgit2, which reads or rejects it with its own message.

use std::cmp::Ordering;
use std::hash::BuildHasher;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use git2::{Oid, Repository, Tree, TreeEntry};

use super::mode::{self, TreeName};
use super::oid::SHA1_LEN;

/// Bytes of an entry before its path: times, dev, ino, mode, uid, gid, size, id and flags.
const ENTRY_HEADER_LEN: usize = 62;
/// Where an entry's header holds its mode (after ctime and mtime, eight bytes each, then dev
/// and ino), its object id (after uid, gid and size) and its flags (after the id).
const MODE_AT: std::ops::Range<usize> = 24..28;
const ID_AT: std::ops::Range<usize> = 40..60;
const FLAGS_AT: std::ops::Range<usize> = 60..62;
/// The flags' stage bits (non-zero for the sides of a conflict) and the extended-flags bit.
const STAGE_MASK: u16 = 0x3000;
const EXTENDED_FLAG: u16 = 0x4000;
/// Cache-tree nodes nest once per directory level; deeper than this is a damaged file.
const MAX_TREE_DEPTH: usize = 4096;

/// The stage-0 entries of an index, sorted by path as git keeps them, and its cache tree.
pub struct IndexFile {
    /// Every entry's path, one after the other.
    paths: Vec<u8>,
    entries: Vec<Entry>,
    cache_tree: Option<CacheNode>,
}

struct Entry {
    path: Range<usize>,
    side: Stored,
}

/// One side of a path: its file mode and object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stored {
    /// git's file mode: a regular or executable file, a symlink or a submodule's commit.
    pub mode: u32,
    /// The blob, or for a submodule the commit.
    pub id: Oid,
}

impl Stored {
    fn of(entry: &TreeEntry<'_>) -> Stored {
        Stored { mode: entry.filemode() as u32, id: entry.id() }
    }
}

/// A directory of the cache tree: its tree id while it is valid (`None` once something under
/// it was staged), and how many index entries it covers.
struct CacheNode {
    name: Vec<u8>,
    tree: Option<(Oid, usize)>,
    children: Vec<CacheNode>,
}

/// A path whose staged entry differs from HEAD's: only HEAD has it (deleted), only the index
/// has it (added), or both with another mode or object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The path, relative to the top of the work tree.
    pub path: Vec<u8>,
    /// What HEAD has at the path, if anything.
    pub head: Option<Stored>,
    /// What the index has at the path, if anything.
    pub staged: Option<Stored>,
}

impl IndexFile {
    /// The stage-0 entry at `path`, if the index has one.
    pub fn side_of(&self, path: &[u8]) -> Option<Stored> {
        let at = self.entries.binary_search_by(|entry| self.paths[entry.path.clone()].cmp(path)).ok()?;
        Some(self.entries[at].side)
    }
}

/// Reads the index git hands the hook (`GIT_INDEX_FILE`, or the repository's own), or `None`
/// when it is in a form this reader leaves to libgit2. A missing file is an empty index.
///
///
/// The hook asks twice (for the staged files, then for the staged `.zoomguardignore`), and
/// parsing ten thousand entries twice was a quarter of a one-line commit's time: the last
/// index parsed is kept, and parsed again only when the file's bytes differ (reading and
/// hashing them costs a small part of parsing them).
pub fn read(repo: &Repository) -> Result<Option<Arc<IndexFile>>> {
    if repo.is_bare() {
        return Ok(None);
    }
    let path = match std::env::var_os("GIT_INDEX_FILE") {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => repo.path().join("index"),
    };
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Some(Arc::new(IndexFile {
                paths: Vec::new(),
                entries: Vec::new(),
                cache_tree: None,
            })));
        }
        Err(e) => return Err(e).with_context(|| format!("reading the index {}", path.display())),
    };
    let key = (path, bytes.len(), foldhash::quality::FixedState::with_seed(0).hash_one(&bytes));
    if let Some((known, index)) = LAST_READ.lock().ok().and_then(|last| last.clone()) {
        if known == key {
            return Ok(index);
        }
    }
    let index = parse(&bytes).map(Arc::new);
    if let Ok(mut last) = LAST_READ.lock() {
        *last = Some((key, index.clone()));
    }
    Ok(index)
}

/// Which index file [`read`] parsed last: its path, length and a hash of its bytes.
type IndexKey = (PathBuf, usize, u64);

/// The last index [`read`] parsed (`None` inside: one it left to libgit2).
static LAST_READ: Mutex<Option<(IndexKey, Option<Arc<IndexFile>>)>> = Mutex::new(None);

/// Parses an index file; `None` for anything but a well-formed version 2, 3 or 4 index
/// without conflicts, split-index or sparse-index parts.
fn parse(bytes: &[u8]) -> Option<IndexFile> {
    let mut reader = Reader { bytes, at: 0 };
    if reader.take(4)? != b"DIRC" {
        return None;
    }
    let version = reader.u32()?;
    if !(2..=4).contains(&version) {
        return None;
    }
    let count = usize::try_from(reader.u32()?).ok()?;
    let mut index = IndexFile {
        paths: Vec::with_capacity(bytes.len().min(count.saturating_mul(32))),
        entries: Vec::with_capacity(count.min(bytes.len() / ENTRY_HEADER_LEN)),
        cache_tree: None,
    };
    let mut previous = 0..0;
    for _ in 0..count {
        let start = reader.at;
        let header = reader.take(ENTRY_HEADER_LEN)?;
        let mode = u32::from_be_bytes(header[MODE_AT].try_into().ok()?);
        let id = Oid::from_bytes(&header[ID_AT]).ok()?;
        let flags = u16::from_be_bytes(header[FLAGS_AT].try_into().ok()?);
        if flags & STAGE_MASK != 0 {
            return None; // a conflict: stages 1 to 3 of an unmerged path
        }
        let extended = flags & EXTENDED_FLAG != 0;
        if extended {
            if version < 3 {
                return None;
            }
            reader.take(2)?;
        }
        let path_start = index.paths.len();
        if version == 4 {
            // The path is the previous one minus a number of trailing bytes, plus a suffix.
            let strip = reader.varint()?;
            let kept = previous.len().checked_sub(strip)?;
            index.paths.extend_from_within(previous.start..previous.start + kept);
            index.paths.extend_from_slice(reader.until_nul()?);
        } else {
            index.paths.extend_from_slice(reader.until_nul()?);
            // Entries are padded with 1 to 8 NULs to a multiple of eight bytes.
            let unpadded = reader.at - start;
            reader.take(unpadded.next_multiple_of(8) - unpadded)?;
        }
        let path = path_start..index.paths.len();
        let sorted = index.paths[previous.clone()] < index.paths[path.clone()] || index.entries.is_empty();
        if !sorted || mode::is_tree(mode) {
            return None; // out of order, or a sparse index's directory entry
        }
        previous = path.clone();
        index.entries.push(Entry { path, side: Stored { mode, id } });
    }
    let extensions_end = bytes.len().checked_sub(SHA1_LEN)?;
    while reader.at < extensions_end {
        let signature = reader.take(4)?;
        let size = usize::try_from(reader.u32()?).ok()?;
        let data = reader.take(size)?;
        match signature {
            b"TREE" => index.cache_tree = parse_cache_tree(data),
            // Extensions whose name starts with a capital letter are optional to understand.
            [first, ..] if first.is_ascii_uppercase() => {}
            _ => return None, // e.g. "link" (split index) or "sdir" (sparse index)
        }
    }
    (reader.at == extensions_end).then_some(index)
}

/// The cache tree, or `None` if it is damaged (then every directory is compared).
fn parse_cache_tree(data: &[u8]) -> Option<CacheNode> {
    let mut reader = Reader { bytes: data, at: 0 };
    let root = parse_cache_node(&mut reader, 0)?;
    (reader.at == data.len()).then_some(root)
}

fn parse_cache_node(reader: &mut Reader<'_>, depth: usize) -> Option<CacheNode> {
    if depth > MAX_TREE_DEPTH {
        return None;
    }
    let name = reader.until_nul()?.to_vec();
    let entry_count: i64 = reader.ascii_until(b' ')?;
    let subtree_count: usize = reader.ascii_until(b'\n')?;
    let tree = match usize::try_from(entry_count) {
        Ok(count) => Some((Oid::from_bytes(reader.take(SHA1_LEN)?).ok()?, count)),
        Err(_) => None, // -1: invalidated
    };
    let mut children = Vec::with_capacity(subtree_count.min(reader.bytes.len()));
    for _ in 0..subtree_count {
        children.push(parse_cache_node(reader, depth + 1)?);
    }
    Some(CacheNode { name, tree, children })
}

/// A cursor over bytes; every method returns `None` past the end.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        let taken = self.bytes.get(self.at..self.at.checked_add(len)?)?;
        self.at += len;
        Some(taken)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_be_bytes(self.take(4)?.try_into().ok()?))
    }

    /// The bytes up to the next `end`, which is consumed too.
    fn until(&mut self, end: u8) -> Option<&'a [u8]> {
        let rest = self.bytes.get(self.at..)?;
        let len = memchr::memchr(end, rest)?;
        self.at += len + 1;
        Some(&rest[..len])
    }

    fn until_nul(&mut self) -> Option<&'a [u8]> {
        self.until(0)
    }

    fn ascii_until<T: std::str::FromStr>(&mut self, end: u8) -> Option<T> {
        std::str::from_utf8(self.until(end)?).ok()?.parse().ok()
    }

    /// git's offset varint: seven bits a byte, most significant first, each continuation
    /// adding one so that every value has a single encoding.
    fn varint(&mut self) -> Option<usize> {
        let mut byte = self.take(1)?[0];
        let mut value = usize::from(byte & 0x7f);
        while byte & 0x80 != 0 {
            byte = self.take(1)?[0];
            value = value.checked_add(1)?.checked_mul(128)? | usize::from(byte & 0x7f);
        }
        Some(value)
    }
}

/// The paths whose staged entry differs from HEAD's tree (`None` on an unborn branch), in
/// path order. Directories that the cache tree shows unchanged are not read.
pub fn differences(repo: &Repository, head: Option<&Tree<'_>>, index: &IndexFile) -> Result<Vec<Difference>> {
    let mut walk = Walk { repo, index, found: Vec::new() };
    walk.compare(&mut Vec::new(), head, 0..index.entries.len(), index.cache_tree.as_ref())?;
    Ok(walk.found)
}

struct Walk<'a, 'r> {
    repo: &'r Repository,
    index: &'a IndexFile,
    found: Vec<Difference>,
}

/// What the index holds under one name of a directory: a file, or a directory's entries.
struct NameInIndex<'a> {
    name: &'a [u8],
    is_dir: bool,
    entries: Range<usize>,
}

impl<'a, 'r> Walk<'a, 'r> {
    fn path(&self, entry: usize) -> &'a [u8] {
        &self.index.paths[self.index.entries[entry].path.clone()]
    }

    /// Compares the directory `prefix` (empty, or ending in `/`) of HEAD with the index
    /// entries `entries`, which are those under `prefix`.
    fn compare(
        &mut self,
        prefix: &mut Vec<u8>,
        head: Option<&Tree<'_>>,
        entries: Range<usize>,
        cache: Option<&CacheNode>,
    ) -> Result<()> {
        if head.is_some_and(|tree| unchanged(cache, tree.id(), &entries)) {
            return Ok(());
        }
        let head_entries: Vec<TreeEntry<'_>> = head.map(|tree| tree.iter().collect()).unwrap_or_default();
        let mut head_entries = head_entries.iter().peekable();
        let mut next_entry = entries.start;
        loop {
            let group = (next_entry < entries.end).then(|| self.group(prefix.len(), next_entry, entries.end));
            let order = match (head_entries.peek(), &group) {
                (None, None) => return Ok(()),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (Some(old), Some(new)) => mode::tree_order(
                    TreeName { name: old.name_bytes(), is_dir: is_tree(old) },
                    TreeName { name: new.name, is_dir: new.is_dir },
                ),
            };
            match order {
                Ordering::Less => {
                    let old = head_entries.next().expect("peeked");
                    self.only_in_head(prefix, old)?;
                }
                Ordering::Greater => {
                    let new = group.expect("ordered after a head entry");
                    for entry in new.entries.clone() {
                        self.push(self.path(entry).to_vec(), None, Some(self.index.entries[entry].side));
                    }
                    next_entry = new.entries.end;
                }
                Ordering::Equal => {
                    let old = head_entries.next().expect("peeked");
                    let new = group.expect("equal to a head entry");
                    next_entry = new.entries.end;
                    if new.is_dir {
                        let child = cache.and_then(|node| node.children.iter().find(|c| c.name == new.name));
                        if unchanged(child, old.id(), &new.entries) {
                            continue; // not even read
                        }
                        let subtree = self.tree(prefix, old)?;
                        let length = prefix.len();
                        prefix.extend_from_slice(new.name);
                        prefix.push(b'/');
                        self.compare(prefix, Some(&subtree), new.entries, child)?;
                        prefix.truncate(length);
                    } else {
                        let staged = self.index.entries[new.entries.start].side;
                        let head = Stored::of(old);
                        if head != staged {
                            self.push(self.path(new.entries.start).to_vec(), Some(head), Some(staged));
                        }
                    }
                }
            }
        }
    }

    /// The file at `first`, or the run of entries from `first` in the same subdirectory.
    fn group(&self, prefix_len: usize, first: usize, end: usize) -> NameInIndex<'a> {
        let rest = &self.path(first)[prefix_len..];
        let Some(slash) = memchr::memchr(b'/', rest) else {
            return NameInIndex { name: rest, is_dir: false, entries: first..first + 1 };
        };
        let dir = &rest[..=slash];
        let last =
            (first + 1..end).find(|&entry| !self.path(entry)[prefix_len..].starts_with(dir)).unwrap_or(end);
        NameInIndex { name: &rest[..slash], is_dir: true, entries: first..last }
    }

    /// Records a HEAD entry the index lacks, or every file under it for a directory.
    fn only_in_head(&mut self, prefix: &mut Vec<u8>, entry: &TreeEntry<'_>) -> Result<()> {
        let length = prefix.len();
        prefix.extend_from_slice(entry.name_bytes());
        if is_tree(entry) {
            let tree = self.tree(&prefix[..length], entry)?;
            prefix.push(b'/');
            for child in tree.iter() {
                self.only_in_head(prefix, &child)?;
            }
        } else {
            self.push(prefix.clone(), Some(Stored::of(entry)), None);
        }
        prefix.truncate(length);
        Ok(())
    }

    fn tree(&self, prefix: &[u8], entry: &TreeEntry<'_>) -> Result<Tree<'r>> {
        self.repo.find_tree(entry.id()).with_context(|| {
            format!(
                "reading HEAD's tree of {}{}",
                String::from_utf8_lossy(prefix),
                String::from_utf8_lossy(entry.name_bytes())
            )
        })
    }

    fn push(&mut self, path: Vec<u8>, head: Option<Stored>, staged: Option<Stored>) {
        self.found.push(Difference { path, head, staged });
    }
}

/// Whether the cache tree shows a directory's index entries `entries` to make the tree `id`.
fn unchanged(cache: Option<&CacheNode>, id: Oid, entries: &Range<usize>) -> bool {
    matches!(cache, Some(CacheNode { tree: Some((cached, count)), .. }) if *cached == id && *count == entries.len())
}

fn is_tree(entry: &TreeEntry<'_>) -> bool {
    mode::is_tree(entry.filemode() as u32)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{git, write};
    use super::*;

    /// A version `version` index of a small repository, with a cache tree.
    fn real_index(version: &str) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q"]);
        for path in ["a.txt", "b/c.txt", "b/d/e.txt", "b/d/f-with-a-longer-name.txt", "g.txt"] {
            write(dir.path(), path, "text\n");
        }
        git(dir.path(), &["add", "-A"]);
        git(dir.path(), &["commit", "-q", "-m", "one"]);
        git(dir.path(), &["update-index", "--index-version", version]);
        std::fs::read(dir.path().join(".git/index")).unwrap()
    }

    #[test]
    fn reads_every_entry_and_the_cache_tree() {
        for version in ["2", "3", "4"] {
            let index = parse(&real_index(version)).expect("a well-formed index");
            let paths: Vec<&[u8]> =
                index.entries.iter().map(|entry| &index.paths[entry.path.clone()]).collect();
            let expected: [&[u8]; 5] =
                [b"a.txt", b"b/c.txt", b"b/d/e.txt", b"b/d/f-with-a-longer-name.txt", b"g.txt"];
            assert_eq!(paths, expected, "version {version}");
            for path in expected {
                assert_eq!(index.side_of(path).map(|side| side.mode), Some(0o100644), "version {version}");
            }
            assert_eq!(index.side_of(b"b"), None, "a directory has no entry");
            assert_eq!(index.side_of(b"b/d/f"), None);
            let root = index.cache_tree.expect("git writes a cache tree on commit");
            assert_eq!(root.tree.map(|(_, count)| count), Some(5));
            assert_eq!(root.children[0].name, b"b");
            assert_eq!(root.children[0].children[0].tree.map(|(_, count)| count), Some(2));
        }
    }

    #[test]
    fn damaged_indexes_are_refused_or_read_never_a_panic() {
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut random = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for version in ["2", "4"] {
            let index = real_index(version);
            for cut in 0..index.len() {
                let _ = parse(&index[..cut]);
            }
            for _ in 0..5000 {
                let mut damaged = index.clone();
                for _ in 0..1 + random() % 4 {
                    let at = (random() % damaged.len() as u64) as usize;
                    damaged[at] = random() as u8;
                }
                let _ = parse(&damaged);
            }
        }
    }
}
