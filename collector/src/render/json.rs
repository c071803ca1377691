//! JSON output for a terminal: pretty, with control, bidi and invisible characters spelled as
//! `\uXXXX` ([`gaps_core::escape::json_output`]), ending in a newline.

/// `value` as pretty JSON, safe to print.
pub fn to_text(value: &serde_json::Value) -> String {
    let s = serde_json::to_string_pretty(value).expect("a JSON value serialises");
    let mut s = gaps_core::escape::json_output(&s).into_owned();
    s.push('\n');
    s
}
