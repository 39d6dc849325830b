//! The curriculum as a whole: its modules in course order, their plans and records, and every
//! lesson with its position.
//!
//! A lesson's position is `(series, module, #)`: the module from the tree
//! (`series-N/module-N-M/`), the number from the module plan's Lesson Sequence. That order is
//! what "earlier lesson" means in every cross-lesson check. A [`Curriculum`] borrows the parsed
//! documents; it owns only the index built over them.

use super::{Cell, FileId, Lesson, LoadType, ModulePlan, Record, RecordLessonSummary, SequenceRow};
use super::{SourceMap, Span};
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// A module number, `3.2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ModuleKey {
    pub series: u32,
    pub module: u32,
}

impl ModuleKey {
    pub fn new(series: u32, module: u32) -> Self {
        ModuleKey { series, module }
    }

    /// `3.2`, `3-2` or `3_2`, with nothing else around it but whitespace.
    pub fn parse(s: &str) -> Option<ModuleKey> {
        let s = s.trim();
        let (a, b) = s.split_once(['.', '-', '_'])?;
        Some(ModuleKey {
            series: a.trim().parse().ok()?,
            module: b.trim().parse().ok()?,
        })
    }

    /// The first `N.M` found in a text (`Module 3.2: Modern Architectures`, `3.2 — …`).
    pub fn find_in(s: &str) -> Option<ModuleKey> {
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_digit()) {
                let mut j = i;
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
                if j + 1 < b.len() && b[j] == b'.' && b[j + 1].is_ascii_digit() {
                    let mut k = j + 1;
                    while k < b.len() && b[k].is_ascii_digit() {
                        k += 1;
                    }
                    if let (Ok(a), Ok(c)) = (s[i..j].parse(), s[j + 1..k].parse()) {
                        return Some(ModuleKey::new(a, c));
                    }
                }
                i = j;
            } else {
                i += 1;
            }
        }
        None
    }

    /// A module directory name: `module-3-2` (also `module-3.2`, `module_3_2`).
    pub fn from_dir_name(name: &str) -> Option<ModuleKey> {
        let rest = name
            .strip_prefix("module-")
            .or_else(|| name.strip_prefix("module_"))?;
        ModuleKey::parse(rest)
    }

    /// The module directory a path lies in, if any.
    pub fn from_path(path: &Path) -> Option<ModuleKey> {
        path.components()
            .rev()
            .find_map(|c| c.as_os_str().to_str().and_then(ModuleKey::from_dir_name))
    }
}

impl fmt::Display for ModuleKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.series, self.module)
    }
}

/// A lesson cited in a Source cell: `architecture-evolution (3.2)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceRef {
    pub slug: String,
    /// The module written beside the slug, if any.
    pub module: Option<ModuleKey>,
    /// The module as written (`3.2`), for messages.
    pub module_text: Option<String>,
}

impl SourceRef {
    /// The lessons a Source cell cites. Cells hold `slug (M.N)`, several of them separated by
    /// commas, `;`, `+` or ` and `, or `-` / free text (which cite nothing checkable).
    pub fn parse_list(text: &str) -> Vec<SourceRef> {
        let t = text.trim();
        if t.is_empty() || matches!(t, "-" | "—" | "–" | "n/a" | "N/A") {
            return Vec::new();
        }
        let mut out = Vec::new();
        for part in split_outside_parens(t) {
            if let Some(r) = SourceRef::parse_one(part) {
                if !out.contains(&r) {
                    out.push(r);
                }
            }
        }
        out
    }

    fn parse_one(part: &str) -> Option<SourceRef> {
        let part = part.trim().trim_matches(['`', '*', '"']);
        let (head, paren) = match part.find('(') {
            Some(i) => (&part[..i], Some(part[i + 1..].trim_end_matches(')'))),
            None => (part, None),
        };
        let head = head.trim().trim_matches(['`', '*']);
        if head.is_empty() || head.contains(char::is_whitespace) {
            return None;
        }
        if !head
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            || !head.chars().any(|c| c.is_ascii_alphabetic())
        {
            return None;
        }
        let module_text = paren.and_then(|p| {
            let p = p.trim();
            ModuleKey::find_in(p).map(|_| {
                p.split(|c: char| !(c.is_ascii_digit() || c == '.'))
                    .find(|w| w.contains('.'))
                    .unwrap_or(p)
                    .to_string()
            })
        });
        Some(SourceRef {
            slug: head.to_ascii_lowercase(),
            module: paren.and_then(ModuleKey::find_in),
            module_text,
        })
    }
}

