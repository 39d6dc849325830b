//! Figures written beside a model name in prose and tables — "ResNet-152 … 60M parameters",
//! "VGG's 25,088-to-4,096 FC layer", "ResNet-18 (8 basic blocks)" — and their check against the
//! reference.
//!
//! The scanner is deliberately conservative: a figure is a claim only when it is bound to one
//! known model without doubt. A parameter count binds to the nearest model named before it in
//! the same sentence (or table cell) unless a part of the model stands between ("ResNet-50's
//! first conv has 9,408 parameters" is about the conv, and is not checked); a layer or block
//! count binds only when it directly follows the name ("ResNet-18 (8 basic blocks)",
//! "ResNet-50 has 16 bottleneck blocks", "VGG-16's 13 conv layers"). Another architecture named
//! in between (AlexNet, LeNet, …) breaks the binding. Code fences are not prose.

use super::{find_model, ModelSpec};
use std::ops::Range;

/// A model named in the text.
#[derive(Debug, Clone, PartialEq)]
pub enum Named {
    /// A registry model.
    Model(&'static ModelSpec),
    /// "VGG" without a depth: only figures every VGG shares (its FC layers) are checked, against
    /// VGG-16.
    AnyVgg,
    /// A layer written as code: `nn.Conv2d(3, 64, 3)`.
    Layer(String),
    /// Another architecture (AlexNet, ResNet-200, …): breaks bindings, never checked.
    Other,
}

/// A mention with its place.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    pub named: Named,
    pub span: Range<usize>,
}

/// How a number was written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bound {
    /// As written, within its rounding.
    Rounded,
    /// "about", "~", "roughly": within one step of the rounding either way.
    About,
    /// "over", "more than", "at least", "100M+".
    AtLeast,
    /// "under", "less than", "at most".
    AtMost,
}

/// A number as written, with the precision the writing implies.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    /// The value in units (25.6 for "25.6M").
    pub value: f64,
    /// The unit's size (1e6 for "M" or "million").
    pub unit: f64,
    /// The size of the last written digit, in units of one (0.1e6 for "25.6M", 1e7 for
    /// "60M"? no: 1e6 — trailing zeros of an integer count as rounding: 1e7 for "60M").
    pub step: f64,
    pub bound: Bound,
    /// The text as written ("~60M", "25,557,032").
    pub text: String,
}

impl Written {
    /// The value in ones.
    pub fn amount(&self) -> f64 {
        self.value * self.unit
    }

    /// Whether `actual` agrees with the figure as written.
    pub fn accepts(&self, actual: i64) -> bool {
        let a = actual as f64;
        let v = self.amount();
        let eps = 1e-9 * v.abs().max(1.0);
        match self.bound {
            Bound::Rounded => a >= v - self.step / 2.0 - eps && a < v + self.step + eps,
            Bound::About => a >= v - self.step - eps && a <= v + self.step + eps,
            Bound::AtLeast => a >= v - eps,
            Bound::AtMost => a <= v + eps,
        }
    }
}

/// What a figure counts.
#[derive(Debug, Clone, PartialEq)]
pub enum Counted {
    /// Trainable parameters of the whole model.
    Parameters,
    /// Parameters of the FC layers: all of them, the first, or the last.
    FcParameters(Which),
    /// Weighted layers (the depth in the name).
    Layers,
    /// Convolutional layers.
    ConvLayers,
    /// Fully connected layers.
    FcLayers,
    /// Blocks of a kind (`None`: any residual or plain block).
    Blocks(Option<BlockKind>),
    /// An FC layer from `in` to `out` features exists.
    FcShape { inputs: i64, outputs: i64 },
}

/// Which FC layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    All,
    First,
    Last,
}

/// A kind of block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Basic,
    Bottleneck,
}

/// A figure bound to a mention.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    pub mention: Mention,
    pub counted: Counted,
    /// The number (for `FcShape`, the input size).
    pub figure: Written,
    /// The figure's place (number, unit and noun: "60M parameters").
    pub span: Range<usize>,
    /// Other models named before the figure in the same sentence ("ResNet-152 has fewer
    /// parameters than VGG-16 (60M vs 138M parameters)"): a figure that fits one of them is
    /// not reported, since the sentence may well mean that one.
    pub alternatives: Vec<Mention>,
}

// ---------------------------------------------------------------------------------------------
// Text units: sentences of prose, cells of tables.

/// A piece of prose (a sentence or a table cell) by byte range.
type Unit = Range<usize>;

/// A table's figure column: header says "params", "layers", "depth" or "blocks".
struct TableColumn {
    counted: Counted,
    /// Unit from the header: "Params (M)" → 1e6.
    unit: f64,
}

/// Finds every claim in a Markdown text (code fences skipped).
pub fn find(text: &str) -> Vec<Claim> {
    let mut out = Vec::new();
    // ASCII lower-casing keeps every byte offset.
    let lc = text.to_ascii_lowercase();
    let lines = lines_of(text);
    let mut i = 0;
    let mut para: Option<Range<usize>> = None;
    let flush = |para: &mut Option<Range<usize>>, out: &mut Vec<Claim>| {
        if let Some(r) = para.take() {
            for s in sentences(text, r) {
                out.extend(in_unit(text, &lc, s));
            }
        }
    };
    while i < lines.len() {
        let (start, end) = lines[i];
        let line = &text[start..end];
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            flush(&mut para, &mut out);
            let fence = &t[..3];
            i += 1;
            while i < lines.len() && !text[lines[i].0..lines[i].1].trim_start().starts_with(fence) {
                i += 1;
            }
            i += 1;
            continue;
        }
        if t.starts_with('|') {
            flush(&mut para, &mut out);
            let mut j = i;
            while j < lines.len() && text[lines[j].0..lines[j].1].trim_start().starts_with('|') {
                j += 1;
            }
            out.extend(table(text, &lc, &lines[i..j]));
            i = j;
            continue;
        }
        if t.trim().is_empty() || t.starts_with('#') {
            flush(&mut para, &mut out);
            if t.starts_with('#') {
                out.extend(in_unit(text, &lc, start..end));
            }
            i += 1;
            continue;
        }
        // A list item starts a new paragraph.
        let item = t.starts_with("- ")
            || t.starts_with("* ")
            || t.split_once(". ")
                .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        if item {
            flush(&mut para, &mut out);
        }
        para = Some(match para {
            Some(r) => r.start..end,
            None => start..end,
        });
        i += 1;
    }
    flush(&mut para, &mut out);
    out
}

fn lines_of(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut off = 0;
    for l in text.split_inclusive('\n') {
        let body = l.trim_end_matches(['\n', '\r']);
        out.push((off, off + body.len()));
        off += l.len();
    }
    out
}

/// Splits a paragraph into sentences: at `.`, `!`, `?` or `;` followed by white space (so
/// "25.6M" and "e.g." inside a word stay whole).
fn sentences(text: &str, r: Range<usize>) -> Vec<Unit> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut s = r.start;
    let mut i = r.start;
    while i < r.end {
        let c = bytes[i];
        if matches!(c, b'.' | b'!' | b'?' | b';')
            && i + 1 < r.end
            && bytes[i + 1].is_ascii_whitespace()
        {
            out.push(s..i + 1);
            s = i + 1;
        }
        i += 1;
    }
    if s < r.end {
        out.push(s..r.end);
    }
    out
}

