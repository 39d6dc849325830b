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

// ---------------------------------------------------------------------------------------------
// PyTorch's and CPython's words for the errors lessons show

#[test]
fn error_messages_in_pytorch_and_cpython_words() {
    // (code, error type, message, line, column)
    let cases: &[(&str, &str, &str, usize, usize)] = &[
        ("import torch\nx = torch.randn(2, 3, 4)\ny = x.transpose(1, 2).view(2, 12)\n", "RuntimeError", "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.", 3, 5),
        ("import torch\na = torch.randn(2, 64, 8, 8)\nb = torch.randn(2, 32, 4, 4)\nc = torch.cat([a, b], dim=1)\n", "RuntimeError", "Sizes of tensors must match except in dimension 1. Expected size 8 but got size 4 for tensor number 1 in the list.", 4, 5),
        ("import torch\nimport torch.nn as nn\nloss = nn.CrossEntropyLoss()(torch.randn(64, 10), torch.randint(0, 10, (32,)))\n", "ValueError", "Expected input batch_size (64) to match target batch_size (32).", 3, 8),
        ("import torch.nn as nn\nclass Net(nn.Module):\n    def __init__(self):\n        self.fc = nn.Linear(2, 2)\nnet = Net()\n", "AttributeError", "cannot assign module before Module.__init__() call", 4, 9),
        ("import torch, torch.nn as nn\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(2, 2)\n    def forward(self, x):\n        return self.fc(x)\nnet = Net()\nnet(torch.randn(1, 2), torch.randn(1, 2))\n", "TypeError", "Net.forward() takes 2 positional arguments but 3 were given", 9, 1),
        ("import torch, torch.nn as nn\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(2, 2)\n    def foward(self, x):\n        return self.fc(x)\nnet = Net()\nnet(torch.randn(1, 2))\n", "NotImplementedError", "Module [Net] is missing the required \"forward\" function", 9, 1),
        ("import torch.nn as nn\nm = nn.Sequential(nn.Linear(4, 4), nn.ReLU)\n", "TypeError", "torch.nn.modules.activation.ReLU is not a Module subclass", 2, 5),
        ("import torch\nimport torch.nn.functional as F\np = F.softmax(torch.randn(4, 10), dim=2)\n", "IndexError", "Dimension out of range (expected to be in range of [-2, 1], but got 2)", 3, 5),
        ("import torch.nn.functional as F\nF.relu(5)\n", "TypeError", "relu(): argument 'input' (position 1) must be Tensor, not int", 2, 1),
        ("import torch, torch.nn as nn\nemb = nn.Embedding(10, 3)\nemb(torch.randn(4, 5))\n", "RuntimeError", "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got torch.FloatTensor instead (while checking arguments for embedding)", 3, 1),
        ("import torch, torch.nn as nn\np = nn.MaxPool2d(2, padding=2)\np(torch.randn(1, 3, 8, 8))\n", "RuntimeError", "pad should be at most half of effective kernel size, but got pad=2, kernel_size=2 and dilation=1", 3, 1),
        ("import torch\nimport torch.nn as nn\nx = torch.randn(8, 3, 32, 32)\nnet = nn.Sequential(nn.Flatten(), nn.Conv2d(3, 16, 3))\nnet(x)\n", "RuntimeError", "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [8, 3072]", 5, 1),
        ("import torch\nx = torch.randn(4, 4)\nif x > 0:\n    print(\"pos\")\n", "RuntimeError", "Boolean value of Tensor with more than one value is ambiguous", 3, 1),
        ("import torch\nx = torch.randn(3)\nprint(x[3])\n", "IndexError", "index 3 is out of bounds for dimension 0 with size 3", 3, 7),
        ("import torch\nx = torch.randn(2, 3)\nx.permute(1, 0, 2)\n", "RuntimeError", "permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = 2 is not equal to len(dims) = 3", 3, 1),
        ("import torch\nx = torch.randn(2, 3)\nx.size(2)\n", "IndexError", "Dimension out of range (expected to be in range of [-2, 1], but got 2)", 3, 1),
        ("import torch, torch.nn as nn\nbn = nn.BatchNorm2d(16)\nbn(torch.randn(8, 16))\n", "ValueError", "expected 4D input (got 2D input)", 3, 1),
        ("import torch, torch.nn as nn\nln = nn.LayerNorm(64)\nln(torch.randn(2, 10, 32))\n", "RuntimeError", "Given normalized_shape=[64], expected input with shape [*, 64], but got input of size[2, 10, 32]", 3, 1),
        ("import torch, torch.nn as nn\nx = torch.randn(2, 3)\nx.expand(4, 4)\n", "RuntimeError", "The expanded size of the tensor (4) must match the existing size (2) at non-singleton dimension 0.  Target sizes: [4, 4].  Tensor sizes: [2, 3]", 3, 1),
        ("import torch\nx = torch.stack([torch.randn(2, 3), torch.randn(2, 4)])\n", "RuntimeError", "stack expects each tensor to be equal size, but got [2, 3] at entry 0 and [2, 4] at entry 1", 2, 5),
        ("import torch\nimport torch.nn as nn\nm = nn.Linear(3, 2)\nm.weight = torch.randn(2, 3)\n", "TypeError", "cannot assign 'torch.FloatTensor' as parameter 'weight' (torch.nn.Parameter or None expected)", 4, 1),
        ("import torch\nimport torch.nn as nn\nconv = nn.Conv2d(3, 8, 3, stride=2, padding=\"same\")\n", "ValueError", "padding='same' is not supported for strided convolutions", 3, 8),
        ("import torch\nimport torch.nn as nn\nconv = nn.Conv2d(3, 8, 5)\nconv(torch.randn(1, 3, 3, 3))\n", "RuntimeError", "Calculated padded input size per channel: (3 x 3). Kernel size: (5 x 5). Kernel size can't be greater than actual input size", 4, 1),
        ("import torch\nx = torch.randn(2, 3)\ny = x.reshape(4, -1)\n", "RuntimeError", "shape '[4, -1]' is invalid for input of size 6", 3, 5),
        ("import torch\nimport torch.nn as nn\nx = torch.randn(1, 10)\nd = nn.Dropout(p=1.5)\n", "ValueError", "dropout probability has to be between 0 and 1, but got 1.5", 4, 5),
        ("import torch.nn as nn\nm = nn.Conv2d(3, 10, 3, groups=2)\n", "ValueError", "in_channels must be divisible by groups", 2, 5),
        ("class A:\n    pass\nA().foo\n", "AttributeError", "'A' object has no attribute 'foo'", 3, 1),
        ("d = {\"a\": 1}\nd[\"b\"]\n", "KeyError", "'b'", 2, 1),
        ("x = [1, 2]\nx[5]\n", "IndexError", "list index out of range", 2, 1),
        ("def f(a, b):\n    return a\nf(1)\n", "TypeError", "f() missing 1 required positional argument: 'b'", 3, 1),
        ("def f(a):\n    return a\nf(1, c=2)\n", "TypeError", "f() got an unexpected keyword argument 'c'", 3, 1),
        ("x = 1 / 0\n", "ZeroDivisionError", "division by zero", 1, 5),
        ("int(\"abc\")\n", "ValueError", "invalid literal for int() with base 10: 'abc'", 1, 1),
        ("a, b = [1, 2, 3]\n", "ValueError", "too many values to unpack (expected 2)", 1, 1),
        ("\"a\" + 1\n", "TypeError", "can only concatenate str (not \"int\") to str", 1, 1),
        ("import torch, torch.nn as nn\nclass N(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.conv = nn.Conv2d(1, 8, 3)\n    def forward(self, x):\n        return self.convv(x)\nN()(torch.randn(1, 1, 8, 8))\n", "AttributeError", "'N' object has no attribute 'convv'. Did you mean: 'conv'?", 7, 16),
        ("import torch, torch.nn as nn\nclass N(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.conv = nn.Conv2d(1, 8, 3)\n    def forward(self, x):\n        return conv(x)\nN()(torch.randn(1, 1, 8, 8))\n", "NameError", "name 'conv' is not defined. Did you mean: 'self.conv'?", 7, 16),
        ("import torch\nx = torch.randn(4, 10, requires_grad=True)\nx.item()\n", "RuntimeError", "a Tensor with 40 elements cannot be converted to Scalar", 3, 1),
        ("import torch\nimport torch.nn.functional as F\nF.cross_entropy(torch.randn(4, 10), torch.randn(4))\n", "RuntimeError", "expected scalar type Long but found Float", 3, 1),
    ];
    for (code, ty, msg, line, col) in cases {
        let d = check_code(code);
        assert_eq!(d.len(), 1, "{code}: {d:#?}");
        assert_eq!(d[0].kind, DiagKind::Runtime, "{code}");
        assert_eq!(
            (d[0].error_type.as_str(), d[0].message.as_str()),
            (*ty, *msg),
            "{code}"
        );
        assert_eq!((d[0].line, d[0].column), (*line, *col), "{code}");
    }
}

