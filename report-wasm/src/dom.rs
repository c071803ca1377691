//! The DOM side: builds the controls and the windowed row list from gaps-core's view logic and
//! wires events (input, change, scroll, keydown, hashchange) back into it.

use std::cell::RefCell;

use gaps_core::actions;
use gaps_core::diff::{
    Compared, SchemaDiff, SnapshotDiff, Status, diff_snapshots_with_findings, expected_vs_live,
    label,
};
use gaps_core::finding::{Finding, Severity};
use gaps_core::snapshot::Snapshot;
use gaps_core::view::{
    self, Filtered, KeyEffect, Layout, SearchIndex, Selection, ViewState, filter_findings,
    row_view, status_label,
};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{
    Document, Element, Event, HtmlElement, HtmlInputElement, HtmlSelectElement, KeyboardEvent,
};

// Pixel sizes as integers: formatting them never pulls float printing into the module.
const ROW_PX: usize = 22;
const LIST_PX: usize = 484;
const ROW_HEIGHT: f64 = ROW_PX as f64;
const LIST_HEIGHT: f64 = LIST_PX as f64;
const OVERSCAN: usize = 8;
const MAX_LISTED: usize = 200;

type Res<T> = Result<T, String>;

#[wasm_bindgen]
extern "C" {
    /// JavaScript's `String(value)`: a DOMException's name and message.
    #[wasm_bindgen(js_name = String)]
    fn js_string(value: &JsValue) -> String;
}

fn js(e: JsValue) -> String {
    e.as_string().unwrap_or_else(|| js_string(&e))
}

fn document() -> Res<Document> {
    web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| "no document".to_string())
}

fn el(doc: &Document, tag: &str, class: &str) -> Res<HtmlElement> {
    let e = doc.create_element(tag).map_err(js)?;
    if !class.is_empty() {
        e.set_class_name(class);
    }
    e.dyn_into::<HtmlElement>()
        .map_err(|_| format!("<{tag}> is not an HTML element"))
}

/// An element holding `text`, with control and bidi characters made visible
/// ([`gaps_core::escape::terminal_lines`]) as in the server-rendered tables: a hostile name
/// must not reorder or hide what the viewer shows.
fn text_el(doc: &Document, tag: &str, class: &str, text: &str) -> Res<HtmlElement> {
    let e = el(doc, tag, class)?;
    e.set_text_content(Some(&gaps_core::escape::terminal_lines(text)));
    Ok(e)
}

fn node(r: Res<HtmlElement>) -> Res<web_sys::Node> {
    r.map(Into::into)
}

fn style(e: &HtmlElement, props: &[(&str, &str)]) {
    let s = e.style();
    for (k, v) in props {
        let _ = s.set_property(k, v);
    }
}

fn clear(e: &Element) {
    while let Some(c) = e.first_child() {
        let _ = e.remove_child(&c);
    }
}

/// Writes a readable error into the mount point (or the body).
pub fn show_error(msg: &str) {
    let Ok(doc) = document() else { return };
    let target: Option<Element> = doc
        .get_element_by_id("gaps-diff-app")
        .or_else(|| doc.body().map(Into::into));
    let Some(target) = target else { return };
    clear(&target);
    if let Ok(e) = text_el(
        &doc,
        "div",
        "gaps-error",
        &format!("The diff viewer could not start: {msg}"),
    ) {
        e.set_attribute("role", "alert").ok();
        style(
            &e,
            &[
                ("color", "#8b0000"),
                ("border", "1px solid #8b0000"),
                ("padding", "8px"),
            ],
        );
        let _ = target.append_child(&e);
    }
}

struct Ui {
    doc: Document,
    mode: HtmlSelectElement,
    a: HtmlSelectElement,
    b: HtmlSelectElement,
    statuses: Vec<(Status, HtmlInputElement)>,
    severity: HtmlSelectElement,
    action: HtmlSelectElement,
    search: HtmlInputElement,
    layout: HtmlSelectElement,
    counts: HtmlElement,
    notice: HtmlElement,
    list: HtmlElement,
    spacer: HtmlElement,
    rows: HtmlElement,
    extra: HtmlElement,
}