/// Cells of a table row: byte ranges of the text between pipes (escaped pipes kept).
fn cells(text: &str, start: usize, end: usize) -> Vec<Range<usize>> {
    let line = &text[start..end];
    let mut out = Vec::new();
    let b = line.as_bytes();
    let mut i = line.find('|').map_or(0, |p| p + 1);
    let mut cs = i;
    while i < b.len() {
        if b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == b'|' {
            out.push(start + cs..start + i);
            cs = i + 1;
        }
        i += 1;
    }
    if cs < b.len() && !line[cs..].trim().is_empty() {
        out.push(start + cs..end);
    }
    out
}

fn table(text: &str, lc: &str, rows: &[(usize, usize)]) -> Vec<Claim> {
    let mut out = Vec::new();
    let Some(&(hs, he)) = rows.first() else {
        return out;
    };
    let header = cells(text, hs, he);
    let columns: Vec<Option<TableColumn>> = header
        .iter()
        .map(|c| column_kind(&text[c.clone()]))
        .collect();
    for (ri, &(s, e)) in rows.iter().enumerate().skip(1) {
        if !may_mention(&lc[s..e]) {
            continue;
        }
        let row = cells(text, s, e);
        let is_rule = row.iter().all(|c| {
            text[c.clone()]
                .trim()
                .chars()
                .all(|ch| matches!(ch, '-' | ':' | ' '))
        });
        if ri == 1 && is_rule {
            continue;
        }
        // The row's model: the only model named in a non-figure cell.
        let mut named: Vec<Mention> = Vec::new();
        for (ci, c) in row.iter().enumerate() {
            if columns.get(ci).is_some_and(Option::is_some) {
                continue;
            }
            named.extend(mentions(text, &tokens(text, lc, c.clone())));
        }
        let models: Vec<&Mention> = named
            .iter()
            .filter(|m| !matches!(m.named, Named::Layer(_)))
            .collect();
        let row_model = match models.as_slice() {
            [one] if !matches!(one.named, Named::Other) => Some((*one).clone()),
            _ => None,
        };
        for (ci, c) in row.iter().enumerate() {
            match (columns.get(ci).and_then(Option::as_ref), &row_model) {
                (Some(col), Some(m)) => {
                    if let Some(claim) = table_figure(text, lc, c.clone(), col, m) {
                        out.push(claim);
                    }
                }
                (Some(_), None) => {}
                (None, _) => {
                    for s in sentences(text, c.clone()) {
                        out.extend(in_unit(text, lc, s));
                    }
                }
            }
        }
    }
    out
}

fn column_kind(header: &str) -> Option<TableColumn> {
    let h = header.trim().to_ascii_lowercase();
    let unit = if h.contains("(m)") || h.contains("million") || h.contains("(m ") {
        1e6
    } else if h.contains("(k)") || h.contains("thousand") {
        1e3
    } else {
        1.0
    };
    let counted = if h.contains("param") {
        if h.contains("fc") || h.contains("per ") {
            return None;
        }
        Counted::Parameters
    } else if h == "layers" || h == "depth" || h.starts_with("layers (") || h == "weight layers" {
        Counted::Layers
    } else if h == "blocks" || h.ends_with(" blocks") {
        Counted::Blocks(block_kind(&h))
    } else {
        return None;
    };
    Some(TableColumn { counted, unit })
}

fn table_figure(
    text: &str,
    lc: &str,
    cell: Range<usize>,
    col: &TableColumn,
    m: &Mention,
) -> Option<Claim> {
    let toks = tokens(text, lc, cell);
    // The first number of the cell, with its qualifier and unit.
    let (i, _) = toks
        .iter()
        .enumerate()
        .find(|(_, t)| number(t.text).is_some())?;
    let (mut w, end) = written(text, &toks, i)?;
    if w.unit == 1.0 && col.unit != 1.0 {
        w.unit = col.unit;
        w.step *= col.unit;
        w.text.push(if col.unit == 1e6 { 'M' } else { 'K' });
    }
    if !matches!(col.counted, Counted::Parameters) && (w.unit != 1.0 || w.value.fract() != 0.0) {
        return None;
    }
    if matches!(m.named, Named::AnyVgg | Named::Layer(_)) {
        return None;
    }
    Some(Claim {
        mention: m.clone(),
        counted: col.counted.clone(),
        figure: w,
        span: toks[i].span.start..end,
        alternatives: Vec::new(),
    })
}

// ---------------------------------------------------------------------------------------------
// Tokens

#[derive(Debug, Clone)]
struct Tok<'a> {
    text: &'a str,
    /// `text` in ASCII lower case.
    low: &'a str,
    span: Range<usize>,
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Words (letters, digits, `_`, and `-` `.` `,` `/`-free joins such as `ResNet-50`, `25,088`,
/// `25.6M`, `nn.Conv2d`) and single punctuation characters.
/// `lc` is `text` in ASCII lower case (same byte offsets), where each token's lower-case form is
/// borrowed from.
fn tokens<'a>(text: &'a str, lc: &'a str, r: Range<usize>) -> Vec<Tok<'a>> {
    let s = &text[r.clone()];
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (bi, c) = chars[i];
        if c.is_whitespace() || c == '*' || c == '`' {
            i += 1;
            continue;
        }
        if is_word(c) {
            let mut j = i + 1;
            while j < chars.len() {
                let cj = chars[j].1;
                if is_word(cj) {
                    j += 1;
                } else if matches!(cj, '-' | '.' | ',')
                    && j + 1 < chars.len()
                    && is_word(chars[j + 1].1)
                    && (cj != ',' || chars[j + 1].1.is_ascii_digit())
                {
                    j += 2;
                } else {
                    break;
                }
            }
            let be = chars.get(j).map_or(s.len(), |x| x.0);
            out.push(Tok {
                text: &s[bi..be],
                low: &lc[r.start + bi..r.start + be],
                span: r.start + bi..r.start + be,
            });
            i = j;
        } else {
            out.push(Tok {
                text: &s[bi..bi + c.len_utf8()],
                low: &lc[r.start + bi..r.start + bi + c.len_utf8()],
                span: r.start + bi..r.start + bi + c.len_utf8(),
            });
            i += 1;
        }
    }
    out
}

/// A number token: `25,557,032`, `25.6`, `60M`, `11.7m`, `270K`; value, unit, and digits after
/// the point.
fn number(tok: &str) -> Option<(f64, f64, f64)> {
    let (digits, unit) = match tok.char_indices().last()? {
        (i, 'M' | 'm') => (&tok[..i], 1e6),
        (i, 'K' | 'k') => (&tok[..i], 1e3),
        (i, 'B') => (&tok[..i], 1e9),
        _ => (tok, 1.0),
    };
    if digits.is_empty() || !digits.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let (int, frac) = match digits.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (digits, None),
    };
    if int.contains(',') {
        let groups: Vec<&str> = int.split(',').collect();
        let ok = groups[0].len() <= 3
            && !groups[0].is_empty()
            && groups[1..].iter().all(|g| g.len() == 3)
            && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit()));
        if !ok {
            return None;
        }
    } else if !int.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if frac.is_some_and(|f| f.is_empty() || !f.chars().all(|c| c.is_ascii_digit())) {
        return None;
    }
    let plain: String = digits.chars().filter(|c| *c != ',').collect();
    let value: f64 = plain.parse().ok()?;
    // The last written digit's size: decimals, else trailing zeros of the integer.
    let step = match frac {
        Some(f) => 10f64.powi(-(f.len() as i32)),
        None => {
            let t = plain.trim_end_matches('0');
            if t.is_empty() {
                1.0
            } else {
                10f64.powi((plain.len() - t.len()) as i32)
            }
        }
    };
    Some((value, unit, step))
}

