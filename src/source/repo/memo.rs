//! What a worker's repository handle remembers between reads, so that a history scan does not
//! read an object again where it knows it will need it: the new files that a commit's rename
//! check read ahead of their scan, and the trees of the commits read lately (a commit is diffed
//! against its parent, read as the commit before, and libgit2's own object cache is off: see
//! [`super`]). Both are bounded.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use anyhow::{anyhow, Result};

use crate::source::oid::ObjectId;

/// Bytes of blobs kept read ahead; past it a blob is read again when its turn comes.
const READ_AHEAD_BYTES: usize = 8 << 20;

/// Commits whose trees are remembered before the memo starts again empty.
const COMMIT_TREES: usize = 4096;

/// Blobs read ahead of their turn, and commits' trees.
#[derive(Default)]
pub struct Memo {
    read_ahead: Mutex<ReadAhead>,
    commit_trees: Mutex<HashMap<ObjectId, ObjectId>>,
}

#[derive(Default)]
struct ReadAhead {
    blobs: HashMap<ObjectId, Arc<Vec<u8>>>,
    bytes: usize,
}

impl Memo {
    /// Blob `id`'s content, if it was read ahead; the memo lets go of it.
    pub fn take_blob(&self, id: ObjectId) -> Result<Option<Arc<Vec<u8>>>> {
        let mut kept = lock(&self.read_ahead)?;
        let Some(content) = kept.blobs.remove(&id) else { return Ok(None) };
        kept.bytes -= content.len();
        Ok(Some(content))
    }

    /// Keeps `content`, just read as blob `id`, for its next read, within [`READ_AHEAD_BYTES`]
    /// (else it is let go).
    pub fn keep_blob(&self, id: ObjectId, content: Arc<Vec<u8>>) -> Result<()> {
        let mut kept = lock(&self.read_ahead)?;
        if kept.bytes + content.len() <= READ_AHEAD_BYTES {
            kept.bytes += content.len();
            kept.blobs.insert(id, content);
        }
        Ok(())
    }

    /// Lets go of every blob read ahead.
    pub fn forget_blobs(&self) -> Result<()> {
        *lock(&self.read_ahead)? = ReadAhead::default();
        Ok(())
    }

    /// The tree of commit `id`, if it was read lately.
    pub fn tree_of(&self, id: ObjectId) -> Result<Option<ObjectId>> {
        Ok(lock(&self.commit_trees)?.get(&id).copied())
    }

    /// Remembers that commit `id` has `tree`.
    pub fn remember_tree(&self, id: ObjectId, tree: ObjectId) -> Result<()> {
        let mut trees = lock(&self.commit_trees)?;
        if trees.len() >= COMMIT_TREES {
            trees.clear();
        }
        trees.insert(id, tree);
        Ok(())
    }
}

fn lock<T>(mutex: &Mutex<T>) -> Result<MutexGuard<'_, T>> {
    mutex.lock().map_err(|_| anyhow!("a scanning thread crashed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blob_read_ahead_is_taken_once_and_the_bound_holds() {
        let memo = Memo::default();
        let id = |byte: u8| ObjectId::from(git2::Oid::from_bytes(&[byte; 20]).expect("20 bytes"));
        memo.keep_blob(id(1), Arc::new(b"text".to_vec())).expect("kept");
        memo.keep_blob(id(2), Arc::new(vec![0; READ_AHEAD_BYTES])).expect("let go: over the bound");
        assert_eq!(memo.take_blob(id(1)).expect("read").as_deref().map(Vec::as_slice), Some(&b"text"[..]));
        assert_eq!(memo.take_blob(id(1)).expect("read"), None, "taken already");
        assert_eq!(memo.take_blob(id(2)).expect("read"), None, "over the bound");
        memo.remember_tree(id(3), id(4)).expect("remembered");
        assert_eq!(memo.tree_of(id(3)).expect("read"), Some(id(4)));
    }
}
