//! `lint --changed-since REF`: only the lessons changed since a git ref, plus the lessons whose
//! prerequisites they feed, are reported.

mod support;

use serde_json::Value;
use support::*;

const TENSORS_ROW: &str = "| \"reshape copies the data\" | New shapes look like new objects | Changing a view changes the original | View section |\n";

fn repo() -> Option<Scratch> {
    if !have_git() {
        eprintln!("skipped: git is not installed");
        return None;
    }
    let s = Scratch::new();
    s.git(&["init", "-q"]);
    s.git(&["add", "."]);
    s.git(&["commit", "-q", "-m", "course"]);
    Some(s)
}

fn files_and_notes(s: &Scratch, since: &str) -> (Option<i32>, Vec<(String, u64)>, Vec<String>) {
    let o = s.run(&[
        "lint",
        "course",
        "--changed-since",
        since,
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_str(&stdout(&o))
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&o), stderr(&o)));
    let diags = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let f = d["file"].as_str().unwrap();
            let short = f.rsplit('/').next().unwrap().to_string();
            (short, d["line"].as_u64().unwrap())
        })
        .collect();
    let notes = v["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect();
    (o.status.code(), diags, notes)
}

#[test]
fn a_changed_lesson_and_the_lessons_it_feeds_are_linted() {
    let Some(s) = repo() else { return };
    // An error already on the branch in autograd-basics…
    s.break_autograd();
    s.git(&["commit", "-q", "-am", "break autograd"]);
    // …is not reported when nothing changed.
    let (code, diags, notes) = files_and_notes(&s, "HEAD");
    assert_eq!(code, Some(0));
    assert!(diags.is_empty());
    assert_eq!(
        notes,
        vec!["changed since HEAD: no file of this run changed"]
    );
    // Changing tensors-basics lints it and autograd-basics, which requires what it teaches.
    s.edit(TENSORS, TENSORS_ROW, "");
    let (code, diags, notes) = files_and_notes(&s, "HEAD");
    assert_eq!(code, Some(1));
    assert_eq!(
        diags,
        vec![
            ("autograd-basics.md".to_string(), 39),
            ("autograd-basics.md".to_string(), 92),
            ("tensors-basics.md".to_string(), 37),
            ("tensors-basics.md".to_string(), 90),
        ]
    );
    assert_eq!(
        notes,
        vec!["changed since HEAD: 1 file changed (tensors-basics); 1 lesson fed by them: autograd-basics (from tensors-basics)"]
    );
}

#[test]
fn a_lesson_that_feeds_nothing_is_linted_alone() {
    let Some(s) = repo() else { return };
    s.edit(TENSORS, TENSORS_ROW, "");
    s.git(&["commit", "-q", "-am", "break tensors"]);
    s.break_autograd();
    let (code, diags, notes) = files_and_notes(&s, "HEAD");
    assert_eq!(code, Some(1));
    assert_eq!(
        diags,
        vec![
            ("autograd-basics.md".to_string(), 39),
            ("autograd-basics.md".to_string(), 92),
        ]
    );
    assert_eq!(
        notes,
        vec!["changed since HEAD: 1 file changed (autograd-basics)"]
    );
}

#[test]
fn a_branch_is_compared_with_its_merge_base() {
    let Some(s) = repo() else { return };
    s.git(&["checkout", "-q", "-b", "topic"]);
    s.break_autograd();
    s.git(&["commit", "-q", "-am", "topic change"]);
    // main moves on after the branch point: its change is not this branch's.
    s.git(&["checkout", "-q", "main"]);
    s.edit(TENSORS, TENSORS_ROW, "");
    s.git(&["commit", "-q", "-am", "main change"]);
    s.git(&["checkout", "-q", "topic"]);
    let (code, diags, _) = files_and_notes(&s, "main");
    assert_eq!(code, Some(1));
    assert_eq!(
        diags,
        vec![
            ("autograd-basics.md".to_string(), 39),
            ("autograd-basics.md".to_string(), 92),
        ]
    );
}

