//! One handle on the repository for every source, whichever way it has to be read.
//!
//! libgit2 reads a repository in-process, which keeps a hook fast; but it cannot open a
//! SHA-256 repository (the vendored libgit2 is built without SHA-256) nor one whose refs
//! are in a reftable. When libgit2 cannot open a repository and git can, every read goes
//! through git itself ([`super::git`]), with the same results. A libgit2 handle carries git
//! too, for what libgit2 refuses in a repository it opens (a split or sparse index).
//!
//! Objects may be absent: a partial clone holds only what it fetched, a mirror may have
//! dropped large blobs. Reads of content say `None` for an absent object and the caller
//! decides what that means (an old version that is absent makes its file new); an absent
//! object that a step cannot do without is an [`Absent`] error, and the error report adds
//! how to fetch it when the repository is a partial clone ([`partial_clone_hint`]).

mod layout;
mod memo;

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex, Once};

use anyhow::{bail, Context, Result};
use git2::{ErrorClass, ErrorCode, ObjectType, Oid, Repository};

use super::git::{self, CommitData, Git, TagData};
use super::index::{self, Difference};
use super::loose::{LooseBlob, LooseObjects};
use super::mode;
use super::oid::{ObjectId, ObjectKind, Peeled};
use super::pack::PackedObjects;
use super::treediff::{self, TreeCache};
pub use layout::Layout;
use memo::Memo;

/// A repository, read through libgit2 or through git.
pub struct Repo {
    backend: Backend,
    git: Git,
    /// Raw trees read by [`Repo::tree_differences`], for the next commits a worker diffs.
    trees: Mutex<TreeCache>,
    /// Loose blobs, read before libgit2 or git is asked (see [`super::loose`]).
    loose: LooseObjects,
    /// Packed trees and blobs, read before libgit2 is asked (see [`super::pack`]).
    packs: Arc<PackedObjects>,
    /// Blobs read ahead of their turn, and commits' trees (see [`Memo`]).
    memo: Memo,
    /// The commits a shallow clone holds without their parents (`shallow`, which libgit2
    /// reads as grafts): read by the pack reader, they have no parents either.
    shallow: HashSet<ObjectId>,
}

/// How a [`Repo`] is read.
pub enum Backend {
    /// In-process, by libgit2.
    Lib(Repository),
    /// By git itself: libgit2 cannot open this repository.
    Git(Layout),
}

/// An object that a step needs is not in the object store.
#[derive(Debug)]
pub struct Absent {
    /// The object.
    pub id: ObjectId,
    /// What it is to the step (`the tree of commit …`).
    pub what: String,
}

impl fmt::Display for Absent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}) is not in this repository's object store", self.id, self.what)
    }
}

impl std::error::Error for Absent {}

impl Repo {
    /// Opens the repository the way a hook sees it: `GIT_DIR`, `GIT_INDEX_FILE`, git's object
    /// quarantine and linked worktrees from the environment first, then the working
    /// directory. Through libgit2 when it can open it, else through git.
    pub fn open() -> Result<Repo> {
        // Like git's own commands, trust the object store instead of re-hashing every object
        // read (SHA-1 with collision detection): re-hashing was half the time of a history scan.
        // A damaged object still fails to inflate or parse, and that is still an error.
        git2::opts::strict_hash_verification(false);
        allow_partial_clones();
        match Repository::open_from_env() {
            Ok(repo) => Ok(Repo::from(repo)),
            Err(error) => match Layout::discover() {
                Ok((layout, id_len)) => Ok(Repo::with(Backend::Git(layout), Git::new(id_len))),
                Err(_) => Err(error).context("opening the git repository (is this inside a git work tree?)"),
            },
        }
    }

    fn with(backend: Backend, git: Git) -> Repo {
        bound_libgit2_memory();
        let common_dir = match &backend {
            Backend::Lib(repo) => repo.commondir(),
            Backend::Git(layout) => &layout.common_dir,
        };
        let (loose, packs) = (LooseObjects::of(common_dir), PackedObjects::shared(common_dir));
        if let Backend::Lib(repo) = &backend {
            // Without it libgit2 reads what it reads itself (commits, the rename search's
            // blobs) from its own backends, as before.
            let _ = super::pack::libgit2::serve(repo, packs.clone());
        }
        let shallow = std::fs::read_to_string(common_dir.join("shallow")).unwrap_or_default();
        let shallow = shallow.lines().filter_map(ObjectId::from_hex).collect();
        Repo { backend, git, trees: Mutex::default(), loose, packs, memo: Memo::default(), shallow }
    }