/// Splits on `,`, `;`, `+`, `&` and ` and ` outside parentheses.
fn split_outside_parens(t: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let bytes = t.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'(' => depth += 1,
            b')' => depth -= 1,
            b',' | b';' | b'+' | b'&' if depth <= 0 => {
                parts.push(&t[start..i]);
                start = i + 1;
            }
            b' ' if depth <= 0 && t[i..].starts_with(" and ") => {
                parts.push(&t[start..i]);
                start = i + 5;
                i += 4;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(&t[start..]);
    parts
}

/// A lesson slug as written in a plan or record cell: the first word, lower-cased, without
/// backticks or a trailing parenthetical (`` `resnets` ``, `resnets (L2)`).
pub fn slug_of(text: &str) -> Option<String> {
    let t = text.trim();
    let t = match t.find('(') {
        Some(i) => &t[..i],
        None => t,
    };
    let word = t
        .split_whitespace()
        .next()?
        .trim_matches(['`', '*', '"', '\'', '.', ',']);
    if word.is_empty() || word == "-" {
        return None;
    }
    Some(word.to_ascii_lowercase())
}

/// The lessons a record's Lesson cell names: one slug, several separated by commas, or an
/// upgrade `a -> b`. Returns the slugs in order with whether the cell was an upgrade chain.
pub fn record_lessons(text: &str) -> (Vec<String>, bool) {
    let norm = text.replace('→', "->").replace("=>", "->");
    let upgrade = norm.contains("->");
    let mut out = Vec::new();
    for part in norm.split("->").flat_map(|p| p.split([',', ';', '+', '&'])) {
        if let Some(s) = slug_of(part) {
            out.push(s);
        }
    }
    (out, upgrade)
}

/// Where a lesson of the course comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// A row of its module plan's Lesson Sequence.
    Planned,
    /// A lesson plan file in the module's `lessons/`, absent from the plan.
    FileOnly,
    /// A `### slug` block in the module's record, absent from the plan and without a file.
    RecordOnly,
}

/// One lesson of the course, in course order.
#[derive(Debug, Clone)]
pub struct CourseLesson<'a> {
    pub slug: String,
    /// Index into [`Curriculum::modules`].
    pub module: usize,
    pub key: ModuleKey,
    /// The `#` of its Lesson Sequence row.
    pub seq: Option<u32>,
    /// Index in course order (equal to its index in [`Curriculum::lessons`]).
    pub order: usize,
    pub origin: Origin,
    pub plan_row: Option<&'a SequenceRow>,
    /// The load type of its Lesson Sequence row.
    pub load: Option<LoadType>,
    /// Its lesson plan file, when there is one.
    pub file: Option<&'a Lesson>,
    /// Its `### slug` block in the module record.
    pub summary: Option<&'a RecordLessonSummary>,
}

impl CourseLesson<'_> {
    /// `3.2 #2` (or `3.2` when the plan gives no number).
    pub fn position(&self) -> String {
        match self.seq {
            Some(n) => format!("{} #{n}", self.key),
            None => self.key.to_string(),
        }
    }
    /// `resnets (3.2 #2)`.
    pub fn describe(&self) -> String {
        format!("{} ({})", self.slug, self.position())
    }
}

/// One module of the course.
#[derive(Debug, Clone)]
pub struct CourseModule<'a> {
    pub key: ModuleKey,
    /// The module's directory, when it was found in a tree.
    pub dir: Option<PathBuf>,
    pub plan: Option<&'a ModulePlan>,
    pub record: Option<&'a Record>,
    /// Lesson plan files found in the module's directory.
    pub lesson_files: Vec<&'a Lesson>,
    /// Indices into [`Curriculum::lessons`], in course order.
    pub lessons: Vec<usize>,
    /// A second plan or record found for the same module (reported, otherwise ignored).
    pub duplicates: Vec<FileId>,
}

impl CourseModule<'_> {
    /// Title from the plan or the record (`Modern Architectures`), if written.
    pub fn title(&self) -> Option<String> {
        let raw = self
            .plan
            .and_then(|p| p.title.as_ref())
            .or(self.record.and_then(|r| r.title.as_ref()))?;
        let t = raw.text.trim();
        let t = t
            .split_once(':')
            .map(|(_, b)| b)
            .or_else(|| t.split_once(['—', '–']).map(|(_, b)| b))
            .unwrap_or(t);
        let t = t
            .trim()
            .trim_end_matches("Record")
            .trim_end_matches("Plan")
            .trim_end_matches(['—', '–', '-', ' '])
            .trim()
            .trim_end_matches(" --")
            .trim();
        if t.is_empty() {
            None
        } else {
            Some(t.to_string())
        }
    }
}

