//! Detection alone, in memory: how many bytes per second `detect::scan` reads.
//!
//! Issue 5 asks for three kinds of text: (a) ordinary source code with no Zoom keyword, which
//! must cost one keyword pass (target ≥ 1 GB/s); (b) text dense with near-misses (`zoom` as a
//! CSS or map property, other vendors' JWTs, placeholders), which runs the rules but finds
//! nothing (target ≥ 300 MB/s); (c) text with real findings. Issue 6 asks that inputs built to
//! be slow finish in time proportional to their size, so each of those is measured at 1×, 2×
//! and 4× its size: the time per byte must stay flat.
//!
//! Every input is made here from a seeded generator; secrets come from `zoomguard::synth`.
//! Run with `cargo bench --bench detect` (`-- corpus` or `-- linear/eyJ` for one group); CI only
//! builds it. bench/RESULTS.md tells what each group measured before and after the fixes (the
//! base64 lines once took minutes per sample at 2× and 4×: the non-linearity the group exists
//! to catch).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use zoomguard::change::Change;
use zoomguard::detect::{scan, ProjectContext, ScanOptions};
use zoomguard::synth::Synth;

/// Size of each of the (a), (b) and (c) texts.
const CORPUS_BYTES: usize = 4 << 20;

/// Words for identifiers in generated code: none contains `zoom` or `eyJ`, whatever the case,
/// and no two of them joined in camel case make one.
const WORDS: &[&str] = &[
    "user", "count", "value", "buffer", "index", "config", "request", "response", "handler", "item", "total",
    "result", "client", "server", "path", "name", "state", "event", "queue", "cache", "node", "parent",
    "child", "offset", "limit", "page", "token", "session", "record", "entry", "field", "row",
];

/// Lines of Rust- and JavaScript-like code, `{}` standing for an identifier.
const CODE_LINES: &[&str] = &[
    "    let {} = {}.get(&{}).cloned().unwrap_or_default();",
    "fn {}(&self, {}: usize) -> Option<{}> {",
    "    if {} > {} { return Err(Error::new(\"{} out of range\")); }",
    "const {} = await fetch(`/api/{}/${{}}`);",
    "    for {} in {}.iter().filter(|x| x.{} > 0) {",
    "// Returns the {} of the {}, or none when the {} is empty.",
    "export function {}({}, {}) { return {}.map(x => x + 1); }",
    "    self.{}.insert({}.clone(), {});",
    "    }",
    "",
];

/// Lines that look like Zoom or like tokens but are neither: every one runs a rule and finds
/// nothing. `{}` is an identifier; `{jwt-…}` a synth slot.
const NEAR_MISS_LINES: &[&str] = &[
    ".card-{} { zoom: 1.25; }",
    "map.setZoom({}.zoom + 1);",
    "const view = new google.maps.Map(el, { zoom: 12, center: {} });",
    "ZOOM_CLIENT_SECRET=your_secret_here",
    "zoom_client_id: \"<your client id>\"",
    "ZOOM_API_SECRET=${ZOOM_API_SECRET}",
    "Authorization: Bearer {jwt-hs256-other}",
    "id_token = \"{jwt-rs256}\"",
    "SUPABASE_ANON_KEY={jwt-supabase}",
    "    let {} = zoomLevel * {};",
    "<a href=\"https://zoom.us/j/81234567890\">Join the {} call</a>",
    "import {} from 'd3-zoom'; d3.zoom().on('zoom', {});",
];

/// Lines that hold a Zoom secret: each is a finding.
const SECRET_LINES: &[&str] = &[
    "ZOOM_CLIENT_SECRET={s32}",
    "curl -H \"Authorization: Bearer {oauth-access}\" https://api.zoom.us/v2/users/me",
    "zoom:\n  client_id: {u22}\n  client_secret: {s32}",
    "refresh_token = \"{oauth-refresh}\"",
    "const zak = '{zak}';",
    "ZoomMtg.join({ signature: '{sdk-meeting}', userName: 'Guest' });",
];

/// A deterministic stream of small numbers (the synth generator, read a byte at a time).
struct Picker(Synth);

impl Picker {
    fn below(&mut self, n: usize) -> usize {
        let bytes = self.0.bytes(2);
        usize::from(u16::from_le_bytes([bytes[0], bytes[1]])) % n
    }

