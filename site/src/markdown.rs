//! The one place gaps renders Markdown: pulldown-cmark with explicit options (GFM tables, task
//! lists, strikethrough, footnotes, heading ids), then ammonia over the result, because a
//! gaps.md is written by anyone and its raw HTML reaches a page someone else opens.
//!
//! Headings get stable ids (`md-` + slug), footnotes link within the page, and `UNKNOWN-NNN`
//! references in running text become links to the report's unknowns index.
//!
//! Rendering stays linear in the document's size: the sanitiser's HTML parser costs more per
//! tag the more elements are open, so the page never nests deeper than [`MAX_DEPTH`]. Markdown
//! containers beyond it are flattened (their content kept), and raw HTML that would go deeper,
//! or that the depth model cannot follow ([`crate::html_depth`]), is shown escaped instead of
//! being sanitised.

use std::collections::HashMap;

use gaps_core::gapsmd::unknown_refs;
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

use crate::html_depth::OpenElements;

/// Deepest element nesting a rendered document may reach (markdown containers and raw HTML
/// together): room for every line gaps.md's nesting limit allows, with some to spare.
pub const MAX_DEPTH: usize = 2 * gaps_core::gapsmd_limits::MAX_NESTING + 16;

/// Every id this module writes starts with this, and raw HTML may only use ids that do too, so
/// a document can never shadow the report's own elements (`gaps-data`, section anchors).
pub const ID_PREFIX: &str = "md-";

/// The parser options, set explicitly rather than by default.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// A slug: lowercase ASCII letters, digits and single dashes.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("section");
    }
    out
}

/// The anchor of an `UNKNOWN-NNN` reference in the unknowns index.
pub fn unknown_anchor(id: &str) -> String {
    format!("unknown-{}", id.trim_start_matches("UNKNOWN-"))
}

/// Escapes text for HTML content and double-quoted attributes.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Renders Markdown to sanitised HTML. Secrets in the text are redacted first
/// ([`gaps_core::redact::redact_text`]): a registry may quote a connection string or a token,
/// and the page is shared.
pub fn render(markdown: &str) -> String {
    let markdown = gaps_core::redact::redact_text(markdown);
    let events = bound_depth(Parser::new_ext(&markdown, options()));
    let events = add_heading_ids(events);
    let events = rewrite_footnotes(events);
    let events = link_unknowns(events);
    let mut html = String::with_capacity(markdown.len() * 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    sanitizer().clean(&html).to_string()
}

/// Keeps the page within [`MAX_DEPTH`] open elements: a markdown container that would open
/// deeper is dropped (its content stays, in its parent), and a run of raw HTML that would, or
/// that the model refuses, becomes text (escaped on output). One pass, constant work per event.
fn bound_depth<'a>(events: impl Iterator<Item = Event<'a>>) -> Vec<Event<'a>> {
    let mut out = Vec::new();
    // One entry per open markdown container: whether it was kept.
    let mut kept: Vec<bool> = Vec::new();
    let mut depth = 0usize;
    let mut raw = OpenElements::default();
    let mut run: Vec<Event<'a>> = Vec::new();
    for ev in events {
        // Plain text makes no element, so it does not end a run of raw HTML.
        if matches!(
            ev,
            Event::Html(_) | Event::InlineHtml(_) | Event::Text(_) | Event::SoftBreak
        ) {
            run.push(ev);
            continue;
        }
        flush_raw(&mut run, &mut out, &mut raw, depth);
        match ev {
            Event::Start(tag) => {
                let keep = depth + raw.depth() < MAX_DEPTH;
                kept.push(keep);
                if keep {
                    depth += 1;
                    out.push(Event::Start(tag));
                }
            }
            Event::End(tag) => {
                if kept.pop().unwrap_or(false) {
                    depth -= 1;
                    out.push(Event::End(tag));
                }
            }
            other => out.push(other),
        }
    }
    flush_raw(&mut run, &mut out, &mut raw, depth);
    out
}

/// Emits a run of raw HTML as HTML when the depth model accepts it, else as text.
fn flush_raw<'a>(
    run: &mut Vec<Event<'a>>,
    out: &mut Vec<Event<'a>>,
    raw: &mut OpenElements,
    depth: usize,
) {
    if !run
        .iter()
        .any(|e| matches!(e, Event::Html(_) | Event::InlineHtml(_)))
    {
        out.append(run);
        return;
    }
    let pieces: Vec<&str> = run
        .iter()
        .map(|e| match e {
            Event::Html(t) | Event::InlineHtml(t) => t.as_ref(),
            _ => "",
        })
        .collect();
    let accepted = raw.try_run(&pieces, depth, MAX_DEPTH).is_ok();
    for ev in run.drain(..) {
        out.push(match ev {
            Event::Html(t) | Event::InlineHtml(t) if !accepted => Event::Text(t),
            other => other,
        });
    }
}

