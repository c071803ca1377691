//! MySQL's and MariaDB's `SHOW GRANTS` for the connecting account, read into the privileges
//! each table of one database holds. `SHOW GRANTS` is the one source that lists everything an
//! account may use: its own grants, MariaDB's active role's and PUBLIC's (which
//! `information_schema.*_PRIVILEGES` leave out). A line gaps cannot read, or a role whose
//! grants are not listed (MySQL 8 prints only `GRANT r TO u`), makes the privileges unknown.
//! Passwords (`IDENTIFIED BY PASSWORD '...'`) are never kept: lines are read, not stored.

use super::{ColumnPrivileges, Privilege, TablePrivileges};

/// One privilege at one level.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Grant {
    /// None: every database (`*.*`); otherwise the database pattern as written.
    db: Option<String>,
    /// None: every table of the database.
    table: Option<String>,
    /// Columns, for a column-level grant.
    columns: Vec<String>,
    privilege: Privilege,
}

/// What `SHOW GRANTS` says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grants {
    grants: Vec<Grant>,
    /// Roles granted to the account.
    pub roles: Vec<String>,
    /// Why the lines do not give the complete picture, when they do not.
    pub incomplete: Option<String>,
}

/// Reads the lines of `SHOW GRANTS`.
pub fn parse(lines: &[String]) -> Grants {
    let mut out = Grants::default();
    let mut grantees: Vec<String> = Vec::new();
    for line in lines {
        let Some(rest) = line.trim().strip_prefix("GRANT ") else {
            // SET DEFAULT ROLE and the like grant nothing.
            continue;
        };
        if rest.starts_with("PROXY ON ") {
            // `GRANT PROXY ON ''@'%' TO root@localhost`: lets the account act as another one,
            // grants no privilege on a table.
            continue;
        }
        match split_on(rest) {
            Some((privs, object, grantee)) => {
                grantees.push(unquote(&grantee));
                if let Err(why) = read_privileges(&privs, &object, &mut out.grants) {
                    out.incomplete.get_or_insert(why);
                }
            }
            None => {
                // `GRANT role TO user` or `GRANT PROXY ...`.
                if let Some((role, _)) = rest.split_once(" TO ")
                    && !rest.starts_with("PROXY ")
                {
                    out.roles.push(unquote(role.trim()));
                }
            }
        }
    }
    for role in &out.roles {
        if !grantees.iter().any(|g| g == role) {
            out.incomplete.get_or_insert(format!(
                "the account has role {role}, whose grants SHOW GRANTS does not list"
            ));
        }
    }
    out
}

/// `privs ON object TO grantee ...`, split at the top level (outside backticks and quotes).
fn split_on(rest: &str) -> Option<(String, String, String)> {
    let on = find_top(rest, " ON ")?;
    let after = &rest[on + 4..];
    let to = find_top(after, " TO ")?;
    let grantee_part = &after[to + 4..];
    let grantee_end = find_top(grantee_part, " ").unwrap_or(grantee_part.len());
    Some((
        rest[..on].to_string(),
        after[..to].trim().to_string(),
        grantee_part[..grantee_end].to_string(),
    ))
}

/// The byte offset of `pat` in `s` outside backtick-quoted names and string literals.
fn find_top(s: &str, pat: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '`' || c == '\'' => quote = Some(c),
            None if s[i..].starts_with(pat) => return Some(i),
            None => {}
        }
    }
    None
}

/// `user`@`host` -> `user`, `r1` -> `r1`, PUBLIC -> PUBLIC.
fn unquote(grantee: &str) -> String {
    let name = match find_top(grantee, "@") {
        Some(i) => &grantee[..i],
        None => grantee,
    };
    name.trim().trim_matches('`').trim_matches('\'').to_string()
}

/// Reads `SELECT, INSERT (`a`, `b`)` on `object` into grants.
fn read_privileges(privs: &str, object: &str, out: &mut Vec<Grant>) -> Result<(), String> {
    let object = object.trim();
    if object.starts_with("FUNCTION ") || object.starts_with("PROCEDURE ") {
        return Ok(());
    }
    let (db, table) = read_object(object)
        .ok_or_else(|| "a SHOW GRANTS line names an object gaps cannot read".to_string())?;
    for item in split_items(privs) {
        let (name, columns) = match item.find('(') {
            Some(i) => (
                item[..i].trim().to_string(),
                item[i + 1..]
                    .trim_end_matches(')')
                    .split(',')
                    .map(|c| c.trim().trim_matches('`').to_string())
                    .filter(|c| !c.is_empty())
                    .collect(),
            ),
            None => (item.trim().to_string(), Vec::new()),
        };
        let privileges: Vec<Privilege> = if name == "ALL PRIVILEGES" || name == "ALL" {
            vec![
                Privilege::Select,
                Privilege::Insert,
                Privilege::Update,
                Privilege::Delete,
                Privilege::Execute,
            ]
        } else {
            Privilege::parse(&name).into_iter().collect()
        };
        for privilege in privileges {
            out.push(Grant {
                db: db.clone(),
                table: table.clone(),
                columns: columns.clone(),
                privilege,
            });
        }
    }
    Ok(())
}

