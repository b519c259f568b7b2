//! Object ids of both of git's formats, and the kinds of object. libgit2's `Oid` holds SHA-1 ids only (the vendored
//! libgit2 is built without SHA-256), so a SHA-256 repository's ids, which git hands the
//! hooks and prints, could not even be held: every source passes this type instead, and
//! turns it into libgit2's only on the libgit2 path.

use std::fmt;

use anyhow::{bail, Result};

/// The bytes of a SHA-1 (the only kind libgit2 reads) and of a SHA-256 object id.
pub const SHA1_LEN: usize = 20;
const SHA256_LEN: usize = 32;

/// A git object id: 20 bytes (SHA-1) or 32 (SHA-256).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId {
    len: u8,
    bytes: [u8; SHA256_LEN],
}

impl ObjectId {
    /// The id in `raw` bytes, if it is one of the two lengths.
    pub fn from_bytes(raw: &[u8]) -> Option<ObjectId> {
        if raw.len() != SHA1_LEN && raw.len() != SHA256_LEN {
            return None;
        }
        let mut bytes = [0; SHA256_LEN];
        bytes[..raw.len()].copy_from_slice(raw);
        Some(ObjectId { len: u8::try_from(raw.len()).ok()?, bytes })
    }

    /// The id written as 40 or 64 hex digits (either case), if `text` is one.
    pub fn from_hex(text: &str) -> Option<ObjectId> {
        let text = text.as_bytes();
        if text.len() != 2 * SHA1_LEN && text.len() != 2 * SHA256_LEN {
            return None;
        }
        let mut raw = [0; SHA256_LEN];
        for (byte, pair) in raw.iter_mut().zip(text.chunks_exact(2)) {
            *byte = hex_value(pair[0])? << 4 | hex_value(pair[1])?;
        }
        ObjectId::from_bytes(&raw[..text.len() / 2])
    }

    /// The all-zero id of the same length as `self`'s format: git's "no object".
    pub fn is_zero(&self) -> bool {
        self.as_bytes().iter().all(|&b| b == 0)
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// The empty tree of the format an id of `len` bytes belongs to (git knows it without
    /// storing it).
    pub fn empty_tree(len: usize) -> ObjectId {
        let hex = if len == SHA256_LEN {
            "6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321"
        } else {
            "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
        };
        ObjectId::from_hex(hex).expect("the empty tree's id is well-formed")
    }

    /// libgit2's id for this one; a SHA-256 id has none.
    pub fn to_git2(self) -> Result<git2::Oid> {
        if usize::from(self.len) != SHA1_LEN {
            bail!("libgit2 cannot hold the SHA-256 object id {self}");
        }
        Ok(git2::Oid::from_bytes(self.as_bytes())?)
    }
}

impl From<git2::Oid> for ObjectId {
    fn from(oid: git2::Oid) -> ObjectId {
        ObjectId::from_bytes(oid.as_bytes()).expect("libgit2's ids are 20 bytes")
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.as_bytes() {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// What an object is once every tag is followed, and its id; `None` when it (or what a tag
/// names) is absent.
pub type Peeled = Option<(ObjectKind, ObjectId)>;

/// A ref: its name, the object it names (an annotated tag's own object, not what it tags), and
/// what that is once every tag is followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ref {
    /// The full name (`refs/tags/v1`).
    pub name: String,
    /// The object the ref names.
    pub id: ObjectId,
    /// What `id` is once every tag is followed.
    pub peeled: Peeled,
}

/// What an object is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    /// A commit.
    Commit,
    /// A directory listing.
    Tree,
    /// A file's content.
    Blob,
    /// An annotated tag.
    Tag,
}

impl ObjectKind {
    /// The kind git calls `name` (`commit`, `tree`, `blob`, `tag`).
    pub fn from_name(name: &[u8]) -> Option<ObjectKind> {
        match name {
            b"commit" => Some(ObjectKind::Commit),
            b"tree" => Some(ObjectKind::Tree),
            b"blob" => Some(ObjectKind::Blob),
            b"tag" => Some(ObjectKind::Tag),
            _ => None,
        }
    }

    /// git's name for it.
    pub fn name(self) -> &'static str {
        match self {
            ObjectKind::Commit => "commit",
            ObjectKind::Tree => "tree",
            ObjectKind::Blob => "blob",
            ObjectKind::Tag => "tag",
        }
    }

    /// The kind of a libgit2 object type; `None` for libgit2's "any" and invalid types.
    pub fn of_git2(kind: git2::ObjectType) -> Option<ObjectKind> {
        match kind {
            git2::ObjectType::Commit => Some(ObjectKind::Commit),
            git2::ObjectType::Tree => Some(ObjectKind::Tree),
            git2::ObjectType::Blob => Some(ObjectKind::Blob),
            git2::ObjectType::Tag => Some(ObjectKind::Tag),
            git2::ObjectType::Any => None,
        }
    }
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_formats_round_trip_and_nothing_else_parses() {
        let sha1 = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
        let sha256 = "6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321";
        for hex in [sha1, sha256] {
            let id = ObjectId::from_hex(hex).expect("a full id");
            assert_eq!(id.to_string(), hex);
            assert_eq!(ObjectId::from_hex(&hex.to_uppercase()), Some(id));
            assert!(!id.is_zero());
        }
        assert_eq!(ObjectId::empty_tree(20).to_string(), sha1);
        assert_eq!(ObjectId::empty_tree(32).to_string(), sha256);
        assert!(ObjectId::from_hex(&"0".repeat(64)).is_some_and(|id| id.is_zero()));
        for bad in
            ["", "abc", &sha1[..39], &format!("{sha1}0"), &sha1.replace('4', "g"), "é".repeat(20).as_str()]
        {
            assert_eq!(ObjectId::from_hex(bad), None, "{bad:?}");
        }
        let oid = git2::Oid::from_str(sha1).expect("a SHA-1 id");
        assert_eq!(ObjectId::from(oid).to_git2().ok(), Some(oid));
        assert!(ObjectId::from_hex(sha256).is_some_and(|id| id.to_git2().is_err()));
    }
}
