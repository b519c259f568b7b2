//! The walk over a whole history (`scan --history`), done by the scan's own workers as
//! they go: the worker that scans a commit reads its parents, which it needs for the diff
//! anyway, and queues those no one found before. So each commit is read once, and the scan
//! starts with the first commit instead of after a walk over all of them on one core.
//!
//! The workers find commits newest first; reports list them parents first. The walk keeps
//! each commit's parents (as places in the order found: a few bytes a commit) and works out
//! that order at the end ([`Walk::positions`]): depth first from each tip in turn, a
//! commit's first parent's history before its second's, so a merged branch comes as one run,
//! after the line it branched from and before its merge (as `git rev-list --topo-order
//! --reverse` lists them).

use std::collections::HashMap;
use std::sync::Mutex;

use anyhow::{anyhow, Context, Result};

use super::git::CommitData;
use super::{ObjectId, Repo};

/// The commits found so far, and how they link.
pub struct Walk {
    graph: Mutex<Graph>,
}

#[derive(Default)]
struct Graph {
    /// Each commit found, and its place in the order found.
    found: HashMap<ObjectId, u32>,
    /// (commit, parent) as places found, each commit's parents in their order.
    parents: Vec<(u32, u32)>,
    /// The tips' places, in the order given.
    tips: Vec<u32>,
}

/// A commit the walk found, read.
#[derive(Debug)]
pub struct Found {
    /// Its place in the order found.
    pub at: usize,
    /// Its id.
    pub id: ObjectId,
    /// What it holds.
    pub commit: CommitData,
}

impl Walk {
    /// A walk from `tips` (each read; one that repeats another is found once), and the
    /// tips' commits, first tip first.
    pub fn from(repo: &Repo, tips: &[ObjectId]) -> Result<(Walk, Vec<Found>)> {
        let walk = Walk { graph: Mutex::new(Graph::default()) };
        let mut found = Vec::new();
        for &tip in tips {
            let (at, new) = walk.find(tip)?;
            walk.lock()?.tips.push(at);
            if new {
                found.push(Found { at: at as usize, id: tip, commit: read(repo, tip)? });
            }
        }
        Ok((walk, found))
    }

    /// Records the parents of `found`, reads those found first here and hands them to
    /// `queue` (its first parent last, to be taken next: depth first), and gives the first
    /// parent's tree when this read it.
    pub fn parents_of(
        &self,
        repo: &Repo,
        found: &Found,
        queue: &mut dyn FnMut(Found),
    ) -> Result<Option<ObjectId>> {
        let mut first_tree = None;
        for (nth, &parent) in found.commit.parents.iter().enumerate().rev() {
            let (at, new) = self.find(parent)?;
            if !new {
                continue;
            }
            let commit = read(repo, parent)?;
            if nth == 0 {
                first_tree = Some(commit.tree);
            }
            queue(Found { at: at as usize, id: parent, commit });
        }
        let mut graph = self.lock()?;
        for parent in &found.commit.parents {
            let at = *graph.found.get(parent).ok_or_else(crashed)?;
            graph.parents.push((found.at as u32, at));
        }
        Ok(first_tree)
    }

    /// How many commits were found.
    pub fn found(&self) -> Result<usize> {
        Ok(self.lock()?.found.len())
    }

    /// Each commit's position parents first, by its place found. Call it once every commit
    /// found has had its parents recorded.
    pub fn positions(self) -> Result<Vec<usize>> {
        let Graph { found, mut parents, tips } = self.graph.into_inner().map_err(|_| crashed())?;
        let count = found.len();
        drop(found);
        // Each commit's parents together, in their order (the sort is stable).
        parents.sort_by_key(|&(commit, _)| commit);
        let mut first_of = vec![0; count + 1];
        for &(commit, _) in &parents {
            first_of[commit as usize + 1] += 1;
        }
        for at in 0..count {
            first_of[at + 1] += first_of[at];
        }
        let mut position = vec![0; count];
        let mut entered = vec![false; count];
        let mut next = 0;
        // The commits whose parents are being placed, each with the next of them to look at.
        let mut path: Vec<(u32, usize)> = Vec::new();
        for tip in tips {
            if entered[tip as usize] {
                continue;
            }
            entered[tip as usize] = true;
            path.push((tip, first_of[tip as usize]));
            while let Some((commit, nth)) = path.last_mut() {
                let commit = *commit as usize;
                if *nth == first_of[commit + 1] {
                    position[commit] = next;
                    next += 1;
                    path.pop();
                    continue;
                }
                let parent = parents[*nth].1;
                *nth += 1;
                // Entered and not placed is a cycle, which only a damaged object store has.
                if !entered[parent as usize] {
                    entered[parent as usize] = true;
                    path.push((parent, first_of[parent as usize]));
                }
            }
        }
        if next != count {
            return Err(anyhow!("the walk over the history lost a commit"));
        }
        Ok(position)
    }

