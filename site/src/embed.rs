//! The report's embedded data: which parts of each snapshot the page carries, how they are
//! packed (gzip, then base64, in an element that never executes), and the inline loader that
//! unpacks them at runtime into `<script type="application/json" id="gaps-data">`.
//!
//! The data is there for the interactive diff viewer, which reads only the target, the
//! collection time, the live and expected schema, the migrations table and the findings
//! (`report-wasm/src/data.rs`). Every other section is already rendered on the page by the
//! server, so it is left out and marked `skipped` with [`OMITTED`]: the embedded document is
//! still a valid snapshot that says plainly what it does not carry.
//!
//! The live and expected schemas are written in the compact form of [`compact`] (columns as
//! arrays, an expected table equal to its live table as a reference to it), which the viewer
//! reads next to the snapshot's own form.
//!
//! Packing turns ~15 MB of JSON for a 10,000-table schema into well under 1 MB of base64.
//! Because base64 holds no `<`, `&` or line separators, nothing in the data can close its
//! element, and the loader sets the JSON as `textContent`, which is never parsed as HTML.

use base64::Engine;
use flate2::Compression;
use gaps_core::finding::Finding;
use gaps_core::section::Section;
use gaps_core::snapshot::{Snapshot, Target, ToolInfo};
use serde::Serialize;

use crate::view::NamedSnapshot;

pub mod compact;
mod gzip;

use compact::{CompactExpected, CompactSchema, map_section};

/// The skip reason of every section the page does not embed.
pub const OMITTED: &str =
    "not embedded in the report: the page shows this section as server-rendered tables";

/// `id` of the element holding the packed data.
pub const PACKED_ID: &str = "gaps-data-gz";
/// `id` of the element the loader fills with the JSON text.
pub const JSON_ID: &str = "gaps-data";

/// The part of a snapshot the page embeds, in the snapshot's own field names and order (the
/// schemas in the [`compact`] form).
#[derive(Serialize)]
struct EmbeddedSnapshot<'a> {
    format_version: u32,
    tool: &'a ToolInfo,
    collected_at: &'a str,
    target: &'a Target,
    database: Section<()>,
    schema: Section<CompactSchema<'a>>,
    applied_migrations: &'a Section<gaps_core::migrations::AppliedMigrations>,
    local_migrations: Section<()>,
    code: Section<()>,
    expected_schema: Section<CompactExpected<'a>>,
    query_checks: Section<()>,
    logs: Section<()>,
    health: Section<()>,
    provider: Section<()>,
}

impl<'a> EmbeddedSnapshot<'a> {
    fn of(s: &'a Snapshot) -> Self {
        let omitted = || Section::skipped(OMITTED);
        EmbeddedSnapshot {
            format_version: s.format_version,
            tool: &s.tool,
            collected_at: &s.collected_at,
            target: &s.target,
            database: omitted(),
            schema: map_section(&s.schema, CompactSchema::live),
            applied_migrations: &s.applied_migrations,
            local_migrations: omitted(),
            code: omitted(),
            expected_schema: map_section(&s.expected_schema, |e| {
                CompactExpected::of(e, s.schema.data())
            }),
            query_checks: omitted(),
            logs: omitted(),
            health: omitted(),
            provider: omitted(),
        }
    }
}

#[derive(Serialize)]
struct EmbeddedData<'a> {
    snapshots: Vec<EmbeddedSnapshot<'a>>,
    findings: Vec<&'a [Finding]>,
}

/// The embedded data as compact JSON: `{"snapshots":[...],"findings":[[...],...]}`, the
/// snapshots cut to what the viewer reads and one findings list per snapshot, in page order.
pub fn data_json(analysed: &[(NamedSnapshot, Vec<Finding>)]) -> String {
    let data = EmbeddedData {
        snapshots: analysed
            .iter()
            .map(|(n, _)| EmbeddedSnapshot::of(&n.snapshot))
            .collect(),
        findings: analysed.iter().map(|(_, f)| f.as_slice()).collect(),
    };
    // Serialising plain data structures into a String cannot fail.
    serde_json::to_string(&data).unwrap_or_else(|_| "{\"snapshots\":[]}".into())
}

/// gzip (deterministic: no name, mtime 0) at the default level, on every core
/// (in 1 MiB blocks, as pigz does: one ordinary gzip member, the same bytes on any machine).
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    gzip::gzip(bytes, Compression::default())
}

/// gzip, then standard padded base64: the text of the packed data element.
pub fn pack(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(gzip(text.as_bytes()))
}

