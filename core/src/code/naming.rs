//! Name conversions sqlx applies (`rename_all` cases) and the struct-to-table naming
//! convention (`FocusSession` -> `focus_sessions`).

/// Splits an identifier into lowercase words the way heck (used by sqlx's derives) does:
/// at underscores, hyphens and lower-to-upper case boundaries.
pub fn words(ident: &str) -> Vec<String> {
    let ident = ident.strip_prefix("r#").unwrap_or(ident);
    let chars: Vec<char> = ident.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' || c == '-' || c == ' ' {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if c.is_uppercase() && !cur.is_empty() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if prev.is_lowercase() || prev.is_ascii_digit() || (prev.is_uppercase() && next_lower) {
                out.push(std::mem::take(&mut cur));
            }
        }
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn capitalised(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Applies an sqlx `rename_all` rule to a field or variant name. Unknown rules leave the name
/// unchanged (sqlx rejects them at compile time, so the code would not build anyway).
pub fn apply_rename_all(rule: &str, ident: &str) -> String {
    let ident = ident.strip_prefix("r#").unwrap_or(ident);
    let w = words(ident);
    match rule {
        "lowercase" => ident.to_lowercase(),
        "UPPERCASE" => ident.to_uppercase(),
        "snake_case" => w.join("_"),
        "SCREAMING_SNAKE_CASE" => w.join("_").to_uppercase(),
        "kebab-case" => w.join("-"),
        "SCREAMING-KEBAB-CASE" => w.join("-").to_uppercase(),
        "camelCase" => {
            let mut s = String::new();
            for (i, part) in w.iter().enumerate() {
                if i == 0 {
                    s.push_str(part);
                } else {
                    s.push_str(&capitalised(part));
                }
            }
            s
        }
        "PascalCase" => w.iter().map(|p| capitalised(p)).collect(),
        _ => ident.to_string(),
    }
}

/// English plural of a lowercase word, good enough for table names.
pub fn plural(word: &str) -> String {
    let irregular = [("person", "people"), ("child", "children"), ("man", "men")];
    for (s, p) in irregular {
        if word == s {
            return p.to_string();
        }
    }
    if word.ends_with('s')
        || word.ends_with('x')
        || word.ends_with("ch")
        || word.ends_with("sh")
        || word.ends_with('z')
    {
        return format!("{word}es");
    }
    if let Some(stem) = word.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'i', 'o', 'u'])
    {
        return format!("{stem}ies");
    }
    format!("{word}s")
}

/// Table names a struct could conventionally map to, most likely first:
/// `FocusSession` -> `focus_sessions`, `focus_session`; a `Row`/`Record`/`Model`/`Entity`/`Db`
/// suffix is dropped first (`UserRow` -> `users`).
pub fn conventional_tables(struct_name: &str) -> Vec<String> {
    let mut w = words(struct_name);
    if w.len() > 1
        && matches!(
            w.last().map(String::as_str),
            Some("row" | "record" | "model" | "entity" | "db")
        )
    {
        w.pop();
    }
    if w.is_empty() {
        return Vec::new();
    }
    let singular = w.join("_");
    let mut pl = w.clone();
    if let Some(last) = pl.last_mut() {
        *last = plural(last);
    }
    let plural = pl.join("_");
    if plural == singular {
        vec![singular]
    } else {
        vec![plural, singular]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rename_all_rules_match_sqlx() {
        assert_eq!(apply_rename_all("camelCase", "created_at"), "createdAt");
        assert_eq!(apply_rename_all("PascalCase", "created_at"), "CreatedAt");
        assert_eq!(
            apply_rename_all("SCREAMING_SNAKE_CASE", "createdAt"),
            "CREATED_AT"
        );
        assert_eq!(apply_rename_all("snake_case", "InProgress"), "in_progress");
        assert_eq!(apply_rename_all("lowercase", "InProgress"), "inprogress");
        assert_eq!(apply_rename_all("kebab-case", "InProgress"), "in-progress");
        assert_eq!(apply_rename_all("UPPERCASE", "Done"), "DONE");
        assert_eq!(apply_rename_all("snake_case", "HTTPServer"), "http_server");
    }

    #[test]
    fn conventions_cover_plurals_and_row_suffixes() {
        assert_eq!(conventional_tables("User")[0], "users");
        assert_eq!(conventional_tables("FocusSession")[0], "focus_sessions");
        assert_eq!(conventional_tables("UserRow")[0], "users");
        assert_eq!(conventional_tables("Category")[0], "categories");
        assert_eq!(conventional_tables("UserProgress")[0], "user_progresses");
        assert!(conventional_tables("UserProgress").contains(&"user_progress".to_string()));
        assert_eq!(conventional_tables("Day")[0], "days");
    }
}
