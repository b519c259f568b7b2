//! One long-lived `git cat-file --batch` per handle: object content without a process per
//! object, its standard error drained by a thread so that git never blocks on it.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Stdio};
use std::sync::{Arc, Mutex};

use anyhow::{anyhow, bail, Context, Result};

use super::Git;
use crate::source::oid::{ObjectId, ObjectKind};

/// The most of git's standard error kept for a message.
const STDERR_KEPT: usize = 4096;

/// `git cat-file --batch`, kept open: one object per request, answered in order.
pub(super) struct Batch {
    child: Child,
    input: Option<ChildStdin>,
    output: BufReader<ChildStdout>,
    /// The end of its standard error, read by a thread so that git never blocks on it.
    stderr: Arc<Mutex<Vec<u8>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Batch {
    pub(super) fn spawn(git: &Git) -> Result<Batch> {
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
    pub(super) fn request(&mut self, spec: &str) -> Result<Option<(ObjectId, ObjectKind, u64)>> {
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
    pub(super) fn header(&mut self, spec: &str) -> Result<Option<(ObjectId, ObjectKind, u64)>> {
        let Some(header) = self.request(spec)? else { return Ok(None) };
        self.skip(header.2)?;
        Ok(Some(header))
    }

    /// The kind and content of `spec`'s object.
    pub(super) fn contents(&mut self, spec: &str) -> Result<Option<(ObjectKind, Vec<u8>)>> {
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
    pub(super) fn skip(&mut self, size: u64) -> Result<()> {
        let skipped = std::io::copy(&mut (&mut self.output).take(size + 1), &mut std::io::sink())
            .context("reading an object")?;
        if skipped != size + 1 {
            bail!("git cat-file stopped in the middle of an object");
        }
        Ok(())
    }

    /// Ends git (it exits at the end of its input) and gives what it said on standard error.
    pub(super) fn finish(&mut self) -> String {
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