    /// The files whose entry differs between the trees `old` (none: the empty tree) and
    /// `new`, read by libgit2 (see [`treediff`](super::treediff)).
    pub fn tree_differences(&self, lib: &Repository, old: Option<Oid>, new: Oid) -> Result<Vec<Difference>> {
        let mut trees = self.trees.lock().map_err(|_| anyhow::anyhow!("a scanning thread crashed"))?;
        let read = |id: Oid| match self.packs.read(id.into()).filter(|tree| tree.kind == ObjectKind::Tree) {
            Some(tree) => Ok(tree.data),
            None => treediff::read_with_libgit2(lib, id),
        };
        treediff::differences(&read, &mut trees, old, new)
    }

    /// How this repository is read.
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// The libgit2 handle, when libgit2 reads this repository.
    pub fn lib(&self) -> Option<&Repository> {
        match &self.backend {
            Backend::Lib(repo) => Some(repo),
            Backend::Git(_) => None,
        }
    }

    /// git, run on this repository.
    pub fn git(&self) -> &Git {
        &self.git
    }

    /// The work tree; `None` for a bare repository.
    pub fn workdir(&self) -> Option<&Path> {
        match &self.backend {
            Backend::Lib(repo) => repo.workdir(),
            Backend::Git(layout) => layout.work_tree.as_deref(),
        }
    }

    /// The git directory (`.git`, a linked worktree's own, or the bare repository).
    pub fn path(&self) -> &Path {
        match &self.backend {
            Backend::Lib(repo) => repo.path(),
            Backend::Git(layout) => &layout.git_dir,
        }
    }

    /// The repository's git config, with the global and system files below it.
    pub fn config(&self) -> Result<git2::Config> {
        let layout = match &self.backend {
            Backend::Lib(repo) => return repo.config().context("reading the repository's git config"),
            Backend::Git(layout) => layout,
        };
        // The same files libgit2 would stack for the repository: config files do not
        // depend on the object or ref format.
        let mut config = git2::Config::open_default().context("reading the global git config")?;
        let local = layout.common_dir.join("config");
        config
            .add_file(&local, git2::ConfigLevel::Local, false)
            .with_context(|| format!("reading the git config {}", local.display()))?;
        let worktree = layout.git_dir.join("config.worktree");
        if config.get_bool("extensions.worktreeConfig").unwrap_or(false) && worktree.is_file() {
            config
                .add_file(&worktree, git2::ConfigLevel::Worktree, false)
                .with_context(|| format!("reading the git config {}", worktree.display()))?;
        }
        Ok(config)
    }

    /// The commit HEAD names; `None` on an unborn branch.
    pub fn head(&self) -> Result<Option<ObjectId>> {
        match &self.backend {
            Backend::Lib(repo) => match repo.head() {
                Ok(head) => {
                    Ok(Some(head.peel_to_commit().context("reading the commit of HEAD")?.id().into()))
                }
                Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => Ok(None),
                Err(e) => Err(e).context("reading HEAD"),
            },
            Backend::Git(_) => self.git.head(),
        }
    }

    /// Whether the object store holds `id` (a partial clone may lack it), without reading it.
    pub fn contains(&self, id: ObjectId) -> Result<bool> {
        match &self.backend {
            Backend::Lib(repo) => {
                Ok(repo.odb().context("opening the object database")?.exists(id.to_git2()?))
            }
            Backend::Git(_) => Ok(self.git.header(id)?.is_some()),
        }
    }

    /// The kind and size of object `id`; `None` when it is absent. libgit2 asks the pack
    /// reader first ([`super::pack::libgit2`]), as it does for [`Repo::contains`].
    pub fn header(&self, id: ObjectId) -> Result<Option<(ObjectKind, u64)>> {
        match &self.backend {
            Backend::Lib(repo) => {
                let odb = repo.odb().context("opening the object database")?;
                match odb.read_header(id.to_git2()?) {
                    Ok((size, kind)) => {
                        let kind = ObjectKind::of_git2(kind).context("an object of no known kind")?;
                        Ok(Some((kind, u64::try_from(size).unwrap_or(u64::MAX))))
                    }
                    Err(e) if is_absent(&e) => Ok(None),
                    Err(e) => Err(e.into()),
                }
            }
            Backend::Git(_) => self.git.header(id),
        }
    }

