//! The lesson plan parser: one walk over comrak's block tree, tracking the current H2/H3.

use super::source::Src;
use super::table::{build_table, cell_at, Col, Columns};
use super::text::{
    collapse, ends_with_ci, find_date, first_number, is_slug_like, item_own_text,
    last_parenthetical, module_number, normalize_newlines, plain, plain_into, starts_with_ci,
    strip_sep, strip_sep_end, Plain,
};
use crate::model::*;
use comrak::nodes::{AstNode, ListType, NodeValue, Sourcepos};

/// Containers nested deeper than this are not walked (pathological input only).
const MAX_DEPTH: usize = 64;

/// The H2 section the walk is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    /// Before the first H2.
    Preamble,
    /// `## Phase N…`.
    Phase(u32),
    Checklists,
    Review,
    /// Known H2s that follow the plan (What Was Actually Built, Improvement Summary, …).
    Post,
    /// Any other H2.
    Unknown,
}

/// H2s that follow the plan and whose tables are not plan tables.
const POST_H2: &[&str] = &[
    "what was actually built",
    "improvement summary",
    "widget assessment",
    "widget specification",
    "depth changes",
    "gate check",
    "fixes applied",
    "revision",
    "fix pass",
];

fn classify_h2(text: &str) -> Section {
    let low = text.trim().to_lowercase();
    if let Some(rest) = low.strip_prefix("phase") {
        return Section::Phase(first_number(rest).unwrap_or(0));
    }
    if low.contains("checklist") {
        return Section::Checklists;
    }
    if low.starts_with("review") && !low.starts_with("review notes") {
        return Section::Review;
    }
    if POST_H2.iter().any(|p| low.starts_with(p)) {
        return Section::Post;
    }
    Section::Unknown
}

/// Sub-section of a review (its H3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RevSub {
    None,
    Summary,
    Verdict,
    FixVerification,
    Other,
}

struct OpenFinding {
    f: ReviewFinding,
    level: u8,
}

struct ReviewState {
    r: Review,
    sub: RevSub,
    finding: Option<OpenFinding>,
    pending_verified: bool,
    pending_verdict: bool,
    /// The Summary heading was seen and its first block (the counts) not yet.
    summary_open: bool,
}

struct CogState {
    c: CognitiveLoad,
    awaiting_concepts: bool,
    answer: Option<Cell>,
    bullets: Vec<String>,
    text: Plain,
}

/// Parse a title heading's text into (title, slug) per the five title forms.
pub(crate) fn parse_title(t: &str) -> (String, Option<String>) {
    let t = t.trim();
    if starts_with_ci(t, "lesson planning:") {
        let s = t["lesson planning:".len()..].trim().to_string();
        let slug = is_slug_like(&s).then(|| s.clone());
        return (s, slug);
    }
    if starts_with_ci(t, "lesson plan:") {
        return (t["lesson plan:".len()..].trim().to_string(), None);
    }
    if starts_with_ci(t, "lesson:") {
        return (t["lesson:".len()..].trim().to_string(), None);
    }
    const SUFFIX: &str = "lesson planning document";
    const SUFFIX2: &str = "planning document";
    if ends_with_ci(t, SUFFIX) && !starts_with_ci(t, "lesson ") {
        // `# slug -- Lesson Planning Document`
        let head = strip_sep_end(&t[..t.len() - SUFFIX.len()]).to_string();
        let slug = is_slug_like(&head).then(|| head.clone());
        return (head, slug);
    }
    if starts_with_ci(t, "lesson ") {
        // `# Lesson N: T (slug) -- Planning Document`
        let rest = &t["lesson ".len()..];
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits > 0 {
            if let Some(after) = rest[digits..].trim_start().strip_prefix(':') {
                let mut body = after.trim();
                if ends_with_ci(body, SUFFIX2) {
                    body = strip_sep_end(&body[..body.len() - SUFFIX2.len()]);
                    if ends_with_ci(body, "lesson") {
                        body = strip_sep_end(&body[..body.len() - "lesson".len()]);
                    }
                }
                if body.ends_with(')') {
                    if let Some(p) = last_parenthetical(body) {
                        if is_slug_like(&p) {
                            if let Some(i) = body.rfind(&format!("({p})")) {
                                let title = strip_sep_end(&body[..i]).to_string();
                                return (title, Some(p));
                            }
                        }
                    }
                }
                return (body.to_string(), None);
            }
        }
    }
    (t.to_string(), None)
}

/// Parse a finding heading (`[TAG] — Title`, `**[TAG]** — Title`, `TAG — Title`, `--` for `—`).
/// Returns the lower-cased tag and the title.
pub(crate) fn parse_finding_heading(t: &str) -> Option<(String, String)> {
    let t = t.trim();
    if let Some(rest) = t.strip_prefix('[') {
        let close = rest.find(']')?;
        let tag = rest[..close].trim();
        if tag.is_empty() || !tag.chars().any(|c| c.is_alphabetic()) {
            return None;
        }
        let title = strip_sep(&rest[close + 1..]).to_string();
        return Some((tag.to_lowercase(), title));
    }
    // `TAG — Title`: an upper-case word (or words) before a dash separator.
    let seps = ["—", "–", "--", " - ", ":"];
    let (i, sep) = seps
        .iter()
        .filter_map(|s| t.find(s).map(|i| (i, *s)))
        .min_by_key(|(i, _)| *i)?;
    let tag = t[..i].trim();
    let letters = tag.chars().filter(|c| c.is_alphabetic()).count();
    if letters < 3
        || !tag
            .chars()
            .all(|c| c.is_ascii_uppercase() || c == ' ' || c == '_' || c == '-')
    {
        return None;
    }
    let title = strip_sep(&t[i + sep.len()..]).to_string();
    Some((tag.to_lowercase(), title))
}

