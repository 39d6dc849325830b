//! The closed vocabularies of the format: depth levels, prerequisite statuses, gap sizes,
//! load types and example kinds, with the parsing of the cell forms real files use.

use serde::Serialize;
use std::fmt;

/// `MENTIONED < INTRODUCED < DEVELOPED < APPLIED`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Depth {
    Mentioned,
    Introduced,
    Developed,
    Applied,
}

impl Depth {
    pub const ALL: [Depth; 4] = [
        Depth::Mentioned,
        Depth::Introduced,
        Depth::Developed,
        Depth::Applied,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Depth::Mentioned => "MENTIONED",
            Depth::Introduced => "INTRODUCED",
            Depth::Developed => "DEVELOPED",
            Depth::Applied => "APPLIED",
        }
    }
    pub fn from_word(w: &str) -> Option<Depth> {
        match w.trim().to_ascii_uppercase().as_str() {
            "MENTIONED" => Some(Depth::Mentioned),
            "INTRODUCED" => Some(Depth::Introduced),
            "DEVELOPED" => Some(Depth::Developed),
            "APPLIED" => Some(Depth::Applied),
            _ => None,
        }
    }
}

impl fmt::Display for Depth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a depth cell says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DepthCell {
    /// One depth, possibly qualified (`DEVELOPED (but fading)`), or an alternative
    /// (`DEVELOPED/APPLIED`: the lower is kept as `depth`, the higher as `upper`).
    Level {
        depth: Depth,
        upper: Option<Depth>,
        qualifier: Option<String>,
    },
    /// An upgrade `MENTIONED -> DEVELOPED`: `from` before, `to` after.
    Upgrade { from: Depth, to: Depth },
    /// `NOT TAUGHT`, `MISSING`, `-`, `NONE`.
    NotTaught,
    /// Records only: `REVISITED`, `REINFORCED` (the concept was used again at its depth).
    Reinforced,
    /// Any other word: a typo to report. `word` is the offending word.
    Unknown { word: String },
}

impl DepthCell {
    /// Parse a depth cell. The cell text has emphasis already stripped.
    pub fn parse(text: &str) -> DepthCell {
        let t = text.trim();
        if t.is_empty() || t == "-" || t == "—" || t == "–" {
            return DepthCell::NotTaught;
        }
        // Split off a parenthetical qualifier.
        let (head, qualifier) = match t.find('(') {
            Some(i) => {
                let q = t[i + 1..]
                    .trim_end()
                    .trim_end_matches(')')
                    .trim()
                    .to_string();
                (t[..i].trim(), if q.is_empty() { None } else { Some(q) })
            }
            None => (t, None),
        };
        let head_up = head.to_ascii_uppercase();
        let norm = head_up
            .replace('→', "->")
            .replace("=>", "->")
            .replace(['—', '–'], "-");
        match norm.trim() {
            "NOT TAUGHT" | "NOT-TAUGHT" | "MISSING" | "NONE" | "N/A" | "" | "-" => {
                return DepthCell::NotTaught
            }
            "REVISITED" | "REINFORCED" => return DepthCell::Reinforced,
            _ => {}
        }
        if let Some((a, b)) = norm.split_once("->") {
            let a = a.trim().trim_end_matches('-').trim();
            let b = b.trim();
            return match (first_depth_word(a), first_depth_word(b)) {
                (Ok(from), Ok(to)) => DepthCell::Upgrade { from, to },
                (Err(w), _) | (_, Err(w)) => DepthCell::Unknown { word: w },
            };
        }
        if let Some((a, b)) = norm.split_once('/') {
            return match (first_depth_word(a), first_depth_word(b)) {
                (Ok(x), Ok(y)) => DepthCell::Level {
                    depth: x.min(y),
                    upper: Some(x.max(y)),
                    qualifier,
                },
                (Err(w), _) | (_, Err(w)) => DepthCell::Unknown { word: w },
            };
        }
        match first_depth_word(&norm) {
            Ok(depth) => DepthCell::Level {
                depth,
                upper: None,
                qualifier,
            },
            Err(word) => DepthCell::Unknown { word },
        }
    }

    /// The depth the cell stands for at its end (upgrades: the depth reached).
    pub fn reached(&self) -> Option<Depth> {
        match self {
            DepthCell::Level { depth, upper, .. } => Some(upper.unwrap_or(*depth)),
            DepthCell::Upgrade { to, .. } => Some(*to),
            _ => None,
        }
    }

    /// The lowest depth the cell claims (for requirement checks).
    pub fn floor(&self) -> Option<Depth> {
        match self {
            DepthCell::Level { depth, .. } => Some(*depth),
            DepthCell::Upgrade { to, .. } => Some(*to),
            _ => None,
        }
    }

    pub fn is_not_taught(&self) -> bool {
        matches!(self, DepthCell::NotTaught)
    }

    pub fn qualifier(&self) -> Option<&str> {
        match self {
            DepthCell::Level { qualifier, .. } => qualifier.as_deref(),
            _ => None,
        }
    }
}

/// A cell's leading word must be a depth; trailing free words are tolerated
/// (`DEVELOPED but fading`). Returns the offending word otherwise.
fn first_depth_word(s: &str) -> Result<Depth, String> {
    let s = s.trim();
    let word = s
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';' || c == ':')
        .find(|w| !w.is_empty())
        .unwrap_or("");
    Depth::from_word(word).ok_or_else(|| {
        if word.is_empty() {
            s.to_string()
        } else {
            word.to_string()
        }
    })
}

