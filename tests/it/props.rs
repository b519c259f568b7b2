//! Property tests (issue 6 item 2) on the entry points that read untrusted input: the
//! detector, the pre-push and pre-receive stdin parsers, the JWT decoder and the text reader
//! (UTF-16 and UTF-32). Each runs a bounded number of cases, so `cargo test` stays quick;
//! the `fuzz/` targets explore the same entry points for as long as one lets them.
//!
//! Secrets are made by `zoomguard::synth` from a generated seed, never written here.

use proptest::collection::vec;
use proptest::prelude::*;
use zoomguard::change::{line_count, read_text, AddedLines, Change, Text};
use zoomguard::detect::{classify_jwt, scan, ProjectContext, ScanOptions};
use zoomguard::source::lines::OldLines;
use zoomguard::source::push::{parse_pre_push, parse_pre_receive};
use zoomguard::synth::Synth;

/// The same clock for every case, so a failure replays the same way.
const OPTIONS: ScanOptions = ScanOptions { now: 1_700_000_000, project: ProjectContext::Unknown };

fn config() -> ProptestConfig {
    ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() }
}

/// Bytes that reach deep into the detector: arbitrary bytes mixed with the fragments its
/// keyword pass, its key reader and its JWT decoder look for.
fn hostile_bytes(max_pieces: usize) -> impl Strategy<Value = Vec<u8>> {
    let fragment = prop_oneof![
        4 => vec(any::<u8>(), 1..16),
        1 => Just(b"zoom".to_vec()),
        1 => Just(b"ZOOM_CLIENT_SECRET=".to_vec()),
        1 => Just(b"client_secret: ".to_vec()),
        1 => Just(b"eyJ".to_vec()),
        1 => Just(b"\n".to_vec()),
        1 => Just(b"\r\n".to_vec()),
        1 => Just(b"\"".to_vec()),
        1 => Just(vec![0u8]),
        1 => Just("\u{202E}\u{FEFF}é".as_bytes().to_vec()),
        1 => (0u64..1000).prop_map(|seed| Synth::new(seed).alnum(32).into_bytes()),
        1 => (0u64..1000).prop_map(|seed| Synth::new(seed).expand("{oauth-access}").into_bytes()),
    ];
    vec(fragment, 0..max_pieces).prop_map(|pieces| pieces.concat())
}

/// Which lines count as added: all, or a few sorted, non-overlapping ranges.
fn added_lines() -> impl Strategy<Value = AddedLines> {
    prop_oneof![
        Just(AddedLines::All),
        vec((1u32..40, 1u32..5), 0..6).prop_map(|steps| {
            let mut start = 0;
            let ranges = steps
                .into_iter()
                .map(|(gap, len)| {
                    start += gap;
                    let range = start..start + len;
                    start += len;
                    range
                })
                .collect();
            AddedLines::Ranges(ranges)
        }),
    ]
}

/// A path that is (or is not) Zoom context on its own.
fn path() -> impl Strategy<Value = String> {
    prop_oneof![Just("config/zoom.env".to_owned()), Just("src/app.js".to_owned()), "[a-z/.]{1,20}"]
}

/// The 1-based line and column (in characters) of byte offset `at`, the way a reader counts them.
fn line_and_column(text: &[u8], at: usize) -> (u32, u32) {
    let before = &text[..at];
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
    (u32::try_from(line).expect("a small test input"), u32::try_from(column).expect("a small test input"))
}

/// One-line shapes from the rule examples, with the secret's slot: `(prefix, slot, rule id)`.
const EMBEDDED: &[(&str, &str, &str)] = &[
    ("ZOOM_CLIENT_SECRET=", "s32", "zoom-client-secret"),
    ("ZOOM_API_SECRET=", "s36", "zoom-jwt-api-secret"),
    ("ZOOM_JWT=", "jwt-app", "zoom-jwt-app-token"),
    ("Authorization: Bearer ", "oauth-access", "zoom-oauth-access-token"),
];

