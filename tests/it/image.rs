//! `zoomguard scan --image` through the real binary, on images built by real tools: umoci
//! builds an OCI image layout (one gzip layer per step, config and history edits), and
//! skopeo copies it to a docker-archive, an OCI archive and a layout with zstd layers. The
//! tools come from Debian's packages ([`tools::image_tools`]); secrets come from
//! `zoomguard::synth`, and every test checks that none is printed in full.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{assert_never_printed, redacted, secret, Run, TestRepo, CLIENT_SECRET_RULE};
use crate::tools;

/// The tag of the image every test builds.
const TAG: &str = "app";

/// Seeds of the secrets the images hold.
const A: u64 = 0x696d_6167_6501;
const B: u64 = 0x696d_6167_6502;
const C: u64 = 0x696d_6167_6503;
const D: u64 = 0x696d_6167_6504;

/// An OCI image layout that umoci builds step by step, in a temporary directory beside a
/// repository (whose git config and `.zoomguardignore` the scans read).
struct Images {
    repo: TestRepo,
    layout: PathBuf,
}

impl Images {
    /// An image with no layer yet.
    fn new() -> Self {
        tools::image_tools();
        let repo = TestRepo::new();
        let layout = repo.root().join("layout");
        let images = Images { repo, layout };
        images.umoci(&["init", "--layout", &images.layout.display().to_string()]);
        images.umoci(&["new", "--image", &images.reference()]);
        images
    }

    /// `<layout>:app`, as umoci names the image.
    fn reference(&self) -> String {
        format!("{}:{TAG}", self.layout.display())
    }

    fn tool(&self, program: &str, args: &[&str]) -> Run {
        let mut cmd = self.repo.command_in(program, self.repo.root());
        cmd.args(args);
        let run = TestRepo::run(cmd);
        assert_eq!(run.code, 0, "{program} {} failed:\n{run}", args.join(" "));
        run
    }

    fn umoci(&self, args: &[&str]) -> Run {
        self.tool("umoci", args)
    }

    /// skopeo without a signature policy file: the copies are local.
    fn skopeo_copy(&self, args: &[&str]) {
        let mut all = vec!["--insecure-policy", "copy", "-q"];
        all.extend_from_slice(args);
        self.tool("skopeo", &all);
    }

    /// A new layer: unpacks the image, writes `files` and deletes `deleted` in its root
    /// filesystem, and repacks it (umoci records a whiteout for each deleted file).
    fn layer(&self, files: &[(&str, &str)], deleted: &[&str]) {
        let bundle = self.repo.root().join("bundle");
        let bundle_arg = bundle.display().to_string();
        self.umoci(&["unpack", "--rootless", "--image", &self.reference(), &bundle_arg]);
        let rootfs = bundle.join("rootfs");
        for (path, text) in files {
            let file = rootfs.join(path);
            fs::create_dir_all(file.parent().expect("a file lives in a directory"))
                .expect("create a directory");
            fs::write(file, text).expect("write a file of the layer");
        }
        for path in deleted {
            fs::remove_file(rootfs.join(path)).expect("delete a file of the image");
        }
        self.umoci(&["repack", "--image", &self.reference(), &bundle_arg]);
        fs::remove_dir_all(&bundle).expect("remove the bundle");
    }

    /// `umoci config` with `args` (`--config.env K=V`, `--history.created_by …`).
    fn config(&self, args: &[&str]) {
        let mut all = vec!["config", "--image"];
        let reference = self.reference();
        all.push(&reference);
        all.extend_from_slice(args);
        self.umoci(&all);
    }

    /// The image as `docker save` writes it: `manifest.json` and uncompressed layers.
    fn docker_archive(&self) -> PathBuf {
        let file = self.repo.root().join("app-docker.tar");
        self.skopeo_copy(&[
            &format!("oci:{}", self.reference()),
            &format!("docker-archive:{}:app:1.0", file.display()),
        ]);
        file
    }

    /// The image as an OCI archive: the layout in a tar.
    fn oci_archive(&self) -> PathBuf {
        let file = self.repo.root().join("app-oci.tar");
        self.skopeo_copy(&[
            &format!("oci:{}", self.reference()),
            &format!("oci-archive:{}:{TAG}", file.display()),
        ]);
        file
    }

