//! Times the lint phases on one lesson plan (`cargo run --release --example phase_times FILE`).

use lessonlint::config::Config;
use lessonlint::model::{FileId, SourceFile, SourceMap};
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("a lesson plan");
    let text = std::fs::read_to_string(&path).expect("read");
    let cfg = Config::defaults();
    let n = 200;
    let mut sources = SourceMap::default();
    let id = sources.add(SourceFile::new(&path, text.clone()));
    let time = |f: &mut dyn FnMut()| {
        let t = Instant::now();
        for _ in 0..n {
            f();
        }
        t.elapsed().as_secs_f64() / n as f64 * 1e3
    };
    let parse = time(&mut || {
        std::hint::black_box(lessonlint::parse::parse_lesson(FileId(0), &text));
    });
    let lesson = lessonlint::parse::parse_lesson(id, &text);
    let rules = time(&mut || {
        std::hint::black_box(lessonlint::rules::check_lesson(&sources, &lesson, &cfg));
    });
    let claims = time(&mut || {
        std::hint::black_box(lessonlint::reference::claims::find(&text));
    });
    let claim_rules = time(&mut || {
        std::hint::black_box(lessonlint::rules::reference::check_file_claims(
            &sources, id, &cfg,
        ));
    });
    println!(
        "per lesson: parse {parse:.3} ms, lesson rules {rules:.3} ms, claims::find {claims:.3} ms, claim rules {claim_rules:.3} ms"
    );
}
