//! Concept names as written freely in different files, normalised and compared.
//!
//! `Batch normalization`, `batch normalization (concept)` and `Batch Normalization.` are one
//! name; `Batch normalization in CNN practice` is another. A name is lower-cased, split into
//! words at every character that is not a letter or digit, stripped of stop words and plural
//! `s`, and its parentheticals are set aside as qualifiers. Two names are compared by the
//! larger of the Sørensen–Dice coefficient of their letters (`strsim`) and the Jaccard index of
//! their words, so that typos and reordered words both still match.
//!
//! Qualifiers are explanations in most cells (`Vanishing gradients (quantitative)`), so they are
//! ignored — except when they are the only thing that tells two rows of one table apart
//! (`Batch normalization (concept)` and `Batch normalization (PyTorch API)` in one
//! Prerequisites Table). Then they count, minus the configured neutral ones (`concept`).

use serde::Serialize;
use std::collections::BTreeSet;

/// The matching settings (from `rules/weak-concept-match.yaml`).
#[derive(Debug, Clone, Serialize)]
pub struct MatchSettings {
    /// Least score for two names to name the same concept.
    pub threshold: f64,
    /// Least score for a match to count as certain (below it a match is reported as weak).
    pub strong: f64,
    /// Qualifiers that never tell concepts apart (`concept`, `idea`).
    pub neutral_qualifiers: Vec<String>,
    /// Words ignored in names (`the`, `of`).
    pub stopwords: Vec<String>,
}

/// A normalised concept name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Name {
    /// Words outside parentheses, in order, joined by one space.
    pub core: String,
    /// Words inside parentheses that are not neutral qualifiers.
    pub qualifiers: Vec<String>,
}

impl Name {
    pub fn new(text: &str, settings: &MatchSettings) -> Name {
        let lower = text.to_lowercase();
        let mut outside = String::new();
        let mut inside = String::new();
        let mut depth = 0u32;
        for c in lower.chars() {
            match c {
                '(' | '[' => {
                    depth += 1;
                    inside.push(' ');
                }
                ')' | ']' => {
                    depth = depth.saturating_sub(1);
                    outside.push(' ');
                }
                _ if depth > 0 => inside.push(c),
                _ => outside.push(c),
            }
        }
        let core_words = words(&outside, settings);
        let neutral: BTreeSet<String> = settings
            .neutral_qualifiers
            .iter()
            .flat_map(|q| words(q, settings))
            .collect();
        let qualifiers: Vec<String> = words(&inside, settings)
            .into_iter()
            .filter(|w| !neutral.contains(w))
            .collect();
        // A name written wholly in parentheses keeps its words as the core.
        let core_words = if core_words.is_empty() {
            words(&inside, settings)
        } else {
            core_words
        };
        Name {
            core: core_words.join(" "),
            qualifiers,
        }
    }

    /// The core with the qualifiers appended: the key used when qualifiers count.
    pub fn qualified(&self) -> String {
        if self.qualifiers.is_empty() {
            self.core.clone()
        } else {
            format!("{} {}", self.core, self.qualifiers.join(" "))
        }
    }

    /// The key a name is indexed by.
    pub fn key(&self, with_qualifiers: bool) -> String {
        if with_qualifiers {
            self.qualified()
        } else {
            self.core.clone()
        }
    }

    /// Words of the key.
    pub fn tokens(&self, with_qualifiers: bool) -> Vec<String> {
        self.key(with_qualifiers)
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    }
}

fn words(text: &str, settings: &MatchSettings) -> Vec<String> {
    let all: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(stem)
        .collect();
    let kept: Vec<String> = all
        .iter()
        .filter(|w| !settings.stopwords.iter().any(|s| s == *w))
        .cloned()
        .collect();
    if kept.is_empty() {
        all
    } else {
        kept
    }
}

/// Plural `s` off (`gradients` → `gradient`), keeping `loss`, `bias`, `analysis`, `relu`.
fn stem(w: &str) -> String {
    if w.chars().count() > 3
        && w.ends_with('s')
        && !w.ends_with("ss")
        && !w.ends_with("us")
        && !w.ends_with("is")
    {
        w[..w.len() - 1].to_string()
    } else {
        w.to_string()
    }
}

/// Similarity of two names in `0.0..=1.0`.
pub fn similarity(a: &Name, b: &Name, with_qualifiers: bool) -> f64 {
    let ka = a.key(with_qualifiers);
    let kb = b.key(with_qualifiers);
    key_similarity(&ka, &kb)
}

/// Similarity of two normalised keys.
pub fn key_similarity(ka: &str, kb: &str) -> f64 {
    if ka == kb {
        return 1.0;
    }
    if ka.is_empty() || kb.is_empty() {
        return 0.0;
    }
    let dice = strsim::sorensen_dice(ka, kb);
    let ta: BTreeSet<&str> = ka.split(' ').collect();
    let tb: BTreeSet<&str> = kb.split(' ').collect();
    let inter = ta.intersection(&tb).count() as f64;
    let union = ta.union(&tb).count() as f64;
    let jaccard = if union > 0.0 { inter / union } else { 0.0 };
    dice.max(jaccard)
}

/// Rounds a score for display (`0.93`).
pub fn show(score: f64) -> String {
    format!("{:.2}", score)
}

#[cfg(test)]
pub(crate) fn test_settings() -> MatchSettings {
    MatchSettings {
        threshold: 0.8,
        strong: 0.9,
        neutral_qualifiers: vec!["concept".into(), "idea".into(), "conceptual".into()],
        stopwords: [
            "the", "a", "an", "of", "and", "in", "for", "to", "with", "on",
        ]
        .map(String::from)
        .to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Name {
        Name::new(s, &test_settings())
    }

    #[test]
    fn normalises_case_punctuation_parentheticals_plurals() {
        assert_eq!(n("Batch Normalization.").core, "batch normalization");
        assert_eq!(
            n("Batch normalization (concept)").core,
            "batch normalization"
        );
        assert!(n("Batch normalization (concept)").qualifiers.is_empty());
        assert_eq!(
            n("Batch normalization (PyTorch API)").qualifiers,
            ["pytorch", "api"]
        );
        assert_eq!(
            n("Vanishing gradients (quantitative)").core,
            "vanishing gradient"
        );
        assert_eq!(
            n("nn.Conv2d / nn.MaxPool2d API").core,
            "nn conv2d nn maxpool2d api"
        );
        assert_eq!(
            n("model.train() / model.eval()").core,
            "model train model eval"
        );
        assert_eq!(n("Loss").core, "loss");
    }

    #[test]
    fn scores() {
        let s = |a: &str, b: &str| similarity(&n(a), &n(b), false);
        assert_eq!(
            s("Batch normalization", "batch normalization (concept)"),
            1.0
        );
        assert_eq!(
            s("Vanishing gradient", "Vanishing gradients (quantitative)"),
            1.0
        );
        assert!(s("Batch normalization", "Batch normalization in CNN practice") < 0.8);
        assert!(s("Exploding gradients", "Vanishing gradients") < 0.8);
        assert!(s("He initialization", "Xavier initialization") < 0.8);
        assert!(s("Batch normalisation", "Batch normalization") > 0.85);
        assert!(s("Conv pool fc pattern", "conv-pool-fc pattern") > 0.99);
        let q = similarity(
            &n("Batch normalization (PyTorch API)"),
            &n("Batch normalization"),
            true,
        );
        assert!(q < 0.8, "{q}");
        let c = similarity(
            &n("Batch normalization (concept)"),
            &n("Batch normalization"),
            true,
        );
        assert_eq!(c, 1.0);
    }
}