const NUMBER_WORDS: &[(&str, i64)] = &[
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("thirteen", 13),
    ("fourteen", 14),
    ("fifteen", 15),
    ("sixteen", 16),
    ("seventeen", 17),
    ("eighteen", 18),
    ("nineteen", 19),
    ("twenty", 20),
];

/// The number at `toks[i]` with its qualifier and unit word; the figure and the byte where
/// the number (and unit) end.
fn written(text: &str, toks: &[Tok], i: usize) -> Option<(Written, usize)> {
    let (value, mut unit, step) = number(toks[i].text)?;
    let mut step = step;
    let mut end = toks[i].span.end;
    let mut k = i + 1;
    if unit == 1.0 {
        if let Some(t) = toks.get(k) {
            let u = match t.text {
                "M" | "million" | "Million" | "mil" => 1e6,
                "K" | "k" | "thousand" => 1e3,
                "B" | "billion" => 1e9,
                _ => 1.0,
            };
            if u != 1.0 {
                unit = u;
                end = t.span.end;
                k += 1;
            }
        }
    }
    step *= unit;
    let mut bound = qualifier(toks, i);
    if toks.get(k).is_some_and(|t| t.text == "+") {
        bound = Bound::AtLeast;
        end = toks[k].span.end;
    }
    let start = first_qualifier_start(toks, i).unwrap_or(toks[i].span.start);
    Some((
        Written {
            value,
            unit,
            step,
            bound,
            text: text[start..end].to_string(),
        },
        end,
    ))
}

fn lower(t: &Tok) -> String {
    t.low.to_string()
}

fn qualifier(toks: &[Tok], i: usize) -> Bound {
    let w1 = i
        .checked_sub(1)
        .map(|j| lower(&toks[j]))
        .unwrap_or_default();
    let w2 = i
        .checked_sub(2)
        .map(|j| lower(&toks[j]))
        .unwrap_or_default();
    match (w2.as_str(), w1.as_str()) {
        (
            _,
            "~" | "≈" | "about" | "around" | "roughly" | "approximately" | "approx" | "nearly"
            | "almost" | "some",
        ) => Bound::About,
        ("more" | "greater", "than") | ("at", "least") | (_, "over" | "above" | "exceeding") => {
            Bound::AtLeast
        }
        ("less" | "fewer", "than") | ("at", "most") | (_, "under" | "below") => Bound::AtMost,
        _ => Bound::Rounded,
    }
}

fn first_qualifier_start(toks: &[Tok], i: usize) -> Option<usize> {
    let w1 = lower(toks.get(i.checked_sub(1)?)?);
    let two = matches!(w1.as_str(), "than" | "least" | "most");
    if two {
        return toks.get(i.checked_sub(2)?).map(|t| t.span.start);
    }
    matches!(
        w1.as_str(),
        "~" | "≈"
            | "about"
            | "around"
            | "roughly"
            | "approximately"
            | "approx"
            | "nearly"
            | "almost"
            | "over"
            | "above"
            | "under"
            | "below"
    )
    .then(|| toks[i - 1].span.start)
}

// ---------------------------------------------------------------------------------------------
// Mentions

const OTHER_ARCHITECTURES: &[&str] = &[
    "alexnet",
    "lenet",
    "lenet-5",
    "googlenet",
    "inception",
    "densenet",
    "mobilenet",
    "efficientnet",
    "squeezenet",
    "shufflenet",
    "regnet",
    "convnext",
    "vit",
    "bert",
    "gpt",
    "u-net",
    "unet",
    "yolo",
    "transformer",
    "zfnet",
    "highway",
];

/// The first two letters of every model name `mentions` knows (a cheap test per word).
const NAME_PREFIXES: &[&str] = &[
    "re", "wi", "wr", "vg", "pl", "al", "le", "go", "in", "de", "mo", "ef", "sq", "sh", "co", "vi",
    "be", "gp", "u-", "un", "yo", "tr", "zf", "hi",
];

const LAYER_CLASSES: &[&str] = &["Conv2d", "Conv1d", "Linear", "BatchNorm2d", "BatchNorm1d"];

fn mentions(text: &str, toks: &[Tok]) -> Vec<Mention> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        let l: &str = t.low;
        // Every name below starts with a letter: numbers and punctuation are passed over.
        if !l.as_bytes().first().is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
            continue;
        }
        let prev: &str = i.checked_sub(1).map_or("", |j| toks[j].low);
        let code_call = toks.get(i + 1).is_some_and(|n| n.text == "(");
        if !code_call && !l.get(..2).is_some_and(|p| NAME_PREFIXES.contains(&p)) {
            i += 1;
            continue;
        }
        let mut push = |named: Named, span: Range<usize>| out.push(Mention { named, span });
        // A layer written as code: `nn.Conv2d(3, 64, 3)`.
        if toks.get(i + 1).is_some_and(|n| n.text == "(") && {
            let class = t.text.rsplit('.').next().unwrap_or("");
            LAYER_CLASSES.contains(&class)
                && (t.text == class || t.text.strip_prefix("nn.") == Some(class))
        } {
            if let Some(close) = matching_paren(toks, i + 1) {
                let span = t.span.start..toks[close].span.end;
                push(Named::Layer(text[span.clone()].to_string()), span);
                i = close + 1;
                continue;
            }
        }
        if let Some(rest) = l.strip_prefix("resnext") {
            let d = rest.trim_start_matches(['-', '_']);
            let named = if d.starts_with("50") {
                find_model("resnext50_32x4d").map_or(Named::Other, Named::Model)
            } else {
                Named::Other
            };
            push(named, t.span.clone());
        } else if l == "wide_resnet50_2" || l == "wrn-50-2" {
            push(model("wide_resnet50_2"), t.span.clone());
        } else if let Some(rest) = l.strip_prefix("resnet") {
            let rest = rest.trim_start_matches(['-', '_']);
            // "ResNet 50": the depth as the next token.
            let (depth_text, extra) = if rest.is_empty() {
                match toks.get(i + 1) {
                    Some(n) if n.text.chars().all(|c| c.is_ascii_digit()) && !n.text.is_empty() => {
                        (n.text, 1)
                    }
                    _ => ("", 0),
                }
            } else {
                (rest, 0)
            };
            let end = toks[i + extra].span.end;
            if prev == "wide" && depth_text == "50-2" {
                push(model("wide_resnet50_2"), toks[i - 1].span.start..end);
            } else if depth_text.is_empty() {
                push(Named::Other, t.span.clone());
            } else {
                push(resnet(depth_text), t.span.start..end);
            }
            i += extra;
            // "ResNet-50/101/152".
            while toks.get(i + 1).is_some_and(|s| s.text == "/")
                && toks
                    .get(i + 2)
                    .is_some_and(|n| n.text.chars().all(|c| c.is_ascii_digit()))
            {
                let n = &toks[i + 2];
                out.push(Mention {
                    named: resnet(n.text),
                    span: n.span.clone(),
                });
                i += 2;
            }
        } else if l == "vgg" {
            match toks.get(i + 1) {
                Some(n) if n.text == "16" => {
                    push(model("vgg16"), t.span.start..n.span.end);
                    i += 1;
                }
                Some(n) if n.text.chars().all(|c| c.is_ascii_digit()) && !n.text.is_empty() => {
                    push(Named::Other, t.span.start..n.span.end);
                    i += 1;
                }
                _ => push(Named::AnyVgg, t.span.clone()),
            }
        } else if let Some(rest) = l.strip_prefix("vgg") {
            let d = rest.trim_start_matches(['-', '_']);
            let named = if d == "16" {
                model("vgg16")
            } else {
                Named::Other
            };
            push(named, t.span.clone());
        } else if let Some(rest) = l
            .strip_prefix("plain-")
            .or_else(|| l.strip_prefix("plain_"))
        {
            let named = find_model(&format!("plain{rest}")).map_or(Named::Other, Named::Model);
            push(named, t.span.clone());
        } else if OTHER_ARCHITECTURES
            .iter()
            .any(|a| l == *a || (l.starts_with(a) && l.len() > a.len() && !a.ends_with("net")))
            || OTHER_ARCHITECTURES
                .iter()
                .filter(|a| a.ends_with("net"))
                .any(|a| l.starts_with(a))
        {
            push(Named::Other, t.span.clone());
        }
        i += 1;
    }
    out
}

