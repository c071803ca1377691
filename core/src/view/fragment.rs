//! The URL fragment that keeps the viewer's selection and filters, so a link to one table's diff
//! can be pasted into a ticket: `#view=compare&a=0&b=1&status=missing,type&q=users&t=public.users`.
//!
//! Parsing is forgiving: unknown keys and bad values are ignored (falling back to the default),
//! snapshot indices out of range fall back to the default selection.

use super::{Filters, Layout, Names, Selection, ViewState};
use crate::diff::Status;
use crate::finding::Severity;

fn join<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items.collect::<Vec<_>>().join(",")
}

/// Serialises the state (without the leading `#`). Keys come in a fixed order and defaults are
/// left out, so equal states give equal fragments.
pub fn to_fragment(state: &ViewState) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    match state.selection {
        Selection::Expected { snapshot } => {
            s.append_pair("view", "expected");
            s.append_pair("s", &snapshot.to_string());
        }
        Selection::Compare { a, b } => {
            s.append_pair("view", "compare");
            s.append_pair("a", &a.to_string());
            s.append_pair("b", &b.to_string());
        }
    }
    let f = &state.filters;
    if f.statuses != Filters::default_statuses() {
        s.append_pair("status", &join(f.statuses.iter().map(|x| x.as_str())));
    }
    if !f.severities.is_empty() {
        s.append_pair("sev", &join(f.severities.iter().map(|x| x.as_str())));
    }
    if !f.actions.is_empty() {
        s.append_pair("action", &join(f.actions.iter().map(String::as_str)));
    }
    if !f.query.is_empty() {
        s.append_pair("q", &f.query);
    }
    if state.layout == Layout::Unified {
        s.append_pair("layout", "unified");
    }
    if !state.expanded.is_empty() {
        s.append_pair("open", &join(state.expanded.iter().map(String::as_str)));
    }
    if let Some(t) = &state.focus {
        s.append_pair("t", t);
    }
    // form_urlencoded writes spaces as '+'; %20 survives copy-paste into more places.
    s.finish().replace('+', "%20")
}

fn severity(s: &str) -> Option<Severity> {
    match s {
        "info" => Some(Severity::Info),
        "warning" => Some(Severity::Warning),
        "error" => Some(Severity::Error),
        _ => None,
    }
}

fn list(v: &str) -> impl Iterator<Item = &str> {
    v.split(',').map(str::trim).filter(|x| !x.is_empty())
}

/// Parses a fragment (with or without the leading `#`) for a page holding `snapshots` snapshots.
pub fn from_fragment(fragment: &str, snapshots: usize) -> ViewState {
    let text = fragment.strip_prefix('#').unwrap_or(fragment);
    let mut state = ViewState::new(snapshots);
    let (mut view, mut s_idx, mut a, mut b) = (None, None, None, None);
    for (k, v) in url::form_urlencoded::parse(text.as_bytes()) {
        match k.as_ref() {
            "view" => view = Some(v.into_owned()),
            "s" => s_idx = v.parse::<usize>().ok(),
            "a" => a = v.parse::<usize>().ok(),
            "b" => b = v.parse::<usize>().ok(),
            "status" => state.filters.statuses = list(&v).filter_map(Status::parse).collect(),
            "sev" => state.filters.severities = list(&v).filter_map(severity).collect(),
            "action" => state.filters.actions = list(&v).map(str::to_owned).collect(),
            "q" => state.filters.query = v.into_owned(),
            "layout" => {
                state.layout = if v == "unified" {
                    Layout::Unified
                } else {
                    Layout::SideBySide
                }
            }
            "open" => state.expanded = list(&v).map(str::to_owned).collect::<Names>(),
            "t" if !v.is_empty() => state.focus = Some(v.into_owned()),
            _ => {}
        }
    }
    match view.as_deref() {
        Some("expected") => {
            if let Some(i) = s_idx.filter(|i| *i < snapshots) {
                state.selection = Selection::Expected { snapshot: i };
            }
        }
        Some("compare") => {
            if let (Some(a), Some(b)) = (a, b)
                && a < snapshots
                && b < snapshots
            {
                state.selection = Selection::Compare { a, b };
            }
        }
        _ => {}
    }
    // A link to one table opens it.
    if let Some(t) = &state.focus {
        state.expanded.insert(t.clone());
    }
    state
}
