//! The real lesson plan `../shared/seed/resnets.md` lints with zero errors, and a copy with any
//! single house rule broken gives that rule's finding at the offending line. Skips (with a
//! printed reason) where `../shared` is absent.

use lessonlint::config::Config;
use lessonlint::lint::lint_paths;
use lessonlint::report::position;
use lessonlint::rules::Severity;
use lessonlint::workspace::LoadOptions;
use std::path::{Path, PathBuf};

fn seed() -> Option<String> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seed/resnets.md");
    match std::fs::read_to_string(&p) {
        Ok(t) => Some(t),
        Err(_) => {
            println!(
                "skipped: {} is absent (it sits beside the clone in CI)",
                p.display()
            );
            None
        }
    }
}

/// Lints `text` as a file and returns (rule, line, severity) of every finding.
fn lint_text(text: &str) -> Vec<(String, usize, Severity)> {
    let dir = tempfile::tempdir().expect("tempdir");
    let p: PathBuf = dir.path().join("resnets.md");
    std::fs::write(&p, text).expect("write");
    let o = lint_paths(&[p], &Config::defaults(), &LoadOptions::default()).expect("lint");
    o.findings
        .iter()
        .map(|f| {
            (
                f.rule.to_string(),
                position(o.sources(), f).line,
                f.severity,
            )
        })
        .collect()
}

fn line_of(text: &str, needle: &str) -> usize {
    let i = text
        .find(needle)
        .unwrap_or_else(|| panic!("seed lacks {needle:?}"));
    text[..i].matches('\n').count() + 1
}

#[test]
fn seed_lints_with_zero_errors() {
    let Some(text) = seed() else { return };
    let found = lint_text(&text);
    let errors: Vec<_> = found.iter().filter(|f| f.2 == Severity::Error).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn seed_with_one_house_rule_broken_reports_it_at_the_line() {
    let Some(text) = seed() else { return };
    // (rule, text to replace, replacement, text marking the expected line in the broken copy)
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "unknown-vocabulary-word",
            "| He initialization | DEVELOPED | training-dynamics (1.3) |",
            "| He initialization | DEVELOPPED | training-dynamics (1.3) |",
            "| He initialization | DEVELOPPED",
        ),
        (
            "status-contradicts-depths",
            "| He initialization | INTRODUCED | DEVELOPED | training-dynamics (1.3) | OK |",
            "| He initialization | APPLIED | DEVELOPED | training-dynamics (1.3) | OK |",
            "| He initialization | APPLIED | DEVELOPED",
        ),
        (
            "unticked-checklist-item",
            "- [x] Scope boundaries explicitly stated",
            "- [ ] Scope boundaries explicitly stated",
            "- [ ] Scope boundaries",
        ),
        (
            "review-summary-miscounted",
            "- Improvement: 3\n- Polish: 2",
            "- Improvement: 2\n- Polish: 2",
            "- Critical: 0\n- Improvement: 2",
        ),
        (
            "latest-verdict-not-pass",
            "### Verdict: PASS",
            "### Verdict: NEEDS REVISION",
            "### Verdict: NEEDS REVISION\n\nAll 5",
        ),
        (
            "checklist-claim-contradicts-tables",
            "(6: visual, symbolic, concrete, interactive, intuitive/analogy, verbal)",
            "(7: visual, symbolic, concrete, interactive, intuitive/analogy, verbal, kinesthetic)",
            "- [x] At least 3 modalities",
        ),
        (
            "too-many-new-concepts",
            "- **New concepts in this lesson:** 3",
            "- **New concepts in this lesson:** 4",
            "- **New concepts in this lesson:** 4",
        ),
        (
            "review-dates-backwards",
            "## Review — 2026-02-09 (Iteration 2/3)",
            "## Review — 2026-02-01 (Iteration 2/3)",
            "## Review — 2026-02-01",
        ),
    ];
    for (rule, from, to, mark) in cases {
        assert!(text.contains(from), "{rule}: seed lacks {from:?}");
        let broken = text.replacen(from, to, 1);
        let want = line_of(&broken, mark);
        let found = lint_text(&broken);
        assert!(
            found
                .iter()
                .any(|(r, l, s)| r == rule && *l == want && *s == Severity::Error),
            "{rule}: expected at line {want}, got {found:?}"
        );
    }
}
