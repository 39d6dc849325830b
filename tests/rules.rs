//! Per-rule fixtures: `tests/fixtures/rules/<rule-id>/fail.md` must give that rule's findings at
//! exactly the lines in `expect.txt`; `pass.md` and `clean.md` must give no finding at all.
//! The human report of every failing fixture is snapshotted.

use lessonlint::config::Config;
use lessonlint::lint::{lint_paths, LintOutcome};
use lessonlint::report::{human, position};
use lessonlint::workspace::LoadOptions;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules")
}

fn lint(path: &Path) -> LintOutcome {
    lint_paths(
        &[path.to_path_buf()],
        &Config::defaults(),
        &LoadOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn describe(o: &LintOutcome) -> String {
    o.findings
        .iter()
        .map(|f| {
            let p = position(o.sources(), f);
            format!("{}:{} {} {}", p.line, p.column, f.rule, f.message)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn rule_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .expect("fixtures dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn clean_fixture_has_no_findings() {
    let o = lint(&fixtures().join("clean.md"));
    assert!(o.findings.is_empty(), "{}", describe(&o));
}

#[test]
fn every_fail_fixture_fires_its_rule_at_the_expected_lines() {
    let dirs = rule_dirs();
    assert!(dirs.len() >= 20, "only {} rule fixture folders", dirs.len());
    for dir in dirs {
        let rule = dir.file_name().unwrap().to_string_lossy().to_string();
        let expect: Vec<usize> = std::fs::read_to_string(dir.join("expect.txt"))
            .expect("expect.txt")
            .lines()
            .filter_map(|l| l.trim().parse().ok())
            .collect();
        let o = lint(&dir.join("fail.md"));
        let got: Vec<usize> = o
            .findings
            .iter()
            .filter(|f| f.rule == rule)
            .map(|f| position(o.sources(), f).line)
            .collect();
        assert_eq!(got, expect, "{rule}: fail.md findings\n{}", describe(&o));
        let text = human::render(
            o.sources(),
            &o.findings,
            &[],
            o.sources().files.len(),
            1,
            human::Style::default(),
        );
        let name = format!("rule_{rule}");
        insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(name, text.replace(&*fixtures().to_string_lossy(), "$FIXTURES"));
        });
    }
}

#[test]
fn every_pass_fixture_is_clean() {
    for dir in rule_dirs() {
        let o = lint(&dir.join("pass.md"));
        assert!(
            o.findings.is_empty(),
            "{}: pass.md\n{}",
            dir.display(),
            describe(&o)
        );
    }
}

#[test]
fn every_lesson_rule_has_a_fixture_folder_docs_and_defaults() {
    let cfg = Config::defaults();
    for rule in lessonlint::rules::lesson_rules() {
        let m = rule.meta();
        assert!(
            fixtures().join(m.id).join("fail.md").is_file(),
            "{}: no fixture",
            m.id
        );
        assert_ne!(
            cfg.rule(m.id).level,
            lessonlint::rules::Severity::Off,
            "{}: no rules/{}.yaml",
            m.id,
            m.id
        );
    }
    for m in lessonlint::rules::all_meta() {
        for section in ["## What it does", "## Why is this bad?", "## Example"] {
            assert!(m.docs.contains(section), "{}: docs lack `{section}`", m.id);
        }
    }
}

#[test]
fn a_row_with_an_unescaped_pipe_is_only_a_shape_warning() {
    // The extra cell shifts every column after it; checks of the shifted cells would only echo
    // the shape warning as errors.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("pipe.md");
    let clean = std::fs::read_to_string(fixtures().join("clean.md")).unwrap();
    let broken = clean.replacen(
        "| nn.Conv2d API | APPLIED | mnist-cnn-project (3.1) | Wrote conv layers end to end |",
        "| nn.Conv2d API | p(x_t|x_0) | APPLIED | mnist-cnn-project (3.1) | Wrote conv layers |",
        1,
    );
    assert_ne!(clean, broken);
    std::fs::write(&p, broken).unwrap();
    let o = lint(&p);
    let rules: Vec<&str> = o.findings.iter().map(|f| f.rule).collect();
    assert_eq!(rules, vec!["table-row-shape"], "{}", describe(&o));
}
