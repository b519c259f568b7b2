//! Loose blobs read without libgit2, because inflating is most of what a large staged file
//! costs. Every object `git add` writes is loose: a zlib stream of `blob <size>\0` and the
//! content, in `objects/<2 hex digits>/<the rest of the id>`. libgit2 inflates them with the
//! system's zlib; here they go through zlib-rs (flate2's pure-Rust backend, with the SIMD
//! checksum and copy loops chosen at run time), straight into a buffer of the declared size.
//!
//! Anything this reader does not expect (no such file, another kind of object, a size that
//! does not match, a damaged stream) is left to libgit2 or git, which then read the object
//! (from a pack, an alternate store or a quarantine) or report it as they always did.

use std::cmp::Ordering;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{bail, Context, Result};
use flate2::bufread::ZlibDecoder;

use super::oid::ObjectId;

/// Compressed bytes read from the file at a time.
const READ_BUFFER_BYTES: usize = 64 * 1024;

/// The longest header git writes: `blob`, a space, a 64-bit size in decimal, a NUL.
const MAX_HEADER_BYTES: usize = 4 + 1 + 20 + 1;

/// The directories a repository's loose objects are in, and what each of their 256 fan-out
/// directories was found to hold.
///
/// Most objects of a history are packed: opening each one's loose path to find it absent
/// cost 4–5 µs a blob (a range scan of 3,860 packed files was 15% slower for it). So each
/// fan-out directory is listed once, when an id first falls in it, and ids not listed are
/// left to the usual reader without a system call. A listing can only be stale the safe way
/// round: an object packed and pruned since fails to open and is read from its pack; one
/// written since is read by the usual reader.
#[derive(Debug)]
pub struct LooseObjects {
    stores: Vec<Store>,
}

/// One object directory.
#[derive(Debug)]
struct Store {
    dir: PathBuf,
    listed: [OnceLock<Vec<ObjectId>>; 256],
}

impl LooseObjects {
    /// The loose objects of the repository whose common git directory is `common_dir`, and
    /// those of `GIT_OBJECT_DIRECTORY` when git sets it (the quarantine a pre-receive hook
    /// sees a push's objects in).
    pub fn of(common_dir: &Path) -> LooseObjects {
        let quarantine = std::env::var_os("GIT_OBJECT_DIRECTORY").map(PathBuf::from);
        let dirs = quarantine.into_iter().chain([common_dir.join("objects")]);
        LooseObjects {
            stores: dirs.map(|dir| Store { dir, listed: std::array::from_fn(|_| OnceLock::new()) }).collect(),
        }
    }

    /// The path of object `id`, if the fan-out directory of a store lists it.
    fn path_of(&self, id: ObjectId) -> Option<PathBuf> {
        let fan_out = *id.as_bytes().first()?;
        let store = self.stores.iter().find(|store| {
            let listed = store.listed[usize::from(fan_out)].get_or_init(|| {
                let prefix = format!("{fan_out:02x}");
                let entries = std::fs::read_dir(store.dir.join(&prefix)).into_iter().flatten();
                let mut ids: Vec<ObjectId> = entries
                    .filter_map(|entry| {
                        ObjectId::from_hex(&format!("{prefix}{}", entry.ok()?.file_name().to_str()?))
                    })
                    .collect();
                ids.sort_unstable();
                ids
            });
            listed.binary_search(&id).is_ok()
        })?;
        let hex = id.to_string();
        Some(store.dir.join(&hex[..2]).join(&hex[2..]))
    }

    /// The content of blob `id`, if it is stored loose here and reads as a blob of the size
    /// its header declares; `None` otherwise, for the caller's usual reader to deal with.
    pub fn blob(&self, id: ObjectId) -> Option<Vec<u8>> {
        let mut blob = self.open(id)?;
        let mut content = Vec::new();
        content.try_reserve_exact(blob.size).ok()?;
        blob.inflated.read_to_end(&mut content).ok()?;
        (content.len() == blob.size).then_some(content)
    }

    /// Blob `id`, opened to be inflated piece by piece, if it is stored loose here and its
    /// header is a blob's; `None` otherwise.
    pub fn open(&self, id: ObjectId) -> Option<LooseBlob> {
        let file = File::open(self.path_of(id)?).ok()?;
        let mut inflated = ZlibDecoder::new(BufReader::with_capacity(READ_BUFFER_BYTES, file));
        let size = blob_size(&mut inflated)?;
        let header_len = inflated.total_out();
        Some(LooseBlob { inflated, size, end: header_len + size as u64 })
    }
}

/// A loose blob past its header, its content not yet inflated.
pub struct LooseBlob {
    inflated: ZlibDecoder<BufReader<File>>,
    size: usize,
    /// Where the content ends in the inflated stream: the header's length and `size`.
    end: u64,
}

