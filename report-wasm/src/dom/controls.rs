//! The controls (mode, snapshots A and B, statuses, severity, action, search, layout) and the
//! windowed list's skeleton, built once at mount.

use std::rc::Rc;

use gaps_core::actions;
use gaps_core::diff::{Status, label};
use gaps_core::finding::Severity;
use gaps_core::snapshot::Snapshot;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlElement, HtmlInputElement, HtmlSelectElement};

use super::elements::{Res, clear, el, js, labelled, node, select, style, text_el};

// Pixel sizes as integers: formatting them never pulls float printing into the module.
pub(super) const ROW_PX: usize = 22;
pub(super) const LIST_PX: usize = 484;
pub(super) const ROW_HEIGHT: f64 = ROW_PX as f64;
pub(super) const LIST_HEIGHT: f64 = LIST_PX as f64;
pub(super) const OVERSCAN: usize = 8;
pub(super) const MAX_LISTED: usize = 200;

/// The elements the viewer updates.
pub(super) struct Ui {
    pub(super) doc: Document,
    pub(super) mode: HtmlSelectElement,
    pub(super) a: HtmlSelectElement,
    pub(super) b: HtmlSelectElement,
    pub(super) statuses: Vec<(Status, HtmlInputElement)>,
    pub(super) severity: HtmlSelectElement,
    pub(super) action: HtmlSelectElement,
    pub(super) search: HtmlInputElement,
    pub(super) layout: HtmlSelectElement,
    pub(super) counts: HtmlElement,
    pub(super) notice: HtmlElement,
    pub(super) list: HtmlElement,
    pub(super) spacer: HtmlElement,
    pub(super) rows: HtmlElement,
    pub(super) extra: HtmlElement,
}

pub(super) fn build_ui(doc: &Document, root: &Element, snapshots: &[Rc<Snapshot>]) -> Res<Ui> {
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
            // What changes inside the list (its rows, its spacer's height) never moves what is
            // outside it: a keystroke does not lay out the whole report page again.
            ("contain", "strict"),
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
