//! Snippet findings through the whole lint pipeline land on the same line and column whatever
//! the file's line endings or the fence's indentation.

use lessonlint::config::Config;
use lessonlint::lint::lint_paths;
use lessonlint::report::position;
use lessonlint::workspace::LoadOptions;
use std::path::Path;

fn snippet_positions(text: &str) -> Vec<(String, usize, usize, String)> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("lesson.md");
    std::fs::write(&p, text).unwrap();
    let o = lint_paths(&[p], &Config::defaults(), &LoadOptions::default()).unwrap();
    o.findings
        .iter()
        .filter(|f| f.rule.starts_with("python-") || f.rule == "expected-error-missing")
        .map(|f| {
            let pos = position(o.sources(), f);
            let file = o.sources().get(f.file);
            (
                f.rule.to_string(),
                pos.line,
                pos.column,
                file.text[f.span.start..f.span.end].to_string(),
            )
        })
        .collect()
}

#[test]
fn crlf_file_reports_the_same_place_as_lf() {
    let lf = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/rules/python-runtime-error/fail.md"),
    )
    .unwrap();
    let crlf = lf.replace('\n', "\r\n");
    let a = snippet_positions(&lf);
    let b = snippet_positions(&crlf);
    assert_eq!(a.len(), 1, "{a:?}");
    assert_eq!(a[0].3, "out + self.shortcut(x)");
    assert_eq!(a, b);
}

#[test]
fn fence_inside_a_list_item_maps_back_to_the_file() {
    let text = "# Lesson: T\n\n1. Build it:\n\n    ```python\n    import torch\n    a = torch.zeros(2, 3)\n    b = torch.zeros(4, 3)\n    c = a + b\n    ```\n";
    let found = snippet_positions(text);
    assert_eq!(found.len(), 1, "{found:?}");
    let (rule, line, column, span_text) = &found[0];
    assert_eq!(rule, "python-runtime-error");
    assert_eq!((*line, *column), (9, 9));
    assert_eq!(span_text, "a + b");
}

#[test]
fn builtins_consume_generator_expressions_once() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/snippets_generators.md"),
    )
    .unwrap();
    assert_eq!(snippet_positions(&text), vec![]);
}

#[test]
fn several_index_arrays_broadcast_together() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/snippets_advanced_indexing.md"),
    )
    .unwrap();
    assert_eq!(snippet_positions(&text), vec![]);
    let bad = "# Lesson: A\n\n```python\nimport torch\nx = torch.randn(4, 10)\nx[[0, 1, 2], [0, 1]]\n```\n";
    let found = snippet_positions(bad);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].1, 6);
}
