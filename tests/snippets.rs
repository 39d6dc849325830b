//! Lesson code checks: fixtures of the failure classes real ResNet code hits, clean reference
//! implementations with their exact parameter counts, and the interpreter's limits.

use std::time::{Duration, Instant};

use lessonlint::snippets::{
    blocks_from_markdown, check_blocks, with_big_stack, Block, Budget, DiagKind, Interp, Mode,
    SnippetDiag, Value,
};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/snippets/");

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{DIR}{name}")).expect("fixture exists")
}

fn check_md(text: &str) -> Vec<SnippetDiag> {
    check_blocks(&blocks_from_markdown(text), &Budget::default())
}

fn check_code(code: &str) -> Vec<SnippetDiag> {
    let b = Block {
        code: code.to_string(),
        first_line: 1,
        offset: 0,
        mode: Mode::Check,
        cell: None,
    };
    check_blocks(&[b], &Budget::default())
}

/// 1-based line of the only line containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    let hits: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(needle))
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(
        hits.len(),
        1,
        "needle {needle:?} must occur on exactly one line"
    );
    hits[0]
}

/// 1-based character column of `sub` on the line containing `needle`.
fn col_of(text: &str, needle: &str, sub: &str) -> usize {
    let l = text.lines().nth(line_of(text, needle) - 1).unwrap_or("");
    let byte = l.find(sub).expect("sub on the line");
    l[..byte].chars().count() + 1
}

/// The single diagnostic of a fixture, with its primary place checked against the text.
struct Expect<'a> {
    file: &'a str,
    error_type: &'a str,
    message: &'a str,
    /// Text of the primary line and the expression the primary span starts with.
    at: (&'a str, &'a str),
    /// Lines of the outer frames, outermost first (each a needle).
    traceback: &'a [&'a str],
}

