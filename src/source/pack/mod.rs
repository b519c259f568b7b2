//! Packed objects read without libgit2, because reading them is most of a history scan.
//!
//! Nearly every object of a history is in a pack, most of them as deltas against another.
//! libgit2 inflated them with the system's zlib (40% of a 10,000-commit scan) through windows
//! of the pack it maps and unmaps (another 15%, in the kernel, and more as the pack grows).
//! Here an object is read with `pread` from the pack file, inflated (in one call by libdeflate;
//! a large one by zlib-rs as it is read) and rebuilt from its delta chain, with the objects
//! rebuilt lately kept in a cache bounded in bytes (the next version of a file is a delta
//! against this one). Nothing is mapped, so the scan's memory does not grow with the pack
//! (see [`index`] for the indexes).
//!
//! The reader is shared by every repository handle of the process open on the same object
//! directories (a history scan's workers), so the indexes are read once and the workers share
//! the cache; libgit2 reads through it too, for what it still reads itself ([`libgit2`]).
//!
//! Anything this reader does not expect (an object in no pack it listed, an index or a pack of
//! another version, a damaged stream or delta, a base in another pack) is `None`, left to
//! libgit2, which then reads the object or reports it as it always did.

mod delta;
mod index;
pub mod libgit2;

use std::cell::Cell;
use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use flate2::{Decompress, FlushDecompress, Status};

use super::oid::{ObjectId, ObjectKind, SHA1_LEN};
use index::Index;

/// Bytes of rebuilt objects the cache keeps; the least recently used go first past it. The
/// scan's peak memory holds it whole. At 50,000 commits (real shape, 2 jobs) 16 MiB was 5%
/// faster than 6 MiB for 18 MB more; on the flat shape's 50,000 commits, whose trees are large,
/// a larger cache was slower (10 MiB: +10%, 16 MiB: +18%, and over 64 MiB).
const CACHE_BYTES: usize = 6 << 20;

/// Objects larger than this are not kept: one would push out hundreds of small ones.
const CACHE_LARGEST: usize = CACHE_BYTES / 8;

/// A delta chain longer than this is taken for damage (git's own limit is 4,095 deep).
const MAX_CHAIN: usize = 10_000;

/// Bytes read from the pack in one call when an object's first bytes are read: most entries
/// of a history's pack are smaller (half a kilobyte on average).
const FIRST_READ_BYTES: usize = 1024;

/// The most bytes read from the pack in one call; each thread keeps a buffer this large.
const MAX_READ_BYTES: usize = 256 << 10;

/// Entries inflating to at most this many bytes are read whole and inflated in one call
/// (libdeflate); larger ones are inflated as they are read (zlib-rs). A kilobyte under the
/// largest read, so that such an entry's header and whole stream (at most
/// [`deflated_bound`] bytes) fit in one.
const WHOLE_UP_TO: usize = MAX_READ_BYTES - 1024;

/// An object as stored: its kind and content, shared with the cache.
pub struct Object {
    /// What it is.
    pub kind: ObjectKind,
    /// Its content.
    pub data: Arc<Vec<u8>>,
}

/// The packs of a repository's object directories, listed when first needed.
pub struct PackedObjects {
    stores: Vec<PathBuf>,
    packs: OnceLock<Vec<Pack>>,
    cache: Mutex<Cache>,
}

struct Pack {
    index: Index,
    file: File,
    /// Where the objects end: the file's length less its checksum.
    end: u64,
}

impl PackedObjects {
    /// The packs of the repository whose common git directory is `common_dir`, and those of
    /// `GIT_OBJECT_DIRECTORY` when git sets it (a pre-receive hook's quarantine); the reader
    /// another handle of this process made for the same directories when one is still open.
    pub fn shared(common_dir: &Path) -> Arc<PackedObjects> {
        static OPEN: Mutex<Vec<Weak<PackedObjects>>> = Mutex::new(Vec::new());
        let quarantine = std::env::var_os("GIT_OBJECT_DIRECTORY").map(PathBuf::from);
        let stores: Vec<PathBuf> = quarantine.into_iter().chain([common_dir.join("objects")]).collect();
        let Ok(mut open) = OPEN.lock() else {
            return Arc::new(PackedObjects::of(stores));
        };
        open.retain(|reader| reader.strong_count() > 0);
        if let Some(reader) = open.iter().filter_map(Weak::upgrade).find(|reader| reader.stores == stores) {
            return reader;
        }
        let reader = Arc::new(PackedObjects::of(stores));
        open.push(Arc::downgrade(&reader));
        reader
    }

