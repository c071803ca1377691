//! The last line of defence for the snapshot: every string field holding text from outside is
//! redacted by what it holds — free text, SQL, a URL, a health body — whenever a snapshot is
//! written or read, so neither a new collector path that forgot to redact nor a snapshot
//! written by an older gaps can carry a secret into a file, a terminal or a report.
//! Identifiers (tables, columns, files, signature keys) are never changed: the rules compare
//! them, and a change there would be a false finding.

use serde_json::Value;

use super::scrub::scrub;
use super::{json::redact_json, sql::redact_sql, text::redact_text, url::redact_url};

/// How a string field is redacted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// An identifier, number-like or path value: kept as is.
    Keep,
    /// Free text ([`redact_text`]).
    Text,
    /// A SQL statement or expression ([`redact_sql`]).
    Sql,
    /// A URL ([`redact_url`]).
    Url,
}

/// The redaction of the string at `key` inside an object found under `parent` (the key of
/// the nearest enclosing object; arrays are transparent).
pub fn field(parent: &str, key: &str) -> Field {
    match (parent, key) {
        ("headers", _) | ("paths", "name") => Field::Text,
        (_, "database_url" | "url" | "final_url" | "scratch_server") => Field::Url,
        (
            _,
            "sql" | "query" | "statement" | "default" | "generated" | "expression" | "definition",
        ) => Field::Sql,
        (
            _,
            "message" | "during" | "reason" | "error" | "errors" | "detail" | "hint" | "evidence"
            | "text" | "description" | "label" | "sql_origin" | "target" | "target_origin"
            | "not_checkable" | "scratch_error" | "warnings" | "stopped" | "argument" | "problem"
            // A literal of the code's SQL, and session setting values (from the code, a URL's
            // options or the server).
            | "literal" | "value" | "gaps_value"
            // Why a migration statement could not be analysed.
            | "problems" | "not_analysed",
        ) => Field::Text,
        _ => Field::Keep,
    }
}

/// Redacts a snapshot's JSON in place. `known` are secrets the caller knows verbatim (the
/// database password from `--database-url`), removed from every redacted field whatever
/// their shape. A health body (`health.data.body.value`) is redacted as JSON ([`redact_json`]).
pub fn redact_snapshot_value(value: &mut Value, known: &[String]) {
    walk(value, "", "", known);
}

