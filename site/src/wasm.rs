//! The interactive diff viewer's built artifacts (committed in `site/assets/`, rebuilt by
//! `scripts/build-wasm`, checked by `scripts/check-wasm`) and the scripts that start it inside
//! the single offline report page.
//!
//! The page inlines two scripts: [`ViewerAssets::glue_js`] (wasm-bindgen's `no-modules` glue,
//! defining `wasm_bindgen`) and then [`ViewerAssets::bootstrap_js`], which carries the module
//! gzip-compressed and base64-encoded, unpacks it with `DecompressionStream('gzip')`,
//! instantiates it with `wasm_bindgen({module_or_path: bytes})` (browsers refuse to fetch a
//! .wasm file from `file://`) and mounts the viewer into `<div id="gaps-diff-app">`, reading
//! `<script type="application/json" id="gaps-data">`. When the page packs its data
//! ([`crate::embed`]), that element says `data-state="loading"` until the data loader has
//! unpacked it, and the bootstrap waits for the loader's `gaps-data` event, then mounts on the
//! unpacked bytes (`mount_bytes`, the element's `gapsBytes`); a page with the JSON written in
//! directly mounts at once on the element's text. Both scripts run under
//! `script-src 'sha256-…' 'sha256-…' 'wasm-unsafe-eval'`; [`ViewerAssets::csp_script_sources`]
//! gives the two hash sources.

use base64::Engine;
use sha2::{Digest, Sha256};

/// wasm-bindgen's glue for the viewer (`--target no-modules`).
const GLUE_JS: &str = include_str!("../assets/gaps_report_wasm.js");
/// The viewer's WebAssembly module.
const WASM: &[u8] = include_bytes!("../assets/gaps_report_wasm_bg.wasm");

/// What a page needs to run the viewer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewerAssets {
    /// The wasm-bindgen glue; inline it first, in its own `<script>`.
    pub glue_js: &'static str,
    /// The module gzip-compressed, then base64 (standard alphabet, padded). Already contained
    /// in `bootstrap_js`; the raw module's base64 is not in the page.
    pub wasm_gz_base64: String,
    /// Starts the viewer; inline it after the glue. Shows a readable error in the mount point
    /// if the module or the data cannot be loaded.
    pub bootstrap_js: String,
}

impl ViewerAssets {
    /// The CSP `script-src` sources allowing exactly the two scripts, e.g.
    /// `'sha256-…' 'sha256-…' 'wasm-unsafe-eval'`.
    pub fn csp_script_sources(&self) -> String {
        format!(
            "{} {} 'wasm-unsafe-eval'",
            csp_hash(self.glue_js),
            csp_hash(&self.bootstrap_js)
        )
    }
}

/// The CSP hash source (`'sha256-…'`) of an inline script's exact text.
pub fn csp_hash(script: &str) -> String {
    let digest = Sha256::digest(script.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

const BOOTSTRAP: &str = r#"(function () {
  "use strict";
  function fail(e) {
    var app = document.getElementById("gaps-diff-app");
    if (!app) { return; }
    while (app.firstChild) { app.removeChild(app.firstChild); }
    var d = document.createElement("div");
    d.className = "gaps-error";
    d.setAttribute("role", "alert");
    d.textContent = "The diff viewer could not start: " + (e && e.message ? e.message : String(e));
    app.appendChild(d);
  }
  function gunzip(b64) {
    var bin = atob(b64);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
    return new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip")))
      .arrayBuffer()
      .then(function (buf) { return new Uint8Array(buf); });
  }
  function data() {
    var el = document.getElementById("gaps-data");
    var state = el ? el.getAttribute("data-state") : null;
    if (el && el.gapsBytes) { return Promise.resolve(el.gapsBytes); }
    if (state === "error") { return Promise.reject(new Error(el.getAttribute("data-error") || "the embedded report data could not be unpacked")); }
    if (state !== "loading") { return Promise.resolve(null); }
    return new Promise(function (resolve, reject) {
      document.addEventListener("gaps-data", function (ev) {
        var d = ev.detail || {};
        if (d.state === "ready") { resolve(el.gapsBytes || null); } else { reject(new Error(d.message || "the embedded report data could not be unpacked")); }
      }, { once: true });
    });
  }
  function start() {
    try {
      if (typeof DecompressionStream !== "function") {
        throw new Error("this browser has no DecompressionStream; the tables above show the same evidence");
      }
      var module = gunzip("@WASM_GZ@").then(function (bytes) {
        return wasm_bindgen({ module_or_path: bytes });
      });
      Promise.all([module, data()]).then(function (r) {
        var bytes = r[1];
        if (bytes) { wasm_bindgen.mount_bytes(bytes); } else { wasm_bindgen.mount(); }
      }).catch(fail);
    } catch (e) { fail(e); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
"#;

/// The viewer's assets, or `None` when the committed module is not a WebAssembly file (the
/// page then keeps its static tables). The module is compressed once per process.
pub fn viewer_assets() -> Option<ViewerAssets> {
    static PACKED: std::sync::OnceLock<Option<(String, String)>> = std::sync::OnceLock::new();
    PACKED
        .get_or_init(|| {
            if !WASM.starts_with(b"\0asm") || !GLUE_JS.contains("wasm_bindgen") {
                return None;
            }
            let wasm_gz_base64 =
                base64::engine::general_purpose::STANDARD.encode(crate::embed::gzip(WASM));
            let bootstrap_js = BOOTSTRAP.replace("@WASM_GZ@", &wasm_gz_base64);
            Some((wasm_gz_base64, bootstrap_js))
        })
        .as_ref()
        .map(|(wasm_gz_base64, bootstrap_js)| ViewerAssets {
            glue_js: GLUE_JS,
            wasm_gz_base64: wasm_gz_base64.clone(),
            bootstrap_js: bootstrap_js.clone(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_artifacts_are_a_wasm_module_and_its_glue() {
        use std::io::Read;
        let a = viewer_assets().expect("committed artifacts");
        assert!(a.glue_js.contains("wasm_bindgen"));
        let gz = base64::engine::general_purpose::STANDARD
            .decode(&a.wasm_gz_base64)
            .unwrap();
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(gz.as_slice())
            .read_to_end(&mut bytes)
            .unwrap();
        assert_eq!(bytes, WASM);
        assert!(a.bootstrap_js.contains(&a.wasm_gz_base64));
        assert!(a.bootstrap_js.contains("wasm_bindgen.mount()"));
        // The module travels compressed only: its plain base64 would double the page's weight.
        let plain = base64::engine::general_purpose::STANDARD.encode(WASM);
        assert!(!a.bootstrap_js.contains(&plain[..200]));
        assert!(a.wasm_gz_base64.len() < plain.len() * 3 / 4);
    }

    #[test]
    fn csp_sources_hash_both_scripts() {
        let a = viewer_assets().unwrap();
        let src = a.csp_script_sources();
        assert!(src.ends_with(" 'wasm-unsafe-eval'"));
        assert_eq!(src.matches("'sha256-").count(), 2);
        // sha256 of "" in base64, a known value.
        assert_eq!(
            csp_hash(""),
            "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
        );
    }
}