    /// `line` with each `{}` replaced by a random word, and its synth slots filled.
    fn fill(&mut self, line: &str) -> String {
        let mut out = String::with_capacity(line.len() + 32);
        for (i, part) in line.split("{}").enumerate() {
            if i > 0 {
                out.push_str(WORDS[self.below(WORDS.len())]);
            }
            out.push_str(part);
        }
        self.0.expand(&out)
    }

    /// About `bytes` bytes of lines: code, with one line of `extra` every `every` lines.
    fn text(&mut self, bytes: usize, extra: &[&str], every: usize) -> Vec<u8> {
        let mut text = String::with_capacity(bytes + 256);
        let mut line = 0;
        while text.len() < bytes {
            let template = if !extra.is_empty() && line % every == every - 1 {
                extra[self.below(extra.len())]
            } else {
                CODE_LINES[self.below(CODE_LINES.len())]
            };
            text.push_str(&self.fill(template));
            text.push('\n');
            line += 1;
        }
        text.into_bytes()
    }
}

fn change(text: Vec<u8>) -> Change {
    Change::new_file("src/app/handlers.rs", text)
}

/// (a), (b) and (c): throughput on text of a realistic shape.
fn corpus(c: &mut Criterion) {
    let options = ScanOptions::default();
    let mut picker = Picker(Synth::new(5));
    let cases = [
        ("a-plain-code", picker.text(CORPUS_BYTES, &[], 1)),
        ("b-near-misses", picker.text(CORPUS_BYTES, NEAR_MISS_LINES, 2)),
        ("c-secrets", picker.text(CORPUS_BYTES, SECRET_LINES, 50)),
    ];
    let mut group = c.benchmark_group("corpus");
    // (b) and (c) take seconds per scan (see bench/RESULTS.md): ten samples are plenty.
    group.sample_size(10);
    for (name, text) in cases {
        let change = change(text);
        let found = scan(&change, &options).len();
        assert_eq!(found > 0, name == "c-secrets", "{name}: {found} findings");
        group.throughput(Throughput::Bytes(change.text.len() as u64));
        group.bench_function(name, |b| b.iter(|| scan(black_box(&change), &options)));
    }
    group.finish();
}

/// Makes an input of about `n` bytes; the second argument is random base64 to cut it from.
type MakeInput = fn(usize, &[u8]) -> Vec<u8>;

/// Issue 6 item 3: inputs built to be slow, each at 1×, 2× and 4× the size the issue names.
fn adversarial(c: &mut Criterion) {
    let options = ScanOptions::default();
    let base64 = random_base64(40 << 20);
    let cases: [(&str, MakeInput, usize); 4] = [
        ("eyJ-repeated", |n, _| b"eyJ".repeat(n / 3), 1 << 20),
        ("zoom_client_secret=-repeated", |n, _| b"zoom_client_secret=".repeat(n / 19), 100_000 * 19),
        ("base64-line", |n, b64| b64[..n].to_vec(), 10 << 20),
        ("zoom-keyed-base64-line", |n, b64| [&b"ZOOM_CLIENT_SECRET="[..], &b64[..n - 19]].concat(), 10 << 20),
    ];
    for (name, make, base) in cases {
        let mut group = c.benchmark_group(format!("linear/{name}"));
        group.sample_size(10);
        for times in [1, 2, 4] {
            let change = change(make(base * times, &base64));
            group.throughput(Throughput::Bytes(change.text.len() as u64));
            group.bench_with_input(BenchmarkId::from_parameter(format!("{times}x")), &change, |b, change| {
                b.iter(|| scan(black_box(change), &options))
            });
        }
        group.finish();
    }
}

/// `n` bytes of random base64 (seeded).
fn random_base64(n: usize) -> Vec<u8> {
    let mut synth = Synth::new(6);
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    synth.bytes(n).into_iter().map(|b| alphabet[usize::from(b % 64)]).collect()
}

/// `unit` repeated to about `n` bytes, with a line feed after every `per_line` copies (0: one line).
fn repeated(unit: &str, n: usize, per_line: usize) -> Vec<u8> {
    let mut text = Vec::with_capacity(n + unit.len() + 1);
    let mut on_line = 0;
    while text.len() < n {
        text.extend_from_slice(unit.as_bytes());
        on_line += 1;
        if per_line > 0 && on_line == per_line {
            text.push(b'\n');
            on_line = 0;
        }
    }
    text
}

