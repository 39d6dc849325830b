//! `--format github` (workflow commands, escaped as the runner requires, errors first; the job
//! summary when `GITHUB_STEP_SUMMARY` is set) and `--format markdown` (a PR comment).

mod support;

use lessonlint::config::Config;
use lessonlint::model::{FileId, SourceFile, SourceMap, Span};
use lessonlint::report::{github, markdown, Report, Summary};
use lessonlint::rules::{Finding, Severity};
use support::*;

#[test]
fn breaking_a_lesson_in_a_git_checkout_gives_errors_at_its_lines() {
    // The acceptance scenario: a scratch repository holding the course; one lesson broken.
    let s = Scratch::new();
    if have_git() {
        s.git(&["init", "-q"]);
        s.git(&["add", "."]);
        s.git(&["commit", "-q", "-m", "course"]);
    }
    let o = s.run(&["lint", "course", "--format", "github"]);
    assert_eq!(o.status.code(), Some(0), "clean course: {}", stdout(&o));
    assert!(!stdout(&o).contains("::error"));
    s.break_autograd();
    let o = s.run(&["lint", "course", "--format", "github"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    let file = format!("course/{AUTOGRAD}");
    assert_eq!(
        lines[0],
        format!("::error file={file},line=39,endLine=39,col=1,endColumn=25,title=too-few-misconceptions::2 misconceptions; the house rule asks for at least 3%0Ahelp: add rows to the Misconceptions Table, each with a concrete negative example and where it is addressed")
    );
    assert!(lines[1].starts_with(&format!("::error file={file},line=92,endLine=92,col=1,")));
    assert!(lines[1].contains(",title=checklist-claim-contradicts-tables::checklist claims 3 misconceptions; the Misconceptions Table has 2"));
    assert_eq!(
        lines[2],
        "lessonlint: failed: 2 errors, 0 warnings, 0 notes in 5 files (2 lesson plans)"
    );
    assert_eq!(lines.len(), 3);
}

fn map() -> SourceMap {
    let mut m = SourceMap::default();
    m.add(SourceFile::new(
        "course/a,b:c%.md",
        "# T\nline two\nline three\n".to_string(),
    ));
    m
}

fn f(sev: Severity, line_start: usize, msg: &str) -> Finding {
    let mut f = Finding::new(
        "too-few-examples",
        FileId(0),
        Span::new(line_start, line_start + 4),
        msg,
    );
    f.severity = sev;
    f
}

fn report<'a>(m: &'a SourceMap, fs: &'a [Finding], config: &'a Config) -> Report<'a> {
    Report {
        sources: m,
        findings: fs,
        notes: &[],
        summary: Summary::of(1, 0, fs),
        lessons: &[],
        config,
    }
}

#[test]
fn messages_and_properties_are_escaped_for_the_runner() {
    let m = map();
    let config = Config::defaults();
    let fs = vec![f(
        Severity::Error,
        4,
        "100% of rows: a, b\nsecond line\r\nthird",
    )
    .help("fix: this, now")];
    let out = github::render(&report(&m, &fs, &config));
    let first = out.lines().next().unwrap();
    assert_eq!(
        first,
        "::error file=course/a%2Cb%3Ac%25.md,line=2,endLine=2,col=1,endColumn=5,title=too-few-examples::100%25 of rows: a, b%0Asecond line%0D%0Athird%0Ahelp: fix: this, now"
    );
    // Nothing of the message leaks onto a line of its own.
    assert_eq!(out.lines().filter(|l| l.starts_with("::")).count(), 1);
}

#[test]
fn errors_come_before_warnings_and_notices() {
    let m = map();
    let config = Config::defaults();
    let fs = vec![
        f(Severity::Info, 0, "n1"),
        f(Severity::Warning, 4, "w1"),
        f(Severity::Error, 13, "e1"),
        f(Severity::Warning, 13, "w2"),
        f(Severity::Error, 14, "e2"),
    ];
    let out = github::render(&report(&m, &fs, &config));
    let kinds: Vec<String> = out
        .lines()
        .filter(|l| l.starts_with("::"))
        .map(|l| {
            let cmd = &l[2..l.find(' ').unwrap()];
            let msg = &l[l.rfind("::").unwrap() + 2..];
            format!("{cmd} {msg}")
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            "error e1",
            "error e2",
            "warning w1",
            "warning w2",
            "notice n1"
        ]
    );
}

#[test]
fn many_errors_point_to_the_summary() {
    let m = map();
    let config = Config::defaults();
    let fs: Vec<Finding> = (0..12)
        .map(|i| f(Severity::Error, 4, &format!("e{i}")))
        .collect();
    let out = github::render(&report(&m, &fs, &config));
    assert!(out.contains("lessonlint: the runner shows 10 annotations per level; 2 more are in the job summary (or run lessonlint locally)"));
}

