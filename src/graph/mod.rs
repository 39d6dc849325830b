//! The concept graph of a curriculum: lessons in course order, concepts, and the edges
//! "lesson taught concept at depth" (from records) and "lesson requires concept at depth" (from a
//! lesson's Phase 1 table and Prerequisites Table). This is the only module that imports
//! `petgraph`.
//!
//! Concept names differ between files, so record rows are grouped into concepts by normalised
//! name and similarity ([`matcher`]), and every claim of a lesson is matched to a record row: the
//! best row among those of its Source lesson, else the best concept taught anywhere. The score
//! of every match is kept so that the report can show it.

pub mod matcher;
pub mod render;

pub use matcher::{MatchSettings, Name};
pub use render::{render, GraphFormat, GraphOptions};

use crate::model::curriculum::{record_lessons, Curriculum, ModuleKey, SourceRef};
use crate::model::{Cell, Depth, DepthCell, FileId, RecordConceptRow, Span};
use petgraph::graphmap::DiGraphMap;
use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use std::collections::{BTreeMap, HashMap};

/// A hasher with no random state, so that graph maps iterate the same way on every run.
type FixedHasher = std::hash::BuildHasherDefault<std::collections::hash_map::DefaultHasher>;

/// A node of the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node {
    /// A lesson, by course index.
    Lesson(usize),
    /// A concept, by index into [`ConceptGraph::concepts`].
    Concept(usize),
}

/// An edge of the graph (always lesson → concept).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    /// The lesson taught the concept: index into [`ConceptGraph::taught`].
    Taught(usize),
    /// The lesson requires the concept: index into [`ConceptGraph::claims`].
    Requires(usize),
}

/// One "lesson taught concept at depth" fact of a record.
#[derive(Debug, Clone)]
pub struct Taught<'a> {
    pub concept: usize,
    /// The lesson as the record names it.
    pub slug: String,
    /// Its course index, when the lesson exists in the curriculum.
    pub lesson: Option<usize>,
    /// Depth range this lesson left the concept at (`DEVELOPED/APPLIED` gives two ends; one
    /// depth gives the same twice); `None` for `REINFORCED` / `REVISITED`.
    pub depth: Option<(Depth, Depth)>,
    pub row: &'a RecordConceptRow,
    /// The row's own normalised name.
    pub name: Name,
    pub record: FileId,
    pub module: ModuleKey,
}

impl Taught<'_> {
    /// `INTRODUCED`, `DEVELOPED/APPLIED` or `REINFORCED`.
    pub fn depth_text(&self) -> String {
        match self.depth {
            Some((lo, hi)) if lo == hi => lo.to_string(),
            Some((lo, hi)) => format!("{lo}/{hi}"),
            None => "REINFORCED".into(),
        }
    }
    pub fn is_reinforcement(&self) -> bool {
        self.depth.is_none()
    }
}

/// Which table a claim comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimKind {
    /// Phase 1 `Concept | Depth | Source | Notes`.
    StudentState,
    /// Phase 2 `Concept | Required Depth | Actual Depth | Source Lesson | Status | Reasoning`.
    Prerequisite,
}

/// A match of a name to a target (a [`Taught`] fact or a concept), with its score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match {
    pub target: usize,
    pub score: f64,
}

/// One row of a lesson claiming what the learner already knows.
#[derive(Debug, Clone)]
pub struct Claim<'a> {
    /// Course index of the lesson making the claim.
    pub lesson: usize,
    pub file: FileId,
    pub kind: ClaimKind,
    pub concept: &'a Cell,
    /// Phase 1 Depth, or the Prerequisites Table's Actual Depth.
    pub depth: &'a Cell,
    /// Required Depth (prerequisites only).
    pub required: Option<&'a Cell>,
    pub source: &'a Cell,
    /// Status (prerequisites only).
    pub status: Option<&'a Cell>,
    /// Notes or Reasoning.
    pub notes: &'a Cell,
    pub sources: Vec<SourceRef>,
    pub span: Span,
    pub line: usize,
    pub name: Name,
    /// Whether the name's qualifiers tell it apart from another row of the same table.
    pub qualified: bool,
    /// The best record fact among those of the Source lessons (even below the threshold).
    pub at_source: Option<Match>,
    /// The concept the claim is about, when one matches at or above the threshold.
    pub concept_match: Option<Match>,
    /// The concept node of the claim (its match, or an unrecorded concept of its own).
    pub node: usize,
}

