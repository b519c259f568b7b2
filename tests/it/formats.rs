//! The machine-readable reports (`--format json|sarif`, `--output`) and the promise that no
//! output of any format ever holds a whole secret, for every detector.

use serde_json::Value;
use zoomguard::change::Change;
use zoomguard::detect::{scan, ScanOptions, RULES};
use zoomguard::synth::Synth;

use super::support::{filler, secret, secret_line, Run, TestRepo};

const A: u64 = 81;
const B: u64 = 82;

fn parse(text: &str, run: &Run) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{run}"))
}

#[test]
fn json_report_has_the_documented_shape() {
    let repo = TestRepo::new();
    repo.stage("settings.env", filler(1) + &secret_line(A));
    repo.commit_unchecked("add settings");
    let sha = repo.head().expect("a commit");
    let run = repo.zoomguard(["scan", "--history", "--format", "json"]);
    assert_eq!(run.code, 1, "{run}");
    let report = parse(&run.stdout, &run);
    assert_eq!(report["version"], 1);
    assert_eq!(report["tool"]["name"], "zoomguard");
    assert_eq!(report["scope"], "history");
    assert_eq!(report["summary"]["findings"], 1);
    assert_eq!(report["summary"]["commits_scanned"], 1);
    assert_eq!(report["summary"]["allowed"]["baseline"], 0);
    let finding = &report["findings"][0];
    assert_eq!(finding["rule_id"], "zoom-client-secret");
    assert_eq!(finding["kind"], "Zoom OAuth client secret");
    assert_eq!(finding["severity"], "high");
    assert_eq!(
        (finding["path"].as_str(), finding["line"].as_u64(), finding["column"].as_u64()),
        (Some("settings.env"), Some(2), Some(20))
    );
    assert_eq!(finding["commit"]["id"], sha.as_str());
    assert_eq!(finding["commit"]["summary"], "add settings");
    assert_eq!(finding["redacted"], format!("{}… (32 chars)", &secret(A)[..4]));
    assert!(finding["fingerprint"].as_str().is_some_and(|f| f.starts_with("zoom-client-secret:")));
    assert_eq!((finding["verified"].as_bool(), finding["expired"].as_bool()), (Some(false), Some(false)));
    assert!(finding["remediation"].as_str().is_some_and(|r| r.contains("ZOOM_CLIENT_SECRET")));
    let credential = &report["inventory"][0];
    assert_eq!(credential["fingerprint"], finding["fingerprint"]);
    assert_eq!(credential["added"][0]["path"], "settings.env");
    assert_eq!(credential["at_head"][0]["line"], 2);
    assert!(run.stderr.is_empty(), "JSON goes to stdout, nothing else is printed:\n{run}");

    let clean = TestRepo::new();
    clean.stage("README.md", "clean\n");
    clean.commit_unchecked("start");
    let empty = clean.zoomguard(["scan", "--history", "--format", "json"]);
    assert_eq!(empty.code, 0, "{empty}");
    assert_eq!(parse(&empty.stdout, &empty)["findings"].as_array().map(Vec::len), Some(0));
}

#[test]
fn sarif_report_has_rules_results_and_fingerprints() {
    let repo = TestRepo::new();
    repo.stage("README.md", "start\n");
    repo.commit_unchecked("start");
    repo.stage("dir with space/app.env", secret_line(A));
    repo.commit_unchecked("leak");
    let run =
        repo.zoomguard(["scan", "--range", "HEAD~1..HEAD", "--format", "sarif", "--output", "out.sarif"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stdout.is_empty(), "--output takes the report off stdout:\n{run}");
    let text = std::fs::read_to_string(repo.path.join("out.sarif")).expect("the SARIF file");
    let log = parse(&text, &run);
    assert_eq!(log["version"], "2.1.0");
    let driver = &log["runs"][0]["tool"]["driver"];
    let rules = driver["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), RULES.len(), "one SARIF rule per detector");
    for rule in rules {
        assert!(rule["properties"]["security-severity"].as_str().is_some_and(|s| s.parse::<f64>().is_ok()));
        assert!(rule["help"]["text"].as_str().is_some_and(|h| h.contains("rotate")), "{rule}");
    }
    let result = &log["runs"][0]["results"][0];
    let index = result["ruleIndex"].as_u64().expect("a rule index") as usize;
    assert_eq!(rules[index]["id"], result["ruleId"]);
    assert_eq!(result["ruleId"], "zoom-client-secret");
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "dir%20with%20space/app.env");
    assert_eq!(
        (location["region"]["startLine"].as_u64(), location["region"]["startColumn"].as_u64()),
        (Some(1), Some(20))
    );
    assert!(result["partialFingerprints"]["zoomguardFingerprint/v1"]
        .as_str()
        .is_some_and(|f| f.starts_with("zoom-client-secret:")));
}

#[test]
fn hook_in_json_format_still_explains_a_block_on_stderr() {
    let repo = TestRepo::new();
    repo.stage("settings.env", secret_line(B));
    let run = repo.zoomguard(["pre-commit", "--format", "json"]);
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(parse(&run.stdout, &run)["scope"], "staged");
    assert!(run.stderr.contains("blocked: 1 Zoom secret"), "the developer still reads why:\n{run}");
}

/// For every detector: its first example, committed and staged, scanned by the hook and by
/// `scan --history` in every format; the whole secret must appear in no output and no file.
#[test]
fn no_output_of_any_format_holds_a_whole_secret() {
    for (index, rule) in RULES.iter().enumerate() {
        let text = Synth::new(900 + index as u64).expand(rule.examples[0]);
        let change = Change::new_file("config/settings.txt", text.clone().into_bytes());
        let secrets: Vec<String> =
            scan(&change, &ScanOptions::default()).iter().map(|f| f.secret().to_owned()).collect();
        assert!(!secrets.is_empty(), "{}: its example finds nothing", rule.id);

        let repo = TestRepo::new();
        repo.stage("config/settings.txt", &text);
        // (what, text, whether the finding must be in it)
        let mut outputs: Vec<(String, String, bool)> = Vec::new();
        for format in ["human", "json", "sarif"] {
            let run = repo.zoomguard(["pre-commit", "--format", format]);
            assert_eq!(run.code, 1, "{} ({format}): the staged example must be found:\n{run}", rule.id);
            outputs.push((format!("pre-commit --format {format}"), run.all(), true));
        }
        repo.commit_unchecked("example");
        for format in ["human", "json", "sarif"] {
            let run = repo.zoomguard(["scan", "--history", "--format", format, "--output", "report.out"]);
            assert_eq!(run.code, 1, "{} ({format}):\n{run}", rule.id);
            outputs.push((format!("scan --history --format {format} (terminal)"), run.all(), false));
            let file = std::fs::read_to_string(repo.path.join("report.out")).expect("the report file");
            outputs.push((format!("scan --history --format {format} (file)"), file, true));
        }
        for (what, output, reports) in &outputs {
            assert!(
                !reports || output.contains(rule.id),
                "{}: {what} does not report it:\n{output}",
                rule.id
            );
            for secret in &secrets {
                assert!(
                    !output.contains(secret.as_str()),
                    "{}: {what} printed a whole secret:\n{output}",
                    rule.id
                );
            }
        }
    }
}
