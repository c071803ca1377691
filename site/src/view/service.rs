//! The service's session in the provider section: the role it connects as, the settings its
//! sessions run under (search_path and the timeouts) with where each comes from and what
//! gaps' own session had, and the parts of the service evidence gaps could not read.

use gaps_core::redact::redact_text;
use gaps_core::service::ServiceEvidence;
use gaps_core::snapshot::Snapshot;
use serde::Serialize;

/// The service's session.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceView {
    /// True when the service section was collected.
    pub collected: bool,
    /// The role (MySQL: account) the service connects as.
    pub role: Option<String>,
    /// How the role was chosen.
    pub role_source: Option<String>,
    /// One row per setting.
    pub settings: Vec<SettingRow>,
    /// Why the settings are not shown, when they are not.
    pub settings_note: Option<String>,
    /// Parts that could not be read, with the reason.
    pub unread: Vec<String>,
}

/// One setting of the service's sessions.
#[derive(Debug, Clone, Serialize)]
pub struct SettingRow {
    /// The setting.
    pub name: String,
    /// Its value, or "unknown".
    pub value: String,
    /// Where it comes from.
    pub source: String,
    /// gaps' own value when it differs (what Describe ran under).
    pub gaps_value: Option<String>,
}

/// The service view of a snapshot.
pub fn service_view(s: &Snapshot) -> ServiceView {
    let Some(ev) = s.service.data() else {
        return ServiceView {
            collected: false,
            role: None,
            role_source: None,
            settings: Vec::new(),
            settings_note: None,
            unread: Vec::new(),
        };
    };
    let settings: Vec<SettingRow> = ev
        .settings
        .data()
        .map(|all| all.iter().map(row).collect())
        .unwrap_or_default();
    ServiceView {
        collected: true,
        role: (!ev.role.is_empty()).then(|| ev.role.clone()),
        role_source: Some(
            match ev.role_source {
                gaps_core::service::RoleSource::Flag => "--service-role",
                gaps_core::service::RoleSource::ConnectingUser => "the user gaps connected as",
            }
            .to_string(),
        ),
        settings_note: settings_note(ev),
        settings,
        unread: ev
            .unread_parts()
            .into_iter()
            .map(|(part, e)| redact_text(&format!("{part}: {}: {}", e.during, e.message)))
            .collect(),
    }
}

fn row(x: &gaps_core::service::EffectiveSetting) -> SettingRow {
    let source = match &x.at {
        Some(at) => format!("{} ({at})", x.source.label()),
        None => x.source.label().to_string(),
    };
    SettingRow {
        name: x.name.clone(),
        value: x
            .value
            .as_deref()
            .map(redact_text)
            .unwrap_or_else(|| "unknown".into()),
        source: redact_text(&source),
        gaps_value: x.gaps_value.as_deref().map(redact_text),
    }
}

fn settings_note(ev: &ServiceEvidence) -> Option<String> {
    match &ev.settings {
        gaps_core::Section::Collected { .. } => None,
        gaps_core::Section::Skipped { reason } => Some(redact_text(reason)),
        gaps_core::Section::Failed { error } => Some(redact_text(&format!(
            "not read: {}: {}",
            error.during, error.message
        ))),
    }
}
