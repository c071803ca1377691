//! Drawing the state: the counts line and notice, the rows inside the scrolled viewport
//! (windowed: a schema of 10,000 tables draws a screenful), and, comparing two snapshots, the
//! migrations and findings between them.

use gaps_core::diff::{Compared, Status, Tables};
use gaps_core::finding::Finding;
use gaps_core::view::{self, Layout, filter_findings, row_view, status_label};
use web_sys::HtmlElement;

use super::app::App;
use super::controls::{LIST_HEIGHT, MAX_LISTED, OVERSCAN, ROW_HEIGHT, ROW_PX};
use super::elements::{Res, clear, el, js, node, style, text_el};

impl App {
    /// Re-filters and re-renders everything below the controls.
    pub(super) fn refilter(&mut self) -> Res<()> {
        // The scroll position is read before anything is written: reading it after a write
        // would force the browser to lay the page out in the middle of the update.
        let top = self.ui.list.scroll_top() as f64;
        if !self.state.filters.query.trim().is_empty() {
            self.ensure_index();
        }
        self.filtered = view::filter(&self.diff, &self.index, &self.state);
        self.state.sync_cursor(&self.filtered.rows, &self.diff);
        // Where the browser will clamp the scroll position once the list has its new height.
        let bottom = (self.filtered.rows.len() as f64 * ROW_HEIGHT - LIST_HEIGHT).max(0.0);
        self.render_counts();
        self.ui
            .spacer
            .style()
            .set_property(
                "height",
                &format!("{}px", self.filtered.rows.len() * ROW_PX),
            )
            .map_err(js)?;
        self.render_rows(top.min(bottom))?;
        self.render_extra()?;
        self.write_hash();
        Ok(())
    }

    fn render_counts(&self) {
        let compare = self.state.selection.is_compare();
        let s = self.diff.summary();
        let w = |st| status_label(st, compare);
        let total = self.diff.count();
        let text = format!(
            "Tables: {} shown of {total} ({} {}, {} {}, {} altered, {} unchanged) \u{b7} Columns: {} matching ({} {}, {} {}, {} type, {} nullability, {} default, {} ok) \u{b7} Constraints and indexes: {} matching ({} {}, {} {}, {} changed, {} ok)",
            self.filtered.tables,
            s.tables_missing,
            w(Status::Missing),
            s.tables_unexpected,
            w(Status::Unexpected),
            s.tables_altered,
            s.tables_ok,
            self.filtered.columns,
            s.columns_missing,
            w(Status::Missing),
            s.columns_unexpected,
            w(Status::Unexpected),
            s.columns_type,
            s.columns_nullability,
            s.columns_default,
            s.columns_ok,
            self.filtered.constraints,
            s.constraints_missing,
            w(Status::Missing),
            s.constraints_unexpected,
            w(Status::Unexpected),
            s.constraints_changed,
            s.constraints_ok,
        );
        self.ui.counts.set_text_content(Some(&text));
        let notice = if let Some(reason) = &self.unavailable {
            format!("Schema not compared: {reason}")
        } else if self.diff.is_empty() {
            format!("No differences: the two schemas are identical ({total} tables compared).")
        } else if self.filtered.rows.is_empty() {
            "No rows match the current filters and search.".to_string()
        } else {
            String::new()
        };
        self.ui.notice.set_text_content(Some(&notice));
        let _ = self
            .ui
            .notice
            .style()
            .set_property("display", if notice.is_empty() { "none" } else { "block" });
    }

    /// Renders only the rows inside the scrolled viewport.
    pub(super) fn render_window(&self) -> Res<()> {
        self.render_rows(self.ui.list.scroll_top() as f64)
    }

    /// Renders the rows inside the viewport scrolled to `top`.
    fn render_rows(&self, top: f64) -> Res<()> {
        let ui = &self.ui;
        let range = view::window(
            self.filtered.rows.len(),
            top,
            LIST_HEIGHT,
            ROW_HEIGHT,
            OVERSCAN,
        );
        clear(&ui.rows);
        ui.rows
            .style()
            .set_property("top", &format!("{}px", range.start * ROW_PX))
            .map_err(js)?;
        for i in range {
            let Some(rv) = row_view(&self.diff, self.filtered.rows[i], &self.state) else {
                continue;
            };
            let row = el(&ui.doc, "div", &format!("gaps-row gaps-st-{}", rv.status))?;
            row.set_attribute("data-key", &rv.key).map_err(js)?;
            row.set_attribute("data-row", &i.to_string()).map_err(js)?;
            let cursor = i == self.state.cursor;
            if cursor {
                row.class_list().add_1("gaps-cursor").map_err(js)?;
            }
            style(
                &row,
                &[
                    ("height", &format!("{ROW_PX}px")),
                    ("line-height", &format!("{ROW_PX}px")),
                    ("display", "flex"),
                    ("white-space", "nowrap"),
                    ("overflow", "hidden"),
                    ("cursor", "pointer"),
                    ("background", if cursor { "#e8f0fe" } else { "transparent" }),
                ],
            );
            let badge = text_el(&ui.doc, "span", "gaps-badge", rv.status)?;
            style(
                &badge,
                &[
                    ("width", "90px"),
                    ("flex", "none"),
                    ("color", status_colour(rv.status)),
                ],
            );
            let marker = match rv.expanded {
                Some(true) => "\u{25be} ",
                Some(false) => "\u{25b8} ",
                None => "    ",
            };
            let name = text_el(
                &ui.doc,
                "span",
                "gaps-name",
                &format!(
                    "{}{marker}{}",
                    if rv.depth > 0 { "  " } else { "" },
                    rv.name
                ),
            )?;
            style(
                &name,
                &[("width", "32%"), ("flex", "none"), ("overflow", "hidden")],
            );
            row.append_child(&badge).map_err(js)?;
            row.append_child(&name).map_err(js)?;
            let left = text_el(&ui.doc, "span", "gaps-left", &rv.left)?;
            style(&left, &[("flex", "1"), ("overflow", "hidden")]);
            row.append_child(&left).map_err(js)?;
            if self.state.layout == Layout::SideBySide {
                let right = text_el(&ui.doc, "span", "gaps-right", &rv.right)?;
                style(&right, &[("flex", "1"), ("overflow", "hidden")]);
                row.append_child(&right).map_err(js)?;
            }
            ui.rows.append_child(&row).map_err(js)?;
        }
        Ok(())
    }