impl Claim<'_> {
    pub fn depth_cell(&self) -> DepthCell {
        DepthCell::parse(&self.depth.text)
    }
    pub fn required_cell(&self) -> Option<DepthCell> {
        self.required.map(|c| DepthCell::parse(&c.text))
    }
}

/// A concept: record rows grouped by name.
#[derive(Debug, Clone)]
pub struct Concept {
    /// Display name: the first record row's text (or the first claim's, when unrecorded).
    pub name: String,
    pub key: Name,
    /// Indices into [`ConceptGraph::taught`], in course order.
    pub taught: Vec<usize>,
    /// Indices into [`ConceptGraph::claims`] of claims about it, in course order.
    pub claimed: Vec<usize>,
    /// Whether any record holds it.
    pub recorded: bool,
}

/// The state of a concept just before a lesson.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DepthBefore {
    /// The deepest depth recorded (upper end of ranges).
    pub deepest: Depth,
    /// The deepest lower end (a range `DEVELOPED/APPLIED` gives DEVELOPED here).
    pub floor: Depth,
    /// The fact that recorded `deepest` (the earliest one to reach it).
    pub deepest_at: usize,
    /// The latest fact (teaching or reinforcement) before the lesson.
    pub last: usize,
}

/// One step of a requirement cycle: `lesson` requires something from `needs` (claim `claim`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CycleStep {
    pub lesson: usize,
    pub needs: usize,
    pub claim: usize,
}

/// The concept graph.
#[derive(Debug)]
pub struct ConceptGraph<'a> {
    pub graph: StableDiGraph<Node, Edge>,
    pub lesson_nodes: Vec<NodeIndex>,
    pub concept_nodes: Vec<NodeIndex>,
    pub concepts: Vec<Concept>,
    pub taught: Vec<Taught<'a>>,
    pub claims: Vec<Claim<'a>>,
    /// Claims of each lesson (course index → claim indices, in file order).
    pub lesson_claims: Vec<Vec<usize>>,
    /// Facts of each lesson (course index → taught indices).
    pub lesson_taught: Vec<Vec<usize>>,
    pub settings: MatchSettings,
}

/// An index of concept names for fast lookup: exact key first, then candidates sharing a word.
#[derive(Debug, Default)]
struct NameIndex {
    exact: HashMap<String, usize>,
    by_word: HashMap<String, Vec<usize>>,
    keys: Vec<String>,
}

impl NameIndex {
    fn insert(&mut self, key: String, concept: usize) {
        self.exact.entry(key.clone()).or_insert(concept);
        for w in key.split(' ').filter(|w| !w.is_empty()) {
            let v = self.by_word.entry(w.to_string()).or_default();
            if v.last() != Some(&concept) {
                v.push(concept);
            }
        }
        self.keys.push(key);
    }

    /// Best concept for a key among those sharing a word with it (ties: the earliest concept).
    fn best(&self, key: &str, concepts: &[Concept], with_qualifiers: bool) -> Option<Match> {
        if let Some(&c) = self.exact.get(key) {
            return Some(Match {
                target: c,
                score: 1.0,
            });
        }
        let mut cands: Vec<usize> = key
            .split(' ')
            .filter(|w| !w.is_empty())
            .flat_map(|w| self.by_word.get(w).into_iter().flatten().copied())
            .collect();
        cands.sort_unstable();
        cands.dedup();
        let mut best: Option<Match> = None;
        for c in cands {
            let s = matcher::key_similarity(key, &concepts[c].key.key(with_qualifiers));
            if best.is_none_or(|b| s > b.score) {
                best = Some(Match {
                    target: c,
                    score: s,
                });
            }
        }
        best
    }
}