/// Parse a review heading (`Review — 2026-02-09 (Post-Depth-Rework, Iteration 1/3 FINAL)`).
pub(crate) fn parse_review_heading(
    t: &str,
) -> (
    Option<String>,
    Option<u32>,
    Option<u32>,
    Option<String>,
    bool,
) {
    let date = find_date(t);
    // ASCII lower-casing keeps byte offsets, so indices into `low` are indices into `t`.
    let low = t.to_ascii_lowercase();
    let mut iteration = None;
    let mut of = None;
    let mut label = None;
    if let Some(i) = low.find("iteration") {
        let after = &t[i + "iteration".len()..];
        let digits: String = after
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .take(9)
            .collect();
        iteration = digits.parse().ok();
        let after_num = after.trim_start()[digits.len()..].trim_start();
        if let Some(r) = after_num.strip_prefix('/') {
            let r = r.trim_start();
            if r.starts_with(|c: char| c.is_ascii_digit()) {
                of = first_number(r);
            }
        } else if let Some(r) = after_num.strip_prefix("of ") {
            of = first_number(r.get(..r.len().min(4)).unwrap_or(""));
        }
        // A label before `Iteration` inside the same parenthesis.
        if let Some(open) = t[..i].rfind('(') {
            let l = t[open + 1..i]
                .trim()
                .trim_end_matches([',', ';', ':'])
                .trim();
            let l = strip_sep_end(l);
            if !l.is_empty() {
                label = Some(l.to_string());
            }
        }
    }
    let final_marker = low
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| w == "final");
    (date, iteration, of, label, final_marker)
}

/// Split a paragraph's inline children into source lines.
pub(crate) fn para_lines<'a>(node: &'a AstNode<'a>) -> Vec<(Vec<&'a AstNode<'a>>, usize)> {
    let start_line = node.data().sourcepos.start.line;
    let mut out: Vec<(Vec<&'a AstNode<'a>>, usize)> = Vec::new();
    let mut cur: Vec<&'a AstNode<'a>> = Vec::new();
    let mut n = 0usize;
    for c in node.children() {
        if matches!(c.data().value, NodeValue::SoftBreak | NodeValue::LineBreak) {
            let line = line_of_first(&cur).unwrap_or(start_line + n);
            out.push((std::mem::take(&mut cur), line));
            n += 1;
        } else {
            cur.push(c);
        }
    }
    if !cur.is_empty() {
        let line = line_of_first(&cur).unwrap_or(start_line + n);
        out.push((cur, line));
    }
    out
}

/// The start of a line's text: a leading bold label whole, else the first few words.
fn head_text<'a>(nodes: &[&'a AstNode<'a>]) -> String {
    let Some(first) = nodes.first() else {
        return String::new();
    };
    let d = first.data();
    match &d.value {
        NodeValue::Text(t) => {
            let mut end = t.len().min(48);
            while !t.is_char_boundary(end) {
                end -= 1;
            }
            t[..end].trim_start().to_string()
        }
        NodeValue::Strong | NodeValue::Emph => {
            drop(d);
            plain(first)
        }
        _ => String::new(),
    }
}

fn line_of_first<'a>(nodes: &[&'a AstNode<'a>]) -> Option<usize> {
    let l = nodes.first()?.data().sourcepos.start.line;
    (l > 0).then_some(l)
}

fn plain_of<'a>(nodes: &[&'a AstNode<'a>]) -> String {
    let mut b = Plain::default();
    for n in nodes {
        plain_into(n, &mut b);
    }
    b.finish()
}

/// A `**Label:** value` line: (label without colon, value).
pub(crate) fn label_value<'a>(nodes: &[&'a AstNode<'a>]) -> Option<(String, String)> {
    let first = nodes.first()?;
    if !matches!(first.data().value, NodeValue::Strong) {
        return None;
    }
    let label = plain_of(&nodes[..1]);
    let rest = plain_of(&nodes[1..]);
    if let Some(l) = label.strip_suffix(':') {
        return Some((l.trim().to_string(), rest));
    }
    if let Some(l) = label.strip_suffix('?') {
        return Some((format!("{}?", l.trim()), rest));
    }
    if let Some(r) = rest.strip_prefix(':') {
        return Some((label, r.trim().to_string()));
    }
    // `**Verdict: PASS**`: the colon inside the bold with the value.
    if let Some((l, v)) = label.split_once(':') {
        let v = format!("{} {}", v.trim(), rest);
        return Some((l.trim().to_string(), collapse(&v)));
    }
    None
}

/// The lesson-plan builder.
pub(crate) struct LessonBuilder<'t> {
    src: Src<'t>,
    l: Lesson,
    in_header: bool,
    section: Section,
    seen_review: bool,
    h2: Option<String>,
    h3: Option<String>,
    last_heading: String,
    review: Option<ReviewState>,
    cog: Option<CogState>,
    title_slug: Option<String>,
    target_pending: bool,
}

impl<'t> LessonBuilder<'t> {
    pub fn new(file: FileId, text: &'t str) -> Self {
        LessonBuilder {
            src: Src::new(text),
            l: Lesson {
                file,
                ..Lesson::default()
            },
            in_header: true,
            section: Section::Preamble,
            seen_review: false,
            h2: None,
            h3: None,
            last_heading: String::new(),
            review: None,
            cog: None,
            title_slug: None,
            target_pending: false,
        }
    }

    fn bspan(&self, sp: Sourcepos) -> Span {
        self.src.trim(self.src.span(sp))
    }

    fn plan_section(&self) -> bool {
        match self.section {
            Section::Preamble | Section::Phase(_) => true,
            Section::Unknown => !self.seen_review,
            _ => false,
        }
    }

