//! The pack reader offered to libgit2 as an object-database backend, ahead of its own, so that
//! what libgit2 still reads itself (the revwalk's commits, the commits a scan diffs, the rename
//! search's blobs) comes through the same reader and cache. libgit2 then never maps a pack
//! index nor windows of a pack for an object this reader holds: at 50,000 commits its mapping of
//! the index (12 MB) and its delta-base cache (6 MB) were a quarter of the scan's peak, and its
//! zlib and windows still cost the revwalk most of its time.
//!
//! An object this reader does not hold, or does not read whole, is "not found" here, and
//! libgit2 asks its own backends next (loose objects, packs, alternates), which read it or
//! report it as before.

use std::ffi::{c_int, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use git2::Binding;
use libgit2_sys as raw;

use super::PackedObjects;
use crate::source::oid::{ObjectId, ObjectKind};

/// Above libgit2's own backends: loose objects have priority 1, packs 2.
const PRIORITY: c_int = 3;

/// A libgit2 backend: libgit2's struct first, so that the pointer libgit2 hands back to the
/// callbacks is this one's.
#[repr(C)]
struct Backend {
    parent: raw::git_odb_backend,
    packs: Arc<PackedObjects>,
}

/// Adds `packs` to the object database of `repo`, ahead of libgit2's own backends.
pub fn serve(repo: &git2::Repository, packs: Arc<PackedObjects>) -> Result<()> {
    let odb = repo.odb().context("opening the object database")?;
    // SAFETY: an all-zero `git_odb_backend` is valid (null pointers, no callbacks), and
    // `git_odb_init_backend` fills in its version.
    let mut backend = Box::new(Backend { parent: unsafe { std::mem::zeroed() }, packs });
    if unsafe { raw::git_odb_init_backend(&mut backend.parent, raw::GIT_ODB_BACKEND_VERSION) } != 0 {
        bail!("libgit2 refused to set up an object-database backend");
    }
    backend.parent.read = Some(read);
    backend.parent.read_header = Some(read_header);
    backend.parent.exists = Some(exists);
    backend.parent.free = Some(free);
    let backend = Box::into_raw(backend);
    // SAFETY: `odb` is live; on success libgit2 owns `backend` and calls `free` on it when the
    // database is freed.
    if unsafe { raw::git_odb_add_backend(odb.raw(), backend.cast(), PRIORITY) } != 0 {
        // SAFETY: libgit2 did not take it; it came from `Box::into_raw` above.
        drop(unsafe { Box::from_raw(backend) });
        bail!("libgit2 refused the pack reader as an object-database backend");
    }
    Ok(())
}

/// The reader of the backend libgit2 calls back with, and the id it asks for.
///
/// SAFETY: `backend` is one [`serve`] added (libgit2 passes it back unchanged), and `oid` points
/// at a live id.
unsafe fn asked<'a>(
    backend: *mut raw::git_odb_backend,
    oid: *const raw::git_oid,
) -> Option<(&'a Backend, ObjectId)> {
    let backend = &*(backend as *const Backend);
    Some((backend, ObjectId::from_bytes(&(*oid).id)?))
}

fn kind_of(kind: ObjectKind) -> raw::git_object_t {
    match kind {
        ObjectKind::Commit => raw::GIT_OBJECT_COMMIT,
        ObjectKind::Tree => raw::GIT_OBJECT_TREE,
        ObjectKind::Blob => raw::GIT_OBJECT_BLOB,
        ObjectKind::Tag => raw::GIT_OBJECT_TAG,
    }
}

/// Runs `answer`, which must not unwind into C: a panic is an error to libgit2.
fn guarded(answer: impl FnOnce() -> c_int) -> c_int {
    catch_unwind(AssertUnwindSafe(answer)).unwrap_or(raw::GIT_ERROR)
}

