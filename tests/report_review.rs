//! `lessonlint review`: timelines, open findings and the gate per lesson; a table by status for
//! a tree; JSON; and `--draft`, whose output appended to the plan is a valid next iteration.

mod support;

use serde_json::Value;
use support::*;

#[test]
fn a_tree_gives_one_table_of_lessons_by_status() {
    let s = Scratch::new();
    s.break_autograd();
    let o = s.run(&["review", "course"]);
    assert_eq!(o.status.code(), Some(1), "a lesson is not ready");
    assert_eq!(
        stdout(&o),
        "status   lesson           module  reviews  latest      verdict  open c/i/p  why not ready\n\
         blocked  autograd-basics  1.1     2        2026-02-13  PASS     0/0/0       2 errors from lessonlint (checklist-claim-contradicts-tables, too-few-misconceptions)\n\
         ready    tensors-basics   1.1     1        2026-02-10  PASS     0/0/1\n\
         \n\
         1 of 2 lessons ready to merge; 1 blocked, 0 need revision, 0 major revision, 0 unreviewed\n"
    );
}

#[test]
fn one_lesson_shows_its_timeline_open_findings_and_gate() {
    let s = Scratch::new();
    // The second review verifies nothing, and a new review leaves one improvement open.
    s.edit(
        AUTOGRAD,
        "**Iteration 1 fixes verified:**\n1. Accumulation example added to the outline with two backward() calls.\n",
        "Nothing verified yet.\n",
    );
    let o = s.run(&["review", &format!("course/{AUTOGRAD}")]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert_eq!(
        out,
        format!(
            "autograd-basics (module 1.1) — course/{AUTOGRAD}\n\
             \n\
             Reviews\n\
             \x20 date        iteration  critical  improvement  polish  verified  verdict\n\
             \x20 2026-02-12  1/3        0         1            0       0         NEEDS REVISION\n\
             \x20 2026-02-13  2/3        0         0            0       0         PASS\n\
             \n\
             Open findings (1)\n\
             \x20 [IMPROVEMENT] Accumulation example missing from the outline (iteration 1/3, never verified, line 109)\n\
             \n\
             Gate: not ready (blocked)\n\
             \x20 - 1 finding of earlier iterations never verified as fixed (1 improvement)\n"
        ),
        "fixes-not-verified restates the gate and is not counted again: {out}"
    );
}

#[test]
fn json_lists_every_lesson_with_its_gate() {
    let s = Scratch::new();
    let o = s.run(&["review", "course", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["summary"]["lessons"], 2);
    assert_eq!(v["summary"]["ready"], 2);
    let lessons = v["lessons"].as_array().unwrap();
    let a = lessons
        .iter()
        .find(|l| l["slug"] == "autograd-basics")
        .unwrap();
    assert_eq!(a["status"], "ready");
    assert_eq!(a["gate"]["ready"], true);
    assert_eq!(a["timeline"][0]["verdict_kind"], "NEEDS REVISION");
    assert_eq!(a["timeline"][1]["verified"], 1);
    assert_eq!(a["file"], format!("course/{AUTOGRAD}"));
    let t = lessons
        .iter()
        .find(|l| l["slug"] == "tensors-basics")
        .unwrap();
    assert_eq!(t["open"][0]["tag"], "polish");
    assert_eq!(t["open"][0]["title"], "Axis names differ between sections");
    assert_eq!(t["open"][0]["carried"], false);
}

#[test]
fn a_draft_is_the_next_iteration_in_the_house_format() {
    let s = Scratch::new();
    s.break_autograd();
    let before = s.read(AUTOGRAD);
    let o = s.run(&[
        "review",
        "--draft",
        &format!("course/{AUTOGRAD}"),
        "--date",
        "2026-03-01",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(s.read(AUTOGRAD), before, "the lesson is not edited");
    let draft = stdout(&o);
    assert!(draft.starts_with(
        "## Review — 2026-03-01 (Iteration 3/3)\n\n### Summary\n- Critical: 0\n- Improvement: 2\n- Polish: 0\n\n### Verdict: NEEDS REVISION\n"
    ), "{draft}");
    assert!(
        draft.contains(
            "#### [IMPROVEMENT] — Fewer misconceptions than the house rule asks for\n\n\
         **Location:** `### Misconceptions Table`, line 39\n\
         **Issue:** 2 misconceptions; the house rule asks for at least 3.\n"
        ),
        "{draft}"
    );
    assert!(draft.contains("**Suggested fix:** Add rows to the Misconceptions Table, each with a concrete negative example and where it is addressed.\n"));
    assert!(draft.contains("**Location:** `### Pedagogical Design`, line 92\n"));
    // Appended to the plan, the draft is a review lessonlint reads without complaint: counts,
    // fields and verdict agree; only the gate (NEEDS REVISION) and the findings it lists remain.
    s.write(AUTOGRAD, &format!("{before}\n---\n\n{draft}"));
    let o = s.run(&["lint", "course", "--format", "json"]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let mut rules: Vec<String> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap().to_string())
        .collect();
    rules.sort();
    assert_eq!(
        rules,
        vec![
            "checklist-claim-contradicts-tables",
            "latest-verdict-not-pass",
            "too-few-misconceptions"
        ]
    );
    let o = s.run(&["review", &format!("course/{AUTOGRAD}")]);
    assert!(
        stdout(&o).contains(
            "  2026-03-01  3/3        0         2            0       0         NEEDS REVISION\n"
        ),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_draft_for_a_clean_lesson_passes_and_lists_fixes_to_verify() {
    let s = Scratch::new();
    let o = s.run(&[
        "review",
        "--draft",
        &format!("course/{TENSORS}"),
        "--date",
        "2026-03-01",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let d = stdout(&o);
    assert!(d.starts_with("## Review — 2026-03-01 (Iteration 2/3)\n"));
    assert!(d.contains("### Verdict: PASS\n"));
    assert!(d.contains("### Findings\n\nNone.\n"));
    assert!(d.contains("1. [POLISH] Axis names differ between sections (iteration 1/3)\n"));
}

#[test]
fn draft_rejects_a_bad_date_and_a_non_lesson() {
    let s = Scratch::new();
    let o = s.run(&[
        "review",
        "--draft",
        &format!("course/{TENSORS}"),
        "--date",
        "March 1",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("expected YYYY-MM-DD"));
    let o = s.run(&["review", "--draft", "course/series-1/module-1-1/record.md"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a lesson plan"));
}

/// The python-runtime-error fixture with its failing block called a second time: the same
/// error, at the same line of `forward`, reached from two places.
fn block_called_twice(dir: &std::path::Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string(
        manifest().join("tests/fixtures/rules/python-runtime-error/fail.md"),
    )
    .unwrap();
    let call = "```python\nblock = ResidualBlock(64, 128, stride=2)\nout = block(torch.randn(8, 64, 32, 32))\nassert out.shape == (8, 128, 16, 16)\n```\n";
    assert!(text.contains(call));
    let again = call
        .replace("block =", "again =")
        .replace("block(", "again(");
    let path = dir.join("resnets.md");
    std::fs::write(&path, text.replacen(call, &format!("{call}\n{again}"), 1)).unwrap();
    path
}

#[test]
fn a_draft_gives_one_finding_for_the_same_error_reached_twice() {
    let dir = tempfile::tempdir().unwrap();
    let path = block_called_twice(dir.path());
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_lessonlint"))
        .args([
            "review",
            "--draft",
            path.to_str().unwrap(),
            "--date",
            "2026-03-01",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let d = stdout(&o);
    assert!(d.contains("- Critical: 1\n"), "{d}");
    assert_eq!(d.matches("#### [CRITICAL]").count(), 1, "{d}");
    assert!(d.contains(
        "**Location:** `## Code`, line 174\n\
         **Issue:** RuntimeError: The size of tensor a (16) must match the size of tensor b (32) at non-singleton dimension 3; see line 179 (called from here); see line 185 (called from here).\n"
    ), "{d}");
}

#[test]
fn a_draft_gives_one_finding_for_identical_findings() {
    use lessonlint::{config::Config, lint, review, workspace::LoadOptions};
    let dir = tempfile::tempdir().unwrap();
    let path = block_called_twice(dir.path());
    let config = Config::defaults();
    let mut outcome = lint::lint_paths(&[path], &config, &LoadOptions::default()).unwrap();
    let critical: Vec<_> = outcome
        .findings
        .iter()
        .filter(|f| f.rule == "python-runtime-error")
        .cloned()
        .collect();
    assert_eq!(critical.len(), 2);
    // The very same finding twice over, as two rules' passes might give it.
    outcome.findings.extend(critical);
    let lesson = &outcome.workspace.lessons[0];
    let d = review::draft(
        outcome.sources(),
        lesson,
        &config,
        &outcome.findings,
        "2026-03-01",
    );
    assert_eq!(d.critical, 1);
    assert_eq!(d.findings.len(), 1);
    assert_eq!(d.verdict, "MAJOR REVISION");
    assert_eq!(
        d.findings[0].issue,
        "RuntimeError: The size of tensor a (16) must match the size of tensor b (32) at non-singleton dimension 3; see line 179 (called from here); see line 185 (called from here)."
    );
}