impl<'a> ConceptGraph<'a> {
    /// Builds the graph of a curriculum.
    pub fn build(cur: &Curriculum<'a>, settings: &MatchSettings) -> ConceptGraph<'a> {
        let mut concepts: Vec<Concept> = Vec::new();
        let mut taught: Vec<Taught<'a>> = Vec::new();
        let mut index = NameIndex::default();

        // 1. Record facts, grouped into concepts. Modules in course order, rows in file order.
        for m in &cur.modules {
            let Some(rec) = m.record else { continue };
            let names: Vec<Name> = rec
                .concepts
                .iter()
                .map(|r| Name::new(&r.concept.text, settings))
                .collect();
            let qualified = qualified_rows(&names);
            for (ri, row) in rec.concepts.iter().enumerate() {
                let name = &names[ri];
                let key = name.key(qualified[ri]);
                let concept = match index.best(&key, &concepts, qualified[ri]) {
                    Some(mt) if mt.score >= settings.threshold => mt.target,
                    _ => {
                        concepts.push(Concept {
                            name: row.concept.text.trim().to_string(),
                            key: name.clone(),
                            taught: Vec::new(),
                            claimed: Vec::new(),
                            recorded: true,
                        });
                        index.insert(key.clone(), concepts.len() - 1);
                        concepts.len() - 1
                    }
                };
                if !index.exact.contains_key(&key) {
                    index.insert(key, concept);
                }
                for (slug, depth) in expand_record_row(row) {
                    let lesson = cur.lesson_index(&slug);
                    taught.push(Taught {
                        concept,
                        slug,
                        lesson,
                        depth,
                        row,
                        name: name.clone(),
                        record: rec.file,
                        module: m.key,
                    });
                    concepts[concept].taught.push(taught.len() - 1);
                }
            }
        }
        for c in &mut concepts {
            c.taught
                .sort_by_key(|&t| (taught[t].lesson.unwrap_or(usize::MAX), t));
        }
        let mut lesson_taught = vec![Vec::new(); cur.lessons.len()];
        for (i, t) in taught.iter().enumerate() {
            if let Some(l) = t.lesson {
                lesson_taught[l].push(i);
            }
        }
        let mut by_slug: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, t) in taught.iter().enumerate() {
            by_slug.entry(t.slug.as_str()).or_default().push(i);
        }

        // 2. Claims of every placed lesson plan.
        let mut claims: Vec<Claim<'a>> = Vec::new();
        let mut lesson_claims = vec![Vec::new(); cur.lessons.len()];
        let mut unrecorded = NameIndex::default();
        for l in &cur.lessons {
            let Some(file) = l.file else { continue };
            let phase1: Vec<Name> = file
                .concepts
                .iter()
                .map(|r| Name::new(&r.concept.text, settings))
                .collect();
            let prereq: Vec<Name> = file
                .prerequisites
                .iter()
                .map(|r| Name::new(&r.concept.text, settings))
                .collect();
            let q1 = qualified_rows(&phase1);
            let q2 = qualified_rows(&prereq);
            let mut rows: Vec<Claim<'a>> = Vec::new();
            for (i, r) in file.concepts.iter().enumerate() {
                rows.push(Claim {
                    lesson: l.order,
                    file: file.file,
                    kind: ClaimKind::StudentState,
                    concept: &r.concept,
                    depth: &r.depth,
                    required: None,
                    source: &r.source,
                    status: None,
                    notes: &r.notes,
                    sources: SourceRef::parse_list(&r.source.text),
                    span: r.span,
                    line: r.line,
                    name: phase1[i].clone(),
                    qualified: q1[i],
                    at_source: None,
                    concept_match: None,
                    node: 0,
                });
            }
            for (i, r) in file.prerequisites.iter().enumerate() {
                rows.push(Claim {
                    lesson: l.order,
                    file: file.file,
                    kind: ClaimKind::Prerequisite,
                    concept: &r.concept,
                    depth: &r.actual,
                    required: Some(&r.required),
                    source: &r.source,
                    status: Some(&r.status),
                    notes: &r.reasoning,
                    sources: SourceRef::parse_list(&r.source.text),
                    span: r.span,
                    line: r.line,
                    name: prereq[i].clone(),
                    qualified: q2[i],
                    at_source: None,
                    concept_match: None,
                    node: 0,
                });
            }
            for mut c in rows {
                let key = c.name.key(c.qualified);
                // Best fact among the Source lessons' rows.
                let mut best: Option<Match> = None;
                for s in &c.sources {
                    for &t in by_slug.get(s.slug.as_str()).into_iter().flatten() {
                        let score = matcher::key_similarity(&key, &taught[t].name.key(c.qualified));
                        if best.is_none_or(|b| score > b.score) {
                            best = Some(Match { target: t, score });
                        }
                    }
                }
                c.at_source = best;
                c.concept_match = match best {
                    Some(b) if b.score >= settings.threshold => Some(Match {
                        target: taught[b.target].concept,
                        score: b.score,
                    }),
                    _ => index
                        .best(&key, &concepts, c.qualified)
                        .filter(|m| m.score >= settings.threshold),
                };
                c.node = match c.concept_match {
                    Some(m) => m.target,
                    None => match unrecorded.best(&key, &concepts, c.qualified) {
                        Some(m) if m.score >= settings.threshold => m.target,
                        _ => {
                            concepts.push(Concept {
                                name: c.concept.text.trim().to_string(),
                                key: c.name.clone(),
                                taught: Vec::new(),
                                claimed: Vec::new(),
                                recorded: false,
                            });
                            unrecorded.insert(key, concepts.len() - 1);
                            concepts.len() - 1
                        }
                    },
                };
                let ci = claims.len();
                concepts[c.node].claimed.push(ci);
                lesson_claims[l.order].push(ci);
                claims.push(c);
            }
        }

        // 3. The petgraph graph.
        let mut graph = StableDiGraph::new();
        let lesson_nodes: Vec<NodeIndex> = (0..cur.lessons.len())
            .map(|i| graph.add_node(Node::Lesson(i)))
            .collect();
        let concept_nodes: Vec<NodeIndex> = (0..concepts.len())
            .map(|i| graph.add_node(Node::Concept(i)))
            .collect();
        for (i, t) in taught.iter().enumerate() {
            if let Some(l) = t.lesson {
                graph.add_edge(lesson_nodes[l], concept_nodes[t.concept], Edge::Taught(i));
            }
        }
        for (i, c) in claims.iter().enumerate() {
            graph.add_edge(
                lesson_nodes[c.lesson],
                concept_nodes[c.node],
                Edge::Requires(i),
            );
        }

        ConceptGraph {
            graph,
            lesson_nodes,
            concept_nodes,
            concepts,
            taught,
            claims,
            lesson_claims,
            lesson_taught,
            settings: settings.clone(),
        }
    }

