//! What git prints and stores, parsed: object ids, octal modes, `--raw` diffs, tree entries,
//! commit and tag objects, and a message's summary as libgit2 makes it.

use anyhow::{anyhow, bail, Context, Result};

use crate::source::mode;
use crate::source::oid::{ObjectId, ObjectKind};
use crate::source::ChangedFile;

/// A commit as the scan needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitData {
    /// Its tree.
    pub tree: ObjectId,
    /// Its parents, first parent first.
    pub parents: Vec<ObjectId>,
    /// The first paragraph of its message, whitespace squashed (as libgit2's summary).
    pub summary: String,
    /// Its whole message, leading newlines dropped (as libgit2's).
    pub message: Vec<u8>,
    /// The author date, Unix seconds.
    pub author_time: i64,
}

/// An annotated tag object as the scan needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagData {
    /// The name the tag object gives itself (its `tag` header).
    pub name: String,
    /// The object it tags.
    pub target: ObjectId,
    /// What that object is (a tag of a tag names another tag).
    pub target_kind: ObjectKind,
    /// Its message: everything after the headers (the tagger line is a header, not message),
    /// a signature included, as libgit2 gives it.
    pub message: Vec<u8>,
}

/// The one object id git printed.
pub(super) fn single_id(out: &[u8]) -> Result<ObjectId> {
    id_of(out.strip_suffix(b"\n").unwrap_or(out))
}

pub(super) fn id_of(hex: &[u8]) -> Result<ObjectId> {
    std::str::from_utf8(hex)
        .ok()
        .and_then(ObjectId::from_hex)
        .with_context(|| format!("git printed {:?} for an object id", String::from_utf8_lossy(hex)))
}

pub(super) fn octal(text: &[u8]) -> Option<u32> {
    u32::from_str_radix(std::str::from_utf8(text).ok()?, 8).ok()
}

/// The changed files of a `--raw -z` diff whose new side is a regular file with text to
/// add: added, modified, type-changed, renamed and copied ones (not deletions, submodules
/// or symlinks).
pub(super) fn parse_raw_diff(out: &[u8], id_len: usize) -> Result<Vec<ChangedFile>> {
    let mut records = out.split(|&b| b == 0);
    let mut files = Vec::new();
    while let Some(header) = records.next() {
        if header.is_empty() {
            continue;
        }
        let bad = || anyhow!("git printed {:?} in a diff", String::from_utf8_lossy(header));
        let fields: Vec<&[u8]> = header.strip_prefix(b":").ok_or_else(bad)?.split(|&b| b == b' ').collect();
        let [_, new_mode, old_id, new_id, status] = fields[..] else { return Err(bad()) };
        let status = *status.first().ok_or_else(bad)?;
        let first = records.next().ok_or_else(bad)?;
        let (old_path, path) = match status {
            b'R' | b'C' => (first, records.next().ok_or_else(bad)?),
            _ => (first, first),
        };
        let new_mode = octal(new_mode).ok_or_else(bad)?;
        if !matches!(status, b'A' | b'M' | b'T' | b'R' | b'C') || !mode::is_regular(new_mode) {
            continue;
        }
        let (old_id, id) = (id_of(old_id)?, id_of(new_id)?);
        if id.as_bytes().len() != id_len {
            return Err(bad());
        }
        files.push(ChangedFile {
            path: String::from_utf8_lossy(path).into_owned(),
            old: (status != b'A').then(|| (String::from_utf8_lossy(old_path).into_owned(), old_id)),
            id,
            binary: false,
            paired_by_name: false,
        });
    }
    Ok(files)
}

/// The mode and id of `name` in the raw tree object `tree`.
pub(super) fn tree_entry(tree: &[u8], name: &[u8], id_len: usize) -> Result<Option<(u32, ObjectId)>> {
    let mut rest = tree;
    while !rest.is_empty() {
        let bad = || anyhow!("a damaged tree object");
        let space = memchr::memchr(b' ', rest).ok_or_else(bad)?;
        let nul = space + memchr::memchr(0, &rest[space..]).ok_or_else(bad)?;
        let id = rest.get(nul + 1..nul + 1 + id_len).ok_or_else(bad)?;
        if &rest[space + 1..nul] == name {
            let mode = octal(&rest[..space]).ok_or_else(bad)?;
            return Ok(Some((mode, ObjectId::from_bytes(id).ok_or_else(bad)?)));
        }
        rest = &rest[nul + 1 + id_len..];
    }
    Ok(None)
}

