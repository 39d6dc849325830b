//! `lessonlint graph`: snapshots of the three views (course, `--lesson`, `--concept`) in the
//! three formats on the base fixture tree; the DOT output renders with Graphviz (when `dot` is
//! installed); the CLI's exit codes.

use lessonlint::config::Config;
use lessonlint::graph::{render, ConceptGraph, GraphFormat, GraphOptions};
use lessonlint::rules::cross::match_settings;
use lessonlint::workspace::{load, LoadOptions};
use std::path::PathBuf;
use std::process::Command;

/// The base tree, by a path relative to the package root (so names in the output are stable).
fn base() -> PathBuf {
    PathBuf::from("tests/fixtures/trees/base")
}

fn rendered(format: GraphFormat, lesson: Option<&str>, concept: Option<&str>) -> String {
    rendered_from(base(), format, lesson, concept)
}

fn rendered_from(
    tree: PathBuf,
    format: GraphFormat,
    lesson: Option<&str>,
    concept: Option<&str>,
) -> String {
    let ws = load(&[tree], &LoadOptions::default()).expect("load");
    let cur = ws.curriculum();
    let g = ConceptGraph::build(&cur, &match_settings(&Config::defaults()));
    render(
        &cur,
        &g,
        &GraphOptions {
            format,
            lesson: lesson.map(String::from),
            concept: concept.map(String::from),
        },
    )
    .expect("render")
}

const VIEWS: [(&str, Option<&str>, Option<&str>); 3] = [
    ("course", None, None),
    ("lesson_resnets", Some("resnets"), None),
    (
        "concept_batch_normalization",
        None,
        Some("batch normalization"),
    ),
];

const FORMATS: [(&str, GraphFormat); 3] = [
    ("dot", GraphFormat::Dot),
    ("mermaid", GraphFormat::Mermaid),
    ("json", GraphFormat::Json),
];

#[test]
fn exports_are_snapshotted() {
    for (view, lesson, concept) in VIEWS {
        for (name, format) in FORMATS {
            let out = rendered(format, lesson, concept);
            insta::assert_snapshot!(format!("graph_{view}_{name}"), out);
        }
    }
}

#[test]
fn output_is_the_same_from_run_to_run() {
    for (_, lesson, concept) in VIEWS {
        for (_, format) in FORMATS {
            assert_eq!(
                rendered(format, lesson, concept),
                rendered(format, lesson, concept)
            );
        }
    }
}

#[test]
fn json_exports_parse() {
    for (_, lesson, concept) in VIEWS {
        let out = rendered(GraphFormat::Json, lesson, concept);
        serde_json::from_str::<serde_json::Value>(&out).expect("valid JSON");
    }
}

#[test]
fn mermaid_exports_are_well_formed() {
    for (_, lesson, concept) in VIEWS {
        let out = rendered(GraphFormat::Mermaid, lesson, concept);
        assert!(out.lines().any(|l| l == "flowchart LR"), "{out}");
        let opened = out
            .lines()
            .filter(|l| l.trim_start().starts_with("subgraph "))
            .count();
        let closed = out.lines().filter(|l| l.trim() == "end").count();
        assert_eq!(opened, closed, "{out}");
        // Labels are quoted, and quotes inside them are entity codes.
        for l in out.lines().filter(|l| l.contains('"')) {
            assert_eq!(l.matches('"').count() % 2, 0, "{l}");
        }
    }
}

#[test]
fn dot_exports_render_with_graphviz() {
    let ok = Command::new("dot")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        println!("skipped: Graphviz `dot` is not installed");
        return;
    }
    // The base tree and the bundled course (whose course view is large and has lessons that
    // both require and teach a concept).
    let trees = [base(), PathBuf::from("curriculum")];
    for (tree, (view, lesson, concept)) in
        trees.iter().flat_map(|t| VIEWS.iter().map(move |v| (t, v)))
    {
        let out = rendered_from(tree.clone(), GraphFormat::Dot, *lesson, *concept);
        let dir = tempfile::tempdir().expect("tempdir");
        let src = dir.path().join("g.dot");
        std::fs::write(&src, &out).expect("write");
        let r = Command::new("dot")
            .arg("-Tsvg")
            .arg(&src)
            .output()
            .expect("run dot");
        let stderr = String::from_utf8_lossy(&r.stderr);
        assert!(
            r.status.success() && r.stdout.starts_with(b"<?xml") && !stderr.contains("Error"),
            "{}: {view}: {stderr}",
            tree.display()
        );
    }
}

fn cli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_lessonlint"))
        .args(args)
        .output()
        .expect("run lessonlint")
}

#[test]
fn cli_graph_views_and_errors() {
    let b = base();
    let b = b.to_str().expect("utf-8 path");
    let o = cli(&["graph", b, "--lesson", "resnets", "--format", "dot"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("digraph \"resnets\""));
    let o = cli(&[
        "graph",
        b,
        "--concept",
        "Batch normalization",
        "-f",
        "mermaid",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let o = cli(&["graph", b, "--lesson", "resnet"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr).trim(),
        "error: no lesson `resnet` in the curriculum; did you mean `resnets`?"
    );
    let o = cli(&["graph", b, "--lesson", "resnets", "--concept", "x"]);
    assert_eq!(o.status.code(), Some(2));
    let o = cli(&["graph", "no/such/dir"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn every_dot_view_asks_for_newrank() {
    // Graphviz 2.43 fails with `trouble in init_rank` on clustered views without it.
    for tree in [base(), PathBuf::from("curriculum")] {
        for (view, lesson, concept) in VIEWS {
            let out = rendered_from(tree.clone(), GraphFormat::Dot, lesson, concept);
            let header = out.lines().nth(1).unwrap_or_default();
            assert!(
                header.starts_with("  graph [") && header.contains("newrank=true"),
                "{}: {view}: {header}",
                tree.display()
            );
        }
    }
}

#[test]
fn cli_graph_says_what_is_missing() {
    // A lesson plan with no curriculum around it, as a file and as a folder: exit 2, no graph.
    let dir = tempfile::tempdir().expect("tempdir");
    let lesson = dir.path().join("resnets.md");
    std::fs::copy("curriculum/series-3/module-3-2/lessons/resnets.md", &lesson).expect("copy");
    for p in [lesson.as_path(), dir.path()] {
        let o = cli(&["graph", p.to_str().expect("utf-8")]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(o.stdout.is_empty());
        assert!(err.contains("no curriculum to graph"), "{err}");
        assert!(err.contains("a lesson plan on its own"), "{err}");
    }
    // A lesson plan inside a curriculum: its own view, drawn from the whole curriculum.
    let o = cli(&["graph", "curriculum/series-3/module-3-2/lessons/resnets.md"]);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.starts_with("digraph \"resnets\""), "{out}");
    assert!(out.contains("training-dynamics"), "{out}");
    // No suggestion when nothing is alike; a suggestion when a word is shared.
    let o = cli(&["graph", "curriculum", "--concept", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr).trim(),
        "error: no concept matches `nope`; `lessonlint graph --format json` lists the concepts"
    );
    let o = cli(&["graph", "curriculum", "--concept", "residual"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr).trim(),
        "error: no concept matches `residual`; the closest is `Residual connection` (score 0.50)"
    );
}
