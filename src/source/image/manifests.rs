//! Which images a file holds: the entries of a docker save `manifest.json`, or the manifests an
//! OCI `index.json` names (nested indexes followed to a bound), each with its config, its
//! layers and its platform, narrowed to the one `--platform` asks for and given a name.

use std::sync::Arc;

use anyhow::{anyhow, bail, Result};
use serde_json::Value;

use super::store::Store;
use super::{normalize, Image, ImageInfo, Layer, INDEX_TYPES, MAX_INDEX_DEPTH};

/// `os/arch[/variant]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Platform {
    os: String,
    arch: String,
    variant: Option<String>,
}

impl Platform {
    pub(super) fn parse(text: &str) -> Result<Platform> {
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
    pub(super) fn of(value: &Value) -> Option<Platform> {
        let field = |name: &str| value.get(name).and_then(Value::as_str).filter(|s| !s.is_empty());
        Some(Platform {
            os: field("os")?.to_owned(),
            arch: field("architecture")?.to_owned(),
            variant: field("variant").map(str::to_owned),
        })
    }

    /// Whether `self`, as `--platform` gave it, picks `other`: a variant left out picks any.
    pub(super) fn picks(&self, other: &Platform) -> bool {
        self.os == other.os
            && self.arch == other.arch
            && self.variant.as_ref().is_none_or(|v| other.variant.as_ref() == Some(v))
    }

    pub(super) fn name(&self) -> String {
        match &self.variant {
            Some(variant) => format!("{}/{}/{variant}", self.os, self.arch),
            None => format!("{}/{}", self.os, self.arch),
        }
    }
}

/// An image found in the file, before it is named.
pub(super) struct UnnamedImage {
    name: Option<String>,
    platform: Option<Platform>,
    manifest: Option<String>,
    config_digest: Option<String>,
    config: Value,
    layers: Vec<(Option<String>, String)>,
}

/// The images of a `docker save` archive: one per entry of `manifest.json`.
pub(super) fn docker_images(store: &Store) -> Result<Vec<UnnamedImage>> {
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
        found.push(UnnamedImage {
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
pub(super) fn digest_in_name(name: &str) -> Option<String> {
    let hex = |s: &str| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
    if let Some(rest) = name.strip_prefix("blobs/sha256/") {
        return hex(rest).then(|| format!("sha256:{rest}"));
    }
    let stem = name.strip_suffix(".tar").or_else(|| name.strip_suffix(".json"))?;
    hex(stem).then(|| format!("sha256:{stem}"))
}

/// The path of the blob a digest names in an OCI layout, checked to be a digest (so that it
/// cannot name a path outside `blobs/`).
pub(super) fn blob_path(digest: &str) -> Result<String> {
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
pub(super) fn oci_images(store: &Store, skipped: &mut Vec<String>) -> Result<Vec<UnnamedImage>> {
    let index = store.read_json("index.json", "the OCI image index")?;
    let mut found = Vec::new();
    walk_index(store, &index, "index.json", None, 0, &mut found, skipped)?;
    Ok(found)
}

pub(super) fn walk_index(
    store: &Store,
    index: &Value,
    where_: &str,
    name: Option<&str>,
    depth: usize,
    found: &mut Vec<UnnamedImage>,
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
        found.push(UnnamedImage {
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
pub(super) fn choose_platform(
    found: Vec<UnnamedImage>,
    wanted: Option<&Platform>,
) -> Result<Vec<UnnamedImage>> {
    if found.is_empty() {
        bail!("the file holds no image");
    }
    let Some(wanted) = wanted else { return Ok(found) };
    let available: Vec<String> = found
        .iter()
        .map(|f| f.platform.as_ref().map_or_else(|| "unknown".to_owned(), Platform::name))
        .collect();
    let picked: Vec<UnnamedImage> =
        found.into_iter().filter(|f| f.platform.as_ref().is_some_and(|p| wanted.picks(p))).collect();
    if picked.is_empty() {
        bail!("no image for --platform {}; the file has: {}", wanted.name(), available.join(", "));
    }
    Ok(picked)
}

/// Names each image: its tag, else its short config (or manifest) digest; with its platform
/// (and then its manifest digest) when that is not enough to tell two apart.
pub(super) fn name_images(found: Vec<UnnamedImage>) -> Vec<Image> {
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