/// The parsed documents a curriculum is assembled from.
#[derive(Debug, Clone, Copy)]
pub struct Documents<'a> {
    pub sources: &'a SourceMap,
    pub lessons: &'a [Lesson],
    pub records: &'a [Record],
    pub plans: &'a [ModulePlan],
    /// `course.md`, when one was read.
    pub course: Option<FileId>,
}

/// The whole course: modules in order, lessons in course order, lookups by slug.
#[derive(Debug, Clone)]
pub struct Curriculum<'a> {
    /// The files the documents were read from.
    pub sources: &'a SourceMap,
    pub course: Option<FileId>,
    pub modules: Vec<CourseModule<'a>>,
    pub lessons: Vec<CourseLesson<'a>>,
    /// Lesson plans that lie in no module directory (a lesson linted on its own).
    pub loose: Vec<&'a Lesson>,
    /// Records and plans whose module could not be told (no `module-N-M` directory and no
    /// module number in the title).
    pub unplaced: Vec<FileId>,
    by_slug: HashMap<String, usize>,
    /// Slugs that name more than one lesson: `(slug, every course index)`.
    pub duplicate_slugs: Vec<(String, Vec<usize>)>,
    module_index: HashMap<ModuleKey, usize>,
}

impl<'a> Curriculum<'a> {
    /// Assembles the curriculum. Deterministic: the order of the input does not matter.
    pub fn assemble(docs: Documents<'a>) -> Curriculum<'a> {
        let mut modules: Vec<CourseModule<'a>> = Vec::new();
        let mut module_index: HashMap<ModuleKey, usize> = HashMap::new();
        let mut unplaced = Vec::new();
        let path_of = |f: FileId| docs.sources.get(f).path.as_path();

        fn module_slot<'a>(
            modules: &mut Vec<CourseModule<'a>>,
            index: &mut HashMap<ModuleKey, usize>,
            key: ModuleKey,
            dir: Option<PathBuf>,
        ) -> usize {
            if let Some(&i) = index.get(&key) {
                if modules[i].dir.is_none() {
                    modules[i].dir = dir;
                }
                return i;
            }
            modules.push(CourseModule {
                key,
                dir,
                plan: None,
                record: None,
                lesson_files: Vec::new(),
                lessons: Vec::new(),
                duplicates: Vec::new(),
            });
            index.insert(key, modules.len() - 1);
            modules.len() - 1
        }

        let module_dir = |p: &Path| -> Option<PathBuf> {
            let mut cur = p.parent();
            while let Some(d) = cur {
                if d.file_name()
                    .and_then(|n| n.to_str())
                    .and_then(ModuleKey::from_dir_name)
                    .is_some()
                {
                    return Some(d.to_path_buf());
                }
                cur = d.parent();
            }
            None
        };

        // Plans and records in path order, so that "the first one wins" is deterministic.
        let mut plans: Vec<&'a ModulePlan> = docs.plans.iter().collect();
        plans.sort_by(|a, b| path_of(a.file).cmp(path_of(b.file)));
        for plan in plans {
            let p = path_of(plan.file);
            let key = ModuleKey::from_path(p).or_else(|| {
                plan.module
                    .as_deref()
                    .and_then(ModuleKey::parse)
                    .or_else(|| {
                        plan.title
                            .as_ref()
                            .and_then(|t| ModuleKey::find_in(&t.text))
                    })
            });
            let Some(key) = key else {
                unplaced.push(plan.file);
                continue;
            };
            let i = module_slot(&mut modules, &mut module_index, key, module_dir(p));
            if modules[i].plan.is_some() {
                modules[i].duplicates.push(plan.file);
            } else {
                modules[i].plan = Some(plan);
            }
        }
        let mut records: Vec<&'a Record> = docs.records.iter().collect();
        records.sort_by(|a, b| path_of(a.file).cmp(path_of(b.file)));
        for record in records {
            let p = path_of(record.file);
            let key = ModuleKey::from_path(p).or_else(|| {
                record
                    .module
                    .as_deref()
                    .and_then(ModuleKey::parse)
                    .or_else(|| {
                        record
                            .title
                            .as_ref()
                            .and_then(|t| ModuleKey::find_in(&t.text))
                    })
            });
            let Some(key) = key else {
                unplaced.push(record.file);
                continue;
            };
            let i = module_slot(&mut modules, &mut module_index, key, module_dir(p));
            if modules[i].record.is_some() {
                modules[i].duplicates.push(record.file);
            } else {
                modules[i].record = Some(record);
            }
        }
        let mut loose = Vec::new();
        let mut lessons_sorted: Vec<&'a Lesson> = docs.lessons.iter().collect();
        lessons_sorted.sort_by(|a, b| path_of(a.file).cmp(path_of(b.file)));
        for lesson in lessons_sorted {
            let p = path_of(lesson.file);
            match ModuleKey::from_path(p) {
                Some(key) => {
                    let i = module_slot(&mut modules, &mut module_index, key, module_dir(p));
                    modules[i].lesson_files.push(lesson);
                }
                None => loose.push(lesson),
            }
        }
        modules.sort_by_key(|m| m.key);
        module_index = modules
            .iter()
            .enumerate()
            .map(|(i, m)| (m.key, i))
            .collect();

        // Lessons of each module in order: planned rows by number, then files not in the
        // plan (by slug), then record blocks with neither.
        let mut lessons: Vec<CourseLesson<'a>> = Vec::new();
        for (mi, m) in modules.iter_mut().enumerate() {
            let mut here: Vec<CourseLesson<'a>> = Vec::new();
            let seen =
                |here: &Vec<CourseLesson<'a>>, slug: &str| here.iter().any(|l| l.slug == slug);
            if let Some(plan) = m.plan {
                let mut rows: Vec<(u32, usize, &'a SequenceRow)> = plan
                    .sequence
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (leading_number(&r.number.text).unwrap_or(i as u32 + 1), i, r))
                    .collect();
                rows.sort_by_key(|&(n, i, _)| (n, i));
                for (n, _, row) in rows {
                    let Some(slug) = slug_of(&row.slug.text) else {
                        continue;
                    };
                    if seen(&here, &slug) {
                        continue;
                    }
                    here.push(CourseLesson {
                        slug,
                        module: mi,
                        key: m.key,
                        seq: Some(n),
                        order: 0,
                        origin: Origin::Planned,
                        plan_row: Some(row),
                        load: LoadType::parse(&row.load.text).ok(),
                        file: None,
                        summary: None,
                    });
                }
            }
            let mut files = m.lesson_files.clone();
            files.sort_by(|a, b| a.slug.cmp(&b.slug));
            for f in files {
                let slug = f.slug.to_ascii_lowercase();
                if let Some(l) = here.iter_mut().find(|l| l.slug == slug) {
                    if l.file.is_none() {
                        l.file = Some(f);
                    }
                    continue;
                }
                here.push(CourseLesson {
                    slug,
                    module: mi,
                    key: m.key,
                    seq: None,
                    order: 0,
                    origin: Origin::FileOnly,
                    plan_row: None,
                    load: None,
                    file: Some(f),
                    summary: None,
                });
            }
            if let Some(rec) = m.record {
                for s in &rec.lessons {
                    let Some(slug) = slug_of(&s.slug.text) else {
                        continue;
                    };
                    if let Some(l) = here.iter_mut().find(|l| l.slug == slug) {
                        if l.summary.is_none() {
                            l.summary = Some(s);
                        }
                        continue;
                    }
                    here.push(CourseLesson {
                        slug,
                        module: mi,
                        key: m.key,
                        seq: None,
                        order: 0,
                        origin: Origin::RecordOnly,
                        plan_row: None,
                        load: None,
                        file: None,
                        summary: Some(s),
                    });
                }
            }
            for mut l in here {
                l.order = lessons.len();
                m.lessons.push(l.order);
                lessons.push(l);
            }
        }

        let mut by_slug: HashMap<String, usize> = HashMap::new();
        let mut dups: HashMap<String, Vec<usize>> = HashMap::new();
        for l in &lessons {
            if let Some(&first) = by_slug.get(&l.slug) {
                dups.entry(l.slug.clone())
                    .or_insert_with(|| vec![first])
                    .push(l.order);
            } else {
                by_slug.insert(l.slug.clone(), l.order);
            }
        }
        let mut duplicate_slugs: Vec<(String, Vec<usize>)> = dups.into_iter().collect();
        duplicate_slugs.sort();
        unplaced.sort();

        Curriculum {
            sources: docs.sources,
            course: docs.course,
            modules,
            lessons,
            loose,
            unplaced,
            by_slug,
            duplicate_slugs,
            module_index,
        }
    }