    /// The content of blob `id`; `None` when it is absent. A loose object (as every freshly
    /// staged one is) is inflated straight into the buffer, and so is a packed one unless the
    /// pack reader's cache shares it; one libgit2 reads is copied out of libgit2's buffer.
    pub fn read_blob(&self, id: ObjectId) -> Result<Option<Vec<u8>>> {
        Ok(self.read_shared_blob(id)?.map(Arc::unwrap_or_clone))
    }

    /// The content of blob `id`, as [`Repo::read_blob`] reads it but shared with the pack
    /// reader's cache where the cache holds it, not copied out of it (copying the new version
    /// of every file was 3.5% of a history scan).
    pub fn read_shared_blob(&self, id: ObjectId) -> Result<Option<Arc<Vec<u8>>>> {
        if let Some(content) = self.memo.take_blob(id)? {
            return Ok(Some(content));
        }
        if let Some(content) = self.loose.blob(id) {
            return Ok(Some(Arc::new(content)));
        }
        if let Some(content) = self.packed_blob(id) {
            return Ok(Some(content));
        }
        self.unpacked_blob(id, |content| Arc::new(content.into_owned()))
    }

    /// Blob `id`, opened to be inflated piece by piece, when it is a loose object; `None`
    /// otherwise (packed, in another store, absent), for [`Repo::with_blob`] to read.
    pub fn loose_blob(&self, id: ObjectId) -> Option<LooseBlob> {
        self.loose.open(id)
    }

    /// Keeps `content`, just read as blob `id`, for the next [`Repo::read_blob`] of it (within
    /// the [`Memo`]'s bound; else it is read again then).
    pub fn keep_for_next_read(&self, id: ObjectId, content: Arc<Vec<u8>>) -> Result<()> {
        self.memo.keep_blob(id, content)
    }

    /// Lets go of the blobs read ahead that no read took (a file the scan did not read after
    /// all: one over the size limit, or a pure rename).
    pub fn forget_read_ahead(&self) -> Result<()> {
        self.memo.forget_blobs()
    }

    /// Calls `read` on the content of blob `id` and returns what it returns; `None` when the
    /// blob is absent. Unlike [`Repo::read_blob`], a packed blob is not copied out of
    /// libgit2's buffer: what is only read through (an old version, to be reduced to line
    /// tokens) costs its size once, not twice.
    pub fn with_blob<R>(&self, id: ObjectId, read: impl FnOnce(&[u8]) -> R) -> Result<Option<R>> {
        if let Some(content) = self.loose.blob(id) {
            return Ok(Some(read(&content)));
        }
        if let Some(content) = self.packed_blob(id) {
            return Ok(Some(read(&content)));
        }
        self.unpacked_blob(id, |content| read(&content))
    }

    /// Blob `id` as the pack reader rebuilt it, shared with its cache; `None` when no pack it
    /// lists holds it in a form it reads, or on the git backend (see [`Repo::unpacked_blob`]).
    fn packed_blob(&self, id: ObjectId) -> Option<Arc<Vec<u8>>> {
        let blob = self.lib().and_then(|_| self.packs.read(id))?;
        (blob.kind == ObjectKind::Blob).then_some(blob.data)
    }