fn model(name: &str) -> Named {
    find_model(name).map_or(Named::Other, Named::Model)
}

fn resnet(depth: &str) -> Named {
    if !depth.chars().all(|c| c.is_ascii_digit()) {
        return Named::Other;
    }
    let name = format!("resnet{depth}");
    match find_model(&name) {
        Some(m) if m.name == name => Named::Model(m),
        _ => Named::Other,
    }
}

fn matching_paren(toks: &[Tok], open: usize) -> Option<usize> {
    let mut depth = 0;
    for (j, t) in toks.iter().enumerate().skip(open) {
        match t.text {
            "(" => depth += 1,
            ")" => {
                depth -= 1;
                if depth == 0 {
                    return Some(j);
                }
            }
            _ => {}
        }
        if j - open > 40 {
            return None;
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Figures in a sentence

#[derive(Debug, Clone)]
enum Figure {
    Params(Written),
    Count(Written, Counted),
    FcShape(i64, i64, Written),
}

fn block_kind(s: &str) -> Option<BlockKind> {
    if s.contains("bottleneck") {
        Some(BlockKind::Bottleneck)
    } else if s.contains("basic") {
        Some(BlockKind::Basic)
    } else {
        None
    }
}

/// Figures in a token list: (figure, first token, one past the last token, byte span).
fn figures(text: &str, toks: &[Tok]) -> Vec<(Figure, usize, usize, Range<usize>)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        // FC shapes: "25,088-to-4,096", "25,088 → 4,096", "25088 x 4096" before FC/linear.
        if let Some((a, b, last)) = fc_pair(toks, i) {
            let noun = toks[last + 1..toks.len().min(last + 4)].iter().any(|t| {
                matches!(
                    lower(t).as_str(),
                    "fc" | "fully" | "fully-connected" | "linear" | "dense"
                )
            });
            let new_head = i
                .checked_sub(1)
                .map(|j| lower(&toks[j]))
                .is_some_and(|w| matches!(w.as_str(), "new" | "replacement" | "custom" | "your"));
            if noun && !new_head {
                let w = Written {
                    value: a as f64,
                    unit: 1.0,
                    step: 1.0,
                    bound: Bound::Rounded,
                    text: text[toks[i].span.start..toks[last].span.end].to_string(),
                };
                out.push((
                    Figure::FcShape(a, b, w),
                    i,
                    last + 1,
                    toks[i].span.start..toks[last].span.end,
                ));
                i = last + 1;
                continue;
            }
        }
        let t = &toks[i];
        let word_number = NUMBER_WORDS
            .iter()
            .find(|(w, _)| t.low == *w)
            .map(|(_, n)| *n);
        let parsed = if let Some(n) = word_number {
            Some((
                Written {
                    value: n as f64,
                    unit: 1.0,
                    step: 1.0,
                    bound: Bound::Rounded,
                    text: t.text.to_string(),
                },
                t.span.end,
            ))
        } else {
            written(text, toks, i)
        };
        let Some((w, num_end)) = parsed else {
            i += 1;
            continue;
        };
        // Skip the unit token(s) and "+", then look at the nouns.
        let mut k = i + 1;
        while k < toks.len() && toks[k].span.start < num_end {
            k += 1;
        }
        if toks.get(k).is_some_and(|t| t.text == "+") {
            k += 1;
        }
        let words: Vec<String> = toks[k..toks.len().min(k + 4)].iter().map(lower).collect();
        let w0 = words.first().map(String::as_str).unwrap_or("");
        let w1 = words.get(1).map(String::as_str).unwrap_or("");
        let w2 = words.get(2).map(String::as_str).unwrap_or("");
        let is_param = |w: &str| matches!(w, "parameters" | "params" | "parameter" | "weights");
        let adjective = |w: &str| {
            matches!(
                w,
                "trainable" | "learnable" | "learned" | "total" | "free" | "weight" | "model"
            )
        };
        let (noun_at, fig) = if is_param(w0) {
            (k, Some(Figure::Params(w.clone())))
        } else if adjective(w0) && is_param(w1) {
            (k + 1, Some(Figure::Params(w.clone())))
        } else if w.unit == 1.0 && w.value.fract() == 0.0 {
            count_noun(w0, w1, w2).map_or((k, None), |(n, c)| {
                (k + n, Some(Figure::Count(w.clone(), c)))
            })
        } else {
            (k, None)
        };
        match fig {
            Some(f) => {
                let start = w_start(text, &w, toks[i].span.start);
                let end = toks[noun_at].span.end;
                out.push((f, i, noun_at + 1, start..end));
                i = noun_at + 1;
            }
            None => i += 1,
        }
    }
    listed(text, toks, &mut out);
    out
}

/// "25.6M and 44.5M parameters", "8, 16 and 33 blocks": the numbers listed before a figure
/// count the same thing.
fn listed(text: &str, toks: &[Tok], out: &mut Vec<(Figure, usize, usize, Range<usize>)>) {
    let mut extra = Vec::new();
    for (fig, start, _, _) in out.iter() {
        let mut at = *start;
        // Walk back over "and" / "," / "or" to the previous number (and unit); "124M of its
        // 138M parameters" counts a part of the same thing.
        while let Some(mut sep) = at.checked_sub(1) {
            let of_its = sep >= 1
                && matches!(lower(&toks[sep]).as_str(), "its" | "their" | "the")
                && lower(&toks[sep - 1]) == "of";
            if of_its {
                sep -= 1;
            } else if !matches!(lower(&toks[sep]).as_str(), "and" | "," | "or" | "vs") {
                break;
            }
            let Some(p) = sep.checked_sub(1) else { break };
            let is_unit = matches!(
                toks[p].text,
                "M" | "million" | "K" | "k" | "thousand" | "B" | "billion"
            );
            let n = if is_unit {
                match p.checked_sub(1) {
                    Some(n) => n,
                    None => break,
                }
            } else {
                p
            };
            let Some((mut w, end)) = written(text, toks, n) else {
                break;
            };
            let template = match fig {
                Figure::Params(t) | Figure::Count(t, _) => t,
                Figure::FcShape(..) => break,
            };
            if w.unit == 1.0 && template.unit != 1.0 {
                w.step *= template.unit;
                w.unit = template.unit;
            }
            let f = match fig {
                Figure::Params(_) => Figure::Params(w),
                Figure::Count(_, c) => {
                    if w.unit != 1.0 || w.value.fract() != 0.0 {
                        break;
                    }
                    Figure::Count(w, c.clone())
                }
                Figure::FcShape(..) => break,
            };
            extra.push((f, n, n + 1, toks[n].span.start..end));
            at = n;
        }
    }
    out.extend(extra);
    out.sort_by_key(|f| f.1);
}

fn w_start(text: &str, w: &Written, num_start: usize) -> usize {
    // The qualifier ("about 60M") is part of the figure as written.
    let q = w.text.len();
    let end_guess = num_start;
    text[..end_guess]
        .rfind(w.text.split_whitespace().next().unwrap_or(""))
        .filter(|&s| num_start - s < q + 2)
        .unwrap_or(num_start)
}

/// "basic blocks", "bottleneck blocks", "layers", "conv layers", "FC layers", "weight layers":
/// the number of tokens to the noun (0-based) and what is counted.
fn count_noun(w0: &str, w1: &str, w2: &str) -> Option<(usize, Counted)> {
    match (w0, w1, w2) {
        ("layers", _, _) => Some((0, Counted::Layers)),
        ("blocks", _, _) => Some((0, Counted::Blocks(None))),
        ("basic" | "bottleneck" | "residual" | "res", "blocks", _) => {
            Some((1, Counted::Blocks(block_kind(w0))))
        }
        ("weight" | "weighted" | "learnable", "layers", _) => Some((1, Counted::Layers)),
        ("conv" | "convolutional" | "convolution", "layers", _) => Some((1, Counted::ConvLayers)),
        ("fc" | "fully-connected" | "linear" | "dense", "layers", _) => {
            Some((1, Counted::FcLayers))
        }
        ("fully", "connected", "layers") => Some((2, Counted::FcLayers)),
        _ => None,
    }
}

/// `a`-to-`b`: one token "25,088-to-4,096", or "25,088" ("to" | "→" | "->" | "x" | "×")
/// "4,096". Returns the sizes and the last token.
fn fc_pair(toks: &[Tok], i: usize) -> Option<(i64, i64, usize)> {
    let int = |s: &str| -> Option<i64> {
        let (v, u, _) = number(s)?;
        (u == 1.0 && v.fract() == 0.0 && v >= 1.0).then_some(v as i64)
    };
    let t = &toks[i].text;
    if let Some((a, b)) = t.split_once("-to-") {
        return Some((int(a)?, int(b)?, i));
    }
    let a = int(t)?;
    let mut k = i + 1;
    let sep = toks.get(k)?.text;
    match sep {
        "to" | "→" | "x" | "×" => k += 1,
        "-" if toks.get(k + 1).is_some_and(|n| n.text == ">") => k += 2,
        _ => return None,
    }
    let b = int(toks.get(k)?.text)?;
    Some((a, b, k))
}

/// Words between a mention and a layer count that keep the count about the model.
const COUNT_LINKS: &[&str] = &[
    "", "(", ":", ",", "'", "s", "'s", "’", "’s", "has", "have", "had", "with", "uses", "use",
    "contains", "is", "stacks", "only", "just", "consists", "of", "built", "from", "—", "-", "=",
    "a", "total", "in", "all", "has only",
];

/// Part nouns: a parameter count after one of these is about a part of the model.
const PART_NOUNS: &[&str] = &[
    "conv",
    "convs",
    "convolution",
    "convolutions",
    "layer",
    "layers",
    "block",
    "blocks",
    "stage",
    "stages",
    "stem",
    "shortcut",
    "shortcuts",
    "filter",
    "filters",
    "kernel",
    "kernels",
    "head",
    "classifier",
    "fc",
    "linear",
    "dense",
    "bn",
    "batchnorm",
    "projection",
    "bottleneck",
    "bottlenecks",
    "downsample",
];

/// Words without which a text names no model or layer that a claim could be about (a cheap
/// test that spares tokenising the prose of a lesson that never names one).
const MENTION_WORDS: &[&str] = &[
    "resnet",
    "resnext",
    "vgg",
    "wrn",
    "plain",
    "conv1d",
    "conv2d",
    "linear",
    "batchnorm",
];

/// `lc` is the ASCII-lower-cased text (same byte offsets as the text).
fn may_mention(lc: &str) -> bool {
    let b = lc.as_bytes();
    (0..b.len()).any(|i| {
        matches!(b[i], b'r' | b'v' | b'w' | b'p' | b'c' | b'l' | b'b')
            && MENTION_WORDS
                .iter()
                .any(|w| b[i..].starts_with(w.as_bytes()))
    })
}

fn in_unit(text: &str, lc: &str, unit: Unit) -> Vec<Claim> {
    if !may_mention(&lc[unit.clone()]) {
        return Vec::new();
    }
    let toks = tokens(text, lc, unit);
    let ms = mentions(text, &toks);
    if ms.is_empty() {
        return Vec::new();
    }
    let mention_tok = |m: &Mention| -> (usize, usize) {
        let a = toks
            .iter()
            .position(|t| t.span.start >= m.span.start)
            .unwrap_or(0);
        let b = toks
            .iter()
            .rposition(|t| t.span.end <= m.span.end)
            .unwrap_or(a);
        (a, b)
    };
    let mut out = Vec::new();
    let figs = figures(text, &toks);
    for (fig, ft, fe, span) in &figs {
        let after: Vec<String> = toks[*fe..toks.len().min(fe + 4)]
            .iter()
            .map(lower)
            .collect();
        let after_ref: Vec<&str> = after.iter().map(String::as_str).collect();
        // "23 layers more than ResNet-18", "14M parameters fewer": a difference, not a count.
        let comparative = matches!(
            after_ref.as_slice(),
            ["more" | "fewer" | "less", ..] | ["than", ..] | ["extra", ..]
        ) || matches!(
            toks.get(ft.wrapping_sub(1)).map(lower).as_deref(),
            Some("extra" | "additional" | "another")
        );
        // "the 5,130 parameters of the new head": a part named after the figure.
        let part_after = matches!(after_ref.first(), Some(&("of" | "in" | "for")))
            && after_ref[1..]
                .iter()
                .any(|w| PART_NOUNS.contains(w) || *w == "new");
        if comparative || part_after {
            continue;
        }
        let is_count = matches!(fig, Figure::Count(..));
        if is_count {
            let after: Vec<String> = toks[*fe..toks.len().min(fe + 2)]
                .iter()
                .map(lower)
                .collect();
            let per_part = after
                .first()
                .is_some_and(|w| matches!(w.as_str(), "per" | "each" | "every"))
                || (after.len() == 2
                    && matches!(after[0].as_str(), "in" | "of")
                    && matches!(after[1].as_str(), "each" | "every"));
            let qualified = ft.checked_sub(1).map(|j| lower(&toks[j])).is_some_and(|w| {
                matches!(
                    w.as_str(),
                    "first" | "last" | "final" | "extra" | "more" | "other" | "top" | "bottom"
                )
            });
            if per_part || qualified {
                continue;
            }
        }
        // The mentions before the figure; the nearest, with any listed right before it.
        let before: Vec<(&Mention, usize, usize)> = ms
            .iter()
            .map(|m| {
                let (a, b) = mention_tok(m);
                (m, a, b)
            })
            .filter(|(_, _, b)| b < ft)
            .collect();
        let Some(&(nearest, _, nb)) = before.last() else {
            // "the 60M parameters of ResNet-152": a mention right after, linked by of/in/for.
            let after = ms
                .iter()
                .map(|m| (m, mention_tok(m)))
                .find(|(_, (a, _))| a >= fe);
            if let Some((m, (a, _))) = after {
                let between: Vec<String> = toks[*fe..a].iter().map(lower).collect();
                let linked = between.len() <= 2
                    && between
                        .first()
                        .is_some_and(|w| matches!(w.as_str(), "of" | "in" | "for"));
                if linked {
                    if let Some(c) = claim(m, fig, span.clone(), &[]) {
                        out.push(c);
                    }
                }
            }
            continue;
        };
        // A group "ResNet-50 and ResNet-101 have 25.6M and 44.5M parameters" binds in order.
        // Other figures between the model and this one ("ResNet-34 (34 layers, 21.8M
        // parameters)") are not parts of the model.
        let between: Vec<String> = (nb + 1..*ft)
            .filter(|k| {
                !figs.iter().any(|(f2, s2, e2, _)| {
                    // "three FC layers hold 124M": a count of a part still names the part.
                    let names_part = matches!(
                        f2,
                        Figure::Count(_, Counted::FcLayers | Counted::ConvLayers)
                    );
                    s2 <= k && k < e2 && !names_part
                })
            })
            .map(|k| lower(&toks[k]))
            .collect();
        let group = group_before(&before, &toks);
        let m = if group.len() > 1 {
            let next_mention = ms
                .iter()
                .map(|m| mention_tok(m).0)
                .find(|&a| a > nb)
                .unwrap_or(usize::MAX);
            let figs_after: Vec<&(Figure, usize, usize, Range<usize>)> = figs
                .iter()
                .filter(|(f2, s2, _, _)| *s2 > nb && *s2 < next_mention && same_kind(f2, fig))
                .collect();
            if figs_after.len() == group.len() {
                let idx = figs_after
                    .iter()
                    .position(|(_, s2, _, _)| s2 == ft)
                    .unwrap_or(0);
                group[idx]
            } else {
                continue; // ambiguous: which of the models?
            }
        } else {
            nearest
        };
        if is_count {
            let linked =
                between.iter().all(|w| COUNT_LINKS.contains(&w.as_str())) && between.len() <= 4;
            if !linked {
                continue;
            }
        }
        // "of its 138M parameters": the whole model, whatever part was named before.
        let whole = ft
            .checked_sub(1)
            .map(|j| lower(&toks[j]))
            .is_some_and(|w| matches!(w.as_str(), "its" | "their"));
        let between = if whole { Vec::new() } else { between };
        if let Some(mut c) = claim(m, fig, span.clone(), &between) {
            // Counts bind only right after their model; a parameter count may bind loosely.
            if matches!(fig, Figure::Params(_)) {
                c.alternatives = before
                    .iter()
                    .map(|(x, _, _)| (*x).clone())
                    .filter(|x| x != m && matches!(x.named, Named::Model(_)))
                    .collect();
            }
            out.push(c);
        }
    }
    out
}

fn same_kind(a: &Figure, b: &Figure) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

/// The mentions listed together right before the figure ("ResNet-50 and ResNet-101").
fn group_before<'a>(before: &[(&'a Mention, usize, usize)], toks: &[Tok]) -> Vec<&'a Mention> {
    let mut group = Vec::new();
    let Some(&(last, mut start, _)) = before.last() else {
        return group;
    };
    group.push(last);
    for &(m, a, b) in before.iter().rev().skip(1) {
        let gap: Vec<String> = toks[b + 1..start].iter().map(lower).collect();
        let joined = gap
            .iter()
            .all(|w| matches!(w.as_str(), "," | "and" | "or" | "/" | "vs" | "&"));
        if !joined {
            break;
        }
        group.push(m);
        start = a;
    }
    group.reverse();
    group
}

