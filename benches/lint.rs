//! Lints a generated curriculum of 1,000 seed-sized lesson plans and reports lessons per second.
//!
//! `cargo bench --bench lint` (release build). The lesson text is the real seed plan from
//! `../shared/seed/resnets.md` when present, else the bundled curriculum's ResNets plan; each
//! copy gets its own slug so the files differ.

use lessonlint::config::Config;
use lessonlint::lint::lint_paths;
use lessonlint::workspace::LoadOptions;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn template() -> (String, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for p in [
        root.join("../shared/seed/resnets.md"),
        root.join("curriculum/series-3/module-3-2/lessons/resnets.md"),
        root.join("tests/fixtures/rules/clean.md"),
    ] {
        if let Ok(t) = std::fs::read_to_string(&p) {
            return (t, p.display().to_string());
        }
    }
    panic!("no lesson plan to generate from");
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1000);
    let (text, from) = template();
    let dir = std::env::temp_dir().join(format!("lessonlint-bench-{}", std::process::id()));
    let lessons = dir.join("lessons");
    std::fs::create_dir_all(&lessons).expect("create bench dir");
    for i in 0..n {
        let t = text.replacen(
            "**Slug:** `resnets`",
            &format!("**Slug:** `resnets-{i}`"),
            1,
        );
        std::fs::write(lessons.join(format!("lesson-{i:04}.md")), t).expect("write lesson");
    }
    let paths: Vec<PathBuf> = vec![lessons.clone()];
    let config = Config::defaults();
    // Warm-up (file cache), then timed runs.
    let _ = lint_paths(&paths, &config, &LoadOptions::default());
    let runs = 5;
    let mut best = f64::MAX;
    let mut findings = 0;
    for _ in 0..runs {
        let t0 = Instant::now();
        let o = lint_paths(&paths, &config, &LoadOptions::default()).expect("lint");
        let dt = t0.elapsed().as_secs_f64();
        findings = o.findings.len();
        best = best.min(dt);
    }
    println!(
        "lint: {n} lessons ({} KB each, from {from}) in {:.1} ms (best of {runs}) = {:.0} lessons/s, {findings} findings, {} threads",
        text.len() / 1024,
        best * 1000.0,
        n as f64 / best,
        rayon::current_num_threads()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
