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

use super::settings::Settings;
use super::{ObjectId, ObjectKind, Repo};
use crate::detect::project::{self, MANIFEST_NAMES};
use crate::detect::ProjectContext;

/// The largest manifest read (a lockfile-sized `package.json` is a few hundred kilobytes).
const MAX_MANIFEST_SIZE: u64 = 4 << 20;

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
    manifests: Mutex<HashMap<ObjectId, Option<String>>>,
}

impl ProjectLook {
    /// Reads the names of `repo`: its directory and its remotes' URLs.
    pub fn new(repo: &Repo) -> ProjectLook {
        ProjectLook { names: names_signal(repo), manifests: Mutex::new(HashMap::new()) }
    }

    /// [`ProjectLook::in_tree`] once, for the project at HEAD (what a hook's change goes into).
    pub fn at_head(repo: &Repo, paths: &[&str]) -> Option<String> {
        ProjectLook::new(repo).in_tree(repo, repo.head().ok().flatten(), paths)
    }

    /// Why the project in the tree of `tree` (a commit or a tree; none: an unborn branch)
    /// uses Zoom, if it shows it: a manifest at the root or in a directory above one of
    /// `paths`, else the names.
    pub fn in_tree(&self, repo: &Repo, tree: Option<ObjectId>, paths: &[&str]) -> Option<String> {
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
    fn manifest(&self, repo: &Repo, tree: ObjectId, path: &str) -> Option<String> {
        let (_, id) = repo.entry_at(tree, path).ok()??;
        if let Some(known) = self.manifests.lock().ok()?.get(&id) {
            return known.clone();
        }
        // A manifest is small; a huge file of that name is read no further than its size.
        let (kind, size) = repo.header(id).ok()??;
        if kind != ObjectKind::Blob {
            return None;
        }
        let answer = if size > MAX_MANIFEST_SIZE {
            None
        } else {
            project::signal_of(path, &repo.read_blob(id).ok()??)
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
fn names_signal(repo: &Repo) -> Option<String> {
    let directory = repo.workdir().unwrap_or_else(|| repo.path());
    let name = directory.file_name().map(|n| n.to_string_lossy().trim_end_matches(".git").to_owned());
    if let Some(reason) = name.and_then(|name| project::name_signal("the repository's directory", &name)) {
        return Some(reason);
    }
    for (name, url) in remote_urls(repo) {
        if let Some(reason) = project::name_signal(&format!("remote {name}"), &url) {
            return Some(reason);
        }
    }
    None
}

/// Each remote's name and URL.
fn remote_urls(repo: &Repo) -> Vec<(String, String)> {
    if let Some(lib) = repo.lib() {
        let Ok(remotes) = lib.remotes() else { return Vec::new() };
        return remotes
            .iter()
            .flatten()
            .flatten()
            .filter_map(|name| {
                let remote = lib.find_remote(name).ok()?;
                Some((name.to_owned(), String::from_utf8_lossy(remote.url_bytes()).into_owned()))
            })
            .collect();
    }
    // What libgit2 lists too: every `remote.<name>.url` of the config.
    let Ok(config) = repo.config() else { return Vec::new() };
    let Ok(mut entries) = config.entries(Some(r"^remote\..*\.url$")) else { return Vec::new() };
    let mut urls = Vec::new();
    while let Some(Ok(entry)) = entries.next() {
        let name = entry.name().unwrap_or_default();
        let name = name.strip_prefix("remote.").and_then(|n| n.strip_suffix(".url")).unwrap_or(name);
        urls.push((name.to_owned(), String::from_utf8_lossy(entry.value_bytes()).into_owned()));
    }
    urls
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_nearest_first_root_first() {
        assert_eq!(directories_above(&["a/b/c.env", "a/d.env", "e.env"]), ["", "a/b", "a"]);
    }
}