    fn of(stores: Vec<PathBuf>) -> PackedObjects {
        PackedObjects { stores, packs: OnceLock::new(), cache: Mutex::default() }
    }

    fn packs(&self) -> &[Pack] {
        self.packs
            .get_or_init(|| self.stores.iter().flat_map(|store| list_packs(&store.join("pack"))).collect())
    }

    /// Where object `id` is stored: the pack (in the order listed) and the offset in it.
    pub fn find(&self, id: ObjectId) -> Option<(usize, u64)> {
        let bytes = id.as_bytes();
        if bytes.len() != SHA1_LEN {
            return None;
        }
        self.packs().iter().enumerate().find_map(|(n, pack)| Some((n, pack.index.offset_of(bytes)?)))
    }

    /// Whether a pack listed holds object `id`.
    pub fn contains(&self, id: ObjectId) -> bool {
        self.find(id).is_some()
    }

    /// Object `id`, if a pack holds it and it reads whole.
    pub fn read(&self, id: ObjectId) -> Option<Object> {
        let (pack, offset) = self.find(id)?;
        self.read_at(pack, offset)
    }

    /// The kind and size of object `id`, read from its entry's header (and for a delta, the
    /// start of the delta and the headers down its chain) without rebuilding it.
    pub fn header(&self, id: ObjectId) -> Option<(ObjectKind, u64)> {
        let (n, mut offset) = self.find(id)?;
        let pack = &self.packs()[n];
        let mut size = None;
        for _ in 0..MAX_CHAIN {
            if let Some(object) = self.cached(n, offset) {
                return Some((object.kind, size.unwrap_or(object.data.len() as u64)));
            }
            let mut entry = Entry::at(pack, offset, Read::Start)?;
            match entry.stored {
                Stored::Whole(kind) => return Some((kind, size.unwrap_or(entry.size as u64))),
                Stored::Delta(base) => {
                    if size.is_none() {
                        let start = entry.inflate_prefix(20)?;
                        size = Some(delta::sizes(&start)?.1 as u64);
                    }
                    offset = match base {
                        Base::At(offset) => offset,
                        Base::Id(id) => pack.index.offset_of(&id)?,
                    };
                }
            }
        }
        None
    }

    /// The object that starts at `offset` in pack `n`, rebuilt from its delta chain.
    fn read_at(&self, n: usize, offset: u64) -> Option<Object> {
        let pack = &self.packs()[n];
        let mut deltas = Vec::new();
        let mut at = offset;
        let mut object = loop {
            if let Some(object) = self.cached(n, at) {
                break object;
            }
            // A chain that comes back to an entry (deltas against ids can) is damage, and would
            // otherwise hold a copy of its deltas for every turn until the bound.
            if deltas.len() == MAX_CHAIN || deltas.iter().any(|(seen, _)| *seen == at) {
                return None;
            }
            let mut entry = Entry::at(pack, at, Read::Whole)?;
            let data = entry.inflate()?;
            match entry.stored {
                Stored::Whole(kind) => {
                    let object = Object { kind, data: Arc::new(data) };
                    self.keep(n, at, &object);
                    break object;
                }
                Stored::Delta(base) => {
                    deltas.push((at, data));
                    at = match base {
                        Base::At(offset) => offset,
                        Base::Id(id) => pack.index.offset_of(&id)?,
                    };
                }
            }
        };
        while let Some((at, delta)) = deltas.pop() {
            object = Object { kind: object.kind, data: Arc::new(delta::apply(&object.data, &delta)?) };
            self.keep(n, at, &object);
        }
        Some(object)
    }

    fn cached(&self, pack: usize, offset: u64) -> Option<Object> {
        self.cache.lock().ok()?.get(pack, offset)
    }

