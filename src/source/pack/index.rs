//! A pack's index (`pack-*.idx`, version 2): where each object of the pack starts. It is a
//! fan-out table of 256 counts (objects whose id starts with each byte value or a lower one),
//! the sorted ids, a checksum per object, the offsets (31 bits, or an index into a table of
//! 64-bit ones), and two checksums.
//!
//! The file is read, not mapped. libgit2 maps the same file for the commits it walks, and a
//! second mapping would hold every page of it a second time by the end of a history scan (12 MB
//! of a 50,000-commit scan's peak). Each fan-out bucket is read once, when an id first falls in
//! it: its offsets are kept, and its ids, all of them in a pack of up to [`ALL_IDS_UP_TO`]
//! objects, else one in [`SAMPLE_EVERY`]; a lookup then reads nothing, or the ids of one run
//! between two samples, in one call.
//!
//! A lookup was 8% of a history scan, nearly all of it waiting on memory: a binary search
//! over a bucket's ids touches a new cache line at every step. Ids are uniform, so the search
//! starts where the id's next eight bytes say it should be, and compares those eight bytes
//! (kept as a number, apart from the id's last eleven) before the rest.
//!
//! The offsets are also kept in order (4 bytes an object), read in one call when first
//! needed: the next entry's offset is where an entry ends, so an entry is read in one call of
//! its own length instead of a kilobyte first (most are a tenth of that) and then the rest.

use std::fs::File;
use std::path::Path;
use std::sync::OnceLock;

use super::read_exact_at;
use crate::source::oid::SHA1_LEN;

const MAGIC: &[u8; 4] = b"\xfftOc";
const HEADER_BYTES: usize = 8;
const FAN_OUT_BYTES: usize = 256 * 4;
/// The pack's checksum and the index's own.
const TRAILER_BYTES: usize = 2 * SHA1_LEN;

/// One id in this many of a bucket is kept in memory; a lookup reads the run after one.
const SAMPLE_EVERY: usize = 32;

/// A pack of at most this many objects has every id kept (19 bytes each, and 4 for the offset:
/// 23 MiB at most), so that a lookup reads nothing: a range scan of one large commit reads
/// thousands of objects, and a call per lookup made it a third slower than libgit2's mapped
/// index; a history of 50,000 commits (523,000 objects) spent 5% of its time in those calls.
const ALL_IDS_UP_TO: usize = 1 << 20;

/// Where an id's key ends: its bucket's byte, then the key's eight.
const KEY_END: usize = 1 + 8;

/// The bytes of an id after its key.
const TAIL_LEN: usize = SHA1_LEN - KEY_END;

/// A version-2 pack index of SHA-1 ids.
pub struct Index {
    file: File,
    /// How many objects have an id whose first byte is at most the slot's.
    fan_out: [u32; 256],
    count: usize,
    large_offsets: usize,
    /// One id in this many is kept: 1 (all of them) for a pack of up to [`ALL_IDS_UP_TO`].
    sample_every: usize,
    buckets: [OnceLock<Option<Bucket>>; 256],
    /// Every entry's offset, in order: where each entry ends. `None` in a pack of over 2 GiB.
    starts: OnceLock<Option<Vec<u32>>>,
}