#[test]
fn columns_count_characters_and_tilde_fences_work() {
    let md =
        "# Ünïcödé — lesson\n\n~~~python\nimport torch\nü = torch.randn(2, 3); ß = ü @ ü\n~~~\n";
    let diags = check_md(md);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].line, 5);
    // `ü @ ü` starts at the 28th character (the line has multi-byte letters before it).
    assert_eq!(diags[0].column, 28);
    assert_eq!(
        &md[diags[0].offset..diags[0].offset + diags[0].len],
        "ü @ ü"
    );
}

#[test]
fn library_api_reads_attributes_and_shapes() {
    let (w, fc_in) = with_big_stack(|| {
        let mut it = Interp::new(&Budget::default());
        it.run_source("m", "import torch.nn as nn\nnet = nn.Sequential(nn.Conv2d(3, 8, 3), nn.Flatten(), nn.Linear(8 * 30 * 30, 10))\n")
            .expect("runs");
        let net = it.global("net").expect("defined");
        let conv = it
            .call_global("getattr", &[net.clone(), Value::str("0")], &[])
            .expect("child");
        let w = it.attribute(&conv, "weight").expect("weight").shape();
        let fc = it.attribute(&net, "2").expect("fc");
        let fc_in = it.attribute(&fc, "in_features").expect("in").as_int();
        (w, fc_in)
    })
    .expect("thread");
    assert_eq!(w, Some(vec![Some(8), Some(3), Some(3), Some(3)]));
    assert_eq!(fc_in, Some(7200));
}

