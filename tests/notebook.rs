//! Notebooks: code cells checked in order with cell and line in every location; exercises
//! opaque; solutions run against the notebook's own tests; malformed JSON reported in place;
//! the bundled ResNets notebook lints clean, and would not if its solution were wrong.

use lessonlint::config::Config;
use lessonlint::lint::{lint_paths, LintOutcome};
use lessonlint::report::position;
use lessonlint::workspace::LoadOptions;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/notebooks")
        .join(name)
}

fn bundled() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("curriculum/series-3/module-3-2/notebooks/resnets.ipynb")
}

fn lint(paths: &[PathBuf]) -> LintOutcome {
    lint_paths(paths, &Config::defaults(), &LoadOptions::default()).expect("lint runs")
}

/// `(rule, line, column, message, label)` of every finding.
fn found(o: &LintOutcome) -> Vec<(String, usize, usize, String, String)> {
    o.findings
        .iter()
        .map(|f| {
            let p = position(o.sources(), f);
            (
                f.rule.to_string(),
                p.line,
                p.column,
                f.message.clone(),
                f.label.clone().unwrap_or_default(),
            )
        })
        .collect()
}

/// The text a finding's span covers.
fn covered(o: &LintOutcome, i: usize) -> String {
    let f = &o.findings[i];
    o.sources().get(f.file).text[f.span.start..f.span.end].to_string()
}

#[test]
fn solution_that_fails_the_shape_test_is_reported_at_the_solution() {
    let o = lint(&[fixture("solution_fails_test.ipynb")]);
    let got = found(&o);
    let sol: Vec<_> = got
        .iter()
        .enumerate()
        .filter(|(_, f)| f.0 == "solution-fails-notebook-test")
        .collect();
    assert_eq!(sol.len(), 1, "{got:#?}");
    let (i, (_, line, _, message, label)) = sol[0];
    assert_eq!(
        message,
        "the solution in cell 4 fails the notebook's test in cell 5: AssertionError: `out.shape` is torch.Size([2, 128, 32, 32]); the test expects (2, 128, 16, 16)"
    );
    assert_eq!(label, "the solution (cell 4, line 5)");
    // The markdown cell's source line holding the solution's class, inside the JSON.
    assert_eq!(*line, 52);
    assert_eq!(covered(&o, i), "class ResidualBlock(nn.Module):");
    // The failing assert is a related label in the test cell.
    let related = &o.findings[i].labels;
    assert!(
        related
            .iter()
            .any(|l| l.message == "the test fails here (cell 5, line 7)"),
        "{related:?}"
    );
    // The probe of the same class would only repeat it.
    assert_eq!(got.len(), 1, "{got:#?}");
}

#[test]
fn solution_that_raises_is_reported_at_the_failing_solution_line() {
    let o = lint(&[fixture("solution_raises.ipynb")]);
    let got = found(&o);
    let i = got
        .iter()
        .position(|f| f.0 == "solution-fails-notebook-test")
        .expect("a solution finding");
    assert_eq!(
        got[i].3,
        "the solution in cell 3 fails the notebook's test in cell 4: RuntimeError: The size of tensor a (16) must match the size of tensor b (32) at non-singleton dimension 3"
    );
    assert_eq!(got[i].4, "the solution (cell 3, line 22)");
    assert_eq!(covered(&o, i), "out + self.shortcut(x)");
    assert!(o.findings[i]
        .labels
        .iter()
        .any(|l| l.message == "called from here (cell 4, line 6)"));
}

#[test]
fn a_correct_solution_is_clean() {
    let o = lint(&[fixture("solution_passes.ipynb")]);
    assert!(o.findings.is_empty(), "{:#?}", found(&o));
}

#[test]
fn exercises_without_solutions_are_opaque_never_false_errors() {
    let o = lint(&[fixture("scaffold_without_solution.ipynb")]);
    assert!(o.findings.is_empty(), "{:#?}", found(&o));
}