/// What is kept of one fan-out bucket: every `sample_every`th id, and every offset.
struct Bucket {
    /// Bytes 1 to 8 of each id kept, as a number (byte 0 is the bucket's).
    keys: Vec<u64>,
    /// The rest of each id kept.
    tails: Vec<[u8; TAIL_LEN]>,
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
        let sample_every = if count <= ALL_IDS_UP_TO { 1 } else { SAMPLE_EVERY };
        let starts = OnceLock::new();
        Some(Index { file, fan_out, count, large_offsets: rest / 8, sample_every, buckets, starts })
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
        let key = key_of(id)?;
        let mut at = lower_bound(&bucket.keys, key);
        if self.sample_every == 1 {
            while bucket.keys.get(at) == Some(&key) {
                if bucket.tails[at] == id[KEY_END..] {
                    return self.offset(bucket.offsets[at]);
                }
                at += 1;
            }
            return None;
        }
        // The run after the last sample not above the id.
        while bucket.keys.get(at) == Some(&key) && bucket.tails[at].as_slice() <= &id[KEY_END..] {
            at += 1;
        }
        let run = at.checked_sub(1)?;
        let start = run * self.sample_every;
        let len = self.sample_every.min(SAMPLE_EVERY).min(bucket.offsets.len() - start);
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
        // Each at its exact length: collected through an `Option`, they grew by doubling, to
        // 16 MB where 12 MB is needed for a pack of 526,000 objects.
        let kept = len.div_ceil(self.sample_every);
        let (mut keys, mut tails) = (Vec::with_capacity(kept), Vec::with_capacity(kept));
        for id in ids.chunks_exact(SHA1_LEN).step_by(self.sample_every) {
            keys.push(key_of(id)?);
            tails.push(id[KEY_END..].try_into().ok()?);
        }
        let offsets = offsets.chunks_exact(4).map(|raw| be32(raw, 0)).collect();
        Some(Bucket { keys, tails, offsets })
    }

    /// Where the entry that starts at `offset` ends: where the next one starts, else `last`
    /// (the end of the pack's entries). `None` when the offsets cannot be read, when no entry
    /// starts there, or in a pack of over 2 GiB (whose large offsets are not read for this).
    pub fn entry_end(&self, offset: u64, last: u64) -> Option<u64> {
        let starts = self.starts.get_or_init(|| self.read_starts()).as_ref()?;
        // Entries are spread over the pack about evenly: start where this one would be.
        let guess = u128::from(offset) * starts.len() as u128 / u128::from(last.max(1));
        let offset = u32::try_from(offset).ok()?;
        let at = lower_bound_from(starts, offset, usize::try_from(guess).unwrap_or(usize::MAX));
        if starts.get(at) != Some(&offset) {
            return None;
        }
        Some(starts.get(at + 1).map_or(last, |&next| u64::from(next)))
    }

    fn read_starts(&self) -> Option<Vec<u32>> {
        if self.large_offsets > 0 {
            return None;
        }
        let mut raw = vec![0; self.count * 4];
        read_exact_at(&self.file, &mut raw, self.offsets_at() as u64)?;
        let mut starts: Vec<u32> = raw.chunks_exact(4).map(|raw| be32(raw, 0)).collect();
        starts.sort_unstable();
        Some(starts)
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

/// Bytes 1 to 8 of an id, big-endian: ordered as the ids are within a bucket.
fn key_of(id: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(id.get(1..KEY_END)?.try_into().ok()?))
}

/// The first place in `keys` (sorted) whose key is not below `key`, where a key spread
/// evenly over all the `u64` values would be.
fn lower_bound(keys: &[u64], key: u64) -> usize {
    let guess = ((u128::from(key) * keys.len() as u128) >> 64) as usize;
    lower_bound_from(keys, key, guess)
}

/// The first place in `keys` (sorted) whose key is not below `key`. It starts at `guess`,
/// then doubles its steps away from there until it has passed the place, and ends with a
/// binary search between its last two steps.
fn lower_bound_from<K: Ord + Copy>(keys: &[K], key: K, guess: usize) -> usize {
    let len = keys.len();
    let guess = guess.min(len);
    let (low, high) = if guess < len && keys[guess] < key {
        let (mut low, mut step) = (guess + 1, 1);
        loop {
            let probe = guess + step;
            if probe >= len {
                break (low, len);
            }
            if keys[probe] >= key {
                break (low, probe);
            }
            (low, step) = (probe + 1, step * 2);
        }
    } else {
        let (mut high, mut step) = (guess, 1);
        loop {
            if step > guess {
                break (0, high);
            }
            let probe = guess - step;
            if keys[probe] < key {
                break (probe + 1, high);
            }
            (high, step) = (probe, step * 2);
        }
    };
    low + keys[low..high].partition_point(|&k| k < key)
}