    /// Migrations and findings between the two snapshots (compare mode).
    fn render_extra(&self) -> Res<()> {
        let ui = &self.ui;
        clear(&ui.extra);
        let Some(d) = &self.snapshot_diff else {
            return Ok(());
        };
        let doc = &ui.doc;
        let section = |title: String, lines: Vec<String>, empty: &str| -> Res<HtmlElement> {
            let s = el(doc, "div", "gaps-extra-section")?;
            s.append_child(&node(text_el(doc, "h4", "", &title))?)
                .map_err(js)?;
            let ul = el(doc, "ul", "")?;
            if lines.is_empty() {
                ul.append_child(&node(text_el(doc, "li", "gaps-empty", empty))?)
                    .map_err(js)?;
            }
            let n = lines.len();
            for l in lines.into_iter().take(MAX_LISTED) {
                ul.append_child(&node(text_el(doc, "li", "", &l))?)
                    .map_err(js)?;
            }
            if n > MAX_LISTED {
                ul.append_child(&node(text_el(
                    doc,
                    "li",
                    "",
                    &format!("\u{2026} and {} more", n - MAX_LISTED),
                ))?)
                .map_err(js)?;
            }
            s.append_child(&ul).map_err(js)?;
            Ok(s)
        };
        let mig = match &d.migrations {
            Compared::Compared { diff: m } => {
                let mut lines: Vec<String> = m
                    .applied
                    .iter()
                    .map(|r| format!("applied {} {}", r.version, r.description))
                    .collect();
                lines.extend(
                    m.removed
                        .iter()
                        .map(|r| format!("removed {} {}", r.version, r.description)),
                );
                lines.extend(m.changed.iter().map(|c| {
                    format!(
                        "changed {} {}: {}",
                        c.version,
                        c.description,
                        c.changes.join("; ")
                    )
                }));
                section(
                    format!(
                        "Migrations between A and B: {} applied, {} removed, {} changed",
                        m.applied.len(),
                        m.removed.len(),
                        m.changed.len()
                    ),
                    lines,
                    "No migration differences.",
                )?
            }
            Compared::Unavailable { reason } => section(
                "Migrations between A and B: not compared".into(),
                vec![reason.clone()],
                "",
            )?,
        };
        ui.extra.append_child(&mig).map_err(js)?;
        if self.findings.is_none() {
            let note = text_el(
                doc,
                "p",
                "gaps-empty",
                "Findings: not compared (this page does not embed each snapshot's findings).",
            )?;
            ui.extra.append_child(&note).map_err(js)?;
            return Ok(());
        }
        let fl = |fs: &[Finding]| -> Vec<String> {
            filter_findings(fs, &self.state.filters)
                .into_iter()
                .map(|f| {
                    format!(
                        "{} {} {}: {}",
                        f.severity.as_str(),
                        f.action,
                        f.kind.as_str(),
                        f.message
                    )
                })
                .collect()
        };
        let appeared = fl(&d.findings.appeared);
        let cleared = fl(&d.findings.cleared);
        let s = el(doc, "div", "gaps-extra-section")?;
        s.append_child(&node(text_el(
            doc,
            "h4",
            "",
            &format!(
                "Findings: {} appeared, {} cleared, {} unchanged",
                appeared.len(),
                cleared.len(),
                d.findings.unchanged
            ),
        ))?)
        .map_err(js)?;
        let a = section("Appeared in B".into(), appeared, "No finding appeared.")?;
        a.set_id("gaps-findings-appeared");
        let c = section("Cleared since A".into(), cleared, "No finding cleared.")?;
        c.set_id("gaps-findings-cleared");
        s.append_child(&a).map_err(js)?;
        s.append_child(&c).map_err(js)?;
        ui.extra.append_child(&s).map_err(js)?;
        Ok(())
    }

    pub(super) fn apply_hash(&mut self, hash: &str) -> Res<()> {
        let frag = hash.strip_prefix('#').unwrap_or(hash);
        if frag == self.fragment {
            return Ok(());
        }
        let old = self.state.selection;
        self.state = view::from_fragment(frag, self.snapshots.len());
        self.sync_controls();
        if old != self.state.selection {
            self.recompute();
        }
        self.refilter()?;
        self.scroll_to_cursor();
        self.render_window()
    }
}

fn status_colour(s: &str) -> &'static str {
    match s {
        "missing" | "dropped" | "type" => "#b00020",
        "unexpected" | "added" => "#1a7f37",
        "nullability" | "default" | "altered" | "changed" => "#9a6700",
        _ => "#555",
    }
}