    /// Hands `read` the content of blob `id` as libgit2 or git reads it, where neither
    /// [`LooseObjects`] nor the pack reader read it: borrowed from libgit2's buffer, or as git
    /// gave it. `None` when it is absent.
    fn unpacked_blob<R>(&self, id: ObjectId, read: impl FnOnce(Cow<'_, [u8]>) -> R) -> Result<Option<R>> {
        match &self.backend {
            Backend::Lib(repo) => {
                let odb = repo.odb().context("opening the object database")?;
                // Not libgit2's stream: it serves loose objects only, read before this, and
                // asking it would cost a failed `access()` for every packed one.
                let read = match odb.read(id.to_git2()?) {
                    Ok(object) if object.kind() == ObjectType::Blob => {
                        Ok(Some(read(Cow::Borrowed(object.data()))))
                    }
                    Ok(object) => Err(anyhow::anyhow!("{id} is a {}, not a blob", object.kind())),
                    Err(e) if is_absent(&e) => Ok(None),
                    Err(e) => Err(e.into()),
                };
                read
            }
            Backend::Git(_) => match self.git.object(&id.to_string())? {
                Some((ObjectKind::Blob, content)) => Ok(Some(read(Cow::Owned(content)))),
                Some((kind, _)) => bail!("{id} is a {}, not a blob", kind.name()),
                None => Ok(None),
            },
        }
    }

    /// Commit `id`: its tree, parents, summary and author date. An absent commit is an
    /// [`Absent`] error. A shallow clone's boundary commits have no parents, as git and libgit2
    /// see them.
    pub fn commit(&self, id: ObjectId) -> Result<CommitData> {
        let mut data = self.stored_commit(id)?;
        if self.shallow.contains(&id) {
            data.parents.clear();
        }
        self.memo.remember_tree(id, data.tree)?;
        Ok(data)
    }

    /// Where object `id` is packed: the pack and the offset in it.
    pub fn pack_place(&self, id: ObjectId) -> Option<(usize, u64)> {
        self.packs.find(id)
    }

    /// Commit `id` as stored. A packed commit is read and parsed here, as packed trees are:
    /// through libgit2 it cost a copy into libgit2's buffer and a parse of every signature.
    fn stored_commit(&self, id: ObjectId) -> Result<CommitData> {
        let Backend::Lib(repo) = &self.backend else {
            return self.git.commit(id)?.ok_or_else(|| self.absent_error(id, "a commit"));
        };
        if let Some(object) = self.packs.read(id).filter(|object| object.kind == ObjectKind::Commit) {
            return git::parse_commit(&object.data, id.as_bytes().len())
                .with_context(|| format!("reading commit {id}"));
        }
        let commit = repo.find_commit(id.to_git2()?).map_err(|e| self.lib_error(e, id, "a commit"))?;
        let data = CommitData {
            tree: commit.tree_id().into(),
            parents: commit.parent_ids().map(ObjectId::from).collect(),
            summary: String::from_utf8_lossy(commit.summary_bytes().unwrap_or_default()).into_owned(),
            message: commit.message_bytes().to_vec(),
            author_time: commit.author().when().seconds(),
        };
        Ok(data)
    }

    /// The tree of commit `id`, remembered from when it was read last: a history scan diffs a
    /// commit against its parent, which it read as the commit before (libgit2's object cache,
    /// which kept it, is off: see [`bound_libgit2_memory`]).
    pub fn tree_of_commit(&self, id: ObjectId) -> Result<ObjectId> {
        match self.memo.tree_of(id)? {
            Some(tree) => Ok(tree),
            None => Ok(self.commit(id)?.tree),
        }
    }

    /// The annotated tag `id`: its name, what it tags and its message; `None` when it is
    /// absent. An object of another kind is an error.
    pub fn tag(&self, id: ObjectId) -> Result<Option<TagData>> {
        let Some(repo) = self.lib() else { return self.git.tag(id) };
        let tag = match repo.find_tag(id.to_git2()?) {
            Ok(tag) => tag,
            Err(e) if is_absent(&e) => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("reading tag {id}")),
        };
        let target_kind =
            tag.target_type().and_then(ObjectKind::of_git2).context("a tag of no known kind")?;
        Ok(Some(TagData {
            name: String::from_utf8_lossy(tag.name_bytes()).into_owned(),
            target: tag.target_id().into(),
            target_kind,
            message: tag.message_bytes().unwrap_or_default().to_vec(),
        }))
    }