struct App {
    snapshots: Vec<Snapshot>,
    findings: Option<Vec<Vec<Finding>>>,
    state: ViewState,
    diff: SchemaDiff,
    unavailable: Option<String>,
    snapshot_diff: Option<SnapshotDiff>,
    index: SearchIndex,
    filtered: Filtered,
    ui: Ui,
    fragment: String,
}

thread_local! {
    static APP: RefCell<Option<App>> = const { RefCell::new(None) };
}

fn with_app(f: impl FnOnce(&mut App) -> Res<()>) {
    APP.with(|cell| {
        if let Ok(mut guard) = cell.try_borrow_mut()
            && let Some(app) = guard.as_mut()
            && let Err(e) = f(app)
        {
            web_sys::console::error_1(&JsValue::from_str(&e));
        }
    });
}

fn select(doc: &Document, id: &str, options: &[(String, String)]) -> Res<HtmlSelectElement> {
    let s: HtmlSelectElement = el(doc, "select", "gaps-select")?
        .dyn_into()
        .map_err(|_| "select")?;
    s.set_id(id);
    for (value, text) in options {
        let o = text_el(doc, "option", "", text)?;
        o.set_attribute("value", value).map_err(js)?;
        s.append_child(&o).map_err(js)?;
    }
    Ok(s)
}

fn labelled(doc: &Document, text: &str, control: &HtmlElement) -> Res<HtmlElement> {
    let l = el(doc, "label", "gaps-control")?;
    l.append_child(&node(text_el(doc, "span", "", text))?)
        .map_err(js)?;
    l.append_child(control).map_err(js)?;
    style(&l, &[("margin-right", "10px"), ("white-space", "nowrap")]);
    Ok(l)
}

