//! The labelled detector corpus: every case in `tests/corpus/*.txt` must be classified exactly.
//!
//! A case is a header line `### <expected> | <format> | <path>` followed by a synth template
//! (see `zoomguard::synth`) up to the next header; one trailing newline is not part of it.
//! `<expected>` is the multiset of rule ids the whole text must produce, or `none`; `<path>`
//! is the path the text pretends to have (a path that names Zoom is Zoom context). A line
//! `--- file: <path>` in a template starts another file of the same change (a manifest, a
//! sibling that calls Zoom): the change's files are scanned together, as a commit's are, so
//! what one shows about the project counts for the others. Each
//! template is expanded with a seed derived from the case, so the corpus never holds a
//! credential-shaped value and every failure is reproducible. The main test prints precision
//! and recall per rule and per format (`cargo test --test integration corpus -- --nocapture`
//! shows them when it passes) and fails listing every misclassified case.
//! `tests/corpus/known-gaps.md` lists what the detector still misses; it is not read here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use zoomguard::change::Change;
use zoomguard::detect::{scan_unsettled, settle, Finding, ScanOptions, RULES};
use zoomguard::synth::Synth;

/// Starts another file of a case's change.
const FILE_SEPARATOR: &str = "--- file: ";

/// Fewest cases the corpus may hold.
const MIN_CASES: usize = 400;
/// Fewest cases in which each rule must be expected.
const MIN_CASES_PER_RULE: usize = 3;
/// Fewest distinct format labels.
const MIN_FORMATS: usize = 15;

/// One labelled case as written in a corpus file.
struct Case {
    file: String,
    line: usize,
    header: String,
    expected: Vec<&'static str>,
    format: String,
    path: String,
    template: String,
}

impl Case {
    fn is_negative(&self) -> bool {
        self.expected.is_empty()
    }

    /// Where the case is written, for messages.
    fn at(&self) -> String {
        format!("{}:{}: {}", self.file, self.line, self.header)
    }

    /// A seed fixed by what the case says (FNV-1a), so that adding or moving other cases
    /// changes none of its values.
    fn seed(&self) -> u64 {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in self.file.bytes().chain(self.header.bytes()).chain(self.template.bytes()) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        hash
    }

    /// The template with its slots filled.
    fn text(&self) -> String {
        Synth::new(self.seed()).expand(&self.template)
    }

    /// What the detector finds in `text`, presented as a new file at the case's path (and
    /// its other files, after `--- file:` lines, as new files beside it), settled by what
    /// any of them shows about the project.
    fn scan(&self, text: &str) -> Vec<Finding> {
        let mut files = vec![(self.path.clone(), String::new())];
        for line in text.split_inclusive('\n') {
            match line.strip_prefix(FILE_SEPARATOR) {
                Some(path) => files.push((path.trim().to_owned(), String::new())),
                None => files.last_mut().expect("the case's own file").1.push_str(line),
            }
        }
        let options = ScanOptions::default();
        let mut signal = None;
        let mut findings = Vec::new();
        for (path, text) in files {
            let change = Change::new_file(path, text);
            let scanned = scan_unsettled(&change, &options);
            signal = signal.or(scanned.signal);
            findings.extend(scanned.findings);
        }
        settle(&mut findings, signal.map(std::sync::Arc::from).as_ref());
        findings
    }
}

fn rule_id(id: &str) -> Option<&'static str> {
    RULES.iter().map(|r| r.id).find(|&known| known == id)
}

/// Every case of every `*.txt` corpus file, in file name order.
fn load() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("a readable directory entry").path())
        .filter(|p| p.extension().is_some_and(|ext| ext == "txt"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for file in files {
        let name = file.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("reading {name}: {e}"));
        cases.extend(parse(&name, &text).unwrap_or_else(|e| panic!("the corpus does not parse: {e}")));
    }
    cases
}