/// The inline loader (hashed into the CSP like the page's other scripts). It decodes the
/// packed element with `DecompressionStream('gzip')` and hands the JSON's UTF-8 bytes to the
/// viewer first: they are set as the `gapsBytes` property of the `gaps-data` element and a
/// `gaps-data` event fires on `document` (detail `{state: "ready"}`), which the viewer's
/// bootstrap waits for and passes to `mount_bytes` (one copy into wasm memory, no text
/// decoding). In a later task, after the viewer's first render, it puts the JSON into that
/// element's `textContent`, drops `gapsBytes` (a viewer that starts later reads the text) and
/// sets its `data-state` to `ready`; on failure `data-state` is
/// `error`, with `data-error`, and the event's state is `error`. Without JavaScript none of
/// this is needed: every table is server-rendered.
pub const LOADER_JS: &str = r#"(function () {
  "use strict";
  var packed = document.getElementById("gaps-data-gz");
  var out = document.getElementById("gaps-data");
  if (!packed || !out) { return; }
  function settle(state, message) {
    out.setAttribute("data-state", state);
    if (message) { out.setAttribute("data-error", message); }
  }
  function failed(e) {
    var message = "the embedded report data could not be unpacked: " + (e && e.message ? e.message : String(e));
    settle("error", message);
    document.dispatchEvent(new CustomEvent("gaps-data", { detail: { state: "error", message: message } }));
  }
  try {
    if (typeof DecompressionStream !== "function") {
      throw new Error("this browser has no DecompressionStream; the tables above show the same evidence");
    }
    var bin = atob(packed.textContent);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
    new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip")))
      .arrayBuffer()
      .then(function (buf) {
        var json = new Uint8Array(buf);
        out.gapsBytes = json;
        document.dispatchEvent(new CustomEvent("gaps-data", { detail: { state: "ready" } }));
        setTimeout(function () {
          try {
            out.textContent = new TextDecoder().decode(json);
            out.gapsBytes = null;
            settle("ready");
          } catch (e) { settle("error", "the embedded report data is not text: " + e.message); }
        }, 0);
      }, failed);
  } catch (e) { failed(e); }
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample;
    use std::io::Read;

    fn analysed() -> Vec<(NamedSnapshot, Vec<Finding>)> {
        let mut s = sample::sample_snapshot();
        s.target.label = Some("</script><!-- \u{2028}".into());
        vec![(
            NamedSnapshot {
                file: "prod.json".into(),
                snapshot: s,
            },
            sample::sample_findings(),
        )]
    }

    fn unpack(b64: &str) -> String {
        let gz = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .expect("base64");
        let mut text = String::new();
        flate2::read::GzDecoder::new(gz.as_slice())
            .read_to_string(&mut text)
            .expect("gzip");
        text
    }

    #[test]
    fn embedded_snapshot_keeps_the_viewed_sections_and_marks_the_rest_omitted() {
        let a = analysed();
        let json = data_json(&a);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let snap = &v["snapshots"][0];
        let orig = &a[0].0.snapshot;
        assert_eq!(snap["target"], serde_json::to_value(&orig.target).unwrap());
        assert_eq!(snap["collected_at"], orig.collected_at.as_str());
        assert_eq!(
            snap["applied_migrations"],
            serde_json::to_value(&orig.applied_migrations).unwrap()
        );
        for (name, st) in [
            ("local_migrations", &snap["local_migrations"]),
            ("health", &snap["health"]),
            ("logs", &snap["logs"]),
        ] {
            assert_eq!(st["status"], "skipped", "{name}");
            assert_eq!(st["reason"], OMITTED, "{name}");
        }
        let findings: Vec<Vec<Finding>> = serde_json::from_value(v["findings"].clone()).unwrap();
        assert_eq!(findings, vec![a[0].1.clone()]);
    }

    #[test]
    fn schemas_are_compact_and_an_expected_table_equal_to_the_live_one_is_a_reference() {
        let mut s = sample::sample_snapshot();
        let live = s.schema.data().unwrap().clone();
        let mut expected = live.clone();
        expected.tables[1].columns[0].data_type = "bigint".into();
        expected.tables[2].columns[0].default = Some("gen_random_uuid()".into());
        expected.tables[2].columns[0].ordinal = 4;
        s.expected_schema = Section::collected(gaps_core::code::ExpectedSchema {
            schema: expected,
            ..Default::default()
        });
        let a = vec![(
            NamedSnapshot {
                file: "prod.json".into(),
                snapshot: s,
            },
            Vec::new(),
        )];
        let v: serde_json::Value = serde_json::from_str(&data_json(&a)).unwrap();
        let live_tables = &v["snapshots"][0]["schema"]["data"]["tables"];
        assert_eq!(live_tables[0]["name"], "habits");
        assert_eq!(
            live_tables[0]["columns"],
            serde_json::json!([["id", "uuid", false], ["streak", "text", true]])
        );
        assert!(live_tables[0].get("kind").is_none() && live_tables[0].get("indexes").is_none());
        let exp = &v["snapshots"][0]["expected_schema"]["data"];
        assert_eq!(exp["schema"]["tables"][0], 0, "equal to live table 0");
        assert_eq!(
            exp["schema"]["tables"][1]["columns"],
            serde_json::json!([["id", "bigint", false]])
        );
        assert_eq!(
            exp["schema"]["tables"][2]["columns"],
            serde_json::json!([["id", "uuid", false, "gen_random_uuid()", null, null, 4]])
        );
        assert!(exp.get("origins").is_none() && exp.get("domains").is_none());
    }

    #[test]
    fn packed_data_round_trips_and_cannot_close_its_element() {
        let json = data_json(&analysed());
        let packed = pack(&json);
        assert!(
            packed
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b)),
            "not plain base64"
        );
        assert_eq!(unpack(&packed), json);
        assert!(
            json.contains("</script>"),
            "the fixture must carry the payload"
        );
    }

    #[test]
    fn gzip_output_is_deterministic() {
        let json = data_json(&analysed());
        assert_eq!(pack(&json), pack(&json));
    }
}
