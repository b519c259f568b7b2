//! Where an image's blobs are and how they are read: files under an OCI layout directory, or
//! members of a tar archive found by one pass over its headers (the data is never extracted);
//! and a layer's bytes decompressed by what their first bytes say (gzip, zstd, plain).

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;

use super::{normalize, MAX_LINK_HOPS, METADATA_LIMIT};

/// A layer's bytes, decompressed according to their first bytes: gzip, zstd, or a plain tar.
/// (A file's first read fills the buffer, so its first bytes are all there.)
pub(super) fn decompress<'a>(mut reader: BufReader<Box<dyn Read + Send + 'a>>) -> Result<Box<dyn Read + 'a>> {
    let head: Vec<u8> =
        reader.fill_buf().context("reading the layer's first bytes")?.iter().take(6).copied().collect();
    Ok(match head.as_slice() {
        [0x1f, 0x8b, ..] => Box::new(flate2::bufread::MultiGzDecoder::new(reader)),
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Box::new(ZstdFrames::new(reader)),
        [0xfd, b'7', b'z', b'X', b'Z', 0x00] => bail!("the layer is xz-compressed, which is not supported"),
        [b'B', b'Z', b'h', ..] => bail!("the layer is bzip2-compressed, which is not supported"),
        _ => Box::new(reader),
    })
}

/// zstd frames one after another, as `zstd:chunked` writes them (one per file, and skippable
/// frames for its table of contents), decoded as one stream.
pub(super) struct ZstdFrames<R: BufRead> {
    source: R,
    decoder: ruzstd::decoding::FrameDecoder,
    in_frame: bool,
}

impl<R: BufRead> ZstdFrames<R> {
    pub(super) fn new(source: R) -> Self {
        ZstdFrames { source, decoder: ruzstd::decoding::FrameDecoder::new(), in_frame: false }
    }
}

impl<R: BufRead> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};
        use ruzstd::decoding::BlockDecodingStrategy;
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if !self.in_frame {
                if self.source.fill_buf()?.is_empty() {
                    return Ok(0);
                }
                match self.decoder.reset(&mut self.source) {
                    Ok(()) => self.in_frame = true,
                    Err(FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::SkipFrame {
                        length,
                        ..
                    })) => {
                        let skipped =
                            io::copy(&mut (&mut self.source).take(u64::from(length)), &mut io::sink())?;
                        if skipped < u64::from(length) {
                            return Err(io::Error::new(
                                io::ErrorKind::UnexpectedEof,
                                "a zstd skippable frame is cut short",
                            ));
                        }
                        continue;
                    }
                    Err(e) => return Err(io::Error::new(io::ErrorKind::InvalidData, e)),
                }
            }
            while self.decoder.can_collect() < buf.len() && !self.decoder.is_finished() {
                let wanted = buf.len() - self.decoder.can_collect();
                self.decoder
                    .decode_blocks(&mut self.source, BlockDecodingStrategy::UptoBytes(wanted))
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
            }
            let read = self.decoder.read(buf)?;
            if read > 0 {
                return Ok(read);
            }
            if self.decoder.is_finished() && self.decoder.can_collect() == 0 {
                self.in_frame = false;
            }
        }
    }
}

/// Where an image's blobs are.
pub(super) enum Store {
    /// An OCI image layout directory: blobs are files under it.
    Dir(PathBuf),
    /// A tar archive: where each member's data lies in the file (never extracted).
    Archive { file: PathBuf, members: HashMap<String, Member> },
}

/// A member of an archive.
#[derive(Debug, Clone)]
pub(super) enum Member {
    /// A file's data, at this offset of the archive.
    Data { offset: u64, size: u64 },
    /// A symbolic or hard link to another member (a path inside the archive).
    Link(String),
}

