//! A small, tolerant reader for the "Expected Tables" list under ACTION-004 of a gaps.md
//! registry. It accepts the list as table rows (`| - users, accounts |`) or plain bullets
//! (`- users, accounts`), with or without backticks. The full action parser lives with the
//! report; this one only needs the table names.

use crate::gapsmd_limits::{self, GapsMdError};

/// Table names listed under "Expected Tables" in the ACTION-004 section, in order, without
/// duplicates. Empty when the section or the list is absent; an error when the text breaks the
/// size or nesting limits every gaps.md reader enforces ([`gapsmd_limits::check`]).
pub fn expected_tables(markdown: &str) -> Result<Vec<String>, GapsMdError> {
    gapsmd_limits::check(markdown)?;
    let mut out: Vec<String> = Vec::new();
    let mut in_action = false;
    let mut in_list = false;
    for raw in markdown.lines() {
        let line = raw.trim();
        if line.starts_with('#') {
            in_action = line.contains("ACTION-004");
            in_list = false;
            continue;
        }
        if !in_action {
            continue;
        }
        let cell = line.trim_start_matches('|').trim_end_matches('|').trim();
        if cell.to_ascii_lowercase().contains("expected tables") {
            in_list = true;
            continue;
        }
        if !in_list {
            continue;
        }
        let item = cell
            .strip_prefix("- ")
            .or_else(|| cell.strip_prefix("* "))
            .or_else(|| cell.strip_prefix('-'));
        match item {
            Some(item) => {
                for name in item.split(',') {
                    let name = name.trim().trim_matches('`').trim();
                    let ok = !name.is_empty()
                        && name
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
                    if ok && !out.iter().any(|n| n == name) {
                        out.push(name.to_string());
                    }
                }
            }
            // The first line that is not a list item ends the list (e.g. the next
            // `| **Evidence Required** |` row).
            None if !cell.is_empty() => in_list = false,
            None => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_seed_style_table_list() {
        let md = "### ACTION-003: x\n| **Expected Tables** |\n| - nope |\n\n\
                  ### ACTION-004: Verify Table Existence\n| a | b |\n| **Expected Tables** |\n\
                  | - users, accounts, sessions |\n| - `habits`, habit_completions |\n\
                  | **Evidence Required** | Table list diff |\n| - not_a_table |\n\
                  ### ACTION-005\n| - goals |\n";
        assert_eq!(
            expected_tables(md).unwrap(),
            [
                "users",
                "accounts",
                "sessions",
                "habits",
                "habit_completions"
            ]
        );
    }

    #[test]
    fn accepts_plain_bullets_and_ignores_junk() {
        let md =
            "## ACTION-004 tables\nExpected tables:\n- users\n* books, reading sessions\n\nText";
        assert_eq!(expected_tables(md).unwrap(), ["users", "books"]);
    }

    #[test]
    fn absent_section_gives_nothing() {
        assert!(expected_tables("# gaps\n- users\n").unwrap().is_empty());
    }
}