/// The cases of one corpus file; a malformed header or an unknown rule id is an error.
fn parse(file: &str, text: &str) -> Result<Vec<Case>, String> {
    let mut cases: Vec<Case> = Vec::new();
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let Some(header) = line.strip_prefix("### ") else {
            match cases.last_mut() {
                Some(case) => case.template.push_str(line),
                None if line.trim().is_empty() => {}
                None => return Err(format!("{file}:{}: text before the first `### ` header", index + 1)),
            }
            continue;
        };
        let header = header.trim_end();
        let at = format!("{file}:{}", index + 1);
        let fields: Vec<&str> = header.split('|').map(str::trim).collect();
        let [expected, format, path] = fields[..] else {
            return Err(format!("{at}: the header needs `expected | format | path`: {header}"));
        };
        if format.is_empty() || path.is_empty() {
            return Err(format!("{at}: empty format or path: {header}"));
        }
        let expected = match expected {
            "none" => Vec::new(),
            list => list
                .split(',')
                .map(str::trim)
                .map(|id| rule_id(id).ok_or_else(|| format!("{at}: unknown rule id `{id}`")))
                .collect::<Result<Vec<_>, _>>()?,
        };
        cases.push(Case {
            file: file.to_owned(),
            line: index + 1,
            header: format!("### {header}"),
            expected,
            format: format.to_owned(),
            path: path.to_owned(),
            template: String::new(),
        });
    }
    for case in &mut cases {
        if case.template.ends_with('\n') {
            case.template.pop();
        }
        if case.template.trim().is_empty() {
            return Err(format!("{}:{}: the case has no text", case.file, case.line));
        }
    }
    Ok(cases)
}

/// Cases and findings counted for one rule or one format.
#[derive(Default, Clone, Copy)]
struct Score {
    /// Cases (for a rule: cases that expect it).
    cases: usize,
    /// Of those, cases classified exactly.
    correct: usize,
    /// Findings expected and found.
    tp: usize,
    /// Findings not expected.
    fp: usize,
    /// Findings expected and missing.
    fn_: usize,
}

impl Score {
    fn add_findings(&mut self, want: usize, have: usize) {
        let hit = want.min(have);
        self.tp += hit;
        self.fp += have - hit;
        self.fn_ += want - hit;
    }

    fn row(&self, name: &str) -> String {
        let ratio = |part: usize, whole: usize| {
            if whole == 0 {
                "-".to_owned()
            } else {
                format!("{:.3}", part as f64 / whole as f64)
            }
        };
        format!(
            "{name:<34} {:>5} {:>7} {:>4} {:>4} {:>4} {:>9} {:>7}\n",
            self.cases,
            self.correct,
            self.tp,
            self.fp,
            self.fn_,
            ratio(self.tp, self.tp + self.fp),
            ratio(self.tp, self.tp + self.fn_),
        )
    }
}

fn count(ids: &[&'static str]) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    for id in ids {
        *counts.entry(*id).or_insert(0) += 1;
    }
    counts
}

/// One table: a row per key and a total row (`all` holds the total cases and correct cases).
fn table(title: &str, rows: &BTreeMap<String, Score>, all: Score) -> String {
    let mut out = format!(
        "\n{title:<34} {:>5} {:>7} {:>4} {:>4} {:>4} {:>9} {:>7}\n",
        "cases", "correct", "tp", "fp", "fn", "precision", "recall"
    );
    let mut total = all;
    for (name, score) in rows {
        out.push_str(&score.row(name));
        total.tp += score.tp;
        total.fp += score.fp;
        total.fn_ += score.fn_;
    }
    out.push_str(&total.row("(all)"));
    out
}

