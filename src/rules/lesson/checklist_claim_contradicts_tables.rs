use crate::declare_rule;
use crate::model::{ChecklistItem, ExampleKind, Lesson};
use crate::rules::{Finding, LessonCtx, LessonRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reads the counts in checklist parentheticals and compares them with the tables above:
    /// modalities (`(6: visual, symbolic, …)`), examples (`(4 positive + 1 negative = 5
    /// examples)`), misconceptions (`(5 misconceptions: …)`), new concepts (`(3: …)` on the
    /// cognitive-load item) and gaps (`(4 small gaps identified …: A, B, C, D)`: at most as many
    /// as the Gap Resolution table holds, and every gap named there).
    ///
    /// ## Why is this bad?
    /// A ticked item whose numbers disagree with the plan was ticked from memory, not checked;
    /// the reviewer trusts a claim the tables do not support.
    ///
    /// ## Example
    /// `- [x] At least 3 modalities planned (4: visual, symbolic, verbal, concrete)` above a
    /// Modalities table with 3 rows.
    pub struct ChecklistClaimContradictsTables {
        id: "checklist-claim-contradicts-tables",
        category: Consistency,
        summary: "A checklist parenthetical's counts contradict the tables",
    }
}

const NUMBER_WORDS: [&str; 13] = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve",
];

/// Words of a claim with numbers (digits or number words) as `Some(n)`.
fn tokens(s: &str) -> Vec<(String, Option<u64>)> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let lw = w.to_lowercase();
            let n = lw
                .parse::<u64>()
                .ok()
                .or_else(|| NUMBER_WORDS.iter().position(|x| *x == lw).map(|i| i as u64));
            (lw, n)
        })
        .collect()
}

/// The number written right before a word starting with `stem` (`4 positive`).
fn number_before(tokens: &[(String, Option<u64>)], stem: &str) -> Option<u64> {
    tokens
        .windows(2)
        .find(|w| w[1].0.starts_with(stem) && w[0].1.is_some())
        .and_then(|w| w[0].1)
}

fn first_number(tokens: &[(String, Option<u64>)]) -> Option<u64> {
    tokens.iter().find_map(|t| t.1)
}

enum Topic {
    Modalities,
    Examples,
    Misconceptions,
    NewConcepts,
    Gaps,
}

fn topic(item: &ChecklistItem) -> Option<Topic> {
    let t = item.text.to_lowercase();
    if t.contains("modalit") {
        Some(Topic::Modalities)
    } else if t.contains("misconception") {
        Some(Topic::Misconceptions)
    } else if t.contains("example") {
        Some(Topic::Examples)
    } else if t.contains("cognitive load") || t.contains("new concept") {
        Some(Topic::NewConcepts)
    } else if t.contains("gap") || t.contains("untaught") {
        Some(Topic::Gaps)
    } else {
        None
    }
}

fn check_item(l: &Lesson, item: &ChecklistItem, threshold: f64) -> Vec<String> {
    let Some(claim) = &item.claim else {
        return vec![];
    };
    let Some(topic) = topic(item) else {
        return vec![];
    };
    let toks = tokens(claim);
    let mut problems = Vec::new();
    match topic {
        Topic::Modalities => {
            if let Some(n) = first_number(&toks) {
                let rows = l.modalities.len() as u64;
                if n != rows {
                    problems.push(format!(
                        "claims {n} modalities; Modalities Planned has {rows}"
                    ));
                }
            }
        }
        Topic::Misconceptions => {
            if let Some(n) = number_before(&toks, "misconception").or_else(|| first_number(&toks)) {
                let rows = l.misconceptions.len() as u64;
                if n != rows {
                    problems.push(format!(
                        "claims {n} misconceptions; the Misconceptions Table has {rows}"
                    ));
                }
            }
        }
        Topic::Examples => {
            let pos = l.examples.iter().filter(|e| e.kind.is_positive()).count() as u64;
            let neg = l
                .examples
                .iter()
                .filter(|e| e.kind == ExampleKind::Negative)
                .count() as u64;
            let total = l.examples.len() as u64;
            if let Some(n) = number_before(&toks, "positive") {
                if n != pos {
                    problems.push(format!(
                        "claims {n} positive examples; Examples Planned has {pos}"
                    ));
                }
            }
            if let Some(n) = number_before(&toks, "negative") {
                if n != neg {
                    problems.push(format!(
                        "claims {n} negative examples; Examples Planned has {neg}"
                    ));
                }
            }
            if let Some(n) = number_before(&toks, "example") {
                if n != total {
                    problems.push(format!("claims {n} examples; Examples Planned has {total}"));
                }
            }
        }
        Topic::NewConcepts => {
            if let (Some(n), Some(load)) = (first_number(&toks), &l.cognitive_load) {
                let listed = if load.new_concepts.is_empty() {
                    load.stated.unwrap_or(0) as u64
                } else {
                    load.new_concepts.len() as u64
                };
                if n != listed {
                    problems.push(format!(
                        "claims {n} new concepts; the Cognitive Load Assessment lists {listed}"
                    ));
                }
            }
        }
        Topic::Gaps => {
            let rows = l.gaps.len() as u64;
            if let Some(n) = number_before(&toks, "gap").or_else(|| {
                number_before(&toks, "small").or_else(|| number_before(&toks, "medium"))
            }) {
                if n > rows {
                    problems.push(format!("claims {n} gaps; Gap Resolution has {rows} rows"));
                }
            }
            if let Some((_, names)) = claim.split_once(':') {
                for name in names.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    let found = l.gaps.iter().any(|g| {
                        crate::model::names::similarity(name, &g.gap.text) >= threshold
                            || crate::model::names::words_within(name, &g.gap.text)
                            || crate::model::names::words_within(&g.gap.text, name)
                    });
                    if !found {
                        problems.push(format!(
                            "names the gap \"{name}\", which Gap Resolution does not hold"
                        ));
                    }
                }
            }
        }
    }
    problems
}

impl LessonRule for ChecklistClaimContradictsTables {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, ctx: &LessonCtx, out: &mut Vec<Finding>) {
        let threshold = ctx.settings.float("min_similarity");
        for item in &ctx.lesson.checklist {
            for p in check_item(ctx.lesson, item, threshold) {
                out.push(
                    ctx.finding(Self::META.id, item.span, format!("checklist {p}"))
                        .label("this claim")
                        .help("recount the table and correct the parenthetical (or the table)"),
                );
            }
        }
    }
}
