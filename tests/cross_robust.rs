//! The curriculum stage never panics and never hangs on odd trees: the base fixture tree with
//! files truncated, lines dropped, duplicated or swapped, and cells replaced by odd values, is
//! linted and its graph rendered in every view and format.

mod cross_common;

use cross_common::*;
use lessonlint::config::Config;
use lessonlint::graph::{render, ConceptGraph, GraphFormat, GraphOptions};
use lessonlint::rules::cross::match_settings;
use lessonlint::workspace::{load, LoadOptions};
use std::path::{Path, PathBuf};

struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "md") {
            out.push(p);
        }
    }
}

const ODD_CELLS: [&str; 12] = [
    "",
    "-",
    "(3.2)",
    "resnets (abc)",
    "-> ->",
    "DEVELOPED ->",
    "INTRODUCED -> APPLIED -> DEVELOPED",
    "a, b, , c",
    "Normalisation — ééé (x (y) z",
    "`` ** [[",
    "resnets (3.2), resnets (3.2), training-dynamics (9.9)",
    "STRETCH STRETCH",
];

fn mutate(text: &str, rng: &mut Lcg) -> String {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    if lines.is_empty() {
        return String::from("| x |");
    }
    match rng.next(6) {
        0 => {
            // Truncate at a character boundary.
            let cut = rng.next(text.len());
            let mut cut = cut;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            return text[..cut].to_string();
        }
        1 => {
            let i = rng.next(lines.len());
            lines.remove(i);
        }
        2 => {
            let i = rng.next(lines.len());
            let l = lines[i].clone();
            lines.insert(i, l);
        }
        3 => {
            let (i, j) = (rng.next(lines.len()), rng.next(lines.len()));
            lines.swap(i, j);
        }
        4 => {
            // Replace one cell of a table row.
            let rows: Vec<usize> = (0..lines.len())
                .filter(|&i| lines[i].starts_with('|') && !lines[i].contains("---"))
                .collect();
            if let Some(&i) = rows.get(rng.next(rows.len())) {
                let mut cells: Vec<String> = lines[i].split('|').map(String::from).collect();
                if cells.len() > 2 {
                    let c = 1 + rng.next(cells.len() - 2);
                    cells[c] = format!(" {} ", ODD_CELLS[rng.next(ODD_CELLS.len())]);
                }
                lines[i] = cells.join("|");
            }
        }
        _ => {
            let i = rng.next(lines.len());
            lines.insert(
                i,
                format!("| {} | x |", ODD_CELLS[rng.next(ODD_CELLS.len())]),
            );
        }
    }
    lines.join("\n")
}

#[test]
fn odd_trees_neither_panic_nor_hang() {
    let mut rng = Lcg(7);
    let config = Config::defaults();
    for round in 0..40 {
        let dir = tree("base");
        let mut all = Vec::new();
        files(dir.path(), &mut all);
        all.sort();
        for _ in 0..3 {
            let f = &all[rng.next(all.len())];
            let t = std::fs::read_to_string(f).unwrap_or_default();
            std::fs::write(f, mutate(&t, &mut rng)).expect("write");
        }
        let o = lint_dir(dir.path());
        // Every finding points into its file.
        for f in &o.findings {
            let len = o.sources().get(f.file).text.len();
            assert!(f.span.end <= len, "round {round}: {f:?}");
            for l in &f.labels {
                assert!(l.span.end <= o.sources().get(l.file).text.len(), "{f:?}");
            }
        }
        let ws = load(&[dir.path().to_path_buf()], &LoadOptions::default()).expect("load");
        let cur = ws.curriculum();
        let g = ConceptGraph::build(&cur, &match_settings(&config));
        for format in [GraphFormat::Dot, GraphFormat::Mermaid, GraphFormat::Json] {
            for (lesson, concept) in [
                (None, None),
                (Some("resnets"), None),
                (None, Some("Batch normalization")),
                (Some("no-such-lesson"), None),
                (None, Some("ééé")),
            ] {
                let _ = render(
                    &cur,
                    &g,
                    &GraphOptions {
                        format,
                        lesson: lesson.map(String::from),
                        concept: concept.map(String::from),
                    },
                );
            }
        }
    }
}
