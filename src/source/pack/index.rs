//! A pack's index (`pack-*.idx`, version 2): where each object of the pack starts. It is a
//! fan-out table of 256 counts (objects whose id starts with each byte value or a lower one),
//! the sorted ids, a checksum per object, the offsets (31 bits, or an index into a table of
//! 64-bit ones), and two checksums.
//!
//! The file is read, not mapped. libgit2 maps the same file for the commits it walks, and a
//! second mapping would hold every page of it a second time by the end of a history scan (12 MB
//! of a 50,000-commit scan's peak). Each fan-out bucket is read once, when an id first falls in
//! it: its offsets are kept, and one id in [`SAMPLE_EVERY`]; a lookup then reads the ids of one
//! run between two samples, in one call.

use std::fs::File;
use std::path::Path;
use std::sync::OnceLock;

use super::read_at;
use crate::source::oid::SHA1_LEN;

const MAGIC: &[u8; 4] = b"\xfftOc";
const HEADER_BYTES: usize = 8;
const FAN_OUT_BYTES: usize = 256 * 4;
/// The pack's checksum and the index's own.
const TRAILER_BYTES: usize = 2 * SHA1_LEN;

/// One id in this many of a bucket is kept in memory; a lookup reads the run after one.
const SAMPLE_EVERY: usize = 32;

/// A version-2 pack index of SHA-1 ids.
pub struct Index {
    file: File,
    /// How many objects have an id whose first byte is at most the slot's.
    fan_out: [u32; 256],
    count: usize,
    large_offsets: usize,
    buckets: [OnceLock<Option<Bucket>>; 256],
}

/// What is kept of one fan-out bucket: every [`SAMPLE_EVERY`]th id, and every offset.
struct Bucket {
    samples: Vec<[u8; SHA1_LEN]>,
    offsets: Vec<u32>,
}

impl Index {
    /// The index at `path`; `None` when it cannot be read or is not a version-2 SHA-1 index of
    /// a consistent length (the caller then leaves that pack to libgit2).
    pub fn open(path: &Path) -> Option<Index> {
        let file = File::open(path).ok()?;
        let len = usize::try_from(file.metadata().ok()?.len()).ok()?;
        let mut header = [0; HEADER_BYTES + FAN_OUT_BYTES];
        read_exact_at(&file, &mut header, 0)?;
        if &header[..4] != MAGIC || be32(&header, 4) != 2 {
            return None;
        }
        let mut fan_out = [0; 256];
        for (slot, total) in fan_out.iter_mut().enumerate() {
            *total = be32(&header, HEADER_BYTES + 4 * slot);
        }
        if fan_out.windows(2).any(|pair| pair[1] < pair[0]) {
            return None;
        }
        let count = usize::try_from(fan_out[255]).ok()?;
        let fixed = HEADER_BYTES + FAN_OUT_BYTES + count.checked_mul(SHA1_LEN + 4 + 4)? + TRAILER_BYTES;
        let rest = len.checked_sub(fixed)?;
        if rest % 8 != 0 {
            return None;
        }
        let buckets = std::array::from_fn(|_| OnceLock::new());
        Some(Index { file, fan_out, count, large_offsets: rest / 8, buckets })
    }

    /// How many objects the pack holds.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Where object `id` starts in the pack; `None` when the pack does not hold it (or the
    /// index cannot be read).
    pub fn offset_of(&self, id: &[u8]) -> Option<u64> {
        let slot = usize::from(*id.first()?);
        let first = if slot == 0 { 0 } else { self.fan_out[slot - 1] as usize };
        let bucket =
            self.buckets[slot].get_or_init(|| self.bucket(first, self.fan_out[slot] as usize)).as_ref()?;
        // The run of ids that starts at the last sample not above `id`.
        let run = bucket.samples.partition_point(|sample| sample.as_slice() <= id).checked_sub(1)?;
        let start = run * SAMPLE_EVERY;
        let len = SAMPLE_EVERY.min(bucket.offsets.len() - start);
        let mut ids = [0; SAMPLE_EVERY * SHA1_LEN];
        let ids = &mut ids[..len * SHA1_LEN];
        read_exact_at(&self.file, ids, (self.names_at() + (first + start) * SHA1_LEN) as u64)?;
        let found = ids.chunks_exact(SHA1_LEN).position(|candidate| candidate == id)?;
        self.offset(bucket.offsets[start + found])
    }

    /// Reads the bucket of objects `first..end` (in id order).
    fn bucket(&self, first: usize, end: usize) -> Option<Bucket> {
        let len = end.checked_sub(first)?;
        let mut ids = vec![0; len * SHA1_LEN];
        read_exact_at(&self.file, &mut ids, (self.names_at() + first * SHA1_LEN) as u64)?;
        let mut offsets = vec![0; len * 4];
        read_exact_at(&self.file, &mut offsets, (self.offsets_at() + first * 4) as u64)?;
        let samples = ids
            .chunks_exact(SHA1_LEN)
            .step_by(SAMPLE_EVERY)
            .map(|id| {
                let mut sample = [0; SHA1_LEN];
                sample.copy_from_slice(id);
                sample
            })
            .collect();
        let offsets = offsets.chunks_exact(4).map(|raw| be32(raw, 0)).collect();
        Some(Bucket { samples, offsets })
    }

    fn names_at(&self) -> usize {
        HEADER_BYTES + FAN_OUT_BYTES
    }

    fn offsets_at(&self) -> usize {
        self.names_at() + self.count * (SHA1_LEN + 4)
    }

    /// The offset an entry of the offset table stands for: itself, or one of the 64-bit ones.
    fn offset(&self, small: u32) -> Option<u64> {
        if small & 0x8000_0000 == 0 {
            return Some(u64::from(small));
        }
        let large = (small & 0x7fff_ffff) as usize;
        if large >= self.large_offsets {
            return None;
        }
        let mut raw = [0; 8];
        read_exact_at(&self.file, &mut raw, (self.offsets_at() + 4 * self.count + 8 * large) as u64)?;
        Some(u64::from_be_bytes(raw))
    }
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

/// The big-endian 32-bit number at `at` (within bounds checked by the caller).
fn be32(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}
