//! The house mirrors the layering it teaches: the stages of `src/` depend on each other in one
//! direction only. This test reads every source file's `crate::…` paths (tests and comments
//! aside), builds the graph of top-level modules, and fails on a cycle or a forbidden edge.
//! Run it alone with `cargo test --test layers -- --nocapture` to see the graph.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Graph = BTreeMap<String, BTreeSet<String>>;

/// Each top-level module of `src/` and the top-level modules its code names.
fn module_graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph = Graph::new();
    for path in rust_files(&src) {
        let relative = path.strip_prefix(&src).expect("under src");
        let first = relative.components().next().expect("a file");
        let top = first
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if top == "lib" || top == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("readable source");
        let names = graph.entry(top.clone()).or_default();
        for used in crate_paths(&code_of(&text)) {
            if used != top {
                names.insert(used);
            }
        }
    }
    let known: BTreeSet<String> = graph.keys().cloned().collect();
    for deps in graph.values_mut() {
        deps.retain(|d| known.contains(d));
    }
    graph
}

fn rust_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs")
            && path.file_name().is_some_and(|n| n != "tests.rs")
        {
            out.push(path);
        }
    }
    out
}

/// The code of a file without its unit tests and comments.
fn code_of(text: &str) -> String {
    let code = text.split("#[cfg(test)]").next().unwrap_or(text);
    code.lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The module names after `crate::`, including those in `crate::{a, b::c}` groups.
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let inner = group.split('}').next().unwrap_or("");
            for item in inner.split(',') {
                out.insert(leading_name(item.trim()));
            }
        } else {
            out.insert(leading_name(rest));
        }
    }
    out.retain(|n| !n.is_empty());
    out
}

fn leading_name(text: &str) -> String {
    text.chars()
        .take_while(|c| c.is_ascii_lowercase() || *c == '_' || c.is_ascii_digit())
        .collect()
}

/// The modules on a cycle, if any (each strongly connected group of two or more).
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    for start in graph.keys() {
        let reach = reachable(graph, start);
        let group: Vec<String> = reach
            .iter()
            .filter(|m| *m != start && reachable(graph, m).contains(start))
            .cloned()
            .collect();
        if !group.is_empty() && group.iter().all(|m| m > start) {
            let mut cycle = vec![start.clone()];
            cycle.extend(group);
            found.push(cycle);
        }
    }
    found
}

fn reachable(graph: &Graph, from: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![from.to_string()];
    while let Some(m) = todo.pop() {
        for next in graph.get(&m).into_iter().flatten() {
            if seen.insert(next.clone()) {
                todo.push(next.clone());
            }
        }
    }
    seen
}

#[test]
fn the_top_level_modules_have_no_cycle() {
    let graph = module_graph();
    for (module, deps) in &graph {
        println!(
            "{module} -> {}",
            deps.iter().cloned().collect::<Vec<_>>().join(" ")
        );
    }
    assert!(graph.contains_key("translate") && graph.contains_key("session"));
    let found = cycles(&graph);
    assert!(
        found.is_empty(),
        "modules that depend on each other: {found:?}"
    );
}

#[test]
fn each_stage_reaches_only_the_stages_before_it() {
    let graph = module_graph();
    let forbidden: &[(&str, &[&str])] = &[
        (
            "syntax",
            &[
                "mapper",
                "translate",
                "sql",
                "render",
                "db",
                "session",
                "view",
            ],
        ),
        (
            "sql",
            &["syntax", "mapper", "translate", "db", "session", "view"],
        ),
        ("mapper", &["translate", "db", "session", "view"]),
        (
            "translate",
            &["db", "session", "view", "shell", "lessons", "demo"],
        ),
        ("render", &["syntax", "translate", "db", "session", "view"]),
        ("db", &["syntax", "mapper", "translate", "session", "view"]),
        (
            "session",
            &["view", "shell", "lessons", "demo", "transcript"],
        ),
        ("view", &["translate", "db", "shell", "lessons", "demo"]),
    ];
    let mut wrong = Vec::new();
    for (module, not_these) in forbidden {
        for dep in graph.get(*module).into_iter().flatten() {
            if not_these.contains(&dep.as_str()) {
                wrong.push(format!("{module} -> {dep}"));
            }
        }
    }
    assert!(wrong.is_empty(), "a stage reaches a later one: {wrong:?}");
}

#[test]
fn the_session_keeps_only_the_session() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/session");
    let lines: usize = rust_files(&dir)
        .iter()
        .map(|p| {
            code_of(&std::fs::read_to_string(p).expect("readable"))
                .lines()
                .count()
        })
        .sum();
    println!("src/session/: {lines} lines of non-test code");
    assert!(
        lines <= 2500,
        "src/session/ holds {lines} lines of non-test code (at most 2,500)"
    );
}

#[test]
fn the_graph_reader_sees_grouped_and_nested_paths() {
    let names = crate_paths("use crate::{sql::Value, error};\nlet x = crate::db::Rows::default();");
    assert_eq!(
        names.into_iter().collect::<Vec<_>>(),
        vec!["db".to_string(), "error".to_string(), "sql".to_string()]
    );
    let mut graph = Graph::new();
    graph.insert("a".into(), ["b".to_string()].into());
    graph.insert("b".into(), ["a".to_string()].into());
    graph.insert("c".into(), ["a".to_string()].into());
    assert_eq!(cycles(&graph), vec![vec!["a".to_string(), "b".to_string()]]);
}