    /// The place of `id` in the order found, and whether this call found it.
    fn find(&self, id: ObjectId) -> Result<(u32, bool)> {
        let mut graph = self.lock()?;
        let next = u32::try_from(graph.found.len()).context("a history of more than 2^32 commits")?;
        let at = *graph.found.entry(id).or_insert(next);
        Ok((at, at == next))
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Graph>> {
        self.graph.lock().map_err(|_| crashed())
    }
}

fn read(repo: &Repo, id: ObjectId) -> Result<CommitData> {
    repo.commit(id).with_context(|| format!("reading commit {id}"))
}

fn crashed() -> anyhow::Error {
    anyhow!("a scanning thread crashed")
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::path::Path;
    use std::process::Command;

    use super::super::testing::{git, write};
    use super::*;

    fn git_out(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git").args(args).current_dir(dir).output().expect("git runs");
        assert!(out.status.success(), "git {args:?}");
        String::from_utf8(out.stdout).expect("UTF-8")
    }

    fn commit(dir: &Path, name: &str) {
        write(dir, &format!("{name}.txt"), name);
        git(dir, &["add", "-A"]);
        git(dir, &["commit", "-q", "-m", name]);
    }

    /// Walks from `tips` on one thread, as the workers do, and gives the commits parents first.
    fn walked(dir: &Path, tips: &[&str]) -> Vec<ObjectId> {
        let repo = Repo::at(dir).expect("opens");
        let tips: Vec<ObjectId> = tips
            .iter()
            .map(|tip| ObjectId::from_hex(git_out(dir, &["rev-parse", tip]).trim()).unwrap())
            .collect();
        let (walk, mut queue) = Walk::from(&repo, &tips).expect("tips read");
        queue.reverse();
        let mut ids = HashMap::new();
        while let Some(found) = queue.pop() {
            walk.parents_of(&repo, &found, &mut |parent| queue.push(parent)).expect("parents read");
            assert!(ids.insert(found.at, found.id).is_none(), "{} found twice", found.id);
        }
        let positions = walk.positions().expect("placed");
        let mut order = vec![None; positions.len()];
        for (at, position) in positions.into_iter().enumerate() {
            order[position] = Some(ids[&at]);
        }
        order.into_iter().map(|id| id.expect("every position taken")).collect()
    }

    #[test]
    fn a_merged_branch_comes_as_one_run_between_its_base_and_its_merge() {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        git(dir, &["init", "-q", "-b", "main"]);
        for name in ["a", "b"] {
            commit(dir, name);
        }
        git(dir, &["checkout", "-q", "-b", "feature"]);
        for name in ["d", "e"] {
            commit(dir, name);
        }
        git(dir, &["checkout", "-q", "main"]);
        commit(dir, "c");
        git(dir, &["merge", "-q", "--no-ff", "-m", "m", "feature"]);
        let expected: Vec<ObjectId> = git_out(dir, &["rev-list", "--topo-order", "--reverse", "main"])
            .lines()
            .map(|id| ObjectId::from_hex(id).unwrap())
            .collect();
        let subjects = |ids: &[ObjectId]| -> Vec<String> {
            ids.iter()
                .map(|id| git_out(dir, &["log", "-1", "--format=%s", &id.to_string()]).trim().to_owned())
                .collect()
        };
        assert_eq!(subjects(&expected), ["a", "b", "c", "d", "e", "m"], "git's order");
        assert_eq!(walked(dir, &["main"]), expected, "loose");
        git(dir, &["repack", "-adq"]);
        assert_eq!(walked(dir, &["main"]), expected, "packed, read by the pack reader");
    }

    #[test]
    fn every_commit_of_many_tips_is_found_once_and_placed_after_its_parents() {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        git(dir, &["init", "-q", "-b", "main"]);
        commit(dir, "root");
        for branch in 0..4 {
            git(dir, &["checkout", "-q", "-b", &format!("b{branch}"), "main"]);
            for step in 0..3 {
                commit(dir, &format!("b{branch}-{step}"));
            }
            git(dir, &["checkout", "-q", "main"]);
            commit(dir, &format!("main-{branch}"));
            if branch % 2 == 1 {
                git(
                    dir,
                    &["merge", "-q", "--no-ff", "-m", &format!("merge b{branch}"), &format!("b{branch}")],
                );
            }
        }
        git(dir, &["repack", "-adq"]);
        // Tips that repeat, and one that is another's ancestor.
        let order = walked(dir, &["b0", "main", "b3", "b1", "main~2", "b2"]);
        let all: HashSet<ObjectId> =
            git_out(dir, &["rev-list", "--all"]).lines().map(|id| ObjectId::from_hex(id).unwrap()).collect();
        assert_eq!(order.iter().copied().collect::<HashSet<_>>(), all, "every commit");
        assert_eq!(order.len(), all.len(), "each once");
        let repo = Repo::at(dir).unwrap();
        let place: HashMap<ObjectId, usize> = order.iter().enumerate().map(|(at, id)| (*id, at)).collect();
        for id in &order {
            for parent in repo.commit(*id).unwrap().parents {
                assert!(place[&parent] < place[id], "{parent} before its child {id}");
            }
        }
    }
}