fn walk(value: &mut Value, key: &str, parent: &str, known: &[String]) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if key == "body" && k == "value" {
                    redact_json(v);
                    scrub_all(v, known);
                } else {
                    walk(v, k, key, known);
                }
            }
        }
        Value::Array(items) => {
            for v in items {
                walk(v, key, parent, known);
            }
        }
        Value::String(s) => {
            let redacted = match field(parent, key) {
                Field::Keep => return,
                Field::Text => redact_text(s),
                Field::Sql => redact_sql(s),
                Field::Url => redact_url(s),
            };
            let redacted = scrub(&redacted, known);
            if redacted != *s {
                *s = redacted;
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

pub(super) fn scrub_all(value: &mut Value, known: &[String]) {
    if known.is_empty() {
        return;
    }
    match value {
        Value::Object(map) => map.values_mut().for_each(|v| scrub_all(v, known)),
        Value::Array(items) => items.iter_mut().for_each(|v| scrub_all(v, known)),
        Value::String(s) => *s = scrub(s, known),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every string field of the snapshot format, from its JSON Schema, with the redaction it
    /// gets. A new field appears here as a change to review: decide whether it holds text from
    /// outside (and so needs `Text`, `Sql` or `Url`) before accepting it.
    #[test]
    fn every_string_field_of_the_snapshot_format_is_classified() {
        let schema = crate::snapshot::json_schema();
        let mut fields = std::collections::BTreeSet::new();
        let defs = schema["$defs"].as_object().cloned().unwrap_or_default();
        let mut seen = std::collections::BTreeSet::new();
        collect_strings(&schema, "", "", &defs, &mut seen, &mut fields);
        let listing: Vec<String> = fields
            .into_iter()
            .map(|(parent, key)| format!("{parent}.{key}: {:?}", field(&parent, &key)))
            .collect();
        insta::assert_snapshot!(listing.join("\n"));
    }

    /// Walks a JSON Schema, recording (parent key, key) for every property that can be a string.
    fn collect_strings(
        node: &Value,
        key: &str,
        parent: &str,
        defs: &serde_json::Map<String, Value>,
        seen: &mut std::collections::BTreeSet<(String, String, String)>,
        out: &mut std::collections::BTreeSet<(String, String)>,
    ) {
        if let Some(r) = node.get("$ref").and_then(Value::as_str) {
            let name = r.rsplit('/').next().unwrap_or_default().to_string();
            if seen.insert((name.clone(), key.to_string(), parent.to_string()))
                && let Some(def) = defs.get(&name)
            {
                collect_strings(def, key, parent, defs, seen, out);
            }
        }
        let is_string = match node.get("type") {
            Some(Value::String(t)) => t == "string",
            Some(Value::Array(ts)) => ts.iter().any(|t| t == "string"),
            _ => false,
        };
        if is_string && node.get("enum").is_none() && node.get("const").is_none() {
            out.insert((parent.to_string(), key.to_string()));
        }
        for combinator in ["anyOf", "oneOf", "allOf"] {
            for n in node
                .get(combinator)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                collect_strings(n, key, parent, defs, seen, out);
            }
        }
        if let Some(items) = node.get("items") {
            collect_strings(items, key, parent, defs, seen, out);
        }
        if let Some(extra) = node.get("additionalProperties")
            && extra.is_object()
        {
            collect_strings(extra, "*", key, defs, seen, out);
        }
        if let Some(props) = node.get("properties").and_then(Value::as_object) {
            for (k, v) in props {
                collect_strings(v, k, key, defs, seen, out);
            }
        }
    }

    #[test]
    fn text_sql_and_url_fields_are_redacted_and_identifiers_kept() {
        let mut v = serde_json::json!({
            "target": {"database_url": "postgres:u:PW1@h/db", "label": "prod"},
            "schema": {"status": "collected", "data": {"tables": [{
                "name": "password=keep", "schema": "public",
                "columns": [{"name": "token", "default": "'sk_live_abcdefgh123'::text"}]
            }]}},
            "logs": {"status": "collected", "data": {"signatures": [{
                "key": "column_missing:42703:token:x",
                "samples": [{"text": "password=PW2 relation \"t\""}],
                "paths": [{"name": "/reset/ghp_1234567890abcdefghijABCDEFGHIJ", "count": 1}]
            }]}},
            "health": {"status": "collected", "data": {
                "url": "http://h/health?token=PW3",
                "headers": {"server": "x Bearer PW4"},
                "body": {"type": "json", "value": {"db": {"password": "PW5"}, "status": "ok"}}
            }},
            "provider": {"status": "collected", "data": {"server": {
                "errors": ["failed for KNOWNPW"],
                "migration_lock": {"holders": [{"query": "ALTER ROLE x PASSWORD 'PW6'"}]}
            }}}
        });
        redact_snapshot_value(&mut v, &["KNOWNPW".to_string()]);
        let text = v.to_string();
        for s in [
            "PW1", "sk_live", "PW2", "ghp_", "PW3", "PW4", "PW5", "PW6", "KNOWNPW",
        ] {
            assert!(!text.contains(s), "{s} leaked: {text}");
        }
        let t = &v["schema"]["data"]["tables"][0];
        assert_eq!(t["name"], "password=keep");
        assert_eq!(t["columns"][0]["name"], "token");
        assert_eq!(
            v["logs"]["data"]["signatures"][0]["key"],
            "column_missing:42703:token:x"
        );
        assert_eq!(v["health"]["data"]["body"]["value"]["status"], "ok");
        assert_eq!(v["target"]["label"], "prod");
    }
}
