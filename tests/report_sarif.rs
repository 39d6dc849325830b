//! `--format sarif`: the log validates against the official SARIF 2.1.0 schema (vendored in
//! `tests/data/`), describes every rule with its help, and gives each result its region,
//! related locations and a fingerprint that survives edits elsewhere in the file.

mod support;

use lessonlint::config::Config;
use lessonlint::model::{FileId, SourceFile, SourceMap, Span};
use lessonlint::report::{sarif, Report, Summary};
use lessonlint::rules::{Finding, Severity};
use serde_json::Value;
use support::*;

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(manifest().join("tests/data/sarif-schema-2.1.0.json"))
        .expect("vendored schema");
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

fn assert_valid(log: &Value) {
    let v = validator();
    let errors: Vec<String> = v
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF invalid:\n{}", errors.join("\n"));
}

fn sarif_of(sources: &SourceMap, findings: &[Finding]) -> Value {
    let config = Config::defaults();
    let r = Report {
        sources,
        findings,
        notes: &["a note".to_string()],
        summary: Summary::of(sources.files.len(), 0, findings),
        lessons: &[],
        config: &config,
    };
    serde_json::from_str(&sarif::render(&r)).expect("SARIF is JSON")
}

#[test]
fn the_schema_rejects_a_broken_log() {
    // The validator is real: a log without `version` and with a bad level fails.
    let bad = serde_json::json!({"runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"}, "level": "fatal"}]}]});
    assert!(!validator().is_valid(&bad));
}

#[test]
fn sarif_of_a_broken_course_validates_and_points_at_the_lines() {
    let s = Scratch::new();
    s.break_autograd();
    let o = s.run(&["lint", "course", "--format", "sarif"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let log: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    assert_valid(&log);
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let results = run["results"].as_array().expect("results");
    let got: Vec<(String, String, u64)> = results
        .iter()
        .map(|r| {
            let loc = &r["locations"][0]["physicalLocation"];
            (
                r["ruleId"].as_str().unwrap().to_string(),
                loc["artifactLocation"]["uri"].as_str().unwrap().to_string(),
                loc["region"]["startLine"].as_u64().unwrap(),
            )
        })
        .collect();
    let uri = format!("course/{AUTOGRAD}");
    assert_eq!(
        got,
        vec![
            ("too-few-misconceptions".to_string(), uri.clone(), 39),
            ("checklist-claim-contradicts-tables".to_string(), uri, 92),
        ]
    );
    for r in results {
        assert_eq!(r["level"], "error");
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(run["tool"]["driver"]["rules"][idx]["id"], r["ruleId"]);
        let fp = r["partialFingerprints"]["lessonlint/v1"].as_str().unwrap();
        assert_eq!(fp.len(), 16);
    }
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["region"]["snippet"]["text"],
        "### Misconceptions Table"
    );
}

#[test]
fn every_rule_is_described_with_its_documentation() {
    let s = Scratch::new();
    let o = s.run(&["lint", "course", "--format", "sarif"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let log: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    assert_valid(&log);
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let want: Vec<&str> = lessonlint::rules::all_meta().iter().map(|m| m.id).collect();
    assert_eq!(ids, want);
    for r in rules {
        let help = r["help"]["text"].as_str().unwrap();
        assert!(help.contains("## What it does"), "{}: {help}", r["id"]);
        assert!(help.contains("## Why is this bad?"), "{}", r["id"]);
        assert!(!r["shortDescription"]["text"].as_str().unwrap().is_empty());
    }
    let unused = rules
        .iter()
        .find(|r| r["id"] == "unused-suppression")
        .unwrap();
    assert_eq!(unused["defaultConfiguration"]["level"], "warning");
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 0);
}

fn two_files() -> SourceMap {
    let mut m = SourceMap::default();
    m.add(SourceFile::new(
        "course/lessons/a b.md",
        "# Title\n\n| x | ÜBER |\n| y | z |\n".to_string(),
    ));
    m.add(SourceFile::new(
        "/abs/record.md",
        "# Record\n| x | INTRODUCED |\n".to_string(),
    ));
    m
}

fn finding_at(m: &SourceMap, file: usize, needle: &str, rule: &'static str) -> Finding {
    let text = &m.get(FileId(file)).text;
    let s = text.find(needle).expect("needle");
    let mut f = Finding::new(rule, FileId(file), Span::new(s, s + needle.len()), "msg")
        .label("here")
        .help("do this");
    f.severity = Severity::Warning;
    f
}

#[test]
fn related_locations_in_other_files_and_unicode_columns_validate() {
    let m = two_files();
    let rec = m.get(FileId(1)).text.find("INTRODUCED").unwrap();
    let f = finding_at(&m, 0, "ÜBER", "unknown-vocabulary-word").related(
        FileId(1),
        Span::new(rec, rec + 10),
        "recorded here",
    );
    let empty = Finding::new("missing-section", FileId(0), Span::new(0, 0), "no table");
    let log = sarif_of(&m, &[f, empty]);
    assert_valid(&log);
    let r = &log["runs"][0]["results"][0];
    let region = &r["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 3);
    assert_eq!(region["startColumn"], 7);
    assert_eq!(
        region["endColumn"], 11,
        "columns count characters, end exclusive"
    );
    assert_eq!(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "course/lessons/a%20b.md"
    );
    assert_eq!(r["level"], "warning");
    assert_eq!(r["message"]["text"], "msg\nhelp: do this");
    let rel = &r["relatedLocations"][0];
    assert_eq!(rel["id"], 1);
    assert_eq!(rel["message"]["text"], "recorded here");
    assert_eq!(
        rel["physicalLocation"]["artifactLocation"]["uri"],
        "file:///abs/record.md"
    );
    assert_eq!(rel["physicalLocation"]["region"]["startLine"], 2);
    // An empty span at the start of the file covers its first line.
    let region = &log["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["endLine"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(region["endColumn"], 8);
    assert_eq!(
        log["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"],
        "a note"
    );
}

#[test]
fn fingerprints_survive_edits_elsewhere_in_the_file() {
    let s = Scratch::new();
    s.break_autograd();
    let fps = |s: &Scratch| -> Vec<(String, String, u64)> {
        let o = s.run(&["lint", "course", "--format", "sarif"]);
        let log: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["ruleId"].as_str().unwrap().to_string(),
                    r["partialFingerprints"]["lessonlint/v1"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .unwrap(),
                )
            })
            .collect()
    };
    let before = fps(&s);
    // Four lines added near the top move every finding down by four lines.
    s.edit(
        AUTOGRAD,
        "## Phase 1: Student State\n",
        "## Phase 1: Student State\n\nThe student arrives from the tensors lesson.\nThey have written shapes by hand.\n\n",
    );
    let after = fps(&s);
    assert_eq!(before.len(), 2);
    assert_eq!(after.len(), 2);
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(a.0, b.0);
        assert_eq!(a.2, b.2 + 4, "the finding moved");
        assert_eq!(a.1, b.1, "{}: the fingerprint did not change", a.0);
    }
}
