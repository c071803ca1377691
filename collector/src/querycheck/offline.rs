//! The `.sqlx/` offline data: reading and parsing sqlx's `query-*.json` files, and describing
//! each cached query live to compare the two.

use std::collections::HashMap;
use std::path::Path;

use gaps_core::querycheck::{
    LiveDescribe, OfflineCheck, OfflineColumn, OfflineDescribe, OfflineEntry, OfflineProblem,
    Outcome, classify, not_checkable_reason,
};

use super::StatementInput;
use super::describer::Describer;
use super::live::{Live, json_spelling};

/// Reads `.sqlx/query-*.json` and describes each cached query live.
pub(super) async fn compare_offline(
    d: &mut Describer<'_>,
    cache: &mut HashMap<String, Live>,
    dir: &Path,
    shown: &str,
    inputs: &[StatementInput],
    source_scanned: bool,
) -> OfflineCheck {
    let (cached, problems) = read_offline_dir(dir);
    let mut entries = Vec::with_capacity(cached.len());
    for (file, query, describe) in cached {
        let in_source = source_scanned.then(|| {
            inputs
                .iter()
                .any(|i| i.sql.as_deref().map(str::trim) == Some(query.trim()))
        });
        let kind = classify(&query);
        let live = match not_checkable_reason(kind, &query) {
            Some(reason) => LiveDescribe::NotDescribed { reason },
            None => {
                if !cache.contains_key(&query) {
                    let live = d.describe(&query, kind).await;
                    cache.insert(query.clone(), live);
                }
                let live = &cache[&query];
                match &live.outcome {
                    Outcome::Ok => LiveDescribe::Described(live.offline()),
                    Outcome::Rejected(r) => LiveDescribe::Rejected(r.clone()),
                    Outcome::NotCheckable { reason } => LiveDescribe::NotDescribed {
                        reason: reason.clone(),
                    },
                }
            }
        };
        entries.push(OfflineEntry {
            file,
            query,
            in_source,
            cached: describe,
            live,
        });
    }
    OfflineCheck {
        directory: shown.to_string(),
        entries,
        problems,
    }
}

type CachedQuery = (String, String, OfflineDescribe);

/// Parses every `query-*.json` in `dir`, sorted by file name; unreadable files become
/// problems naming the file.
pub fn read_offline_dir(dir: &Path) -> (Vec<CachedQuery>, Vec<OfflineProblem>) {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    let mut names: Vec<String> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.starts_with("query-") && n.ends_with(".json"))
            .collect(),
        Err(e) => {
            problems.push(OfflineProblem {
                file: dir.display().to_string(),
                message: format!("cannot read the directory: {e}"),
            });
            Vec::new()
        }
    };
    names.sort();
    for name in names {
        let path = dir.join(&name);
        match std::fs::read(&path)
            .map_err(|e| format!("cannot read: {e}"))
            .and_then(|bytes| parse_offline(&bytes))
        {
            Ok((query, describe)) => found.push((name, query, describe)),
            Err(message) => problems.push(OfflineProblem {
                file: name,
                message,
            }),
        }
    }
    (found, problems)
}

/// Parses one sqlx offline file: `query`, `describe.columns[].{name,type_info}`,
/// `describe.parameters` (`{"Left": [...]}` or `{"Right": n}`), `describe.nullable`.
pub fn parse_offline(bytes: &[u8]) -> Result<(String, OfflineDescribe), String> {
    let v: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| format!("not valid JSON at line {}: {e}", e.line()))?;
    let query = v["query"]
        .as_str()
        .ok_or("no \"query\" string: not an sqlx offline file")?
        .to_string();
    let describe = &v["describe"];
    let columns = describe["columns"]
        .as_array()
        .ok_or("no \"describe.columns\" array")?;
    let nullable = describe["nullable"].as_array();
    let columns = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            Ok(OfflineColumn {
                name: c["name"]
                    .as_str()
                    .ok_or(format!("describe.columns[{i}] has no name"))?
                    .to_string(),
                type_info: json_spelling(&c["type_info"]),
                nullable: nullable.and_then(|n| n.get(i)).and_then(|b| b.as_bool()),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let parameters = match &describe["parameters"] {
        serde_json::Value::Object(m) if m.contains_key("Left") => m["Left"]
            .as_array()
            .map(|a| a.iter().map(json_spelling).collect())
            .unwrap_or_default(),
        serde_json::Value::Object(m) if m.contains_key("Right") => {
            let n = m["Right"].as_u64().unwrap_or(0);
            (0..n).map(|_| "?".to_string()).collect()
        }
        _ => Vec::new(),
    };
    Ok((
        query,
        OfflineDescribe {
            columns,
            parameters,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offline_files_parse_in_sqlx_spelling() {
        let text = br#"{"db_name":"PostgreSQL","query":"SELECT id FROM t WHERE x = $1",
            "describe":{"columns":[{"ordinal":0,"name":"id","type_info":"Int8"}],
            "parameters":{"Left":["Text"]},"nullable":[false]},"hash":"ab"}"#;
        let (q, d) = parse_offline(text).unwrap();
        assert_eq!(q, "SELECT id FROM t WHERE x = $1");
        assert_eq!(d.columns[0].type_info, "Int8");
        assert_eq!(d.columns[0].nullable, Some(false));
        assert_eq!(d.parameters, vec!["Text".to_string()]);
    }

    #[test]
    fn malformed_offline_files_say_what_is_wrong() {
        assert!(parse_offline(b"{").unwrap_err().contains("not valid JSON"));
        assert!(parse_offline(b"{}").unwrap_err().contains("\"query\""));
        assert!(
            parse_offline(br#"{"query":"x","describe":{}}"#)
                .unwrap_err()
                .contains("describe.columns")
        );
    }
}