#[test]
fn loops_over_opaque_data_leave_their_results_unknown() {
    // After one symbolic pass over an unknown loader, counters, lists and comprehensions are
    // unknown: asserts about them must not fail.
    let code = "import torch\nfrom torch.utils.data import DataLoader\nloader = DataLoader(list(range(1000)), batch_size=10)\nn = 0\nlosses = []\nfor xb in loader:\n    n += 1\n    losses.append(1.0)\nassert n == 100\nassert len(losses) == 100\nprint(sum(losses) / len(losses))\nsq = [x * 2 for x in loader]\nassert len(sq) == 100\nbig = [x for x in range(10) if x in loader]\nassert len(big) == 3\n";
    assert!(check_code(code).is_empty());
    // The body still runs once, so constant errors inside it are found.
    let code = "import torch\nimport torch.nn as nn\nfrom torch.utils.data import DataLoader\nloader = DataLoader([])\nhead = nn.Linear(512, 10)\nfor images, labels in loader:\n    logits = head(torch.randn(8, 256))\n";
    let d = check_code(code);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(
        d[0].message,
        "mat1 and mat2 shapes cannot be multiplied (8x256 and 512x10)"
    );
    assert_eq!(d[0].line, 7);
}

#[test]
fn property_setters_and_builtin_layer_subclasses() {
    let code = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\nclass Temp:\n    def __init__(self):\n        self._t = 1.0\n    @property\n    def t(self):\n        return self._t\n    @t.setter\n    def t(self, v):\n        self._t = v\nassert Temp().t == 1.0\nclass Head(nn.Sequential):\n    def __init__(self, d, n):\n        super().__init__(nn.Linear(d, d), nn.ReLU(), nn.Linear(d, n))\nh = Head(32, 5)\nassert h(torch.randn(2, 32)).shape == (2, 5) and len(h) == 3\nclass Twice(nn.Linear):\n    def forward(self, x):\n        return super().forward(x) * 2\nassert Twice(4, 2)(torch.randn(3, 4)).shape == (3, 2)\nclass Scaled(nn.Conv2d):\n    def forward(self, x):\n        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding)\nassert Scaled(3, 8, 3, padding=1)(torch.randn(1, 3, 10, 10)).shape == (1, 8, 10, 10)\n";
    let d = check_code(code);
    assert!(d.is_empty(), "{d:#?}");
}

