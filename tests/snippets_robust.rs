//! The checker must never crash, hang or report an internal error, whatever the code: every
//! fixture is truncated, its numbers replaced and its calls swapped, and each variant checked.

use lessonlint::snippets::{blocks_from_markdown, check_blocks, Block, Budget, SnippetDiag};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/snippets/");

fn fixtures() -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = std::fs::read_dir(DIR)
        .expect("fixture dir")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .map(|p| {
            let name = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            (name, std::fs::read_to_string(&p).unwrap_or_default())
        })
        .collect();
    v.sort();
    v
}

fn no_internal_error(what: &str, diags: &[SnippetDiag]) {
    for d in diags {
        assert_ne!(d.error_type, "InternalError", "{what}: {d:#?}");
    }
}

/// A budget small enough to keep the many variants fast.
fn budget() -> Budget {
    Budget {
        max_steps: 200_000,
        max_depth: 50,
    }
}

#[test]
fn truncated_blocks() {
    for (name, text) in fixtures() {
        for b in blocks_from_markdown(&text) {
            let lines: Vec<&str> = b.code.split_inclusive('\n').collect();
            for k in 0..lines.len() {
                let code: String = lines[..k].concat();
                // Also cut inside a line, to leave brackets and strings open.
                let half: String = lines[..k].concat() + &lines[k][..lines[k].len() / 2];
                for c in [code, half] {
                    let blk = Block {
                        code: c,
                        ..b.clone()
                    };
                    no_internal_error(&name, &check_blocks(&[blk], &budget()));
                }
            }
        }
    }
}

fn replace_numbers(code: &str, with: &str) -> String {
    let mut out = String::new();
    let mut prev_ident = false;
    let mut chars = code.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() && !prev_ident {
            while chars
                .peek()
                .is_some_and(|d| d.is_ascii_digit() || *d == '_')
            {
                chars.next();
            }
            out.push_str(with);
            prev_ident = false;
            continue;
        }
        prev_ident = c.is_alphanumeric() || c == '_';
        out.push(c);
    }
    out
}

#[test]
fn numbers_replaced() {
    for (name, text) in fixtures() {
        for with in [
            "0",
            "1",
            "(-1)",
            "7",
            "(10**30)",
            "2.5",
            "None",
            "'x'",
            "(1, 2, 3)",
        ] {
            let t = replace_numbers(&text, with);
            no_internal_error(
                &format!("{name} / {with}"),
                &check_blocks(&blocks_from_markdown(&t), &budget()),
            );
        }
    }
}

#[test]
fn calls_swapped() {
    let swaps: &[(&str, &str)] = &[
        ("nn.Conv2d", "nn.Linear"),
        ("nn.Linear", "nn.Conv2d"),
        ("nn.BatchNorm2d", "nn.BatchNorm1d"),
        ("nn.Sequential", "nn.ModuleList"),
        ("nn.ModuleList", "nn.Sequential"),
        ("nn.Module", "object"),
        ("super().__init__()", "pass"),
        ("torch.flatten(x, 1)", "x.flatten(7)"),
        (".view(", ".permute("),
        (".view(", ".transpose(1, 2).view("),
        ("+=", "@="),
        (" + ", " @ "),
        ("padding=1", "padding='same'"),
        ("stride=2", "stride=0"),
        ("stride", "strides"),
        ("self.", ""),
        ("return ", "yield "),
        ("(x)", "(x, x)"),
        ("(x)", "()"),
        ("[", "("),
        ("]", ")"),
        ("def ", "async def "),
        ("torch.randn", "torch.zeros_like"),
        ("torch.randn(", "torch.randn(-"),
        ("for ", "while "),
        (" in ", " not in "),
        ("if ", "while "),
    ];
    for (name, text) in fixtures() {
        for (a, b) in swaps {
            let t = text.replace(a, b);
            no_internal_error(
                &format!("{name}: {a} -> {b}"),
                &check_blocks(&blocks_from_markdown(&t), &budget()),
            );
        }
    }
}