/// `*.*`, `` `db`.* ``, `` `db`.`t` `` -> (db, table).
fn read_object(object: &str) -> Option<(Option<String>, Option<String>)> {
    let dot = find_top(object, ".")?;
    let name = |s: &str| -> Option<Option<String>> {
        let s = s.trim();
        if s == "*" {
            Some(None)
        } else if let Some(inner) = s.strip_prefix('`').and_then(|x| x.strip_suffix('`')) {
            Some(Some(inner.replace("``", "`")))
        } else if !s.is_empty()
            && s.chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
        {
            Some(Some(s.to_string()))
        } else {
            None
        }
    };
    Some((name(&object[..dot])?, name(&object[dot + 1..])?))
}

/// Top-level comma-separated items (a column list's commas are inside parentheses).
fn split_items(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut quote = false;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '`' => quote = !quote,
            '(' if !quote => depth += 1,
            ')' if !quote => depth -= 1,
            ',' if !quote && depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    out
}

/// MySQL's database-name pattern in a grant: `_` and `%` are wildcards unless escaped.
fn db_matches(pattern: &str, db: &str) -> bool {
    fn go(p: &[char], s: &[char]) -> bool {
        match p.split_first() {
            None => s.is_empty(),
            Some(('\\', rest)) => match (rest.split_first(), s.split_first()) {
                (Some((pc, prest)), Some((sc, srest))) => pc == sc && go(prest, srest),
                _ => false,
            },
            Some(('%', rest)) => (0..=s.len()).any(|i| go(rest, &s[i..])),
            Some(('_', rest)) => !s.is_empty() && go(rest, &s[1..]),
            Some((pc, rest)) => s.first() == Some(pc) && go(rest, &s[1..]),
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = db.chars().collect();
    go(&p, &s)
}

impl Grants {
    fn applies(&self, g: &Grant, db: &str, table: &str) -> bool {
        g.db.as_deref().is_none_or(|p| db_matches(p, db))
            && g.table.as_deref().is_none_or(|t| t == table)
    }

    /// The table-level privileges of `db.table`, and those held on some of its columns only.
    pub fn table(&self, db: &str, table: &str) -> TablePrivileges {
        let mut held: Vec<Privilege> = Vec::new();
        let mut on_columns: Vec<Privilege> = Vec::new();
        for g in self.grants.iter().filter(|g| self.applies(g, db, table)) {
            let into = if g.columns.is_empty() {
                &mut held
            } else {
                &mut on_columns
            };
            if !into.contains(&g.privilege) {
                into.push(g.privilege);
            }
        }
        held.retain(|p| {
            matches!(
                p,
                Privilege::Select | Privilege::Insert | Privilege::Update | Privilege::Delete
            )
        });
        held.sort();
        on_columns.retain(|p| !held.contains(p));
        on_columns.sort();
        TablePrivileges {
            schema: db.to_string(),
            name: table.to_string(),
            owner: None,
            owned: false,
            held,
            on_some_columns: on_columns,
        }
    }

    /// The column privileges of `db.table` (for a table with privileges on some columns).
    pub fn columns(&self, db: &str, table: &str) -> Vec<ColumnPrivileges> {
        let t = self.table(db, table);
        let mut names: Vec<&String> = self
            .grants
            .iter()
            .filter(|g| self.applies(g, db, table))
            .flat_map(|g| &g.columns)
            .collect();
        names.sort();
        names.dedup();
        names
            .into_iter()
            .map(|c| {
                let mut held = t.held.clone();
                for g in self
                    .grants
                    .iter()
                    .filter(|g| self.applies(g, db, table) && g.columns.contains(c))
                {
                    if !held.contains(&g.privilege) {
                        held.push(g.privilege);
                    }
                }
                held.sort();
                ColumnPrivileges {
                    schema: db.to_string(),
                    table: table.to_string(),
                    column: c.clone(),
                    held,
                }
            })
            .collect()
    }
}

/// Whether one of `levels` (from [`trigger_levels`]) covers `db.table`: MySQL lists a table's
/// triggers only to an account with the TRIGGER privilege on it.
pub fn sees_triggers(levels: &[(Option<String>, Option<String>)], db: &str, table: &str) -> bool {
    levels.iter().any(|(d, t)| {
        d.as_deref().is_none_or(|p| db_matches(p, db)) && t.as_deref().is_none_or(|x| x == table)
    })
}

/// The levels (database pattern, table) at which `SHOW GRANTS` gives the TRIGGER privilege.
pub fn trigger_levels(lines: &[String]) -> Vec<(Option<String>, Option<String>)> {
    let mut out = Vec::new();
    for line in lines {
        let Some(rest) = line.trim().strip_prefix("GRANT ") else {
            continue;
        };
        let Some((privs, object, _)) = split_on(rest) else {
            continue;
        };
        let has = split_items(&privs)
            .iter()
            .any(|p| matches!(p.trim(), "TRIGGER" | "ALL PRIVILEGES" | "ALL"));
        if has && let Some(level) = read_object(&object) {
            out.push(level);
        }
    }
    out
}

#[cfg(test)]
mod tests;
