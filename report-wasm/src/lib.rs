//! gaps-report-wasm: the report page's interactive diff viewer, a thin DOM adapter over the
//! pure view logic in gaps-core.