/// The big-endian 32-bit number at `at` (within bounds checked by the caller).
pub(super) fn be32(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use proptest::prelude::*;

    use super::*;
    use crate::source::testing::git;

    proptest! {
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

        /// Keys spread evenly, bunched at either end, or repeated, from the place a uniform
        /// key would be or from anywhere: the place is a binary search's.
        #[test]
        fn lower_bound_finds_the_place_a_binary_search_finds(
            mut keys in proptest::collection::vec(
                prop_oneof![any::<u64>(), 0..64u64, (u64::MAX - 64).., Just(1u64 << 63)], 0..300),
            probe in prop_oneof![any::<u64>(), 0..70u64, (u64::MAX - 70).., Just(1u64 << 63)],
            pick in any::<prop::sample::Index>(),
            guess in 0..310usize,
        ) {
            keys.sort_unstable();
            let present = if keys.is_empty() { probe } else { keys[pick.index(keys.len())] };
            for key in [probe, present, present.wrapping_add(1), present.wrapping_sub(1)] {
                let place = keys.partition_point(|&k| k < key);
                prop_assert_eq!(lower_bound(&keys, key), place, "{}", key);
                prop_assert_eq!(lower_bound_from(&keys, key, guess), place, "{} from {}", key, guess);
            }
        }
    }

    #[test]
    fn every_id_is_found_at_its_offset_with_all_ids_kept_and_with_samples() {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q"]);
        for n in 0..120 {
            std::fs::write(dir.path().join(format!("file{n}.txt")), format!("content {n}\n")).unwrap();
        }
        git(dir.path(), &["add", "-A"]);
        git(dir.path(), &["commit", "-q", "-m", "one"]);
        git(dir.path(), &["repack", "-adq"]);
        let path = super::super::tests::pack_file(dir.path(), "idx");
        let listed = Command::new("git").args(["verify-pack", "-v"]).arg(&path).output().unwrap().stdout;
        // `<id> <type> <size> <size in pack> <offset>`, and more for a delta.
        let expected: Vec<([u8; SHA1_LEN], u64, u64)> = String::from_utf8(listed)
            .unwrap()
            .lines()
            .filter_map(|line| {
                let fields: Vec<&str> = line.split_whitespace().collect();
                let id = crate::source::oid::ObjectId::from_hex(fields.first()?)?;
                let mut raw = [0; SHA1_LEN];
                raw.copy_from_slice(id.as_bytes());
                Some((raw, fields.get(4)?.parse().ok()?, fields.get(3)?.parse().ok()?))
            })
            .collect();
        assert!(expected.len() > 120, "{} objects", expected.len());
        let pack = super::super::tests::pack_file(dir.path(), "pack");
        let last = std::fs::metadata(pack).unwrap().len() - SHA1_LEN as u64;
        let index = Index::open(&path).unwrap();
        for (_, offset, size_in_pack) in &expected {
            assert_eq!(index.entry_end(*offset, last), Some(offset + size_in_pack), "the entry at {offset}");
            assert_eq!(index.entry_end(offset + 1, last), None, "no entry starts at {}", offset + 1);
        }
        for every in [1, 2, 3, SAMPLE_EVERY] {
            let mut index = Index::open(&path).unwrap();
            index.sample_every = every;
            assert_eq!(index.count(), expected.len());
            for (id, offset, _) in &expected {
                assert_eq!(index.offset_of(id), Some(*offset), "one id in {every} kept");
                let mut absent = *id;
                absent[SHA1_LEN - 1] ^= 1;
                if !expected.iter().any(|(other, _, _)| *other == absent) {
                    assert_eq!(index.offset_of(&absent), None, "one id in {every} kept");
                }
            }
        }
    }
}
