//! gaps-report-wasm: the report page's interactive diff viewer, a thin DOM adapter over the
//! pure view logic in gaps-core.
//!
//! It reads the snapshots embedded in `<script type="application/json" id="gaps-data">`
//! (`{"snapshots":[...]}`) and mounts into `<div id="gaps-diff-app">`. The DOM is built with
//! `createElement` and `textContent` only (no HTML strings from data); styles that the layout
//! needs are set through the CSSOM, which a strict Content-Security-Policy allows.

mod data;
#[cfg(target_arch = "wasm32")]
mod dom;
mod json;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod props;

pub use data::{DataError, PageData, parse_data};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen::prelude::*;

/// Mounts the viewer. On bad data it writes a readable error into the mount point (never a blank
/// page) and returns it as an error.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
pub fn mount() -> Result<(), JsError> {
    dom::mount(None).map_err(|msg| {
        dom::show_error(&msg);
        JsError::new(&msg)
    })
}

/// Mounts the viewer on the embedded data given as its UTF-8 bytes (what the page's loader
/// unpacked), rather than on the text of the `gaps-data` element: the data goes into wasm
/// memory in one copy, without the text decoding and the DOM round trip. Errors as [`mount`].
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
pub fn mount_bytes(data: &[u8]) -> Result<(), JsError> {
    dom::mount(Some(data)).map_err(|msg| {
        dom::show_error(&msg);
        JsError::new(&msg)
    })
}

/// Parses embedded data text and returns how many snapshots it holds (the boundary the
/// wasm-bindgen tests exercise).
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
pub fn count_snapshots(text: &str) -> Result<u32, JsError> {
    parse_data(text)
        .map(|d| d.snapshots.len() as u32)
        .map_err(|e| JsError::new(&e.to_string()))
}
