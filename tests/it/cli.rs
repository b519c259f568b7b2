//! The self-describing commands: `zoomguard rules`, `--help` with examples, and shell
//! completions generated from the same argument definitions.

use zoomguard::detect::RULES;

use super::support::TestRepo;

#[test]
fn rules_lists_every_detector_with_a_value_free_example() {
    let repo = TestRepo::new();
    let run = repo.zoomguard(["rules"]);
    assert_eq!(run.code, 0, "{run}");
    for rule in RULES {
        let block = run
            .stdout
            .split("\n\n")
            .find(|b| b.starts_with(rule.id))
            .unwrap_or_else(|| panic!("{} missing:\n{run}", rule.id));
        assert!(block.contains(rule.kind.name()) && block.contains(rule.matches), "{block}");
        assert!(block.contains("  example   ") && block.contains('<'), "the example shows a shape:\n{block}");
        assert!(!block.contains('{'), "an example slot was left unexplained:\n{block}");
    }
}

#[test]
fn help_shows_examples_and_exit_codes() {
    let repo = TestRepo::new();
    let run = repo.zoomguard(["--help"]);
    assert_eq!(run.code, 0, "{run}");
    for expected in
        ["Examples:", "scan --history", "--format", "--baseline", "Exit codes:", "zoomguard allow"]
    {
        assert!(run.stdout.contains(expected), "--help lacks {expected:?}:\n{run}");
    }
}

#[test]
fn completions_cover_every_subcommand() {
    let repo = TestRepo::new();
    for shell in ["bash", "zsh", "fish"] {
        let run = repo.zoomguard(["completions", shell]);
        assert_eq!(run.code, 0, "{run}");
        for subcommand in ["pre-commit", "pre-push", "scan", "allow", "rules", "install"] {
            assert!(run.stdout.contains(subcommand), "{shell} completions lack {subcommand}");
        }
    }
    let bad = repo.zoomguard(["completions", "cmd.exe"]);
    assert_eq!(bad.code, 2, "{bad}");
}
