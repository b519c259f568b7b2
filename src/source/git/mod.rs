//! git itself, for what libgit2 cannot read: a SHA-256 repository, reftable refs (libgit2
//! refuses to open either), a split or sparse index (libgit2 refuses to load it). git is
//! always there when a hook runs, and reads every repository that git can make, so these
//! are read the way git reads them: `git diff-index --cached`, `git diff-tree`, `git
//! rev-list`, `git for-each-ref`, `git ls-tree`, `git ls-files`, and one long-lived `git
//! cat-file --batch` per handle for object content.
//!
//! Every git run here inherits the hook's environment and working directory, so
//! `GIT_DIR`, `GIT_INDEX_FILE`, `GIT_OBJECT_DIRECTORY` and the pre-receive quarantine mean
//! to it what they mean to the git that runs the hook. It never fetches: in a partial clone
//! an object that is not here is reported as absent (`GIT_NO_LAZY_FETCH`; before git knew
//! that variable, a lazy fetch is refused every transport instead), never fetched from the
//! promisor remote by a hook.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;

use anyhow::{anyhow, bail, Context, Result};

use super::mode;
use super::oid::{ObjectId, ObjectKind, Peeled, Ref};
use super::{ChangedFile, CopySources};
use batch::Batch;
pub(crate) use parse::parse_commit;
use parse::{id_of, octal, parse_raw_diff, parse_tag, single_id, tree_entry};
pub use parse::{CommitData, TagData};

mod batch;
mod parse;

/// git run on the repository of this process, with one `cat-file --batch` kept open.
pub struct Git {
    /// Bytes of an object id in this repository (20 for SHA-1, 32 for SHA-256).
    id_len: usize,
    /// Where git runs; `None`: where this process runs, as a hook does.
    dir: Option<PathBuf>,
    batch: Mutex<Option<Batch>>,
}

impl Git {
    /// git run where this process runs, on a repository whose object ids are `id_len` bytes.
    pub fn new(id_len: usize) -> Git {
        Git { id_len, dir: None, batch: Mutex::new(None) }
    }

    /// git run in `dir` (a test's repository), with SHA-1 ids.
    pub fn in_dir(dir: &Path) -> Git {
        Git { id_len: 20, dir: Some(dir.to_path_buf()), batch: Mutex::new(None) }
    }

    /// The bytes of an object id here.
    pub fn id_len(&self) -> usize {
        self.id_len
    }

    /// `git` with the hook's environment, lazy fetching off and no terminal prompt.
    pub fn command(&self) -> Command {
        let mut command = Command::new("git");
        if let Some(dir) = &self.dir {
            command.current_dir(dir);
        }
        command
            .env("GIT_NO_LAZY_FETCH", "1")
            // git before 2.39.4 ignores GIT_NO_LAZY_FETCH: let a lazy fetch use no transport.
            .env("GIT_ALLOW_PROTOCOL", "zoomguard-never-fetches")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_OPTIONAL_LOCKS", "0")
            .stdin(Stdio::null());
        command
    }

    /// Runs `git <args>` with `input` on its standard input; its standard output, or an
    /// error that quotes what git said.
    pub fn run(&self, args: &[&str], input: Option<&[u8]>) -> Result<Vec<u8>> {
        let output = self.output(args, input)?;
        if !output.status.success() {
            return Err(failure(args, &output.stderr));
        }
        Ok(output.stdout)
    }

    fn output(&self, args: &[&str], input: Option<&[u8]>) -> Result<Output> {
        let mut command = self.command();
        command.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
        if input.is_some() {
            command.stdin(Stdio::piped());
        }
        let shown = || format!("running git {}", args.first().copied().unwrap_or_default());
        let mut child = command.spawn().with_context(shown)?;
        let stdin = child.stdin.take();
        // Written from another thread: git may answer before it has read everything.
        std::thread::scope(|threads| {
            if let (Some(mut stdin), Some(input)) = (stdin, input) {
                threads.spawn(move || {
                    let _ = stdin.write_all(input); // a git that stops reading says why itself
                });
            }
            child.wait_with_output().with_context(shown)
        })
    }