    /// Walk one block and its children.
    pub fn block<'a>(&mut self, node: &'a AstNode<'a>, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let sp = node.data().sourcepos;
        let pending_verified = if depth == 0 {
            self.review
                .as_mut()
                .map(|r| std::mem::take(&mut r.pending_verified))
                .unwrap_or(false)
        } else {
            false
        };
        let value_kind = {
            let d = node.data();
            match &d.value {
                NodeValue::Heading(h) => Kind::Heading(h.level),
                NodeValue::Paragraph => Kind::Paragraph,
                NodeValue::Table(_) => Kind::Table,
                NodeValue::CodeBlock(cb) => Kind::Code(cb.fenced),
                NodeValue::HtmlBlock(_) => Kind::Html,
                NodeValue::List(nl) => Kind::List(nl.list_type),
                NodeValue::TaskItem(t) => Kind::Task(t.symbol.is_some()),
                NodeValue::ThematicBreak => Kind::Break,
                _ => Kind::Container,
            }
        };
        match value_kind {
            Kind::Heading(level) => self.heading(node, level),
            Kind::Break => {
                if depth == 0 {
                    self.in_header = false;
                }
            }
            Kind::Paragraph => self.paragraph(node, depth),
            Kind::Table => self.table(node),
            Kind::Code(fenced) => {
                if fenced {
                    self.code_block(node);
                }
            }
            Kind::Html => self.html_block(node),
            Kind::List(lt) => {
                if depth == 0 {
                    self.top_list(node, lt, pending_verified);
                }
                for c in node.children() {
                    self.block(c, depth + 1);
                }
            }
            Kind::Task(checked) => {
                self.task_item(node, checked);
                for c in node.children() {
                    self.block(c, depth + 1);
                }
            }
            Kind::Container => {
                for c in node.children() {
                    self.block(c, depth + 1);
                }
            }
        }
        if depth == 0 && !matches!(value_kind, Kind::Heading(_) | Kind::Break) {
            let span = self.bspan(sp);
            self.extend_open(span, sp.start.line, node, value_kind);
        }
    }

    /// Extend the spans of the open review, finding, summary and cognitive-load block.
    fn extend_open<'a>(&mut self, span: Span, line: usize, node: &'a AstNode<'a>, kind: Kind) {
        let end = span.end;
        if let Some(rs) = self.review.as_mut() {
            rs.r.span.end = rs.r.span.end.max(end);
            if let Some(f) = rs.finding.as_mut() {
                f.f.span.end = f.f.span.end.max(end);
            }
            if rs.sub == RevSub::Summary {
                if let Some(s) = rs.r.summary.as_mut() {
                    if std::mem::take(&mut rs.summary_open) {
                        // The summary points at its counts, not at its heading.
                        s.span = span;
                        s.line = line;
                    }
                    s.span.end = s.span.end.max(end);
                }
            }
        }
        if let Some(cog) = self.cog.as_mut() {
            cog.c.span.end = cog.c.span.end.max(end);
            if !matches!(kind, Kind::Html | Kind::Code(_)) {
                plain_into(node, &mut cog.text);
                cog.text.sep();
            }
        }
    }

    fn heading<'a>(&mut self, node: &'a AstNode<'a>, level: u8) {
        let sp = node.data().sourcepos;
        let text = plain(node);
        let span = self.bspan(sp);
        let line = sp.start.line;
        self.comments_in(node);
        self.l.headings.push(Heading {
            level,
            text: text.clone(),
            span,
            line,
        });
        let mut level = level;
        if level == 1 {
            if self.l.title.is_none() {
                self.title(&text, span, line);
                self.last_heading = text;
                return;
            }
            // A later H1 is a section break like an H2.
            level = 2;
        }
        self.in_header = false;
        self.target_pending = false;
        if level <= 3 {
            self.close_cog();
        }
        if level == 2 {
            self.close_review();
            self.h2 = Some(text.clone());
            self.h3 = None;
            self.section = classify_h2(&text);
            if self.section == Section::Review {
                self.seen_review = true;
                let (date, iteration, of, label, final_marker) = parse_review_heading(&text);
                self.review = Some(ReviewState {
                    r: Review {
                        date,
                        iteration,
                        of,
                        label,
                        final_marker,
                        heading: text.clone(),
                        summary: None,
                        verdict: None,
                        findings: Vec::new(),
                        verified_fixes: Vec::new(),
                        span,
                        line,
                    },
                    sub: RevSub::None,
                    finding: None,
                    pending_verified: false,
                    pending_verdict: false,
                    summary_open: false,
                });
            }
        } else if level == 3 {
            self.h3 = Some(text.clone());
            let low = text.to_lowercase();
            if self.plan_section() {
                if low.contains("cognitive load") {
                    self.cog = Some(CogState {
                        c: CognitiveLoad {
                            span,
                            line,
                            ..CognitiveLoad::default()
                        },
                        awaiting_concepts: false,
                        answer: None,
                        bullets: Vec::new(),
                        text: Plain::default(),
                    });
                }
                if low.contains("target concept") && self.l.target_concept.is_none() {
                    self.target_pending = true;
                }
            }
        }
        if self.review.is_some() && level >= 3 {
            self.review_heading(level, &text, span, line);
        }
        self.last_heading = text;
    }

    fn review_heading(&mut self, level: u8, text: &str, span: Span, line: usize) {
        let Some(rs) = self.review.as_mut() else {
            return;
        };
        if rs.finding.as_ref().is_some_and(|f| level <= f.level) {
            if let Some(f) = rs.finding.take() {
                rs.r.findings.push(f.f);
            }
        }
        rs.pending_verdict = false;
        if level == 3 {
            let low = text.to_lowercase();
            rs.sub = if low.starts_with("summary") {
                RevSub::Summary
            } else if low.starts_with("verdict") {
                RevSub::Verdict
            } else if low.contains("verif") && low.contains("fix") {
                RevSub::FixVerification
            } else {
                RevSub::Other
            };
            match rs.sub {
                RevSub::Summary => {
                    rs.summary_open = rs.r.summary.is_none();
                    rs.r.summary.get_or_insert_with(|| ReviewSummary {
                        span,
                        line,
                        ..ReviewSummary::default()
                    });
                }
                RevSub::Verdict => {
                    let value = text
                        .split_once(':')
                        .map(|(_, v)| v.trim().to_string())
                        .unwrap_or_default();
                    if value.is_empty() {
                        rs.pending_verdict = true;
                    } else if rs.r.verdict.is_none() {
                        let vspan = value_span_colon(&self.src, span.start, span.end);
                        rs.r.verdict = Some(Cell::new(value, vspan, line));
                    }
                    return;
                }
                _ => {}
            }
        }
        if level >= 4 && rs.sub == RevSub::FixVerification {
            rs.r.verified_fixes.push(Cell::new(text, span, line));
            return;
        }
        if let Some((severity, title)) = parse_finding_heading(text) {
            rs.finding = Some(OpenFinding {
                f: ReviewFinding {
                    severity,
                    title,
                    fields: Vec::new(),
                    span,
                    line,
                },
                level,
            });
        }
    }

    fn close_review(&mut self) {
        if let Some(mut rs) = self.review.take() {
            if let Some(f) = rs.finding.take() {
                rs.r.findings.push(f.f);
            }
            self.l.reviews.push(rs.r);
        }
    }

    fn title(&mut self, text: &str, span: Span, line: usize) {
        let (title, slug) = parse_title(text);
        let line_text = self.src.slice(span);
        let tspan = match (!title.is_empty())
            .then(|| line_text.find(title.as_str()))
            .flatten()
        {
            Some(i) => Span::new(span.start + i, span.start + i + title.len()),
            None => {
                let lead = line_text.len() - line_text.trim_start_matches(['#', ' ', '\t']).len();
                Span::new(span.start + lead, span.end)
            }
        };
        self.l.title = Some(Cell::new(title, tspan, line));
        self.title_slug = slug;
    }

    fn paragraph<'a>(&mut self, node: &'a AstNode<'a>, depth: usize) {
        self.comments_in(node);
        let sp = node.data().sourcepos;
        if self.in_header && depth <= 2 {
            self.header_fields(node);
        }
        if self.target_pending && depth == 0 {
            self.target_pending = false;
            let span = self.bspan(sp);
            self.l.target_concept = Some(Cell::new(plain(node), span, sp.start.line));
        }
        if self.cog.is_some() && depth == 0 {
            for (nodes, line) in para_lines(node) {
                if let Some((label, value)) = label_value(&nodes) {
                    let start = self.src.off(nodes[0].data().sourcepos.start);
                    let end = self.src.line_end(line);
                    let vspan = value_span_label(&self.src, start, end);
                    self.cog_entry(&label, value, vspan, line, None);
                }
            }
        }
        if self.review.is_some() {
            self.review_paragraph(node);
        }
    }

    fn review_paragraph<'a>(&mut self, node: &'a AstNode<'a>) {
        let src = &self.src;
        let Some(rs) = self.review.as_mut() else {
            return;
        };
        if let Some(f) = rs.finding.as_mut() {
            collect_labels(node, &mut f.f.fields);
        }
        let lines = para_lines(node);
        for (i, (nodes, line)) in lines.iter().enumerate() {
            // The first inline decides whether the line matters (`**Verdict:**`, `Summary:`,
            // `**Iteration 1 fixes verified:**`); most review prose lines do not.
            let head = head_text(nodes);
            if head.to_lowercase().contains("fixes verified") {
                rs.pending_verified = true;
            }
            let verdict_line = rs.r.verdict.is_none() && starts_with_ci(&head, "verdict");
            let pending = i == 0 && rs.pending_verdict;
            let summary_line = rs.sub == RevSub::Summary || starts_with_ci(&head, "summary");
            if !(verdict_line || pending || summary_line) {
                continue;
            }
            let text = plain_of(nodes);
            let start = nodes
                .first()
                .map(|n| src.off(n.data().sourcepos.start))
                .unwrap_or(0);
            let end = src.line_end(*line);
            if pending {
                rs.pending_verdict = false;
                if rs.r.verdict.is_none() && !text.is_empty() {
                    let vspan = src.trim(Span::new(start, end));
                    let vspan = trim_emphasis(src, vspan);
                    rs.r.verdict = Some(Cell::new(text.clone(), vspan, *line));
                }
            }
            if verdict_line {
                if let Some((_, v)) = text.split_once(':') {
                    let v = v.trim();
                    if !v.is_empty() {
                        let vspan = trim_emphasis(src, value_span_colon(src, start, end));
                        rs.r.verdict = Some(Cell::new(v, vspan, *line));
                    }
                }
            }
            if summary_line {
                let summary = rs.r.summary.get_or_insert_with(|| ReviewSummary {
                    span: Span::new(start, end),
                    line: *line,
                    ..ReviewSummary::default()
                });
                summary.span.end = summary.span.end.max(end);
                parse_counts(&text, summary);
            }
        }
    }

    fn header_fields<'a>(&mut self, node: &'a AstNode<'a>) {
        for (nodes, line) in para_lines(node) {
            let Some((key, value)) = label_value(&nodes) else {
                continue;
            };
            if key.is_empty() || key.len() > 60 {
                continue;
            }
            let start = self.src.off(nodes[0].data().sourcepos.start);
            let end = self.src.line_end(line);
            let vspan = value_span_label(&self.src, start, end);
            let key = key.trim_end_matches('?').to_string();
            if key.eq_ignore_ascii_case("module") && self.l.module_field.is_none() {
                self.l.module = module_number(&value);
                self.l.module_field = Some(Cell::new(value.clone(), vspan, line));
            }
            self.l.header.push(HeaderField {
                key,
                value: Cell::new(value, vspan, line),
                line,
            });
        }
    }

    fn top_list<'a>(&mut self, node: &'a AstNode<'a>, lt: ListType, pending_verified: bool) {
        if pending_verified
            || self
                .review
                .as_ref()
                .is_some_and(|r| r.sub == RevSub::FixVerification)
        {
            let cells: Vec<Cell> = node.children().map(|it| self.item_cell(it)).collect();
            if let Some(rs) = self.review.as_mut() {
                rs.r.verified_fixes.extend(cells);
            }
        }
        if self.cog.is_some() {
            let awaiting = self.cog.as_ref().is_some_and(|c| c.awaiting_concepts);
            if awaiting && lt == ListType::Ordered {
                let cells: Vec<Cell> = node.children().map(|it| self.item_cell(it)).collect();
                if let Some(cog) = self.cog.as_mut() {
                    cog.c.new_concepts.extend(cells);
                    cog.awaiting_concepts = false;
                }
                return;
            }
            for item in node.children() {
                self.cog_item(item);
            }
        }
    }

    fn item_cell<'a>(&self, item: &'a AstNode<'a>) -> Cell {
        let sp = item.data().sourcepos;
        let span = self.bspan(sp);
        Cell::new(item_own_text(item), span, sp.start.line)
    }

    fn cog_item<'a>(&mut self, item: &'a AstNode<'a>) {
        let mut nested = None;
        let mut entry = None;
        for c in item.children() {
            let is_list = matches!(c.data().value, NodeValue::List(_));
            if is_list {
                if nested.is_none() {
                    nested = Some(c);
                }
                continue;
            }
            if entry.is_none() && matches!(c.data().value, NodeValue::Paragraph) {
                let lines = para_lines(c);
                if let Some((nodes, line)) = lines.first() {
                    if let Some((label, _)) = label_value(nodes) {
                        let start = self.src.off(nodes[0].data().sourcepos.start);
                        let end = self.src.off_end(c.data().sourcepos.end);
                        let value = label_value(&c.children().collect::<Vec<_>>())
                            .map(|(_, v)| v)
                            .unwrap_or_default();
                        let vspan = value_span_label(&self.src, start, end);
                        entry = Some((label, value, vspan, *line));
                    }
                }
            }
        }
        // Nested bullets anywhere in the block are mitigations.
        for d in item.descendants().skip(1) {
            let is_bullet_item = matches!(
                d.data().value,
                NodeValue::Item(nl) if nl.list_type == ListType::Bullet
            );
            if is_bullet_item {
                let t = item_own_text(d);
                if let Some(cog) = self.cog.as_mut() {
                    cog.bullets.push(t);
                }
            }
        }
        if let Some((label, value, vspan, line)) = entry {
            self.cog_entry(&label, value, vspan, line, nested);
        }
    }

    fn cog_entry<'a>(
        &mut self,
        label: &str,
        value: String,
        vspan: Span,
        line: usize,
        nested: Option<&'a AstNode<'a>>,
    ) {
        let low = label.to_lowercase();
        let concept_cells: Option<Vec<Cell>> =
            nested.map(|n| n.children().map(|it| self.item_cell(it)).collect());
        let src = &self.src;
        let Some(cog) = self.cog.as_mut() else {
            return;
        };
        let cell = Cell::new(value.clone(), vspan, line);
        if low.contains("new concept") {
            if cog.c.stated.is_none() {
                cog.c.stated = first_number(&value);
                cog.c.stated_line = line;
                let vs = src.slice(vspan);
                cog.c.stated_span = match vs.find(|c: char| c.is_ascii_digit()) {
                    Some(i) => {
                        let n = vs[i..].chars().take_while(|c| c.is_ascii_digit()).count();
                        Span::new(vspan.start + i, vspan.start + i + n)
                    }
                    None => vspan,
                };
            }
            match concept_cells {
                Some(cells) => cog.c.new_concepts.extend(cells),
                None => cog.awaiting_concepts = true,
            }
        } else if low.contains("previous") {
            cog.c.previous.get_or_insert(cell);
        } else if low.contains("this lesson") || low.contains("this load") {
            cog.c.this.get_or_insert(cell);
        } else if low.contains("appropriate") {
            cog.answer.get_or_insert(cell);
        }
    }

    fn close_cog(&mut self) {
        if let Some(mut cog) = self.cog.take() {
            cog.c.text = std::mem::take(&mut cog.text).finish();
            if let Some(mut a) = cog.answer.take() {
                for b in &cog.bullets {
                    if !b.is_empty() {
                        a.text.push(' ');
                        a.text.push_str(b);
                    }
                }
                a.text = collapse(&a.text);
                cog.c.appropriate = Some(a);
            }
            if self.l.cognitive_load.is_none() {
                self.l.cognitive_load = Some(cog.c);
            }
        }
    }

    fn task_item<'a>(&mut self, node: &'a AstNode<'a>, checked: bool) {
        let sp = node.data().sourcepos;
        let text = item_own_text(node);
        let claim = last_parenthetical(&text);
        let section = self
            .h3
            .clone()
            .or_else(|| self.h2.clone())
            .unwrap_or_default();
        let span = self.bspan(sp);
        self.l.checklist.push(ChecklistItem {
            checked,
            text,
            claim,
            section,
            span,
            line: sp.start.line,
        });
    }

    fn code_block<'a>(&mut self, node: &'a AstNode<'a>) {
        let d = node.data();
        let NodeValue::CodeBlock(cb) = &d.value else {
            return;
        };
        let sp = d.sourcepos;
        let span = self.bspan(sp);
        let code_line = sp.start.line + 1;
        let prefix = sp.start.column.saturating_sub(1) + cb.fence_offset;
        let ls = self.src.line_start(code_line);
        let le = self.src.line_end(code_line);
        let line_text = self.src.slice(Span::new(ls, le));
        let ws = line_text.len() - line_text.trim_start_matches([' ', '\t', '>']).len();
        let code_offset = if cb.literal.is_empty() {
            ls.min(self.src.text.len())
        } else {
            ls + ws.min(prefix)
        };
        let skip_comment = node.previous_sibling().is_some_and(
            |p| matches!(&p.data().value, NodeValue::HtmlBlock(h) if is_skip_comment(&h.literal)),
        );
        self.l.code_blocks.push(CodeBlock {
            info: cb.info.trim().to_string(),
            code: normalize_newlines(&cb.literal),
            code_line,
            code_offset,
            skip_comment,
            span,
            line: sp.start.line,
        });
    }

    fn html_block<'a>(&mut self, node: &'a AstNode<'a>) {
        let span = self.src.span(node.data().sourcepos);
        self.comments_in_span(span);
    }

    fn comments_in_span(&mut self, span: Span) {
        let text = self.src.slice(span);
        let mut from = 0;
        while let Some(i) = text[from..].find("<!--") {
            let s = from + i;
            let e = match text[s + 4..].find("-->") {
                Some(j) => s + 4 + j + 3,
                None => text.len(),
            };
            let start = span.start + s;
            let line = self.src.line_of(start);
            self.l.comments.push(Cell::new(
                normalize_newlines(&text[s..e]),
                Span::new(start, span.start + e),
                line,
            ));
            from = e;
        }
    }

    fn comments_in<'a>(&mut self, node: &'a AstNode<'a>) {
        for d in node.descendants() {
            let (is_comment, sp) = {
                let data = d.data();
                (
                    matches!(&data.value, NodeValue::HtmlInline(h) if h.starts_with("<!--")),
                    data.sourcepos,
                )
            };
            if is_comment {
                let span = self.src.span(sp);
                self.comments_in_span(span);
            }
        }
    }

    fn table<'a>(&mut self, node: &'a AstNode<'a>) {
        for row in node.children() {
            self.comments_in(row);
        }
        let heading = self.last_heading.clone();
        let t = build_table(&self.src, node, &heading, &mut self.l.table_shape_issues);
        if self.plan_section() {
            self.typed_table(&t);
        }
        self.l.tables.push(t);
    }

    fn typed_table(&mut self, t: &Table) {
        let h3 = self.h3.as_deref().unwrap_or("").to_lowercase();
        let mut cols = Columns::new(&t.header);
        let has = |c: &Columns, p: &[Col]| c.peek(p).is_some();
        const CONCEPT: &[Col] = &[
            Col::Exact("concept"),
            Col::Prefix("concept"),
            Col::Contains("concept"),
        ];
        let kind = if self.section == Section::Phase(1) {
            if has(&cols, CONCEPT)
                && has(&cols, &[Col::Contains("depth")])
                && !h3.contains("not covered")
            {
                TableKind::Concepts
            } else {
                return;
            }
        } else if has(&cols, &[Col::Prefix("misconception")]) {
            TableKind::Misconceptions
        } else if has(&cols, &[Col::Prefix("modalit")]) {
            TableKind::Modalities
        } else if has(&cols, &[Col::Contains("required")]) && has(&cols, &[Col::Contains("actual")])
        {
            TableKind::Prerequisites
        } else if has(&cols, &[Col::Prefix("gap")]) {
            TableKind::Gaps
        } else if has(&cols, &[Col::Prefix("example")])
            && has(&cols, &[Col::Contains("type"), Col::Contains("kind")])
        {
            TableKind::Examples
        } else if has(&cols, &[Col::Prefix("prior")]) {
            TableKind::Connections
        } else if h3.contains("prerequisite") {
            TableKind::Prerequisites
        } else if h3.contains("gap") {
            TableKind::Gaps
        } else if h3.contains("misconception") {
            TableKind::Misconceptions
        } else if h3.contains("example") {
            TableKind::Examples
        } else if h3.contains("modalit") {
            TableKind::Modalities
        } else if h3.contains("connection") {
            TableKind::Connections
        } else if h3.contains("relevant concept")
            && has(&cols, CONCEPT)
            && has(&cols, &[Col::Contains("depth")])
        {
            TableKind::Concepts
        } else {
            return;
        };
        match kind {
            TableKind::Concepts => {
                let c = cols.take(CONCEPT);
                let d = cols.take(&[Col::Exact("depth"), Col::Contains("depth")]);
                let s = cols.take(&[
                    Col::Prefix("source"),
                    Col::Contains("source"),
                    Col::Contains("from"),
                    Col::Contains("lesson"),
                ]);
                let n = cols.take(&[Col::Prefix("note"), Col::Contains("note")]);
                for r in &t.rows {
                    self.l.concepts.push(ConceptRow {
                        concept: cell_at(r, c),
                        depth: cell_at(r, d),
                        source: cell_at(r, s),
                        notes: cell_at(r, n),
                        span: r.span,
                        line: r.line,
                    });
                }
            }
            TableKind::Prerequisites => {
                let c = cols.take(CONCEPT);
                let req = cols.take(&[Col::Contains("required")]);
                let act = cols.take(&[Col::Contains("actual")]);
                let s = cols.take(&[
                    Col::Exact("source lesson"),
                    Col::Prefix("source"),
                    Col::Contains("source"),
                    Col::Contains("lesson"),
                ]);
                let st = cols.take(&[Col::Exact("status"), Col::Contains("status")]);
                let why = cols.take(&[
                    Col::Contains("reason"),
                    Col::Contains("note"),
                    Col::Contains("why"),
                ]);
                for r in &t.rows {
                    self.l.prerequisites.push(PrereqRow {
                        concept: cell_at(r, c),
                        required: cell_at(r, req),
                        actual: cell_at(r, act),
                        source: cell_at(r, s),
                        status: cell_at(r, st),
                        reasoning: cell_at(r, why),
                        span: r.span,
                        line: r.line,
                    });
                }
            }
            TableKind::Gaps => {
                let g = cols.take(&[
                    Col::Exact("gap"),
                    Col::Prefix("gap"),
                    Col::Contains("concept"),
                ]);
                let s = cols.take(&[Col::Contains("size")]);
                let res = cols.take(&[
                    Col::Contains("resolution"),
                    Col::Contains("plan"),
                    Col::Contains("how"),
                ]);
                for r in &t.rows {
                    self.l.gaps.push(GapRow {
                        gap: cell_at(r, g),
                        size: cell_at(r, s),
                        resolution: cell_at(r, res),
                        span: r.span,
                        line: r.line,
                    });
                }
            }
            TableKind::Misconceptions => {
                let m = cols.take(&[Col::Prefix("misconception"), Col::Contains("misconception")]);
                let why = cols.take(&[
                    Col::Prefix("why they"),
                    Col::Prefix("why"),
                    Col::Contains("think"),
                ]);
                let neg = cols.take(&[
                    Col::Prefix("negative"),
                    Col::Contains("negative"),
                    Col::Contains("disprove"),
                    Col::Contains("counter"),
                ]);
                let wh = cols.take(&[Col::Prefix("where"), Col::Contains("address")]);
                for r in &t.rows {
                    self.l.misconceptions.push(MisconceptionRow {
                        misconception: cell_at(r, m),
                        why: cell_at(r, why),
                        negative_example: cell_at(r, neg),
                        where_to_address: cell_at(r, wh),
                        span: r.span,
                        line: r.line,
                    });
                }
            }
            TableKind::Examples => {
                let e = cols.take(&[Col::Exact("example"), Col::Prefix("example")]);
                let ty = cols.take(&[
                    Col::Exact("type"),
                    Col::Contains("type"),
                    Col::Contains("kind"),
                ]);
                let p = cols.take(&[Col::Contains("purpose")]);
                let why = cols.take(&[Col::Prefix("why"), Col::Contains("why")]);
                for r in &t.rows {
                    let type_text = cell_at(r, ty);
                    let kind = ExampleKind::parse(&type_text.text);
                    self.l.examples.push(ExampleRow {
                        example: cell_at(r, e),
                        type_text,
                        kind,
                        purpose: cell_at(r, p),
                        why: cell_at(r, why),
                        span: r.span,
                        line: r.line,
                    });
                }
            }
            TableKind::Modalities => {
                let m = cols.take(&[Col::Exact("modality"), Col::Prefix("modalit")]);
                let why = cols.take(&[
                    Col::Prefix("why this modality"),
                    Col::Prefix("why"),
                    Col::Contains("why"),
                ]);
                let what = cols.take(&[
                    Col::Prefix("what"),
                    Col::Contains("specific"),
                    Col::Contains("how"),
                ]);
                for r in &t.rows {
                    self.l.modalities.push(ModalityRow {
                        modality: cell_at(r, m),
                        what: cell_at(r, what),
                        why: cell_at(r, why),
                        span: r.span,
                        line: r.line,
                    });
                }
            }
            TableKind::Connections => {
                let p = cols.take(&[
                    Col::Prefix("prior"),
                    Col::Contains("prior"),
                    Col::Contains("concept"),
                ]);
                let c = cols.take(&[
                    Col::Contains("connection"),
                    Col::Contains("how"),
                    Col::Contains("link"),
                ]);
                for r in &t.rows {
                    self.l.connections.push(ConnectionRow {
                        prior: cell_at(r, p),
                        connection: cell_at(r, c),
                        span: r.span,
                        line: r.line,
                    });
                }
            }
        }
    }

    /// Finish the walk: close open blocks and settle the slug.
    pub fn finish(mut self) -> Lesson {
        self.close_cog();
        self.close_review();
        let slug = self
            .l
            .header_value("slug")
            .map(|c| c.text.trim().trim_matches('`').trim().to_string())
            .filter(|s| !s.is_empty())
            .or(self.title_slug.take())
            .unwrap_or_default();
        self.l.slug = slug;
        self.find_stray_table_rows();
        self.l
    }

    /// Lines that look like table rows but lie in no table and no code block.
    fn find_stray_table_rows(&mut self) {
        let mut covered: Vec<Span> = self.l.tables.iter().map(|t| t.span).collect();
        covered.extend(self.l.code_blocks.iter().map(|b| b.span));
        covered.sort();
        let text = self.src.text;
        let mut start = 0;
        let mut line = 1;
        let mut ci = 0;
        while start < text.len() {
            let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
            let raw = &text[start..end];
            let t = raw.trim();
            if t.len() > 2 && t.starts_with('|') && t.ends_with('|') && t.matches('|').count() >= 3
            {
                while ci < covered.len() && covered[ci].end <= start {
                    ci += 1;
                }
                let inside = covered[ci..]
                    .iter()
                    .take_while(|s| s.start <= start)
                    .any(|s| s.end > start);
                if !inside {
                    let lead = raw.len() - raw.trim_start().len();
                    let span = Span::new(start + lead, start + lead + t.len());
                    self.l.stray_table_rows.push(Cell::new(t, span, line));
                }
            }
            start = end + 1;
            line += 1;
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Heading(u8),
    Paragraph,
    Table,
    Code(bool),
    Html,
    List(ListType),
    Task(bool),
    Break,
    Container,
}

#[derive(Debug, Clone, Copy)]
enum TableKind {
    Concepts,
    Prerequisites,
    Gaps,
    Misconceptions,
    Examples,
    Modalities,
    Connections,
}

fn is_skip_comment(html: &str) -> bool {
    let compact: String = html
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    compact.starts_with("<!--lessonlint:skip")
}

/// Bold labels (`**Location:**`) anywhere in a block.
fn collect_labels<'a>(node: &'a AstNode<'a>, out: &mut Vec<String>) {
    for d in node.descendants() {
        if !matches!(d.data().value, NodeValue::Strong) {
            continue;
        }
        let label = plain(d);
        let label = if let Some(l) = label.strip_suffix(':') {
            l.trim().to_string()
        } else {
            let next_colon = d.next_sibling().is_some_and(|n| {
                matches!(&n.data().value, NodeValue::Text(t) if t.trim_start().starts_with(':'))
            });
            if !next_colon {
                continue;
            }
            label
        };
        if !label.is_empty() && label.chars().count() <= 60 {
            out.push(label);
        }
    }
}

