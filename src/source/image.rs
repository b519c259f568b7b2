//! Container images on disk (`zoomguard scan --image PATH`), read without a container engine.
//!
//! A secret copied into an image (`COPY . .` with an `.env`, an `ENV ZOOM_CLIENT_SECRET=…`
//! line) reaches everyone who pulls it, even when a later layer deletes the file: every layer
//! ships whole. This source reads the three formats tools write: a `docker save` / `podman
//! save` archive (`manifest.json`), an OCI image layout directory (`oci-layout`,
//! `index.json`, `blobs/`) and the same layout inside a tar (an OCI archive), told apart by
//! what they hold, not by their names. It hands over every regular file of every layer, and
//! the parts of each image's config where Dockerfile lines land (`Env`, `Labels`,
//! `Entrypoint`, `Cmd`, `OnBuild`, `history[].created_by`) as small texts.
//!
//! Layers are streamed: an archive is indexed once (headers only) and each layer is then
//! read from its place in the file, decompressed (gzip or zstd, recognised by their magic
//! bytes, whatever the media type says) and parsed as a tar stream one entry at a time, so
//! memory holds one file per thread, never a layer or the image. Paths inside a layer are
//! data only: nothing is ever written to disk, links are not followed (symbolic and hard
//! links are not files to scan), and a size in a header never sizes an allocation beyond
//! the largest file scanned.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::files::add_text;
use super::Collected;
use crate::change::{ImageInfo, ImagePart, ImagePlace};

/// The largest index, manifest or config read: they are small JSON documents.
const METADATA_LIMIT: u64 = 16 * 1024 * 1024;

/// How deep indexes may nest (an index of indexes of manifests is two).
const MAX_INDEX_DEPTH: usize = 8;

/// How many links inside an archive are followed to reach a member (`docker save` links
/// each `<id>/layer.tar` to the blob).
const MAX_LINK_HOPS: usize = 16;

/// The media type of an OCI index and of a Docker manifest list.
const INDEX_TYPES: [&str; 2] =
    ["application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"];

/// The format of an image file, found from what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `docker save` / `podman save` / `skopeo copy … docker-archive:`: `manifest.json` in a tar.
    DockerArchive,
    /// An OCI image layout directory.
    OciLayout,
    /// An OCI image layout in a tar (`skopeo copy … oci-archive:`).
    OciArchive,
}

impl Format {
    /// Its name in messages.
    pub fn name(self) -> &'static str {
        match self {
            Format::DockerArchive => "docker-archive",
            Format::OciLayout => "OCI image layout",
            Format::OciArchive => "OCI archive",
        }
    }
}

/// An image file, opened: where its blobs are, and the images it holds.
pub struct ImageFile {
    store: Store,
    /// What kind of file it is.
    pub format: Format,
    /// Its images, with the `--platform` choice applied.
    pub images: Vec<Image>,
    /// Manifests passed over, and why (build attestations, artifacts that are not images).
    pub skipped: Vec<String>,
}

/// One image of the file.
pub struct Image {
    /// How reports name it.
    pub info: Arc<ImageInfo>,
    /// Its config document.
    config: Value,
    /// Its layers, base first.
    pub layers: Vec<Layer>,
}

/// One layer of an image.
pub struct Layer {
    /// Its place, from 1.
    pub index: usize,
    /// The digest of its blob, when known.
    pub digest: Option<String>,
    /// The digest of its uncompressed tar, from the config.
    pub diff_id: Option<String>,
    /// Where its blob is in the file.
    blob: String,
    /// The SHA-256 its blob must have, when the manifest (or the archive's member name) says.
    expected_sha256: Option<String>,
}

/// What a later layer deletes: a whiteout (`dir/.wh.name`) or an opaque directory
/// (`dir/.wh..wh..opq`, `name` none), which hides everything lower layers put in `dir`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Whiteout {
    /// The directory, `""` for the root.
    pub dir: String,
    /// The deleted name, or none for an opaque directory.
    pub name: Option<String>,
}

impl Whiteout {
    /// Whether this deletes `path` (a file of a lower layer).
    pub fn hides(&self, path: &str) -> bool {
        let within = |dir: &str| dir.is_empty() || path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'));
        match &self.name {
            None => within(&self.dir),
            Some(name) => {
                let deleted = join(&self.dir, name);
                path == deleted || within(&deleted)
            }
        }
    }
}

