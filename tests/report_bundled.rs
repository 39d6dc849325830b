//! The acceptance scenario on the bundled `curriculum/`: in a scratch git repository holding
//! it, breaking one lesson gives an `::error` at that file and line with exit code 1, the SARIF
//! validates, and the HTML page carries the finding inline. Skipped (with a reason) while the
//! project has no bundled curriculum.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let (p, t) = (e.path(), to.join(e.file_name()));
        if p.is_dir() {
            copy_dir(&p, &t);
        } else {
            std::fs::copy(&p, &t).unwrap();
        }
    }
}

fn lessons(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            lessons(&p, out);
        } else if p.parent().is_some_and(|d| d.ends_with("lessons"))
            && p.extension().is_some_and(|x| x == "md")
        {
            out.push(p);
        }
    }
}

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_lessonlint"))
        .args(args)
        .current_dir(dir)
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .unwrap()
}

#[test]
fn breaking_a_bundled_lesson_is_reported_in_every_ci_format() {
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("curriculum");
    if !bundled.join("course.md").is_file() {
        eprintln!("skipped: no bundled curriculum/ yet");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    copy_dir(&bundled, &root.join("curriculum"));
    let git_ok = Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if git_ok {
        for args in [
            vec!["init", "-q"],
            vec!["add", "."],
            vec![
                "-c",
                "user.name=T",
                "-c",
                "user.email=t@example.com",
                "commit",
                "-q",
                "-m",
                "c",
            ],
        ] {
            let o = Command::new("git")
                .args(&args)
                .current_dir(root)
                .output()
                .unwrap();
            assert!(o.status.success(), "git {args:?}");
        }
    }
    // Break one lesson: a misspelt depth word in its first table row that has `| DEVELOPED |`.
    let mut files = Vec::new();
    lessons(&root.join("curriculum"), &mut files);
    files.sort();
    let (file, text) = files
        .iter()
        .find_map(|f| {
            let t = std::fs::read_to_string(f).ok()?;
            t.contains("| DEVELOPED |").then_some((f.clone(), t))
        })
        .expect("a lesson with a DEVELOPED cell");
    let at = text.find("| DEVELOPED |").unwrap();
    let line = text[..at].matches('\n').count() + 1;
    std::fs::write(&file, text.replacen("| DEVELOPED |", "| DEVELOPPED |", 1)).unwrap();
    let rel = file
        .strip_prefix(root)
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/");

    let o = run(root, &["lint", "curriculum", "--format", "github"]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    let want = format!("::error file={rel},line={line},");
    assert!(
        out.lines()
            .any(|l| l.starts_with(&want) && l.contains("title=unknown-vocabulary-word")),
        "no `{want}…title=unknown-vocabulary-word` in:\n{out}"
    );

    let o = run(root, &["lint", "curriculum", "--format", "sarif"]);
    let log: Value = serde_json::from_slice(&o.stdout).unwrap();
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = v.iter_errors(&log).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");

    let o = run(root, &["lint", "curriculum", "--format", "html"]);
    let page = String::from_utf8_lossy(&o.stdout);
    assert!(page.contains("unknown-vocabulary-word"));
    assert!(page.contains("DEVELOPPED"));
}
