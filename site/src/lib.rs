//! gaps-site: renders snapshots and a gaps.md registry into one self-contained, offline HTML
//! report (inline CSS, scripts, charts and data; strict Content-Security-Policy).
pub mod wasm;
