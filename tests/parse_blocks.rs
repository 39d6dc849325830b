//! Fenced code blocks, skip markers and HTML comments.

use lessonlint::model::FileId;
use lessonlint::parse::parse_lesson;

const DOC: &str = "# Lesson: Code\n\
\n\
<!-- lessonlint: disable too-few-examples -->\n\
\n\
```python expect-error\n\
x = torch.zeros(2, 3)\n\
y = x @ x\n\
```\n\
\n\
<!-- lessonlint: skip -->\n\
```python\n\
import torch\n\
```\n\
\n\
Text with an <!-- inline note --> comment.\n\
\n\
- Step one:\n\
\n\
  ```python\n\
  a = 1\n\
  ```\n\
\n\
~~~\n\
unclosed = True\n";

#[test]
fn code_blocks_and_comments() {
    let l = parse_lesson(FileId(0), DOC);
    assert_eq!(l.code_blocks.len(), 4);
    let b = &l.code_blocks[0];
    assert_eq!(b.info, "python expect-error");
    assert_eq!(b.code, "x = torch.zeros(2, 3)\ny = x @ x\n");
    assert_eq!((b.line, b.code_line), (5, 6));
    assert!(DOC[b.code_offset..].starts_with("x = torch.zeros"));
    assert!(!b.skip_comment);
    assert!(DOC[b.span.start..b.span.end].starts_with("```python expect-error"));

    let b = &l.code_blocks[1];
    assert!(b.skip_comment);
    assert_eq!(b.code, "import torch\n");
    assert_eq!(b.code_line, 12);
    assert!(DOC[b.code_offset..].starts_with("import torch"));

    // Inside a list item: the offset skips the item's indentation.
    let b = &l.code_blocks[2];
    assert_eq!(b.code, "a = 1\n");
    assert_eq!(b.code_line, 20);
    assert!(DOC[b.code_offset..].starts_with("a = 1"));

    // An unclosed fence runs to the end of the file.
    let b = &l.code_blocks[3];
    assert_eq!(b.code, "unclosed = True\n");
    assert_eq!(b.info, "");

    let comments: Vec<(&str, usize)> = l
        .comments
        .iter()
        .map(|c| (c.text.as_str(), c.line))
        .collect();
    assert_eq!(
        comments,
        [
            ("<!-- lessonlint: disable too-few-examples -->", 3),
            ("<!-- lessonlint: skip -->", 10),
            ("<!-- inline note -->", 15)
        ]
    );
    for c in &l.comments {
        assert_eq!(&DOC[c.span.start..c.span.end], c.text);
    }
}

#[test]
fn crlf_code_is_normalised_and_offsets_stay_on_the_code() {
    let crlf = DOC.replace('\n', "\r\n");
    let a = parse_lesson(FileId(0), DOC);
    let b = parse_lesson(FileId(0), &crlf);
    assert_eq!(
        serde_json::to_value(&a).unwrap(),
        serde_json::to_value(&b).unwrap()
    );
    for blk in &b.code_blocks {
        let first = blk.code.lines().next().unwrap_or("");
        assert!(crlf[blk.code_offset..].starts_with(first));
    }
}