#[test]
fn corpus_is_classified_exactly() {
    let cases = load();
    let mut failures = Vec::new();
    let mut by_rule: BTreeMap<String, Score> =
        RULES.iter().map(|r| (r.id.to_owned(), Score::default())).collect();
    let mut by_format: BTreeMap<String, Score> = BTreeMap::new();

    for case in &cases {
        let findings = case.scan(&case.text());
        let got: Vec<&'static str> = findings.iter().map(|f| f.rule.id).collect();
        let (want, have) = (count(&case.expected), count(&got));
        let correct = want == have;

        let format_score = by_format.entry(case.format.clone()).or_default();
        format_score.cases += 1;
        format_score.correct += usize::from(correct);
        for rule in RULES {
            let (w, h) = (want.get(rule.id).copied().unwrap_or(0), have.get(rule.id).copied().unwrap_or(0));
            format_score.add_findings(w, h);
            let rule_score = by_rule.get_mut(rule.id).expect("every rule has a row");
            rule_score.add_findings(w, h);
            if w > 0 {
                rule_score.cases += 1;
                rule_score.correct += usize::from(correct);
            }
        }
        if !correct {
            let found: Vec<String> =
                findings.iter().map(|f| format!("{} at {}:{}", f.rule.id, f.line, f.column)).collect();
            let list =
                |items: Vec<String>| if items.is_empty() { "none".to_owned() } else { items.join(", ") };
            failures.push(format!(
                "{}\n    expected: {}\n    got:      {}\n    seed:     {}",
                case.at(),
                list(case.expected.iter().map(|id| id.to_string()).collect()),
                list(found),
                case.seed(),
            ));
        }
    }

    let negatives = cases.iter().filter(|c| c.is_negative()).count();
    let all = Score { cases: cases.len(), correct: cases.len() - failures.len(), ..Score::default() };
    let mut report = format!(
        "\ncorpus: {} cases ({} positive, {negatives} negative), {} formats\n",
        cases.len(),
        cases.len() - negatives,
        by_format.len(),
    );
    report.push_str(&table("rule", &by_rule, all));
    report.push_str(&table("format", &by_format, all));
    println!("{report}");

    let mut problems = Vec::new();
    if cases.len() < MIN_CASES {
        problems.push(format!("only {} cases, need {MIN_CASES}", cases.len()));
    }
    if negatives * 2 < cases.len() {
        problems.push(format!("only {negatives} of {} cases are negatives, need half", cases.len()));
    }
    for (id, score) in &by_rule {
        if score.cases < MIN_CASES_PER_RULE {
            problems.push(format!("{id} is expected in {} cases, need {MIN_CASES_PER_RULE}", score.cases));
        }
    }
    if by_format.len() < MIN_FORMATS {
        problems.push(format!("only {} formats, need {MIN_FORMATS}", by_format.len()));
    }
    if !failures.is_empty() {
        problems.push(format!("{} misclassified cases:\n  {}", failures.len(), failures.join("\n  ")));
    }
    assert!(problems.is_empty(), "{report}\n{}", problems.join("\n"));
}

#[test]
fn debug_output_of_findings_is_redacted() {
    let mut leaks = Vec::new();
    for case in load().iter().filter(|c| !c.is_negative()) {
        let findings = case.scan(&case.text());
        let debug = format!("{findings:?}");
        if findings.is_empty() || findings.iter().any(|f| debug.contains(f.secret())) {
            leaks.push(case.at());
        }
    }
    assert!(leaks.is_empty(), "no findings, or a secret in their Debug output:\n  {}", leaks.join("\n  "));
}

#[test]
fn templates_hold_no_credential_literals() {
    // Every secret must come from a synth slot: the unexpanded template finds nothing.
    let literals: Vec<String> =
        load().iter().filter(|case| !case.scan(&case.template).is_empty()).map(Case::at).collect();
    assert!(literals.is_empty(), "use a synth slot instead of a literal in:\n  {}", literals.join("\n  "));
}

#[test]
fn header_parsing() {
    let text = "\n### zoom-client-secret, zoom-zak-token | env | app/.env\nA={s32}\n# comment\n\n\
                ### none | yaml | zoom.yml\n#### not a header\nzoom: {}\n";
    let cases = parse("t.txt", text).expect("the sample parses");
    assert_eq!(cases.len(), 2);
    assert_eq!(cases[0].expected, vec!["zoom-client-secret", "zoom-zak-token"]);
    assert_eq!((cases[0].format.as_str(), cases[0].path.as_str()), ("env", "app/.env"));
    assert_eq!(cases[0].template, "A={s32}\n# comment\n");
    assert!(cases[1].is_negative());
    assert_eq!(cases[1].template, "#### not a header\nzoom: {}");
    assert!(parse("t.txt", "### zoom-nope | env | .env\nA=1\n").is_err());
    assert!(parse("t.txt", "stray\n### none | env | .env\nA=1\n").is_err());
    assert!(parse("t.txt", "### none | env\nA=1\n").is_err());
    assert!(parse("t.txt", "### none | env | .env\n\n").is_err());
}