fn build_ui(doc: &Document, root: &Element, snapshots: &[Snapshot]) -> Res<Ui> {
    clear(root);
    let viewer = el(doc, "div", "gaps-viewer")?;
    let controls = el(doc, "div", "gaps-controls")?;
    style(&controls, &[("margin-bottom", "6px"), ("line-height", "2")]);
    let names: Vec<(String, String)> = snapshots
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (
                i.to_string(),
                format!("{}: {} ({})", i + 1, label(s), s.collected_at),
            )
        })
        .collect();
    let mode = select(
        doc,
        "gaps-mode",
        &[
            ("expected".into(), "expected vs live".into()),
            ("compare".into(), "snapshot vs snapshot".into()),
        ],
    )?;
    let a = select(doc, "gaps-a", &names)?;
    let b = select(doc, "gaps-b", &names)?;
    controls
        .append_child(&node(labelled(doc, "Compare ", &mode))?)
        .map_err(js)?;
    controls
        .append_child(&node(labelled(doc, "A ", &a))?)
        .map_err(js)?;
    controls
        .append_child(&node(labelled(doc, "B ", &b))?)
        .map_err(js)?;
    let mut statuses = Vec::new();
    for s in Status::ALL {
        let cb: HtmlInputElement = el(doc, "input", "gaps-status")?
            .dyn_into()
            .map_err(|_| "input")?;
        cb.set_type("checkbox");
        cb.set_id(&format!("gaps-status-{}", s.as_str()));
        cb.set_attribute("data-status", s.as_str()).map_err(js)?;
        let l = labelled(doc, "", &cb)?;
        l.append_child(&node(text_el(doc, "span", "", s.as_str()))?)
            .map_err(js)?;
        controls.append_child(&l).map_err(js)?;
        statuses.push((s, cb));
    }
    let mut sev = vec![(String::new(), "any severity".to_string())];
    sev.extend(
        [Severity::Error, Severity::Warning, Severity::Info]
            .iter()
            .map(|s| (s.as_str().to_string(), s.as_str().to_string())),
    );
    let severity = select(doc, "gaps-severity", &sev)?;
    let mut acts = vec![(String::new(), "any action".to_string())];
    acts.extend(
        actions::ALL
            .iter()
            .map(|(id, t)| (id.to_string(), format!("{id} {t}"))),
    );
    let action = select(doc, "gaps-action", &acts)?;
    controls
        .append_child(&node(labelled(doc, "Severity ", &severity))?)
        .map_err(js)?;
    controls
        .append_child(&node(labelled(doc, "Action ", &action))?)
        .map_err(js)?;
    let search: HtmlInputElement = el(doc, "input", "gaps-search")?
        .dyn_into()
        .map_err(|_| "input")?;
    search.set_type("search");
    search.set_id("gaps-search");
    search.set_placeholder("search schema, table, column  (/)");
    controls
        .append_child(&node(labelled(doc, "Search ", &search))?)
        .map_err(js)?;
    let layout = select(
        doc,
        "gaps-layout",
        &[
            ("side".into(), "side by side".into()),
            ("unified".into(), "unified".into()),
        ],
    )?;
    controls
        .append_child(&node(labelled(doc, "Layout ", &layout))?)
        .map_err(js)?;
    let counts = el(doc, "div", "gaps-counts")?;
    counts.set_id("gaps-counts");
    counts.set_attribute("aria-live", "polite").map_err(js)?;
    style(&counts, &[("font-weight", "bold"), ("margin", "4px 0")]);
    let notice = el(doc, "div", "gaps-notice")?;
    notice.set_id("gaps-notice");
    style(&notice, &[("margin", "4px 0")]);
    let list = el(doc, "div", "gaps-list")?;
    list.set_id("gaps-list");
    list.set_tab_index(0);
    style(
        &list,
        &[
            ("height", &format!("{LIST_PX}px")),
            ("overflow-y", "auto"),
            ("position", "relative"),
            ("border", "1px solid #ccc"),
            ("font-family", "monospace"),
            ("font-size", "13px"),
        ],
    );
    let spacer = el(doc, "div", "gaps-spacer")?;
    style(&spacer, &[("position", "relative")]);
    let rows = el(doc, "div", "gaps-rows")?;
    rows.set_id("gaps-rows");
    style(
        &rows,
        &[("position", "absolute"), ("left", "0"), ("right", "0")],
    );
    spacer.append_child(&rows).map_err(js)?;
    list.append_child(&spacer).map_err(js)?;
    let extra = el(doc, "div", "gaps-extra")?;
    extra.set_id("gaps-extra");
    for child in [&controls, &counts, &notice, &list, &extra] {
        viewer.append_child(child).map_err(js)?;
    }
    root.append_child(&viewer).map_err(js)?;
    Ok(Ui {
        doc: doc.clone(),
        mode,
        a,
        b,
        statuses,
        severity,
        action,
        search,
        layout,
        counts,
        notice,
        list,
        spacer,
        rows,
        extra,
    })
}

fn current_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

impl App {
    /// Puts the state into the controls.
    fn sync_controls(&self) {
        let ui = &self.ui;
        let (mode, a, b) = match self.state.selection {
            Selection::Expected { snapshot } => ("expected", snapshot, snapshot),
            Selection::Compare { a, b } => ("compare", a, b),
        };
        ui.mode.set_value(mode);
        ui.a.set_value(&a.to_string());
        ui.b.set_value(&b.to_string());
        ui.b.set_disabled(mode == "expected");
        for (s, cb) in &ui.statuses {
            cb.set_checked(self.state.filters.statuses.contains(s));
        }
        // The controls pick one severity and one action (a deep link may name more).
        ui.severity.set_value(
            self.state
                .filters
                .severities
                .iter()
                .next()
                .map_or("", |s| s.as_str()),
        );
        ui.action.set_value(
            self.state
                .filters
                .actions
                .iter()
                .next()
                .map_or("", String::as_str),
        );
        if ui.search.value() != self.state.filters.query {
            ui.search.set_value(&self.state.filters.query);
        }
        ui.layout.set_value(match self.state.layout {
            Layout::SideBySide => "side",
            Layout::Unified => "unified",
        });
    }