    /// The lesson with this slug (the first one in course order, if the slug repeats).
    pub fn lesson(&self, slug: &str) -> Option<&CourseLesson<'a>> {
        self.by_slug
            .get(&slug.to_ascii_lowercase())
            .map(|&i| &self.lessons[i])
    }

    pub fn lesson_index(&self, slug: &str) -> Option<usize> {
        self.by_slug.get(&slug.to_ascii_lowercase()).copied()
    }

    pub fn module(&self, key: ModuleKey) -> Option<&CourseModule<'a>> {
        self.module_index.get(&key).map(|&i| &self.modules[i])
    }

    pub fn module_of(&self, lesson: &CourseLesson) -> &CourseModule<'a> {
        &self.modules[lesson.module]
    }

    /// The lesson whose plan file this is.
    pub fn lesson_of_file(&self, file: FileId) -> Option<&CourseLesson<'a>> {
        self.lessons
            .iter()
            .find(|l| l.file.is_some_and(|f| f.file == file))
    }

    /// Display name of a file.
    pub fn file_name(&self, file: FileId) -> &str {
        &self.sources.get(file).name
    }

    /// Whether any module has a record (the checks against records can run).
    pub fn has_records(&self) -> bool {
        self.modules.iter().any(|m| m.record.is_some())
    }

    /// Whether any module has a plan (the checks against module plans can run).
    pub fn has_plans(&self) -> bool {
        self.modules.iter().any(|m| m.plan.is_some())
    }

    /// Every lesson plan file of the curriculum, placed or loose, with its course index.
    pub fn lesson_files(&self) -> impl Iterator<Item = (Option<usize>, &'a Lesson)> + '_ {
        self.lessons
            .iter()
            .filter_map(|l| l.file.map(|f| (Some(l.order), f)))
            .chain(self.loose.iter().map(|&f| (None, f)))
    }
}

