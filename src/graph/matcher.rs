//! Concept names as written freely in different files, normalised and compared.
//!
//! `Batch normalization`, `batch normalization (concept)` and `Batch Normalization.` are one
//! name; `Batch normalization in CNN practice` is another. A name is lower-cased, split into
//! words at every character that is not a letter or digit, stripped of stop words and plural
//! `s`, and its parentheticals are set aside as qualifiers.
//!
//! Two names are compared by a soft Jaccard index of their word sets: words pair up one to one
//! when they are equal, when one abbreviates the other (`norm` / `normalization`, at least four
//! letters), or when their normalised Levenshtein similarity (`strsim`) is at least
//! [`WORD_MATCH`] (`normalisation` / `normalization`); the score is the summed similarity of the
//! pairs over the size of the union. A name with one extra word out of five scores 0.8; with one
//! extra out of three, 0.67.
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
    /// Score of a name whose words (two or more) all appear in the other name, when matching a
    /// claim against the record rows of the lesson it cites (0 turns this off).
    pub contained: f64,
}

/// A normalised concept name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Name {
    /// Words outside parentheses, in order, joined by one space.
    pub core: String,
    /// Words inside parentheses that are not neutral qualifiers.
    pub qualifiers: Vec<String>,
    /// The core with the qualifiers appended.
    qualified: String,
    /// Distinct words of the core, sorted.
    core_words: Vec<String>,
    /// Distinct words of the qualified key, sorted.
    qualified_words: Vec<String>,
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
        let qualifiers: Vec<String> = if inside.trim().is_empty() {
            Vec::new()
        } else {
            let neutral: BTreeSet<String> = settings
                .neutral_qualifiers
                .iter()
                .flat_map(|q| words(q, settings))
                .collect();
            words(&inside, settings)
                .into_iter()
                .filter(|w| !neutral.contains(w))
                .collect()
        };
        // A name written wholly in parentheses keeps its words as the core.
        let core_words = if core_words.is_empty() {
            words(&inside, settings)
        } else {
            core_words
        };
        let core = core_words.join(" ");
        let qualified = if qualifiers.is_empty() {
            core.clone()
        } else {
            format!("{core} {}", qualifiers.join(" "))
        };
        let core_words = key_words(&core).into_iter().map(String::from).collect();
        let qualified_words = key_words(&qualified)
            .into_iter()
            .map(String::from)
            .collect();
        Name {
            core,
            qualifiers,
            qualified,
            core_words,
            qualified_words,
        }
    }

    /// Distinct words of the key, sorted.
    pub fn words(&self, with_qualifiers: bool) -> &[String] {
        if with_qualifiers {
            &self.qualified_words
        } else {
            &self.core_words
        }
    }

    /// The core with the qualifiers appended: the key used when qualifiers count.
    pub fn qualified(&self) -> &str {
        &self.qualified
    }

    /// The key a name is indexed by.
    pub fn key(&self, with_qualifiers: bool) -> &str {
        if with_qualifiers {
            &self.qualified
        } else {
            &self.core
        }
    }
}

/// The buckets a word is filed under for candidate search: its first four letters (the whole
/// word when shorter) and, for words of seven letters or more, its last three or four. Two
/// words that can pair up — equal, one abbreviating the other (four letters or more), or one
/// edit apart (seven letters or more) — always share a bucket.
pub fn word_buckets(w: &str) -> Vec<String> {
    let chars: Vec<char> = w.chars().collect();
    let n = chars.len();
    let head: String = chars[..n.min(4)].iter().collect();
    let mut out = vec![format!("<{head}")];
    if n >= 7 {
        let k = if n >= 8 { 4 } else { 3 };
        let tail: String = chars[n - k..].iter().collect();
        out.push(format!(">{tail}"));
    }
    out
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
    if a.key(with_qualifiers) == b.key(with_qualifiers) {
        return 1.0;
    }
    words_similarity(a.words(with_qualifiers), b.words(with_qualifiers))
}

/// Least similarity of two words (normalised Levenshtein) for them to pair up as a spelling
/// variant. Word-level, not a matching threshold: the name-level thresholds are in
/// `rules/weak-concept-match.yaml`.
pub const WORD_MATCH: f64 = 0.85;