proptest! {
    #![proptest_config(config())]

    #[test]
    fn scan_never_panics_and_findings_agree_with_their_text(
        text in hostile_bytes(120),
        added in added_lines(),
        path in path(),
    ) {
        let change = Change::edited(path, text, added);
        for finding in scan(&change, &OPTIONS) {
            let text = &change.text;
            prop_assert!(finding.span.start < finding.span.end && finding.span.end <= text.len(), "{finding:?}");
            prop_assert_eq!((finding.line, finding.column), line_and_column(text, finding.span.start));
            prop_assert!(change.added.contains(finding.line), "{:?} is not on an added line", finding);
            // The secret is the text at its span, or what that text decodes to (base64,
            // percent-encoding, split literals): never empty either way.
            prop_assert!(!finding.secret().is_empty());
            prop_assert!(!finding.redacted().contains(finding.secret()));
        }
    }

    #[test]
    fn scan_never_panics_on_plain_arbitrary_bytes(text in vec(any::<u8>(), 0..4096), path in path()) {
        let change = Change::new_file(path, text);
        for finding in scan(&change, &OPTIONS) {
            prop_assert!(finding.span.end <= change.text.len());
        }
    }

    #[test]
    fn a_secret_on_its_own_line_is_found_whatever_surrounds_it(
        before in hostile_bytes(60),
        after in hostile_bytes(60),
        shape in 0..EMBEDDED.len(),
        seed in any::<u64>(),
    ) {
        let (key, slot, rule) = EMBEDDED[shape];
        let value = Synth::new(seed).slot(slot).expect("a known slot");
        let mut text = before;
        text.push(b'\n');
        let line = line_count(&text) + 1;
        text.extend_from_slice(key.as_bytes());
        let span = text.len()..text.len() + value.len();
        text.extend_from_slice(value.as_bytes());
        text.push(b'\n');
        text.extend_from_slice(&after);
        let change = Change::new_file("app/settings.txt", text);
        let findings = scan(&change, &OPTIONS);
        let found = findings.iter().find(|f| f.span == span);
        prop_assert!(found.is_some(), "{rule} on line {line} not found; found {findings:?}");
        let found = found.expect("checked just above");
        prop_assert_eq!(found.rule.id, rule);
        prop_assert_eq!((found.line, found.column), (line, u32::try_from(key.len() + 1).expect("a short key")));
    }

    #[test]
    fn hook_input_parsers_never_panic(text in any::<String>(), bytes in vec(any::<u8>(), 0..512)) {
        let lossy = String::from_utf8_lossy(&bytes);
        for input in [text.as_str(), &lossy] {
            let _ = parse_pre_push(input);
            let _ = parse_pre_receive(input);
        }
    }

    #[test]
    fn well_formed_hook_input_is_accepted(updates in vec((ref_name(), object_id(), ref_name(), object_id()), 0..8),
                                          separator in prop_oneof![Just(" "), Just("\t"), Just("  ")],
                                          line_end in prop_oneof![Just("\n"), Just("\r\n"), Just("\n\n")]) {
        let push: String = updates
            .iter()
            .map(|(l, a, r, b)| [l.as_str(), a, r, b].join(separator) + line_end)
            .collect();
        let parsed = parse_pre_push(&push).map_err(|e| TestCaseError::fail(format!("{e:#}: {push:?}")))?;
        prop_assert_eq!(parsed.len(), updates.len());
        for (got, (l, a, r, b)) in parsed.iter().zip(&updates) {
            prop_assert_eq!((&got.local_ref, &got.remote_ref), (l, r));
            prop_assert_eq!((got.local.to_string(), got.remote.to_string()), (a.clone(), b.clone()));
        }
        let receive: String =
            updates.iter().map(|(l, a, _, b)| [b.as_str(), a, l].join(separator) + line_end).collect();
        let parsed = parse_pre_receive(&receive).map_err(|e| TestCaseError::fail(format!("{e:#}: {receive:?}")))?;
        prop_assert_eq!(parsed.len(), updates.len());
        for (got, (l, a, _, b)) in parsed.iter().zip(&updates) {
            prop_assert_eq!((&got.name, got.old.to_string(), got.new.to_string()), (l, b.clone(), a.clone()));
        }
    }

    #[test]
    fn jwt_decoder_never_panics(bytes in vec(any::<u8>(), 0..600)) {
        let _ = classify_jwt(&bytes);
    }

    #[test]
    fn jwt_decoder_never_panics_on_token_shaped_json(
        header in json_object(),
        claims in json_object(),
        signature_len in prop_oneof![Just(32usize), Just(64), 0usize..80],
    ) {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        use base64::Engine;
        let signature = Synth::new(signature_len as u64).bytes(signature_len);
        let token = format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string()),
            URL_SAFE_NO_PAD.encode(signature)
        );
        let _ = classify_jwt(token.as_bytes());
    }

    #[test]
    fn utf16_round_trips_and_utf8_is_left_alone(text in any::<String>(), little_endian in any::<bool>()) {
        let (bom, units): ([u8; 2], Vec<u8>) = if little_endian {
            ([0xFF, 0xFE], text.encode_utf16().flat_map(u16::to_le_bytes).collect())
        } else {
            ([0xFE, 0xFF], text.encode_utf16().flat_map(u16::to_be_bytes).collect())
        };
        let marked = [&bom[..], &units].concat();
        let decoded = read_text(&marked[..]).into_text();
        // UTF-16LE's mark and a first U+0000 are also UTF-32LE's mark: the one reading that
        // may come out otherwise.
        if !(little_endian && text.starts_with('\0')) {
            prop_assert_eq!(decoded.as_deref(), Some(text.as_bytes()));
        }
        if !text.contains('\0') {
            // Without a NUL, UTF-8 is scanned as stored (with NULs it may read as UTF-16).
            prop_assert_eq!(read_text(text.as_bytes()), Text::AsStored(text.as_bytes().into()));
        }
    }

    #[test]
    fn utf32_round_trips(text in any::<String>(), little_endian in any::<bool>()) {
        let (bom, units): ([u8; 4], Vec<u8>) = if little_endian {
            ([0xFF, 0xFE, 0, 0], text.chars().flat_map(|c| u32::from(c).to_le_bytes()).collect())
        } else {
            ([0, 0, 0xFE, 0xFF], text.chars().flat_map(|c| u32::from(c).to_be_bytes()).collect())
        };
        let marked = [&bom[..], &units].concat();
        let decoded = read_text(&marked[..]).into_text();
        prop_assert_eq!(decoded.as_deref(), Some(text.as_bytes()));
    }

    #[test]
    fn text_reader_never_panics(
        bytes in vec(any::<u8>(), 0..512),
        bom in prop_oneof![
            Just(&[0xFFu8, 0xFE][..]), Just(&[0xFE, 0xFF][..]), Just(&[0xFF, 0xFE, 0, 0][..]), Just(&[0, 0, 0xFE, 0xFF][..])
        ],
    ) {
        let _ = read_text([bom, &bytes].concat());
        let _ = read_text(&bytes[..]);
    }

    #[test]
    fn added_lines_are_a_diff(
        old in vec("[abc]{0,2}", 0..12),
        new in vec("[abc]{0,2}", 0..12),
        appended in vec("[abc]{0,2}\n", 0..4),
    ) {
        let (old_text, new_text) = (old.join("\n"), new.join("\n"));
        let old_lines = OldLines::of(old_text.as_bytes());
        let added = AddedLines::Ranges(old_lines.added_ranges(new_text.as_bytes()));
        let old_lines_text: Vec<&str> = old_text.split_inclusive('\n').collect();
        let kept: Vec<&str> = (1u32..)
            .zip(new_text.split_inclusive('\n'))
            .filter(|(number, _)| !added.contains(*number))
            .map(|(_, line)| line)
            .collect();
        // The lines not added are old lines, in their old order (a line the old text lacks is
        // always added).
        let mut rest = old_lines_text.iter();
        prop_assert!(kept.iter().all(|line| rest.any(|old| old == line)), "kept {:?} from {:?}", kept, old_lines_text);
        // Lines appended after a complete old text are exactly what is added.
        let complete = format!("{}\n", old_text);
        let longer = format!("{complete}{}", appended.concat());
        let count = complete.split_inclusive('\n').count() as u32 + 1;
        let expected: Vec<_> = (!appended.is_empty()).then(|| count..count + appended.len() as u32).into_iter().collect();
        prop_assert_eq!(OldLines::of(complete.as_bytes()).added_ranges(longer.as_bytes()), expected);
    }
}

