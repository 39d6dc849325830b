//! Fixture trees per cross-lesson rule (`tests/fixtures/trees/`): the `base` tree passes every
//! rule; `<rule>/fail/` overlays one change on it (files replaced or added, `remove.txt` lists
//! files deleted) and the rule's findings are snapshotted as the user reads them — the message,
//! the primary place and every related place; `<rule>/pass/` overlays a near miss the rule must
//! accept.

mod cross_common;

use cross_common::*;
use std::path::Path;

fn overlay(root: &Path, dir: &Path) {
    for entry in std::fs::read_dir(dir).expect("read overlay") {
        let entry = entry.expect("entry");
        let p = entry.path();
        if entry.file_name() == "remove.txt" {
            let list = std::fs::read_to_string(&p).expect("remove.txt");
            for line in list.lines().map(str::trim).filter(|l| !l.is_empty()) {
                std::fs::remove_file(root.join(line)).expect("remove listed file");
            }
        } else if p.is_dir() {
            let dest = root.join(entry.file_name());
            std::fs::create_dir_all(&dest).expect("mkdir");
            copy_tree(&p, &dest);
        } else {
            std::fs::copy(&p, root.join(entry.file_name())).expect("copy");
        }
    }
}

/// Findings of `rule` on the base tree with `<rule>/<kind>` overlaid, as text.
fn findings_of(rule: &str, kind: &str) -> Vec<String> {
    let dir = tree("base");
    overlay(dir.path(), &fixtures().join(rule).join(kind));
    let o = lint_dir(dir.path());
    o.findings
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| describe(&o, dir.path(), f))
        .collect()
}

#[test]
fn base_tree_passes_every_cross_rule() {
    let dir = tree("base");
    let o = lint_dir(dir.path());
    let ids = cross_ids();
    let cross: Vec<String> = o
        .findings
        .iter()
        .filter(|f| ids.contains(&f.rule))
        .map(|f| describe(&o, dir.path(), f))
        .collect();
    assert!(cross.is_empty(), "{}", cross.join("\n"));
    assert!(
        o.notes.iter().all(|n| !n.contains("skipped")),
        "{:?}",
        o.notes
    );
}

#[test]
fn every_cross_rule_has_a_failing_fixture() {
    let missing: Vec<&str> = cross_ids()
        .into_iter()
        .filter(|id| !fixtures().join(id).join("fail").is_dir())
        .collect();
    assert!(
        missing.is_empty(),
        "no tests/fixtures/trees/<rule>/fail for {missing:?}"
    );
}

#[test]
fn each_rule_reports_its_failing_fixture() {
    for id in cross_ids() {
        let found = findings_of(id, "fail");
        assert!(!found.is_empty(), "{id}: the fail fixture gives no finding");
        insta::assert_snapshot!(format!("cross_{id}"), found.join("\n\n"));
    }
}

#[test]
fn each_rule_accepts_its_near_miss() {
    for id in cross_ids() {
        if !fixtures().join(id).join("pass").is_dir() {
            continue;
        }
        let found = findings_of(id, "pass");
        assert!(found.is_empty(), "{id}: {}", found.join("\n"));
    }
}