    /// A copy of the layout whose layers are recompressed with zstd.
    fn zstd_layout(&self) -> PathBuf {
        let dir = self.repo.root().join("zstd-layout");
        self.skopeo_copy(&[
            "--dest-compress-format",
            "zstd",
            &format!("oci:{}", self.reference()),
            &format!("oci:{}:{TAG}", dir.display()),
        ]);
        dir
    }

    /// `zoomguard scan --image <image> <extra…>`.
    fn scan(&self, image: &Path, extra: &[&str]) -> Run {
        let mut args = vec!["scan".to_owned(), "--image".to_owned(), image.display().to_string()];
        args.extend(extra.iter().map(|arg| (*arg).to_owned()));
        self.repo.zoomguard(args)
    }

    /// The JSON report of a scan that finds something.
    fn json(&self, image: &Path) -> (Run, Value) {
        let run = self.scan(image, &["--format", "json"]);
        let report = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{run}"));
        (run, report)
    }
}

/// A JSON document of the layout: a blob named by its digest, or `index.json`.
fn layout_json(layout: &Path, digest: Option<&str>) -> Value {
    let path = match digest {
        Some(digest) => layout.join("blobs").join("sha256").join(digest.trim_start_matches("sha256:")),
        None => layout.join("index.json"),
    };
    serde_json::from_slice(&fs::read(&path).expect("read a layout document")).expect("layout JSON")
}

/// The manifest of the image tagged [`TAG`] in an OCI layout.
fn manifest(layout: &Path) -> Value {
    let index = layout_json(layout, None);
    let manifests = index["manifests"].as_array().expect("an index lists manifests");
    let descriptor = manifests
        .iter()
        .rev()
        .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == TAG)
        .expect("the tag is in the index");
    layout_json(layout, descriptor["digest"].as_str())
}

/// The digests of the image's layers, base first.
fn layer_digests(layout: &Path) -> Vec<String> {
    let manifest = manifest(layout);
    let layers = manifest["layers"].as_array().expect("a manifest lists layers");
    layers.iter().map(|l| l["digest"].as_str().expect("a digest").to_owned()).collect()
}

/// What a finding says whatever format the image was saved in: rule, place, fingerprint,
/// the part of the image (layer by position and uncompressed digest, or config field), the
/// path and what deletes it. Names and blob digests, which differ between formats, are left out.
fn portable(report: &Value) -> Vec<String> {
    let findings = report["findings"].as_array().expect("a findings list");
    let mut keys: Vec<String> = findings
        .iter()
        .map(|f| {
            let image = &f["image"];
            format!(
                "{} {}:{} {} {} {} layer={} diff_id={} deleted_by={}",
                f["rule_id"],
                f["line"],
                f["column"],
                f["fingerprint"],
                image["source"],
                image["path"],
                image["layer"]["index"],
                image["layer"]["diff_id"],
                image["deleted_by_layer"]
            )
        })
        .collect();
    keys.sort();
    keys
}

/// The findings of a JSON report whose image path (inside the layer, or the config field) is `path`.
fn findings_at<'a>(report: &'a Value, path: &str) -> Vec<&'a Value> {
    let findings = report["findings"].as_array().expect("a findings list");
    findings.iter().filter(|f| f["image"]["path"] == path).collect()
}

/// Ordinary files that hold no secret.
fn ordinary_files() -> Vec<(&'static str, &'static str)> {
    vec![
        ("app/README.md", "# app\nRun it with ./start.sh\n"),
        ("app/start.sh", "#!/bin/sh\nexec ./server --port 8080\n"),
        ("etc/app/settings.env", "LOG_LEVEL=info\nZOOM_CLIENT_SECRET=${ZOOM_CLIENT_SECRET}\n"),
    ]
}