/// A raw commit object: its tree, parents, summary and author date.
pub(crate) fn parse_commit(data: &[u8], id_len: usize) -> Result<CommitData> {
    let (headers, message) = match memchr::memmem::find(data, b"\n\n") {
        Some(end) => (&data[..end], &data[end + 2..]),
        None => (data, &b""[..]),
    };
    let (mut tree, mut parents, mut author_time) = (None, Vec::new(), 0);
    for line in headers.split(|&b| b == b'\n') {
        if let Some(id) = line.strip_prefix(b"tree ") {
            tree = Some(id_of(id)?);
        } else if let Some(id) = line.strip_prefix(b"parent ") {
            parents.push(id_of(id)?);
        } else if let Some(author) = line.strip_prefix(b"author ") {
            // `Name <email> 1700000000 +0100`
            let after = memchr::memrchr(b'>', author).map_or(author, |at| &author[at + 1..]);
            let seconds = String::from_utf8_lossy(after).split_whitespace().next().map(str::to_owned);
            author_time = seconds.and_then(|s| s.parse().ok()).unwrap_or(0);
        }
    }
    let tree = tree.context("a commit without a tree")?;
    if tree.as_bytes().len() != id_len {
        bail!("a commit whose tree id has another length");
    }
    let message = &message[message.iter().position(|&b| b != b'\n').unwrap_or(message.len())..];
    Ok(CommitData { tree, parents, summary: summary_of(message), message: message.to_vec(), author_time })
}

/// A raw tag object: what it tags, its name and its message. As libgit2 reads one, the
/// message is everything after the first blank line (none when there is no blank line).
pub(super) fn parse_tag(data: &[u8], id_len: usize) -> Result<TagData> {
    let (headers, message) = match memchr::memmem::find(data, b"\n\n") {
        Some(end) => (&data[..end], &data[end + 2..]),
        None => (data, &b""[..]),
    };
    let (mut target, mut target_kind, mut name) = (None, None, String::new());
    for line in headers.split(|&b| b == b'\n') {
        if let Some(id) = line.strip_prefix(b"object ") {
            target = Some(id_of(id)?);
        } else if let Some(kind) = line.strip_prefix(b"type ") {
            target_kind = ObjectKind::from_name(kind);
        } else if let Some(tag) = line.strip_prefix(b"tag ") {
            name = String::from_utf8_lossy(tag).into_owned();
        }
    }
    let target = target.context("a tag that names no object")?;
    if target.as_bytes().len() != id_len {
        bail!("a tag whose object id has another length");
    }
    let target_kind = target_kind.context("a tag without the type of what it names")?;
    Ok(TagData { name, target, target_kind, message: message.to_vec() })
}