    /// The commit HEAD names; `None` on an unborn branch.
    pub fn head(&self) -> Result<Option<ObjectId>> {
        let output = self.output(&["rev-parse", "-q", "--verify", "HEAD^{commit}"], None)?;
        match output.status.code() {
            Some(0) => Ok(Some(single_id(&output.stdout).context("reading HEAD")?)),
            Some(1) if output.stderr.is_empty() => Ok(None),
            _ => Err(failure(&["rev-parse", "HEAD"], &output.stderr)),
        }
    }

    /// The object `name` names (a ref, an id, `HEAD~2`, …).
    pub fn resolve(&self, name: &str) -> Result<ObjectId> {
        let out = self.run(&["rev-parse", "--verify", "--end-of-options", name], None)?;
        single_id(&out)
    }

    /// The best common ancestor of `a` and `b`.
    pub fn merge_base(&self, a: ObjectId, b: ObjectId) -> Result<ObjectId> {
        let out = self.run(&["merge-base", &a.to_string(), &b.to_string()], None)?;
        single_id(&out)
    }

    /// Every commit reachable from `tips` and not from `hide`, parents before children.
    pub fn rev_list(&self, tips: &[ObjectId], hide: &[ObjectId]) -> Result<Vec<ObjectId>> {
        if tips.is_empty() {
            return Ok(Vec::new());
        }
        let mut input = String::new();
        for tip in tips {
            input.push_str(&format!("{tip}\n"));
        }
        for hidden in hide {
            input.push_str(&format!("^{hidden}\n"));
        }
        let out = self.run(&["rev-list", "--topo-order", "--reverse", "--stdin"], Some(input.as_bytes()))?;
        out.split(|&b| b == b'\n').filter(|line| !line.is_empty()).map(id_of).collect()
    }

    /// The refs under `prefix` (all of them for `refs/`): each name, the object it names,
    /// and that object with tags peeled all the way (`None` when the peeled object is absent).
    pub fn refs(&self, prefix: &str) -> Result<Vec<Ref>> {
        let format = "--format=%(objectname) %(objecttype) %(refname)";
        let out = self.run(&["for-each-ref", format, prefix], None)?;
        let mut refs = Vec::new();
        for line in out.split(|&b| b == b'\n').filter(|line| !line.is_empty()) {
            let line = String::from_utf8_lossy(line);
            let mut fields = line.splitn(3, ' ');
            let (Some(id), Some(kind), Some(name)) = (fields.next(), fields.next(), fields.next()) else {
                bail!("git for-each-ref printed {line:?}");
            };
            let id = ObjectId::from_hex(id).with_context(|| format!("git for-each-ref printed {line:?}"))?;
            let peeled = match ObjectKind::from_name(kind.as_bytes()) {
                Some(ObjectKind::Tag) => self.peel(id)?,
                Some(kind) => Some((kind, id)),
                None => bail!("git for-each-ref printed {line:?}"),
            };
            refs.push(Ref { name: name.to_owned(), id, peeled });
        }
        Ok(refs)
    }

    /// What `id` is once every tag is followed; `None` when it, or what it tags, is absent.
    pub fn peel(&self, id: ObjectId) -> Result<Peeled> {
        let header = self.with_batch(|batch| batch.header(&format!("{id}^{{}}")))?;
        Ok(header.map(|(peeled, kind, _)| (kind, peeled)))
    }

    /// The kind and size of `id`; `None` when it is absent.
    pub fn header(&self, id: ObjectId) -> Result<Option<(ObjectKind, u64)>> {
        let header = self.with_batch(|batch| batch.header(&id.to_string()))?;
        Ok(header.map(|(_, kind, size)| (kind, size)))
    }

    /// The kind and content of the object `spec` names; `None` when it is absent.
    pub fn object(&self, spec: &str) -> Result<Option<(ObjectKind, Vec<u8>)>> {
        self.with_batch(|batch| batch.contents(spec))
    }

