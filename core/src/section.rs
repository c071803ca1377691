//! `Section<T>`: one kind of evidence in a snapshot, which was collected, failed, or skipped.
//!
//! A section that fails never takes the others down with it: the collector records the error
//! here and carries on, and every later stage (check, report) shows the failure in place.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The outcome of gathering one kind of evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Section<T> {
    /// The evidence was gathered.
    Collected {
        /// The evidence itself.
        data: T,
    },
    /// Gathering was attempted and failed; `error` says what was being done and why it failed.
    Failed {
        /// What went wrong, already free of secrets.
        error: SectionError,
    },
    /// Gathering was not attempted (no input was given for it, or it does not apply).
    Skipped {
        /// Why it was not attempted, e.g. "no --logs given".
        reason: String,
    },
}

/// Why a section could not be collected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SectionError {
    /// What the collector was doing, e.g. "reading columns from pg_attribute".
    pub during: String,
    /// The underlying error message (redacted of secrets).
    pub message: String,
}

impl<T> Default for Section<T> {
    fn default() -> Self {
        Section::Skipped {
            reason: "not collected by this version of gaps".to_string(),
        }
    }
}

impl<T> Section<T> {
    /// A collected section.
    pub fn collected(data: T) -> Self {
        Section::Collected { data }
    }

    /// A failed section.
    pub fn failed(during: impl Into<String>, message: impl Into<String>) -> Self {
        Section::Failed {
            error: SectionError {
                during: during.into(),
                message: message.into(),
            },
        }
    }

    /// A skipped section.
    pub fn skipped(reason: impl Into<String>) -> Self {
        Section::Skipped {
            reason: reason.into(),
        }
    }

    /// The evidence, when it was collected.
    pub fn data(&self) -> Option<&T> {
        match self {
            Section::Collected { data } => Some(data),
            _ => None,
        }
    }

    /// The error, when gathering failed.
    pub fn error(&self) -> Option<&SectionError> {
        match self {
            Section::Failed { error } => Some(error),
            _ => None,
        }
    }

    /// True when gathering was attempted and failed.
    pub fn is_failed(&self) -> bool {
        matches!(self, Section::Failed { .. })
    }
}