    /// Reads the controls into the state.
    fn read_controls(&mut self) {
        let ui = &self.ui;
        let n = self.snapshots.len();
        let idx = |s: &HtmlSelectElement| s.value().parse::<usize>().unwrap_or(0).min(n - 1);
        self.state.selection = if ui.mode.value() == "compare" {
            Selection::Compare {
                a: idx(&ui.a),
                b: idx(&ui.b),
            }
        } else {
            Selection::Expected {
                snapshot: idx(&ui.a),
            }
        };
        self.state.filters.statuses = ui
            .statuses
            .iter()
            .filter(|(_, cb)| cb.checked())
            .map(|(s, _)| *s)
            .collect();
        self.state.filters.severities = match ui.severity.value().as_str() {
            "error" => [Severity::Error].into(),
            "warning" => [Severity::Warning].into(),
            "info" => [Severity::Info].into(),
            _ => Default::default(),
        };
        let action = ui.action.value();
        self.state.filters.actions = if action.is_empty() {
            Default::default()
        } else {
            [action].into()
        };
        self.state.filters.query = ui.search.value();
        self.state.layout = if ui.layout.value() == "unified" {
            Layout::Unified
        } else {
            Layout::SideBySide
        };
    }

    /// Recomputes the comparison for the current selection.
    fn recompute(&mut self) {
        self.unavailable = None;
        self.snapshot_diff = None;
        let compared = match self.state.selection {
            Selection::Expected { snapshot } => expected_vs_live(&self.snapshots[snapshot]),
            Selection::Compare { a, b } => {
                let none: &[Finding] = &[];
                let (fa, fb) = match &self.findings {
                    Some(f) => (f[a].as_slice(), f[b].as_slice()),
                    None => (none, none),
                };
                let d =
                    diff_snapshots_with_findings(&self.snapshots[a], &self.snapshots[b], fa, fb);
                let schema = d.schema.clone();
                self.snapshot_diff = Some(d);
                schema
            }
        };
        self.diff = match compared {
            Compared::Compared { diff } => diff,
            Compared::Unavailable { reason } => {
                self.unavailable = Some(reason);
                SchemaDiff::default()
            }
        };
        self.index = SearchIndex::new(&self.diff);
    }

    /// Re-filters and re-renders everything below the controls.
    fn refilter(&mut self) -> Res<()> {
        self.filtered = view::filter(&self.diff, &self.index, &self.state);
        self.state.sync_cursor(&self.filtered.rows, &self.diff);
        self.render_counts();
        self.ui
            .spacer
            .style()
            .set_property(
                "height",
                &format!("{}px", self.filtered.rows.len() * ROW_PX),
            )
            .map_err(js)?;
        self.render_window()?;
        self.render_extra()?;
        self.write_hash();
        Ok(())
    }

