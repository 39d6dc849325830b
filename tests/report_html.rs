//! `--format html`: one self-contained page with each lesson's source, the findings annotated
//! inline at their lines, the review timeline and an inline SVG of the prerequisites. The page is
//! opened in headless Chromium when one is installed.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::*;

const ANNOTATION: &str = "2 misconceptions; the house rule asks for at least 3";

fn broken_page() -> (Scratch, String) {
    let s = Scratch::new();
    s.break_autograd();
    let o = s.run(&["lint", "course", "--format", "html"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let page = stdout(&o);
    (s, page)
}

#[test]
fn page_is_self_contained() {
    let (_s, page) = broken_page();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.trim_end().ends_with("</html>"));
    for banned in ["<script", "<link", "src=", "url(http", "@import"] {
        assert!(!page.contains(banned), "page contains {banned}");
    }
    let external: Vec<&str> = page
        .match_indices("http")
        .map(|(i, _)| &page[i..(i + 40).min(page.len())])
        .filter(|s| !s.starts_with("http://www.w3.org/2000/svg"))
        .collect();
    assert!(external.is_empty(), "external references: {external:?}");
}

#[test]
fn findings_are_annotated_under_their_lines() {
    let (_s, page) = broken_page();
    // Line 39 of autograd-basics is the Misconceptions Table heading; the annotation row follows
    // it directly, before line 40.
    let file = page
        .find("<section class=\"file\" id=\"f")
        .expect("file section");
    let section = &page[file..];
    let start = section
        .find("<h2>course/series-1/module-1-1/lessons/autograd-basics.md</h2>")
        .expect("autograd section");
    let section = &section[start..];
    let l39 = section
        .find("\">39</a></td><td class=\"code\">### Misconceptions Table</td></tr>")
        .expect("line 39");
    let l40 = section.find("\">40</a></td>").expect("line 40");
    let ann = section.find(ANNOTATION).expect("annotation");
    assert!(
        l39 < ann && ann < l40,
        "the annotation sits between lines 39 and 40"
    );
    assert!(
        section[l39 - 200..l39].contains("class=\"hit error\""),
        "line 39 is highlighted"
    );
    assert!(section[..l40].contains("<div class=\"finding error\" id=\"d0\">"));
    assert!(section[..l40].contains("help: add rows to the Misconceptions Table"));
    // The checklist finding sits under line 92.
    let l92 = section.find("\">92</a></td>").expect("line 92");
    let l93 = section.find("\">93</a></td>").expect("line 93");
    let c = section
        .find("checklist claims 3 misconceptions; the Misconceptions Table has 2")
        .expect("checklist finding");
    assert!(l92 < c && c < l93);
}

#[test]
fn lessons_show_their_gate_timeline_and_prerequisite_graph() {
    let (_s, page) = broken_page();
    let at = page
        .find("<h2>course/series-1/module-1-1/lessons/autograd-basics.md</h2>")
        .unwrap();
    let section = &page[at..];
    let section = &section[..section.find("</section>").unwrap()];
    assert!(section.contains("<strong>Not ready: blocked</strong>"));
    assert!(section.contains("<li>2 errors from lessonlint (checklist-claim-contradicts-tables, too-few-misconceptions)</li>"));
    assert!(section.contains("<tr><td>2026-02-12</td><td>1/3</td><td class=\"num\">0</td><td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">0</td><td>NEEDS REVISION</td></tr>"));
    assert!(section.contains("<tr><td>2026-02-13</td><td>2/3</td>"));
    let svg = &section[section.find("<svg").expect("inline svg")..section.find("</svg>").unwrap()];
    assert!(svg.contains(">tensors-basics</text>"));
    assert!(svg.contains(">Tensor shapes (DEVELOPED / DEVELOPED)</text>"));
    assert!(svg.contains(">autograd-basics</text>"));
    assert_eq!(svg.matches("class=\"concept ok\"").count(), 2);
    // The clean lesson is there too, its source folded.
    let t = page
        .find("<h2>course/series-1/module-1-1/lessons/tensors-basics.md</h2>")
        .unwrap();
    let tsec = &page[t..];
    let tsec = &tsec[..tsec.find("</section>").unwrap()];
    assert!(tsec.contains("<strong>Ready to merge</strong>"));
    assert!(tsec.contains("<details class=\"source\"><summary>"));
}

#[test]
fn source_text_is_escaped() {
    let s = Scratch::new();
    s.edit(
        AUTOGRAD,
        "### Target Concept\n",
        "### Target Concept\n\n<b>bold</b> & <script>alert(1)</script>\n",
    );
    let o = s.run(&["lint", "course", "--format", "html"]);
    let page = stdout(&o);
    assert!(page.contains("&lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!page.contains("<script>"));
}

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for name in ["chromium", "chromium-browser"] {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Runs the browser with a time limit; returns (stdout, stderr).
fn run_browser(bin: &Path, page: &Path, profile: &Path) -> (String, String) {
    let out_path = profile.join("dom.html");
    let err_path = profile.join("stderr.txt");
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!(
            "--user-data-dir={}",
            profile.join("profile").display()
        ))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).expect("dom file"))
        .stderr(std::fs::File::create(&err_path).expect("stderr file"))
        .spawn()
        .expect("start chromium");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(200)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("chromium did not finish within 120 s");
            }
        }
    }
    (
        std::fs::read_to_string(&out_path).unwrap_or_default(),
        std::fs::read_to_string(&err_path).unwrap_or_default(),
    )
}

#[test]
fn page_opens_in_headless_chromium_and_shows_the_annotation() {
    let Some(bin) = chromium() else {
        eprintln!("skipped: no chromium or chromium-browser on PATH (install Debian's `chromium` to run this test)");
        return;
    };
    let (s, page) = broken_page();
    let file = s.root().join("report.html");
    std::fs::write(&file, &page).expect("write page");
    let (dom, err) = run_browser(&bin, &file, s.root());
    assert!(
        dom.contains("<title>lessonlint report</title>"),
        "no DOM dumped; stderr:\n{err}"
    );
    assert!(
        dom.contains(ANNOTATION),
        "annotation missing from the rendered DOM"
    );
    assert!(dom.contains("class=\"finding error\""));
    assert!(dom.contains("<svg"), "the prerequisite graph is in the DOM");
    let console: Vec<&str> = err
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .collect();
    assert!(console.is_empty(), "console messages: {console:#?}");
}
