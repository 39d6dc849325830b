//! Baselines: `--write-baseline` records today's findings by fingerprint; `--baseline` reports
//! and fails only on new ones, however far the old ones moved, and counts the entries gone.

mod support;

use serde_json::Value;
use support::*;

fn json(o: &std::process::Output) -> Value {
    serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

fn rules_and_lines(v: &Value) -> Vec<(String, u64)> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn write_then_lint_with_the_baseline_reports_nothing() {
    let s = Scratch::new();
    s.break_autograd();
    let o = s.run(&["lint", "course", "--write-baseline", "baseline.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stderr(&o).trim(),
        "lessonlint: recorded 2 findings in baseline.json"
    );
    let b: Value =
        serde_json::from_str(&std::fs::read_to_string(s.root().join("baseline.json")).unwrap())
            .unwrap();
    assert_eq!(b["version"], 1);
    assert_eq!(b["fingerprint"], "lessonlint/v1");
    let entries = b["findings"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["file"], format!("course/{AUTOGRAD}"));
    assert_eq!(entries[0]["rule"], "checklist-claim-contradicts-tables");
    assert_eq!(entries[1]["rule"], "too-few-misconceptions");
    assert_eq!(
        entries[1]["message"],
        "2 misconceptions; the house rule asks for at least 3"
    );

    let o = s.run(&[
        "lint",
        "course",
        "--baseline",
        "baseline.json",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let v = json(&o);
    assert!(rules_and_lines(&v).is_empty());
    assert_eq!(
        v["notes"][0],
        "baseline baseline.json: 2 known findings not reported; 0 baseline entries gone (fixed, or the content they point at changed)"
    );
}

#[test]
fn baseline_survives_moved_lines_and_reports_only_new_findings() {
    let s = Scratch::new();
    s.break_autograd();
    s.run(&["lint", "course", "--write-baseline", "baseline.json"]);
    // Move everything down: a paragraph near the top.
    s.edit(
        AUTOGRAD,
        "## Phase 1: Student State\n",
        "## Phase 1: Student State\n\nA new paragraph.\n\nAnd another one.\n\n",
    );
    let o = s.run(&[
        "lint",
        "course",
        "--baseline",
        "baseline.json",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // Without the baseline the same findings are there, 5 lines lower.
    let o = s.run(&["lint", "course", "--format", "json"]);
    assert_eq!(
        rules_and_lines(&json(&o)),
        vec![
            ("too-few-misconceptions".to_string(), 44),
            ("checklist-claim-contradicts-tables".to_string(), 97)
        ]
    );
    // A new problem is reported, alone, and fails the run.
    s.edit(
        AUTOGRAD,
        "| Broadcasting | INTRODUCED | INTRODUCED | tensors-basics (1.1) | OK |",
        "| Broadcasting | DEVELOPED | INTRODUCED | tensors-basics (1.1) | OK |",
    );
    let o = s.run(&[
        "lint",
        "course",
        "--baseline",
        "baseline.json",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(
        rules_and_lines(&v),
        vec![("status-contradicts-depths".to_string(), 37)]
    );
    assert_eq!(v["summary"]["errors"], 1);
}

#[test]
fn fixed_findings_are_counted_as_gone() {
    let s = Scratch::new();
    s.break_autograd();
    s.run(&["lint", "course", "--write-baseline", "baseline.json"]);
    s.edit(
        AUTOGRAD,
        "| \"Any tensor can call backward()\"",
        &format!("{}| \"Any tensor can call backward()\"", MISCONCEPTION_ROW),
    );
    let o = s.run(&["lint", "course", "--baseline", "baseline.json"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains(
            "note: baseline baseline.json: 0 known findings not reported; 2 baseline entries gone"
        ),
        "{}",
        stdout(&o)
    );
}

#[test]
fn baseline_paths_are_relative_to_the_baseline_file() {
    let s = Scratch::new();
    s.break_autograd();
    let o = s.run(&[
        "lint",
        "course",
        "--write-baseline",
        "course/lessonlint-baseline.json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let b = std::fs::read_to_string(s.path("lessonlint-baseline.json")).unwrap();
    assert!(b.contains(&format!("\"file\": \"{AUTOGRAD}\"")), "{b}");
    // From inside the course, with other relative paths, the entries still match.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_lessonlint"))
        .args(["lint", ".", "--baseline", "lessonlint-baseline.json"])
        .current_dir(s.course())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn a_broken_baseline_is_a_usage_failure() {
    let s = Scratch::new();
    std::fs::write(s.root().join("b.json"), "{\"version\": 7}").unwrap();
    let o = s.run(&["lint", "course", "--baseline", "b.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("b.json is not a lessonlint baseline"),
        "{}",
        stderr(&o)
    );
    let o = s.run(&["lint", "course", "--baseline", "missing.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read baseline missing.json"));
}

fn lint_in(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_lessonlint"))
        .args(args)
        .current_dir(dir)
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .unwrap()
}

#[test]
fn a_baseline_beside_the_course_is_read_from_its_own_directory() {
    let s = Scratch::new();
    s.break_autograd();
    std::fs::create_dir(s.root().join("bl")).unwrap();
    let o = s.run(&["lint", "course", "--write-baseline", "bl/base.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let b: Value =
        serde_json::from_str(&std::fs::read_to_string(s.root().join("bl/base.json")).unwrap())
            .unwrap();
    let files: Vec<&str> = b["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["file"].as_str().unwrap())
        .collect();
    let want = format!("../course/{AUTOGRAD}");
    assert_eq!(files, [want.as_str(), want.as_str()]);

    // From the baseline's directory, the course reached through `..`.
    let o = lint_in(
        &s.root().join("bl"),
        &["lint", "../course", "--baseline", "base.json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains(
            "note: baseline base.json: 2 known findings not reported; 0 baseline entries gone"
        ),
        "{}",
        stdout(&o)
    );
    // From inside the course, the baseline reached through `..`.
    let o = lint_in(&s.course(), &["lint", ".", "--baseline", "../bl/base.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("2 known findings not reported; 0 baseline entries gone"));
}

#[test]
fn absolute_paths_write_and_read_the_same_baseline() {
    let s = Scratch::new();
    s.break_autograd();
    let root = std::fs::canonicalize(s.root()).unwrap();
    let course = root.join("course");
    let base = root.join("bl").join("base.json");
    std::fs::create_dir(root.join("bl")).unwrap();
    let (course_arg, base_arg) = (course.to_str().unwrap(), base.to_str().unwrap());

    // Written with absolute paths from elsewhere: the same file as with relative ones.
    let o = lint_in(
        std::path::Path::new("/"),
        &["lint", course_arg, "--write-baseline", base_arg],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let absolute = std::fs::read_to_string(&base).unwrap();
    let o = s.run(&["lint", "course", "--write-baseline", "bl/base.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&base).unwrap(), absolute);
    assert!(absolute.contains(&format!("\"file\": \"../course/{AUTOGRAD}\"")));

    // Read with absolute paths, and with a mix, from another directory.
    for (dir, args) in [
        (
            root.clone(),
            vec!["lint", course_arg, "--baseline", base_arg],
        ),
        (course.clone(), vec!["lint", ".", "--baseline", base_arg]),
        (
            root.join("bl"),
            vec!["lint", course_arg, "--baseline", "base.json"],
        ),
    ] {
        let o = lint_in(&dir, &args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stdout(&o));
        assert!(
            stdout(&o).contains("2 known findings not reported; 0 baseline entries gone"),
            "{args:?}: {}",
            stdout(&o)
        );
    }
}
