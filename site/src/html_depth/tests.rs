//! Tests of the HTML depth model: tokenising, what an end tag closes, refusals, and the property that accepted HTML never nests deeper in html5ever's tree than the limit.

use super::*;
use proptest::prelude::*;

fn depth_after(html: &str) -> Result<usize, Refused> {
    let mut m = OpenElements::default();
    m.try_run(&[html], 0, 1000).map(|()| m.depth())
}

#[test]
fn nested_and_closed_elements_are_counted() {
    assert_eq!(depth_after("<div><div><span>x"), Ok(3));
    assert_eq!(depth_after("<div><div></div></div>"), Ok(0));
    assert_eq!(depth_after("<br><img src=x><hr/>"), Ok(0));
    assert_eq!(
        depth_after("<!-- <div> --><?php <div> ?><!doctype html>"),
        Ok(0)
    );
    assert_eq!(depth_after("<div title='a > <div>'>"), Ok(1));
    // A quote not after `=` is part of the attribute name, as html5ever reads it.
    assert_eq!(depth_after("<div x\"><div>\""), Ok(2));
}

#[test]
fn an_end_tag_closes_only_the_element_opened_last() {
    assert_eq!(depth_after("<span><div></span>"), Ok(2));
    assert_eq!(depth_after("<div><span></div>"), Ok(2));
    assert_eq!(depth_after("<b><i></i></b>"), Ok(0));
}

#[test]
fn what_a_run_leaves_open_stays_counted() {
    let mut m = OpenElements::default();
    m.try_run(&["<details>", "<summary>", "", "</summary>"], 0, 10)
        .unwrap();
    m.try_run(&["</details>"], 0, 10).unwrap();
    assert_eq!(m.depth(), 1);
}

/// Found by the property below: html5ever answers `</p>` without an open `p` by
/// inserting an empty one, one level deeper.
#[test]
fn a_stray_end_p_counts_the_empty_p_html5ever_inserts() {
    let mut m = OpenElements::default();
    assert_eq!(
        m.try_run(&["<em><blockquote></p>"], 0, 2),
        Err(Refused::TooDeep)
    );
    assert_eq!(m.try_run(&["<em><blockquote></p>"], 0, 3), Ok(()));
}

/// Found by the property below: `<td>` makes html5ever open tbody and tr too, and a model
/// element that html5ever never opened must not be closed in place of one it did.
#[test]
fn table_parts_are_refused_as_they_imply_parents() {
    for html in ["<td>", "<tr>", "<table>", "<col>", "<tbody>"] {
        assert_eq!(depth_after(html), Err(Refused::Opaque), "{html}");
    }
    // An end tag only closes the element the run opened last.
    assert_eq!(depth_after("<dl><pre><code></section>"), Ok(3));
}

#[test]
fn overlong_names_never_match_an_end_tag() {
    let long = "a".repeat(MAX_NAME + 5);
    let other = format!("{}b", "a".repeat(MAX_NAME + 4));
    assert_eq!(depth_after(&format!("<{long}></{other}>")), Ok(1));
}

#[test]
fn runs_the_model_cannot_follow_are_refused_and_leave_it_unchanged() {
    let mut m = OpenElements::default();
    m.try_run(&["<div>"], 0, 10).unwrap();
    assert_eq!(
        m.try_run(&["<div title=\"open"], 0, 10),
        Err(Refused::Unfinished)
    );
    assert_eq!(m.try_run(&["<!-- open"], 0, 10), Err(Refused::Unfinished));
    assert_eq!(m.try_run(&["<script>x"], 0, 10), Err(Refused::Opaque));
    assert_eq!(m.try_run(&["<svg><g>"], 0, 10), Err(Refused::Opaque));
    let many: String = (0..=MAX_ATTRIBUTES).map(|i| format!(" a{i}")).collect();
    assert_eq!(
        m.try_run(&[&format!("<p{many}>")], 0, 10),
        Err(Refused::TooManyAttributes)
    );
    assert_eq!(
        m.try_run(&[&"<div>".repeat(10)], 0, 10),
        Err(Refused::TooDeep)
    );
    assert_eq!(m.depth(), 1);
}

/// Deepest nesting of the elements in sanitised (so well-formed) HTML.
fn dom_depth(html: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..end];
        if let Some(name) = tag.strip_prefix('/') {
            let _ = name;
            depth = depth.saturating_sub(1);
        } else {
            let name = tag.split([' ', '/']).next().unwrap_or("");
            max = max.max(depth + 1);
            if !VOID.contains(&name) {
                depth += 1;
            }
        }
    }
    max
}

fn token() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "<div>",
        "</div>",
        "<span>",
        "</span>",
        "<b>",
        "</b>",
        "<i>",
        "</i>",
        "<a>",
        "</a>",
        "<p>",
        "</p>",
        "<li>",
        "</li>",
        "<ul>",
        "</ul>",
        "<table>",
        "</table>",
        "<td>",
        "</td>",
        "<tr>",
        "</tr>",
        "<em>",
        "</em>",
        "<br>",
        "x",
        " ",
        "<blockquote>",
        "</blockquote>",
        "<code>",
        "</code>",
        "<pre>",
        "</pre>",
        "<h1>",
        "</h1>",
        "<h2>",
        "</h2>",
        "<form>",
        "</form>",
        "<body>",
        "</body>",
        "<ol>",
        "</ol>",
        "<button>",
        "</button>",
        "<dl>",
        "<dd>",
        "</dd>",
        "<col>",
        "<caption>",
        "</caption>",
        "<thead>",
        "</tbody>",
        "<th>",
        "</th>",
        "<section>",
        "</section>",
        "<nobr>",
        "</nobr>",
        "<u>",
        "</u>",
        "<s>",
        "<details>",
        "</details>",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::proptest_cases(256)))]

    /// The model's whole point: what it accepts never nests deeper in html5ever's tree
    /// than the limit it was given.
    #[test]
    fn accepted_html_never_nests_deeper_than_the_limit(
        tokens in prop::collection::vec(token(), 0..60),
        limit in 1usize..12,
    ) {
        let html: String = tokens.concat();
        let mut m = OpenElements::default();
        if m.try_run(&[&html], 0, limit).is_ok() {
            let mut b = ammonia::Builder::empty();
            b.add_tags([
                "div", "span", "b", "i", "a", "p", "li", "ul", "table", "tbody", "td",
                "tr", "em", "br", "blockquote", "code", "pre", "h1", "h2", "form", "ol",
                "button", "dl", "dd", "col", "colgroup", "caption", "thead", "th",
                "section", "nobr", "u", "s", "details",
            ]);
            let cleaned = b.clean(&html).to_string();
            let actual = dom_depth(&cleaned);
            prop_assert!(actual <= limit, "{html} -> {cleaned}: depth {actual} > {limit}");
            prop_assert!(actual <= m.depth().max(limit));
        }
    }

    /// Any text at all: no panic, and a refusal leaves the model as it was.
    #[test]
    fn any_input_is_read_without_panic(html in ".{0,200}", limit in 0usize..50) {
        let mut m = OpenElements::default();
        let _ = m.try_run(&["<div><b>"], 0, 100);
        let before = m.depth();
        if m.try_run(&[&html], 0, limit).is_err() {
            prop_assert_eq!(m.depth(), before);
        }
    }
}