    fn keep(&self, pack: usize, offset: u64, object: &Object) {
        if object.data.len() <= CACHE_LARGEST {
            if let Ok(mut cache) = self.cache.lock() {
                cache.put(pack, offset, object);
            }
        }
    }
}

/// The packs in `dir` whose index and pack read as this reader expects, newest first (where
/// git looks first too).
fn list_packs(dir: &Path) -> Vec<Pack> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut packs: Vec<(std::time::SystemTime, Pack)> = entries
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            if path.extension()? != "idx" {
                return None;
            }
            let index = Index::open(&path)?;
            let file = File::open(path.with_extension("pack")).ok()?;
            let metadata = file.metadata().ok()?;
            let mut header = [0; 12];
            read_at(&file, &mut header, 0).ok().filter(|&read| read == header.len())?;
            let (version, count) = (index::be32(&header, 4), index::be32(&header, 8));
            if &header[..4] != b"PACK" || !(2..=3).contains(&version) || count as usize != index.count() {
                return None;
            }
            let end = metadata.len().checked_sub(SHA1_LEN as u64)?;
            Some((metadata.modified().ok()?, Pack { index, file, end }))
        })
        .collect();
    packs.sort_by_key(|(modified, _)| std::cmp::Reverse(*modified));
    packs.into_iter().map(|(_, pack)| pack).collect()
}

/// How much of an entry to read first: its start (for its header), or all of it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Read {
    Start,
    Whole,
}

/// How an entry of a pack is stored.
#[derive(Clone, Copy)]
enum Stored {
    Whole(ObjectKind),
    Delta(Base),
}

/// What a delta is against.
#[derive(Clone, Copy)]
enum Base {
    /// The entry at this offset of the same pack.
    At(u64),
    /// The object with this id.
    Id([u8; SHA1_LEN]),
}

/// One entry of a pack, its header read, its compressed data next.
struct Entry<'p> {
    stored: Stored,
    /// The size of the inflated data: the object's, or the delta's.
    size: usize,
    input: Input<'p>,
}

impl<'p> Entry<'p> {
    /// The entry that starts at `offset` of `pack`, its first bytes read, or all of it.
    fn at(pack: &'p Pack, offset: u64, read: Read) -> Option<Entry<'p>> {
        let scratch = Some(SCRATCH.with(Cell::take).unwrap_or_default());
        // Where the next entry starts is where this one ends: read it whole in one call (up to
        // the largest read), not a kilobyte and then the rest.
        let (end, first_read) = match pack.index.entry_end(offset, pack.end) {
            Some(end) if read == Read::Whole => {
                (end, usize::try_from(end.checked_sub(offset)?).unwrap_or(usize::MAX))
            }
            Some(end) => (end, FIRST_READ_BYTES),
            None => (pack.end, FIRST_READ_BYTES),
        };
        let mut input = Input { pack, end, at: offset, scratch, filled: 0, start: 0 };
        input.fill(first_read)?;
        let mut byte = input.byte()?;
        let code = (byte >> 4) & 0x07;
        let mut size = usize::from(byte & 0x0f);
        let mut shift = 4;
        while byte & 0x80 != 0 {
            byte = input.byte()?;
            size |= usize::from(byte & 0x7f).checked_shl(shift).filter(|_| shift < usize::BITS - 7)?;
            shift += 7;
        }
        let stored = match code {
            1 => Stored::Whole(ObjectKind::Commit),
            2 => Stored::Whole(ObjectKind::Tree),
            3 => Stored::Whole(ObjectKind::Blob),
            4 => Stored::Whole(ObjectKind::Tag),
            6 => {
                let mut byte = input.byte()?;
                let mut distance = u64::from(byte & 0x7f);
                while byte & 0x80 != 0 {
                    byte = input.byte()?;
                    distance = distance.checked_add(1)?.checked_mul(128)? | u64::from(byte & 0x7f);
                }
                Stored::Delta(Base::At(offset.checked_sub(distance).filter(|_| distance > 0)?))
            }
            7 => {
                let mut id = [0; SHA1_LEN];
                for byte in &mut id {
                    *byte = input.byte()?;
                }
                Stored::Delta(Base::Id(id))
            }
            _ => return None,
        };
        Some(Entry { stored, size, input })
    }

    /// The inflated data, which must be exactly the declared size.
    fn inflate(&mut self) -> Option<Vec<u8>> {
        if self.size <= WHOLE_UP_TO {
            return self.inflate_whole();
        }
        let mut out = Vec::new();
        // One byte more than declared, to tell a stream that runs past it.
        out.try_reserve_exact(self.size.checked_add(1)?).ok()?;
        self.inflate_into(&mut out, self.size + 1)?;
        (out.len() == self.size).then_some(out)
    }

    /// The inflated data of an entry of at most [`WHOLE_UP_TO`] bytes, inflated in one call
    /// from its whole compressed stream, which is read first.
    fn inflate_whole(&mut self) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        out.try_reserve_exact(self.size).ok()?;
        out.resize(self.size, 0);
        let bound = deflated_bound(self.size);
        // Deflated text is rarely over half its size: read that much before a first try.
        if self.input.pending().len() < (self.size / 2).min(bound) {
            self.input.extend(self.size / 2 + FIRST_READ_BYTES)?;
        }
        let mut read_all = false;
        loop {
            let scratch = self.input.scratch.as_mut()?;
            let pending = &scratch.buffer[self.input.start..self.input.filled];
            read_all |= pending.len() >= bound;
            match scratch.whole.zlib_decompress(pending, &mut out) {
                Ok(len) => return (len == self.size).then_some(out),
                // The stream may run past what was read: libdeflate takes what lies past the
                // end for zeros, which may inflate to anything, or fail. (It never succeeds on
                // them: it refuses a stream that used them, and wants the checksum whole.)
                // So read all the stream can take, once, and try again.
                Err(_) if !read_all => {
                    self.input.extend(bound)?;
                    read_all = true;
                }
                Err(_) => return None,
            }
        }
    }