#[test]
fn a_secret_in_a_layer_file_is_reported_with_the_image_its_layer_and_its_path() {
    let images = Images::new();
    images.layer(&ordinary_files(), &[]);
    let env = format!("LOG_LEVEL=debug\nZOOM_CLIENT_SECRET={}\n", secret(A));
    images.layer(&[("srv/app/.env", &env)], &[]);
    let digests = layer_digests(&images.layout);

    let run = images.scan(&images.layout, &[]);
    assert_eq!(run.code, 1, "a secret in a layer must exit 1:\n{run}");
    let out = run.all();
    assert!(out.contains("1 Zoom secret found in the image"), "{run}");
    assert!(out.contains(CLIENT_SECRET_RULE) && out.contains(&redacted(&secret(A))), "{run}");
    assert!(out.contains("    image  app  (linux/amd64)"), "{run}");
    assert!(out.contains(&format!("    layer  2 of 2  {}", digests[1])), "{run}");
    assert!(out.contains("    file   /srv/app/.env"), "{run}");
    assert!(out.contains("    at     app/layer-2/srv/app/.env:2:20"), "{run}");
    assert!(!out.contains("deleted by layer"), "nothing deletes it:\n{run}");
    for advice in [".dockerignore", "--secret", "registry", "Rotate"] {
        assert!(out.contains(advice), "the advice for an image does not say {advice}:\n{run}");
    }
    assert_never_printed(&run, &[A]);

    let (run, report) = images.json(&images.layout);
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(report["scope"], "image", "{run}");
    let found = findings_at(&report, "srv/app/.env");
    assert_eq!(found.len(), 1, "{run}");
    let image = &found[0]["image"];
    assert_eq!(image["name"], TAG);
    assert_eq!(image["source"], "layer");
    assert_eq!(image["layer"]["index"], 2);
    assert_eq!(image["layer"]["digest"], digests[1].as_str(), "the layer's digest as stored");
    assert_eq!(image["deleted_by_layer"], Value::Null);
    assert_eq!(found[0]["path"], "app/layer-2/srv/app/.env");
    // The three ordinary files, the .env, and the history of umoci's two steps.
    assert_eq!(report["summary"]["files_scanned"], 5, "{run}");
    assert_never_printed(&run, &[A]);
}

