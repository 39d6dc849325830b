//! The binary as a user meets it: exit codes and messages for good and bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_lessonlint"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run lessonlint")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn fixture(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(p)
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

#[test]
fn missing_path_is_a_usage_failure() {
    let o = run(&["lint", "/no/such/lesson.md"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("/no/such/lesson.md: no such file or directory"));
}

#[test]
fn clean_lesson_exits_zero_and_broken_one_exits_one() {
    let o = run(&["lint", fixture("rules/clean.md").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = run(&[
        "lint",
        fixture("rules/too-few-misconceptions/fail.md")
            .to_str()
            .unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("too-few-misconceptions"));
}

#[test]
fn json_output_has_the_documented_keys() {
    let o = run(&[
        "lint",
        fixture("rules/review-dates-backwards/fail.md")
            .to_str()
            .unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let d = &v["diagnostics"][0];
    for key in [
        "rule",
        "severity",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "message",
        "help",
    ] {
        assert!(d.get(key).is_some(), "missing {key}: {d}");
    }
    assert_eq!(d["rule"], "review-dates-backwards");
    assert_eq!(d["severity"], "error");
    assert_eq!(v["summary"]["errors"], 1);
}

#[test]
fn non_utf8_file_is_a_located_finding() {
    let dir = tmp();
    let p = dir.path().join("latin1.md");
    std::fs::write(&p, b"# Lesson: Caf\xe9\n\n## Phase 1: Student State\n").unwrap();
    let o = run(&["lint", p.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["diagnostics"][0]["rule"], "unreadable-file");
    assert_eq!(v["diagnostics"][0]["line"], 1);
    assert!(v["diagnostics"][0]["message"]
        .as_str()
        .unwrap()
        .contains("invalid byte 0xE9 at byte 13"));
}

#[test]
fn empty_file_and_non_lesson_file_are_findings() {
    let dir = tmp();
    let empty = dir.path().join("empty.md");
    std::fs::write(&empty, "").unwrap();
    let o = run(&["lint", empty.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("the file is empty"), "{}", text(&o));
    let readme = dir.path().join("README.md");
    std::fs::write(&readme, "# My notes\n\nNothing to see.\n").unwrap();
    let o = run(&["lint", readme.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("not a lesson plan"), "{}", text(&o));
}

#[test]
fn huge_file_is_refused_with_a_finding_not_a_hang() {
    let dir = tmp();
    let p = dir.path().join("huge.md");
    let line = "| a | b | c | d |\n";
    std::fs::write(&p, line.repeat(20 * 1024 * 1024 / line.len())).unwrap();
    let o = run(&["lint", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).contains("files over 8388608 bytes are not read"),
        "{}",
        text(&o)
    );
}

#[test]
fn directory_without_lessons_is_a_usage_failure() {
    let dir = tmp();
    std::fs::write(dir.path().join("notes.txt"), "hello").unwrap();
    let o = run(&["lint", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("no lesson plans"), "{}", text(&o));
}

#[test]
fn bad_config_points_into_the_yaml() {
    let dir = tmp();
    let cfg = dir.path().join("lessonlint.yaml");
    std::fs::write(&cfg, "rules:\n  too-few-misconceptions:\n    minimum: 4\n").unwrap();
    let o = run(&[
        "lint",
        fixture("rules/clean.md").to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let t = text(&o);
    assert!(
        t.contains("unknown setting `minimum` for rule `too-few-misconceptions`"),
        "{t}"
    );
    assert!(t.contains("lessonlint.yaml:3:5"), "{t}");
}

#[test]
fn config_overrides_a_threshold() {
    let dir = tmp();
    let cfg = dir.path().join("lessonlint.yaml");
    std::fs::write(&cfg, "rules:\n  too-few-misconceptions:\n    min: 4\n").unwrap();
    let o = run(&[
        "lint",
        fixture("rules/clean.md").to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("3 misconceptions; the house rule asks for at least 4"));
}

#[test]
fn explain_prints_the_rule_docs_and_suggests_on_typos() {
    let o = run(&["explain", "too-few-modalities"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o).contains("## Why is this bad?"));
    // Settings as they would be written in lessonlint.yaml.
    let o = run(&["explain", "snippet-budget-exceeded"]);
    assert!(
        text(&o).contains("Settings:\n  max_depth: 100\n  max_steps: 1000000\n"),
        "{}",
        text(&o)
    );
    let o = run(&["explain", "verdict-contradicts-findings"]);
    assert!(
        text(&o).contains("  critical: [MAJOR REVISION]\n"),
        "{}",
        text(&o)
    );
    assert!(!text(&o).contains("List(") && !text(&o).contains("Str("));
    let o = run(&["explain", "too-few-modality"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("did you mean `too-few-modalities`?"));
}

#[test]
fn rules_lists_levels() {
    let o = run(&["rules"]);
    assert_eq!(o.status.code(), Some(0));
    let t = text(&o);
    assert!(t.contains("latest-verdict-not-pass"));
    assert!(t
        .lines()
        .any(|l| l.starts_with("table-row-shape") && l.contains("warning")));
}

#[test]
fn unknown_flag_is_exit_two() {
    let o = run(&["lint", "--no-such-flag"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn utf16_file_is_named_as_such() {
    let dir = tmp();
    let p = dir.path().join("utf16.md");
    let mut bytes = vec![0xFF, 0xFE];
    for c in "# Lesson: X\n".encode_utf16() {
        bytes.extend(c.to_le_bytes());
    }
    std::fs::write(&p, bytes).unwrap();
    let o = run(&["lint", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("the file is UTF-16 text"), "{}", text(&o));
}

#[test]
fn too_large_file_points_at_the_limit_flag() {
    let dir = tmp();
    let p = dir.path().join("big.md");
    std::fs::write(&p, "# Lesson: X\n".repeat(200)).unwrap();
    let o = run(&["lint", p.to_str().unwrap(), "--max-file-bytes", "100"]);
    assert_eq!(o.status.code(), Some(1));
    let t = text(&o);
    assert!(
        t.contains("file is 2400 bytes; files over 100 bytes are not read"),
        "{t}"
    );
    assert!(t.contains("--max-file-bytes"), "{t}");
}

/// Asserts that a run whose reader went away neither panicked nor failed.
fn assert_quiet(args: &[&str], code: i32, o: &Output) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !err.contains("panicked") && !err.contains("Broken pipe"),
        "{args:?}: {err}"
    );
    assert_ne!(o.status.code(), Some(101), "{args:?}: {err}");
    assert_eq!(o.status.code(), Some(code), "{args:?}: {err}");
}

fn bundled(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(rel)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn a_reader_that_stops_after_one_line_ends_the_output_quietly() {
    use std::io::BufRead;
    let lesson = bundled("curriculum/series-3/module-3-2/lessons/resnets.md");
    let curriculum = bundled("curriculum");
    // `graph -f json` writes more than a pipe holds, so the write after the reader left fails.
    let cases: [(&[&str], i32); 3] = [
        (&["graph", &curriculum, "-f", "json"], 0),
        (&["inspect", &lesson], 0),
        (&["explain", "actual-depth-overstated"], 0),
    ];
    for (args, code) in cases {
        let mut child = bin()
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn lessonlint");
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        out.read_line(&mut first).unwrap();
        assert!(!first.is_empty(), "{args:?}");
        drop(out);
        let o = child.wait_with_output().unwrap();
        assert_quiet(args, code, &o);
    }
}

#[test]
fn every_command_writing_to_a_closed_pipe_exits_quietly() {
    let lesson = bundled("curriculum/series-3/module-3-2/lessons/resnets.md");
    let curriculum = bundled("curriculum");
    let broken = fixture("rules/too-few-misconceptions/fail.md");
    let broken = broken.to_str().unwrap();
    let cases: [(&[&str], i32); 11] = [
        (&["inspect", &lesson], 0),
        (&["explain", "actual-depth-overstated"], 0),
        (&["rules"], 0),
        (&["rules", "-f", "json"], 0),
        (&["lint", broken], 1),
        (&["lint", broken, "-f", "json"], 1),
        (&["review", &curriculum], 0),
        (&["review", "--draft", &lesson, "--date", "2025-01-01"], 0),
        (&["graph", &curriculum], 0),
        (&["reference", "resnet18"], 0),
        (&["snippets", &lesson], 0),
    ];
    for (args, code) in cases {
        // The reader is gone before the first write.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let o = bin()
            .args(args)
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        assert_quiet(args, code, &o);
    }
}