    /// The first `len` bytes of the inflated data (fewer if it is shorter).
    fn inflate_prefix(&mut self, len: usize) -> Option<Vec<u8>> {
        let len = len.min(self.size);
        let mut out = Vec::with_capacity(len);
        self.inflate_into(&mut out, len)?;
        (out.len() == len).then_some(out)
    }

    /// Inflates into `out` until the stream ends or `out` holds `len` bytes; `None` when the
    /// stream is damaged or the pack ends first.
    fn inflate_into(&mut self, out: &mut Vec<u8>, len: usize) -> Option<()> {
        self.input.scratch.as_mut()?.stream.reset(true);
        loop {
            if self.input.pending().is_empty() {
                // Deflated text is rarely over half its size; what is read past it is not used.
                self.input.fill((len.saturating_sub(out.len()) / 2).max(FIRST_READ_BYTES))?;
            }
            let Scratch { buffer, stream, .. } = self.input.scratch.as_mut()?;
            let (before_in, before_out) = (stream.total_in(), out.len());
            let pending = &buffer[self.input.start..self.input.filled];
            let status = stream.decompress_vec(pending, out, FlushDecompress::None).ok()?;
            let consumed = (stream.total_in() - before_in) as usize;
            self.input.start += consumed;
            if status == Status::StreamEnd || out.len() >= len {
                return Some(());
            }
            if consumed == 0 && out.len() == before_out && !self.input.pending().is_empty() {
                return None;
            }
        }
    }
}

/// What reading an entry needs besides the pack, kept by each thread from one entry to the
/// next: the read buffer, and zlib's state (its window and tables are allocated once).
struct Scratch {
    buffer: Vec<u8>,
    stream: Decompress,
    whole: libdeflater::Decompressor,
}

impl Default for Scratch {
    fn default() -> Scratch {
        Scratch { buffer: Vec::new(), stream: Decompress::new(true), whole: libdeflater::Decompressor::new() }
    }
}

thread_local! {
    static SCRATCH: Cell<Option<Scratch>> = const { Cell::new(None) };
}

/// Bytes of a pack read from an offset on, a buffer at a time.
struct Input<'p> {
    pack: &'p Pack,
    /// Where the entry's bytes end in the file (if not known, where the pack's entries end).
    end: u64,
    /// Where the buffer's bytes end in the file.
    at: u64,
    /// Always there but while the input is dropped.
    scratch: Option<Scratch>,
    /// How much of the buffer was read.
    filled: usize,
    /// The first byte of the buffer not used yet.
    start: usize,
}