#[test]
fn an_unknown_ref_is_a_usage_failure() {
    let Some(s) = repo() else { return };
    let o = s.run(&["lint", "course", "--changed-since", "no-such-ref"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--changed-since no-such-ref"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("`no-such-ref` is not a commit in this repository"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn dependents_come_from_the_concept_graph_even_without_source_cells() {
    let Some(s) = repo() else { return };
    // autograd-basics names no source lesson; the record says tensors-basics teaches the
    // concepts it requires.
    let t = s
        .read(AUTOGRAD)
        .replace("| tensors-basics (1.1) |", "| - |");
    s.write(AUTOGRAD, &t);
    s.break_autograd();
    s.git(&["commit", "-q", "-am", "sources not named"]);
    s.edit(TENSORS, TENSORS_ROW, "");
    let (code, diags, notes) = files_and_notes(&s, "HEAD");
    assert_eq!(code, Some(1));
    assert_eq!(
        diags.iter().filter(|d| d.0 == "autograd-basics.md").count(),
        2
    );
    assert_eq!(
        notes,
        vec!["changed since HEAD: 1 file changed (tensors-basics); 1 lesson fed by them: autograd-basics (from tensors-basics)"]
    );
}

#[test]
fn a_changed_record_brings_in_the_lessons_that_require_its_concepts() {
    let Some(s) = repo() else { return };
    s.break_autograd();
    s.git(&["commit", "-q", "-am", "break autograd"]);
    s.edit(
        "series-1/module-1-1/record.md",
        "Rules shown on two examples",
        "Rules shown on three examples",
    );
    let (_, diags, notes) = files_and_notes(&s, "HEAD");
    assert_eq!(
        diags.iter().filter(|d| d.0 == "autograd-basics.md").count(),
        2
    );
    assert_eq!(
        notes,
        vec!["changed since HEAD: 1 file changed (course/series-1/module-1-1/record.md); 1 lesson fed by them: autograd-basics (from course/series-1/module-1-1/record.md)"]
    );
}

fn copy_into(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir") {
        let e = e.expect("entry");
        let dest = to.join(e.file_name());
        if e.path().is_dir() {
            copy_into(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), &dest).expect("copy");
        }
    }
}

#[test]
fn only_later_lessons_are_fed_by_a_changed_lesson() {
    if !have_git() {
        eprintln!("skipped: git is not installed");
        return;
    }
    // The bundled course: resnets (3.2 #2) requires concepts that training-loop (2.1) and
    // architecture-evolution (3.2 #1) also require; only transfer-learning (3.2 #3) builds
    // on what resnets teaches.
    let s = Scratch::new();
    std::fs::remove_dir_all(s.course()).expect("rm");
    copy_into(&manifest().join("curriculum"), &s.course());
    s.git(&["init", "-q"]);
    s.git(&["add", "."]);
    s.git(&["commit", "-q", "-m", "course"]);
    let resnets = "series-3/module-3-2/lessons/resnets.md";
    let t = s.read(resnets);
    s.write(resnets, &format!("{t}\n"));
    let (code, diags, notes) = files_and_notes(&s, "HEAD");
    assert_eq!(code, Some(0), "{diags:?}");
    assert_eq!(
        notes,
        vec!["changed since HEAD: 1 file changed (resnets); 1 lesson fed by them: transfer-learning (from resnets)"]
    );
    // A changed record feeds the lessons after the lesson each concept is recorded for.
    s.git(&["checkout", "-q", "--", "."]);
    s.edit(
        "series-3/module-3-2/record.md",
        "| Residual connection |",
        "| Residual connection  |",
    );
    let (_, _, notes) = files_and_notes(&s, "HEAD");
    assert_eq!(notes.len(), 1);
    assert!(notes[0].contains("transfer-learning"), "{notes:?}");
    for earlier in ["training-loop", "architecture-evolution", "building-a-cnn"] {
        assert!(!notes[0].contains(&format!("{earlier} (")), "{notes:?}");
    }
}