fn expect_one(e: Expect) {
    let text = fixture(e.file);
    let diags = check_md(&text);
    assert_eq!(diags.len(), 1, "{}: {diags:#?}", e.file);
    let d = &diags[0];
    assert_eq!(d.kind, DiagKind::Runtime, "{}", e.file);
    assert_eq!(d.error_type, e.error_type, "{}", e.file);
    assert_eq!(d.message, e.message, "{}", e.file);
    assert_eq!(d.line, line_of(&text, e.at.0), "{}: primary line", e.file);
    assert_eq!(
        d.column,
        col_of(&text, e.at.0, e.at.1),
        "{}: column",
        e.file
    );
    assert!(
        text[d.offset..].starts_with(e.at.1),
        "{}: span starts at {:?}",
        e.file,
        &text[d.offset..d.offset + 20]
    );
    let tb: Vec<usize> = d.traceback.iter().map(|f| f.line).collect();
    let want: Vec<usize> = e.traceback.iter().map(|n| line_of(&text, n)).collect();
    assert_eq!(tb, want, "{}: traceback lines", e.file);
    for f in &d.traceback {
        assert!(f.text.starts_with("called from here"), "{f:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Failure classes

#[test]
fn identity_shortcut_where_channels_change() {
    expect_one(Expect {
        file: "fail_identity_channels.md",
        error_type: "RuntimeError",
        message: "The size of tensor a (128) must match the size of tensor b (64) at non-singleton dimension 1",
        at: ("out = out + identity", "out + identity"),
        traceback: &["out = block(x)"],
    });
}

#[test]
fn stride_change_without_projection() {
    expect_one(Expect {
        file: "fail_stride_no_projection.md",
        error_type: "RuntimeError",
        message: "The size of tensor a (16) must match the size of tensor b (32) at non-singleton dimension 3",
        at: ("out += identity", "out += identity"),
        traceback: &["print(block(feature_map).shape)"],
    });
}

#[test]
fn projection_without_the_stride() {
    expect_one(Expect {
        file: "fail_projection_without_stride.md",
        error_type: "RuntimeError",
        message: "The size of tensor a (16) must match the size of tensor b (32) at non-singleton dimension 3",
        at: ("out += self.shortcut(x)", "out += self.shortcut(x)"),
        traceback: &["logits = model(", "out = self.layer2(out)"],
    });
}

#[test]
fn odd_feature_map_sizes_meet_at_an_add() {
    expect_one(Expect {
        file: "fail_odd_sizes.md",
        error_type: "RuntimeError",
        message: "The size of tensor a (4) must match the size of tensor b (3) at non-singleton dimension 3",
        at: ("out = out + self.shortcut(x)", "out + self.shortcut(x)"),
        traceback: &["scores = model(digits)", "x = self.stages(self.stem(x))"],
    });
}

#[test]
fn grayscale_batch_into_rgb_stem() {
    expect_one(Expect {
        file: "fail_grayscale.md",
        error_type: "RuntimeError",
        message: "Given groups=1, weight of size [64, 3, 7, 7], expected input[8, 1, 28, 28] to have 3 channels, but got 1 channels instead",
        at: ("x = self.conv1(x)", "self.conv1(x)"),
        traceback: &["features = stem(images)"],
    });
}

#[test]
fn head_sized_for_the_wrong_feature_width() {
    expect_one(Expect {
        file: "fail_head_width.md",
        error_type: "RuntimeError",
        message: "mat1 and mat2 shapes cannot be multiplied (12x2048 and 512x1000)",
        at: ("x = self.fc(x)", "self.fc(x)"),
        traceback: &["logits = model(batch)"],
    });
}

#[test]
fn missing_flatten_after_global_pooling() {
    expect_one(Expect {
        file: "fail_missing_flatten.md",
        error_type: "RuntimeError",
        message: "mat1 and mat2 shapes cannot be multiplied (1024x1 and 512x10)",
        at: ("x = self.fc(x)", "self.fc(x)"),
        traceback: &["logits = head(features)"],
    });
}

#[test]
fn fixed_size_pool_on_small_images() {
    expect_one(Expect {
        file: "fail_fixed_pool.md",
        error_type: "RuntimeError",
        message: "Given input size: (512x1x1). Calculated output size: (512x0x0). Output size is too small",
        at: ("x = self.avgpool(x)", "self.avgpool(x)"),
        traceback: &["out = net(torch.randn(4, 3, 32, 32))"],
    });
}

#[test]
fn batch_norm_sized_for_the_wrong_layer() {
    expect_one(Expect {
        file: "fail_bn_wrong_layer.md",
        error_type: "RuntimeError",
        message: "running_mean should contain 128 elements not 64",
        at: ("return self.relu(self.bn1(", "self.bn1(self.conv1(x))"),
        traceback: &["y = block(torch.randn(8, 64, 16, 16))"],
    });
}

#[test]
fn view_sized_for_another_resolution() {
    expect_one(Expect {
        file: "fail_view_resolution.md",
        error_type: "RuntimeError",
        message: "shape '[2, 25088]' is invalid for input of size 1024",
        at: ("x = x.view(", "x.view("),
        traceback: &["scores = model(torch.randn(2, 3, 32, 32))"],
    });
}

#[test]
fn batch_norm_with_one_sample_in_training() {
    // The eval-mode block after it runs clean: one image is fine with running statistics.
    expect_one(Expect {
        file: "fail_bn_single_sample.md",
        error_type: "ValueError",
        message: "Expected more than 1 value per channel when training, got input size torch.Size([1, 256])",
        at: ("return self.head(features)", "self.head(features)"),
        traceback: &["embedding = encoder(image)"],
    });
}

#[test]
fn undefined_name_with_cpython_suggestion() {
    expect_one(Expect {
        file: "fail_undefined.md",
        error_type: "NameError",
        message: "name 'ResNet18' is not defined. Did you mean: 'resnet18'?",
        at: ("model = ResNet18()", "ResNet18"),
        traceback: &[],
    });
}

#[test]
fn syntax_error_has_line_and_column_and_does_not_cascade() {
    let text = fixture("fail_syntax.md");
    let diags = check_md(&text);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    let d = &diags[0];
    assert_eq!(d.kind, DiagKind::Syntax);
    assert_eq!(d.error_type, "SyntaxError");
    assert_eq!(d.message, "expected ':'");
    assert_eq!(d.line, line_of(&text, "def forward(self, x)"));
    // Right after the closing parenthesis, where CPython puts its caret.
    assert_eq!(d.column, 25);
    assert_eq!(d.block, 0);
}

// ---------------------------------------------------------------------------------------------
// Clean reference implementations and their figures

#[test]
fn clean_fixtures_have_no_diagnostics() {
    for f in [
        "resnet_torchvision.md",
        "cifar_resnet20_option_a.md",
        "cifar_resnet_option_b.md",
    ] {
        let diags = check_md(&fixture(f));
        assert!(diags.is_empty(), "{f}: {diags:#?}");
    }
}

/// Build models from a fixture's code with the library API.
fn with_fixture<T: Send>(file: &str, f: impl FnOnce(&mut Interp) -> T + Send) -> T {
    let text = fixture(file);
    with_big_stack(move || {
        let mut interp = Interp::new(&Budget::default());
        for (i, b) in blocks_from_markdown(&text).iter().enumerate() {
            // The last blocks of the fixtures use the models; definitions come first.
            if b.code.contains("class ") || b.code.contains("def ") && !b.code.contains("assert") {
                interp
                    .run_source(&format!("block {i}"), &b.code)
                    .unwrap_or_else(|d| panic!("{d:#?}"));
            }
        }
        f(&mut interp)
    })
    .expect("interpreter thread")
}

fn counts(interp: &mut Interp, ctor: &str, args: &[Value]) -> (i64, i64) {
    let m = interp
        .call_global(ctor, args, &[])
        .unwrap_or_else(|d| panic!("{ctor}: {d:#?}"));
    (
        interp.param_count(&m).expect("known parameters"),
        interp.buffer_count(&m).expect("known buffers"),
    )
}

#[test]
fn torchvision_resnets_match_the_reference_figures() {
    let got = with_fixture("resnet_torchvision.md", |it| {
        [
            "resnet18",
            "resnet34",
            "resnet50",
            "resnet101",
            "resnet152",
            "resnext50_32x4d",
            "wide_resnet50_2",
        ]
        .iter()
        .map(|n| (n.to_string(), counts(it, n, &[])))
        .collect::<Vec<_>>()
    });
    let want = [
        ("resnet18", (11_689_512, 9_620)),
        ("resnet34", (21_797_672, 17_060)),
        ("resnet50", (25_557_032, 53_173)),
        ("resnet101", (44_549_160, 105_448)),
        ("resnet152", (60_192_808, 151_579)),
        ("resnext50_32x4d", (25_028_904, 68_277)),
        ("wide_resnet50_2", (68_883_240, 68_277)),
    ];
    for ((name, c), (wname, wc)) in got.iter().zip(want.iter()) {
        assert_eq!(name, wname);
        assert_eq!(c, wc, "{name}");
    }
}

#[test]
fn resnet50_forward_at_224_gives_1000_logits() {
    let (train, eval) = with_fixture("resnet_torchvision.md", |it| {
        let m = it.call_global("resnet50", &[], &[]).expect("builds");
        let train = it.forward(&m, &[1, 3, 224, 224]);
        it.set_training(&m, false).expect("eval");
        let eval = it.forward(&m, &[1, 3, 224, 224]).expect("eval forward");
        (train, eval)
    });
    assert_eq!(eval, vec![1, 1000]);
    // In training mode a single image reaches the last BatchNorm as 2048×7×7 values per
    // channel, which is fine: only 1×1 maps with a batch of one fail.
    assert_eq!(train.expect("train forward"), vec![1, 1000]);
}

#[test]
fn cifar_resnets_match_the_paper() {
    let got = with_fixture("cifar_resnet20_option_a.md", |it| {
        let a = ["resnet20", "resnet32", "resnet56"]
            .iter()
            .map(|n| counts(it, n, &[]).0)
            .collect::<Vec<_>>();
        let m = it.call_global("resnet20", &[], &[]).expect("builds");
        (a, it.forward(&m, &[128, 3, 32, 32]).expect("forward"))
    });
    assert_eq!(got.0, vec![269_722, 464_154, 853_018]);
    assert_eq!(got.1, vec![128, 10]);
    let b = with_fixture("cifar_resnet_option_b.md", |it| {
        let m = it
            .call_global("CifarResNet", &[], &[("n", Value::int(3))])
            .expect("builds");
        (
            it.param_count(&m),
            it.forward(&m, &[64, 3, 32, 32]).expect("forward"),
        )
    });
    assert_eq!(b, (Some(272_474), vec![64, 10]));
}

#[test]
fn a_wrong_count_in_the_lesson_is_reported_with_the_actual_value() {
    let text = fixture("cifar_resnet20_option_a.md")
        .replace("assert total == 269_722", "assert total == 270_000, total");
    let diags = check_md(&text);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].error_type, "AssertionError");
    assert_eq!(diags[0].message, "269722");
    assert_eq!(diags[0].line, line_of(&text, "assert total == 270_000"));
}

#[test]
fn failing_shape_assert_shows_the_actual_shape() {
    let d = check_code(
        "import torch\nx = torch.randn(2, 64, 16, 16)\nassert x.shape == (2, 64, 32, 32)\n",
    );
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].error_type, "AssertionError");
    assert_eq!(d[0].message, "torch.Size([2, 64, 16, 16])");
    assert_eq!(d[0].line, 3);
}

