//! git's delta format, applied: most objects of a pack are stored as a delta against another
//! object (the previous version of a file or a directory), and reading one means rebuilding it
//! from its base. A delta is the base's size and the result's size (each a little-endian
//! base-128 number), then instructions: copy a range of the base, or insert the bytes that
//! follow. Every range is checked against the base, and the result against its declared size:
//! a damaged delta rebuilds nothing (the caller then leaves the object to libgit2, which
//! reports it).

/// The sizes a delta starts with: its base's, and its result's; and where its instructions
/// start. `None` when the numbers do not fit in memory.
pub fn sizes(delta: &[u8]) -> Option<(usize, usize, usize)> {
    let (base, at) = size_at(delta, 0)?;
    let (result, at) = size_at(delta, at)?;
    Some((base, result, at))
}

fn size_at(delta: &[u8], mut at: usize) -> Option<(usize, usize)> {
    let mut size = 0usize;
    let mut shift = 0u32;
    loop {
        let byte = *delta.get(at)?;
        at += 1;
        size |= usize::from(byte & 0x7f)
            .checked_shl(shift)
            .filter(|part| part >> shift == usize::from(byte & 0x7f))?;
        if byte & 0x80 == 0 {
            return Some((size, at));
        }
        shift += 7;
    }
}

/// The object that `delta` rebuilds from `base`; `None` when the delta is damaged or is not
/// one against `base` (another size), or when its result is not the size it declares.
pub fn apply(base: &[u8], delta: &[u8]) -> Option<Vec<u8>> {
    let (base_size, result_size, mut at) = sizes(delta)?;
    if base_size != base.len() {
        return None;
    }
    let mut result = Vec::new();
    result.try_reserve_exact(result_size).ok()?;
    while at < delta.len() {
        let command = delta[at];
        at += 1;
        if command & 0x80 != 0 {
            // Copy: up to four bytes of offset and three of size follow, each present when
            // its bit is set; a size of zero means 64 KiB.
            let mut field = |bits: u8, count: u32| -> Option<usize> {
                let mut value = 0usize;
                for byte in 0..count {
                    if bits & (1 << byte) != 0 {
                        value |= usize::from(*delta.get(at)?) << (8 * byte);
                        at += 1;
                    }
                }
                Some(value)
            };
            let offset = field(command & 0x0f, 4)?;
            let size = match field((command >> 4) & 0x07, 3)? {
                0 => 0x10000,
                size => size,
            };
            let copied = base.get(offset..offset.checked_add(size)?)?;
            if result.len() + copied.len() > result_size {
                return None;
            }
            result.extend_from_slice(copied);
        } else if command != 0 {
            let inserted = delta.get(at..at + usize::from(command))?;
            at += inserted.len();
            if result.len() + inserted.len() > result_size {
                return None;
            }
            result.extend_from_slice(inserted);
        } else {
            // Reserved: git refuses such a delta.
            return None;
        }
    }
    (result.len() == result_size).then_some(result)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn size(mut n: usize, out: &mut Vec<u8>) {
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }

    fn delta(base: usize, result: usize, instructions: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        size(base, &mut out);
        size(result, &mut out);
        out.extend_from_slice(instructions);
        out
    }

    #[test]
    fn copies_and_inserts_rebuild_the_object() {
        let base = b"the quick brown fox jumps over the lazy dog";
        // Copy 10 bytes from offset 4 ("quick brow"), insert "ZZ", copy 3 from 40 ("dog").
        let instructions = [0x91, 4, 10, 2, b'Z', b'Z', 0x91, 40, 3];
        let rebuilt = apply(base, &delta(base.len(), 15, &instructions)).unwrap();
        assert_eq!(rebuilt, b"quick browZZdog");
    }

    #[test]
    fn a_copy_of_size_zero_is_64_kib() {
        let base: Vec<u8> = (0..0x20000u32).map(|n| (n % 251) as u8).collect();
        // Offset 0x100 (second offset byte), no size bytes.
        let rebuilt = apply(&base, &delta(base.len(), 0x10000, &[0x82, 0x01])).unwrap();
        assert_eq!(rebuilt, &base[0x100..0x10100]);
    }

    #[test]
    fn a_damaged_delta_rebuilds_nothing() {
        let base = b"0123456789";
        let cases: [(&str, Vec<u8>); 7] = [
            ("another base size", delta(9, 3, &[0x91, 0, 3])),
            ("a copy past the base", delta(10, 3, &[0x91, 8, 3])),
            ("a result shorter than declared", delta(10, 4, &[0x91, 0, 3])),
            ("a result longer than declared", delta(10, 2, &[0x91, 0, 3])),
            ("an insert past the end", delta(10, 3, &[5, b'a'])),
            ("the reserved instruction", delta(10, 0, &[0])),
            ("a size that does not end", vec![0x80, 0x80]),
        ];
        for (what, delta) in cases {
            assert_eq!(apply(base, &delta), None, "{what}");
        }
        let huge = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0];
        assert_eq!(sizes(&huge), None, "a size beyond 64 bits");
    }

    /// A delta against a base of `base_len` bytes, made of `steps`: each a copy of `len`
    /// bytes from `offset` (both wrapped into the base) when its bytes are empty, else an
    /// insert of them (up to 127); and the length of what it rebuilds.
    fn encode(base_len: usize, steps: &[(usize, usize, Vec<u8>)]) -> (Vec<u8>, usize) {
        let mut instructions = Vec::new();
        let mut result_len = 0;
        for (offset, len, inserted) in steps {
            if inserted.is_empty() {
                let (offset, len) = (offset % base_len, (len % 0x10000).max(1));
                let len = len.min(base_len - offset);
                let mut command = 0x80u8;
                let mut fields = Vec::new();
                for byte in 0..4 {
                    let value = (offset >> (8 * byte)) & 0xff;
                    if value != 0 {
                        command |= 1 << byte;
                        fields.push(value as u8);
                    }
                }
                for byte in 0..3 {
                    let value = (len >> (8 * byte)) & 0xff;
                    if value != 0 {
                        command |= 0x10 << byte;
                        fields.push(value as u8);
                    }
                }
                instructions.push(command);
                instructions.extend(fields);
                result_len += len;
            } else {
                let inserted = &inserted[..inserted.len().min(127)];
                instructions.push(inserted.len() as u8);
                instructions.extend_from_slice(inserted);
                result_len += inserted.len();
            }
        }
        (delta(base_len, result_len, &instructions), result_len)
    }

    proptest! {
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn any_bytes_as_a_delta_rebuild_nothing_or_what_they_declare(
            base in proptest::collection::vec(any::<u8>(), 0..300),
            raw in proptest::collection::vec(any::<u8>(), 0..300),
        ) {
            if let Some(rebuilt) = apply(&base, &raw) {
                prop_assert_eq!(Some(rebuilt.len()), sizes(&raw).map(|(_, result, _)| result));
            }
        }

        #[test]
        fn a_delta_of_copies_and_inserts_rebuilds_them_in_order(
            base in proptest::collection::vec(any::<u8>(), 1..3000),
            steps in proptest::collection::vec(
                (any::<usize>(), any::<usize>(), proptest::collection::vec(any::<u8>(), 0..40)),
                0..20,
            ),
        ) {
            let (delta, result_len) = encode(base.len(), &steps);
            let mut expected = Vec::new();
            for (offset, len, inserted) in &steps {
                if inserted.is_empty() {
                    let (offset, len) = (offset % base.len(), (len % 0x10000).max(1));
                    expected.extend_from_slice(&base[offset..offset + len.min(base.len() - offset)]);
                } else {
                    expected.extend_from_slice(&inserted[..inserted.len().min(127)]);
                }
            }
            prop_assert_eq!(expected.len(), result_len);
            prop_assert_eq!(apply(&base, &delta), Some(expected));
        }
    }
}