    /// What `id` is once every tag is followed, and its id; `None` when it, or what it
    /// tags, is absent.
    pub fn peel(&self, id: ObjectId) -> Result<Peeled> {
        let Some(repo) = self.lib() else { return self.git.peel(id) };
        let mut object = match repo.find_object(id.to_git2()?, None) {
            Ok(object) => object,
            Err(e) if is_absent(&e) => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("reading object {id}")),
        };
        loop {
            let Some(tag) = object.as_tag() else {
                let kind =
                    object.kind().and_then(ObjectKind::of_git2).context("an object of no known kind")?;
                return Ok(Some((kind, object.id().into())));
            };
            object = match tag.target() {
                Ok(target) => target,
                Err(e) if is_absent(&e) => return Ok(None),
                Err(e) => return Err(e).with_context(|| format!("reading what tag {id} points at")),
            };
        }
    }

    /// The mode and object at `path` (`/`-separated, from the top) in the tree of
    /// `treeish` (a commit or a tree); `None` when nothing is there or the way is absent.
    pub fn entry_at(&self, treeish: ObjectId, path: &str) -> Result<Option<(u32, ObjectId)>> {
        let Some(repo) = self.lib() else { return self.git.entry_at(treeish, path) };
        let tree = match repo.find_object(treeish.to_git2()?, None).and_then(|o| o.peel_to_tree()) {
            Ok(tree) => tree,
            Err(e) if is_absent(&e) => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("reading the tree of {treeish}")),
        };
        match tree.get_path(Path::new(path)) {
            Ok(entry) => Ok(Some((u32::try_from(entry.filemode()).unwrap_or(0), entry.id().into()))),
            Err(e) if is_absent(&e) => Ok(None),
            Err(e) => Err(e).with_context(|| format!("looking up {path} in {treeish}")),
        }
    }

    /// The regular and executable files of the tree of `treeish`, recursively, as (path,
    /// blob). A tree on the way that is absent is an [`Absent`] error.
    pub fn tree_files(&self, treeish: ObjectId) -> Result<Vec<(String, ObjectId)>> {
        let Some(repo) = self.lib() else { return self.git.tree_files(treeish) };
        let tree = repo
            .find_object(treeish.to_git2()?, None)
            .and_then(|object| object.peel_to_tree())
            .map_err(|e| self.lib_error(e, treeish, "a tree"))?;
        let mut files = Vec::new();
        self.lib_tree_files(repo, &tree, Vec::new(), &mut files)?;
        Ok(files)
    }

    fn lib_tree_files(
        &self,
        repo: &Repository,
        tree: &git2::Tree<'_>,
        prefix: Vec<u8>,
        out: &mut Vec<(String, ObjectId)>,
    ) -> Result<()> {
        for entry in tree {
            let mut path = prefix.clone();
            path.extend_from_slice(entry.name_bytes());
            match entry.kind() {
                Some(ObjectType::Tree) => {
                    let what = format!("directory {}", String::from_utf8_lossy(&path));
                    let subtree = repo
                        .find_tree(entry.id())
                        .map_err(|e| self.lib_error(e, entry.id().into(), &what))?;
                    path.push(b'/');
                    self.lib_tree_files(repo, &subtree, path, out)?;
                }
                Some(ObjectType::Blob) if mode::is_regular(u32::try_from(entry.filemode()).unwrap_or(0)) => {
                    out.push((String::from_utf8_lossy(&path).into_owned(), entry.id().into()));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The index's stage-0 entry at `path` (from the top): mode and blob. Read by this
    /// crate's index reader, else by libgit2, else (a split or sparse index) by git.
    pub fn staged_entry(&self, path: &str) -> Result<Option<(u32, ObjectId)>> {
        let Some(repo) = self.lib() else { return self.git.staged_entry(path) };
        if let Some(staged) = index::read(repo)? {
            return Ok(staged.side_of(path.as_bytes()).map(|side| (side.mode, side.id.into())));
        }
        match repo.index() {
            Ok(index) => Ok(index.get_path(Path::new(path), 0).map(|entry| (entry.mode, entry.id.into()))),
            Err(_) => self.git.staged_entry(path),
        }
    }

    /// A libgit2 error about `id` (`what` it is to the step): an [`Absent`] error, with
    /// libgit2's words under it, when the object is not there.
    pub fn lib_error(&self, error: git2::Error, id: ObjectId, what: &str) -> anyhow::Error {
        if is_absent(&error) {
            anyhow::Error::new(error).context(Absent { id, what: what.to_owned() })
        } else {
            anyhow::Error::new(error).context(format!("reading {what} ({id})"))
        }
    }

    /// The error for object `id`, which a step cannot do without (`what` it is to the
    /// step), found absent: an [`Absent`] error, with what libgit2 says of it under it.
    pub fn absent_error(&self, id: ObjectId, what: &str) -> anyhow::Error {
        let absent = Absent { id, what: what.to_owned() };
        if let (Some(repo), Ok(oid)) = (self.lib(), id.to_git2()) {
            if let Err(error) = repo.odb().and_then(|odb| odb.read_header(oid)) {
                return anyhow::Error::new(error).context(absent);
            }
        }
        absent.into()
    }
}

impl From<Repository> for Repo {
    /// A libgit2 handle, with git run where this process runs (as a hook's git does).
    fn from(repo: Repository) -> Repo {
        Repo::with(Backend::Lib(repo), Git::new(20))
    }
}

impl Repo {
    /// The repository in `dir`, through libgit2, with git run in `dir` (for tests, which
    /// do not run where their repositories are).
    #[cfg(test)]
    pub fn at(dir: &Path) -> Result<Repo> {
        Ok(Repo::with(Backend::Lib(Repository::open(dir)?), Git::in_dir(dir)))
    }
}

/// Whether a libgit2 error says that an object is not there.
pub fn is_absent(error: &git2::Error) -> bool {
    error.code() == ErrorCode::NotFound && matches!(error.class(), ErrorClass::Odb | ErrorClass::Object)
}

/// Bytes of a pack file that libgit2 maps at a time, in windows of [`PACK_WINDOW_BYTES`].
const PACK_MAPPED_BYTES: usize = 8 << 20;

/// The size of one window libgit2 maps of a pack file.
const PACK_WINDOW_BYTES: usize = 1 << 20;

/// Bounds what libgit2 holds in memory across a long walk. By default it maps a pack file in
/// windows of 1 GiB, up to 8 GiB, and never unmaps them: a history scan read every page of the
/// pack once, and every page stayed resident (35 MB of a 36 MB pack, a quarter of the scan's
/// peak). Windows of 1 MiB, 8 MiB of them at most, cost under 0.1% of a history scan's
/// instructions once the trees a commit shares with its parent are cached by id ([`TreeCache`]).
///
/// Its object cache (commits and small trees, up to 256 MiB) is off: the trees a scan reads
/// again are in the [`TreeCache`], a commit is read a few times at most, and a bounded cache
/// cost more than it saved. Capped at 4 MiB, it evicted all along a long walk, and each eviction
/// searched its table from the start past the slots it had emptied before: 12% of a
/// 10,000-commit scan.
fn bound_libgit2_memory() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        git2::opts::enable_caching(false);
        // SAFETY: libgit2 keeps these limits in globals, read when a window is mapped; they
        // are set once, when the first repository handle is made.
        unsafe {
            let _ = git2::opts::set_mwindow_size(PACK_WINDOW_BYTES);
            let _ = git2::opts::set_mwindow_mapped_limit(PACK_MAPPED_BYTES);
        }
    });
}

