//! The DOM side: builds the controls and the windowed row list from gaps-core's view logic and
//! wires events (input, change, scroll, keydown, hashchange) back into it. [`elements`] makes
//! and styles elements, [`controls`] builds the page's controls and list once, [`app`] holds
//! the state and the comparison, [`render`] draws them.

mod app;
mod controls;
mod elements;
mod render;

use gaps_core::diff::LazyDiff;
use gaps_core::view::{self, Filtered, KeyEffect, SearchIndex};
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, KeyboardEvent};

use app::{APP, App, current_hash, with_app};
use controls::build_ui;
use elements::{Res, clear, document, js, listen, style, text_el};

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

/// Reads the data (`bytes` when the loader handed them over, else the text of the `gaps-data`
/// element), builds the UI and renders the first diff.
pub fn mount(bytes: Option<&[u8]>) -> Res<()> {
    let doc = document()?;
    let root = doc
        .get_element_by_id("gaps-diff-app")
        .ok_or("the page has no <div id=\"gaps-diff-app\"> to mount into")?;
    let text;
    let data = match bytes {
        Some(b) => std::str::from_utf8(b)
            .map_err(|e| format!("the embedded report data is not UTF-8: {e}"))?,
        None => {
            text = doc
                .get_element_by_id("gaps-data")
                .ok_or("the page has no <script id=\"gaps-data\"> holding the snapshots")?
                .text_content()
                .unwrap_or_default();
            &text
        }
    };
    mark("gaps-mount-read");
    let data = crate::parse_data(data).map_err(|e| e.to_string())?;
    mark("gaps-mount-parsed");
    let snapshots: Vec<_> = data.snapshots.into_iter().map(std::rc::Rc::new).collect();
    let ui = build_ui(&doc, &root, &snapshots)?;
    let state = view::from_fragment(&current_hash(), snapshots.len());
    let mut app = App {
        snapshots,
        same_as_live: data.same_as_live.into_iter().map(Into::into).collect(),
        findings: data.findings,
        state,
        diff: LazyDiff::default(),
        unavailable: None,
        snapshot_diff: None,
        index: SearchIndex::default(),
        filtered: Filtered::default(),
        ui,
        fragment: String::new(),
    };
    app.sync_controls();
    app.recompute();
    mark("gaps-mount-compared");
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
    mark("gaps-first-render");
    Ok(())
}

/// A `performance.mark` (the benchmark prints them: where the first render's time goes).
pub(crate) fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}