fn add_heading_ids(mut events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { .. }) = &events[i] {
            let mut text = String::new();
            let mut j = i + 1;
            while j < events.len() && !matches!(events[j], Event::End(TagEnd::Heading(_))) {
                if let Event::Text(t) | Event::Code(t) = &events[j] {
                    text.push_str(t);
                }
                j += 1;
            }
            if let Event::Start(Tag::Heading { id, .. }) = &mut events[i] {
                let base = match id.as_deref() {
                    Some(given) => slug(given),
                    None => slug(&text),
                };
                let n = seen.entry(base.clone()).or_insert(0);
                let unique = if *n == 0 {
                    base.clone()
                } else {
                    format!("{base}-{n}")
                };
                *n += 1;
                *id = Some(CowStr::from(format!("{ID_PREFIX}{unique}")));
            }
            i = j;
        }
        i += 1;
    }
    events
}

fn rewrite_footnotes(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut numbers: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(events.len());
    for ev in events {
        match ev {
            Event::FootnoteReference(label) => {
                let next = numbers.len() + 1;
                let n = *numbers.entry(label.to_string()).or_insert(next);
                let s = slug(&label);
                out.push(Event::InlineHtml(CowStr::from(format!(
                    "<sup><a href=\"#{ID_PREFIX}fn-{s}\" id=\"{ID_PREFIX}fnref-{s}\">{n}</a></sup>"
                ))));
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                let s = slug(&label);
                out.push(Event::Html(CowStr::from(format!(
                    "<div class=\"footnote\" id=\"{ID_PREFIX}fn-{s}\"><p><a href=\"#{ID_PREFIX}fnref-{s}\">{}</a></p>\n",
                    escape_html(&label)
                ))));
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                out.push(Event::Html(CowStr::from("</div>\n")));
            }
            other => out.push(other),
        }
    }
    out
}

fn link_unknowns(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut depth_link = 0usize;
    let mut in_code_block = false;
    let mut out = Vec::with_capacity(events.len());
    for ev in events {
        match &ev {
            Event::Start(Tag::Link { .. }) => depth_link += 1,
            Event::End(TagEnd::Link) => depth_link = depth_link.saturating_sub(1),
            Event::Start(Tag::CodeBlock(_)) => in_code_block = true,
            Event::End(TagEnd::CodeBlock) => in_code_block = false,
            _ => {}
        }
        match ev {
            Event::Text(text) if depth_link == 0 && !in_code_block => {
                let refs = unknown_refs(&text);
                if refs.is_empty() {
                    out.push(Event::Text(text));
                    continue;
                }
                let mut last = 0;
                for (s, e) in refs {
                    if s > last {
                        out.push(Event::Text(CowStr::from(text[last..s].to_string())));
                    }
                    let id = &text[s..e];
                    out.push(Event::InlineHtml(CowStr::from(format!(
                        "<a href=\"#{}\">{}</a>",
                        unknown_anchor(id),
                        id
                    ))));
                    last = e;
                }
                if last < text.len() {
                    out.push(Event::Text(CowStr::from(text[last..].to_string())));
                }
            }
            other => out.push(other),
        }
    }
    out
}

