//! Reading a snapshot's text without a `serde_json::Value` of it: the checks made before the
//! shape ([`head`]: syntax, an object, its `format_version`), and the [`Outline`] of a
//! snapshot (each section's status), read with everything else skipped.

use serde::Deserialize;
use serde::de::{IgnoredAny, MapAccess, Visitor};

use super::{FORMAT_VERSION, LoadError, SectionStatus, strip_position};

/// The checks [`Snapshot::from_json`](super::Snapshot::from_json) makes before the shape, in
/// its order: a byte-order mark skipped, an empty text, the syntax of the whole text (line and
/// column of the first error), an object, a numeric `format_version` this build reads.
/// Returns the text without its mark, and the version.
pub(super) fn head(text: &str) -> Result<(&str, u64), LoadError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(LoadError::NotAnObject {
            found: "nothing (it is empty)",
        });
    }
    let head: Head = serde_json::from_str(text).map_err(|e| LoadError::Malformed {
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
    })?;
    let version = match head {
        Head::Object { version } => version,
        Head::Other(found) => return Err(LoadError::NotAnObject { found }),
    };
    let version = version
        .as_ref()
        .and_then(serde_json::Value::as_u64)
        .ok_or(LoadError::NotASnapshot)?;
    if version > u64::from(FORMAT_VERSION) {
        return Err(LoadError::TooNew {
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    Ok((text, version))
}

/// What [`Snapshot::from_json`] reads before the shape: whether the document is an object, and
/// its `format_version` (the last one, as a `Value` keeps it); every other member is skipped.
enum Head {
    /// An object, with its `format_version` member if it has one.
    Object { version: Option<serde_json::Value> },
    /// Anything else: "an array", "a string"...
    Other(&'static str),
}

impl<'de> Deserialize<'de> for Head {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Head, D::Error> {
        deserializer.deserialize_any(HeadVisitor)
    }
}

struct HeadVisitor;

impl<'de> serde::de::Visitor<'de> for HeadVisitor {
    type Value = Head;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON document")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Head, A::Error> {
        let mut version = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == "format_version" {
                version = Some(map.next_value::<serde_json::Value>()?);
            } else {
                map.next_value::<Skip>()?;
            }
        }
        Ok(Head::Object { version })
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Head, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Head::Other("an array"))
    }

    fn visit_str<E>(self, _: &str) -> Result<Head, E> {
        Ok(Head::Other("a string"))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Head, E> {
        Ok(Head::Other("a boolean"))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Head, E> {
        Ok(Head::Other("a number"))
    }

    fn visit_u64<E>(self, _: u64) -> Result<Head, E> {
        Ok(Head::Other("a number"))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Head, E> {
        Ok(Head::Other("a number"))
    }

    fn visit_unit<E>(self) -> Result<Head, E> {
        Ok(Head::Other("null"))
    }
}

/// A value read and dropped the way a `Value` is read (through `deserialize_any`, not serde's
/// `IgnoredAny`, whose fast path words some syntax errors differently), so that a broken
/// document gets the very message the `Value` parse gave.
struct Skip;

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Skip, D::Error> {
        deserializer.deserialize_any(SkipVisitor)
    }
}

struct SkipVisitor;

impl<'de> serde::de::Visitor<'de> for SkipVisitor {
    type Value = Skip;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Skip, A::Error> {
        while map.next_key::<Skip>()?.is_some() {
            map.next_value::<Skip>()?;
        }
        Ok(Skip)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Skip, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }

    fn visit_str<E>(self, _: &str) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_unit<E>(self) -> Result<Skip, E> {
        Ok(Skip)
    }
}

/// What a snapshot collected, read from its text without the evidence: the status of each
/// section, in document order, as [`Snapshot::section_statuses`](super::Snapshot::section_statuses)
/// gives it. For comparing a new snapshot with the one it would replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outline {
    /// Names and outcomes of every section, in document order.
    pub statuses: Vec<(&'static str, SectionStatus)>,
}

/// The sections, in document order.
const SECTIONS: [&str; 12] = [
    "database",
    "schema",
    "applied_migrations",
    "local_migrations",
    "code",
    "expected_schema",
    "query_checks",
    "logs",
    "health",
    "provider",
    "service",
    "migration_plan",
];

impl Outline {
    /// Reads the outline of a snapshot's text: the same checks as
    /// [`Snapshot::from_json`](super::Snapshot::from_json) before the shape, then each
    /// section's `status` (a missing section is skipped), every other value skipped unread.
    /// A section that is not an object with a known `status` is
    /// [`LoadError::Invalid`].
    pub fn from_json(text: &str) -> Result<Outline, LoadError> {
        let (text, version) = head(text)?;
        let found: OutlineOf = serde_json::from_str(text).map_err(|e| LoadError::Invalid {
            version: version as u32,
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        })?;
        Ok(Outline {
            statuses: SECTIONS
                .iter()
                .zip(found.0)
                .map(|(name, st)| (*name, st.unwrap_or(SectionStatus::Skipped)))
                .collect(),
        })
    }

    /// The outline of a snapshot in memory.
    pub fn of(snapshot: &super::Snapshot) -> Outline {
        Outline {
            statuses: snapshot.section_statuses(),
        }
    }

    /// The status of section `name` (skipped when unknown).
    pub fn status(&self, name: &str) -> SectionStatus {
        self.statuses
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(SectionStatus::Skipped, |(_, st)| *st)
    }
}

/// The statuses found, by position in [`SECTIONS`].
struct OutlineOf([Option<SectionStatus>; 12]);

impl<'de> Deserialize<'de> for OutlineOf {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<OutlineOf, D::Error> {
        deserializer.deserialize_map(OutlineVisitor)
    }
}

struct OutlineVisitor;

impl<'de> Visitor<'de> for OutlineVisitor {
    type Value = OutlineOf;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a snapshot object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OutlineOf, A::Error> {
        let mut found = [None; 12];
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match SECTIONS.iter().position(|s| *s == key) {
                Some(i) => found[i] = Some(map.next_value::<StatusOf>()?.0),
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(OutlineOf(found))
    }
}

/// A section's `status`, its other members skipped.
struct StatusOf(SectionStatus);

impl<'de> Deserialize<'de> for StatusOf {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<StatusOf, D::Error> {
        deserializer.deserialize_map(StatusVisitor)
    }
}

struct StatusVisitor;

impl<'de> Visitor<'de> for StatusVisitor {
    type Value = StatusOf;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a section object with a status")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StatusOf, A::Error> {
        use serde::de::Error;
        let mut status = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == "status" {
                let s = map.next_value::<std::borrow::Cow<'de, str>>()?;
                status = Some(match s.as_ref() {
                    "collected" => SectionStatus::Collected,
                    "failed" => SectionStatus::Failed,
                    "skipped" => SectionStatus::Skipped,
                    other => {
                        return Err(A::Error::unknown_variant(
                            other,
                            &["collected", "failed", "skipped"],
                        ));
                    }
                });
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        status
            .map(StatusOf)
            .ok_or_else(|| A::Error::missing_field("status"))
    }
}
