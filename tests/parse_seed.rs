//! The real lesson plan `resnets.md` parsed end to end.

use lessonlint::model::{Cell, ExampleKind, FileId, Lesson};
use lessonlint::parse::parse_lesson;
use std::path::Path;

/// `../shared/seed/resnets.md` relative to the crate (from a worktree one level deeper, the
/// nearest ancestor holding `shared/seed/resnets.md`).
fn seed() -> Option<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let first = dir.join("../shared/seed/resnets.md");
    let found = std::iter::once(first.clone())
        .chain(dir.ancestors().map(|a| a.join("shared/seed/resnets.md")))
        .find(|p| p.is_file());
    match found.map(|p| std::fs::read_to_string(&p)) {
        Some(Ok(t)) => Some(t),
        Some(Err(e)) => {
            eprintln!("skipping: seed lesson not readable: {e}");
            None
        }
        None => {
            eprintln!("skipping: seed lesson {} not found", first.display());
            None
        }
    }
}

/// The source text of a cell with its Markdown markers removed, as the parser is expected to
/// produce the cell text.
fn demarked(src: &str) -> String {
    let s = src
        .replace("**", "")
        .replace("__", "")
        .replace('`', "")
        .replace("\\|", "|")
        .replace("&mdash;", "—");
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].bytes().filter(|&b| b == b'\n').count() + 1
}

fn check_cell(text: &str, c: &Cell) {
    assert!(c.span.end <= text.len(), "span past end: {c:?}");
    let src = &text[c.span.start..c.span.end];
    assert_eq!(
        demarked(src),
        c.text,
        "span {:?} does not hold the cell text",
        c.span
    );
    assert_eq!(line_of(text, c.span.start), c.line, "line of {:?}", c.text);
}

fn all_row_cells(l: &Lesson) -> Vec<&Cell> {
    let mut v: Vec<&Cell> = Vec::new();
    for r in &l.concepts {
        v.extend([&r.concept, &r.depth, &r.source, &r.notes]);
    }
    for r in &l.prerequisites {
        v.extend([
            &r.concept,
            &r.required,
            &r.actual,
            &r.source,
            &r.status,
            &r.reasoning,
        ]);
    }
    for r in &l.gaps {
        v.extend([&r.gap, &r.size, &r.resolution]);
    }
    for r in &l.misconceptions {
        v.extend([
            &r.misconception,
            &r.why,
            &r.negative_example,
            &r.where_to_address,
        ]);
    }
    for r in &l.examples {
        v.extend([&r.example, &r.type_text, &r.purpose, &r.why]);
    }
    for r in &l.modalities {
        v.extend([&r.modality, &r.what, &r.why]);
    }
    for r in &l.connections {
        v.extend([&r.prior, &r.connection]);
    }
    v
}