    /// The commit `id`, or `None` when it is absent.
    pub fn commit(&self, id: ObjectId) -> Result<Option<CommitData>> {
        match self.object(&id.to_string())? {
            Some((ObjectKind::Commit, data)) => {
                parse_commit(&data, self.id_len).map(Some).with_context(|| format!("reading commit {id}"))
            }
            Some((kind, _)) => bail!("{id} is a {}, not a commit", kind.name()),
            None => Ok(None),
        }
    }

    /// The annotated tag `id`, or `None` when it is absent.
    pub fn tag(&self, id: ObjectId) -> Result<Option<TagData>> {
        match self.object(&id.to_string())? {
            Some((ObjectKind::Tag, data)) => {
                parse_tag(&data, self.id_len).map(Some).with_context(|| format!("reading tag {id}"))
            }
            Some((kind, _)) => bail!("{id} is a {}, not a tag", kind.name()),
            None => Ok(None),
        }
    }

    /// The mode and object at `path` (`/`-separated, from the top) in the tree of
    /// `treeish`; `None` when there is nothing there, or a tree on the way is absent.
    pub fn entry_at(&self, treeish: ObjectId, path: &str) -> Result<Option<(u32, ObjectId)>> {
        let Some((ObjectKind::Tree, mut tree)) = self.object(&format!("{treeish}^{{tree}}"))? else {
            return Ok(None);
        };
        let mut names = path.split('/').filter(|name| !name.is_empty()).peekable();
        while let Some(name) = names.next() {
            let Some((mode, id)) = tree_entry(&tree, name.as_bytes(), self.id_len)? else { return Ok(None) };
            if names.peek().is_none() {
                return Ok(Some((mode, id)));
            }
            if !mode::is_tree(mode) {
                return Ok(None);
            }
            match self.object(&id.to_string())? {
                Some((ObjectKind::Tree, data)) => tree = data,
                _ => return Ok(None),
            }
        }
        Ok(None)
    }

    /// The regular files (and executables) of the tree of `treeish`, recursively: path and blob.
    pub fn tree_files(&self, treeish: ObjectId) -> Result<Vec<(String, ObjectId)>> {
        let out = self.run(&["ls-tree", "-r", "-z", "--full-tree", &treeish.to_string()], None)?;
        let mut files = Vec::new();
        for record in out.split(|&b| b == 0).filter(|record| !record.is_empty()) {
            let bad = || anyhow!("git ls-tree printed {:?}", String::from_utf8_lossy(record));
            let tab = memchr::memchr(b'\t', record).ok_or_else(bad)?;
            let mut fields = record[..tab].split(|&b| b == b' ');
            let (Some(mode), Some(_kind), Some(id)) = (fields.next(), fields.next(), fields.next()) else {
                return Err(bad());
            };
            if mode::is_regular(octal(mode).ok_or_else(bad)?) {
                files.push((String::from_utf8_lossy(&record[tab + 1..]).into_owned(), id_of(id)?));
            }
        }
        Ok(files)
    }

    /// The index's stage-0 entry at `path` (from the top), as git reads the index
    /// (`GIT_INDEX_FILE`, split and sparse indexes): mode and blob.
    pub fn staged_entry(&self, path: &str) -> Result<Option<(u32, ObjectId)>> {
        let spec = format!(":(top,literal){path}");
        let out = self.run(&["ls-files", "--stage", "-z", "--full-name", "--", &spec], None)?;
        for record in out.split(|&b| b == 0).filter(|record| !record.is_empty()) {
            let bad = || anyhow!("git ls-files printed {:?}", String::from_utf8_lossy(record));
            let tab = memchr::memchr(b'\t', record).ok_or_else(bad)?;
            let mut fields = record[..tab].split(|&b| b == b' ');
            let (Some(mode), Some(id), Some(stage)) = (fields.next(), fields.next(), fields.next()) else {
                return Err(bad());
            };
            if stage == b"0" && &record[tab + 1..] == path.as_bytes() {
                return Ok(Some((octal(mode).ok_or_else(bad)?, id_of(id)?)));
            }
        }
        Ok(None)
    }

