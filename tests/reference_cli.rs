//! `lessonlint reference` and `lessonlint snippets` as a user meets them: the stage table
//! with exact figures, JSON, bad input, and the optional PyTorch oracle (run only where
//! `python3` can import torch).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lessonlint"))
        .args(args)
        .output()
        .expect("run lessonlint")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn fixture(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(p)
}

#[test]
fn resnet50_stage_table() {
    let o = run(&["reference", "resnet50", "--input", "1,3,224,224"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "\
ResNet-50 (resnet50): bottlenecks [3, 4, 6, 3]
input [1, 3, 224, 224], evaluation mode

stage    output shape       parameters
stem     [1, 64, 56, 56]         9,536
layer1   [1, 256, 56, 56]      215,808
layer2   [1, 512, 28, 28]    1,219,584
layer3   [1, 1024, 14, 14]   7,098,368
layer4   [1, 2048, 7, 7]    14,964,736
avgpool  [1, 2048]                   0
fc       [1, 1000]           2,049,000
total                       25,557,032

buffers: 53,173 (BatchNorm running means, variances and batch counters)
"
    );
}

#[test]
fn stage_table_as_json() {
    let o = run(&[
        "reference",
        "ResNet-18",
        "--input",
        "2,3,64,64",
        "-f",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["model"], "resnet18");
    assert_eq!(v["parameters"], 11_689_512);
    assert_eq!(v["buffers"], 9_620);
    assert_eq!(v["input"], serde_json::json!([2, 3, 64, 64]));
    assert_eq!(v["stages"][0]["output"], serde_json::json!([2, 64, 16, 16]));
    assert_eq!(v["stages"][4]["output"], serde_json::json!([2, 512, 2, 2]));
    assert_eq!(v["stages"][6]["output"], serde_json::json!([2, 1000]));
}

#[test]
fn default_input_per_family() {
    let o = run(&["reference", "resnet56"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(s.contains("input [1, 3, 32, 32]"), "{s}");
    assert!(s.contains("layer3   [1, 64, 8, 8]"), "{s}");
    assert!(
        s.lines()
            .any(|l| l.starts_with("total") && l.ends_with(" 853,018")),
        "{s}"
    );
}

#[test]
fn table_of_every_model() {
    let o = run(&["reference"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = stdout(&o);
    for (model, params, buffers) in [
        ("resnet18", "11,689,512", "9,620"),
        ("resnet34", "21,797,672", "17,060"),
        ("resnet50", "25,557,032", "53,173"),
        ("resnet101", "44,549,160", "105,448"),
        ("resnet152", "60,192,808", "151,579"),
        ("vgg16", "138,357,544", "0"),
        ("resnext50_32x4d", "25,028,904", "68,277"),
        ("wide_resnet50_2", "68,883,240", "68,277"),
        ("resnet20", "269,722", "1,395"),
        ("resnet1202", "19,421,274", "90,833"),
        ("resnet20_b", "272,474", "1,589"),
    ] {
        let line = s
            .lines()
            .find(|l| l.split_whitespace().next() == Some(model))
            .unwrap_or_else(|| panic!("{model} missing:\n{s}"));
        let cols: Vec<&str> = line.split_whitespace().collect();
        assert!(cols.contains(&params), "{line}");
        assert!(cols.contains(&buffers), "{line}");
    }
    let o = run(&["reference", "-f", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v[0]["model"], "resnet18");
    assert_eq!(v[0]["imagenet_acc1"], 69.758);
}

#[test]
fn bad_input_is_a_usage_failure() {
    let o = run(&["reference", "resnet5"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown model `resnet5`"),
        "{}",
        stderr(&o)
    );
    let o = run(&["reference", "resnet50", "--input", "1,3,x,224"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("`x` in `1,3,x,224` is not a positive size"));
    let o = run(&["reference", "vgg16", "--input", "1,3,16,16"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o).trim(),
        "error: vgg16 on input [1, 3, 16, 16] fails in block5: RuntimeError: Given input size: (512x1x1). Calculated output size: (512x0x0). Output size is too small"
    );
}

#[test]
fn snippets_lists_lessonlint_verdicts() {
    let f = fixture("notebooks/cell_errors.ipynb");
    let o = run(&["snippets", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(s.contains("block 2 (cell 3): RuntimeError: mat1 and mat2 shapes cannot be multiplied (12x2048 and 512x1000) (block 2, line 2)"), "{s}");
}

fn python_with_torch() -> Option<&'static str> {
    lessonlint::oracle::torch_available("python3").then_some("python3")
}

#[test]
fn oracle_agrees_with_pytorch_on_the_fixtures() {
    let Some(python) = python_with_torch() else {
        eprintln!("skipped: python3 cannot import torch");
        return;
    };
    for f in [
        "rules/python-runtime-error/fail.md",
        "rules/python-runtime-error/pass.md",
        "notebooks/solution_passes.ipynb",
        "notebooks/solution_raises.ipynb",
    ] {
        let path = fixture(f);
        let o = run(&[
            "snippets",
            "--oracle",
            "python",
            "--python",
            python,
            path.to_str().unwrap(),
        ]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{f}:\n{}{}",
            stdout(&o),
            stderr(&o)
        );
        assert!(stdout(&o).contains(" 0 disagreements"), "{}", stdout(&o));
    }
}

/// A stand-in `torch` module: enough for the oracle's driver to start, so that its running,
/// block mapping and comparison are tested on pure-Python blocks where PyTorch is absent.
fn stub_torch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("torch.py"), "__version__ = 'stub'\n").expect("stub");
    dir
}

#[test]
fn oracle_runs_python_and_reports_disagreements() {
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("skipped: no python3");
        return;
    }
    let stub = stub_torch();
    let dir = tempfile::tempdir().expect("tempdir");
    let md = dir.path().join("lesson.md");
    // Block 2 fails in both; block 3 fails only in Python (an unknown import is opaque to
    // lessonlint); block 4 has a syntax error.
    std::fs::write(
        &md,
        "# T\n\n```python\nx = 1\ny = [1, 2]\n```\n\n```python\nz = y[5]\n```\n\n```python\nimport no_such_module_here\n```\n\n```python\ndef f(x)\n    return x\n```\n",
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_lessonlint"))
        .args(["snippets", "--oracle", "python", md.to_str().unwrap()])
        .env("PYTHONPATH", stub.path())
        .output()
        .expect("run");
    let s = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{s}{}", stderr(&o));
    let lines: Vec<&str> = s.lines().collect();
    assert!(
        lines[0].ends_with("block 1 (line 4): agree, runs clean"),
        "{s}"
    );
    assert!(
        lines[1].ends_with(
            "block 2 (line 9): agree, IndexError: list index out of range (block 2, line 1)"
        ),
        "{s}"
    );
    assert!(
        lines[2]
            .ends_with("block 3 (line 13): DISAGREE: PyTorch raises; lessonlint reports nothing"),
        "{s}"
    );
    assert!(
        lines[4].contains("ModuleNotFoundError: No module named 'no_such_module_here'"),
        "{s}"
    );
    assert!(s.contains("block 4 (line 17): agree, SyntaxError"), "{s}");
    assert!(s.ends_with("4 blocks, 1 disagreement\n"), "{s}");
}

#[test]
fn oracle_without_torch_says_so() {
    if python_with_torch().is_some() {
        return;
    }
    let path = fixture("rules/python-runtime-error/fail.md");
    let o = run(&["snippets", "--oracle", "python", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot import torch") || stderr(&o).contains("cannot run"));
}