impl Store {
    /// Reads the headers of the archive at `path` (seeking over the data) and notes where
    /// each member's data is.
    pub(super) fn index_archive(path: &Path) -> Result<Store> {
        let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
        let length = file.metadata().with_context(|| format!("reading {}", path.display()))?.len();
        let not_an_image = |why: String| {
            anyhow!(
                "{} is not a container image: {why}. Give a docker save archive (docker save -o app.tar \
                 app:tag), an OCI archive or an OCI layout directory",
                path.display()
            )
        };
        let mut reader = BufReader::new(file);
        let head = reader.fill_buf().with_context(|| format!("reading {}", path.display()))?;
        match head {
            [] => return Err(not_an_image("it is empty".into())),
            [0x1f, 0x8b, ..] => bail!(
                "{} is gzip-compressed: decompress it first (gunzip -k), then scan the .tar",
                path.display()
            ),
            [0x28, 0xb5, 0x2f, 0xfd, ..] => bail!(
                "{} is zstd-compressed: decompress it first (zstd -d), then scan the .tar",
                path.display()
            ),
            _ => {}
        }
        let mut archive = tar::Archive::new(reader);
        let mut members = HashMap::new();
        let entries = archive.entries_with_seek().map_err(|e| not_an_image(e.to_string()))?;
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) if members.is_empty() => {
                    return Err(not_an_image(format!("it is not a tar archive ({e})")))
                }
                Err(e) => {
                    return Err(anyhow!("{e}")).with_context(|| {
                        format!("reading the tar archive {} (corrupt or cut short?)", path.display())
                    })
                }
            };
            let name = normalize(&entry.path_bytes());
            let kind = entry.header().entry_type();
            let member = if kind.is_file() || kind.is_contiguous() {
                let (offset, size) = (entry.raw_file_position(), entry.size());
                if offset.checked_add(size).is_none_or(|end| end > length) {
                    bail!("the tar archive {} is cut short: {name} ends past its end", path.display());
                }
                Member::Data { offset, size }
            } else if kind.is_symlink() || kind.is_hard_link() {
                let Some(target) = entry.link_name_bytes() else { continue };
                let target = String::from_utf8_lossy(&target).into_owned();
                // A symbolic link is relative to its own directory; a hard link names a member.
                let base =
                    if kind.is_symlink() { name.rsplit_once('/').map_or("", |(dir, _)| dir) } else { "" };
                match resolve_relative(base, &target) {
                    Some(target) => Member::Link(target),
                    None => continue, // points outside the archive: nothing of the image
                }
            } else {
                continue;
            };
            members.insert(name, member);
        }
        if members.is_empty() {
            return Err(not_an_image("it holds no files".into()));
        }
        Ok(Store::Archive { file: path.to_path_buf(), members })
    }

    /// Whether the store holds `name`.
    pub(super) fn has(&self, name: &str) -> bool {
        match self {
            Store::Dir(root) => root.join(name).is_file(),
            Store::Archive { .. } => self.member(name).is_some(),
        }
    }

    /// The data of `name` in an archive, following links.
    pub(super) fn member(&self, name: &str) -> Option<(u64, u64)> {
        let Store::Archive { members, .. } = self else { return None };
        let mut name = name.to_owned();
        for _ in 0..MAX_LINK_HOPS {
            match members.get(&name)? {
                Member::Data { offset, size } => return Some((*offset, *size)),
                Member::Link(target) => name = target.clone(),
            }
        }
        None
    }

    /// A reader of `name`'s bytes, or none when the store has no such file. `name` is a
    /// relative path from the image's own metadata: one that climbs out (`..`) is refused.
    pub(super) fn open(&self, name: &str) -> Result<Option<Box<dyn Read + Send>>> {
        if name.split('/').any(|part| part == "..") || name.starts_with('/') {
            bail!("the image names {name:?}, a path outside it");
        }
        match self {
            Store::Dir(root) => {
                let path = root.join(name);
                match File::open(&path) {
                    Ok(file) if file.metadata().is_ok_and(|m| m.is_file()) => Ok(Some(Box::new(file))),
                    Ok(_) => Ok(None),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(e).with_context(|| format!("opening {}", path.display())),
                }
            }
            Store::Archive { file, .. } => {
                let Some((offset, size)) = self.member(name) else { return Ok(None) };
                let mut handle = File::open(file).with_context(|| format!("opening {}", file.display()))?;
                handle
                    .seek(SeekFrom::Start(offset))
                    .with_context(|| format!("reading {}", file.display()))?;
                Ok(Some(Box::new(handle.take(size))))
            }
        }
    }

    /// The JSON document `name`, at most [`METADATA_LIMIT`] bytes; `what` says what it is.
    pub(super) fn read_json(&self, name: &str, what: &str) -> Result<Value> {
        let Some(reader) = self.open(name)? else { bail!("the image has no {name} ({what})") };
        let mut bytes = Vec::new();
        reader
            .take(METADATA_LIMIT + 1)
            .read_to_end(&mut bytes)
            .with_context(|| format!("reading {name} ({what})"))?;
        if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > METADATA_LIMIT {
            bail!("{name} ({what}) is over {} MiB: not image metadata", METADATA_LIMIT >> 20);
        }
        serde_json::from_slice(&bytes).with_context(|| format!("{name} ({what}) is not valid JSON"))
    }
}

/// `target` read from directory `base` of an archive, or none when it climbs out of it.
pub(super) fn resolve_relative(base: &str, target: &str) -> Option<String> {
    let mut parts: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        base.split('/').filter(|p| !p.is_empty()).collect()
    };
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}