/// libgit2's summary of a message: leading newlines dropped, the first paragraph (up to a
/// blank or whitespace-only line), each run of whitespace that holds a newline made one
/// space, and trailing whitespace dropped.
pub(super) fn summary_of(message: &[u8]) -> String {
    let start = message.iter().position(|&b| b != b'\n').unwrap_or(message.len());
    let message = &message[start..];
    let is_space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r');
    let mut summary = Vec::new();
    let mut space: Option<(usize, bool)> = None;
    for (at, &byte) in message.iter().enumerate() {
        if byte == b'\n' {
            let rest = &message[at + 1..];
            let next_line = rest.iter().position(|&b| !is_space(b) || b == b'\n');
            if rest.is_empty() || next_line.is_none_or(|at| rest[at] == b'\n') {
                break;
            }
        }
        if is_space(byte) {
            let (from, newline) = space.unwrap_or((at, false));
            space = Some((from, newline || byte == b'\n'));
        } else {
            if let Some((from, newline)) = space.take() {
                if newline {
                    summary.push(b' ');
                } else {
                    summary.extend_from_slice(&message[from..at]);
                }
            }
            summary.push(byte);
        }
    }
    String::from_utf8_lossy(&summary).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_are_libgit2s() {
        for (message, summary) in [
            (&b"subject\n\nbody\n"[..], "subject"),
            (b"\n\nsubject", "subject"),
            (b"two\nline subject\n\nbody", "two line subject"),
            (b"spaced  out\t words  \n", "spaced  out\t words"),
            (b"stops\n   \nthere", "stops"),
            (b"", ""),
        ] {
            assert_eq!(summary_of(message), summary, "{:?}", String::from_utf8_lossy(message));
        }
    }

    #[test]
    fn commits_parse_with_signatures_and_merges() {
        let (a, b, t) = ("a".repeat(40), "b".repeat(40), "c".repeat(40));
        let raw = format!(
            "tree {t}\nparent {a}\nparent {b}\nauthor A U Thor <a@example.invalid> 1700000000 +0100\n\
             committer C <c@example.invalid> 1700000100 +0000\ngpgsig -----BEGIN-----\n \n -----END-----\n\n\
             Merge things\n\nbody\n"
        );
        let commit = parse_commit(raw.as_bytes(), 20).expect("a commit");
        assert_eq!(commit.tree.to_string(), t);
        assert_eq!(commit.parents.iter().map(ToString::to_string).collect::<Vec<_>>(), [a, b]);
        assert_eq!((commit.summary.as_str(), commit.author_time), ("Merge things", 1_700_000_000));
        assert_eq!(commit.message, b"Merge things\n\nbody\n");
        assert!(parse_commit(b"parent x\n\nno tree", 20).is_err());
    }

    #[test]
    fn tags_parse_with_their_message_apart_from_the_tagger() {
        let target = "a".repeat(40);
        let raw = format!(
            "object {target}\ntype tag\ntag v1-signed\ntagger T <t@example.invalid> 1700000000 +0000\n\n\
             Release notes\n\nbody\n-----BEGIN PGP SIGNATURE-----\n"
        );
        let tag = parse_tag(raw.as_bytes(), 20).expect("a tag");
        assert_eq!((tag.name.as_str(), tag.target.to_string()), ("v1-signed", target.clone()));
        assert_eq!(tag.target_kind, ObjectKind::Tag);
        assert_eq!(tag.message, b"Release notes\n\nbody\n-----BEGIN PGP SIGNATURE-----\n");
        let bare = format!("object {target}\ntype commit\ntag v0\ntagger T <t@example.invalid> 1 +0000\n");
        assert_eq!(parse_tag(bare.as_bytes(), 20).expect("a tag without a message").message, b"");
        assert!(parse_tag(b"type commit\ntag x\n\nno object", 20).is_err());
        assert!(parse_tag(format!("object {target}\ntag x\n\n").as_bytes(), 32).is_err());
    }

    #[test]
    fn raw_diffs_keep_text_files_with_their_old_side() {
        let (z, a, b) = ("0".repeat(40), "a".repeat(40), "b".repeat(40));
        let raw = format!(
            ":000000 100644 {z} {a} A\0new.txt\0:100644 100644 {a} {b} R087\0old name\0new name\0\
             :100644 000000 {a} {z} D\0gone.txt\0:000000 120000 {z} {a} A\0link\0\
             :000000 160000 {z} {a} A\0module\0:100644 100755 {a} {b} M\0run.sh\0"
        );
        let files = parse_raw_diff(raw.as_bytes(), 20).expect("a raw diff");
        let shown: Vec<String> =
            files.iter().map(|f| format!("{} {:?}", f.path, f.old.as_ref().map(|(p, _)| p))).collect();
        assert_eq!(shown, ["new.txt None", "new name Some(\"old name\")", "run.sh Some(\"run.sh\")"]);
        assert!(parse_raw_diff(b":100644 garbage\0x\0", 20).is_err());
        assert!(parse_raw_diff(format!(":000000 100644 {z} {a} A").as_bytes(), 20).is_err());
    }

    #[test]
    fn tree_entries_are_found_by_name() {
        let mut tree = Vec::new();
        for (mode, name, byte) in [("100644", "a.txt", 1u8), ("40000", "dir", 2), ("120000", "link", 3)] {
            tree.extend_from_slice(format!("{mode} {name}\0").as_bytes());
            tree.extend_from_slice(&[byte; 32]);
        }
        let dir = tree_entry(&tree, b"dir", 32).expect("a well-formed tree");
        assert_eq!(dir.map(|(mode, id)| (mode, id.as_bytes()[0])), Some((0o40000, 2)));
        assert_eq!(tree_entry(&tree, b"link", 32).ok().flatten().map(|(mode, _)| mode), Some(0o120000));
        assert_eq!(tree_entry(&tree, b"di", 32).ok().flatten(), None);
        assert!(tree_entry(&tree[..tree.len() - 1], b"zzz", 32).is_err());
    }
}