/// YAML whose every line is one level deeper than the last, under a `zoom:` parent: the
/// parent chain of the last line is as long as the file has lines.
fn deep_yaml(n: usize) -> Vec<u8> {
    let mut text = b"zoom:\n".to_vec();
    let mut depth = 1;
    while text.len() < n {
        text.extend(std::iter::repeat_n(b' ', depth));
        text.extend_from_slice(if depth % 2 == 0 { b"client:\n" } else { b"secret_of_it:\n" });
        // Past a few thousand levels, start again from the top: nesting stays deep, lines short.
        depth = if depth == 3000 { 1 } else { depth + 1 };
    }
    text
}

/// Minified JavaScript: lines of 20,000 characters dense with Zoom words, quoted strings and
/// key-value pairs whose values are too short or placeholders.
fn minified(n: usize) -> Vec<u8> {
    let unit = "var zoomCfg={clientId:\"your_client_id\",apiKey:'x',secret:\"\"+a+\"\"},zoom=ZoomMtg.init({sdkKey:k,signature:s});";
    let per_line = 20_000 / unit.len();
    repeated(unit, n, per_line)
}

/// Jupyter notebook source lines, JSON-escaped, full of escaped quotes around Zoom names.
fn notebook(n: usize) -> Vec<u8> {
    repeated(
        "    \"zoom_client_secret = \\\"\\\" + \\\"zoom\\\" + os.environ[\\\"ZOOM_API_KEY\\\"]\\n\",\n",
        n,
        0,
    )
}

/// Issue 15 item 3: every shape known to have been, or to risk being, super-linear in some
/// detector pass, at 1, 2 and 4 MB, in a Zoom project (so generic names count too): the time
/// per MB must stay flat. `ZOOMGUARD_BENCH_HOSTILE_DIR=DIR` also writes each input to DIR, to
/// measure the real binary's time and peak memory on it (README, "Speed").
fn hostile(c: &mut Criterion) {
    let options =
        ScanOptions { project: ProjectContext::Zoom("the benchmark".into()), ..ScanOptions::default() };
    let base64 = random_base64(4 << 20);
    let cases: [(&str, &str, MakeInput); 13] = [
        ("adjacent-literals", "src/zoom.js", |n, _| repeated("'zoom'", n, 0)),
        ("adjacent-literals-spaced", "src/zoom.py", |n, _| repeated("\"zoom\" ", n, 0)),
        ("plus-chain", "src/zoom.js", |n, _| repeated("\"zoom_client_\" + ", n, 0)),
        ("repeated-keywords", "src/zoom.txt", |n, _| repeated("zoom client_secret api_key ", n, 0)),
        ("names-without-values", ".env", |n, _| repeated("ZOOM_CLIENT_SECRET=", n, 1)),
        ("names-without-values-one-line", "src/zoom.js", |n, _| repeated("zoomClientSecret: ", n, 0)),
        ("deep-yaml-parents", "config/zoom.yaml", |n, _| deep_yaml(n)),
        ("base64-run-keyed", "config/zoom.env", |n, b64| {
            [&b"ZOOM_SDK_SIGNATURE="[..], &b64[..n - 19]].concat()
        }),
        ("base64-run-bare", "config/zoom.env", |n, b64| b64[..n].to_vec()),
        ("eyJ-repeated", "src/zoom.js", |n, _| repeated("eyJ", n, 0)),
        ("eyJ-dotted", "src/zoom.js", |n, _| repeated("eyJhbGciOiJIUzI1NiJ9.", n, 0)),
        ("notebook-escaped", "notebooks/zoom.ipynb", |n, _| notebook(n)),
        ("minified-20k-lines", "dist/zoom.min.js", |n, _| minified(n)),
    ];
    if let Ok(dir) = std::env::var("ZOOMGUARD_BENCH_HOSTILE_DIR") {
        for (name, path, make) in &cases {
            for mb in [1, 2, 4] {
                let file = std::path::Path::new(&dir).join(format!("{name}-{mb}MB")).join(path);
                std::fs::create_dir_all(file.parent().expect("a file has a parent")).expect("writable dir");
                std::fs::write(&file, make(mb << 20, &base64)).expect("writable file");
            }
        }
    }
    for (name, path, make) in cases {
        let mut group = c.benchmark_group(format!("hostile/{name}"));
        group.sample_size(10);
        for mb in [1, 2, 4] {
            let change = Change::new_file(path, make(mb << 20, &base64));
            group.throughput(Throughput::Bytes(change.text.len() as u64));
            group.bench_with_input(BenchmarkId::from_parameter(format!("{mb}MB")), &change, |b, change| {
                b.iter(|| scan(black_box(change), &options))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, corpus, adversarial, hostile);
criterion_main!(benches);