/// Similarity of two words: 1 if equal, 0.9 if one abbreviates the other, else their
/// normalised Levenshtein similarity when it reaches [`WORD_MATCH`] (words of five letters or
/// more only), else 0.
fn word_similarity(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    let (ca, cb) = (a.chars().count(), b.chars().count());
    let (short, long, ls, ll) = if ca <= cb {
        (a, b, ca, cb)
    } else {
        (b, a, cb, ca)
    };
    if ls >= 4 && long.starts_with(short) {
        return 0.9;
    }
    // One edit in seven letters is the least that can reach WORD_MATCH; and one edit leaves
    // the first or the last letter in place.
    let ends = a.chars().next() == b.chars().next() || a.chars().last() == b.chars().last();
    if ls >= 5 && ends && (ll - ls) as f64 <= ll as f64 * (1.0 - WORD_MATCH) {
        let s = strsim::normalized_levenshtein(a, b);
        if s >= WORD_MATCH {
            return s;
        }
    }
    0.0
}

/// The distinct words of a key, sorted.
fn key_words(k: &str) -> Vec<&str> {
    let mut v: Vec<&str> = k.split(' ').filter(|w| !w.is_empty()).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Similarity of two normalised keys (words separated by single spaces): the soft Jaccard
/// index of their word sets.
pub fn key_similarity(ka: &str, kb: &str) -> f64 {
    if ka == kb {
        return 1.0;
    }
    words_similarity(&key_words(ka), &key_words(kb))
}

/// The soft Jaccard index of two sets of distinct words.
pub fn words_similarity<A: AsRef<str>, B: AsRef<str>>(ta: &[A], tb: &[B]) -> f64 {
    if ta.is_empty() || tb.is_empty() {
        return 0.0;
    }
    // Greedy one-to-one pairing, best pairs first (ties by word order, deterministic).
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (i, x) in ta.iter().enumerate() {
        for (j, y) in tb.iter().enumerate() {
            let s = word_similarity(x.as_ref(), y.as_ref());
            if s > 0.0 {
                pairs.push((s, i, j));
            }
        }
    }
    if pairs.is_empty() {
        return 0.0;
    }
    pairs.sort_by(|p, q| q.0.total_cmp(&p.0).then(p.1.cmp(&q.1)).then(p.2.cmp(&q.2)));
    let mut used_a = vec![false; ta.len()];
    let mut used_b = vec![false; tb.len()];
    let (mut sum, mut k) = (0.0, 0usize);
    for (s, i, j) in pairs {
        if used_a[i] || used_b[j] {
            continue;
        }
        used_a[i] = true;
        used_b[j] = true;
        sum += s;
        k += 1;
    }
    sum / (ta.len() + tb.len() - k) as f64
}

/// `score` when every word of the shorter key (two words or more) pairs with a word of the
/// longer one, else 0.
pub fn containment(ka: &str, kb: &str, score: f64) -> f64 {
    words_containment(&key_words(ka), &key_words(kb), score)
}

/// [`containment`] over sets of distinct words.
pub fn words_containment<A: AsRef<str>, B: AsRef<str>>(ta: &[A], tb: &[B], score: f64) -> f64 {
    fn all_in<X: AsRef<str>, Y: AsRef<str>>(short: &[X], long: &[Y]) -> bool {
        short.len() >= 2
            && short.iter().all(|w| {
                long.iter()
                    .any(|l| word_similarity(w.as_ref(), l.as_ref()) > 0.0)
            })
    }
    let contained = if ta.len() <= tb.len() {
        all_in(ta, tb)
    } else {
        all_in(tb, ta)
    };
    if score > 0.0 && contained {
        score
    } else {
        0.0
    }
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
        contained: 0.85,
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
        assert!(s("Batch normalisation", "Batch normalization") > 0.92);
        assert!(s("Batch norm", "Batch normalization") > 0.9);
        assert!(s("Batch normalization in PyTorch", "Batch normalization") < 0.8);
        assert!(s("nn.Conv2d API", "nn.Conv2d / nn.MaxPool2d API") < 0.8);
        assert!(s("Conv1d layer", "Conv2d layer") < 0.8);
        let weak = s(
            "Skip connection code pattern",
            "Skip/residual connection code pattern",
        );
        assert!((0.8..0.92).contains(&weak), "{weak}");
        assert!(s("Conv pool fc pattern", "conv-pool-fc pattern") > 0.99);
        // Fewer bytes is not fewer letters.
        assert_eq!(s("ééé", "abcde"), 0.0);
        assert!(s("Normalisierungsschicht", "Normalisierungsschichtén") > 0.0);
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