impl Drop for Input<'_> {
    fn drop(&mut self) {
        let scratch = self.scratch.take();
        SCRATCH.with(|kept| kept.set(scratch));
    }
}

impl Input<'_> {
    fn pending(&self) -> &[u8] {
        self.scratch.as_ref().map_or(&[], |scratch| &scratch.buffer[self.start..self.filled])
    }

    fn byte(&mut self) -> Option<u8> {
        if self.pending().is_empty() {
            self.fill(FIRST_READ_BYTES)?;
        }
        let byte = *self.pending().first()?;
        self.start += 1;
        Some(byte)
    }

    /// Reads the next bytes (about `wanted`, within the pack's objects) in place of those
    /// used; `None` at the end of the objects or when the file cannot be read.
    fn fill(&mut self, wanted: usize) -> Option<()> {
        let left = self.end.checked_sub(self.at).filter(|&left| left > 0)?;
        let len = wanted.clamp(1, MAX_READ_BYTES).min(usize::try_from(left).unwrap_or(usize::MAX));
        let buffer = &mut self.scratch.as_mut()?.buffer;
        if buffer.len() < len {
            // Grown once per thread, not zeroed again for each read.
            buffer.resize(len, 0);
        }
        let read = read_at(&self.pack.file, &mut buffer[..len], self.at).ok().filter(|&read| read > 0)?;
        self.at += read as u64;
        (self.start, self.filled) = (0, read);
        Some(())
    }

    /// Reads on until `len` bytes are pending (fewer where the entry ends); `None` when the
    /// file cannot be read.
    fn extend(&mut self, len: usize) -> Option<()> {
        let left = usize::try_from(self.end.saturating_sub(self.at)).unwrap_or(usize::MAX);
        let have = self.filled - self.start;
        let wanted = len.min(have + left);
        if wanted <= have {
            // All there (an entry read whole): nothing to move or read.
            return Some(());
        }
        let buffer = &mut self.scratch.as_mut()?.buffer;
        buffer.copy_within(self.start..self.filled, 0);
        if buffer.len() < wanted {
            buffer.resize(wanted, 0);
        }
        read_exact_at(&self.pack.file, &mut buffer[have..wanted], self.at)?;
        self.at += (wanted - have) as u64;
        (self.start, self.filled) = (0, wanted);
        Some(())
    }
}

/// The most bytes zlib's `compress` can make of `size` bytes (its `compressBound`): where a
/// stream is longer than that, no zlib wrote it, and libgit2 is left to judge it.
fn deflated_bound(size: usize) -> usize {
    size + (size >> 12) + (size >> 14) + (size >> 25) + 13
}

/// Fills `buffer` from `offset` of `file`; `None` when the file is shorter or cannot be read.
fn read_exact_at(file: &File, buffer: &mut [u8], offset: u64) -> Option<()> {
    let mut done = 0;
    while done < buffer.len() {
        match read_at(file, &mut buffer[done..], offset + done as u64).ok()? {
            0 => return None,
            read => done += read,
        }
    }
    Some(())
}

#[cfg(unix)]
fn read_at(file: &File, buffer: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buffer, offset)
}

#[cfg(windows)]
fn read_at(file: &File, buffer: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buffer, offset)
}

/// Objects rebuilt lately, by pack and offset, up to [`CACHE_BYTES`].
#[derive(Default)]
struct Cache {
    objects: HashMap<(usize, u64), Kept, foldhash::fast::RandomState>,
    bytes: usize,
    clock: u64,
}

/// An object in the [`Cache`], and when it was last used (on the cache's clock).
struct Kept {
    kind: ObjectKind,
    data: Arc<Vec<u8>>,
    used: u64,
}

impl Cache {
    fn get(&mut self, pack: usize, offset: u64) -> Option<Object> {
        self.clock += 1;
        let kept = self.objects.get_mut(&(pack, offset))?;
        kept.used = self.clock;
        Some(Object { kind: kept.kind, data: kept.data.clone() })
    }