#[test]
fn recurrent_and_attention_layers_have_exact_parameters_and_shapes() {
    let d = check_code("import copy\nimport torch\nimport torch.nn as nn\nlstm = nn.LSTM(10, 20, 2)\nassert sum(p.numel() for p in lstm.parameters()) == 5920\nassert [n for n, _ in lstm.named_parameters()][:3] == ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0']\nout, (h, c) = lstm(torch.randn(5, 3, 10))\nassert out.shape == (5, 3, 20) and h.shape == (2, 3, 20) and c.shape == (2, 3, 20)\ngru = nn.GRU(10, 20, batch_first=True)\nassert sum(p.numel() for p in gru.parameters()) == 1920\no, hn = gru(torch.randn(3, 5, 10))\nassert o.shape == (3, 5, 20) and hn.shape == (1, 3, 20)\nbi = nn.LSTM(10, 20, bidirectional=True, batch_first=True)\nassert sum(p.numel() for p in bi.parameters()) == 5120\no, _ = bi(torch.randn(4, 7, 10))\nassert o.shape == (4, 7, 40)\nmha = nn.MultiheadAttention(512, 8)\nassert sum(p.numel() for p in mha.parameters()) == 1_050_624\nq = torch.randn(10, 2, 512)\na, w = mha(q, q, q)\nassert a.shape == (10, 2, 512) and w.shape == (2, 10, 10)\nlayer = nn.TransformerEncoderLayer(d_model=512, nhead=8)\nassert sum(p.numel() for p in layer.parameters()) == 3_152_384\nenc = nn.TransformerEncoder(layer, num_layers=6)\nassert sum(p.numel() for p in enc.parameters()) == 18_914_304\nsrc = torch.rand(10, 32, 512)\nassert enc(src).shape == (10, 32, 512)\nm2 = copy.deepcopy(nn.Linear(3, 4))\nassert sum(p.numel() for p in m2.parameters()) == 16\npad = nn.ZeroPad2d((1, 1, 2, 0))\nassert pad(torch.randn(1, 1, 3, 3)).shape == (1, 1, 5, 5)\nps = nn.PixelShuffle(3)\nassert ps(torch.randn(1, 9, 4, 4)).shape == (1, 1, 12, 12)\ninorm = nn.InstanceNorm2d(3)\nassert inorm(torch.randn(2, 3, 8, 8)).shape == (2, 3, 8, 8)\nassert sum(p.numel() for p in inorm.parameters()) == 0\n");
    assert!(d.is_empty(), "{d:#?}");
}

#[test]
fn recurrent_and_attention_errors() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "import torch\nimport torch.nn as nn\nlstm = nn.LSTM(32, 64, batch_first=True)\ntokens = torch.randint(0, 100, (4, 12))\nout, _ = lstm(tokens)\n",
            "ValueError",
            "input must have the type torch.float32, got type torch.int64",
        ),
        (
            "import torch\nimport torch.nn as nn\nemb = nn.Embedding(100, 64)\nlstm = nn.LSTM(32, 64, batch_first=True)\nout, _ = lstm(emb(torch.randint(0, 100, (4, 12))))\n",
            "RuntimeError",
            "input.size(-1) must be equal to input_size. Expected 32, got 64",
        ),
        (
            "import torch\nimport torch.nn as nn\nenc = nn.TransformerEncoderLayer(d_model=512, nhead=8, batch_first=True)\nenc(torch.randn(2, 10, 256))\n",
            "AssertionError",
            "was expecting embedding dimension of 512, but got 256",
        ),
        (
            "import torch\nimport torch.nn as nn\nrnn = nn.RNN(8, 16, num_layers=2)\nh0 = torch.zeros(1, 3, 16)\nout, hn = rnn(torch.randn(5, 3, 8), h0)\n",
            "RuntimeError",
            "Expected hidden size (2, 3, 16), got [1, 3, 16]",
        ),
        (
            "import torch\nimport torch.nn as nn\nlstm = nn.LSTM(8, 16)\nh0 = torch.zeros(1, 3, 16)\nc0 = torch.zeros(1, 4, 16)\nout, hn = lstm(torch.randn(5, 3, 8), (h0, c0))\n",
            "RuntimeError",
            "Expected hidden[1] size (1, 3, 16), got [1, 4, 16]",
        ),
        (
            "import torch.nn as nn\nnn.MultiheadAttention(100, 3)\n",
            "AssertionError",
            "embed_dim must be divisible by num_heads",
        ),
    ];
    for (code, ty, msg) in cases {
        let d = check_code(code);
        assert_eq!(d.len(), 1, "{code}: {d:#?}");
        assert_eq!(
            (d[0].error_type.as_str(), d[0].message.as_str()),
            (*ty, *msg)
        );
        assert_eq!(d[0].line, code.lines().count(), "{code}");
    }
}