/// Span of the value after a `**Label:**` / `**Label**:` / `Label:` at `start` on one line.
pub(crate) fn value_span_label(src: &Src, start: usize, end: usize) -> Span {
    let t = src.slice(Span::new(start, end));
    let mut p = None;
    for m in ["**", "__"] {
        if let Some(rest) = t.strip_prefix(m) {
            if let Some(j) = rest.find(m) {
                let after = &rest[j + m.len()..];
                if !after.trim().trim_start_matches(':').trim().is_empty() {
                    p = Some(m.len() + j + m.len());
                }
            }
            break;
        }
    }
    let p = match p {
        Some(p) => p,
        None => return trim_emphasis(src, value_span_colon(src, start, end)),
    };
    let rest = &t[p..];
    let skip = rest.len() - rest.trim_start_matches([':', ' ', '\t']).len();
    src.trim(Span::new(start + p + skip, start + t.len()))
}

/// Span of the text after the first `:` (or `?`) between `start` and `end`.
pub(crate) fn value_span_colon(src: &Src, start: usize, end: usize) -> Span {
    let t = src.slice(Span::new(start, end));
    let p = t.find([':', '?']).map(|i| i + 1).unwrap_or(0);
    let rest = &t[p..];
    let skip = rest.len() - rest.trim_start_matches(['*', '_', ' ', '\t']).len();
    src.trim(Span::new(start + p + skip, start + t.len()))
}