fn claim(m: &Mention, fig: &Figure, span: Range<usize>, between: &[String]) -> Option<Claim> {
    if matches!(m.named, Named::Other) {
        return None;
    }
    let part = between
        .iter()
        .position(|w| PART_NOUNS.contains(&w.as_str()));
    let fc_words = |ws: &[String]| {
        ws.iter().any(|w| {
            matches!(
                w.as_str(),
                "fc" | "linear" | "dense" | "classifier" | "head"
            )
        }) || ws
            .windows(2)
            .any(|p| p[0] == "fully" && p[1] == "connected")
    };
    let (counted, figure) = match fig {
        Figure::Params(w) => {
            let counted = match (&m.named, part) {
                (Named::Layer(_), None) => Counted::Parameters,
                (Named::Layer(_), Some(_)) => return None,
                (_, None) => Counted::Parameters,
                (_, Some(_)) if fc_words(between) => {
                    let which = if between.iter().any(|w| w == "first") {
                        Which::First
                    } else if between
                        .iter()
                        .any(|w| matches!(w.as_str(), "last" | "final" | "output" | "head"))
                    {
                        Which::Last
                    } else if between
                        .iter()
                        .any(|w| matches!(w.as_str(), "layers" | "fcs"))
                    {
                        Which::All
                    } else if matches!(m.named, Named::Model(s) if s.family == super::Family::Vgg)
                        || matches!(m.named, Named::AnyVgg)
                    {
                        // "VGG's FC layer" without saying which: not checked.
                        return None;
                    } else {
                        Which::Last
                    };
                    Counted::FcParameters(which)
                }
                _ => return None,
            };
            (counted, w.clone())
        }
        Figure::Count(w, c) => {
            if matches!(m.named, Named::Layer(_)) {
                return None;
            }
            (c.clone(), w.clone())
        }
        Figure::FcShape(a, b, w) => {
            if matches!(m.named, Named::Layer(_)) {
                return None;
            }
            (
                Counted::FcShape {
                    inputs: *a,
                    outputs: *b,
                },
                w.clone(),
            )
        }
    };
    // A model-wide figure for "VGG" without a depth is not checked.
    if matches!(m.named, Named::AnyVgg)
        && !matches!(
            counted,
            Counted::FcParameters(_) | Counted::FcLayers | Counted::FcShape { .. }
        )
    {
        return None;
    }
    Some(Claim {
        mention: m.clone(),
        counted,
        figure,
        span,
        alternatives: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(text: &str) -> Vec<(String, Counted, String)> {
        find(text)
            .into_iter()
            .map(|c| {
                let who = match &c.mention.named {
                    Named::Model(m) => m.name.to_string(),
                    Named::AnyVgg => "vgg".into(),
                    Named::Layer(l) => l.clone(),
                    Named::Other => "other".into(),
                };
                (who, c.counted, text[c.span].to_string())
            })
            .collect()
    }

    #[test]
    fn written_precision() {
        let w = |s: &str| number(s).unwrap();
        assert_eq!(w("60M"), (60.0, 1e6, 10.0));
        assert_eq!(w("25.6M"), (25.6, 1e6, 0.1));
        assert_eq!(w("25,557,032"), (25_557_032.0, 1.0, 1.0));
        assert_eq!(w("1,792"), (1792.0, 1.0, 1.0));
        assert!(number("3,4,6,3").is_none());
        assert!(number("M").is_none());
    }

    #[test]
    fn rounding_tolerance() {
        let f = |s: &str| {
            let lc = s.to_ascii_lowercase();
            let toks = tokens(s, &lc, 0..s.len());
            let i = toks.iter().position(|t| number(t.text).is_some()).unwrap();
            written(s, &toks, i).unwrap().0
        };
        assert!(f("60M").accepts(60_192_808));
        assert!(f("60.2M").accepts(60_192_808));
        assert!(!f("61M").accepts(60_192_808));
        assert!(!f("50M").accepts(60_192_808));
        assert!(f("25M").accepts(25_557_032)); // truncated
        assert!(f("26M").accepts(25_557_032)); // rounded
        assert!(f("25.6M").accepts(25_557_032));
        assert!(!f("25.4M").accepts(25_557_032));
        assert!(f("0.27M").accepts(269_722));
        assert!(f("100M+").accepts(123_642_856));
        assert!(!f("over 130M").accepts(123_642_856));
        assert!(f("~11M").accepts(11_689_512));
        assert!(f("138,357,544").accepts(138_357_544));
        assert!(!f("138,357,545").accepts(138_357_544));
        assert!(f("11.7 million").accepts(11_689_512));
    }

    #[test]
    fn prose_claims_bind_to_the_model_before_them() {
        let got =
            claims("ResNet-152, the deepest, has 60M parameters. AlexNet has 60M parameters.");
        assert_eq!(
            got,
            vec![(
                "resnet152".into(),
                Counted::Parameters,
                "60M parameters".into()
            )]
        );
    }

    #[test]
    fn seed_figures() {
        let got = claims("Brief overview. ResNet-18 (8 basic blocks), ResNet-34 (16 basic blocks), ResNet-50/101/152 (bottleneck blocks with 1x1-3x3-1x1).");
        assert_eq!(
            got,
            vec![
                (
                    "resnet18".into(),
                    Counted::Blocks(Some(BlockKind::Basic)),
                    "8 basic blocks".into()
                ),
                (
                    "resnet34".into(),
                    Counted::Blocks(Some(BlockKind::Basic)),
                    "16 basic blocks".into()
                ),
            ]
        );
        let got = claims("Instead of flattening 7x7x512 to a huge FC layer (like VGG's 25,088-to-4,096 FC), average.");
        assert_eq!(
            got,
            vec![(
                "vgg".into(),
                Counted::FcShape {
                    inputs: 25_088,
                    outputs: 4_096
                },
                "25,088-to-4,096".into()
            )]
        );
        let got = claims(
            "VGG ends with 7x7x512 flattened to 25,088, then FC layers with 100M+ parameters.",
        );
        assert_eq!(
            got,
            vec![(
                "vgg".into(),
                Counted::FcParameters(Which::All),
                "100M+ parameters".into()
            )]
        );
    }

    #[test]
    fn parts_and_per_block_counts_are_not_model_claims() {
        assert!(claims("ResNet-50's first conv has 9,408 parameters.").is_empty());
        assert!(claims("In ResNet-18, each block has 2 layers.").is_empty());
        assert!(claims("ResNet-34 has 2 layers per block.").is_empty());
        assert!(claims("Fine-tune the last 3 layers of ResNet-50.").is_empty());
    }

    #[test]
    fn comparisons_fit_either_model() {
        let c = find("ResNet-152 has far fewer parameters than VGG-16 (60M vs 138M parameters).");
        assert_eq!(c.len(), 2);
        assert!(c.iter().all(|c| check(c).unwrap().is_none()), "{c:?}");
        let c = find("ResNet-152, deeper than VGG-16, has 50M parameters.");
        assert!(check(&c[0]).unwrap().is_some());
        let c = find("ResNet-152 has 50M parameters, unlike VGG-16.");
        assert!(check(&c[0]).unwrap().is_some());
    }

    #[test]
    fn differences_and_parts_named_after_the_figure() {
        assert!(claims("ResNet-50 has 23 layers more than ResNet-18.").is_empty());
        assert!(
            claims("We freeze ResNet-18 and train the 5,130 parameters of the new head.")
                .is_empty()
        );
        let got = claims("ResNet-34 (34 layers, 21.8M parameters) is deeper.");
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].1, Counted::Parameters);
    }

    #[test]
    fn a_part_of_the_whole() {
        let got = claims("VGG-16's three FC layers hold about 124M of its 138M parameters.");
        let kinds: Vec<Counted> = got.into_iter().map(|c| c.1).collect();
        assert_eq!(
            kinds,
            vec![
                Counted::FcLayers,
                Counted::FcParameters(Which::All),
                Counted::Parameters
            ]
        );
    }

    #[test]
    fn groups_bind_in_order_and_ambiguity_is_silent() {
        let got = claims("ResNet-50 and ResNet-101 have 25.6M and 44.5M parameters respectively.");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0, "resnet50");
        assert_eq!(got[1].0, "resnet101");
        assert!(claims("ResNet-50 and ResNet-101 have about 30M parameters.").is_empty());
    }

    #[test]
    fn tables_with_figure_columns() {
        let t = "| Model | Layers | Params (M) | Top-5 |\n|---|---|---|---|\n| ResNet-18 | 18 | 11.7 | 89.1% |\n| ResNet-152 | 152 | 60.2 | 93.3% |\n";
        let got = claims(t);
        assert_eq!(
            got,
            vec![
                ("resnet18".into(), Counted::Layers, "18".into()),
                ("resnet18".into(), Counted::Parameters, "11.7".into()),
                ("resnet152".into(), Counted::Layers, "152".into()),
                ("resnet152".into(), Counted::Parameters, "60.2".into()),
            ]
        );
        let c = find(t);
        assert!(c[1].figure.accepts(11_689_512));
    }

    #[test]
    fn layer_expressions() {
        let got = claims("`Conv2d(3, 64, 3)` has 64 × 27 + 64 = 1,792 parameters.");
        assert_eq!(
            got,
            vec![(
                "Conv2d(3, 64, 3)".into(),
                Counted::Parameters,
                "1,792 parameters".into()
            )]
        );
    }

    #[test]
    fn code_fences_are_not_prose() {
        assert!(claims("```python\n# ResNet-50 has 99M parameters\n```\n").is_empty());
    }
}

