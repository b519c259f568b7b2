//! Project context through the real binary: a generic name (`API_SECRET`, `clientSecret`)
//! holds a Zoom secret when the repository shows that it uses Zoom (a manifest, another staged
//! file, its name, or `zoomguard.zoomProject`), and the report says which sign counted.

use super::support::TestRepo;
use zoomguard::synth::Synth;

const MANIFEST: &str = "{\"name\": \"classroom\", \"dependencies\": {\"@zoom/meetingsdk\": \"^3.1.6\"}}\n";
const PLAIN_MANIFEST: &str = "{\"name\": \"classroom\", \"dependencies\": {\"express\": \"^4.19.0\"}}\n";

/// A `.env` that never says Zoom: a JWT-app key and secret under generic names.
fn generic_env(seed: u64) -> (String, String) {
    let mut synth = Synth::new(seed);
    let (key, secret) = (synth.uuid22(), synth.alnum(36));
    (format!("PORT=3000\nAPI_KEY={key}\nAPI_SECRET={secret}\n"), secret)
}

#[test]
fn a_manifest_at_head_makes_a_generic_name_count_and_the_report_says_so() {
    let repo = TestRepo::with_hook();
    repo.commit_files_unchecked(&[("package.json", MANIFEST)]);
    let (env, secret) = generic_env(1);
    repo.stage("server/config/dev.env", &env);
    let blocked = repo.commit(&[]);
    assert_eq!(blocked.code, 1, "{blocked}");
    assert!(blocked.stderr.contains("[zoom-jwt-api-secret]"), "{blocked}");
    assert!(
        blocked.stderr.contains("this repository uses Zoom: package.json depends on @zoom/meetingsdk"),
        "{blocked}"
    );
    assert!(!blocked.all().contains(&secret), "never the secret itself");

    let json = repo.zoomguard(["pre-commit", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("a JSON report");
    assert_eq!(
        report["findings"][0]["zoom_context"],
        "this repository uses Zoom: package.json depends on @zoom/meetingsdk"
    );
}

#[test]
fn without_a_sign_of_zoom_a_generic_name_is_not_a_finding() {
    let repo = TestRepo::with_hook();
    repo.commit_files_unchecked(&[("package.json", PLAIN_MANIFEST)]);
    repo.stage(".env", generic_env(2).0);
    let passed = repo.commit(&[]);
    assert_eq!(passed.code, 0, "{passed}");
    assert!(repo.head().is_some());
}

#[test]
fn another_staged_file_that_calls_zoom_is_enough() {
    let repo = TestRepo::with_hook();
    let mut synth = Synth::new(3);
    let config = format!(
        "module.exports = {{ clientId: '{}', clientSecret: '{}' }};\n",
        synth.uuid22(),
        synth.alnum(32)
    );
    repo.stage("config.js", &config);
    repo.stage("public/index.html", "<script>ZoomMtg.init({ leaveUrl: '/' })</script>\n");
    let blocked = repo.commit(&[]);
    assert_eq!(blocked.code, 1, "{blocked}");
    assert!(blocked.stderr.contains("[zoom-client-secret]"), "{blocked}");
    assert!(blocked.stderr.contains("public/index.html uses ZoomMtg"), "{blocked}");
}

#[test]
fn the_repositorys_name_or_the_config_decides_too() {
    let named = TestRepo::named("zoom-attendance-bot");
    named.install();
    named.stage(".env", generic_env(4).0);
    let blocked = named.commit(&[]);
    assert_eq!(blocked.code, 1, "{blocked}");
    assert!(blocked.stderr.contains("the repository's directory names Zoom"), "{blocked}");

    let repo = TestRepo::with_hook();
    repo.stage(".env", generic_env(5).0);
    repo.git_ok(["config", "zoomguard.zoomProject", "true"]);
    let forced = repo.zoomguard(["pre-commit"]);
    assert_eq!(forced.code, 1, "{forced}");
    assert!(forced.stderr.contains("git config zoomguard.zoomProject is true"), "{forced}");

    // `false` overrides what the manifest says.
    repo.write("package.json", MANIFEST);
    repo.add(&["package.json"]);
    assert_eq!(repo.zoomguard(["pre-commit"]).code, 1, "the staged manifest says Zoom");
    repo.git_ok(["config", "zoomguard.zoomProject", "false"]);
    let off = repo.zoomguard(["pre-commit"]);
    assert_eq!(off.code, 0, "{off}");
}

#[test]
fn history_reads_each_commits_own_manifests() {
    let repo = TestRepo::new();
    let (env, _) = generic_env(6);
    // Before the project used Zoom, the same names meant nothing.
    repo.commit_files_unchecked(&[("package.json", PLAIN_MANIFEST), ("old/.env", &env)]);
    repo.commit_files_unchecked(&[("package.json", MANIFEST)]);
    let (env, _) = generic_env(7);
    repo.commit_files_unchecked(&[("new/.env", &env)]);
    let history = repo.zoomguard(["scan", "--history", "--format", "json"]);
    assert_eq!(history.code, 1, "{history}");
    let report: serde_json::Value = serde_json::from_str(&history.stdout).expect("a JSON report");
    let paths: Vec<&str> =
        report["findings"].as_array().expect("findings").iter().filter_map(|f| f["path"].as_str()).collect();
    assert_eq!(paths, ["new/.env"], "{history}");
}
