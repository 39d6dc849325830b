use crate::declare_rule;
use crate::model::LoadType;
use crate::rules::{Finding, LessonCtx, LessonRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// When both `Previous lesson load` and `This lesson's load` are STRETCH, looks for a stated
    /// mitigation in the Cognitive Load Assessment (one of the `keywords`, e.g. "mitigated").
    ///
    /// ## Why is this bad?
    /// Two STRETCH lessons in a row overload the learner unless something is done about it; the
    /// plan must say what.
    ///
    /// ## Example
    /// `Previous lesson load: STRETCH` and `This lesson's load: STRETCH — three new concepts`
    /// with no word of mitigation.
    pub struct ConsecutiveStretchWithoutMitigation {
        id: "consecutive-stretch-without-mitigation",
        category: Pedagogy,
        summary: "Two STRETCH lessons in a row without a stated mitigation",
    }
}

impl LessonRule for ConsecutiveStretchWithoutMitigation {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }
    fn check(&self, ctx: &LessonCtx, out: &mut Vec<Finding>) {
        let Some(load) = &ctx.lesson.cognitive_load else {
            return;
        };
        let (Some(prev), Some(this)) = (&load.previous, &load.this) else {
            return;
        };
        if LoadType::parse(&prev.text) != Ok(LoadType::Stretch)
            || LoadType::parse(&this.text) != Ok(LoadType::Stretch)
        {
            return;
        }
        let text = load.text.to_lowercase();
        let keywords = ctx.settings.str_list("keywords");
        if keywords.iter().any(|k| text.contains(&k.to_lowercase())) {
            return;
        }
        out.push(
            ctx.finding(Self::META.id, this.span, "a STRETCH lesson follows a STRETCH lesson, and no mitigation is stated")
                .label("STRETCH again")
                .related(ctx.lesson.file, prev.span, "previous lesson was STRETCH")
                .help("state how the load is mitigated (prior exposure, scaffolding, a BUILD lesson next), or change the lesson's load"),
        );
    }
}