#[test]
fn seed_lesson_model() {
    let Some(text) = seed() else { return };
    let l = parse_lesson(FileId(0), &text);

    assert_eq!(
        l.title.as_ref().map(|c| c.text.as_str()),
        Some("ResNets and Skip Connections")
    );
    assert_eq!(l.slug, "resnets");
    assert_eq!(l.module.as_deref(), Some("3.2"));
    assert_eq!(
        l.module_field.as_ref().map(|c| c.text.as_str()),
        Some("3.2 — Modern Architectures")
    );
    let keys: Vec<&str> = l.header.iter().map(|h| h.key.as_str()).collect();
    assert_eq!(keys, ["Module", "Position", "Slug", "Type"]);
    assert_eq!(
        l.header_value("position").map(|c| c.text.as_str()),
        Some("Lesson 2 of 3")
    );

    // Phase 1 and 2 tables.
    assert_eq!(l.concepts.len(), 23);
    assert_eq!(l.concepts[0].line, 16);
    assert_eq!(l.concepts[0].depth.text, "MENTIONED");
    assert_eq!(l.concepts[0].source.text, "architecture-evolution (3.2)");
    assert_eq!(l.concepts[22].concept.text, "AdamW");
    assert_eq!(l.concepts[22].line, 38);
    assert_eq!(
        l.concepts[12].notes.text,
        "forward() returns self.linear(relu(x)) + x; student wrote this code but in a toy dense-network context, not CNN"
    );
    assert_eq!(l.prerequisites.len(), 14);
    assert_eq!(l.prerequisites[0].line, 81);
    assert_eq!(l.prerequisites[0].status.text, "GAP (small)");
    assert_eq!(l.prerequisites[3].source.text, "-");
    assert_eq!(
        l.prerequisites[13].concept.text,
        "model.train() / model.eval()"
    );
    assert_eq!(l.prerequisites[13].line, 94);
    assert_eq!(l.gaps.len(), 5);
    assert_eq!(
        l.gaps[0].gap.text,
        "Degradation problem (MENTIONED -> central concept)"
    );
    assert_eq!(l.gaps[0].size.text, "Small");
    assert_eq!(l.gaps[0].line, 100);
    assert_eq!(l.gaps[4].line, 104);
    assert_eq!(l.misconceptions.len(), 5);
    assert_eq!(l.misconceptions[4].line, 114);
    assert_eq!(
        l.misconceptions[4].where_to_address.text,
        "BN in Practice section"
    );
    assert_eq!(l.examples.len(), 5);
    let negatives: Vec<_> = l
        .examples
        .iter()
        .filter(|e| e.kind == ExampleKind::Negative)
        .collect();
    assert_eq!(negatives.len(), 1);
    assert_eq!(negatives[0].type_text.text, "Negative (boundary case)");
    assert_eq!(
        l.examples.iter().filter(|e| e.kind.is_positive()).count(),
        4
    );
    assert_eq!(l.examples[4].line, 124);

    // Phase 3.
    assert_eq!(l.modalities.len(), 6);
    assert_eq!(l.modalities[0].modality.text, "Visual (block diagrams)");
    assert_eq!(
        l.modalities[5].modality.text,
        "Verbal (identity mapping argument)"
    );
    assert_eq!(l.modalities[5].line, 143);
    let load = l.cognitive_load.as_ref().expect("cognitive load block");
    assert_eq!(load.stated, Some(3));
    assert_eq!(load.stated_line, 147);
    assert_eq!(&text[load.stated_span.start..load.stated_span.end], "3");
    assert_eq!(load.new_concepts.len(), 3);
    assert!(load.new_concepts[0]
        .text
        .starts_with("Residual connection / skip connection"));
    assert_eq!(load.new_concepts[2].line, 150);
    assert!(load.previous.as_ref().unwrap().text.starts_with("STRETCH"));
    assert!(load.this.as_ref().unwrap().text.starts_with("STRETCH"));
    let appropriate = load.appropriate.as_ref().unwrap();
    assert!(appropriate.text.starts_with("Yes, with the mitigations"));
    assert!(appropriate
        .text
        .contains("implementation-focused (notebook)"));
    assert!(load.text.contains("L3 (transfer-learning) is BUILD"));
    assert_eq!(l.connections.len(), 10);
    assert_eq!(
        l.connections[0].prior.text,
        "Degradation problem (MENTIONED)"
    );
    assert_eq!(l.connections[0].line, 163);
    assert_eq!(l.connections[9].line, 172);
    assert!(l
        .target_concept
        .as_ref()
        .unwrap()
        .text
        .starts_with("This lesson teaches the student to explain why residual"));
    assert_eq!(l.target_concept.as_ref().unwrap().line, 75);

    // Checklists.
    assert_eq!(l.checklist.len(), 13);
    assert!(l.checklist.iter().all(|c| c.checked));
    assert_eq!(l.checklist[0].section, "Prerequisite Audit");
    assert_eq!(l.checklist[12].section, "Pedagogical Design");
    assert_eq!(l.checklist[12].line, 276);
    let modal = l.checklist.iter().find(|c| c.line == 271).unwrap();
    assert_eq!(
        modal.claim.as_deref(),
        Some("6: visual, symbolic, concrete, interactive, intuitive/analogy, verbal")
    );
    assert!(modal.text.starts_with("At least 3 modalities planned"));

    // Reviews.
    assert_eq!(l.reviews.len(), 2);
    let (r1, r2) = (&l.reviews[0], &l.reviews[1]);
    assert_eq!(r1.date.as_deref(), Some("2026-02-09"));
    assert_eq!(r2.date.as_deref(), Some("2026-02-09"));
    assert_eq!((r1.iteration, r1.of), (Some(1), Some(3)));
    assert_eq!((r2.iteration, r2.of), (Some(2), Some(3)));
    assert_eq!((r1.label.as_deref(), r1.final_marker), (None, false));
    assert_eq!(r1.line, 280);
    assert_eq!(r2.line, 350);
    let s1 = r1.summary.as_ref().unwrap();
    assert_eq!(
        (s1.critical, s1.improvement, s1.polish),
        (Some(0), Some(3), Some(2))
    );
    // The summary points at its counts (the list under `### Summary`).
    assert_eq!(s1.line, 283);
    assert!(text[s1.span.start..s1.span.end].starts_with("- Critical: 0"));
    assert!(text[s1.span.start..s1.span.end].ends_with("- Polish: 2"));
    let s2 = r2.summary.as_ref().unwrap();
    assert_eq!(
        (s2.critical, s2.improvement, s2.polish),
        (Some(0), Some(0), Some(1))
    );
    let v1 = r1.verdict.as_ref().unwrap();
    assert_eq!(v1.text, "NEEDS REVISION");
    assert_eq!(v1.line, 287);
    assert_eq!(&text[v1.span.start..v1.span.end], "NEEDS REVISION");
    assert_eq!(r2.verdict.as_ref().unwrap().text, "PASS");
    assert_eq!(r1.findings.len(), 5);
    assert_eq!(r2.findings.len(), 1);
    let sev: Vec<&str> = r1.findings.iter().map(|f| f.severity.as_str()).collect();
    assert_eq!(
        sev,
        [
            "improvement",
            "improvement",
            "improvement",
            "polish",
            "polish"
        ]
    );
    assert_eq!(
        r2.findings[0].title,
        "Third-person reference to \"the student\" in WarningBlock"
    );
    assert_eq!(r2.findings[0].line, 363);
    for f in r1.findings.iter().chain(&r2.findings) {
        assert_eq!(
            f.fields,
            ["Location", "Issue", "Student impact", "Suggested fix"]
        );
    }
    assert!(r1.verified_fixes.is_empty());
    assert_eq!(r2.verified_fixes.len(), 5);
    assert_eq!(r2.verified_fixes[0].line, 373);
    assert!(r2.verified_fixes[3]
        .text
        .starts_with("Unified ReLU API to F.relu()"));
    // A review's span runs from its heading to its last block.
    assert!(text[r1.span.start..r1.span.end].starts_with("## Review"));
    assert!(text[r1.span.start..r1.span.end].ends_with("(cell 22) is well-formatted and directs the student to look at the training accuracy curves for the degradation evidence."));

    // Raw structure.
    assert!(l.table_shape_issues.is_empty());
    assert!(l.code_blocks.is_empty());
    assert_eq!(l.tables.len(), 7);
    assert_eq!(l.tables[0].heading, "Relevant Concepts (from records)");
    let h2: Vec<&str> = l
        .headings
        .iter()
        .filter(|h| h.level == 2)
        .map(|h| h.text.as_str())
        .collect();
    assert_eq!(
        h2,
        [
            "Phase 1: Student State",
            "Phase 2: Analyze",
            "Phase 3: Design",
            "Checklists",
            "Review — 2026-02-09 (Iteration 1/3)",
            "Review — 2026-02-09 (Iteration 2/3)"
        ]
    );
}