// ---------------------------------------------------------------------------------------------
// Notebook semantics, expected errors, opaque code

#[test]
fn blocks_share_one_namespace_and_failed_names_do_not_cascade() {
    let md = "```python\nimport torch\nx = torch.randn(2, 3)\n```\n\n```python\ny = x @ torch.randn(4, 5)\nz = y * 2\n```\n\n```python\nprint(y.shape, z.shape)\nw = x.sum()\n```\n";
    let diags = check_md(md);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(
        diags[0].message,
        "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"
    );
    assert_eq!(diags[0].block, 1);
    assert_eq!(diags[0].line, 7);
    assert_eq!(diags[0].column, 5);
}

#[test]
fn expect_error_blocks_must_fail() {
    let md = "```python expect-error\nimport torch\ntorch.randn(2, 3) + torch.randn(3, 2)\n```\n\n```python expect-error\nimport torch\nprint(torch.randn(2, 3) + torch.randn(2, 3))\n```\n";
    let diags = check_md(md);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].kind, DiagKind::ExpectedErrorMissing);
    assert_eq!(diags[0].block, 1);
    assert_eq!(diags[0].line, 7);
}

#[test]
fn training_loop_over_opaque_libraries_is_clean() {
    let code = r#"
import torch
import torch.nn as nn
import torch.optim as optim
import torchvision
import torchvision.transforms as transforms
from torch.utils.data import DataLoader
import matplotlib.pyplot as plt
from tqdm import tqdm

transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
trainset = torchvision.datasets.CIFAR10(root="./data", train=True, download=True, transform=transform)
trainloader = DataLoader(trainset, batch_size=128, shuffle=True, num_workers=2)

model = nn.Sequential(
    nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
    nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10),
)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
model = model.to(device)
criterion = nn.CrossEntropyLoss()
optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=200)