    /// The facts of a concept recorded in lessons strictly before course index `order`.
    pub fn taught_before(&self, concept: usize, order: usize) -> impl Iterator<Item = usize> + '_ {
        self.concepts[concept]
            .taught
            .iter()
            .copied()
            .filter(move |&t| self.taught[t].lesson.is_some_and(|l| l < order))
    }

    /// The deepest depth recorded for a concept before a lesson, and the facts behind it.
    pub fn depth_before(&self, concept: usize, order: usize) -> Option<DepthBefore> {
        let mut out: Option<DepthBefore> = None;
        for t in self.taught_before(concept, order) {
            let fact = &self.taught[t];
            match (&mut out, fact.depth) {
                (None, Some((lo, hi))) => {
                    out = Some(DepthBefore {
                        deepest: hi,
                        floor: lo,
                        deepest_at: t,
                        last: t,
                    })
                }
                (None, None) => {}
                (Some(s), d) => {
                    s.last = t;
                    if let Some((lo, hi)) = d {
                        if hi > s.deepest {
                            s.deepest = hi;
                            s.deepest_at = t;
                        }
                        s.floor = s.floor.max(lo);
                    }
                }
            }
        }
        out
    }

    /// Whether the concept was used between two lessons (exclusive): taught, reinforced, or
    /// required by a lesson's Prerequisites Table. Returns the first such lesson.
    pub fn used_between(&self, concept: usize, after: usize, before: usize) -> Option<usize> {
        let c = &self.concepts[concept];
        let by_fact = c
            .taught
            .iter()
            .filter_map(|&t| self.taught[t].lesson)
            .filter(|&l| l > after && l < before);
        let by_claim = c
            .claimed
            .iter()
            .map(|&i| &self.claims[i])
            .filter(|cl| cl.kind == ClaimKind::Prerequisite)
            .map(|cl| cl.lesson)
            .filter(|&l| l > after && l < before);
        by_fact.chain(by_claim).min()
    }

    /// Lessons whose requirements form a cycle: a lesson cites a Source lesson that (through
    /// further citations) cites it back. One cycle per strongly connected group, starting at
    /// its earliest lesson.
    pub fn requirement_cycles(&self, cur: &Curriculum) -> Vec<Vec<CycleStep>> {
        let mut g: DiGraphMap<usize, usize, FixedHasher> = DiGraphMap::default();
        for (ci, c) in self.claims.iter().enumerate() {
            for s in &c.sources {
                let Some(target) = cur.lesson_index(&s.slug) else {
                    continue;
                };
                if target != c.lesson && !g.contains_edge(c.lesson, target) {
                    g.add_edge(c.lesson, target, ci);
                }
            }
        }
        let mut out = Vec::new();
        for mut scc in petgraph::algo::tarjan_scc(&g) {
            if scc.len() < 2 {
                continue;
            }
            scc.sort_unstable();
            let start = scc[0];
            // Shortest way back to `start` inside the group (BFS, neighbours in order).
            let members: std::collections::BTreeSet<usize> = scc.iter().copied().collect();
            let mut prev: BTreeMap<usize, usize> = BTreeMap::new();
            let mut queue = std::collections::VecDeque::from([start]);
            let mut closing = None;
            'bfs: while let Some(n) = queue.pop_front() {
                let mut next: Vec<usize> = g.neighbors(n).filter(|m| members.contains(m)).collect();
                next.sort_unstable();
                for m in next {
                    if m == start {
                        closing = Some(n);
                        break 'bfs;
                    }
                    if let std::collections::btree_map::Entry::Vacant(e) = prev.entry(m) {
                        e.insert(n);
                        queue.push_back(m);
                    }
                }
            }
            let Some(last) = closing else { continue };
            let mut path = vec![last];
            let mut cur_node = last;
            while cur_node != start {
                cur_node = prev[&cur_node];
                path.push(cur_node);
            }
            path.reverse();
            let mut steps = Vec::new();
            for (i, &a) in path.iter().enumerate() {
                let b = path.get(i + 1).copied().unwrap_or(start);
                if let Some(&claim) = g.edge_weight(a, b) {
                    steps.push(CycleStep {
                        lesson: a,
                        needs: b,
                        claim,
                    });
                }
            }
            out.push(steps);
        }
        out.sort_by_key(|s| s.first().map(|x| x.lesson));
        out
    }

    /// The concept best matching a free name (for `graph --concept`).
    pub fn find_concept(&self, name: &str) -> Option<Match> {
        let key = Name::new(name, &self.settings);
        let mut best: Option<Match> = None;
        for (i, c) in self.concepts.iter().enumerate() {
            let s = matcher::similarity(&key, &c.key, false)
                .max(matcher::similarity(&key, &c.key, true));
            // Prefer recorded concepts on ties.
            let better = match best {
                None => true,
                Some(b) => {
                    s > b.score || (s == b.score && c.recorded && !self.concepts[b.target].recorded)
                }
            };
            if better {
                best = Some(Match {
                    target: i,
                    score: s,
                });
            }
        }
        best
    }
}