#[test]
fn syntax_errors_in_cpython_words() {
    // (code, error type, message, line, column where CPython's is certain)
    let cases: &[(&str, &str, &str, usize, Option<usize>)] = &[
        (
            "def f(x)\n    return x\n",
            "SyntaxError",
            "expected ':'",
            1,
            Some(9),
        ),
        (
            "x = (1,\ny = 2\n",
            "SyntaxError",
            "'(' was never closed",
            1,
            Some(5),
        ),
        (
            "model = nn.Sequential(\n    nn.Linear(2, 2),\n",
            "SyntaxError",
            "'(' was never closed",
            1,
            Some(22),
        ),
        (
            "a = [1, 2)\n",
            "SyntaxError",
            "closing parenthesis ')' does not match opening parenthesis '['",
            1,
            Some(10),
        ),
        ("x = 1)\n", "SyntaxError", "unmatched ')'", 1, Some(6)),
        (
            "if x = 1:\n    pass\n",
            "SyntaxError",
            "invalid syntax. Maybe you meant '==' or ':=' instead of '='?",
            1,
            Some(4),
        ),
        (
            "x + 1 = 2\n",
            "SyntaxError",
            "cannot assign to expression here. Maybe you meant '==' instead of '='?",
            1,
            Some(1),
        ),
        (
            "True = 1\n",
            "SyntaxError",
            "cannot assign to True",
            1,
            Some(1),
        ),
        (
            "f() = 1\n",
            "SyntaxError",
            "cannot assign to function call here. Maybe you meant '==' instead of '='?",
            1,
            Some(1),
        ),
        (
            "def f(x=1, y):\n    pass\n",
            "SyntaxError",
            "parameter without a default follows parameter with a default",
            1,
            Some(12),
        ),
        (
            "x = [1 2]\n",
            "SyntaxError",
            "invalid syntax. Perhaps you forgot a comma?",
            1,
            Some(6),
        ),
        (
            "fc = nn.Linear(512 10)\n",
            "SyntaxError",
            "invalid syntax. Perhaps you forgot a comma?",
            1,
            Some(16),
        ),
        (
            "s = \"\"\"abc\nmore\n",
            "SyntaxError",
            "unterminated triple-quoted string literal (detected at line 2)",
            1,
            Some(5),
        ),
        (
            "s = 'abc\n",
            "SyntaxError",
            "unterminated string literal (detected at line 1)",
            1,
            Some(5),
        ),
        (
            "x = {'a': 1, 'b' 2}\n",
            "SyntaxError",
            "':' expected after dictionary key",
            1,
            Some(16),
        ),
        (
            "for i in range(3):\nprint(i)\n",
            "IndentationError",
            "expected an indented block after 'for' statement on line 1",
            2,
            Some(1),
        ),
        (
            "x = 1\n    y = 2\n",
            "IndentationError",
            "unexpected indent",
            2,
            None,
        ),
        (
            "def f():\n        x = 1\n    y = 2\n",
            "IndentationError",
            "unindent does not match any outer indentation level",
            3,
            None,
        ),
        (
            "print 'hello'\n",
            "SyntaxError",
            "Missing parentheses in call to 'print'. Did you mean print(...)?",
            1,
            Some(1),
        ),
        (
            "f(x=1, 2)\n",
            "SyntaxError",
            "positional argument follows keyword argument",
            1,
            None,
        ),
        (
            "f(x for x in y, 1)\n",
            "SyntaxError",
            "Generator expression must be parenthesized",
            1,
            Some(3),
        ),
        (
            "return 1\n",
            "SyntaxError",
            "'return' outside function",
            1,
            Some(1),
        ),
        ("break\n", "SyntaxError", "'break' outside loop", 1, Some(1)),
        (
            "h = F.relu(self.fc1(x) self.fc2(x))\n",
            "SyntaxError",
            "invalid syntax. Perhaps you forgot a comma?",
            1,
            Some(12),
        ),
        ("x = 5 +* 3\n", "SyntaxError", "invalid syntax", 1, None),
    ];
    for (code, ty, msg, line, col) in cases {
        let d = check_code(code);
        assert_eq!(d.len(), 1, "{code:?}: {d:#?}");
        assert_eq!(d[0].kind, DiagKind::Syntax, "{code:?}");
        assert_eq!(
            (d[0].error_type.as_str(), d[0].message.as_str()),
            (*ty, *msg),
            "{code:?}"
        );
        assert_eq!(d[0].line, *line, "{code:?}");
        if let Some(col) = col {
            assert_eq!(d[0].column, *col, "{code:?}");
        }
    }
}

#[test]
fn a_badly_broken_block_does_not_cascade_into_name_errors() {
    let md = "```python\nimport torch\nimport torch.nn as nn\nfrom torch.nn import functional as F, init\nclass Net(nn.Module:\n    def __init__(self)\n        super().__init__(\n        self.fc = nn.Linear(4, 2\nmodel, opt = Net(), None\nfor epoch, batch in []:\n    pass\nwith open('f') as fh:\n    pass\n```\n\n```python\nout = model(torch.randn(3, 4))\nF.relu(out)\ninit.zeros_(out)\nprint(Net, opt, epoch, batch, fh)\n```\n";
    let d = check_md(md);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].kind, DiagKind::Syntax);
}
