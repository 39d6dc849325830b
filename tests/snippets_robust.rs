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
            "(-(2**62) * 2)",
            "(2**62 - 1 + 2**62)",
            "(2**31)",
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

#[test]
fn extreme_integers_never_overflow() {
    let big = "(2**62 - 1 + 2**62)";
    let min = "(-(2**62) * 2)";
    let lines = [
        format!("nn.Conv2d(3, 8, {min})(x)"),
        format!("nn.Conv2d(3, 8, 3, stride={big})(x)"),
        format!("nn.Conv2d(3, 8, 3, padding={big})(x)"),
        format!("nn.Conv2d(3, 8, 3, dilation={big})(x)"),
        format!("nn.ConvTranspose2d(3, 8, 3, stride={big})(x)"),
        format!("nn.ConvTranspose2d(3, 8, {min}, output_padding={big})(x)"),
        format!("nn.MaxPool2d({min})(x)"),
        format!("nn.MaxPool2d(3, stride={min})(x)"),
        format!("nn.AvgPool2d(2, stride={big}, ceil_mode=True)(x)"),
        format!("nn.AdaptiveAvgPool2d({min})(x)"),
        format!("nn.Linear({big}, {big})"),
        format!("nn.Linear({big}, 2)(torch.randn(2, {big}))"),
        format!("x.chunk({big})"),
        format!("x[::{big}]"),
        format!("x[{min}:]"),
        format!("x[..., {min}]"),
        format!("F.pad(x, ({big}, {big}))"),
        format!("torch.randn({big}, {big}).view(-1)"),
        format!("torch.randn({big}, 2).view({big}, -1)"),
        format!("x.repeat({big}, {big}, 2, 2)"),
        format!("x.expand({big}, 3, 8, 8)"),
        "x.unsqueeze(1).transpose(0, 1).unsqueeze(0)".to_string(),
        format!("list(range(10))[::{big}]"),
        format!("list(enumerate([1, 2], start={big}))"),
        format!("torch.arange(0, {big}, 1)"),
        format!("torch.linspace(0, 1, {min})"),
        format!("torch.eye({min})"),
        format!("x.narrow(0, 0, {min})"),
        format!("x.topk({min})"),
        format!("torch.randn(3).split([{big}, {big}])"),
        format!("x.flatten({min})"),
        format!("{big} // -1 + {min} // -1 + {min} % -1"),
        format!("abs({min}) + (-{min})"),
        format!("range({min}, {big}, {big})[1]"),
        format!("'{{:{big}}}'.format(1)"),
        format!("f'{{1:{big}d}}'"),
        format!("[0] * {big}"),
        format!("torch.randint(0, 10, ({big},)).float().mean()"),
    ];
    for l in lines {
        let code = format!(
            "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\nx = torch.randn(1, 3, 8, 8)\n{l}\n"
        );
        let b = Block {
            code,
            first_line: 1,
            offset: 0,
            mode: lessonlint::snippets::Mode::Check,
            cell: None,
        };
        no_internal_error(&l, &check_blocks(&[b], &budget()));
    }
}

#[test]
fn zero_dimensional_tensors_are_handled() {
    for l in [
        "s.size(0)",
        "s.narrow(0, 0, 1)",
        "s.index_select(0, torch.tensor([0]))",
        "s.unflatten(0, (1, 1))",
        "s.unsqueeze(0).squeeze(0).sum(0)",
        "s.view(-1)",
        "s.flatten()",
        "s.t().T",
        "s.transpose(0, 0)",
        "s.chunk(2)",
        "s[0]",
        "s[None]",
        "s[...]",
        "torch.cat([s, s])",
        "torch.stack([s, s], dim=1)",
        "len(s)",
        "list(s)",
        "F.softmax(s, dim=0)",
        "s.permute()",
        "s.max(0)",
        "s.topk(1)",
        "s.repeat(2)",
        "s.expand(3)",
        "F.linear(s, torch.randn(2, 3))",
        "s @ s",
    ] {
        let code =
            format!("import torch\nimport torch.nn.functional as F\ns = torch.tensor(3.0)\n{l}\n");
        let b = Block {
            code,
            first_line: 1,
            offset: 0,
            mode: lessonlint::snippets::Mode::Check,
            cell: None,
        };
        no_internal_error(l, &check_blocks(&[b], &budget()));
    }
}