/// For each name, whether its qualifiers must count because another name of the same table has
/// the same core but different qualifiers.
fn qualified_rows(names: &[Name]) -> Vec<bool> {
    let mut by_core: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, n) in names.iter().enumerate() {
        by_core.entry(n.core.as_str()).or_default().push(i);
    }
    let mut out = vec![false; names.len()];
    for idx in by_core.values() {
        if idx.len() > 1 {
            let first = &names[idx[0]].qualifiers;
            if idx.iter().any(|&i| &names[i].qualifiers != first) {
                for &i in idx {
                    out[i] = true;
                }
            }
        }
    }
    out
}

/// The `(lesson, depth range)` facts of one record row.
///
/// - `DEVELOPED | a, b` → both at DEVELOPED;
/// - `INTRODUCED -> APPLIED | a -> b` → a at INTRODUCED, b at APPLIED (a longer chain of
///   lessons: the first at the first depth, the last at the second, those between in the range);
/// - `MENTIONED -> DEVELOPED | a` → a raised it to DEVELOPED;
/// - `DEVELOPED/APPLIED | a` → a at DEVELOPED to APPLIED;
/// - `REINFORCED | a` → a used it again (no depth).
pub fn expand_record_row(row: &RecordConceptRow) -> Vec<(String, Option<(Depth, Depth)>)> {
    let (slugs, _) = record_lessons(&row.lesson.text);
    let cell = DepthCell::parse(&row.depth.text);
    let n = slugs.len();
    let mut out = Vec::with_capacity(n);
    for (i, slug) in slugs.into_iter().enumerate() {
        let depth = match &cell {
            DepthCell::Level { depth, upper, .. } => Some((*depth, upper.unwrap_or(*depth))),
            DepthCell::Upgrade { from, to } => {
                if n == 1 || i == n - 1 {
                    Some((*to, *to))
                } else if i == 0 {
                    Some((*from, *from))
                } else {
                    Some((*from, *to))
                }
            }
            DepthCell::Reinforced => None,
            DepthCell::NotTaught | DepthCell::Unknown { .. } => continue,
        };
        out.push((slug, depth));
    }
    out
}