/// Opens the image file or directory at `path`, keeping the images of `platform`
/// (`os/arch[/variant]`) when one is given.
pub fn open(path: &Path, platform: Option<&str>) -> Result<ImageFile> {
    let wanted = platform.map(Platform::parse).transpose()?;
    let metadata = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?;
    let (store, format) = if metadata.is_dir() {
        if !path.join("oci-layout").is_file() {
            bail!(
                "{} is a directory but not an OCI image layout (it has no oci-layout file); \
                 give a docker save archive, an OCI archive or an OCI layout directory",
                path.display()
            );
        }
        (Store::Dir(path.to_path_buf()), Format::OciLayout)
    } else {
        let store = Store::index_archive(path)?;
        let format = if store.has("oci-layout") && store.has("index.json") {
            Format::OciArchive
        } else if store.has("manifest.json") {
            Format::DockerArchive
        } else {
            bail!(
                "{} is a tar archive but not a container image: it has neither manifest.json \
                 (docker save) nor oci-layout and index.json (an OCI archive)",
                path.display()
            );
        };
        (store, format)
    };
    let mut skipped = Vec::new();
    let found = match format {
        Format::DockerArchive => docker_images(&store)?,
        Format::OciLayout | Format::OciArchive => oci_images(&store, &mut skipped)?,
    };
    let found = choose_platform(found, wanted.as_ref())?;
    let images = name_images(found);
    Ok(ImageFile { store, format, images, skipped })
}

impl ImageFile {
    /// Hands over the parts of `image`'s config where Dockerfile lines land, each as a small
    /// text named `<image>/config/<field>` whose every line counts.
    pub fn config_texts(
        &self,
        image: &Image,
        max_file_size: u64,
        emit: &mut dyn FnMut(Collected, ImagePlace),
    ) {
        let inner = image.config.get("config");
        let strings = |value: Option<&Value>| -> Vec<String> {
            match value {
                Some(Value::Array(items)) => items.iter().map(text_of).collect(),
                Some(Value::String(text)) => vec![text.clone()],
                _ => Vec::new(),
            }
        };
        let env = strings(inner.and_then(|c| c.get("Env")));
        let labels = match inner.and_then(|c| c.get("Labels")) {
            Some(Value::Object(labels)) => {
                labels.iter().map(|(k, v)| format!("{k}={}", text_of(v))).collect()
            }
            _ => Vec::new(),
        };
        // A command is one line, its arguments joined as a shell would show them.
        let command = |field: &str| -> Vec<String> {
            let words = strings(inner.and_then(|c| c.get(field)));
            if words.is_empty() {
                Vec::new()
            } else {
                vec![words.join(" ")]
            }
        };
        let on_build = strings(inner.and_then(|c| c.get("OnBuild")));
        let history: Vec<String> = match image.config.get("history") {
            Some(Value::Array(steps)) => {
                steps.iter().map(|step| step.get("created_by").map(text_of).unwrap_or_default()).collect()
            }
            _ => Vec::new(),
        };
        for (field, lines) in [
            ("Env", env),
            ("Labels", labels),
            ("Entrypoint", command("Entrypoint")),
            ("Cmd", command("Cmd")),
            ("OnBuild", on_build),
            ("history", history),
        ] {
            if lines.iter().all(String::is_empty) {
                continue;
            }
            let mut text = lines.join("\n");
            text.push('\n');
            let shown = format!("{}/config/{field}", image.info.name);
            let mut collected = Collected::with_max_file_size(max_file_size);
            if u64::try_from(text.len()).unwrap_or(u64::MAX) > max_file_size {
                collected.too_large.push(shown);
            } else {
                add_text(&mut collected, shown, text.into_bytes());
            }
            emit(collected, ImagePlace { image: image.info.clone(), part: ImagePart::Config { field } });
        }
    }

