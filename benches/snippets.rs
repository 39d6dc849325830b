//! Times the snippet checker on its target case: a torchvision-style ResNet-50 definition with a
//! 224×224 forward pass (`cargo bench --bench snippets`). Target: under 20 ms.

use lessonlint::snippets::{blocks_from_markdown, check_blocks, Budget};
use std::time::{Duration, Instant};

fn main() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/snippets/resnet_torchvision.md"
    ))
    .expect("fixture");
    let blocks = blocks_from_markdown(&text);
    let mut times: Vec<Duration> = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        let diags = check_blocks(&blocks, &Budget::default());
        times.push(t.elapsed());
        assert!(diags.is_empty(), "{diags:#?}");
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "snippets: ResNet-50 definition + 224x224 forward checked in median {:.2} ms (min {:.2} ms) over {} runs",
        median.as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times.len()
    );
}