fn sanitizer() -> ammonia::Builder<'static> {
    let mut b = ammonia::Builder::default();
    b.add_tags(["input"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_generic_attributes(["id"])
        .add_url_schemes(["data"])
        .link_rel(Some("noopener noreferrer"))
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            // Ids only in our own namespace: no clobbering of the report's elements.
            (_, "id") if value.starts_with(ID_PREFIX) => Some(value.into()),
            (_, "id") => None,
            // Task-list boxes only; they are rendered disabled.
            ("input", "type") if value == "checkbox" => Some(value.into()),
            ("input", "type") => None,
            // The page is offline: images only from data: URLs (the CSP says the same).
            ("img", "src") if value.starts_with("data:image/") => Some(value.into()),
            ("img", "src") => None,
            (_, "href") if value.trim_start().to_ascii_lowercase().starts_with("data:") => None,
            _ => Some(value.into()),
        });
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gfm_tables_tasks_strikethrough_and_footnotes_render() {
        let md = "| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n\n~~old~~\n\nNote[^n].\n\n[^n]: The note.\n";
        let html = render(md);
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("<th>a</th>"), "{html}");
        assert!(html.contains("type=\"checkbox\""), "{html}");
        assert!(html.contains("checked"), "{html}");
        assert!(html.contains("<del>old</del>"), "{html}");
        assert!(html.contains("href=\"#md-fn-n\""), "{html}");
        assert!(html.contains("id=\"md-fn-n\""), "{html}");
    }

    #[test]
    fn headings_get_unique_prefixed_ids() {
        let html = render("## ACTION-001: Obtain Logs\n\n## Same\n\n## Same\n");
        assert!(html.contains("id=\"md-action-001-obtain-logs\""), "{html}");
        assert!(html.contains("id=\"md-same\""), "{html}");
        assert!(html.contains("id=\"md-same-1\""), "{html}");
    }

    #[test]
    fn raw_html_scripts_handlers_and_javascript_links_are_removed() {
        let md = "<script>alert(1)</script>\n\n\"><img src=x onerror=alert(2)>\n\n[click](javascript:alert(3)) <a href=\"javascript:alert(4)\">x</a>\n\n<div id=\"gaps-data\">clobber</div>\n";
        let html = render(md);
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("src=\"x\""), "{html}");
        assert!(!html.contains("id=\"gaps-data\""), "{html}");
    }

    #[test]
    fn remote_images_are_dropped_but_data_images_kept() {
        let html = render("![a](https://example.invalid/a.png) ![b](data:image/png;base64,AAAA)");
        assert!(!html.contains("example.invalid"), "{html}");
        assert!(html.contains("data:image/png;base64,AAAA"), "{html}");
    }

    #[test]
    fn unknown_references_link_to_the_index_but_not_inside_code() {
        let html = render("Resolves UNKNOWN-002, UNKNOWN-003\n\n```\nUNKNOWN-009\n```\n");
        assert!(html.contains("<a href=\"#unknown-002\""), "{html}");
        assert!(html.contains("<a href=\"#unknown-003\""), "{html}");
        assert!(!html.contains("#unknown-009"), "{html}");
    }

    /// Deepest nesting of `tag` elements in `html`.
    fn nesting(html: &str, tag: &str) -> usize {
        let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
        let (mut depth, mut max, mut i) = (0usize, 0usize, 0usize);
        while i < html.len() {
            if html[i..].starts_with(&open) {
                depth += 1;
                max = max.max(depth);
                i += open.len();
            } else if html[i..].starts_with(&close) {
                depth = depth.saturating_sub(1);
                i += close.len();
            } else {
                i += 1;
            }
        }
        max
    }

    #[test]
    fn deeply_nested_quotes_render_flattened_within_the_depth_limit() {
        let html = render(&format!("{} deep\n", ">".repeat(20_000)));
        assert!(html.contains("deep"), "the content is kept");
        let depth = nesting(&html, "blockquote");
        assert!(depth > 10 && depth <= MAX_DEPTH, "depth {depth}");
    }

    #[test]
    fn deeply_nested_raw_html_is_escaped_past_the_depth_limit() {
        let html = render(&format!("{}x\n", "<div>".repeat(20_000)));
        assert!(nesting(&html, "div") <= MAX_DEPTH);
        assert!(html.contains("&lt;div&gt;"), "the rest is shown as text");
    }

    #[test]
    fn raw_html_the_depth_model_cannot_follow_is_escaped_not_sanitised() {
        let html = render("<table><tr><td>cell</td></tr></table>\n");
        assert!(html.contains("&lt;table&gt;"), "{html}");
        let html = render("<div title=\"unfinished\n\ntext\n");
        assert!(!html.contains("<div"), "{html}");
    }

    #[test]
    fn ordinary_raw_html_is_still_sanitised_and_kept() {
        let md = "<details>\n<summary>More</summary>\n\nInside **bold**.\n\n</details>\n\nA <kbd>key</kbd> and <sup>1</sup>.\n";
        let html = render(md);
        assert!(html.contains("<details>"), "{html}");
        assert!(html.contains("<summary>More</summary>"), "{html}");
        assert!(html.contains("<kbd>key</kbd>"), "{html}");
        assert!(html.contains("<sup>1</sup>"), "{html}");
        assert!(!html.contains("&lt;"), "{html}");
    }
}
