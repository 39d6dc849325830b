//! The real lesson plan `../shared/seed/resnets.md`, placed into a fixture tree whose records
//! and module plans match its claims, lints clean; with one record row changed, the finding is
//! reported at both places (the lesson rows and the record row). Skips (with a printed reason)
//! where `../shared` is absent.

mod cross_common;

use cross_common::*;
use lessonlint::rules::Severity;
use std::path::Path;

/// `../shared/seed/resnets.md`, looked for beside the checkout and beside each of its
/// ancestors (a worktree may sit one level deeper than a clone).
fn seed() -> Option<String> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in manifest.ancestors().skip(1) {
        if let Ok(t) = std::fs::read_to_string(dir.join("shared/seed/resnets.md")) {
            return Some(t);
        }
    }
    println!("skipped: no shared/seed/resnets.md beside the checkout or its ancestors");
    None
}

fn seeded_tree(seed: &str) -> tempfile::TempDir {
    let dir = tree("seed");
    let lessons = dir.path().join("series-3/module-3-2/lessons");
    std::fs::create_dir_all(&lessons).expect("mkdir");
    std::fs::write(lessons.join("resnets.md"), seed).expect("write seed");
    dir
}

#[test]
fn seed_in_a_matching_tree_lints_clean() {
    let Some(seed) = seed() else { return };
    let dir = seeded_tree(&seed);
    let o = lint_dir(dir.path());
    let shown: Vec<String> = o
        .findings
        .iter()
        .map(|f| describe(&o, dir.path(), f))
        .collect();
    let serious: Vec<&String> = o
        .findings
        .iter()
        .zip(&shown)
        .filter(|(f, _)| f.severity >= Severity::Warning)
        .map(|(_, s)| s)
        .collect();
    assert!(serious.is_empty(), "{}", shown.join("\n"));
    // What remains are notes showing where the seed's names differ from the records' and how
    // well they matched.
    for f in &o.findings {
        assert_eq!(f.rule, "weak-concept-match", "{}", shown.join("\n"));
        assert!(f.message.contains("(score 0.8"), "{}", f.message);
    }
    // Every claim with a Source was traced: the notes name the three renamed concepts.
    let names: Vec<&str> = [
        "`Skip connection code pattern`",
        "`nn.Conv2d API`",
        "`ReLU activation`",
    ]
    .into_iter()
    .filter(|n| !shown.iter().any(|s| s.contains(n)))
    .collect();
    assert!(
        names.is_empty(),
        "missing notes for {names:?}\n{}",
        shown.join("\n")
    );
}

#[test]
fn changed_record_row_is_reported_at_the_lesson_rows_and_the_record_row() {
    let Some(seed) = seed() else { return };
    let dir = seeded_tree(&seed);
    let record = dir.path().join("series-1/module-1-3/record.md");
    let text = std::fs::read_to_string(&record).expect("record");
    let changed = text.replacen(
        "| Batch normalization | INTRODUCED | training-dynamics |",
        "| Batch normalization | MENTIONED | training-dynamics |",
        1,
    );
    assert_ne!(text, changed);
    std::fs::write(&record, changed).expect("write");
    let o = lint_dir(dir.path());
    let errors: Vec<String> = o
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| describe(&o, dir.path(), f))
        .collect();
    let seed_line = |needle: &str| {
        seed.lines()
            .position(|l| l.starts_with(needle))
            .map(|i| i + 1)
            .unwrap_or_else(|| panic!("seed lacks {needle}"))
    };
    let phase1 = seed_line("| Batch normalization | INTRODUCED |");
    let prereq = seed_line("| Batch normalization (concept) |");
    let record_line = text
        .lines()
        .position(|l| l.starts_with("| Batch normalization | INTRODUCED |"))
        .map(|i| i + 1)
        .expect("record row");
    let lesson = "series-3/module-3-2/lessons/resnets.md";
    let rec = format!("series-1/module-1-3/record.md:{record_line}");
    for line in [phase1, prereq] {
        let at = format!("depth-not-recorded {lesson}:{line}:");
        let f = errors
            .iter()
            .find(|e| e.starts_with(&at))
            .unwrap_or_else(|| panic!("no finding at {at}\n{}", errors.join("\n")));
        assert!(f.contains("the record shows MENTIONED"), "{f}");
        assert!(f.contains(&format!("= {rec}: record: MENTIONED in training-dynamics (matched `Batch normalization`, score 1.00)")), "{f}");
    }
    // Nothing else breaks: the change is reported where it disagrees, and only there.
    assert_eq!(errors.len(), 2, "{}", errors.join("\n"));
}