/// Drop emphasis markers at both ends of a span.
fn trim_emphasis(src: &Src, span: Span) -> Span {
    let t = src.slice(span);
    let lead = t.len() - t.trim_start_matches(['*', '_', ' ']).len();
    let inner = t.trim_start_matches(['*', '_', ' ']);
    let inner = inner.trim_end_matches(['*', '_', ' ']);
    Span::new(span.start + lead, span.start + lead + inner.len())
}

/// Parse `Critical: 0`, `Improvement: 3`, `2 polish` counts into the summary.
pub(crate) fn parse_counts(text: &str, s: &mut ReviewSummary) {
    let low = text.to_lowercase();
    for (key, slot) in [
        ("critical", &mut s.critical),
        ("improvement", &mut s.improvement),
        ("polish", &mut s.polish),
    ] {
        if slot.is_some() {
            continue;
        }
        let Some(i) = low.find(key) else {
            continue;
        };
        let after = low[i + key.len()..].trim_start_matches(|c: char| c.is_alphabetic());
        let after_t = after.trim_start_matches([':', ' ', '*', '\t', '=', '-']);
        if after_t.starts_with(|c: char| c.is_ascii_digit()) {
            *slot = first_number(after_t);
            continue;
        }
        let before = low[..i].trim_end();
        let digits = before.len() - before.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        if digits > 0 {
            *slot = before[before.len() - digits..].parse().ok();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_forms() {
        assert_eq!(parse_title("Lesson: ResNets").0, "ResNets");
        assert_eq!(parse_title("Lesson Plan: ResNets").0, "ResNets");
        assert_eq!(
            parse_title("Lesson 2: ResNets and Skip Connections (resnets) -- Planning Document"),
            (
                "ResNets and Skip Connections".into(),
                Some("resnets".into())
            )
        );
        assert_eq!(
            parse_title("resnets -- Lesson Planning Document"),
            ("resnets".into(), Some("resnets".into()))
        );
        assert_eq!(
            parse_title("Lesson Planning: resnets"),
            ("resnets".into(), Some("resnets".into()))
        );
        assert_eq!(parse_title("ResNets").0, "ResNets");
    }

    #[test]
    fn finding_headings() {
        assert_eq!(
            parse_finding_heading("[IMPROVEMENT] — Weak transition"),
            Some(("improvement".into(), "Weak transition".into()))
        );
        assert_eq!(
            parse_finding_heading("[POLISH] -- Style"),
            Some(("polish".into(), "Style".into()))
        );
        assert_eq!(
            parse_finding_heading("CRITICAL — Wrong shape"),
            Some(("critical".into(), "Wrong shape".into()))
        );
        assert_eq!(parse_finding_heading("Verdict: PASS"), None);
        assert_eq!(parse_finding_heading("Iteration 1 Fix Verification"), None);
        assert_eq!(parse_finding_heading("Review Notes"), None);
    }

    #[test]
    fn review_headings() {
        let (d, i, o, l, f) = parse_review_heading("Review — 2026-02-09 (Iteration 1/3)");
        assert_eq!(
            (d.as_deref(), i, o, l, f),
            (Some("2026-02-09"), Some(1), Some(3), None, false)
        );
        let (_, i, o, l, f) =
            parse_review_heading("Review -- 2026-02-09 (Post-Depth-Rework, Iteration 2/3)");
        assert_eq!(
            (i, o, l.as_deref(), f),
            (Some(2), Some(3), Some("Post-Depth-Rework"), false)
        );
        let (_, i, o, l, f) = parse_review_heading("Review — 2026-02-09 (Iteration 3/3 FINAL)");
        assert_eq!((i, o, l, f), (Some(3), Some(3), None, true));
        let (d, i, ..) = parse_review_heading("Review — 2026-02-06");
        assert_eq!((d.as_deref(), i), (Some("2026-02-06"), None));
    }

    #[test]
    fn counts() {
        let mut s = ReviewSummary::default();
        parse_counts("Critical: 0", &mut s);
        parse_counts("Improvements: 3", &mut s);
        parse_counts("2 polish", &mut s);
        assert_eq!(
            (s.critical, s.improvement, s.polish),
            (Some(0), Some(3), Some(2))
        );
    }
}