/// Prerequisite status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrereqStatus {
    Ok,
    Gap { size: Option<GapSize> },
    Missing,
    Unknown { word: String },
}

impl PrereqStatus {
    pub fn parse(text: &str) -> PrereqStatus {
        let t = text.trim();
        let up = t.to_ascii_uppercase();
        let word = up
            .split(|c: char| !c.is_ascii_alphabetic())
            .find(|w| !w.is_empty())
            .unwrap_or("");
        match word {
            "OK" => PrereqStatus::Ok,
            "MISSING" => PrereqStatus::Missing,
            "GAP" => {
                let size = up
                    .find('(')
                    .and_then(|i| GapSize::parse(up[i + 1..].trim_end_matches(')')));
                PrereqStatus::Gap { size }
            }
            _ => PrereqStatus::Unknown {
                word: if word.is_empty() {
                    t.to_string()
                } else {
                    t.split_whitespace().next().unwrap_or(t).to_string()
                },
            },
        }
    }
    pub fn is_gap(&self) -> bool {
        matches!(self, PrereqStatus::Gap { .. } | PrereqStatus::Missing)
    }
}

/// Gap size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GapSize {
    Small,
    Medium,
    Large,
}

impl GapSize {
    pub fn parse(text: &str) -> Option<GapSize> {
        let up = text.trim().to_ascii_uppercase();
        let word = up
            .split(|c: char| !c.is_ascii_alphabetic())
            .find(|w| !w.is_empty())
            .unwrap_or("");
        match word {
            "SMALL" => Some(GapSize::Small),
            "MEDIUM" => Some(GapSize::Medium),
            "LARGE" => Some(GapSize::Large),
            _ => None,
        }
    }
}

/// Lesson load type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LoadType {
    Build,
    Stretch,
    Consolidate,
    Project,
}

impl LoadType {
    /// The load word a cell starts with (`STRETCH (architecture-evolution …)`, `STRETCH — …`).
    pub fn parse(text: &str) -> Result<LoadType, String> {
        let up = text.trim().to_ascii_uppercase();
        let word = up
            .split(|c: char| !c.is_ascii_alphabetic())
            .find(|w| !w.is_empty())
            .unwrap_or("");
        match word {
            "BUILD" => Ok(LoadType::Build),
            "STRETCH" => Ok(LoadType::Stretch),
            "CONSOLIDATE" => Ok(LoadType::Consolidate),
            "PROJECT" => Ok(LoadType::Project),
            _ => Err(text.split_whitespace().next().unwrap_or(text).to_string()),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            LoadType::Build => "BUILD",
            LoadType::Stretch => "STRETCH",
            LoadType::Consolidate => "CONSOLIDATE",
            LoadType::Project => "PROJECT",
        }
    }
}

/// Example kind, from the start of the Type cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ExampleKind {
    Positive,
    Negative,
    Stretch,
    Boundary,
    InteractivePositive,
    #[default]
    Other,
}

impl ExampleKind {
    pub fn parse(text: &str) -> ExampleKind {
        let l = text.trim().to_ascii_lowercase();
        if l.starts_with("interactive positive") {
            ExampleKind::InteractivePositive
        } else if l.starts_with("positive") {
            ExampleKind::Positive
        } else if l.starts_with("negative") {
            ExampleKind::Negative
        } else if l.starts_with("stretch") {
            ExampleKind::Stretch
        } else if l.starts_with("boundary") {
            ExampleKind::Boundary
        } else {
            ExampleKind::Other
        }
    }
    pub fn is_positive(self) -> bool {
        matches!(
            self,
            ExampleKind::Positive | ExampleKind::InteractivePositive
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_cells() {
        assert_eq!(
            DepthCell::parse("DEVELOPED (but fading)"),
            DepthCell::Level {
                depth: Depth::Developed,
                upper: None,
                qualifier: Some("but fading".into())
            }
        );
        assert_eq!(
            DepthCell::parse("MENTIONED -> DEVELOPED"),
            DepthCell::Upgrade {
                from: Depth::Mentioned,
                to: Depth::Developed
            }
        );
        assert_eq!(
            DepthCell::parse("DEVELOPED/APPLIED").reached(),
            Some(Depth::Applied)
        );
        assert_eq!(DepthCell::parse("NOT TAUGHT"), DepthCell::NotTaught);
        assert_eq!(DepthCell::parse("-"), DepthCell::NotTaught);
        assert_eq!(DepthCell::parse("REINFORCED"), DepthCell::Reinforced);
        assert_eq!(
            DepthCell::parse("DEVELOPPED"),
            DepthCell::Unknown {
                word: "DEVELOPPED".into()
            }
        );
    }

    #[test]
    fn statuses() {
        assert_eq!(PrereqStatus::parse("OK"), PrereqStatus::Ok);
        assert_eq!(
            PrereqStatus::parse("GAP (small)"),
            PrereqStatus::Gap {
                size: Some(GapSize::Small)
            }
        );
        assert_eq!(PrereqStatus::parse("MISSING"), PrereqStatus::Missing);
        assert!(matches!(
            PrereqStatus::parse("FINE"),
            PrereqStatus::Unknown { .. }
        ));
        assert_eq!(LoadType::parse("STRETCH — three"), Ok(LoadType::Stretch));
        assert_eq!(
            ExampleKind::parse("Negative (boundary case)"),
            ExampleKind::Negative
        );
    }
}
