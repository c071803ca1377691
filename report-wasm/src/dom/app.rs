//! The viewer's state and what follows from it: the controls read into and written from the
//! [`ViewState`], the comparison recomputed for the selection, the URL fragment kept in step.
//! One [`App`] per page, reached from the event handlers through [`with_app`].

use std::cell::RefCell;
use std::rc::Rc;

use gaps_core::diff::{
    Compared, FindingsDiff, LazyDiff, MigrationsDiff, diff_migrations_and_findings,
};
use gaps_core::finding::{Finding, Severity};
use gaps_core::snapshot::Snapshot;
use gaps_core::view::{self, Filtered, Layout, SearchIndex, Selection, ViewState};
use wasm_bindgen::prelude::*;
use web_sys::HtmlSelectElement;

use super::controls::{LIST_HEIGHT, ROW_HEIGHT, Ui};
use super::elements::Res;

/// What changed between two snapshots besides the schema (compare mode).
pub(super) struct Between {
    pub(super) migrations: Compared<MigrationsDiff>,
    pub(super) findings: FindingsDiff,
}

/// Everything the viewer knows: the snapshots, the state, the current comparison (its tables
/// compared in full only when drawn) and its filtered rows, and the elements it draws into.
pub(super) struct App {
    pub(super) snapshots: Vec<Rc<Snapshot>>,
    /// Per snapshot, its expected tables that are placeholders for a live table
    /// ([`crate::PageData::same_as_live`]).
    pub(super) same_as_live: Vec<Rc<[Option<usize>]>>,
    pub(super) findings: Option<Vec<Vec<Finding>>>,
    pub(super) state: ViewState,
    pub(super) diff: LazyDiff,
    pub(super) unavailable: Option<String>,
    pub(super) snapshot_diff: Option<Between>,
    pub(super) index: SearchIndex,
    pub(super) filtered: Filtered,
    pub(super) ui: Ui,
    pub(super) fragment: String,
}

thread_local! {
    pub(super) static APP: RefCell<Option<App>> = const { RefCell::new(None) };
}

/// Runs `f` on the page's viewer; an error goes to the console (an event handler has nowhere
/// else to put it).
pub(super) fn with_app(f: impl FnOnce(&mut App) -> Res<()>) {
    APP.with(|cell| {
        if let Ok(mut guard) = cell.try_borrow_mut()
            && let Some(app) = guard.as_mut()
            && let Err(e) = f(app)
        {
            web_sys::console::error_1(&JsValue::from_str(&e));
        }
    });
}

/// Runs `f` in a task of its own, after the current one (and the rendering it leads to).
fn defer(f: impl FnOnce() + 'static) {
    let c = Closure::once_into_js(f);
    if let Some(w) = web_sys::window() {
        let _ = w.set_timeout_with_callback(c.unchecked_ref());
    }
}

/// The page's URL fragment, `#` included.
pub(super) fn current_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

impl App {
    /// Puts the state into the controls.
    pub(super) fn sync_controls(&self) {
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
    pub(super) fn read_controls(&mut self) {
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
    pub(super) fn recompute(&mut self) {
        self.unavailable = None;
        self.snapshot_diff = None;
        let compared = match self.state.selection {
            Selection::Expected { snapshot } => LazyDiff::expected_vs_live_sharing(
                self.snapshots[snapshot].clone(),
                self.same_as_live[snapshot].clone(),
            ),
            Selection::Compare { a, b } => {
                let none: &[Finding] = &[];
                let (fa, fb) = match &self.findings {
                    Some(f) => (f[a].as_slice(), f[b].as_slice()),
                    None => (none, none),
                };
                let (sa, sb) = (&self.snapshots[a], &self.snapshots[b]);
                let (migrations, findings) = diff_migrations_and_findings(sa, sb, fa, fb);
                self.snapshot_diff = Some(Between {
                    migrations,
                    findings,
                });
                LazyDiff::snapshots(sa.clone(), sb.clone())
            }
        };
        self.diff = match compared {
            Compared::Compared { diff } => diff,
            Compared::Unavailable { reason } => {
                self.unavailable = Some(reason);
                LazyDiff::default()
            }
        };
        super::mark("gaps-diffed");
        // The search index (every name lowercased) is not needed to draw the rows without a
        // search: it is built in a task of its own after this one, or at the first search.
        self.index = SearchIndex::default();
        defer(|| with_app(|app| Ok(app.ensure_index())));
    }

    /// Builds the search index for the current comparison if it is not built yet.
    pub(super) fn ensure_index(&mut self) {
        if !self.index.covers(&self.diff) {
            self.index = SearchIndex::new(&self.diff);
        }
    }

    pub(super) fn write_hash(&mut self) {
        let frag = view::to_fragment(&self.state);
        if frag == self.fragment {
            return;
        }
        self.fragment = frag.clone();
        if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&format!("#{frag}")));
        }
    }

    pub(super) fn scroll_to_cursor(&self) {
        let top = self.state.cursor as f64 * ROW_HEIGHT;
        let list = &self.ui.list;
        let cur = list.scroll_top() as f64;
        if top < cur {
            list.set_scroll_top(top as i32);
        } else if top + ROW_HEIGHT > cur + LIST_HEIGHT {
            list.set_scroll_top((top + ROW_HEIGHT - LIST_HEIGHT) as i32);
        }
    }
}
