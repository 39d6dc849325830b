//! Whole-tree lint of the bundled `curriculum/`: it runs every cross-lesson rule and exits 0;
//! the output is identical from run to run; record mismatches planted in a copy are reported at
//! the lesson row and at the record row; a lesson plan linted on its own says which
//! cross-lesson checks it skipped.

mod cross_common;

use cross_common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

fn bundled() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("curriculum")
}

fn lessonlint(args: &[&str], cwd: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_lessonlint"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run lessonlint")
}

#[test]
fn bundled_course_lints_clean_with_every_cross_rule_run() {
    let o = lint_dir(&bundled());
    let shown: Vec<String> = o
        .findings
        .iter()
        .map(|f| describe(&o, &bundled(), f))
        .collect();
    assert!(shown.is_empty(), "{}", shown.join("\n"));
    assert!(
        o.notes.iter().all(|n| !n.contains("skipped")),
        "{:?}",
        o.notes
    );
    assert_eq!(o.workspace.lessons.len(), 13);
    assert_eq!(o.workspace.records.len(), 6);
    assert_eq!(o.workspace.plans.len(), 6);
    let out = lessonlint(
        &["lint", "curriculum", "--color", "never"],
        Path::new(env!("CARGO_MANIFEST_DIR")),
    );
    assert_eq!(
        o.findings.len(),
        0,
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn output_is_identical_from_run_to_run() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("tempdir");
    copy_tree(&bundled(), dir.path());
    // A handful of planted problems so that the output is not trivially empty.
    plant(dir.path());
    let runs: Vec<Vec<u8>> = (0..3)
        .map(|_| {
            lessonlint(
                &[
                    "lint",
                    dir.path().to_str().expect("utf-8"),
                    "--format",
                    "json",
                ],
                root,
            )
            .stdout
        })
        .collect();
    assert!(!runs[0].is_empty());
    assert!(runs.iter().all(|r| r == &runs[0]));
}

/// Changes a record row of module 1.3 (Batch normalization taught at MENTIONED instead of
/// INTRODUCED) and one of module 3.1 (Global average pooling recorded for the wrong lesson).
fn plant(root: &Path) -> (String, String) {
    let r13 = root.join("series-1/module-1-3/record.md");
    let t = std::fs::read_to_string(&r13).expect("record 1.3");
    let row = "| Batch normalization | INTRODUCED | training-dynamics |";
    assert!(t.contains(row));
    std::fs::write(
        &r13,
        t.replacen(
            row,
            "| Batch normalization | MENTIONED | training-dynamics |",
            1,
        ),
    )
    .expect("write");
    let r31 = root.join("series-3/module-3-1/record.md");
    let t = std::fs::read_to_string(&r31).expect("record 3.1");
    let row = "| Global average pooling | MENTIONED | building-a-cnn |";
    assert!(t.contains(row));
    std::fs::write(
        &r31,
        t.replacen(
            row,
            "| Global average pooling | MENTIONED | mnist-cnn-project |",
            1,
        ),
    )
    .expect("write");
    (
        line_of(
            &r13,
            "| Batch normalization | MENTIONED | training-dynamics |",
        ),
        line_of(
            &r31,
            "| Global average pooling | MENTIONED | mnist-cnn-project |",
        ),
    )
}

fn line_of(path: &Path, needle: &str) -> String {
    let t = std::fs::read_to_string(path).expect("read");
    let n = t
        .lines()
        .position(|l| l.starts_with(needle))
        .map(|i| i + 1)
        .expect("line");
    n.to_string()
}

#[test]
fn planted_record_mismatches_are_reported_at_both_places() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_tree(&bundled(), dir.path());
    let (bn_line, gap_line) = plant(dir.path());
    let o = lint_dir(dir.path());
    let shown: Vec<String> = o
        .findings
        .iter()
        .map(|f| describe(&o, dir.path(), f))
        .collect();
    let all = shown.join("\n");
    // Every lesson that traces Batch normalization to training-dynamics, at its row, with the
    // record row as the related place.
    let bn_rec = format!("= series-1/module-1-3/record.md:{bn_line}:");
    let bn: Vec<&String> = shown
        .iter()
        .filter(|s| s.starts_with("depth-not-recorded") && s.contains("`Batch normalization"))
        .collect();
    for lesson in [
        "overfitting-and-regularization.md",
        "training-loop.md",
        "resnets.md",
    ] {
        assert!(
            bn.iter().any(|s| s.contains(lesson) && s.contains(&bn_rec)),
            "no depth-not-recorded in {lesson} labelling {bn_rec}\n{all}"
        );
    }
    // The lessons citing building-a-cnn for global average pooling now cite a record with no
    // such row for that lesson.
    let gap: Vec<&String> = shown
        .iter()
        .filter(|s| {
            s.starts_with("concept-not-in-record") && s.contains("`Global average pooling`")
        })
        .collect();
    assert!(!gap.is_empty(), "{all}");
    let gap_rec =
        format!("= series-3/module-3-1/record.md:{gap_line}: recorded for mnist-cnn-project");
    assert!(gap.iter().all(|s| s.contains(&gap_rec)), "{all}");
    // Findings are sorted by file, then line.
    let keys: Vec<(String, usize)> = o
        .findings
        .iter()
        .map(|f| {
            let src = o.sources().get(f.file);
            (src.name.clone(), src.line_col(f.span.start).0)
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

#[test]
fn a_lesson_alone_says_which_cross_lesson_checks_it_skipped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lesson = dir.path().join("resnets.md");
    std::fs::copy(
        bundled().join("series-3/module-3-2/lessons/resnets.md"),
        &lesson,
    )
    .expect("copy");
    let o = lint_dir(dir.path());
    let ids = cross_ids();
    assert!(o.findings.iter().all(|f| !ids.contains(&f.rule)));
    let note = o
        .notes
        .iter()
        .find(|n| n.starts_with("cross-lesson checks skipped"))
        .unwrap_or_else(|| panic!("no note in {:?}", o.notes));
    for id in &ids {
        assert!(note.contains(id), "{id} missing from {note}");
    }
    assert!(note.contains("no record.md"), "{note}");
    // The CLI shows the note and still exits by the lesson's own findings.
    let out = lessonlint(
        &["lint", lesson.to_str().expect("utf-8"), "--color", "never"],
        dir.path(),
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("cross-lesson checks skipped"));
}

/// `(rule, file name, line, message, labels as file:line)` of each JSON diagnostic.
fn json_findings(out: &std::process::Output) -> Vec<(String, String, u64, String, Vec<String>)> {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap_or_default().to_string(),
                d["file"].as_str().unwrap_or_default().to_string(),
                d["line"].as_u64().unwrap_or_default(),
                d["message"].as_str().unwrap_or_default().to_string(),
                d["labels"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|l| format!("{}:{}", l["file"].as_str().unwrap_or_default(), l["line"]))
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn part_of_the_bundled_course_lints_clean_with_its_curriculum_around_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for part in [
        "curriculum/series-3",
        "curriculum/series-3/module-3-2",
        "curriculum/series-3/module-3-2/lessons/resnets.md",
    ] {
        let out = lessonlint(&["lint", part, "--color", "never"], root);
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{part}:\n{text}");
        assert!(!text.contains("skipped"), "{part}:\n{text}");
        assert!(!text.contains("outside the files read"), "{part}:\n{text}");
    }
    let module = root.join("curriculum/series-3/module-3-2");
    let out = lessonlint(&["lint", ".", "--color", "never"], &module);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("in 6 files (3 lesson plans)"), "{text}");
}

#[test]
fn a_record_mismatch_is_reported_when_only_a_later_lesson_is_linted() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_tree(&bundled(), dir.path());
    let (bn_line, _) = plant(dir.path());
    let module = dir.path().join("series-3/module-3-2");
    let lesson = module.join("lessons/resnets.md");
    let bn_row = line_of(&lesson, "| Batch normalization | INTRODUCED |");
    // The same findings however the path is written; names relative to the current directory.
    let runs = [
        lessonlint(&["lint", "lessons/resnets.md", "--format", "json"], &module),
        lessonlint(
            &["lint", "./lessons/resnets.md", "--format", "json"],
            &module,
        ),
        lessonlint(
            &["lint", lesson.to_str().expect("utf-8"), "--format", "json"],
            &module,
        ),
        lessonlint(
            &["lint", "resnets.md", "--format", "json"],
            &module.join("lessons"),
        ),
    ];
    let first = json_findings(&runs[0]);
    let record = format!("../../series-1/module-1-3/record.md:{bn_line}");
    assert!(
        first.iter().any(
            |(rule, file, line, msg, labels)| rule == "depth-not-recorded"
                && file == "lessons/resnets.md"
                && line.to_string() == bn_row
                && msg.contains("`Batch normalization`")
                && labels.contains(&record)
        ),
        "{first:#?}"
    );
    // Only findings in the lesson given; the record's own findings are not reported.
    assert!(
        first.iter().all(|f| f.1 == "lessons/resnets.md"),
        "{first:#?}"
    );
    assert_eq!(runs[0].status.code(), Some(1));
    let strip = |v: Vec<(String, String, u64, String, Vec<String>)>| {
        v.into_iter()
            .map(|(r, _, l, m, _)| (r, l, m))
            .collect::<Vec<_>>()
    };
    let want = strip(first);
    for out in &runs[1..] {
        assert_eq!(strip(json_findings(out)), want);
    }
    // The module linted as `.` gives the same findings for the lesson, and none elsewhere.
    let dot = json_findings(&lessonlint(&["lint", ".", "--format", "json"], &module));
    assert!(dot.iter().all(|f| !f.1.starts_with("..")), "{dot:#?}");
    let dot_resnets: Vec<_> = dot
        .into_iter()
        .filter(|f| f.1 == "lessons/resnets.md")
        .map(|(r, _, l, m, _)| (r, l, m))
        .collect();
    assert_eq!(dot_resnets, want);
}