    /// Streams `layer` of `image` and hands over each regular file as a text named
    /// `<image>/layer-<n>/<path>` (a file over `max_file_size`, binary or not decodable is
    /// only named, as elsewhere). Returns what the layer deletes from the layers below it.
    pub fn stream_layer(
        &self,
        image: &Image,
        layer: &Layer,
        max_file_size: u64,
        emit: &mut dyn FnMut(Collected, ImagePlace),
    ) -> Result<Vec<Whiteout>> {
        let what = || {
            format!(
                "reading layer {} ({}) of {}",
                layer.index,
                layer.digest.as_deref().unwrap_or(&layer.blob),
                image.info.name
            )
        };
        let blob = self
            .store
            .open(&layer.blob)?
            .ok_or_else(|| {
                anyhow!("the file holds no {}, which {} names as a layer", layer.blob, image.info.name)
            })
            .with_context(what)?;
        let mut hashing = Hashing { inner: blob, hasher: Sha256::new() };
        let reader =
            decompress(BufReader::with_capacity(256 * 1024, Box::new(&mut hashing))).with_context(what)?;
        let mut archive = tar::Archive::new(reader);
        let mut whiteouts = Vec::new();
        let width = image.layers.len().to_string().len();
        for entry in archive.entries().with_context(what)? {
            let mut entry = entry.with_context(what)?;
            let path = normalize(&entry.path_bytes());
            // A whiteout is an empty file by the spec; whatever its type, its name deletes.
            if let Some(whiteout) = whiteout(&path) {
                whiteouts.push(whiteout);
                continue;
            }
            let kind = entry.header().entry_type();
            if !(kind.is_file() || kind.is_contiguous() || kind.is_gnu_sparse()) {
                continue; // directories, links, devices: nothing to read
            }
            if path.rsplit('/').next().is_some_and(|name| name.starts_with(".wh..wh.")) {
                continue; // aufs bookkeeping (.wh..wh.plnk, .wh..wh.aufs), not a file of the image
            }
            let shown = format!("{}/layer-{:0width$}/{path}", image.info.name, layer.index);
            let place = ImagePlace {
                image: image.info.clone(),
                part: ImagePart::Layer {
                    index: layer.index,
                    digest: layer.digest.clone(),
                    diff_id: layer.diff_id.clone(),
                    path,
                    deleted_by: None,
                },
            };
            let mut collected = Collected::with_max_file_size(max_file_size);
            if entry.size() > max_file_size {
                collected.too_large.push(shown);
                emit(collected, place);
                continue;
            }
            // The header's size is at most the limit here, but it is only a claim: the buffer
            // starts at most at 16 MiB and grows with what is really read, which is capped by
            // the limit too (a sparse entry expands beyond its stored size).
            let claimed = entry.size().min(16 * 1024 * 1024);
            let mut bytes = Vec::with_capacity(usize::try_from(claimed).unwrap_or(0));
            (&mut entry)
                .take(max_file_size.saturating_add(1))
                .read_to_end(&mut bytes)
                .with_context(|| format!("reading {shown}"))
                .with_context(what)?;
            if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > max_file_size {
                collected.too_large.push(shown);
            } else {
                add_text(&mut collected, shown, bytes);
            }
            emit(collected, place);
        }
        // What follows the tar's end (padding, a gzip trailer) is read too, so that a damaged
        // stream fails its checksum rather than pass unseen; then the blob's digest is checked.
        io::copy(&mut archive.into_inner(), &mut io::sink()).with_context(what)?;
        if let Some(expected) = &layer.expected_sha256 {
            let actual: String = hashing.hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
            if actual != *expected {
                return Err(anyhow!(
                    "its content does not match its digest (it is sha256:{actual}): the file is damaged"
                ))
                .with_context(what);
            }
        }
        Ok(whiteouts)
    }
}

/// A reader that hashes what passes through it (a layer's blob, to check its digest).
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.hasher.update(&buf[..read]);
        Ok(read)
    }
}

/// The first layer above `index` of `layers_whiteouts` (each layer's whiteouts, from layer 1)
/// that deletes `path`.
pub fn deleted_by(layers_whiteouts: &[Vec<Whiteout>], index: usize, path: &str) -> Option<usize> {
    layers_whiteouts
        .iter()
        .enumerate()
        .skip(index)
        .find(|(_, whiteouts)| whiteouts.iter().any(|w| w.hides(path)))
        .map(|(at, _)| at + 1)
}