    fn render_counts(&self) {
        let compare = self.state.selection.is_compare();
        let s = &self.diff.summary;
        let w = |st| status_label(st, compare);
        let total = self.diff.tables.len();
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
    fn render_window(&self) -> Res<()> {
        let ui = &self.ui;
        let top = ui.list.scroll_top() as f64;
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

    fn write_hash(&mut self) {
        let frag = view::to_fragment(&self.state);
        if frag == self.fragment {
            return;
        }
        self.fragment = frag.clone();
        if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&format!("#{frag}")));
        }
    }

    fn scroll_to_cursor(&self) {
        let top = self.state.cursor as f64 * ROW_HEIGHT;
        let list = &self.ui.list;
        let cur = list.scroll_top() as f64;
        if top < cur {
            list.set_scroll_top(top as i32);
        } else if top + ROW_HEIGHT > cur + LIST_HEIGHT {
            list.set_scroll_top((top + ROW_HEIGHT - LIST_HEIGHT) as i32);
        }
    }

    fn apply_hash(&mut self, hash: &str) -> Res<()> {
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

fn listen(target: &web_sys::EventTarget, event: &str, f: impl FnMut(Event) + 'static) -> Res<()> {
    let c = Closure::<dyn FnMut(Event)>::new(f);
    target
        .add_event_listener_with_callback(event, c.as_ref().unchecked_ref())
        .map_err(js)?;
    // The viewer lives as long as the page.
    c.forget();
    Ok(())
}

/// Reads the data, builds the UI and renders the first diff.
pub fn mount() -> Res<()> {
    let doc = document()?;
    let root = doc
        .get_element_by_id("gaps-diff-app")
        .ok_or("the page has no <div id=\"gaps-diff-app\"> to mount into")?;
    let data = doc
        .get_element_by_id("gaps-data")
        .ok_or("the page has no <script id=\"gaps-data\"> holding the snapshots")?
        .text_content()
        .unwrap_or_default();
    let data = crate::parse_data(&data).map_err(|e| e.to_string())?;
    let snapshots = data.snapshots;
    let ui = build_ui(&doc, &root, &snapshots)?;
    let state = view::from_fragment(&current_hash(), snapshots.len());
    let mut app = App {
        snapshots,
        findings: data.findings,
        state,
        diff: SchemaDiff::default(),
        unavailable: None,
        snapshot_diff: None,
        index: SearchIndex::default(),
        filtered: Filtered::default(),
        ui,
        fragment: String::new(),
    };
    app.sync_controls();
    app.recompute();
    app.refilter()?;
    app.scroll_to_cursor();
    app.render_window()?;
    let search = app.ui.search.clone();
    let list = app.ui.list.clone();
    let rows = app.ui.rows.clone();
    let controls: Vec<web_sys::EventTarget> = [
        &app.ui.mode,
        &app.ui.a,
        &app.ui.b,
        &app.ui.severity,
        &app.ui.action,
        &app.ui.layout,
    ]
    .into_iter()
    .map(|s| s.clone().into())
    .chain(app.ui.statuses.iter().map(|(_, c)| c.clone().into()))
    .collect();
    APP.with(|cell| *cell.borrow_mut() = Some(app));

    for c in controls {
        listen(&c, "change", |_| {
            with_app(|app| {
                let old = app.state.selection;
                app.read_controls();
                app.sync_controls();
                if old != app.state.selection {
                    app.recompute();
                }
                app.refilter()
            })
        })?;
    }
    listen(&search, "input", |_| {
        with_app(|app| {
            app.state.filters.query = app.ui.search.value();
            app.ui.list.set_scroll_top(0);
            app.refilter()
        })
    })?;
    listen(&list, "scroll", |_| with_app(|app| app.render_window()))?;
    listen(&rows, "click", |e: Event| {
        let row = e
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|t| t.closest(".gaps-row").ok().flatten())
            .and_then(|r| r.get_attribute("data-row"))
            .and_then(|r| r.parse::<usize>().ok());
        if let Some(i) = row {
            with_app(|app| {
                app.state.cursor = i;
                let rows = app.filtered.rows.clone();
                app.state.on_key("Enter", false, &rows, &app.diff);
                app.refilter()
            });
        }
    })?;
    let doc_target: web_sys::EventTarget = doc.clone().into();
    listen(&doc_target, "keydown", move |e: Event| {
        let Some(k) = e.dyn_ref::<KeyboardEvent>() else {
            return;
        };
        if k.ctrl_key() || k.meta_key() || k.alt_key() {
            return;
        }
        let key = k.key();
        with_app(|app| {
            let in_search = app
                .ui
                .doc
                .active_element()
                .is_some_and(|a| a.id() == "gaps-search");
            let in_other_input = app.ui.doc.active_element().is_some_and(|a| {
                a.id() != "gaps-search"
                    && matches!(a.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA")
            });
            if in_other_input && key != "/" {
                return Ok(());
            }
            let rows = app.filtered.rows.clone();
            match app.state.on_key(&key, in_search, &rows, &app.diff) {
                KeyEffect::FocusSearch => {
                    e.prevent_default();
                    app.ui.search.focus().map_err(js)?;
                }
                KeyEffect::BlurSearch => {
                    app.ui.search.blur().map_err(js)?;
                    app.ui.list.focus().map_err(js)?;
                }
                KeyEffect::Moved => {
                    e.prevent_default();
                    app.scroll_to_cursor();
                    app.render_window()?;
                    app.write_hash();
                }
                KeyEffect::Toggled => {
                    e.prevent_default();
                    app.refilter()?;
                    app.scroll_to_cursor();
                    app.render_window()?;
                }
                KeyEffect::Ignored => {}
            }
            Ok(())
        })
    })?;
    let win: web_sys::EventTarget = web_sys::window().ok_or("no window")?.into();
    listen(&win, "hashchange", |_| {
        let h = current_hash();
        with_app(|app| app.apply_hash(&h))
    })?;
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark("gaps-first-render");
    }
    Ok(())
}