    /// The files that the index (`GIT_INDEX_FILE` or the repository's) changes against
    /// `head` (none: an unborn branch), whose new side can hold added text.
    pub fn staged_files(&self, head: Option<ObjectId>, copies: CopySources) -> Result<Vec<ChangedFile>> {
        let base = head.unwrap_or_else(|| ObjectId::empty_tree(self.id_len)).to_string();
        self.raw_diff(&["diff-index", "--cached"], &[&base], copies)
    }

    /// The files that commit `commit` changes against `parent` (none: against the empty
    /// tree), whose new side can hold added text.
    pub fn commit_files(&self, parent: Option<ObjectId>, commit: ObjectId) -> Result<Vec<ChangedFile>> {
        let base = parent.unwrap_or_else(|| ObjectId::empty_tree(self.id_len)).to_string();
        self.raw_diff(&["diff-tree", "-r"], &[&base, &commit.to_string()], CopySources::ModifiedFilesOnly)
    }

    /// A raw diff with renames and copies. Finding an edited rename reads both blobs; where
    /// one is absent (a partial clone), git fails, and the diff is made again with exact
    /// renames only, which compare ids and read nothing (as libgit2 does, see
    /// `super::renames`): the new file then counts as added, every line of it.
    fn raw_diff(&self, command: &[&str], trees: &[&str], copies: CopySources) -> Result<Vec<ChangedFile>> {
        let mut args: Vec<&str> = command.to_vec();
        args.extend(["--raw", "-z", "--no-abbrev"]);
        let detection: &[&str] = match copies {
            CopySources::ModifiedFilesOnly => &["-M", "-C"],
            CopySources::AllFiles => &["-M", "-C", "--find-copies-harder"],
        };
        let with = |detection: &[&str]| {
            let mut all = args.clone();
            all.extend_from_slice(detection);
            all.extend_from_slice(trees);
            self.output(&all, None)
        };
        let mut output = with(detection)?;
        if !output.status.success() {
            let exact: Vec<&str> = detection
                .iter()
                .map(|&flag| match flag {
                    "-M" => "-M100%",
                    "-C" => "-C100%",
                    other => other,
                })
                .collect();
            output = with(&exact)?;
            if !output.status.success() {
                return Err(failure(command, &output.stderr));
            }
        }
        parse_raw_diff(&output.stdout, self.id_len)
    }

    fn with_batch<T>(&self, read: impl FnOnce(&mut Batch) -> Result<Option<T>>) -> Result<Option<T>> {
        let mut slot = self.batch.lock().map_err(|_| anyhow!("a thread reading objects crashed"))?;
        if slot.is_none() {
            *slot = Some(Batch::spawn(self)?);
        }
        let batch = slot.as_mut().expect("just filled");
        match read(batch) {
            Ok(found) => Ok(found),
            Err(error) => {
                // The next request starts a new cat-file: this one may be half-way through an answer.
                let said = batch.finish();
                *slot = None;
                // An older git's cat-file (2.39's, say) ends on an absent object of a partial
                // clone ("could not fetch … from promisor remote") instead of calling it missing.
                if said.contains("from promisor remote") {
                    return Ok(None);
                }
                match last_lines(&said) {
                    said if said.is_empty() => Err(error),
                    said => Err(error.context(format!("git cat-file said: {said}"))),
                }
            }
        }
    }
}

/// The error of a git run that failed, quoting what it said.
fn failure(args: &[&str], stderr: &[u8]) -> anyhow::Error {
    let said = last_lines(&String::from_utf8_lossy(stderr));
    let said = if said.is_empty() { "no message".to_owned() } else { said };
    anyhow!("git {} failed: {said}", args.first().copied().unwrap_or_default())
}

/// The last few lines of what git said, short.
fn last_lines(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|line| !line.is_empty()).collect();
    let kept = lines[lines.len().saturating_sub(3)..].join("; ");
    kept.chars().take(600).collect()
}