#[test]
fn a_file_a_later_layer_deletes_is_still_reported_and_said_deleted() {
    let images = Images::new();
    let env = format!("ZOOM_CLIENT_SECRET={}\n", secret(B));
    images.layer(&[("app/.env", &env), ("app/main.py", "print('hello')\n")], &[]);
    images.layer(&[], &["app/.env"]);
    images.layer(&[("app/VERSION", "1.0\n")], &[]);

    let run = images.scan(&images.layout, &[]);
    assert_eq!(run.code, 1, "a deleted file still ships in its layer:\n{run}");
    let out = run.all();
    assert!(out.contains("    layer  1 of 3"), "the finding names the layer that added it:\n{run}");
    assert!(
        out.contains("deleted by layer 2, so absent from the final filesystem, but layer 1 still ships it"),
        "{run}"
    );
    assert_never_printed(&run, &[B]);

    let (run, report) = images.json(&images.layout);
    let found = findings_at(&report, "app/.env");
    assert_eq!(found.len(), 1, "{run}");
    assert_eq!(found[0]["image"]["layer"]["index"], 1, "{run}");
    assert_eq!(found[0]["image"]["deleted_by_layer"], 2, "{run}");

    let run = images.scan(&images.layout, &["--format", "sarif"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stdout.contains("deleted by layer 2, but still shipped in layer 1"), "{run}");
    assert_never_printed(&run, &[B]);
}

#[test]
fn secrets_in_the_config_env_labels_and_history_are_found() {
    let images = Images::new();
    images.layer(&ordinary_files(), &[]);
    images.config(&[
        "--config.env",
        &format!("ZOOM_CLIENT_SECRET={}", secret(A)),
        "--config.env",
        "PATH=/usr/bin",
    ]);
    images.config(&["--config.label", &format!("zoom.client_secret={}", secret(B))]);
    // Where a Dockerfile's ARG and RUN lines land: BuildKit records the build arguments
    // in front of the command.
    let step = format!("RUN |1 ZOOM_CLIENT_SECRET={} /bin/sh -c ./configure", secret(C));
    images.config(&["--history.created_by", &step]);

    let (run, report) = images.json(&images.layout);
    assert_eq!(run.code, 1, "secrets in the config must exit 1:\n{run}");
    for (field, seed) in [("Env", A), ("Labels", B), ("history", C)] {
        let found = findings_at(&report, field);
        assert_eq!(found.len(), 1, "one finding in the config's {field}:\n{run}");
        assert_eq!(found[0]["rule_id"], CLIENT_SECRET_RULE);
        assert_eq!(found[0]["image"]["source"], "config");
        assert_eq!(found[0]["image"]["layer"], Value::Null);
        assert_eq!(found[0]["path"], format!("{TAG}/config/{field}"));
        assert_eq!(found[0]["redacted"].as_str().map(|r| r.starts_with(&secret(seed)[..4])), Some(true));
    }
    // umoci's own steps come first in the history: the configure step is its last line.
    let history = findings_at(&report, "history");
    let steps = layout_json(&images.layout, manifest(&images.layout)["config"]["digest"].as_str());
    assert_eq!(history[0]["line"], steps["history"].as_array().map(Vec::len).unwrap_or(0), "{run}");

    let run = images.scan(&images.layout, &[]);
    assert!(run.all().contains("in     the image config (Env)"), "{run}");
    assert!(run.all().contains("at     app/config/history:"), "{run}");
    assert_never_printed(&run, &[A, B, C]);
}

#[test]
fn a_clean_image_passes_in_every_format() {
    let images = Images::new();
    images.layer(&ordinary_files(), &[]);
    images.config(&[
        "--config.env",
        "ZOOM_CLIENT_SECRET_FILE=/run/secrets/zoom",
        "--config.cmd",
        "./start.sh",
    ]);
    for image in [images.layout.clone(), images.docker_archive(), images.oci_archive(), images.zstd_layout()]
    {
        let run = images.scan(&image, &["-v"]);
        assert_eq!(run.code, 0, "a clean image must pass ({}):\n{run}", image.display());
        // The three files, and the config's Env, Cmd and history (umoci's own steps).
        assert!(run.stderr.contains("0 findings in 0 files; 6 files"), "{run}");
    }
}

/// One image with a secret in a layer file, in a file a later layer deletes, in Env and in
/// the history, saved four ways (the layout, a docker-archive, an OCI archive, and a layout
/// with zstd layers): the same findings every time.
#[test]
fn the_same_image_gives_the_same_findings_in_every_format() {
    let images = Images::new();
    images.layer(&ordinary_files(), &[]);
    images.layer(&[("app/.env", &format!("ZOOM_CLIENT_SECRET={}\n", secret(A)))], &[]);
    images.layer(&[("app/config.yaml", &format!("zoom:\n  client_secret: {}\n", secret(B)))], &["app/.env"]);
    images.config(&["--config.env", &format!("ZOOM_CLIENT_SECRET={}", secret(C))]);
    images.config(&["--history.created_by", &format!("ENV ZOOM_CLIENT_SECRET={}", secret(D))]);

    let (run, layout) = images.json(&images.layout);
    assert_eq!(run.code, 1, "{run}");
    let expected = portable(&layout);
    assert_eq!(expected.len(), 4, "the .env, config.yaml, Env and history:\n{run}");
    assert!(
        expected.iter().any(|k| k.contains("\"app/.env\" layer=2") && k.ends_with("deleted_by=3")),
        "{expected:#?}"
    );
    let docker = images.docker_archive();
    for image in [docker.clone(), images.oci_archive(), images.zstd_layout()] {
        let (run, report) = images.json(&image);
        assert_eq!(run.code, 1, "{}:\n{run}", image.display());
        assert_eq!(portable(&report), expected, "{} differs from the layout", image.display());
        assert_never_printed(&run, &[A, B, C, D]);
        let human = images.scan(&image, &[]);
        assert_eq!(human.code, 1, "{human}");
        assert_never_printed(&human, &[A, B, C, D]);
    }
    // A docker-archive names the image by its tag, as `docker load` will.
    let (run, report) = images.json(&docker);
    let env = findings_at(&report, "Env");
    assert!(env[0]["path"].as_str().is_some_and(|p| p.ends_with("app:1.0/config/Env")), "{run}");
}

#[test]
fn gzip_zstd_and_uncompressed_layers_are_read() {
    let images = Images::new();
    images.layer(&[("app/.env", &format!("ZOOM_CLIENT_SECRET={}\n", secret(A)))], &[]);
    let zstd = images.zstd_layout();
    let magic = |layout: &Path| -> Vec<[u8; 4]> {
        layer_digests(layout)
            .iter()
            .map(|digest| {
                let blob = fs::read(layout.join("blobs/sha256").join(digest.trim_start_matches("sha256:")))
                    .expect("read a layer blob");
                [blob[0], blob[1], blob[2], blob[3]]
            })
            .collect()
    };
    assert!(magic(&images.layout).iter().all(|m| m[..2] == [0x1f, 0x8b]), "umoci writes gzip layers");
    assert!(magic(&zstd).iter().all(|m| *m == [0x28, 0xb5, 0x2f, 0xfd]), "skopeo recompressed with zstd");
    for image in [images.layout.clone(), zstd, images.docker_archive()] {
        let (run, report) = images.json(&image);
        assert_eq!(run.code, 1, "{}:\n{run}", image.display());
        assert_eq!(findings_at(&report, "app/.env").len(), 1, "{run}");
        assert_never_printed(&run, &[A]);
    }
}

#[test]
fn a_corrupt_or_unknown_image_is_an_error_never_a_pass() {
    let images = Images::new();
    // A layer big enough that damage in its middle is inside the compressed data.
    let filler: String =
        (0..4000).map(|i| format!("line {i} of an ordinary file, {}\n", i * 7919 % 10007)).collect();
    images.layer(
        &[("app/data.txt", &filler), ("app/.env", &format!("ZOOM_CLIENT_SECRET={}\n", secret(A)))],
        &[],
    );
    let root = images.repo.root().to_path_buf();

    let archive = images.docker_archive();
    let bytes = fs::read(&archive).expect("read the archive");
    let cut = root.join("cut.tar");
    fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write a cut archive");

    // The layers of a docker-archive are plain tars, with no checksum: only the digest in
    // their name tells that a byte changed.
    let at = bytes.windows(9).position(|w| w == b"line 2000").expect("the filler is in the archive");
    let mut flipped = bytes.clone();
    flipped[at] = b'L';
    let altered = root.join("altered.tar");
    fs::write(&altered, &flipped).expect("write an altered archive");

    let damaged = root.join("damaged-layout");
    images
        .skopeo_copy(&[&format!("oci:{}", images.reference()), &format!("oci:{}:{TAG}", damaged.display())]);
    let digest = layer_digests(&damaged).pop().expect("a layer");
    let blob = damaged.join("blobs/sha256").join(digest.trim_start_matches("sha256:"));
    let mut layer = fs::read(&blob).expect("read the layer");
    let middle = layer.len() / 2;
    for byte in &mut layer[middle..middle + 16] {
        *byte ^= 0x5a;
    }
    fs::write(&blob, &layer).expect("damage the layer");

    let truncated = root.join("truncated-layout");
    images.skopeo_copy(&[
        &format!("oci:{}", images.reference()),
        &format!("oci:{}:{TAG}", truncated.display()),
    ]);
    let digest = layer_digests(&truncated).pop().expect("a layer");
    let blob = truncated.join("blobs/sha256").join(digest.trim_start_matches("sha256:"));
    let layer = fs::read(&blob).expect("read the layer");
    fs::write(&blob, &layer[..layer.len() - 40]).expect("cut the layer short");

    let text = root.join("notes.txt");
    fs::write(&text, "not an image\n").expect("write a text file");
    let plain_tar = root.join("plain.tar");
    let mut tar = images.repo.command_in("tar", &root);
    tar.args(["-cf", "plain.tar", "notes.txt"]);
    assert_eq!(TestRepo::run(tar).code, 0);
    let gzipped = root.join("app.tar.gz");
    let mut gzip = images.repo.command_in("sh", &root);
    gzip.args(["-c", "gzip -c app-docker.tar > app.tar.gz"]);
    assert_eq!(TestRepo::run(gzip).code, 0);

    for (image, says) in [
        (&cut, "cut short"),
        (&altered, "does not match its digest"),
        (&damaged, "reading layer 1"),
        (&truncated, "reading layer 1"),
        (&text, "is not a container image"),
        (&plain_tar, "neither manifest.json"),
        (&gzipped, "gzip-compressed: decompress it first"),
        (&root.join("absent.tar"), "absent.tar"),
    ] {
        let run = images.scan(image, &[]);
        assert_eq!(run.code, 2, "{} must be an error:\n{run}", image.display());
        assert!(run.stderr.contains("zoomguard: error: reading "), "{run}");
        assert!(run.stderr.contains(says), "{} should say {says:?}:\n{run}", image.display());
        assert!(run.stderr.contains("the scan did not finish, so its result is unknown"), "{run}");
        assert!(!run.stderr.contains("panicked"), "{run}");
        assert_never_printed(&run, &[A]);
    }

    let run = images.scan(Path::new("-"), &[]);
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stderr.contains("--image needs a file, not a stream") && run.stderr.contains("docker save -o"),
        "{run}"
    );
}

