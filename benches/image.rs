//! End to end: `zoomguard scan --image` on a ~200 MB image of ordinary files (2,000 files of
//! ~100 KB of source-like text, no secret), next to `tar -xOf` reading the same layer to
//! `/dev/null`: the least work any tool does to see every file of it (issue 14).
//!
//! Two copies of the image: a docker-archive with its layer uncompressed (as `docker save`
//! writes it) against `tar -xOf layer.tar`, and an OCI layout with the layer gzip-compressed
//! (as registries and `skopeo` keep it) against `tar -xzOf layer.tar.gz`. They are made once,
//! in `ZG_BENCH_DIR` when that is set, else under the target directory, and kept.
//!
//! Run with `cargo bench --bench image` (`-- gzip` for one case); CI only builds it.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use criterion::{criterion_group, criterion_main, Criterion};
use sha2::{Digest, Sha256};

/// Files in the layer, and lines of about 100 bytes in each.
const FILES: usize = 2_000;
const LINES: usize = 1_000;

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// One ordinary source file: code-like lines, different in every file, no Zoom keyword.
fn source_file(file: usize) -> Vec<u8> {
    let mut text = String::with_capacity(LINES * 100);
    for line in 0..LINES {
        let n = file * LINES + line;
        text.push_str(&format!(
            "    let value_{n} = compute(input[{}], offset + {}, \"label {}\"); // step {line} of the loop\n",
            n % 977,
            n % 8191,
            n.wrapping_mul(2_654_435_761) % 1_000_003
        ));
    }
    text.into_bytes()
}

/// Writes the layer tar, and returns its SHA-256.
fn write_layer(path: &Path) -> String {
    let mut builder = tar::Builder::new(BufWriter::new(File::create(path).expect("create the layer")));
    for file in 0..FILES {
        let bytes = source_file(file);
        let mut header = tar::Header::new_gnu();
        header.set_size(u64::try_from(bytes.len()).expect("a small file"));
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(
                &mut header,
                format!("srv/app/src/module_{}/file_{file}.rs", file / 50),
                bytes.as_slice(),
            )
            .expect("append a file");
    }
    builder.into_inner().expect("finish the layer").flush().expect("write the layer");
    hex(&Sha256::digest(fs::read(path).expect("read the layer")))
}

fn write_blob(dir: &Path, bytes: &[u8]) -> String {
    let digest = hex(&Sha256::digest(bytes));
    fs::write(dir.join(&digest), bytes).expect("write a blob");
    digest
}

/// The image's config, naming the layer's uncompressed digest.
fn config(diff_id: &str) -> Vec<u8> {
    format!(
        "{{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{{\"Env\":[\"PATH=/usr/bin\"],\
         \"Cmd\":[\"/srv/app/server\"]}},\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[\"sha256:{diff_id}\"]}},\
         \"history\":[{{\"created_by\":\"COPY . /srv/app\"}}]}}"
    )
    .into_bytes()
}

/// Makes the two images once: `<dir>/docker-archive.tar` (and its `layer.tar`) and
/// `<dir>/oci` (and its `layer.tar.gz`).
fn images(dir: &Path) {
    if dir.join("done").exists() {
        return;
    }
    fs::create_dir_all(dir).expect("the benchmark directory");
    let layer = dir.join("layer.tar");
    let diff_id = write_layer(&layer);
    let config = config(&diff_id);
    let config_digest = hex(&Sha256::digest(&config));

    // docker-archive: the layer as is, named by its digest, as skopeo and podman name it.
    let manifest = format!(
        "[{{\"Config\":\"{config_digest}.json\",\"RepoTags\":[\"bench:latest\"],\"Layers\":[\"{diff_id}.tar\"]}}]"
    );
    let mut archive = tar::Builder::new(BufWriter::new(
        File::create(dir.join("docker-archive.tar")).expect("create the archive"),
    ));
    archive.append_path_with_name(&layer, format!("{diff_id}.tar")).expect("add the layer");
    for (name, bytes) in
        [(format!("{config_digest}.json"), config.clone()), ("manifest.json".into(), manifest.into_bytes())]
    {
        let mut header = tar::Header::new_gnu();
        header.set_size(u64::try_from(bytes.len()).expect("small"));
        header.set_mode(0o644);
        header.set_cksum();
        archive.append_data(&mut header, name, bytes.as_slice()).expect("add a member");
    }
    archive.into_inner().expect("finish the archive").flush().expect("write the archive");

    // OCI layout: the layer gzip-compressed.
    let oci = dir.join("oci");
    let blobs = oci.join("blobs").join("sha256");
    fs::create_dir_all(&blobs).expect("the blobs directory");
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gzip.write_all(&fs::read(&layer).expect("read the layer")).expect("compress the layer");
    let compressed = gzip.finish().expect("compress the layer");
    fs::write(dir.join("layer.tar.gz"), &compressed).expect("write the compressed layer");
    let layer_digest = write_blob(&blobs, &compressed);
    let config_digest = write_blob(&blobs, &config);
    let manifest = format!(
        "{{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\
         \"config\":{{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:{config_digest}\",\"size\":{}}},\
         \"layers\":[{{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:{layer_digest}\",\"size\":{}}}]}}",
        config.len(),
        compressed.len()
    );
    let manifest_digest = write_blob(&blobs, manifest.as_bytes());
    fs::write(oci.join("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}").expect("write oci-layout");
    let index = format!(
        "{{\"schemaVersion\":2,\"manifests\":[{{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\
         \"digest\":\"sha256:{manifest_digest}\",\"size\":{},\"annotations\":{{\"org.opencontainers.image.ref.name\":\"latest\"}}}}]}}",
        manifest.len()
    );
    fs::write(oci.join("index.json"), index).expect("write index.json");
    fs::write(dir.join("done"), "").expect("mark the images made");
}

/// Runs `program args` with its output thrown away, and checks that it succeeds.
fn run(program: &str, args: &[&Path]) {
    let status = Command::new(program).args(args).stdout(Stdio::null()).status().expect("the command starts");
    assert!(status.success(), "{program} {args:?} failed");
}

fn image(c: &mut Criterion) {
    let dir = std::env::var_os("ZG_BENCH_DIR")
        .map_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-image"), PathBuf::from);
    images(&dir);
    let zoomguard = env!("CARGO_BIN_EXE_zoomguard");
    let scan = Path::new("scan");
    let flag = Path::new("--image");
    for (case, image, reader, flags) in [
        ("plain", dir.join("docker-archive.tar"), dir.join("layer.tar"), "-xOf"),
        ("gzip", dir.join("oci"), dir.join("layer.tar.gz"), "-xzOf"),
    ] {
        let mut group = c.benchmark_group(format!("image/{case}"));
        group.sample_size(10);
        group.bench_function(format!("tar {flags}"), |b| b.iter(|| run("tar", &[Path::new(flags), &reader])));
        group.bench_function("zoomguard scan --image", |b| b.iter(|| run(zoomguard, &[scan, flag, &image])));
        group.finish();
    }
}

criterion_group!(benches, image);
criterion_main!(benches);
