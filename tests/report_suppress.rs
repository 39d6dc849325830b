//! Suppression comments: `tests/fixtures/suppress/NAME.md` must give exactly the findings in
//! `NAME.expect` (`LINE RULE: message`, one per line).

use lessonlint::config::Config;
use lessonlint::lint::lint_paths;
use lessonlint::report::position;
use lessonlint::workspace::LoadOptions;
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/suppress")
}

fn findings(path: &Path) -> Vec<String> {
    let o = lint_paths(
        &[path.to_path_buf()],
        &Config::defaults(),
        &LoadOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    o.findings
        .iter()
        .map(|f| {
            format!(
                "{} {}: {}",
                position(o.sources(), f).line,
                f.rule,
                f.message
            )
        })
        .collect()
}

fn expected(name: &str) -> Vec<String> {
    std::fs::read_to_string(dir().join(format!("{name}.expect")))
        .expect("expect file")
        .lines()
        .map(str::to_string)
        .collect()
}

fn check(name: &str) {
    let got = findings(&dir().join(format!("{name}.md")));
    assert_eq!(got, expected(name), "{name}.md");
}

#[test]
fn suppressions_with_reasons_silence_their_findings() {
    check("suppressed");
    assert!(expected("suppressed").is_empty());
}

#[test]
fn a_suppression_without_a_reason_applies_but_is_reported() {
    check("without-reason");
    assert_eq!(
        expected("without-reason")[0],
        "39 suppression-without-reason: the suppression of `too-few-misconceptions` gives no reason"
    );
}

#[test]
fn suppressions_that_suppress_nothing_are_reported() {
    check("unused");
    assert_eq!(expected("unused").len(), 4);
}

#[test]
fn a_block_covers_only_the_lines_up_to_its_enable() {
    check("block");
}

#[test]
fn a_directive_in_a_code_fence_is_only_text() {
    check("in-code-fence");
    assert!(expected("in-code-fence")[0].starts_with("43 too-few-misconceptions:"));
}

#[test]
fn every_fixture_has_an_expect_file() {
    let mut n = 0;
    for e in std::fs::read_dir(dir()).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "md")
            && p.file_name().is_some_and(|f| f != "README.md")
        {
            assert!(
                p.with_extension("expect").is_file(),
                "{} has no .expect",
                p.display()
            );
            n += 1;
        }
    }
    assert_eq!(n, 5);
}

#[test]
fn suppression_rules_are_documented_and_configured() {
    let cfg = Config::defaults();
    for id in ["suppression-without-reason", "unused-suppression"] {
        let m = lessonlint::rules::find_meta(id).expect("listed in rules::extra_meta");
        assert!(m.docs.contains("## Example"));
        assert_ne!(
            cfg.rule(id).level,
            lessonlint::rules::Severity::Off,
            "rules/{id}.yaml"
        );
    }
}
