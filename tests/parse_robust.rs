//! The parsers never panic: truncated real files, odd bytes, malformed tables, deep nesting.

use lessonlint::model::FileId;
use lessonlint::parse::{classify, parse_lesson, parse_module_plan, parse_record};
use std::path::Path;

fn seed() -> Option<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::iter::once(dir.join("../shared/seed/resnets.md"))
        .chain(dir.ancestors().map(|a| a.join("shared/seed/resnets.md")))
        .find(|p| p.is_file())
        .and_then(|p| std::fs::read_to_string(p).ok())
}

fn all_parsers(text: &str) {
    let l = parse_lesson(FileId(0), text);
    for c in &l.comments {
        assert!(c.span.end <= text.len());
    }
    for t in &l.tables {
        for r in &t.rows {
            assert!(r.span.start <= r.span.end && r.span.end <= text.len());
            for c in &r.cells {
                assert!(c.span.start <= c.span.end && c.span.end <= text.len());
                assert!(text.is_char_boundary(c.span.start) && text.is_char_boundary(c.span.end));
            }
        }
    }
    for b in &l.code_blocks {
        assert!(b.code_offset <= text.len());
    }
    parse_record(FileId(0), text);
    parse_module_plan(FileId(0), text);
    classify(Path::new("x/lessons/a.md"), text);
    classify(Path::new("a.md"), text);
}

/// Truncated prefixes of the seed at many cut points (on char boundaries).
#[test]
fn truncated_prefixes_of_the_seed() {
    let Some(text) = seed() else {
        eprintln!("skipping: seed lesson not found");
        return;
    };
    let step = if cfg!(debug_assertions) { 797 } else { 37 };
    let mut cut = 0;
    while cut <= text.len() {
        let mut c = cut;
        while !text.is_char_boundary(c) {
            c -= 1;
        }
        all_parsers(&text[..c]);
        // The same cut with CRLF line endings.
        all_parsers(&text[..c].replace('\n', "\r\n"));
        cut += step;
    }
    // Every cut inside the first table and the first review heading.
    for anchor in ["| Concept | Depth |", "## Review —", "- **New concepts"] {
        if let Some(i) = text.find(anchor) {
            for c in (i..(i + 120).min(text.len())).step_by(3) {
                if text.is_char_boundary(c) {
                    all_parsers(&text[..c]);
                }
            }
        }
    }
}

#[test]
fn odd_inputs() {
    let mut inputs: Vec<String> = vec![
        String::new(),
        "\n".into(),
        "\r".into(),
        "\r\n\r\n".into(),
        "\0\0\0".into(),
        "\u{feff}# Lesson: T\n".into(),
        "#".into(),
        "# ".into(),
        "|".into(),
        "| a |\n|---|\n|".into(),
        "| a | b |\n|---|---|\n| 1 | 2 | 3 | 4 |\n| 1 |\n|\n| \\| |\n".into(),
        "```\nunclosed fence\n## not a heading\n".into(),
        "~~~python\n".into(),
        "<!--".into(),
        "<!-- unclosed comment\n## H\n".into(),
        "## Review — (Iteration /)\n### Verdict:\n#### [] —\n#### [X\n".into(),
        "## Review (Iteration 99999999999999999999/3)\n### Summary\n- Critical: 99999999999999999\n"
            .into(),
        "## Phase 3\n### Cognitive Load Assessment\n- **New concepts in this lesson:**\n- **Is this appropriate?**\n".into(),
        "## Phase 3\n### Cognitive Load Assessment\n- **New concepts:** 2\n1. a\n2. b\n".into(),
        "# Lesson 2: (x) -- Planning Document\n".into(),
        "# Lesson 2: \n".into(),
        "## Review — İİİ\u{212a}\u{212a} (İİ Iteration 1/3 FİNAL)\n#### [İ] — İ\n".into(),
        "# \u{212a}\u{212a} İİ -- Lesson Planning Document\n# Lesson 1: İ (İ) -- İ Planning Document\n".into(),
        "# -- Lesson Planning Document\n".into(),
        "- [x] (\n- [ ] )\n- [x] ()\n".into(),
        "**Module:** é\u{301}\n**:**\n****\n".into(),
        "| é | ü |\n|---|---|\n| \u{1F600} | x\u{301} |\n".into(),
    ];
    // Pseudo-random bytes made valid UTF-8 (lossy), with Markdown punctuation mixed in.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..50 {
        let mut bytes = Vec::new();
        for _ in 0..400 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let b = (x % 256) as u8;
            bytes.push(match b % 8 {
                0 => b'|',
                1 => b'\n',
                2 => b'#',
                3 => b'*',
                4 => b'`',
                _ => b,
            });
        }
        inputs.push(String::from_utf8_lossy(&bytes).into_owned());
    }
    for i in &inputs {
        all_parsers(i);
    }
}

#[test]
fn deep_nesting_and_large_input() {
    let quotes = "> ".repeat(3_000) + "| a |\n";
    all_parsers(&quotes);
    let lists: String = (0..400)
        .map(|i| format!("{}- x\n", "  ".repeat(i)))
        .collect();
    all_parsers(&lists);
    let emph = "*".repeat(20_000) + "x" + &"*".repeat(20_000);
    all_parsers(&emph);
    let brackets = "[".repeat(20_000);
    all_parsers(&brackets);
    if let Some(text) = seed() {
        let big = text.repeat(if cfg!(debug_assertions) { 4 } else { 40 });
        let l = parse_lesson(FileId(0), &big);
        assert!(l.concepts.len() >= 23);
    }
}