#[test]
fn sarif_names_the_image_the_layer_digest_and_the_path() {
    let images = Images::new();
    images.layer(&[("app/.env", &format!("ZOOM_CLIENT_SECRET={}\n", secret(A)))], &[]);
    let digest = layer_digests(&images.layout).remove(0);
    let run = images.scan(&images.layout, &["--format", "sarif"]);
    assert_eq!(run.code, 1, "{run}");
    let log: Value = serde_json::from_str(&run.stdout).expect("SARIF is JSON");
    let result = &log["runs"][0]["results"][0];
    let location = &result["locations"][0];
    assert_eq!(location["physicalLocation"]["artifactLocation"]["uri"], "app/layer-1/app/.env");
    assert_eq!(location["physicalLocation"]["region"]["startLine"], 1);
    let logical = &location["logicalLocations"][0];
    assert_eq!(logical["name"], "app/.env");
    assert_eq!(logical["fullyQualifiedName"], "app/layer-1/app/.env");
    assert_eq!(result["properties"]["image"]["name"], TAG);
    assert_eq!(result["properties"]["image"]["layer"]["digest"], digest.as_str());
    assert!(result["message"]["text"]
        .as_str()
        .is_some_and(|m| m.contains("in /app/.env of layer 1 of image app")));
    assert_never_printed(&run, &[A]);
}