history = {"loss": [], "acc": []}
for epoch in range(3):
    model.train()
    running, correct, total = 0.0, 0, 0
    for i, (images, labels) in enumerate(tqdm(trainloader)):
        images, labels = images.to(device), labels.to(device)
        optimizer.zero_grad()
        outputs = model(images)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
        running += loss.item()
        _, predicted = outputs.max(1)
        total += labels.size(0)
        correct += predicted.eq(labels).sum().item()
        if i % 100 == 99:
            print(f"[{epoch + 1}, {i + 1:5d}] loss: {running / 100:.3f}")
            running = 0.0
    scheduler.step()
    history["loss"].append(running)
    history["acc"].append(100.0 * correct / max(total, 1))

model.eval()
with torch.no_grad():
    for images, labels in trainloader:
        outputs = model(images.to(device))
        break

fig, ax = plt.subplots(1, 2, figsize=(10, 4))
ax[0].plot(history["loss"])
ax[1].plot(history["acc"])
plt.show()
torch.save(model.state_dict(), "model.pt")
"#;
    let diags = check_code(code);
    assert!(diags.is_empty(), "{diags:#?}");
}

#[test]
fn try_except_catches_modelled_errors() {
    let code = "import torch\ntry:\n    torch.randn(2, 3) @ torch.randn(2, 3)\nexcept RuntimeError as e:\n    msg = str(e)\nassert msg.startswith('mat1 and mat2'), msg\n";
    assert!(check_code(code).is_empty());
}

// ---------------------------------------------------------------------------------------------
// Limits

#[test]
fn infinite_loop_ends_with_one_budget_diagnostic_quickly() {
    let t = Instant::now();
    let diags = check_code("x = 0\nwhile True:\n    x += 1\n");
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].kind, DiagKind::Budget);
    assert_eq!(diags[0].message, "did not finish within 1000000 steps");
    assert_eq!(diags[0].line, 2);
}

#[test]
fn unbounded_recursion_is_a_recursion_error_not_a_crash() {
    let diags = check_code("def f(n):\n    return f(n + 1)\n\nf(0)\n");
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].kind, DiagKind::Budget);
    assert_eq!(diags[0].error_type, "RecursionError");
    assert_eq!(diags[0].message, "maximum recursion depth exceeded");
    assert_eq!(diags[0].line, 2);
    assert_eq!(diags[0].traceback.first().map(|f| f.line), Some(4));
}

#[test]
fn huge_allocations_are_budgeted_not_performed() {
    for code in [
        "x = [0] * 10**9\n",
        "s = 'ab' * 10**10\n",
        "xs = list(range(10**12))\n",
        "s = 'a'\nwhile True:\n    s = s + s\n",
    ] {
        let t = Instant::now();
        let diags = check_code(code);
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "{code}: {:?}",
            t.elapsed()
        );
        assert_eq!(diags.len(), 1, "{code}: {diags:#?}");
        assert_eq!(diags[0].kind, DiagKind::Budget, "{code}");
    }
}

#[test]
fn huge_layers_cost_nothing() {
    let code = "import torch.nn as nn\nm = nn.Conv2d(100000, 100000, 3)\nassert sum(p.numel() for p in m.parameters()) == 100000 * 100000 * 9 + 100000\n";
    assert!(check_code(code).is_empty());
}

#[test]
fn deep_nesting_is_reported_not_crashed() {
    let parens = format!("x = {}1{}\n", "(".repeat(500), ")".repeat(500));
    let d = check_code(&parens);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].kind, DiagKind::Syntax);
    assert_eq!(d[0].message, "too many nested parentheses");
    let unary = format!("x = {}1\n", "-".repeat(10_000));
    let d = check_code(&unary);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].error_type, "RecursionError");
}
