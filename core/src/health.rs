//! The health endpoint's response (ACTION-006): status, latency, selected headers and the
//! body, plus the pure readings of it that the rules use (`status` field, `schema_version`).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Bodies are read up to this many bytes.
pub const MAX_BODY: usize = 64 * 1024;

/// Response headers worth recording. A whitelist, so cookies and credentials never are.
pub const RECORDED_HEADERS: &[&str] = &[
    "content-type",
    "content-length",
    "server",
    "date",
    "cache-control",
    "via",
    "x-request-id",
    "fly-request-id",
    "x-powered-by",
    "retry-after",
    "location",
];

/// What the health endpoint answered.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HealthEvidence {
    /// The URL requested (secrets removed).
    pub url: String,
    /// The URL that finally answered, when redirects were followed (secrets removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_url: Option<String>,
    /// False when no HTTP response was received.
    pub reachable: bool,
    /// Why no response was received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<HealthError>,
    /// HTTP status code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Time from request to the end of the body, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// Selected response headers ([`RECORDED_HEADERS`]), lowercase names.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The body, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<HealthBody>,
    /// The timeout that applied, in milliseconds.
    pub timeout_ms: u64,
}

/// Why the endpoint could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct HealthError {
    /// What kind of failure.
    pub kind: HealthErrorKind,
    /// The client's message (secrets removed).
    pub message: String,
}

/// Kinds of health request failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HealthErrorKind {
    /// No answer within the timeout.
    Timeout,
    /// Nothing listens on the port.
    ConnectionRefused,
    /// The host name does not resolve.
    Dns,
    /// TLS handshake or certificate failure.
    Tls,
    /// Redirects exceeded the limit (or loop).
    TooManyRedirects,
    /// The URL is not a valid http(s) URL.
    InvalidUrl,
    /// Another transport error.
    Other,
}

/// A response body, size-limited.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum HealthBody {
    /// A body that parsed as JSON.
    Json {
        /// The parsed document.
        value: serde_json::Value,
        /// Size in bytes.
        bytes: u64,
    },
    /// Any other body, as (lossy UTF-8) text.
    Text {
        /// The text, cut at [`MAX_BODY`] bytes.
        text: String,
        /// Bytes read.
        bytes: u64,
        /// True when the body was longer than [`MAX_BODY`].
        truncated: bool,
    },
}

/// What the body says about `schema_version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaVersionField {
    /// The body is not a JSON object, so there is nothing to read.
    NotJson,
    /// The object has no `schema_version` key.
    Absent,
    /// `"schema_version": null`.
    Null,
    /// A number (or a numeric string such as "0014").
    Version(i64),
    /// Something else, as written.
    Other(String),
}

impl HealthEvidence {
    /// The JSON body, when the body is a JSON object.
    pub fn json(&self) -> Option<&serde_json::Map<String, serde_json::Value>> {
        match &self.body {
            Some(HealthBody::Json { value, .. }) => value.as_object(),
            _ => None,
        }
    }

    /// The body's `status` field (or `state`), as text.
    pub fn status_field(&self) -> Option<String> {
        let obj = self.json()?;
        let v = obj.get("status").or_else(|| obj.get("state"))?;
        Some(match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    }

    /// The body's `schema_version` (also `schemaVersion`, `db.schema_version`).
    pub fn schema_version(&self) -> SchemaVersionField {
        let Some(obj) = self.json() else {
            return SchemaVersionField::NotJson;
        };
        let v = obj
            .get("schema_version")
            .or_else(|| obj.get("schemaVersion"))
            .or_else(|| obj.get("database").and_then(|d| d.get("schema_version")))
            .or_else(|| obj.get("db").and_then(|d| d.get("schema_version")));
        match v {
            None => SchemaVersionField::Absent,
            Some(serde_json::Value::Null) => SchemaVersionField::Null,
            Some(serde_json::Value::Number(n)) => match n.as_i64() {
                Some(i) => SchemaVersionField::Version(i),
                None => SchemaVersionField::Other(n.to_string()),
            },
            Some(serde_json::Value::String(s)) => match s.trim().parse::<i64>() {
                Ok(i) => SchemaVersionField::Version(i),
                Err(_) => SchemaVersionField::Other(s.clone()),
            },
            Some(other) => SchemaVersionField::Other(other.to_string()),
        }
    }
}

/// True for a `status` value that means healthy.
pub fn is_healthy_status(s: &str) -> bool {
    matches!(
        s.trim().to_ascii_lowercase().as_str(),
        "healthy" | "ok" | "up" | "pass" | "passing" | "green" | "true" | "alive" | "ready"
    )
}

/// Reads a body: JSON when it parses (and was not cut), text otherwise; secrets are redacted
/// either way (a JSON body by key at any depth and by value, see
/// [`redact_json`](crate::redact::redact_json)).
pub fn body_from_bytes(bytes: &[u8], truncated: bool) -> Option<HealthBody> {
    if bytes.is_empty() {
        return None;
    }
    if !truncated && let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(bytes) {
        crate::redact::redact_json(&mut value);
        return Some(HealthBody::Json {
            value,
            bytes: bytes.len() as u64,
        });
    }
    let cut = &bytes[..bytes.len().min(MAX_BODY)];
    Some(HealthBody::Text {
        text: crate::redact::redact_text(&String::from_utf8_lossy(cut)),
        bytes: bytes.len() as u64,
        truncated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_body(text: &str) -> HealthEvidence {
        HealthEvidence {
            body: body_from_bytes(text.as_bytes(), false),
            ..HealthEvidence::default()
        }
    }

    #[test]
    fn schema_version_is_read_as_number_string_null_or_absent() {
        assert_eq!(
            with_body(r#"{"status":"healthy","schema_version":14}"#).schema_version(),
            SchemaVersionField::Version(14)
        );
        assert_eq!(
            with_body(r#"{"schema_version":"0014"}"#).schema_version(),
            SchemaVersionField::Version(14)
        );
        assert_eq!(
            with_body(r#"{"schema_version":null}"#).schema_version(),
            SchemaVersionField::Null
        );
        assert_eq!(
            with_body(r#"{"status":"ok"}"#).schema_version(),
            SchemaVersionField::Absent
        );
        assert_eq!(
            with_body("OK").schema_version(),
            SchemaVersionField::NotJson
        );
    }

    #[test]
    fn status_words_that_mean_healthy() {
        assert!(is_healthy_status("healthy") && is_healthy_status("OK"));
        assert!(!is_healthy_status("degraded") && !is_healthy_status("unhealthy"));
        assert_eq!(
            with_body(r#"{"status":"degraded"}"#)
                .status_field()
                .as_deref(),
            Some("degraded")
        );
    }

    #[test]
    fn non_json_and_truncated_bodies_are_text() {
        assert!(matches!(
            with_body("<html>").body,
            Some(HealthBody::Text { .. })
        ));
        assert!(matches!(
            body_from_bytes(b"{\"a\":1}", true),
            Some(HealthBody::Text {
                truncated: true,
                ..
            })
        ));
        assert_eq!(body_from_bytes(b"", false), None);
    }
}