#[test]
fn cell_errors_carry_cell_and_line() {
    let o = lint(&[fixture("cell_errors.ipynb")]);
    let got: Vec<(String, usize, String, String)> = found(&o)
        .into_iter()
        .map(|(r, l, _, m, lab)| (r, l, m, lab))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "python-runtime-error".into(),
                30,
                "RuntimeError: mat1 and mat2 shapes cannot be multiplied (12x2048 and 512x1000)"
                    .into(),
                "fails here (cell 3, line 2)".into()
            ),
            (
                "expected-error-missing".into(),
                43,
                "this block is marked to fail, but it runs without error".into(),
                "here (cell 4, line 1)".into()
            ),
            (
                "python-syntax-error".into(),
                52,
                "SyntaxError: expected ':'".into(),
                "syntax error (cell 5, line 1)".into()
            ),
            (
                "parameter-claim-contradicts-reference".into(),
                60,
                "the text gives ResNet-50 23M parameters; the reference ResNet-50 has 25,557,032 (25.6M)".into(),
                "ResNet-50 has 25.6M parameters (cell 6, line 1)".into()
            ),
        ]
    );
    assert_eq!(covered(&o, 0), "fc(x)");
    assert_eq!(covered(&o, 3), "23M parameters");
}

#[test]
fn malformed_json_is_a_finding_at_its_place() {
    let o = lint(&[fixture("malformed.ipynb")]);
    let got = found(&o);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, "malformed-notebook");
    assert_eq!(got[0].3, "invalid JSON: expected `,` or `]`");
    assert_eq!((got[0].1, got[0].2), (14, 3));
}

#[test]
fn truncated_and_odd_notebooks_never_panic() {
    let text = std::fs::read_to_string(fixture("solution_passes.ipynb")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut cut = 0;
    while cut < text.len() {
        if text.is_char_boundary(cut) {
            let p = dir.path().join("cut.ipynb");
            std::fs::write(&p, &text[..cut]).unwrap();
            let o = lint(&[p]);
            for f in &o.findings {
                assert!(f.span.end <= text.len());
            }
        }
        cut += 97;
    }
    for odd in [
        "{\"cells\": 3}",
        "{\"cells\": [{\"cell_type\": \"code\", \"source\": [1, 2]}]}",
        "{\"cells\": [{\"cell_type\": \"code\", \"source\": \"x = (\"}]}",
        "{\"cells\": [{\"cell_type\": \"markdown\", \"source\": \"```python\\nclass A:\\n```\"}]}",
        "\u{feff}{}",
    ] {
        let p = dir.path().join("odd.ipynb");
        std::fs::write(&p, odd).unwrap();
        let _ = lint(&[p]);
    }
}

#[test]
fn the_bundled_resnets_notebook_lints_clean() {
    let o = lint(&[bundled()]);
    assert!(o.findings.is_empty(), "{:#?}", found(&o));
}

#[test]
fn the_bundled_notebook_is_checked_not_skipped() {
    // Break the block's solution in a copy: the notebook's own tests must catch it.
    let text = std::fs::read_to_string(bundled()).unwrap();
    let good = "self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)";
    let solution_at = text.find("Solution").unwrap();
    let at = solution_at + text[solution_at..].find(good).unwrap();
    let broken = format!(
        "{}{}{}",
        &text[..at],
        good.replace("stride=stride", "stride=1"),
        &text[at + good.len()..]
    );
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("resnets.ipynb");
    std::fs::write(&p, broken).unwrap();
    let o = lint(&[p]);
    let got = found(&o);
    assert!(
        got.iter().any(|f| f.0 == "solution-fails-notebook-test"
            && f.3
                .starts_with("the solution in cell 9 fails the notebook's test in cell 11")),
        "{got:#?}"
    );
}

#[test]
fn a_lesson_plan_and_its_notebook_lint_together() {
    let lesson = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("curriculum/series-3/module-3-2/lessons/resnets.md");
    let o = lint(&[lesson.clone(), fixture("solution_fails_test.ipynb")]);
    // The lesson is read with its curriculum around it; the run reports on the two files given.
    assert_eq!(o.workspace.scoped_lessons().count(), 1);
    assert_eq!(
        o.workspace
            .notebooks
            .iter()
            .filter(|&&id| o.workspace.in_scope(id))
            .count(),
        1
    );
    let files: Vec<&str> = o
        .findings
        .iter()
        .map(|f| o.sources().get(f.file).name.as_str())
        .collect();
    assert!(
        files
            .iter()
            .all(|n| n.ends_with("solution_fails_test.ipynb")),
        "{files:?}"
    );
    assert!(o
        .findings
        .iter()
        .any(|f| f.rule == "solution-fails-notebook-test"));
    let o = lint(&[lesson, bundled()]);
    assert!(o.findings.is_empty(), "{:#?}", found(&o));
}
