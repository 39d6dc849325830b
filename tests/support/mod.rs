//! Shared helpers of the report tests: a scratch copy of the fixture course, ways to break it,
//! and running the binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const AUTOGRAD: &str = "series-1/module-1-1/lessons/autograd-basics.md";
pub const TENSORS: &str = "series-1/module-1-1/lessons/tensors-basics.md";

/// The misconception row whose removal breaks `autograd-basics`.
pub const MISCONCEPTION_ROW: &str = "| \"Gradients reset themselves\" | Each call feels independent | Two backward() calls add up in .grad | Accumulation section |\n";

pub fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn course_fixture() -> PathBuf {
    manifest().join("tests/fixtures/report/course")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let p = e.path();
        let t = to.join(e.file_name());
        if p.is_dir() {
            copy_dir(&p, &t);
        } else {
            std::fs::copy(&p, &t).expect("copy");
        }
    }
}

/// A temporary directory holding a copy of the fixture course at `course/`.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Scratch {
        let dir = tempfile::tempdir().expect("tempdir");
        copy_dir(&course_fixture(), &dir.path().join("course"));
        Scratch { dir }
    }
    pub fn root(&self) -> &Path {
        self.dir.path()
    }
    pub fn course(&self) -> PathBuf {
        self.dir.path().join("course")
    }
    pub fn path(&self, rel: &str) -> PathBuf {
        self.course().join(rel)
    }
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).expect("read")
    }
    pub fn write(&self, rel: &str, text: &str) {
        std::fs::write(self.path(rel), text).expect("write");
    }
    /// Replaces `from` (which must occur) by `to` in a course file.
    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let t = self.read(rel);
        assert!(t.contains(from), "{rel} does not contain {from:?}");
        self.write(rel, &t.replacen(from, to, 1));
    }
    /// Removes a misconception row of autograd-basics: `too-few-misconceptions` at the
    /// Misconceptions Table heading (line 39) and `checklist-claim-contradicts-tables` (line 92).
    pub fn break_autograd(&self) {
        self.edit(AUTOGRAD, MISCONCEPTION_ROW, "");
    }
    /// Runs lessonlint in the scratch root (so that file names are `course/…`).
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_env(args, &[])
    }
    pub fn run_env(&self, args: &[&str], env: &[(&str, &Path)]) -> Output {
        let mut c = Command::new(env!("CARGO_BIN_EXE_lessonlint"));
        c.args(args)
            .current_dir(self.root())
            .env_remove("GITHUB_STEP_SUMMARY");
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().expect("run lessonlint")
    }
    /// Runs git in the scratch root.
    pub fn git(&self, args: &[&str]) -> Output {
        let o = Command::new("git")
            .args([
                "-c",
                "user.name=Test",
                "-c",
                "user.email=test@example.com",
                "-c",
                "commit.gpgsign=false",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .current_dir(self.root())
            .output()
            .expect("run git");
        assert!(
            o.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        o
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Whether git can be run (the changed-lessons tests need it).
pub fn have_git() -> bool {
    Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}
