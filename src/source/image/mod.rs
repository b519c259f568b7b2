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

use std::io::{self, BufReader, Read};
use std::path::Path;
use std::sync::Arc;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::files::add_text;
use super::Collected;
use crate::change::{ImageInfo, ImagePart, ImagePlace};
use manifests::{choose_platform, docker_images, name_images, oci_images, Platform};
use store::{decompress, Store};

mod manifests;
mod store;

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

#[cfg(test)]
mod tests {
    use super::manifests::{blob_path, digest_in_name};
    use super::store::resolve_relative;
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