/// The number a `#` cell starts with (`2`, `2.`, `L2`).
fn leading_number(text: &str) -> Option<u32> {
    let t = text.trim().trim_start_matches(['L', 'l', '#']);
    let digits: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

/// The span to point at for a cell, falling back to a whole row when the cell is empty.
pub fn cell_or(cell: &Cell, row: Span) -> Span {
    if cell.span.is_empty() {
        row
    } else {
        cell.span
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_keys() {
        assert_eq!(ModuleKey::parse("3.2"), Some(ModuleKey::new(3, 2)));
        assert_eq!(
            ModuleKey::from_dir_name("module-3-2"),
            Some(ModuleKey::new(3, 2))
        );
        assert_eq!(
            ModuleKey::from_dir_name("module-10.12"),
            Some(ModuleKey::new(10, 12))
        );
        assert_eq!(ModuleKey::from_dir_name("lessons"), None);
        assert_eq!(
            ModuleKey::find_in("Module 3.2: Modern Architectures — Record"),
            Some(ModuleKey::new(3, 2))
        );
        assert_eq!(
            ModuleKey::from_path(Path::new("c/series-3/module-3-2/lessons/resnets.md")),
            Some(ModuleKey::new(3, 2))
        );
        assert_eq!(ModuleKey::new(1, 3).to_string(), "1.3");
    }

    #[test]
    fn source_cells() {
        let r = SourceRef::parse_list("architecture-evolution (3.2)");
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].slug, "architecture-evolution");
        assert_eq!(r[0].module, Some(ModuleKey::new(3, 2)));
        assert_eq!(r[0].module_text.as_deref(), Some("3.2"));
        assert!(SourceRef::parse_list("-").is_empty());
        assert!(SourceRef::parse_list("general background").is_empty());
        let two = SourceRef::parse_list("nn-module (2.1), training-loop (2.1)");
        assert_eq!(
            two.iter().map(|r| r.slug.as_str()).collect::<Vec<_>>(),
            ["nn-module", "training-loop"]
        );
        let and = SourceRef::parse_list("`nn-module` (2.1) and training-loop");
        assert_eq!(and.len(), 2);
        assert_eq!(and[1].module, None);
    }

    #[test]
    fn record_lesson_cells() {
        assert_eq!(
            record_lessons("building-a-cnn -> mnist-cnn-project"),
            (
                vec!["building-a-cnn".into(), "mnist-cnn-project".into()],
                true
            )
        );
        assert_eq!(
            record_lessons("activation-functions, activation-functions-deep-dive"),
            (
                vec![
                    "activation-functions".into(),
                    "activation-functions-deep-dive".into()
                ],
                false
            )
        );
        assert_eq!(record_lessons("`resnets`"), (vec!["resnets".into()], false));
        assert_eq!(record_lessons("-").0, Vec::<String>::new());
    }
}