/// A whiteout, if `path` (normalised) is one.
fn whiteout(path: &str) -> Option<Whiteout> {
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    let deleted = name.strip_prefix(".wh.")?;
    if deleted == ".wh..opq" {
        return Some(Whiteout { dir: dir.to_owned(), name: None });
    }
    if deleted.starts_with(".wh.") || deleted.is_empty() {
        return None;
    }
    Some(Whiteout { dir: dir.to_owned(), name: Some(deleted.to_owned()) })
}

/// A tar entry's path as text: lossy UTF-8, without `./` or a leading or trailing `/`, and
/// without empty or `.` components. `..` stays as it is: the path is never opened.
fn normalize(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    text.split('/').filter(|part| !part.is_empty() && *part != ".").collect::<Vec<_>>().join("/")
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

/// A JSON value as text: a string as it is, anything else as JSON.
fn text_of(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// A layer's bytes, decompressed according to their first bytes: gzip, zstd, or a plain tar.
/// (A file's first read fills the buffer, so its first bytes are all there.)
fn decompress<'a>(mut reader: BufReader<Box<dyn Read + Send + 'a>>) -> Result<Box<dyn Read + 'a>> {
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
struct ZstdFrames<R: BufRead> {
    source: R,
    decoder: ruzstd::decoding::FrameDecoder,
    in_frame: bool,
}

impl<R: BufRead> ZstdFrames<R> {
    fn new(source: R) -> Self {
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
enum Store {
    /// An OCI image layout directory: blobs are files under it.
    Dir(PathBuf),
    /// A tar archive: where each member's data lies in the file (never extracted).
    Archive { file: PathBuf, members: HashMap<String, Member> },
}

/// A member of an archive.
#[derive(Debug, Clone)]
enum Member {
    /// A file's data, at this offset of the archive.
    Data { offset: u64, size: u64 },
    /// A symbolic or hard link to another member (a path inside the archive).
    Link(String),
}

impl Store {
    /// Reads the headers of the archive at `path` (seeking over the data) and notes where
    /// each member's data is.
    fn index_archive(path: &Path) -> Result<Store> {
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
    fn has(&self, name: &str) -> bool {
        match self {
            Store::Dir(root) => root.join(name).is_file(),
            Store::Archive { .. } => self.member(name).is_some(),
        }
    }

    /// The data of `name` in an archive, following links.
    fn member(&self, name: &str) -> Option<(u64, u64)> {
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
    fn open(&self, name: &str) -> Result<Option<Box<dyn Read + Send>>> {
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
    fn read_json(&self, name: &str, what: &str) -> Result<Value> {
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
fn resolve_relative(base: &str, target: &str) -> Option<String> {
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

/// `os/arch[/variant]`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Platform {
    os: String,
    arch: String,
    variant: Option<String>,
}

impl Platform {
    fn parse(text: &str) -> Result<Platform> {
        let parts: Vec<&str> = text.split('/').collect();
        match parts.as_slice() {
            [os, arch] if !os.is_empty() && !arch.is_empty() => {
                Ok(Platform { os: (*os).to_owned(), arch: (*arch).to_owned(), variant: None })
            }
            [os, arch, variant] if !os.is_empty() && !arch.is_empty() && !variant.is_empty() => {
                Ok(Platform {
                    os: (*os).to_owned(),
                    arch: (*arch).to_owned(),
                    variant: Some((*variant).to_owned()),
                })
            }
            _ => bail!("--platform {text:?}: expected os/arch or os/arch/variant, e.g. linux/amd64"),
        }
    }

    /// The platform a descriptor's `platform`, or a config, names (`architecture`, `os`, `variant`).
    fn of(value: &Value) -> Option<Platform> {
        let field = |name: &str| value.get(name).and_then(Value::as_str).filter(|s| !s.is_empty());
        Some(Platform {
            os: field("os")?.to_owned(),
            arch: field("architecture")?.to_owned(),
            variant: field("variant").map(str::to_owned),
        })
    }

    /// Whether `self`, as `--platform` gave it, picks `other`: a variant left out picks any.
    fn picks(&self, other: &Platform) -> bool {
        self.os == other.os
            && self.arch == other.arch
            && self.variant.as_ref().is_none_or(|v| other.variant.as_ref() == Some(v))
    }

    fn name(&self) -> String {
        match &self.variant {
            Some(variant) => format!("{}/{}/{variant}", self.os, self.arch),
            None => format!("{}/{}", self.os, self.arch),
        }
    }
}

/// An image found in the file, before it is named.
struct Found {
    name: Option<String>,
    platform: Option<Platform>,
    manifest: Option<String>,
    config_digest: Option<String>,
    config: Value,
    layers: Vec<(Option<String>, String)>,
}

/// The images of a `docker save` archive: one per entry of `manifest.json`.
fn docker_images(store: &Store) -> Result<Vec<Found>> {
    let manifest = store.read_json("manifest.json", "the docker save manifest")?;
    let Some(entries) = manifest.as_array() else {
        bail!("manifest.json is not a list of images (a docker save manifest)");
    };
    let mut found = Vec::new();
    for (at, entry) in entries.iter().enumerate() {
        let Some(config_name) = entry.get("Config").and_then(Value::as_str) else {
            bail!("manifest.json: image {} names no Config", at + 1);
        };
        let config_name = normalize(config_name.as_bytes());
        let config = store.read_json(&config_name, "an image config")?;
        let Some(layers) = entry.get("Layers").and_then(Value::as_array) else {
            bail!("manifest.json: image {} names no Layers", at + 1);
        };
        let layers = layers
            .iter()
            .map(|layer| {
                let name = layer.as_str().ok_or_else(|| anyhow!("manifest.json: a layer is not a path"))?;
                let name = normalize(name.as_bytes());
                Ok((digest_in_name(&name), name))
            })
            .collect::<Result<Vec<_>>>()?;
        found.push(Found {
            name: entry
                .get("RepoTags")
                .and_then(Value::as_array)
                .and_then(|tags| tags.first())
                .and_then(Value::as_str)
                .map(str::to_owned),
            platform: Platform::of(&config),
            manifest: None,
            config_digest: digest_in_name(&config_name),
            config,
            layers,
        });
    }
    Ok(found)
}

/// The digest a member's name carries: `<hex>.tar`, `<hex>.json` (skopeo, podman) or
/// `blobs/sha256/<hex>` (docker 25 and later).
fn digest_in_name(name: &str) -> Option<String> {
    let hex = |s: &str| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
    if let Some(rest) = name.strip_prefix("blobs/sha256/") {
        return hex(rest).then(|| format!("sha256:{rest}"));
    }
    let stem = name.strip_suffix(".tar").or_else(|| name.strip_suffix(".json"))?;
    hex(stem).then(|| format!("sha256:{stem}"))
}

/// The path of the blob a digest names in an OCI layout, checked to be a digest (so that it
/// cannot name a path outside `blobs/`).
fn blob_path(digest: &str) -> Result<String> {
    let valid = digest.split_once(':').filter(|(algorithm, encoded)| {
        !algorithm.is_empty()
            && !encoded.is_empty()
            && algorithm.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"+._-".contains(&b))
            && encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"=_-".contains(&b))
    });
    match valid {
        Some((algorithm, encoded)) => Ok(format!("blobs/{algorithm}/{encoded}")),
        None => bail!("{digest:?} is not a digest"),
    }
}

/// The images an OCI layout's `index.json` names, through nested indexes.
fn oci_images(store: &Store, skipped: &mut Vec<String>) -> Result<Vec<Found>> {
    let index = store.read_json("index.json", "the OCI image index")?;
    let mut found = Vec::new();
    walk_index(store, &index, "index.json", None, 0, &mut found, skipped)?;
    Ok(found)
}

fn walk_index(
    store: &Store,
    index: &Value,
    where_: &str,
    name: Option<&str>,
    depth: usize,
    found: &mut Vec<Found>,
    skipped: &mut Vec<String>,
) -> Result<()> {
    if depth > MAX_INDEX_DEPTH {
        bail!("{where_}: image indexes nest more than {MAX_INDEX_DEPTH} deep");
    }
    let Some(manifests) = index.get("manifests").and_then(Value::as_array) else {
        bail!("{where_} is not an image index: it has no manifests list");
    };
    for descriptor in manifests {
        let Some(digest) = descriptor.get("digest").and_then(Value::as_str) else {
            bail!("{where_}: a manifest has no digest");
        };
        let annotation =
            |key: &str| descriptor.get("annotations").and_then(|a| a.get(key)).and_then(Value::as_str);
        if annotation("vnd.docker.reference.type") == Some("attestation-manifest") {
            skipped.push(format!("{digest} (a build attestation, not an image)"));
            continue;
        }
        let name = annotation("io.containerd.image.name")
            .or_else(|| annotation("org.opencontainers.image.ref.name"))
            .or(name);
        let path = blob_path(digest)?;
        let document = store.read_json(&path, "an image manifest or index")?;
        let media_type = descriptor.get("mediaType").and_then(Value::as_str);
        let nested = media_type.is_some_and(|t| INDEX_TYPES.contains(&t))
            || (media_type.is_none() && document.get("manifests").is_some());
        if nested {
            walk_index(store, &document, digest, name, depth + 1, found, skipped)?;
            continue;
        }
        let Some(config) = document.get("config") else {
            bail!("{digest} is neither an image index nor an image manifest");
        };
        let config_type = config.get("mediaType").and_then(Value::as_str).unwrap_or_default();
        let is_image = config_type.is_empty()
            || config_type == "application/vnd.oci.image.config.v1+json"
            || config_type == "application/vnd.docker.container.image.v1+json";
        if !is_image {
            skipped.push(format!("{digest} (an artifact of type {config_type}, not an image)"));
            continue;
        }
        let Some(config_digest) = config.get("digest").and_then(Value::as_str) else {
            bail!("{digest}: the manifest's config has no digest");
        };
        let config_document = store.read_json(&blob_path(config_digest)?, "an image config")?;
        let Some(layers) = document.get("layers").and_then(Value::as_array) else {
            bail!("{digest}: the manifest has no layers list");
        };
        let layers = layers
            .iter()
            .map(|layer| {
                let digest = layer
                    .get("digest")
                    .and_then(Value::as_str)
                    .ok_or_else(|| anyhow!("{digest}: a layer has no digest"))?;
                Ok((Some(digest.to_owned()), blob_path(digest)?))
            })
            .collect::<Result<Vec<_>>>()?;
        found.push(Found {
            name: name.map(str::to_owned),
            platform: descriptor
                .get("platform")
                .and_then(Platform::of)
                .or_else(|| Platform::of(&config_document)),
            manifest: Some(digest.to_owned()),
            config_digest: Some(config_digest.to_owned()),
            config: config_document,
            layers,
        });
    }
    Ok(())
}

/// The images `wanted` picks (all of them without a choice); none is an error.
fn choose_platform(found: Vec<Found>, wanted: Option<&Platform>) -> Result<Vec<Found>> {
    if found.is_empty() {
        bail!("the file holds no image");
    }
    let Some(wanted) = wanted else { return Ok(found) };
    let available: Vec<String> = found
        .iter()
        .map(|f| f.platform.as_ref().map_or_else(|| "unknown".to_owned(), Platform::name))
        .collect();
    let picked: Vec<Found> =
        found.into_iter().filter(|f| f.platform.as_ref().is_some_and(|p| wanted.picks(p))).collect();
    if picked.is_empty() {
        bail!("no image for --platform {}; the file has: {}", wanted.name(), available.join(", "));
    }
    Ok(picked)
}

/// Names each image: its tag, else its short config (or manifest) digest; with its platform
/// (and then its manifest digest) when that is not enough to tell two apart.
fn name_images(found: Vec<Found>) -> Vec<Image> {
    let short = |digest: &str| digest.get(..19).unwrap_or(digest).to_owned();
    let base: Vec<String> = found
        .iter()
        .map(|f| {
            f.name
                .clone()
                .or_else(|| f.config_digest.as_deref().map(short))
                .or_else(|| f.manifest.as_deref().map(short))
                .unwrap_or_else(|| "image".to_owned())
        })
        .collect();
    let with_platform: Vec<String> = found
        .iter()
        .zip(&base)
        .map(|(f, name)| match (&f.platform, base.iter().filter(|b| *b == name).count()) {
            (Some(platform), 2..) => format!("{name}[{}]", platform.name()),
            _ => name.clone(),
        })
        .collect();
    found
        .into_iter()
        .zip(with_platform.iter())
        .map(|(f, name)| {
            let name = match (&f.manifest, with_platform.iter().filter(|n| *n == name).count()) {
                (Some(manifest), 2..) => format!("{name}@{}", short(manifest)),
                _ => name.clone(),
            };
            let diff_ids: Vec<Option<String>> = match f.config.get("rootfs").and_then(|r| r.get("diff_ids")) {
                Some(Value::Array(ids)) => ids.iter().map(|id| id.as_str().map(str::to_owned)).collect(),
                _ => Vec::new(),
            };
            let layers: Vec<Layer> = f
                .layers
                .into_iter()
                .enumerate()
                .map(|(at, (digest, blob))| Layer {
                    index: at + 1,
                    diff_id: diff_ids.get(at).cloned().flatten(),
                    expected_sha256: digest
                        .as_deref()
                        .and_then(|d| d.strip_prefix("sha256:"))
                        .map(str::to_owned),
                    digest: digest.or_else(|| diff_ids.get(at).cloned().flatten()),
                    blob,
                })
                .collect();
            Image {
                info: Arc::new(ImageInfo {
                    name,
                    platform: f.platform.as_ref().map(Platform::name),
                    manifest: f.manifest,
                    config: f.config_digest,
                    layers: layers.len(),
                }),
                config: f.config,
                layers,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whiteouts_hide_what_they_name() {
        let file = whiteout("app/.wh..env").expect("a whiteout");
        assert_eq!(file, Whiteout { dir: "app".into(), name: Some(".env".into()) });
        assert!(file.hides("app/.env"));
        assert!(!file.hides("app/.env.local") && !file.hides(".env"));
        let dir = whiteout(".wh.app").expect("a whiteout");
        assert!(dir.hides("app/.env") && dir.hides("app") && !dir.hides("application/x"));
        let opaque = whiteout("srv/.wh..wh..opq").expect("an opaque directory");
        assert_eq!(opaque.name, None);
        assert!(opaque.hides("srv/a/b") && !opaque.hides("srv") && !opaque.hides("srvx/a"));
        assert_eq!(whiteout("app/.wh..wh.plnk"), None);
        assert_eq!(whiteout("app/.env"), None);
        let layers = vec![vec![], vec![opaque], vec![file]];
        assert_eq!(deleted_by(&layers, 1, "srv/x"), Some(2));
        assert_eq!(deleted_by(&layers, 1, "app/.env"), Some(3));
        assert_eq!(
            deleted_by(&layers, 3, "app/.env"),
            None,
            "a layer's own whiteouts hide lower layers only"
        );
    }

    #[test]
    fn paths_are_normalised_and_links_stay_inside() {
        assert_eq!(normalize(b"./app//.env"), "app/.env");
        assert_eq!(normalize(b"/etc/"), "etc");
        assert_eq!(resolve_relative("abc", "../00a6.tar"), Some("00a6.tar".into()));
        assert_eq!(resolve_relative("", "../../etc/passwd"), None);
        assert_eq!(resolve_relative("a/b", "/blobs/x"), Some("blobs/x".into()));
    }

    #[test]
    fn digests_and_platforms() {
        let hex = "0".repeat(64);
        assert_eq!(blob_path(&format!("sha256:{hex}")).ok(), Some(format!("blobs/sha256/{hex}")));
        assert!(blob_path("sha256:../../x").is_err() && blob_path("nodigest").is_err());
        assert_eq!(digest_in_name(&format!("{hex}.tar")), Some(format!("sha256:{hex}")));
        assert_eq!(digest_in_name("abc/layer.tar"), None);
        let wanted = Platform::parse("linux/arm64").expect("valid");
        let v8 = Platform::parse("linux/arm64/v8").expect("valid");
        assert!(wanted.picks(&v8) && !v8.picks(&wanted));
        assert!(Platform::parse("linux").is_err() && Platform::parse("linux//x").is_err());
    }
}