#[cfg(test)]
pub(crate) mod testkit;

#[cfg(test)]
mod tests {
    use super::testkit::*;
    use super::*;

    #[test]
    fn record_rows_expand() {
        let row = |d: &str, l: &str| RecordConceptRow {
            concept: Cell::new("x", Span::default(), 1),
            depth: Cell::new(d, Span::default(), 1),
            lesson: Cell::new(l, Span::default(), 1),
            notes: Cell::default(),
            span: Span::default(),
            line: 1,
        };
        use Depth::*;
        assert_eq!(
            expand_record_row(&row(
                "INTRODUCED -> APPLIED",
                "building-a-cnn -> mnist-cnn-project"
            )),
            vec![
                ("building-a-cnn".into(), Some((Introduced, Introduced))),
                ("mnist-cnn-project".into(), Some((Applied, Applied)))
            ]
        );
        assert_eq!(
            expand_record_row(&row("MENTIONED -> DEVELOPED", "resnets")),
            vec![("resnets".into(), Some((Developed, Developed)))]
        );
        assert_eq!(
            expand_record_row(&row("DEVELOPED/APPLIED", "a")),
            vec![("a".into(), Some((Developed, Applied)))]
        );
        assert_eq!(
            expand_record_row(&row("REINFORCED", "a, b")),
            vec![("a".into(), None), ("b".into(), None)]
        );
        assert!(expand_record_row(&row("DEVELOPPED", "a")).is_empty());
    }

    #[test]
    fn claims_match_record_rows_and_depth_history() {
        let tree = small_course().build();
        let cur = tree.curriculum();
        let g = ConceptGraph::build(&cur, &matcher::test_settings());
        let resnets = cur.lesson_index("resnets").unwrap();
        let claims: Vec<&Claim> = g.lesson_claims[resnets]
            .iter()
            .map(|&i| &g.claims[i])
            .collect();
        let bn = claims
            .iter()
            .find(|c| c.concept.text == "Batch normalization (concept)")
            .unwrap();
        let m = bn.at_source.unwrap();
        assert_eq!(g.taught[m.target].row.concept.text, "Batch normalization");
        assert_eq!(m.score, 1.0);
        let api = claims
            .iter()
            .find(|c| c.concept.text == "Batch normalization (PyTorch API)")
            .unwrap();
        assert!(api.concept_match.is_none(), "{:?}", api.concept_match);
        let before = g.depth_before(bn.node, resnets).unwrap();
        assert_eq!(before.deepest, Depth::Introduced);
        let conv = claims
            .iter()
            .find(|c| c.concept.text == "Conv-pool-fc architecture pattern")
            .unwrap();
        let before = g.depth_before(conv.node, resnets).unwrap();
        assert_eq!(before.deepest, Depth::Applied);
        assert_eq!(g.taught[before.deepest_at].slug, "mnist-cnn-project");
        assert!(g.requirement_cycles(&cur).is_empty());
    }

    #[test]
    fn finds_cycles() {
        let mut tree = small_course();
        // building-a-cnn claims something from resnets, which claims from building-a-cnn.
        tree.lesson("3.1", "building-a-cnn", |l| {
            l.prereq(
                "Residual connection",
                "INTRODUCED",
                "INTRODUCED",
                "resnets (3.2)",
                "OK",
            )
        });
        let built = tree.build();
        let cur = built.curriculum();
        let g = ConceptGraph::build(&cur, &matcher::test_settings());
        let cycles = g.requirement_cycles(&cur);
        assert_eq!(cycles.len(), 1);
        let slugs: Vec<&str> = cycles[0]
            .iter()
            .map(|s| cur.lessons[s.lesson].slug.as_str())
            .collect();
        assert_eq!(slugs, ["building-a-cnn", "resnets"]);
    }
}