#[test]
fn fingerprints_the_size_limit_and_platforms_apply_to_images() {
    let images = Images::new();
    images.layer(&[("app/.env", &format!("ZOOM_CLIENT_SECRET={}\n", secret(A)))], &[]);
    images
        .layer(&[("app/big.env", &format!("{}ZOOM_CLIENT_SECRET={}\n", "#\n".repeat(200), secret(B)))], &[]);

    let (run, report) = images.json(&images.layout);
    assert_eq!(report["findings"].as_array().map(Vec::len), Some(2), "{run}");
    let fingerprint =
        findings_at(&report, "app/.env")[0]["fingerprint"].as_str().expect("a fingerprint").to_owned();
    images.repo.write(".zoomguardignore", format!("{fingerprint}  # a test fixture\n"));
    images.repo.git_ok(["config", "zoomguard.maxFileSize", "300"]);
    let run = images.scan(&images.layout, &[]);
    assert_eq!(run.code, 0, "one allowed, the other over the size limit:\n{run}");
    assert!(run.stderr.contains("1 by .zoomguardignore"), "{run}");
    assert!(
        run.stderr.contains("1 file NOT scanned, over zoomguard.maxFileSize: app/layer-2/app/big.env"),
        "{run}"
    );

    let run = images.scan(&images.layout, &["--platform", "linux/arm64"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("no image for --platform linux/arm64; the file has: linux/amd64"), "{run}");
    let run = images.scan(&images.layout, &["--platform", "linux/amd64"]);
    assert_eq!(run.code, 0, "{run}");
    let run = images.scan(&images.layout, &["--platform", "amd64"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("expected os/arch"), "{run}");
    assert_never_printed(&run, &[A, B]);
}

/// A layer's links are names, never followed: a symbolic link to a file of the machine that
/// runs the scan (which holds a secret here), absolute or climbing out with `..`, is not read.
#[test]
fn links_in_a_layer_are_not_followed() {
    let images = Images::new();
    let outside = images.repo.root().join("host-secret.env");
    fs::write(&outside, format!("ZOOM_CLIENT_SECRET={}\n", secret(D)))
        .expect("write a file outside the image");
    images.layer(&[("app/config.txt", "port=8080\n")], &[]);
    let bundle = images.repo.root().join("bundle");
    let bundle_arg = bundle.display().to_string();
    images.umoci(&["unpack", "--rootless", "--image", &images.reference(), &bundle_arg]);
    let rootfs = bundle.join("rootfs");
    std::os::unix::fs::symlink(&outside, rootfs.join("app/host.env")).expect("make a symbolic link");
    std::os::unix::fs::symlink("../../../../host-secret.env", rootfs.join("app/up.env"))
        .expect("make a link");
    images.umoci(&["repack", "--image", &images.reference(), &bundle_arg]);

    let run = images.scan(&images.layout, &["-v"]);
    assert_eq!(run.code, 0, "a link is not a file of the image:\n{run}");
    assert!(!run.all().contains(CLIENT_SECRET_RULE), "{run}");
    assert_never_printed(&run, &[D]);
}
