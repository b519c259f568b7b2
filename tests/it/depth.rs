//! Detection depth through the real hook: pairs verified offline across the files of one
//! commit, the severity bar (`--min-severity`, `zoomguard.minSeverity`), and a file large
//! enough in lines to be compared before it is read for the scan.

use zoomguard::synth::{Synth, FAR_FUTURE};

use super::support::{redacted, secret, secret_line, TestRepo};

#[test]
fn a_pair_staged_together_is_verified_and_critical() {
    let mut s = Synth::new(101);
    let (key, api_secret) = (s.uuid22(), s.alnum(36));
    let token = Synth::signed_with(&s.jwt_app_token(&key, FAR_FUTURE), &api_secret);
    let repo = TestRepo::with_hook();
    repo.stage("config/zoom.env", format!("ZOOM_API_KEY={key}\nZOOM_API_SECRET={api_secret}\n"));
    repo.stage(
        "scripts/call_api.sh",
        format!("curl -H \"Authorization: Bearer {token}\" https://api.zoom.us/v2/users\n"),
    );
    let run = repo.commit(&[]);
    assert_ne!(run.code, 0, "{run}");
    assert!(run.stderr.contains("[zoom-jwt-api-secret]  critical"), "{run}");
    assert!(run.stderr.contains("proof  signs the Zoom JWT app token at scripts/call_api.sh:1"), "{run}");
    assert!(
        run.stderr.contains("proof  signed by the Zoom JWT app API secret at config/zoom.env:2"),
        "{run}"
    );
    assert!(!run.all().contains(&api_secret) && !run.all().contains(&token), "{run}");

    let json = repo.zoomguard(["pre-commit", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    let findings = report["findings"].as_array().expect("findings");
    assert!(findings.iter().all(|f| f["verified"] == true && f["severity"] == "critical"), "{json}");

    // A token signed by some other secret is not verified: the secret stays high.
    let unrelated = Synth::signed_with(&s.jwt_app_token(&key, FAR_FUTURE), &s.alnum(36));
    repo.stage("scripts/call_api.sh", format!("TOKEN={unrelated}\n"));
    let other = repo.commit(&[]);
    assert!(
        other.stderr.contains("[zoom-jwt-api-secret]  high") && !other.stderr.contains("proof"),
        "{other}"
    );
}

#[test]
fn the_severity_bar_decides_what_blocks() {
    let repo = TestRepo::with_hook();
    let expired = Synth::new(102).expand("{oauth-access-expired}");
    repo.stage("notes.md", format!("Authorization: Bearer {expired}\n"));
    // An expired token grants nothing: by default a hook names it in one line and goes ahead.
    let noticed = repo.zoomguard(["pre-commit"]);
    assert_eq!(noticed.code, 0, "expired tokens do not block by default:\n{noticed}");
    assert!(noticed.stderr.contains("zoomguard: notice: Zoom OAuth access token"), "{noticed}");
    assert!(noticed.stderr.contains("notes.md:1"), "{noticed}");
    assert!(!noticed.stderr.contains(&expired[..40]), "never the token itself:\n{noticed}");
    assert!(noticed.stderr.contains("1 finding below the medium bar, not blocking"), "{noticed}");
    // A scan still reports it (an audit wants the key it names)...
    let scanned = repo.zoomguard(["scan", "notes.md"]);
    assert_eq!(scanned.code, 1, "{scanned}");
    assert!(scanned.stderr.contains("low"), "{scanned}");
    // ...and a team that wants it blocked says so.
    let blocked = repo.zoomguard(["pre-commit", "--min-severity", "low"]);
    assert_eq!(blocked.code, 1, "{blocked}");
    repo.git_ok(["config", "zoomguard.blockSeverity", "low"]);
    let blocked = repo.commit(&[]);
    assert_ne!(blocked.code, 0, "zoomguard.blockSeverity low blocks expired tokens:\n{blocked}");
    repo.git_ok(["config", "--unset", "zoomguard.blockSeverity"]);

    let raised = repo.zoomguard(["pre-commit", "--min-severity", "high"]);
    assert_eq!(raised.code, 0, "{raised}");
    assert!(
        raised.stderr.contains("1 finding below the high bar, not blocking"),
        "said even without -v:\n{raised}"
    );

    repo.git_ok(["config", "zoomguard.minSeverity", "critical"]);
    repo.stage("app.env", secret_line(103));
    let passed = repo.commit(&[]);
    assert_eq!(passed.code, 0, "a high finding passes a critical bar:\n{passed}");
    assert!(passed.stderr.contains("2 findings below the critical bar"), "{passed}");

    let refresh = Synth::new(104).expand("{oauth-refresh}");
    repo.stage("tokens.json", format!("{{\"refresh_token\": \"{refresh}\"}}\n"));
    let critical = repo.commit(&[]);
    assert_ne!(critical.code, 0, "a live refresh token is critical:\n{critical}");
    assert!(critical.stderr.contains("[zoom-oauth-refresh-token]  critical"), "{critical}");

    repo.git_ok(["config", "zoomguard.minSeverity", "severe"]);
    let bad = repo.zoomguard(["pre-commit"]);
    assert_eq!(bad.code, 2, "{bad}");
    assert!(bad.stderr.contains("zoomguard.minSeverity"), "{bad}");
    let bad_flag = repo.zoomguard(["pre-commit", "--min-severity", "severe"]);
    assert_eq!(bad_flag.code, 2, "{bad_flag}");
}

/// A modified file of over 2^19 lines has its two versions compared before its new version is
/// read again for the scan (issue 16, to keep the comparison out of the peak): the same lines
/// count as added as in a small file, in the hook and in a range, and one that turns binary is
/// listed as such, not scanned.
#[test]
fn a_file_of_many_lines_reports_only_its_added_lines() {
    let repo = TestRepo::with_hook();
    let lines: Vec<String> = (0..600_000).map(|i| format!("v{i}\n")).collect();
    let old = format!("{}{}", secret_line(1), lines.concat());
    repo.commit_files_unchecked(&[("big.env", &old)]);
    let mut edited = lines.clone();
    edited[300_000] = secret_line(2);
    edited[450_000] = "a changed line\n".to_owned();
    repo.stage("big.env", format!("{}{}", secret_line(1), edited.concat()));

    let run = repo.zoomguard(["pre-commit"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stderr.contains(&redacted(&secret(2))), "the added secret:\n{run}");
    assert!(run.stderr.contains("big.env:300002"), "on its line:\n{run}");
    assert!(!run.stderr.contains(&redacted(&secret(1))), "an unchanged line was reported:\n{run}");

    repo.commit_unchecked("edit");
    let range = repo.zoomguard(["scan", "--range", "HEAD~1..HEAD"]);
    assert_eq!(range.code, 1, "{range}");
    assert!(range.stderr.contains(&redacted(&secret(2))), "{range}");
    assert!(!range.stderr.contains(&redacted(&secret(1))), "{range}");

    repo.stage("big.env", format!("\0{}{}", secret_line(3), edited.concat()));
    let binary = repo.zoomguard(["pre-commit", "-v"]);
    assert_eq!(binary.code, 0, "a binary file is skipped, not an error:\n{binary}");
    assert!(binary.stderr.contains("1 binary file skipped"), "{binary}");
}