#[test]
fn seed_spans_hold_their_cells() {
    let Some(text) = seed() else { return };
    let l = parse_lesson(FileId(0), &text);
    for c in all_row_cells(&l) {
        check_cell(&text, c);
    }
    for h in &l.header {
        check_cell(&text, &h.value);
    }
    for t in &l.tables {
        for c in &t.header {
            check_cell(&text, c);
        }
    }
    check_cell(&text, l.title.as_ref().unwrap());
    check_cell(&text, l.target_concept.as_ref().unwrap());
    for r in &l.reviews {
        check_cell(&text, r.verdict.as_ref().unwrap());
        assert_eq!(&text[r.span.start..r.span.start + 9], "## Review");
        for f in &r.findings {
            assert!(text[f.span.start..f.span.end].starts_with("#### ["));
            assert_eq!(line_of(&text, f.span.start), f.line);
        }
    }
    for row in l.tables.iter().flat_map(|t| &t.rows) {
        assert_eq!(line_of(&text, row.span.start), row.line);
        assert!(text[row.span.start..row.span.end].starts_with('|'));
        assert!(text[row.span.start..row.span.end].ends_with('|'));
    }
    for c in &l.checklist {
        assert!(text[c.span.start..c.span.end].starts_with("- [x] "));
        assert_eq!(line_of(&text, c.span.start), c.line);
    }
}

/// Prints the parse time of the seed (run with `cargo test --release --test parse_seed -- --nocapture`).
#[test]
fn seed_parses_fast() {
    let Some(text) = seed() else { return };
    let n = if cfg!(debug_assertions) { 5 } else { 1000 };
    let mut times: Vec<std::time::Duration> = (0..n)
        .map(|_| {
            let start = std::time::Instant::now();
            std::hint::black_box(parse_lesson(FileId(0), std::hint::black_box(&text)));
            start.elapsed()
        })
        .collect();
    times.sort();
    eprintln!(
        "parse_lesson(resnets.md, {} bytes), {} build: min {:?}, median {:?} per parse",
        text.len(),
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        times[0],
        times[n / 2]
    );
}