impl LooseBlob {
    /// The next piece of the content (at most `buffer`'s length), into `buffer`; empty at
    /// the end. Fails when the stream is damaged, or ends before or after the declared size.
    pub fn next_piece<'b>(&mut self, buffer: &'b mut [u8]) -> Result<&'b [u8]> {
        let read = self.inflated.read(buffer).context("inflating a loose object")?;
        match (read, self.inflated.total_out().cmp(&self.end)) {
            (0, Ordering::Less) => bail!("a loose object ends before the size its header declares"),
            (_, Ordering::Greater) => bail!("a loose object runs past the size its header declares"),
            _ => Ok(&buffer[..read]),
        }
    }
}

/// Reads the header `blob <size>\0` off `inflated` and gives the size; `None` for any other
/// kind of object or a header that is not git's.
fn blob_size(inflated: &mut impl Read) -> Option<usize> {
    let mut header = Vec::with_capacity(MAX_HEADER_BYTES);
    let mut byte = [0];
    loop {
        inflated.read_exact(&mut byte).ok()?;
        if byte[0] == 0 {
            break;
        }
        if header.len() == MAX_HEADER_BYTES {
            return None;
        }
        header.push(byte[0]);
    }
    let digits = header.strip_prefix(b"blob ")?;
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) || (digits.len() > 1 && digits[0] == b'0')
    {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::write::ZlibEncoder;
    use flate2::Compression;

    use super::*;

    /// Writes `raw` (header and content) as the loose object `id` under `common_dir`.
    fn store(common_dir: &Path, id: ObjectId, raw: &[u8]) {
        let hex = id.to_string();
        let dir = common_dir.join("objects").join(&hex[..2]);
        std::fs::create_dir_all(&dir).unwrap();
        let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(raw).unwrap();
        std::fs::write(dir.join(&hex[2..]), encoder.finish().unwrap()).unwrap();
    }

    fn some_id(last: u8) -> ObjectId {
        let mut raw = [0x5a; 20];
        raw[19] = last;
        ObjectId::from_bytes(&raw).unwrap()
    }

    #[test]
    fn a_loose_blob_reads_as_its_content() {
        let dir = tempfile::tempdir().unwrap();
        let content: Vec<u8> = (0..200_000u32).flat_map(|n| format!("line {n}\n").into_bytes()).collect();
        let mut raw = format!("blob {}\0", content.len()).into_bytes();
        raw.extend_from_slice(&content);
        store(dir.path(), some_id(1), &raw);
        assert_eq!(LooseObjects::of(dir.path()).blob(some_id(1)), Some(content.clone()));
        let mut blob = LooseObjects::of(dir.path()).open(some_id(1)).unwrap();
        let (mut pieces, mut buffer) = (Vec::new(), vec![0; 4096]);
        loop {
            let piece = blob.next_piece(&mut buffer).unwrap();
            if piece.is_empty() {
                break;
            }
            pieces.extend_from_slice(piece);
        }
        assert_eq!(pieces, content, "the same content, piece by piece");
    }

    #[test]
    fn a_loose_blob_of_another_length_than_declared_fails_when_read_in_pieces() {
        let dir = tempfile::tempdir().unwrap();
        for (n, raw) in [&b"blob 4\0abc"[..], b"blob 2\0abc"].iter().enumerate() {
            let id = some_id(u8::try_from(n).unwrap());
            store(dir.path(), id, raw);
            let mut blob = LooseObjects::of(dir.path()).open(id).unwrap();
            let mut buffer = [0; 1];
            let outcome = (0..5).try_for_each(|_| blob.next_piece(&mut buffer).map(|_| ()));
            assert!(outcome.is_err(), "{}", String::from_utf8_lossy(raw));
        }
    }

    #[test]
    fn what_is_not_a_whole_loose_blob_is_left_to_the_usual_reader() {
        let dir = tempfile::tempdir().unwrap();
        let cases: [&[u8]; 6] = [
            b"tree 3\0abc",  // another kind of object
            b"blob 4\0abc",  // shorter than declared
            b"blob 2\0abc",  // longer than declared
            b"blob 03\0abc", // not how git writes a size
            b"blob \0",      // no size
            b"blob 3abc",    // no end to the header
        ];
        for (n, raw) in cases.iter().enumerate() {
            store(dir.path(), some_id(u8::try_from(n).unwrap()), raw);
        }
        let whole = some_id(101);
        store(dir.path(), whole, b"blob 3\0abc");
        let damaged = some_id(100);
        store(dir.path(), damaged, b"blob 3\0abc");
        let hex = damaged.to_string();
        let path = dir.path().join("objects").join(&hex[..2]).join(&hex[2..]);
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff; // the stream's checksum
        std::fs::write(&path, bytes).unwrap();

        let loose = LooseObjects::of(dir.path());
        assert_eq!(loose.blob(whole), Some(b"abc".to_vec()), "beside them, a whole one");
        for (n, raw) in cases.iter().enumerate() {
            assert_eq!(
                loose.blob(some_id(u8::try_from(n).unwrap())),
                None,
                "{}",
                String::from_utf8_lossy(raw)
            );
        }
        assert_eq!(loose.blob(some_id(99)), None, "no such object");
        assert_eq!(loose.blob(damaged), None, "a damaged stream");
        store(dir.path(), some_id(102), b"blob 3\0abc");
        assert_eq!(loose.blob(some_id(102)), None, "written after its directory was listed");
    }
}
