//! The snapshot's JSON functions as they were before they streamed: every one goes through a
//! `serde_json::Value` of the whole snapshot and
//! [`redact_snapshot_value`](crate::redact::redact_snapshot_value). Kept as the reference the
//! streaming [`Snapshot::to_json`], [`Snapshot::redact`] and [`Snapshot::from_json`] are proven
//! byte-identical / equal to.

use crate::snapshot::{FORMAT_VERSION, LoadError, Snapshot, strip_position};

/// The former `Snapshot::from_json`: text -> `Value` -> redaction -> typed.
pub fn from_json(text: &str) -> Result<Snapshot, LoadError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(LoadError::NotAnObject {
            found: "nothing (it is empty)",
        });
    }
    let mut value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| LoadError::Malformed {
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        })?;
    let found = match &value {
        serde_json::Value::Object(_) => None,
        serde_json::Value::Array(_) => Some("an array"),
        serde_json::Value::String(_) => Some("a string"),
        serde_json::Value::Bool(_) => Some("a boolean"),
        serde_json::Value::Number(_) => Some("a number"),
        serde_json::Value::Null => Some("null"),
    };
    if let Some(found) = found {
        return Err(LoadError::NotAnObject { found });
    }
    let version = value
        .get("format_version")
        .and_then(|v| v.as_u64())
        .ok_or(LoadError::NotASnapshot)?;
    if version > u64::from(FORMAT_VERSION) {
        return Err(LoadError::TooNew {
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    crate::redact::redact_snapshot_value(&mut value, &[]);
    serde_json::from_value(value).map_err(|value_error| {
        let (line, column, message) = match serde_json::from_str::<Snapshot>(text) {
            Err(e) => (e.line(), e.column(), e.to_string()),
            Ok(_) => (0, 0, value_error.to_string()),
        };
        LoadError::Invalid {
            version: version as u32,
            line,
            column,
            message: strip_position(&message),
        }
    })
}

/// The former `Snapshot::to_json`: `Value`, redaction, pretty text, escaped copy.
pub fn to_json(snapshot: &Snapshot) -> String {
    let mut value = serde_json::to_value(snapshot).expect("snapshot serialises");
    crate::redact::redact_snapshot_value(&mut value, &[]);
    let text = serde_json::to_string_pretty(&value).expect("snapshot serialises");
    let mut text = crate::escape::json_output(&text).into_owned();
    text.push('\n');
    text
}

/// The former `Snapshot::redact`: `Value`, redaction with `known`, back to typed.
pub fn redact(snapshot: &mut Snapshot, known: &[String]) {
    let mut value = serde_json::to_value(&*snapshot).expect("snapshot serialises");
    crate::redact::redact_snapshot_value(&mut value, known);
    if let Ok(redacted) = serde_json::from_value(value) {
        *snapshot = redacted;
    }
}
