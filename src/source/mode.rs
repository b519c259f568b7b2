//! git's file modes and tree order, as trees, the index and `git ls-tree` write them: the
//! numbers in one place for every reader of trees (libgit2's, git's, and the raw ones here).

use std::cmp::Ordering;

/// The modes of a regular and an executable file.
pub const REGULAR: [u32; 2] = [0o100644, 0o100755];
/// The mode of a symbolic link.
pub const LINK: u32 = 0o120000;
/// A mode's type bits, and those of a tree.
const TYPE_MASK: u32 = 0o170000;
const TREE: u32 = 0o040000;

/// Whether `mode` is a regular or executable file's.
pub fn is_regular(mode: u32) -> bool {
    REGULAR.contains(&mode)
}

/// Whether `mode` is a tree's (a directory).
pub fn is_tree(mode: u32) -> bool {
    mode & TYPE_MASK == TREE
}

/// A name in a tree, and whether it names a directory: what git's tree order sorts.
#[derive(Debug, Clone, Copy)]
pub struct TreeName<'a> {
    /// The entry's name.
    pub name: &'a [u8],
    /// Whether it is a directory (a tree).
    pub is_dir: bool,
}

/// git's order of tree entries: by name, a directory's name taken as if it ended in `/`.
/// Index paths sort the same way, since a directory's entries all start with `name/`.
pub fn tree_order(a: TreeName<'_>, b: TreeName<'_>) -> Ordering {
    let a = a.name.iter().chain(a.is_dir.then_some(&b'/'));
    let b = b.name.iter().chain(b.is_dir.then_some(&b'/'));
    a.cmp(b)
}
