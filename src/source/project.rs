//! Whether the repository around a change uses Zoom: the few texts and names that can say
//! so, read only when a finding waits for the answer.
//!
//! Detection decides what counts as a sign (see [`crate::detect::project`]); this module
//! knows where to look without reading the whole tree: the dependency manifests at the root
//! and in the directories above each waiting finding, the repository's directory name and
//! its remotes' URLs, and `git config zoomguard.zoomProject`, which overrides the guess.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use anyhow::Result;
use git2::{ObjectType, Oid, Repository, Tree};

use super::settings::Settings;
use crate::detect::project::{self, MANIFEST_NAMES};
use crate::detect::ProjectContext;

/// The largest manifest read (a lockfile-sized `package.json` is a few hundred kilobytes).
const MAX_MANIFEST_SIZE: usize = 4 << 20;

/// The most directories above waiting findings whose manifests are read, per look.
const MAX_DIRECTORIES: usize = 32;

/// What the configuration says before anything is scanned: `zoomguard.zoomProject` decides
/// outright; without it, the answer waits until a finding needs it.
pub fn configured(settings: &Settings) -> Result<ProjectContext> {
    Ok(match settings.zoom_project()? {
        Some(true) => ProjectContext::Zoom(Arc::from("git config zoomguard.zoomProject is true")),
        Some(false) => ProjectContext::NotZoom,
        None => ProjectContext::Unknown,
    })
}

/// Looks at a repository's trees for signs of Zoom, remembering each manifest blob's answer
/// (most commits of a history share their manifests). Shared by the scanning threads.
pub struct ProjectLook {
    /// What the repository's names say, worked out once.
    names: Option<String>,
    /// A manifest blob's answer, by id.
    manifests: Mutex<HashMap<Oid, Option<String>>>,
}

impl ProjectLook {
    /// Reads the names of `repo`: its directory and its remotes' URLs.
    pub fn new(repo: &Repository) -> ProjectLook {
        ProjectLook { names: names_signal(repo), manifests: Mutex::new(HashMap::new()) }
    }

    /// Why the project in `tree` (none: an unborn branch) uses Zoom, if it shows it: a
    /// manifest at the root or in a directory above one of `paths`, else the names.
    pub fn in_tree(&self, repo: &Repository, tree: Option<&Tree<'_>>, paths: &[&str]) -> Option<String> {
        if let Some(tree) = tree {
            for directory in directories_above(paths) {
                for name in MANIFEST_NAMES {
                    let path =
                        if directory.is_empty() { (*name).to_owned() } else { format!("{directory}/{name}") };
                    if let Some(reason) = self.manifest(repo, tree, &path) {
                        return Some(reason);
                    }
                }
            }
        }
        self.names.clone()
    }

    /// What the manifest at `path` in `tree` says, if it is there.
    fn manifest(&self, repo: &Repository, tree: &Tree<'_>, path: &str) -> Option<String> {
        let entry = tree.get_path(std::path::Path::new(path)).ok()?;
        if entry.kind() != Some(ObjectType::Blob) {
            return None;
        }
        let id = entry.id();
        if let Some(known) = self.manifests.lock().ok()?.get(&id) {
            return known.clone();
        }
        // A manifest is small; a huge file of that name is read no further than its size.
        let (size, _) = repo.odb().ok()?.read_header(id).ok()?;
        let answer = if size > MAX_MANIFEST_SIZE {
            None
        } else {
            project::signal_of(path, repo.find_blob(id).ok()?.content())
        };
        self.manifests.lock().ok()?.insert(id, answer.clone());
        answer
    }
}

/// The root and the directories above each of `paths`, nearest first, each once.
fn directories_above(paths: &[&str]) -> Vec<String> {
    let mut directories = Vec::new();
    for path in paths {
        let mut at = path.len();
        while let Some(slash) = path[..at].rfind('/') {
            let directory = &path[..slash];
            if !directories.iter().any(|d| d == directory) {
                directories.push(directory.to_owned());
            }
            at = slash;
        }
    }
    directories.truncate(MAX_DIRECTORIES);
    directories.insert(0, String::new());
    directories
}

/// Whether the repository's directory or one of its remotes names Zoom.
fn names_signal(repo: &Repository) -> Option<String> {
    let directory = repo.workdir().unwrap_or_else(|| repo.path());
    let name = directory.file_name().map(|n| n.to_string_lossy().trim_end_matches(".git").to_owned());
    if let Some(reason) = name.and_then(|name| project::name_signal("the repository's directory", &name)) {
        return Some(reason);
    }
    let remotes = repo.remotes().ok()?;
    for name in remotes.iter().flatten().flatten() {
        let Ok(remote) = repo.find_remote(name) else { continue };
        let url = String::from_utf8_lossy(remote.url_bytes()).into_owned();
        if let Some(reason) = project::name_signal(&format!("remote {name}"), &url) {
            return Some(reason);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_nearest_first_root_first() {
        assert_eq!(directories_above(&["a/b/c.env", "a/d.env", "e.env"]), ["", "a/b", "a"]);
    }
}