/// A git ref name without whitespace.
fn ref_name() -> impl Strategy<Value = String> {
    "refs/(heads|tags|remotes/origin)/[A-Za-z0-9._/-]{1,30}"
}

/// A full SHA-1 object id, or the all-zero id. (SHA-256 ids parse too, and a SHA-256
/// repository is read through git; a SHA-1 repository cannot hold one, so such input is an
/// exit 2, not a crash.)
fn object_id() -> impl Strategy<Value = String> {
    prop_oneof![4 => "[0-9a-f]{40}", 1 => Just("0".repeat(40))]
}

/// A JSON object with the keys Zoom tokens are classified by and arbitrary values.
fn json_object() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(serde_json::Value::from),
        prop_oneof![
            Just("HS256".to_owned()),
            Just("HS512".to_owned()),
            Just("https://oauth.zoom.us".to_owned()),
            Just("zm:cid:abc".to_owned()),
            "[A-Za-z0-9]{22}",
            any::<String>(),
        ]
        .prop_map(serde_json::Value::from),
    ];
    let value = leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            vec(("[a-z]{1,6}", inner), 0..4)
                .prop_map(|pairs| serde_json::Value::Object(pairs.into_iter().collect())),
        ]
    });
    let key = prop_oneof![
        Just("alg"),
        Just("sv"),
        Just("zm_skm"),
        Just("aud"),
        Just("iss"),
        Just("exp"),
        Just("type"),
        Just("appKey"),
        Just("sdkKey"),
        Just("app_key"),
        Just("tpc"),
        Just("role"),
        Just("mn"),
    ];
    vec((key, value), 0..8).prop_map(|pairs| {
        serde_json::Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    })
}
