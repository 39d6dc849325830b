//! Every variant of the format listed in FORMAT.md gives the same model as the base lesson.
//!
//! `tests/fixtures/variants/base.md` is a small lesson plan; each other file there changes one
//! thing the way real files do. The model of each (serialised to JSON, without the raw heading
//! list, raw tables and review heading texts, and without line numbers where the variant moves
//! lines) must equal the base model, patched only where the variant legitimately says something
//! else (a different verdict wording, an iteration label).

use lessonlint::model::{FileId, Lesson};
use lessonlint::parse::{parse_lesson, parse_lesson_at};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/variants")
}

fn read(name: &str) -> String {
    let p = dir().join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn parse(name: &str) -> (String, Lesson) {
    let text = read(name);
    let l = parse_lesson(FileId(0), &text);
    (text, l)
}

fn strip_lines(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.remove("line");
            m.remove("stated_line");
            for (_, x) in m.iter_mut() {
                strip_lines(x);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(strip_lines),
        _ => {}
    }
}

/// The semantic model: what the rules read, without raw headings, tables, comments and code.
fn project(l: &Lesson, drop_lines: bool) -> Value {
    let mut v = serde_json::to_value(l).expect("lesson serialises");
    let m = v.as_object_mut().expect("object");
    for k in ["headings", "tables", "comments", "code_blocks"] {
        m.remove(k);
    }
    if let Some(Value::Array(reviews)) = m.get_mut("reviews") {
        for r in reviews {
            if let Some(o) = r.as_object_mut() {
                o.remove("heading");
            }
        }
    }
    if drop_lines {
        strip_lines(&mut v);
    }
    v
}

fn remove_slug_header(v: &mut Value) {
    if let Some(Value::Array(h)) = v.get_mut("header") {
        h.retain(|f| f["key"] != "Slug");
    }
}

type Patch = fn(&mut Value);

const NONE: Patch = |_| {};

/// (file, lines move, patch applied to the base model).
fn cases() -> Vec<(&'static str, bool, Patch)> {
    vec![
        ("title_lesson_plan.md", false, NONE),
        ("title_planning_document.md", true, remove_slug_header),
        ("title_slug_planning_document.md", true, |v| {
            remove_slug_header(v);
            v["title"] = json!("tiny-skip");
        }),
        ("title_lesson_planning.md", true, |v| {
            remove_slug_header(v);
            v["title"] = json!("tiny-skip");
        }),
        ("phase1_orient_em_dash.md", false, NONE),
        ("phase1_orient_double_dash.md", false, NONE),
        ("phase1_orient_triple_dash.md", false, NONE),
        ("phase1_student_state_orient.md", false, NONE),
        ("phase1_orient_student_state.md", false, NONE),
        ("phase1_orient.md", false, NONE),
        ("concepts_the_student_has.md", false, NONE),
        ("concepts_with_depths.md", false, NONE),
        ("concepts_under_h2.md", true, NONE),
        ("phase2_analysis.md", false, NONE),
        ("review_double_dash.md", false, NONE),
        ("review_unlabelled.md", false, |v| {
            v["reviews"][0]["date"] = json!("2026-02-06");
            v["reviews"][0]["iteration"] = Value::Null;
            v["reviews"][0]["of"] = Value::Null;
        }),
        ("review_final.md", false, |v| {
            v["reviews"][1]["iteration"] = json!(3);
            v["reviews"][1]["of"] = json!(3);
            v["reviews"][1]["final_marker"] = json!(true);
        }),
        ("review_restarted_counter.md", false, |v| {
            v["reviews"][1]["iteration"] = json!(1);
            v["reviews"][1]["label"] = json!("Post-Depth-Rework");
        }),
        ("verdict_pass_with_polish_notes.md", false, |v| {
            v["reviews"][1]["verdict"] = json!("PASS with polish notes");
        }),
        ("verdict_pass_paren_polish_notes.md", false, |v| {
            v["reviews"][1]["verdict"] = json!("PASS (with polish notes)");
        }),
        ("verdict_pass_with_notes.md", false, |v| {
            v["reviews"][1]["verdict"] = json!("PASS with notes");
        }),
        ("verdict_needs_revision_revised.md", false, |v| {
            v["reviews"][1]["verdict"] = json!("NEEDS REVISION → REVISED");
        }),
        ("verdict_major_revision.md", false, |v| {
            v["reviews"][1]["verdict"] = json!("MAJOR REVISION");
        }),
        ("verdict_bold_line.md", false, NONE),
        ("finding_h3.md", false, NONE),
        ("finding_bold_tag.md", false, NONE),
        ("finding_bare_tag.md", false, NONE),
        ("fix_verification_heading.md", true, NONE),
        ("escaped_pipe.md", false, NONE),
        ("heading_in_code_fence.md", true, NONE),
        ("source_column.md", false, NONE),
        ("planning_checklist.md", false, NONE),
        ("planning_checklists.md", false, NONE),
        ("design_checklists.md", false, NONE),
    ]
}

#[test]
fn base_model_is_complete() {
    let (_, l) = parse("base.md");
    assert_eq!(l.title.as_ref().unwrap().text, "Tiny Skip Connections");
    assert_eq!(l.slug, "tiny-skip");
    assert_eq!(l.module.as_deref(), Some("3.2"));
    assert_eq!(l.concepts.len(), 3);
    assert_eq!(l.concepts[1].notes.text, "0.25^N decay — telephone game");
    assert_eq!(l.concepts[2].notes.text, "Uses the a | b notation");
    assert_eq!(l.prerequisites.len(), 3);
    assert_eq!(l.prerequisites[2].source.text, "-");
    assert_eq!(l.gaps.len(), 2);
    assert_eq!(l.misconceptions.len(), 3);
    assert_eq!(l.examples.len(), 3);
    assert_eq!(l.modalities.len(), 3);
    assert_eq!(l.modalities[0].modality.text, "Visual (block diagram)");
    assert_eq!(l.connections.len(), 2);
    let load = l.cognitive_load.as_ref().unwrap();
    assert_eq!((load.stated, load.new_concepts.len()), (Some(2), 2));
    assert!(load.this.as_ref().unwrap().text.starts_with("BUILD"));
    assert_eq!(l.checklist.len(), 4);
    assert_eq!(l.checklist.iter().filter(|c| c.checked).count(), 3);
    assert_eq!(l.reviews.len(), 2);
    assert_eq!(l.reviews[0].findings.len(), 2);
    assert_eq!(l.reviews[0].findings[1].severity, "polish");
    assert_eq!(l.reviews[0].findings[1].title, "Inconsistent ReLU style");
    assert_eq!(
        l.reviews[0].findings[1].fields,
        ["Location", "Issue", "Student impact", "Suggested fix"]
    );
    assert_eq!(l.reviews[1].findings.len(), 0);
    assert_eq!(l.reviews[1].verified_fixes.len(), 2);
    assert_eq!(
        l.reviews[1].verified_fixes[0].text,
        "[IMPROVEMENT] — Weak hook"
    );
    assert!(l.table_shape_issues.is_empty());
}

#[test]
fn every_variant_gives_the_base_model() {
    let (_, base) = parse("base.md");
    let mut failures = Vec::new();
    let cases = cases();
    for (name, drop_lines, patch) in &cases {
        let (_, l) = parse(name);
        let mut want = project(&base, *drop_lines);
        patch(&mut want);
        let got = project(&l, *drop_lines);
        if got != want {
            failures.push(format!(
                "{name}:\n  want {}\n  got  {}",
                serde_json::to_string(&want).unwrap_or_default(),
                serde_json::to_string(&got).unwrap_or_default()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every fixture in the folder is covered.
    let listed: Vec<&str> = cases.iter().map(|c| c.0).collect();
    let mut files: Vec<String> = std::fs::read_dir(dir())
        .expect("fixture dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .collect();
    files.sort();
    for f in &files {
        assert!(
            listed.contains(&f.as_str())
                || [
                    "base.md",
                    "crlf.md",
                    "no_trailing_newline.md",
                    "unescaped_pipe_row.md"
                ]
                .contains(&f.as_str()),
            "fixture {f} has no case"
        );
    }
}

#[test]
fn crlf_and_missing_newline_give_the_same_model() {
    let (base_text, base) = parse("base.md");
    let full = |l: &Lesson| serde_json::to_value(l).expect("serialises");
    for name in ["crlf.md", "no_trailing_newline.md"] {
        let (_, l) = parse(name);
        assert_eq!(full(&l), full(&base), "{name}");
    }
    // CRLF spans still land on the same bytes of each line.
    let (crlf_text, crlf) = parse("crlf.md");
    assert!(
        crlf_text.contains("\r\n"),
        "crlf.md lost its CRLF line endings"
    );
    for (a, b) in base.concepts.iter().zip(&crlf.concepts) {
        for (ca, cb) in [(&a.concept, &b.concept), (&a.notes, &b.notes)] {
            assert_eq!(
                &base_text[ca.span.start..ca.span.end],
                &crlf_text[cb.span.start..cb.span.end]
            );
        }
    }
    let v = crlf.reviews[0].verdict.as_ref().unwrap();
    assert_eq!(&crlf_text[v.span.start..v.span.end], "NEEDS REVISION");
    let m = crlf.module_field.as_ref().unwrap();
    assert_eq!(
        &crlf_text[m.span.start..m.span.end],
        "3.2 — Modern Architectures"
    );
    for (a, b) in base.tables.iter().zip(&crlf.tables) {
        for (ra, rb) in a.rows.iter().zip(&b.rows) {
            assert_eq!(
                &base_text[ra.span.start..ra.span.end],
                &crlf_text[rb.span.start..rb.span.end]
            );
        }
    }
}

#[test]
fn code_fence_headings_are_not_structure() {
    let (_, base) = parse("base.md");
    let (_, l) = parse("heading_in_code_fence.md");
    assert_eq!(l.headings.len(), base.headings.len());
    assert_eq!(l.reviews.len(), 2);
    assert_eq!(l.code_blocks.len(), 1);
    let b = &l.code_blocks[0];
    assert_eq!(b.info, "markdown");
    assert!(b.code.starts_with("## Review — 2026-01-01"));
    assert_eq!((b.line, b.code_line), (71, 72));
    let text = read("heading_in_code_fence.md");
    assert!(text[b.code_offset..].starts_with("## Review — 2026-01-01"));
    assert!(text[b.span.start..b.span.end].starts_with("```markdown"));
    assert!(text[b.span.start..b.span.end].ends_with("```"));
}

#[test]
fn unescaped_pipe_row_is_reported_and_kept() {
    let (text, l) = parse("unescaped_pipe_row.md");
    assert_eq!(l.table_shape_issues.len(), 1);
    let issue = &l.table_shape_issues[0];
    assert_eq!((issue.expected, issue.found), (4, 5));
    assert_eq!(issue.line, 18);
    assert_eq!(issue.heading, "Relevant Concepts (from records)");
    assert!(text[issue.span.start..issue.span.end].contains("p(x_t|x_0)"));
    // The row is kept (its cells as GitHub renders them) and the rest of the file parses.
    assert_eq!(l.concepts.len(), 3);
    assert_eq!(l.concepts[2].concept.text, "Batch normalization");
    assert_eq!(l.concepts[2].depth.text, "INTRODUCED");
    assert_eq!(l.concepts[2].notes.text, "Normalises with p(x_t");
    let (_, base) = parse("base.md");
    let mut want = project(&base, false);
    want["concepts"][2]["notes"] = json!("Normalises with p(x_t");
    let mut got = project(&l, false);
    got.as_object_mut().unwrap().remove("table_shape_issues");
    want.as_object_mut().unwrap().remove("table_shape_issues");
    assert_eq!(got, want);
}

#[test]
fn slug_falls_back_to_the_file_stem() {
    let text = read("base.md").replace("**Slug:** `tiny-skip`\n", "");
    let l = parse_lesson(FileId(0), &text);
    assert_eq!(l.slug, "");
    let l = parse_lesson_at(
        FileId(0),
        Path::new("series-3/module-3-2/lessons/resnets.md"),
        &text,
    );
    assert_eq!(l.slug, "resnets");
    // A slug from the header or a title form wins over the stem.
    let (_, l) = parse("title_planning_document.md");
    assert_eq!(l.slug, "tiny-skip");
    let text = read("title_lesson_planning.md");
    let l = parse_lesson_at(FileId(0), Path::new("lessons/other.md"), &text);
    assert_eq!(l.slug, "tiny-skip");
}