/// Lets libgit2 open a partial clone made by a git that records `extensions.partialClone`:
/// libgit2 knows nothing of promisor remotes, so it never fetches, and an object the clone
/// lacks reads as absent, which is what zoomguard wants of it.
fn allow_partial_clones() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: libgit2 keeps this list in a global; it is set once, before any
        // repository is opened, and every opening goes through this `Once`.
        let _ = unsafe { git2::opts::set_extensions(&["partialclone"]) };
    });
}

/// When `error` is about an object that is absent and the repository (from the
/// environment) is a partial clone: how to get it, since zoomguard never fetches.
pub fn partial_clone_hint(error: &anyhow::Error) -> Option<String> {
    let about_absent = error.chain().any(|cause| {
        cause.downcast_ref::<Absent>().is_some()
            || cause.downcast_ref::<git2::Error>().is_some_and(is_absent)
            || ["promisor remote", "lazy fetching disabled"]
                .iter()
                .any(|said| cause.to_string().contains(said))
    });
    if !about_absent {
        return None;
    }
    let config = Repo::open().ok()?.config().ok()?;
    let mut promisor = config.get_string("extensions.partialClone").ok();
    if promisor.is_none() {
        let mut entries = config.entries(Some(r"remote\..*\.promisor")).ok()?;
        while let Some(Ok(entry)) = entries.next() {
            let value = entry.value().unwrap_or_default().to_ascii_lowercase();
            if matches!(value.as_str(), "true" | "yes" | "on" | "1") {
                let name = entry.name().unwrap_or_default();
                promisor =
                    name.strip_prefix("remote.").and_then(|n| n.strip_suffix(".promisor")).map(str::to_owned);
            }
        }
    }
    let remote = promisor?;
    Some(format!(
        "this repository is a partial clone: objects it has not fetched from its promisor remote \
         {remote:?} are not here, and zoomguard never fetches them. Fetch what this needs with git \
         (`git cat-file -e <id>` fetches one object; `git rev-list --objects --missing=print <commit>` \
         lists what is missing), then run again."
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testing::git;
    use super::*;

    #[test]
    fn libgit2_opens_a_partial_clone_that_declares_its_extension() {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q"]);
        git(dir.path(), &["config", "core.repositoryFormatVersion", "1"]);
        git(dir.path(), &["config", "extensions.partialClone", "origin"]);
        allow_partial_clones();
        assert!(Repository::open(dir.path()).is_ok(), "libgit2 refuses a partial clone");
    }
}
