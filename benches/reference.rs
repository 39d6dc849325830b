//! Times the reference checks: a ResNet-50 definition checked with a 224×224 forward pass (the
//! torchvision-style code of the bundled reference, as a lesson would write it), the
//! `lessonlint reference resnet50` stage table, and a full lint of a lesson plan that holds the
//! definition (snippets, probing and figure claims). Target: under 20 ms for the check.
//!
//! `cargo bench --bench reference` (release build).

use lessonlint::config::Config;
use lessonlint::lint::lint_paths;
use lessonlint::reference::{self, find_model};
use lessonlint::snippets::{blocks_from_markdown, check_blocks, Budget};
use lessonlint::workspace::LoadOptions;
use std::path::Path;
use std::time::{Duration, Instant};

fn median(mut f: impl FnMut(), runs: usize) -> (Duration, Duration) {
    f(); // warm-up
    let mut t: Vec<Duration> = (0..runs)
        .map(|_| {
            let t0 = Instant::now();
            f();
            t0.elapsed()
        })
        .collect();
    t.sort();
    (t[t.len() / 2], t[0])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let resnet_py = include_str!("../src/reference/py/resnet.py");
    let code = format!(
        "{resnet_py}\n\nmodel = resnet50()\nout = model(torch.randn(1, 3, 224, 224))\nassert out.shape == (1, 1000)\nassert sum(p.numel() for p in model.parameters()) == 25_557_032\n"
    );
    let md = format!("# ResNet-50\n\n```python\n{code}```\n");
    let blocks = blocks_from_markdown(&md);
    let budget = Budget::default();
    let (m, lo) = median(
        || {
            let d = check_blocks(&blocks, &budget);
            assert!(d.is_empty(), "{d:?}");
        },
        21,
    );
    println!(
        "check: ResNet-50 definition + 224x224 forward + parameter count: median {:.2} ms (min {:.2} ms)",
        ms(m),
        ms(lo)
    );

    let spec = find_model("resnet50").expect("resnet50");
    let (m, lo) = median(
        || {
            let (rows, p, _) =
                reference::stage_table(spec, Some(&[1, 3, 224, 224])).expect("stage table");
            assert_eq!(p, 25_557_032);
            assert_eq!(rows.len(), 7);
        },
        21,
    );
    println!(
        "reference resnet50 --input 1,3,224,224 (load, build, stage table): median {:.2} ms (min {:.2} ms)",
        ms(m),
        ms(lo)
    );

    let clean =
        std::fs::read_to_string(root.join("tests/fixtures/rules/clean.md")).expect("clean.md");
    let lesson = format!(
        "{clean}\n## Code\n\nResNet-50 has 25.6M parameters in 16 bottleneck blocks.\n\n```python\n{code}```\n"
    );
    let dir = std::env::temp_dir().join(format!("lessonlint-bench-ref-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("bench dir");
    let file = dir.join("resnet50.md");
    std::fs::write(&file, lesson).expect("write lesson");
    let config = Config::defaults();
    let (m, lo) = median(
        || {
            let o = lint_paths(
                std::slice::from_ref(&file),
                &config,
                &LoadOptions::default(),
            )
            .expect("lint");
            assert!(o.findings.is_empty(), "{:?}", o.findings);
        },
        11,
    );
    println!(
        "lint: a lesson plan with the ResNet-50 definition (snippets, probes, claims): median {:.2} ms (min {:.2} ms)",
        ms(m),
        ms(lo)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
