//! Shared reading of review verdicts and tags.

use crate::model::Review;

/// The verdict of a review reduced to its leading keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    NeedsRevision,
    MajorRevision,
}

impl Verdict {
    /// `PASS with polish notes` → Pass; `NEEDS REVISION → REVISED` → NeedsRevision.
    pub fn parse(text: &str) -> Option<Verdict> {
        let up = text
            .trim()
            .trim_start_matches(['*', '_', ' '])
            .to_ascii_uppercase();
        if up.starts_with("PASS") {
            Some(Verdict::Pass)
        } else if up.starts_with("NEEDS REVISION")
            || up.starts_with("NEEDS-REVISION")
            || up.starts_with("REVISE")
        {
            Some(Verdict::NeedsRevision)
        } else if up.starts_with("MAJOR REVISION")
            || up.starts_with("MAJOR-REVISION")
            || up.starts_with("FAIL")
        {
            Some(Verdict::MajorRevision)
        } else {
            None
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::NeedsRevision => "NEEDS REVISION",
            Verdict::MajorRevision => "MAJOR REVISION",
        }
    }
}

/// Tagged-finding counts of a review: (critical, improvement, polish).
pub fn counts(r: &Review) -> (u32, u32, u32) {
    let c = |tag: &str| r.findings.iter().filter(|f| f.severity == tag).count() as u32;
    (c("critical"), c("improvement"), c("polish"))
}