// ---------------------------------------------------------------------------------------------
// Checking

/// A figure that disagrees with the reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// Whether the figure counts parameters (else layers, blocks or a layer's shape).
    pub parameters: bool,
    pub message: String,
    /// Label at the figure.
    pub label: String,
    pub help: String,
}

/// `60.2M`, `0.27M`, `9,408`.
pub fn short(n: i64) -> String {
    let f = n as f64;
    if n >= 1_000_000 {
        format!("{:.1}M", f / 1e6)
    } else if n >= 100_000 {
        format!("{:.2}M", f / 1e6)
    } else {
        super::thousands(n)
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Checks a claim against the reference. `Ok(None)` when it agrees (or cannot be checked:
/// a layer expression that does not evaluate).
pub fn check(c: &Claim) -> Result<Option<Mismatch>, &'static super::ReferenceError> {
    let m = check_one(c)?;
    if m.is_some() {
        for alt in &c.alternatives {
            let other = Claim {
                mention: alt.clone(),
                alternatives: Vec::new(),
                ..c.clone()
            };
            if matches!(check_one(&other), Ok(None)) {
                return Ok(None);
            }
        }
    }
    Ok(m)
}

fn check_one(c: &Claim) -> Result<Option<Mismatch>, &'static super::ReferenceError> {
    let spec = match &c.mention.named {
        Named::Model(m) => *m,
        Named::AnyVgg => match find_model("vgg16") {
            Some(m) => m,
            None => return Ok(None),
        },
        Named::Layer(expr) => return Ok(check_layer(expr, c)),
        Named::Other => return Ok(None),
    };
    let fig = super::figures::of(spec)?;
    let s = &fig.structure;
    let who = match &c.mention.named {
        Named::AnyVgg => "VGG-16".to_string(),
        _ => spec.title.to_string(),
    };
    let said = c.figure.text.trim().to_string();
    let cmd = format!("`lessonlint reference {}`", spec.name);
    let see = format!("{cmd} shows the model stage by stage");
    let m = match &c.counted {
        Counted::Parameters => {
            let a = fig.parameters;
            (!c.figure.accepts(a)).then(|| Mismatch {
                parameters: true,
                message: format!(
                    "the text gives {who} {said} parameters; the reference {who} has {} ({})",
                    super::thousands(a),
                    short(a)
                ),
                label: format!("{who} has {} parameters", short(a)),
                help: format!(
                    "write {} or {}; {cmd} prints the count per stage",
                    short(a),
                    super::thousands(a)
                ),
            })
        }
        Counted::FcParameters(which) => {
            let (a, what) = match which {
                Which::All => (s.linear_parameters(), "FC layers have"),
                Which::First => (
                    s.linears.first().map_or(0, |l| l.parameters),
                    "first FC layer has",
                ),
                Which::Last => (
                    s.linears.last().map_or(0, |l| l.parameters),
                    "last FC layer has",
                ),
            };
            (!c.figure.accepts(a)).then(|| Mismatch {
                parameters: true,
                message: format!(
                    "the text gives {who}'s {} {said} parameters; they have {} ({})",
                    what.trim_end_matches(" has").trim_end_matches(" have"),
                    super::thousands(a),
                    short(a)
                ),
                label: format!("{who}'s {what} {} parameters", short(a)),
                help: format!("write {}; {cmd} shows each layer", short(a)),
            })
        }
        Counted::Layers => {
            let a = s.depth() as i64;
            (!c.figure.accepts(a)).then(|| Mismatch {
                parameters: false,
                message: format!(
                    "the text gives {who} {said} layers; it has {a} weighted layers ({} and {})",
                    plural(s.convs, "convolution", "convolutions"),
                    plural(s.linears.len(), "FC layer", "FC layers"),
                ),
                label: format!("{who} has {a} layers"),
                help: format!("the depth in a model's name counts its convolutions and FC layers on the main path; {cmd}"),
            })
        }
        Counted::ConvLayers => {
            let main = s.convs as i64;
            let all = (s.convs + s.shortcut_convs) as i64;
            (!c.figure.accepts(main) && !c.figure.accepts(all)).then(|| Mismatch {
                parameters: false,
                message: if s.shortcut_convs > 0 {
                    format!("the text gives {who} {said} convolutional layers; it has {main} on the main path and {} in projection shortcuts", s.shortcut_convs)
                } else {
                    format!("the text gives {who} {said} convolutional layers; it has {main}")
                },
                label: format!("{who} has {main} convolutional layers"),
                help: see.clone(),
            })
        }
        Counted::FcLayers => {
            let a = s.linears.len() as i64;
            (!c.figure.accepts(a)).then(|| Mismatch {
                parameters: false,
                message: format!("the text gives {who} {said} FC layers; it has {a}"),
                label: format!("{who} has {}", plural(a as usize, "FC layer", "FC layers")),
                help: see.clone(),
            })
        }
        Counted::Blocks(kind) => {
            let count = |k: BlockKind| -> usize {
                s.blocks
                    .iter()
                    .filter(|(n, _)| match k {
                        BlockKind::Basic => n.contains("Basic") || n == "PlainBlock",
                        BlockKind::Bottleneck => n == "Bottleneck",
                    })
                    .map(|(_, n)| n)
                    .sum()
            };
            let total = s.block_count();
            let (a, noun) = match kind {
                Some(k) => (
                    count(*k),
                    match k {
                        BlockKind::Basic => "basic blocks",
                        BlockKind::Bottleneck => "bottleneck blocks",
                    },
                ),
                None => (total, "blocks"),
            };
            let built = s
                .blocks
                .iter()
                .map(|(n, k)| {
                    let n = match n.as_str() {
                        "Bottleneck" => "bottleneck blocks",
                        "PlainBlock" => "plain blocks",
                        _ => "basic blocks",
                    };
                    format!("{k} {n}")
                })
                .collect::<Vec<_>>()
                .join(" and ");
            (!c.figure.accepts(a as i64)).then(|| Mismatch {
                parameters: false,
                message: if a == 0 {
                    format!(
                        "the text gives {who} {said} {noun}; it has none: it is built from {built}"
                    )
                } else {
                    format!("the text gives {who} {said} {noun}; it has {a}")
                },
                label: format!("{who} has {built}"),
                help: see.clone(),
            })
        }
        Counted::FcShape { inputs, outputs } => {
            let has = s
                .linears
                .iter()
                .any(|l| l.in_features == *inputs && l.out_features == *outputs);
            let list = s
                .linears
                .iter()
                .map(|l| {
                    format!(
                        "{}→{}",
                        super::thousands(l.in_features),
                        super::thousands(l.out_features)
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            (!has).then(|| Mismatch {
                parameters: false,
                message: format!(
                    "{who} has no {}-to-{} FC layer; its FC layers are {list}",
                    super::thousands(*inputs),
                    super::thousands(*outputs)
                ),
                label: format!("{who}'s FC layers: {list}"),
                help: see.clone(),
            })
        }
    };
    Ok(m)
}

fn check_layer(expr: &str, c: &Claim) -> Option<Mismatch> {
    if c.counted != Counted::Parameters {
        return None;
    }
    let a = layer_parameters(expr)?;
    (!c.figure.accepts(a)).then(|| Mismatch {
        parameters: true,
        message: format!(
            "the text gives `{expr}` {} parameters; it has {}",
            c.figure.text.trim(),
            super::thousands(a)
        ),
        label: format!("`{expr}` has {} parameters", super::thousands(a)),
        help: "weights are out·in·k·k (over groups), plus out biases unless bias=False".into(),
    })
}

/// Parameters of a layer written as code, evaluated once per process.
fn layer_parameters(expr: &str) -> Option<i64> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<String, Option<i64>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(v) = cache.lock().ok()?.get(expr) {
        return *v;
    }
    let code = if expr.starts_with("nn.") {
        expr.to_string()
    } else {
        format!("nn.{expr}")
    };
    let v = super::with_reference(move |r| {
        let m = r.eval(&code)?;
        Ok(r.parameters(&m))
    })
    .ok()
    .flatten();
    cache.lock().ok()?.insert(expr.to_string(), v);
    v
}