#[test]
fn a_copied_lesson_keeping_its_slug_is_a_duplicate() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_tree(&bundled(), dir.path());
    let lessons = dir.path().join("series-3/module-3-2/lessons");
    std::fs::copy(lessons.join("resnets.md"), lessons.join("resnets-copy.md")).expect("copy");
    let slug_line = line_of(&lessons.join("resnets.md"), "**Slug:**");
    let o = lint_dir(dir.path());
    let shown: Vec<String> = o
        .findings
        .iter()
        .map(|f| describe(&o, dir.path(), f))
        .collect();
    let all = shown.join("\n");
    let dup: Vec<&String> = shown
        .iter()
        .filter(|s| s.starts_with("duplicate-lesson-slug"))
        .collect();
    assert_eq!(dup.len(), 1, "{all}");
    assert!(
        dup[0].starts_with(&format!(
            "duplicate-lesson-slug series-3/module-3-2/lessons/resnets-copy.md:{slug_line}: \
             lesson slug `resnets` is already used by "
        )),
        "{all}"
    );
    assert!(dup[0].ends_with("/series-3/module-3-2/lessons/resnets.md (3.2 #2)\n  ^ second file with this slug\n  = series-3/module-3-2/lessons/resnets.md:5: first file with the slug"), "{all}");
    assert_eq!(slug_line, "5");
    // The original keeps its place in the course.
    let cur = o.workspace.curriculum();
    let resnets = cur.lesson("resnets").and_then(|l| l.file).expect("resnets");
    assert!(o.sources().get(resnets.file).name.ends_with("/resnets.md"));
}

#[test]
fn upper_case_md_and_markdown_files_are_read_in_a_walk() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_tree(&bundled(), dir.path());
    let lessons = dir.path().join("series-3/module-3-2/lessons");
    std::fs::rename(lessons.join("resnets.md"), lessons.join("resnets.MD")).expect("mv");
    std::fs::rename(
        lessons.join("transfer-learning.md"),
        lessons.join("transfer-learning.markdown"),
    )
    .expect("mv");
    let o = lint_dir(dir.path());
    assert_eq!(o.workspace.lessons.len(), 13);
    assert!(o.workspace.skipped.is_empty(), "{:?}", o.workspace.skipped);
    let shown: Vec<String> = o
        .findings
        .iter()
        .map(|f| describe(&o, dir.path(), f))
        .collect();
    assert!(shown.is_empty(), "{}", shown.join("\n"));
}
