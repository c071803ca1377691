//! Creating, styling and emptying elements and listening to events, with the DOM's errors as
//! readable text. Text goes in through `textContent` only, made visible first ([`text_el`]).

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, Event, HtmlElement, HtmlSelectElement};

/// A DOM step's outcome: its error as a readable message.
pub(super) type Res<T> = Result<T, String>;

#[wasm_bindgen]
extern "C" {
    /// JavaScript's `String(value)`: a DOMException's name and message.
    #[wasm_bindgen(js_name = String)]
    fn js_string(value: &JsValue) -> String;
}

pub(super) fn js(e: JsValue) -> String {
    e.as_string().unwrap_or_else(|| js_string(&e))
}

pub(super) fn document() -> Res<Document> {
    web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| "no document".to_string())
}

pub(super) fn el(doc: &Document, tag: &str, class: &str) -> Res<HtmlElement> {
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
pub(super) fn text_el(doc: &Document, tag: &str, class: &str, text: &str) -> Res<HtmlElement> {
    let e = el(doc, tag, class)?;
    e.set_text_content(Some(&gaps_core::escape::terminal_lines(text)));
    Ok(e)
}

pub(super) fn node(r: Res<HtmlElement>) -> Res<web_sys::Node> {
    r.map(Into::into)
}

pub(super) fn style(e: &HtmlElement, props: &[(&str, &str)]) {
    let s = e.style();
    for (k, v) in props {
        let _ = s.set_property(k, v);
    }
}

pub(super) fn clear(e: &Element) {
    while let Some(c) = e.first_child() {
        let _ = e.remove_child(&c);
    }
}

pub(super) fn select(
    doc: &Document,
    id: &str,
    options: &[(String, String)],
) -> Res<HtmlSelectElement> {
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

pub(super) fn labelled(doc: &Document, text: &str, control: &HtmlElement) -> Res<HtmlElement> {
    let l = el(doc, "label", "gaps-control")?;
    l.append_child(&node(text_el(doc, "span", "", text))?)
        .map_err(js)?;
    l.append_child(control).map_err(js)?;
    style(&l, &[("margin-right", "10px"), ("white-space", "nowrap")]);
    Ok(l)
}

pub(super) fn listen(
    target: &web_sys::EventTarget,
    event: &str,
    f: impl FnMut(Event) + 'static,
) -> Res<()> {
    let c = Closure::<dyn FnMut(Event)>::new(f);
    target
        .add_event_listener_with_callback(event, c.as_ref().unchecked_ref())
        .map_err(js)?;
    // The viewer lives as long as the page.
    c.forget();
    Ok(())
}
