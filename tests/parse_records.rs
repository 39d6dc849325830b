//! Records and module plans parsed from small real-shaped fixtures.

use lessonlint::model::{Depth, DepthCell, FileId, LoadType};
use lessonlint::parse::{classify, parse_module_plan, parse_record, DocKind};
use std::path::{Path, PathBuf};

fn fixture(p: &str) -> (PathBuf, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/records")
        .join(p);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (path, text)
}

#[test]
fn record_concept_index_and_summaries() {
    let (path, text) = fixture("module-3-1/record.md");
    assert_eq!(classify(&path, &text), DocKind::Record);
    let r = parse_record(FileId(3), &text);
    assert_eq!(r.file, FileId(3));
    assert_eq!(
        r.title.as_ref().map(|t| t.text.as_str()),
        Some("Module 3.1: Convolutional Networks — Record")
    );
    assert_eq!(r.module.as_deref(), Some("3.1"));
    assert_eq!(r.concepts.len(), 5);
    assert!(r.table_shape_issues.is_empty());

    let first = &r.concepts[0];
    assert_eq!(first.concept.text, "Convolution as a sliding filter");
    assert_eq!(first.lesson.text, "what-convolutions-compute");
    assert_eq!(first.line, 10);

    // Upgrade row: two depths, two lessons.
    let up = &r.concepts[1];
    assert_eq!(up.line, 11);
    assert_eq!(up.depth.text, "INTRODUCED -> APPLIED");
    assert_eq!(
        DepthCell::parse(&up.depth.text),
        DepthCell::Upgrade {
            from: Depth::Introduced,
            to: Depth::Applied
        }
    );
    assert_eq!(up.lesson.text, "building-a-cnn -> mnist-cnn-project");
    assert_eq!(
        &text[up.lesson.span.start..up.lesson.span.end],
        "building-a-cnn -> mnist-cnn-project"
    );

    // Several lessons in one cell.
    let multi = &r.concepts[2];
    assert_eq!(multi.depth.text, "REINFORCED");
    let lessons: Vec<&str> = multi.lesson.text.split(',').map(str::trim).collect();
    assert_eq!(
        lessons,
        ["activation-functions", "activation-functions-deep-dive"]
    );

    assert_eq!(
        r.concepts[3].notes.text,
        "Aside only; nn.AdaptiveAvgPool2d named"
    );
    assert_eq!(
        r.concepts[4].notes.text,
        "RF grows by k-1 per layer — no formula yet"
    );
    assert_eq!(r.concepts[4].line, 14);

    let slugs: Vec<&str> = r.lessons.iter().map(|s| s.slug.text.as_str()).collect();
    assert_eq!(
        slugs,
        [
            "what-convolutions-compute",
            "building-a-cnn",
            "mnist-cnn-project"
        ]
    );
    let s0 = &r.lessons[0];
    assert_eq!(s0.line, 18);
    assert_eq!(s0.status.as_ref().unwrap().text, "Built");
    assert_eq!(s0.load.as_ref().unwrap().text, "STRETCH");
    assert_eq!(s0.load.as_ref().unwrap().line, 21);
    let s1 = &r.lessons[1];
    assert_eq!(s1.status.as_ref().unwrap().text, "Built");
    assert_eq!(
        LoadType::parse(&s1.load.as_ref().unwrap().text),
        Ok(LoadType::Build)
    );
    let s2 = &r.lessons[2];
    assert_eq!(s2.status.as_ref().unwrap().text, "Built, reviewed");
    assert_eq!(s2.load.as_ref().unwrap().text, "PROJECT");
    let v = s2.load.as_ref().unwrap();
    assert_eq!(&text[v.span.start..v.span.end], "PROJECT");
    assert_eq!(
        &text[s2.slug.span.start..s2.slug.span.end],
        "mnist-cnn-project"
    );
}

#[test]
fn record_variants_and_shape_issues() {
    let (path, text) = fixture("module-2-1/record.md");
    assert_eq!(classify(&path, &text), DocKind::Record);
    let r = parse_record(FileId(0), &text);
    assert_eq!(r.module.as_deref(), Some("2.1"));
    assert_eq!(r.concepts.len(), 3);
    assert_eq!(r.table_shape_issues.len(), 1);
    let issue = &r.table_shape_issues[0];
    assert_eq!((issue.expected, issue.found, issue.line), (4, 5, 10));
    assert_eq!(issue.heading, "Concept Index");
    assert_eq!(r.concepts[1].concept.text, "Likelihood p(x_t");
    assert_eq!(
        DepthCell::parse(&r.concepts[2].depth.text).reached(),
        Some(Depth::Applied)
    );
    // `## Lesson Summaries` and a back-ticked slug heading.
    assert_eq!(r.lessons.len(), 2);
    assert_eq!(r.lessons[0].slug.text, "nn-module");
    assert_eq!(r.lessons[0].load.as_ref().unwrap().text, "BUILD");
    assert_eq!(r.lessons[1].status.as_ref().unwrap().text, "Planned");
    assert!(r.lessons[1].load.is_none());
}

#[test]
fn module_plan_lesson_sequence() {
    let (path, text) = fixture("module-3-1/plan.md");
    assert_eq!(classify(&path, &text), DocKind::ModulePlan);
    let p = parse_module_plan(FileId(1), &text);
    assert_eq!(p.module.as_deref(), Some("3.1"));
    assert_eq!(
        p.title.as_ref().unwrap().text,
        "Module 3.1: Convolutional Networks"
    );
    assert_eq!(p.text, text);
    assert!(p.table_shape_issues.is_empty());
    assert_eq!(p.sequence.len(), 3);
    let numbers: Vec<&str> = p.sequence.iter().map(|r| r.number.text.as_str()).collect();
    assert_eq!(numbers, ["1", "2", "3"]);
    let slugs: Vec<&str> = p.sequence.iter().map(|r| r.slug.text.as_str()).collect();
    assert_eq!(
        slugs,
        [
            "what-convolutions-compute",
            "building-a-cnn",
            "mnist-cnn-project"
        ]
    );
    let loads: Vec<&str> = p.sequence.iter().map(|r| r.load.text.as_str()).collect();
    assert_eq!(loads, ["STRETCH", "BUILD", "PROJECT"]);
    assert_eq!(
        p.sequence[1].core_concepts.text,
        "Conv-pool-fc pattern, receptive field"
    );
    assert_eq!(p.sequence[0].line, 13);
    assert_eq!(p.sequence[2].line, 15);
    assert_eq!(
        p.sequence[2].rationale.text,
        "Applies L1 and L2; p(y|x) read off the softmax"
    );
    let s = &p.sequence[0].slug;
    assert_eq!(
        &text[s.span.start..s.span.end],
        "`what-convolutions-compute`"
    );
}

#[test]
fn plan_in_a_series_dir_is_a_series_plan() {
    let (_, text) = fixture("module-3-1/plan.md");
    assert_eq!(
        classify(Path::new("c/series-3/plan.md"), &text),
        DocKind::SeriesPlan
    );
}
