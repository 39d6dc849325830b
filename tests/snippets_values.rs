//! Values that point into themselves, deep or exponential nesting, and big copies: each ends as
//! Python ends it (a `[...]` repr, a `RecursionError`) or with one budget diagnostic at the
//! operation, never a crash or a hang.

use lessonlint::snippets::{check_blocks, Block, Budget, DiagKind, SnippetDiag};

fn check_code(code: &str) -> Vec<SnippetDiag> {
    let b = Block {
        code: code.to_string(),
        first_line: 1,
        offset: 0,
        mode: lessonlint::snippets::Mode::Check,
        cell: None,
    };
    check_blocks(&[b], &Budget::default())
}

fn clean(code: &str) {
    let d = check_code(code);
    assert!(d.is_empty(), "{code}\n{d:#?}");
}

fn one_budget(code: &str, line: usize) {
    let d = check_code(code);
    assert_eq!(d.len(), 1, "{code}\n{d:#?}");
    assert_eq!(d[0].kind, DiagKind::Budget, "{code}\n{d:#?}");
    assert_eq!(d[0].line, line, "{code}\n{d:#?}");
}

#[test]
fn containers_inside_themselves_print_as_python_prints_them() {
    clean("h = []\nh.append(h)\ns = str(h)\nassert s == '[[...]]', s\n");
    clean("d = {}\nd['x'] = d\nassert str(d) == \"{'x': {...}}\", str(d)\n");
    clean("a = [1]\na.append([a, (a,)])\nassert repr(a) == '[1, [[...], ([...],)]]'\n");
    clean("a = []\na.append(a)\nassert a == a\n");
    clean("import copy\na = [1]\na.append(a)\nb = copy.deepcopy(a)\nassert b[1] is b and b is not a\n");
}

#[test]
fn comparing_two_cyclic_lists_is_a_recursion_error() {
    let d = check_code("a = []\na.append(a)\nb = []\nb.append(b)\nsame = a == b\n");
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].error_type, "RecursionError");
    assert_eq!(
        d[0].message,
        "maximum recursion depth exceeded in comparison"
    );
    assert_eq!(d[0].line, 5);
}

#[test]
fn deep_nesting_is_a_recursion_error_not_a_stack_overflow() {
    let d = check_code("a = []\nfor i in range(100000):\n    a = [a]\ns = str(a)\n");
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].error_type, "RecursionError");
    assert_eq!(
        d[0].message,
        "maximum recursion depth exceeded while getting the repr of an object"
    );
    assert_eq!(d[0].line, 4);
}

#[test]
fn exponential_sharing_is_budgeted() {
    let build = "a = [1]\nb = [1]\nfor i in range(60):\n    a = [a, a]\n    b = [b, b]\n";
    one_budget(&format!("{build}s = str(a)\n"), 6);
    one_budget(&format!("{build}same = a == b\n"), 6);
    // deepcopy's memo copies each shared list once, as in Python.
    clean(&format!(
        "{build}import copy\nc = copy.deepcopy([a, b])\nassert c[0][0] is c[0][1]\n"
    ));
}

#[test]
fn big_copies_in_loops_are_budgeted() {
    for op in ["x[:]", "x.copy()", "x[::1]", "str(x)", "list(x)"] {
        one_budget(
            &format!("x = [0] * 500000\nl = []\nfor i in range(100000):\n    l.append({op})\n"),
            4,
        );
    }
    for op in ["s.upper()", "s.split('a')", "repr(s)", "s[:-1]", "s + s"] {
        one_budget(
            &format!("s = 'a' * 2000000\nl = []\nfor i in range(100000):\n    l.append({op})\n"),
            4,
        );
    }
}

#[test]
fn one_huge_allocation_is_reported_at_its_line() {
    one_budget("x = 1\ny = 2\nz = [0] * 10**9\n", 3);
    one_budget("x = 1\ny = 2\nz = 'ab' * 10**10\n", 3);
}

#[test]
fn copies_python_makes_instantly_fit_the_budget() {
    clean("x = [1, 2] * 10**6\nassert len(x) == 2000000\ny = x[:]\nassert len(y) == 2000000\n");
    clean("s = 'a' * 2000000\nt = s.upper()\nassert t[:3] == 'AAA' and len(s[:-1]) == 1999999\n");
    clean("x = list(range(100000))\nt = 0\nfor i in range(100000):\n    t += x[i]\nassert t == 4999950000\n");
}

#[test]
fn named_tuple_results_counters_and_caches_run_as_in_pytorch() {
    clean("import torch\nout = torch.randn(4, 10)\nv = out.max(dim=1).values\ni = out.max(dim=1).indices\nt = out.topk(3).values\ns = torch.sort(out, dim=1).indices\nm = torch.min(out, 1).indices\na, b = torch.max(out, 1)\nassert v.shape == (4,) and i.shape == (4,) and t.shape == (4, 3)\nassert s.shape == (4, 10) and m.shape == (4,) and a.shape == (4,)\n");
    clean("import collections\nc = collections.Counter('hello')\nd = collections.defaultdict(list)\nd['a'].append(1)\nfrom collections import Counter\ne = Counter([1, 1, 2]).most_common(1)\n");
    clean("import functools\n@functools.lru_cache(maxsize=None)\ndef fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\nprint(fib(30))\n@functools.cache\ndef g(n):\n    return n if n < 2 else g(n - 1) + g(n - 2)\nprint(g(30))\n");
}
