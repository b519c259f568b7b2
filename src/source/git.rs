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

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Output, Stdio};
use std::sync::{Arc, Mutex};

use anyhow::{anyhow, bail, Context, Result};

use super::mode;
use super::oid::{ObjectId, ObjectKind, Peeled, Ref};
use super::{ChangedFile, CopySources};

/// The most of git's standard error kept for a message.
const STDERR_KEPT: usize = 4096;

/// git run on the repository of this process, with one `cat-file --batch` kept open.
pub struct Git {
    /// Bytes of an object id in this repository (20 for SHA-1, 32 for SHA-256).
    id_len: usize,
    /// Where git runs; `None`: where this process runs, as a hook does.
    dir: Option<PathBuf>,
    batch: Mutex<Option<Batch>>,
}

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

/// `git cat-file --batch`, kept open: one object per request, answered in order.
struct Batch {
    child: Child,
    input: Option<ChildStdin>,
    output: BufReader<ChildStdout>,
    /// The end of its standard error, read by a thread so that git never blocks on it.
    stderr: Arc<Mutex<Vec<u8>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Batch {
    fn spawn(git: &Git) -> Result<Batch> {
        let mut child = git
            .command()
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("running git cat-file")?;
        let input = child.stdin.take();
        let output = BufReader::new(child.stdout.take().context("reading git cat-file")?);
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let reader = child.stderr.take().map(|mut pipe| {
            let kept = Arc::clone(&stderr);
            std::thread::spawn(move || {
                let mut chunk = [0; 1024];
                while let Ok(read @ 1..) = pipe.read(&mut chunk) {
                    if let Ok(mut kept) = kept.lock() {
                        kept.extend_from_slice(&chunk[..read]);
                        let excess = kept.len().saturating_sub(STDERR_KEPT);
                        kept.drain(..excess);
                    }
                }
            })
        });
        Ok(Batch { child, input, output, stderr, reader })
    }

    /// Sends `spec` and reads the header of the answer: the object's id, kind and size;
    /// `None` when it is missing.
    fn request(&mut self, spec: &str) -> Result<Option<(ObjectId, ObjectKind, u64)>> {
        if spec.contains(['\n', '\r']) {
            bail!("cannot ask git for {spec:?}");
        }
        let input = self.input.as_mut().context("git cat-file is closed")?;
        input.write_all(format!("{spec}\n").as_bytes()).context("asking git cat-file for an object")?;
        input.flush().context("asking git cat-file for an object")?;
        let mut line = Vec::new();
        self.output.read_until(b'\n', &mut line).context("reading git cat-file's answer")?;
        let Some(line) = line.strip_suffix(b"\n") else {
            bail!("git cat-file stopped");
        };
        if line.ends_with(b" missing") {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(line);
        let mut fields = text.split(' ');
        let bad = || anyhow!("git cat-file answered {text:?} for {spec}");
        let (Some(id), Some(kind), Some(size), None) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(bad());
        };
        let id = ObjectId::from_hex(id).ok_or_else(bad)?;
        let kind = ObjectKind::from_name(kind.as_bytes()).ok_or_else(bad)?;
        Ok(Some((id, kind, size.parse().map_err(|_| bad())?)))
    }

    /// The header of `spec`'s object; its content is read and dropped.
    fn header(&mut self, spec: &str) -> Result<Option<(ObjectId, ObjectKind, u64)>> {
        let Some(header) = self.request(spec)? else { return Ok(None) };
        self.skip(header.2)?;
        Ok(Some(header))
    }

    /// The kind and content of `spec`'s object.
    fn contents(&mut self, spec: &str) -> Result<Option<(ObjectKind, Vec<u8>)>> {
        let Some((_, kind, size)) = self.request(spec)? else { return Ok(None) };
        let size = usize::try_from(size).context("an object too large to hold")?;
        let mut content = Vec::new();
        content.try_reserve_exact(size).context("an object too large to hold")?;
        (&mut self.output).take(size as u64).read_to_end(&mut content).context("reading an object")?;
        if content.len() != size {
            bail!("git cat-file stopped in the middle of {spec}");
        }
        self.skip(0)?;
        Ok(Some((kind, content)))
    }

    /// Reads `size` bytes of content and the newline after them.
    fn skip(&mut self, size: u64) -> Result<()> {
        let skipped = std::io::copy(&mut (&mut self.output).take(size + 1), &mut std::io::sink())
            .context("reading an object")?;
        if skipped != size + 1 {
            bail!("git cat-file stopped in the middle of an object");
        }
        Ok(())
    }

    /// Ends git (it exits at the end of its input) and gives what it said on standard error.
    fn finish(&mut self) -> String {
        drop(self.input.take());
        let _ = self.child.wait();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        let said = self.stderr.lock().map(|kept| kept.clone()).unwrap_or_default();
        String::from_utf8_lossy(&said).into_owned()
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        self.finish();
    }
}

/// The one object id git printed.
fn single_id(out: &[u8]) -> Result<ObjectId> {
    id_of(out.strip_suffix(b"\n").unwrap_or(out))
}

fn id_of(hex: &[u8]) -> Result<ObjectId> {
    std::str::from_utf8(hex)
        .ok()
        .and_then(ObjectId::from_hex)
        .with_context(|| format!("git printed {:?} for an object id", String::from_utf8_lossy(hex)))
}

fn octal(text: &[u8]) -> Option<u32> {
    u32::from_str_radix(std::str::from_utf8(text).ok()?, 8).ok()
}

/// The changed files of a `--raw -z` diff whose new side is a regular file with text to
/// add: added, modified, type-changed, renamed and copied ones (not deletions, submodules
/// or symlinks).
fn parse_raw_diff(out: &[u8], id_len: usize) -> Result<Vec<ChangedFile>> {
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
fn tree_entry(tree: &[u8], name: &[u8], id_len: usize) -> Result<Option<(u32, ObjectId)>> {
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
fn parse_commit(data: &[u8], id_len: usize) -> Result<CommitData> {
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
fn parse_tag(data: &[u8], id_len: usize) -> Result<TagData> {
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
fn summary_of(message: &[u8]) -> String {
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
