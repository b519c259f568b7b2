//! The code's shape, checked like its behaviour: data flows one way (no module imports one
//! that imports it back), detection is pure (no git, no source, no report in `detect`), clap
//! stays in `cli` and `main`, the synthetic-credential generator is test support only,
//! `main.rs` stays one screen and no source file grows past what one reader can hold. Reads `src/` as text; test code (an item
//! under `#[cfg(test)]`) is left out, as it may reach anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

const SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
const MAIN_LINES_MAX: usize = 60;
const FILE_LINES_MAX: usize = 600;

/// `text` without its comment lines, whose links name modules they do not import.
fn without_comments(text: &str) -> String {
    text.lines().filter(|line| !line.trim_start().starts_with("//")).map(|line| format!("{line}\n")).collect()
}

/// Every `.rs` file under `src/`, relative to it, with its text minus test code.
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).expect("reading src/") {
            let path = entry.expect("reading src/").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut paths = Vec::new();
    walk(Path::new(SRC), &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = fs::read_to_string(&path).expect("reading a source file");
            let name = path.strip_prefix(SRC).expect("under src/").to_string_lossy().replace('\\', "/");
            (name, without_test_code(&text))
        })
        .collect()
}

/// `text` without the items marked `#[cfg(test)]`: the line after the mark, and when it opens
/// a block, every line up to the one that closes it.
fn without_test_code(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.trim() != "#[cfg(test)]" {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let mut depth = 0i64;
        for item_line in lines.by_ref() {
            depth += item_line.matches('{').count() as i64 - item_line.matches('}').count() as i64;
            if depth <= 0 && (item_line.trim_end().ends_with('}') || item_line.trim_end().ends_with(';')) {
                break;
            }
        }
    }
    out
}

/// The top-level module a file under `src/` belongs to (`detect/keyed.rs` → `detect`).
fn module_of(file: &str) -> String {
    let first = file.split('/').next().unwrap_or(file);
    first.trim_end_matches(".rs").to_owned()
}

/// The top-level modules each module names through `crate::`, itself left out.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, text) in sources() {
        let me = module_of(&file);
        if me == "main" || me == "lib" {
            continue;
        }
        let uses = graph.entry(me.clone()).or_default();
        let text = without_comments(&text);
        for (at, _) in text.match_indices("crate::") {
            let name: String = text[at + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && name != me {
                uses.insert(name);
            }
        }
    }
    graph
}

/// For each directory module (`detect`, `source`…), the sibling files each of its files
/// names through `super::` or `crate::<module>::`, itself and the module's root left out.
fn sibling_graphs() -> BTreeMap<String, BTreeMap<String, BTreeSet<String>>> {
    let mut graphs: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    let files = sources();
    let names: BTreeSet<&str> = files.iter().map(|(file, _)| file.as_str()).collect();
    for (file, text) in &files {
        let Some((dir, leaf)) = file.split_once('/') else { continue };
        let me = leaf.trim_end_matches(".rs");
        if me == "mod" {
            continue;
        }
        let uses = graphs.entry(dir.to_owned()).or_default().entry(me.to_owned()).or_default();
        let through_crate = format!("crate::{dir}::");
        let text = without_comments(text);
        for prefix in ["super::", through_crate.as_str()] {
            for (at, _) in text.match_indices(prefix) {
                let name: String = text[at + prefix.len()..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if name != me && names.contains(format!("{dir}/{name}.rs").as_str()) {
                    uses.insert(name);
                }
            }
        }
    }
    graphs
}

/// A cycle in `graph`, as the modules along it, if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let graph = module_graph();
    assert!(graph.contains_key("detect") && graph.contains_key("source"), "{graph:?}");
    assert_eq!(find_cycle(&graph), None, "the module graph: {graph:#?}");
}

#[test]
fn no_file_of_a_module_imports_a_sibling_that_imports_it_back() {
    let graphs = sibling_graphs();
    assert!(graphs.get("detect").is_some_and(|g| g.contains_key("keyed")), "{graphs:?}");
    for (dir, graph) in &graphs {
        assert_eq!(find_cycle(graph), None, "src/{dir}: {graph:#?}");
    }
}

#[test]
fn the_cycle_check_finds_a_cycle() {
    let mut graph = BTreeMap::new();
    graph.insert("a".to_owned(), BTreeSet::from(["b".to_owned()]));
    graph.insert("b".to_owned(), BTreeSet::from(["c".to_owned()]));
    graph.insert("c".to_owned(), BTreeSet::from(["a".to_owned()]));
    assert_eq!(find_cycle(&graph).map(|c| c.len()), Some(4));
    graph.insert("c".to_owned(), BTreeSet::new());
    assert_eq!(find_cycle(&graph), None);
}

#[test]
fn test_code_is_left_out() {
    let text = "fn kept() {}\n#[cfg(test)]\nmod tests {\n    fn a() {\n    }\n}\nfn also_kept() {}\n";
    assert_eq!(without_test_code(text), "fn kept() {}\nfn also_kept() {}\n");
    assert_eq!(without_test_code("#[cfg(test)]\nuse a::b;\nuse c::d;\n"), "use c::d;\n");
    assert_eq!(without_comments("/// see [`crate::x`]\nfn f() {}\n"), "fn f() {}\n");
}

#[test]
fn detection_knows_no_git_no_source_and_no_report() {
    for (file, text) in sources().into_iter().filter(|(file, _)| file.starts_with("detect/")) {
        for forbidden in ["git2", "crate::source", "crate::report", "crate::engine", "crate::commands"] {
            assert!(!text.contains(forbidden), "src/{file} names {forbidden}");
        }
    }
}

#[test]
fn clap_stays_at_the_edge() {
    for (file, text) in sources() {
        if file != "cli.rs" && file != "main.rs" {
            assert!(!without_comments(&text).contains("clap"), "src/{file} names clap");
        }
    }
}

#[test]
fn the_synthetic_credential_generator_is_test_support_only() {
    let lib = fs::read_to_string(format!("{SRC}/lib.rs")).expect("reading lib.rs");
    let declared =
        lib.lines().position(|line| line.trim() == "pub mod synth;").expect("lib.rs declares synth");
    let gate = lib.lines().take(declared).filter(|l| !l.trim_start().starts_with("///")).last();
    assert_eq!(gate.map(str::trim), Some("#[cfg(any(test, feature = \"synth\"))]"));
    for (file, text) in sources() {
        if file != "synth.rs" && file != "lib.rs" {
            assert!(!text.contains("synth::"), "src/{file} uses synth outside its tests");
        }
    }
}

#[test]
fn main_stays_one_screen_and_files_stay_readable() {
    // Comments count: a reader holds them too.
    let main = fs::read_to_string(format!("{SRC}/main.rs")).expect("reading main.rs");
    assert!(main.lines().count() <= MAIN_LINES_MAX, "main.rs has {} lines", main.lines().count());
    let too_long: Vec<String> = sources()
        .into_iter()
        .map(|(file, text)| (file, text.lines().count()))
        .filter(|(_, lines)| *lines > FILE_LINES_MAX)
        .map(|(file, lines)| format!("src/{file}: {lines} lines"))
        .collect();
    assert!(too_long.is_empty(), "over {FILE_LINES_MAX} lines of non-test code: {too_long:?}");
}
