use crate::declare_rule;
use crate::model::{Cell, DepthCell, GapSize, LoadType, PrereqStatus};
use crate::rules::{Finding, LessonCtx, LessonRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Checks the closed vocabularies: depth cells (`MENTIONED`, `INTRODUCED`, `DEVELOPED`,
    /// `APPLIED`, `NOT TAUGHT`, `MISSING`, `-`, qualified and upgrade forms), prerequisite
    /// statuses (`OK`, `GAP`, `GAP (small)`, `MISSING`), gap sizes (`Small`, `Medium`, `Large`)
    /// and load types (`BUILD`, `STRETCH`, `CONSOLIDATE`, `PROJECT`).
    ///
    /// ## Why is this bad?
    /// Any other word is a typo that silently disables the depth and gap checks for its row.
    ///
    /// ## Example
    /// `| Dropout | DEVELOPPED | … |` gives `unknown depth word "DEVELOPPED"`.
    pub struct UnknownVocabularyWord {
        id: "unknown-vocabulary-word",
        category: Format,
        summary: "An unknown depth, status, gap-size or load word",
    }
}

const DEPTHS: &str = "MENTIONED, INTRODUCED, DEVELOPED, APPLIED (or NOT TAUGHT, MISSING, -)";

impl UnknownVocabularyWord {
    fn depth(ctx: &LessonCtx, cell: &Cell, out: &mut Vec<Finding>) {
        if let DepthCell::Unknown { word } = DepthCell::parse(&cell.text) {
            let best = crate::model::Depth::ALL
                .iter()
                .map(|d| {
                    (
                        strsim::jaro_winkler(d.as_str(), &word.to_ascii_uppercase()),
                        d.as_str(),
                    )
                })
                .fold((0.0, ""), |a, b| if b.0 > a.0 { b } else { a });
            let help = if best.0 > 0.8 {
                format!("did you mean `{}`? Depths: {DEPTHS}", best.1)
            } else {
                format!("depths: {DEPTHS}")
            };
            out.push(
                ctx.finding(
                    UnknownVocabularyWord::META.id,
                    cell.span,
                    format!("unknown depth word \"{word}\""),
                )
                .label("not a depth")
                .help(help),
            );
        }
    }
}

impl LessonRule for UnknownVocabularyWord {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, ctx: &LessonCtx, out: &mut Vec<Finding>) {
        let l = ctx.lesson;
        for c in l
            .concepts
            .iter()
            .filter(|c| !super::malformed_row(l, c.line))
        {
            Self::depth(ctx, &c.depth, out);
        }
        for p in l
            .prerequisites
            .iter()
            .filter(|p| !super::malformed_row(l, p.line))
        {
            Self::depth(ctx, &p.required, out);
            Self::depth(ctx, &p.actual, out);
            if let PrereqStatus::Unknown { word } = PrereqStatus::parse(&p.status.text) {
                out.push(
                    ctx.finding(
                        Self::META.id,
                        p.status.span,
                        format!("unknown prerequisite status \"{word}\""),
                    )
                    .label("not a status")
                    .help("statuses: OK, GAP, GAP (small), GAP (medium), MISSING"),
                );
            }
        }
        for g in l.gaps.iter().filter(|g| !super::malformed_row(l, g.line)) {
            if !g.size.is_blank() && GapSize::parse(&g.size.text).is_none() {
                out.push(
                    ctx.finding(Self::META.id, g.size.span, format!("unknown gap size \"{}\"", g.size.text))
                        .label("not a gap size")
                        .help("sizes: Small (a brief paragraph or aside), Medium (a dedicated section), Large"),
                );
            }
        }
        if let Some(load) = &l.cognitive_load {
            for cell in [&load.previous, &load.this].into_iter().flatten() {
                let t = cell.text.trim();
                // `Previous lesson load: none (first lesson)` is not a load word to check.
                if t.is_empty()
                    || t.to_ascii_lowercase().starts_with("n/a")
                    || t.to_ascii_lowercase().starts_with("none")
                {
                    continue;
                }
                if let Err(word) = LoadType::parse(t) {
                    out.push(
                        ctx.finding(
                            Self::META.id,
                            cell.span,
                            format!("unknown load type \"{word}\""),
                        )
                        .label("not a load type")
                        .help("load types: BUILD, STRETCH, CONSOLIDATE, PROJECT"),
                    );
                }
            }
        }
    }
}
