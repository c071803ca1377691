//! The wasm boundary in headless Chromium (wasm-bindgen-test): bad embedded JSON becomes a
//! `JsError` with a readable message, good data is accepted.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn bad_json_is_a_js_error_naming_the_line() {
    let err = gaps_report_wasm::count_snapshots("{\"snapshots\": [\n oops]}").unwrap_err();
    let v: wasm_bindgen::JsValue = err.into();
    let msg = js_sys::Reflect::get(&v, &"message".into())
        .unwrap()
        .as_string()
        .unwrap();
    assert!(msg.contains("not valid at line 2"), "{msg}");
}

#[wasm_bindgen_test]
fn empty_snapshot_list_is_a_js_error() {
    assert!(gaps_report_wasm::count_snapshots("{\"snapshots\": []}").is_err());
}

#[wasm_bindgen_test]
fn good_data_counts_snapshots() {
    let s = "{\"format_version\":1,\"tool\":{\"name\":\"gaps\",\"version\":\"0\"},\"collected_at\":\"2026-01-09T12:00:00Z\",\"target\":{}}";
    let text = format!("{{\"snapshots\":[{s},{s}]}}");
    assert_eq!(gaps_report_wasm::count_snapshots(&text).unwrap(), 2);
}