#[test]
fn step_summary_holds_every_finding_and_the_concept_graph() {
    let s = Scratch::new();
    s.break_autograd();
    let summary = s.root().join("summary.md");
    std::fs::write(&summary, "# earlier step\n").unwrap();
    let o = s.run_env(
        &["lint", "course", "--format", "github"],
        &[("GITHUB_STEP_SUMMARY", &summary)],
    );
    assert_eq!(o.status.code(), Some(1));
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(
        text.starts_with("# earlier step\n## lessonlint failed\n"),
        "appended:\n{text}"
    );
    assert!(text.contains("| Level | File | Line | Rule | Message |"));
    assert!(text.contains(&format!("| error | `course/{AUTOGRAD}` | 39 | `too-few-misconceptions` | 2 misconceptions; the house rule asks for at least 3 — add rows")));
    assert!(text.contains(&format!(
        "| error | `course/{AUTOGRAD}` | 92 | `checklist-claim-contradicts-tables` |"
    )));
    let mermaid = &text[text.find("```mermaid\n").expect("mermaid block")..];
    assert!(mermaid.contains("flowchart LR"));
    assert!(mermaid.contains("L0[\"autograd-basics\"]:::lesson"));
    assert!(mermaid.contains("L1[\"tensors-basics\"]:::lesson"));
    assert!(mermaid.contains("C0_0[\"Tensor shapes<br/>DEVELOPED / DEVELOPED<br/>OK\"]:::ok"));
    assert!(mermaid.contains("L1 --> C0_0"));
    assert!(mermaid.contains("C0_0 --> L0"));
    // Only the lessons with findings are drawn.
    assert!(!mermaid.contains("Python lists"));
}

#[test]
fn markdown_comment_summarises_by_rule_and_file() {
    let s = Scratch::new();
    s.break_autograd();
    let o = s.run(&["lint", "course", "--format", "markdown"]);
    assert_eq!(o.status.code(), Some(1));
    let md = stdout(&o);
    let want = format!(
        "### ❌ lessonlint failed\n\n2 errors, 0 warnings, 0 notes in 5 files (2 lesson plans)\n\n| Rule | Errors | Warnings | Notes |\n|---|---:|---:|---:|\n| `checklist-claim-contradicts-tables` | 1 | 0 | 0 |\n| `too-few-misconceptions` | 1 | 0 | 0 |\n\n<details open><summary><code>course/{AUTOGRAD}</code>: 2 findings</summary>\n\n- 🔴 **error** line 39 `too-few-misconceptions`: 2 misconceptions; the house rule asks for at least 3<br>*help:* add rows to the Misconceptions Table, each with a concrete negative example and where it is addressed\n"
    );
    assert!(md.starts_with(&want), "{md}");
    let clean = Scratch::new();
    let o = clean.run(&["lint", "course", "--format", "markdown"]);
    assert_eq!(
        stdout(&o),
        "### ✅ lessonlint passed\n\n0 errors, 0 warnings, 0 notes in 5 files (2 lesson plans)\n\n"
    );
}

#[test]
fn markdown_comment_stays_small() {
    let m = map();
    let config = Config::defaults();
    let long = "x".repeat(3000);
    let fs: Vec<Finding> = (0..200).map(|_| f(Severity::Error, 4, &long)).collect();
    let md = markdown::render(&report(&m, &fs, &config));
    assert!(md.len() < 65_536, "{} bytes", md.len());
    assert!(md.contains("more not listed here"));
}

/// The ```yaml blocks of the README, parsed.
fn readme_yaml() -> Vec<serde_yaml::Value> {
    let readme = std::fs::read_to_string(manifest().join("README.md")).unwrap();
    readme
        .split("```yaml\n")
        .skip(1)
        .map(|b| {
            let block = &b[..b.find("```").unwrap()];
            serde_yaml::from_str(block).unwrap_or_else(|e| panic!("{e}:\n{block}"))
        })
        .collect()
}

#[test]
fn the_readme_workflow_and_hook_work_without_tags_or_placeholders() {
    let blocks = readme_yaml();
    let readme = std::fs::read_to_string(manifest().join("README.md")).unwrap();
    assert!(!readme.contains("OWNER/"), "a placeholder owner is left");
    // The workflow installs lessonlint from the checkout it runs in, and lints the curriculum
    // this repository bundles.
    let workflow = blocks
        .iter()
        .find(|b| b.get("jobs").is_some())
        .expect("the workflow");
    let steps = workflow["jobs"]["lessonlint"]["steps"]
        .as_sequence()
        .unwrap();
    let install = steps
        .iter()
        .find(|s| s["name"] == "Install lessonlint")
        .unwrap();
    assert_eq!(install["run"], "cargo install --locked --path .");
    let cargo = std::fs::read_to_string(manifest().join("Cargo.toml")).unwrap();
    assert!(cargo.contains("name = \"lessonlint\""));
    assert!(manifest().join("curriculum").is_dir());
    // The pre-commit hook is pinned by commit (there are no release tags) and names a hook
    // this repository ships.
    let hooks: serde_yaml::Value = serde_yaml::from_str(
        &std::fs::read_to_string(manifest().join(".pre-commit-hooks.yaml")).unwrap(),
    )
    .unwrap();
    let remote = blocks
        .iter()
        .flat_map(|b| b["repos"].as_sequence().cloned().unwrap_or_default())
        .find(|r| r["repo"] != "local")
        .expect("the pre-commit example");
    let rev = remote["rev"].as_str().unwrap();
    assert!(
        rev == "<full commit SHA>"
            || (rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit())),
        "rev: {rev}"
    );
    assert_eq!(remote["hooks"][0]["id"], hooks[0]["id"]);
}