extern "C" fn read(
    data: *mut *mut c_void,
    len: *mut usize,
    kind: *mut raw::git_object_t,
    backend: *mut raw::git_odb_backend,
    oid: *const raw::git_oid,
) -> c_int {
    guarded(|| {
        // SAFETY: libgit2 calls with the backend `serve` added and live out-pointers.
        unsafe {
            let Some((this, id)) = asked(backend, oid) else { return raw::GIT_ENOTFOUND };
            let Some(object) = this.packs.read(id) else { return raw::GIT_ENOTFOUND };
            let bytes = object.data.as_slice();
            // libgit2 frees what a backend returns with its own allocator.
            let buffer = raw::git_odb_backend_data_alloc(backend, bytes.len().max(1)).cast::<u8>();
            if buffer.is_null() {
                return raw::GIT_ERROR;
            }
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), buffer, bytes.len());
            (*data, *len, *kind) = (buffer.cast(), bytes.len(), kind_of(object.kind));
            0
        }
    })
}

extern "C" fn read_header(
    len: *mut usize,
    kind: *mut raw::git_object_t,
    backend: *mut raw::git_odb_backend,
    oid: *const raw::git_oid,
) -> c_int {
    guarded(|| {
        // SAFETY: as in `read`.
        unsafe {
            let Some((this, id)) = asked(backend, oid) else { return raw::GIT_ENOTFOUND };
            let Some((found, size)) = this.packs.header(id) else { return raw::GIT_ENOTFOUND };
            let Ok(size) = usize::try_from(size) else { return raw::GIT_ENOTFOUND };
            (*len, *kind) = (size, kind_of(found));
            0
        }
    })
}

extern "C" fn exists(backend: *mut raw::git_odb_backend, oid: *const raw::git_oid) -> c_int {
    guarded(|| {
        // SAFETY: as in `read`.
        match unsafe { asked(backend, oid) } {
            Some((this, id)) => c_int::from(this.packs.contains(id)),
            None => 0,
        }
    })
}

extern "C" fn free(backend: *mut raw::git_odb_backend) {
    // SAFETY: libgit2 frees a backend once, with the pointer `serve` gave it (a `Box`).
    let _ = catch_unwind(|| drop(unsafe { Box::from_raw(backend.cast::<Backend>()) }));
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use super::super::super::testing::git;
    use super::*;

    #[test]
    fn libgit2_reads_what_the_pack_reader_holds_through_it_and_lets_it_go() {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q"]);
        std::fs::write(dir.path().join("notes.txt"), "packed content\n").unwrap();
        git(dir.path(), &["add", "-A"]);
        git(dir.path(), &["commit", "-q", "-m", "one"]);
        git(dir.path(), &["repack", "-adq"]);
        let hex = Command::new("git").args(["rev-parse", "HEAD:notes.txt"]).current_dir(dir.path()).output();
        let hex = String::from_utf8(hex.unwrap().stdout).unwrap();
        let id = ObjectId::from_hex(hex.trim()).unwrap();

        let packs = Arc::new(PackedObjects::of(vec![dir.path().join(".git/objects")]));
        assert!(packs.read(id).is_some(), "the reader opens the pack");
        // Gone from the directory, libgit2's own backend cannot read the pack; the reader
        // still holds its files open.
        for entry in std::fs::read_dir(dir.path().join(".git/objects/pack")).unwrap() {
            std::fs::remove_file(entry.unwrap().path()).unwrap();
        }
        let repo = git2::Repository::open(dir.path()).unwrap();
        serve(&repo, packs.clone()).unwrap();
        let odb = repo.odb().unwrap();
        let oid = id.to_git2().unwrap();
        let (kind, data) = odb.read(oid).map(|object| (object.kind(), object.data().to_vec())).unwrap();
        assert_eq!((kind, data.as_slice()), (git2::ObjectType::Blob, &b"packed content\n"[..]));
        assert_eq!(odb.read_header(oid).unwrap(), (15, git2::ObjectType::Blob));
        assert!(odb.exists(oid));
        let absent = git2::Oid::from_str("0123456789abcdef0123456789abcdef01234567").unwrap();
        assert_eq!(odb.read(absent).err().map(|e| e.code()), Some(git2::ErrorCode::NotFound));
        drop(odb);
        drop(repo);
        assert_eq!(Arc::strong_count(&packs), 1, "libgit2 freed the backend with the repository");
    }
}