    fn put(&mut self, pack: usize, offset: u64, object: &Object) {
        self.clock += 1;
        let kept = Kept { kind: object.kind, data: object.data.clone(), used: self.clock };
        if let Some(old) = self.objects.insert((pack, offset), kept) {
            self.bytes -= old.data.len();
        }
        self.bytes += object.data.len();
        if self.bytes > CACHE_BYTES {
            // Down to three quarters, least recently used first, so that the sort is paid
            // once per quarter of the cache that fills again.
            let mut by_use: Vec<((usize, u64), u64, usize)> =
                self.objects.iter().map(|(key, kept)| (*key, kept.used, kept.data.len())).collect();
            by_use.sort_unstable_by_key(|&(_, used, _)| used);
            for (key, _, len) in by_use {
                if self.bytes <= CACHE_BYTES / 4 * 3 {
                    break;
                }
                self.objects.remove(&key);
                self.bytes -= len;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use super::super::testing::git;
    use super::*;

    /// Every object of the repository in `dir`: (id, kind, content) as git itself reads it.
    fn objects_by_git(dir: &Path) -> Vec<(ObjectId, ObjectKind, Vec<u8>)> {
        let run = |args: &[&str]| Command::new("git").args(args).current_dir(dir).output().unwrap().stdout;
        let listed = run(&["cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)"]);
        String::from_utf8(listed)
            .unwrap()
            .lines()
            .map(|line| {
                let (id, kind) = line.split_once(' ').unwrap();
                let content = run(&["cat-file", kind, id]);
                (ObjectId::from_hex(id).unwrap(), ObjectKind::from_name(kind.as_bytes()).unwrap(), content)
            })
            .collect()
    }

    /// A repository whose files change over a dozen commits, so that a repack stores most of
    /// their versions, and of the trees, as deltas.
    fn history(dir: &Path) {
        git(dir, &["init", "-q"]);
        std::fs::create_dir(dir.join("src")).unwrap();
        let mut text = String::new();
        for step in 0..12 {
            for line in 0..300 {
                text.push_str(&format!("step {step} line {line}: some text that repeats a lot\n"));
            }
            std::fs::write(dir.join("notes.txt"), &text).unwrap();
            std::fs::write(dir.join("src").join(format!("part{}.rs", step % 3)), &text[step * 100..])
                .unwrap();
            // Text that deflates little, so that its stream runs past the first read, and at
            // the last step past what is inflated in one call.
            let lines = if step == 11 { 12_000 } else { 100 * (step + 1) };
            std::fs::write(dir.join("noise.txt"), noise(step as u64, lines)).unwrap();
            git(dir, &["add", "-A"]);
            git(dir, &["commit", "-q", "-m", &format!("step {step}")]);
        }
    }

    /// `lines` lines of seeded pseudo-random hex.
    fn noise(seed: u64, lines: usize) -> String {
        let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        (0..lines).map(|_| format!("{:016x}{:016x}\n", next(), next())).collect()
    }

    /// The file of the one pack of the repository in `dir` that ends in `.extension`.
    pub(super) fn pack_file(dir: &Path, extension: &str) -> PathBuf {
        std::fs::read_dir(dir.join(".git/objects/pack"))
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .find(|path| path.extension().is_some_and(|e| e == extension))
            .unwrap()
    }

    fn deltas_in_pack(dir: &Path) -> usize {
        let index = pack_file(dir, "idx");
        let out = Command::new("git").args(["verify-pack", "-v"]).arg(&index).output().unwrap().stdout;
        // A delta's line carries its depth and its base: seven fields.
        String::from_utf8(out).unwrap().lines().filter(|line| line.split_whitespace().count() == 7).count()
    }

    /// How many of the pack's entries are deltas against an offset, and against an id.
    fn deltas_by_base(dir: &Path) -> (usize, usize) {
        let packed = PackedObjects::of(vec![dir.join(".git/objects")]);
        let (mut at, mut by_id) = (0, 0);
        for (id, _, _) in objects_by_git(dir) {
            let (n, offset) = packed.find(id).unwrap();
            match Entry::at(&packed.packs()[n], offset, Read::Start).unwrap().stored {
                Stored::Delta(Base::At(_)) => at += 1,
                Stored::Delta(Base::Id(_)) => by_id += 1,
                Stored::Whole(_) => {}
            }
        }
        (at, by_id)
    }

    fn every_object_reads_as_git_reads_it(dir: &Path) {
        let objects = objects_by_git(dir);
        assert!(objects.len() > 40, "{} objects", objects.len());
        let packed = PackedObjects::of(vec![dir.join(".git/objects")]);
        for (id, kind, content) in &objects {
            let object = packed.read(*id).unwrap_or_else(|| panic!("{id} not read"));
            assert_eq!((object.kind, object.data.as_slice()), (*kind, content.as_slice()), "{id}");
            assert_eq!(packed.header(*id), Some((*kind, content.len() as u64)), "{id}");
            let fresh = PackedObjects::of(vec![dir.join(".git/objects")]);
            assert_eq!(fresh.header(*id), Some((*kind, content.len() as u64)), "{id}, nothing cached");
        }
        let absent = ObjectId::from_hex("0123456789abcdef0123456789abcdef01234567").unwrap();
        assert!(packed.read(absent).is_none() && !packed.contains(absent));
    }

    #[test]
    fn every_packed_object_reads_as_git_reads_it_with_offset_deltas() {
        let dir = tempfile::tempdir().unwrap();
        history(dir.path());
        git(dir.path(), &["repack", "-adq", "--depth=50", "--window=50"]);
        assert!(deltas_in_pack(dir.path()) > 20, "the pack holds deltas");
        assert_eq!(deltas_by_base(dir.path()), (deltas_in_pack(dir.path()), 0));
        every_object_reads_as_git_reads_it(dir.path());
    }

    #[test]
    fn every_packed_object_reads_as_git_reads_it_with_deltas_against_ids() {
        let dir = tempfile::tempdir().unwrap();
        history(dir.path());
        git(
            dir.path(),
            &["-c", "repack.useDeltaBaseOffset=false", "repack", "-adq", "--depth=50", "--window=50"],
        );
        assert!(deltas_in_pack(dir.path()) > 20, "the pack holds deltas");
        assert_eq!(deltas_by_base(dir.path()), (0, deltas_in_pack(dir.path())));
        every_object_reads_as_git_reads_it(dir.path());
    }

    #[test]
    fn a_pack_whose_index_is_of_version_1_is_left_to_libgit2() {
        let dir = tempfile::tempdir().unwrap();
        history(dir.path());
        git(dir.path(), &["repack", "-adq"]);
        let pack = pack_file(dir.path(), "pack");
        std::fs::remove_file(pack.with_extension("idx")).unwrap();
        git(dir.path(), &["index-pack", "--index-version=1", pack.to_str().unwrap()]);
        let (id, _, _) = objects_by_git(dir.path()).remove(0);
        let packed = PackedObjects::of(vec![dir.path().join(".git/objects")]);
        assert!(packed.read(id).is_none() && packed.header(id).is_none() && !packed.contains(id));
    }

    #[test]
    fn a_damaged_object_reads_as_nothing_and_the_others_still_read() {
        let dir = tempfile::tempdir().unwrap();
        let text: String = (0..2000).map(|n| format!("line {n} of a file that compresses well\n")).collect();
        git(dir.path(), &["init", "-q"]);
        std::fs::write(dir.path().join("big.txt"), &text).unwrap();
        std::fs::write(dir.path().join("small.txt"), "small\n").unwrap();
        git(dir.path(), &["add", "-A"]);
        git(dir.path(), &["commit", "-q", "-m", "one"]);
        git(dir.path(), &["repack", "-adq"]);
        let objects = objects_by_git(dir.path());
        let big = objects.iter().find(|(_, _, content)| content == text.as_bytes()).unwrap().0;
        let small = objects.iter().find(|(_, _, content)| content == b"small\n").unwrap().0;
        let objects_dir = dir.path().join(".git/objects");
        let (n, offset) = PackedObjects::of(vec![objects_dir.clone()]).find(big).unwrap();
        let pack_path = pack_file(dir.path(), "pack");
        assert_eq!(n, 0);
        let mut bytes = std::fs::read(&pack_path).unwrap();
        bytes[usize::try_from(offset).unwrap() + 40] ^= 0x55; // inside its deflated data
        let mut permissions = std::fs::metadata(&pack_path).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        permissions.set_readonly(false);
        std::fs::set_permissions(&pack_path, permissions).unwrap();
        std::fs::write(&pack_path, bytes).unwrap();
        let packed = PackedObjects::of(vec![objects_dir]);
        assert!(packed.read(big).is_none(), "a damaged stream rebuilds nothing");
        assert_eq!(packed.read(small).map(|o| o.data.to_vec()), Some(b"small\n".to_vec()));
        let repo = crate::source::Repo::at(dir.path()).unwrap();
        assert!(repo.read_blob(big).is_err(), "libgit2, asked next, reports the damage");
        assert_eq!(repo.read_blob(small).unwrap(), Some(b"small\n".to_vec()));
    }

    #[test]
    fn deltas_against_each_other_read_as_nothing() {
        // Two entries, each a delta against the other's id: a pack no git writes, by hand.
        let (a, b) = ([0x11; SHA1_LEN], [0x22; SHA1_LEN]);
        let deflated = |bytes: &[u8]| {
            let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            std::io::Write::write_all(&mut encoder, bytes).unwrap();
            encoder.finish().unwrap()
        };
        let delta = deflated(&[1, 1, 1, b'x']); // base of 1 byte, result of 1: insert "x"
        let mut pack = b"PACK\0\0\0\x02\0\0\0\x02".to_vec();
        let mut offsets = Vec::new();
        for base in [b, a] {
            offsets.push(u32::try_from(pack.len()).unwrap());
            pack.push(0x70 | 4); // a delta against an id, 4 bytes inflated
            pack.extend_from_slice(&base);
            pack.extend_from_slice(&delta);
        }
        pack.extend_from_slice(&[0; SHA1_LEN]);
        let mut index = b"\xfftOc\0\0\0\x02".to_vec();
        for slot in 0..256u32 {
            let count = u32::from(slot >= 0x11) + u32::from(slot >= 0x22);
            index.extend_from_slice(&count.to_be_bytes());
        }
        index.extend_from_slice(&a);
        index.extend_from_slice(&b);
        index.extend_from_slice(&[0; 8]);
        for offset in offsets {
            index.extend_from_slice(&offset.to_be_bytes());
        }
        index.extend_from_slice(&[0; 2 * SHA1_LEN]);
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("pack")).unwrap();
        std::fs::write(dir.path().join("pack/pack-cycle.pack"), pack).unwrap();
        std::fs::write(dir.path().join("pack/pack-cycle.idx"), index).unwrap();
        let packed = PackedObjects::of(vec![dir.path().to_path_buf()]);
        let id = ObjectId::from_bytes(&a).unwrap();
        assert!(packed.contains(id), "the hand-made pack is listed");
        assert!(packed.read(id).is_none() && packed.header(id).is_none());
    }

    #[test]
    fn handles_open_on_the_same_directories_share_one_reader() {
        let dir = tempfile::tempdir().unwrap();
        let other = tempfile::tempdir().unwrap();
        let first = PackedObjects::shared(dir.path());
        assert!(Arc::ptr_eq(&first, &PackedObjects::shared(dir.path())));
        assert!(!Arc::ptr_eq(&first, &PackedObjects::shared(other.path())));
        let weak = Arc::downgrade(&first);
        drop(first);
        assert!(weak.upgrade().is_none(), "the registry does not keep a reader alive");
    }

    #[test]
    fn the_cache_stays_within_its_bound_and_keeps_what_was_used_last() {
        let mut cache = Cache::default();
        let object = |len: usize| Object { kind: ObjectKind::Blob, data: Arc::new(vec![7; len]) };
        cache.put(0, 0, &object(1000));
        for offset in 1..200u64 {
            assert!(cache.get(0, 0).is_some(), "the object used all along stays");
            cache.put(0, offset, &object(CACHE_LARGEST / 2));
            assert!(cache.bytes <= CACHE_BYTES);
            assert_eq!(cache.bytes, cache.objects.values().map(|kept| kept.data.len()).sum::<usize>());
        }
        assert!(cache.get(0, 1).is_none(), "the oldest unused went first");
        assert!(cache.get(0, 199).is_some());
    }
}
