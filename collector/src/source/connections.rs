//! Where the code opens a database connection itself: `SqlitePool::connect(..)`,
//! `PgConnection::connect(..)`, `SqliteConnectOptions::from_str(..)`,
//! `SqliteConnectOptions::new().filename(..)`, `PoolOptions::new().connect(..)`. An importer
//! that reads another application's SQLite file opens one from a path; the service's own
//! pool is opened from its database URL (`DATABASE_URL`, `database_url`).

use quote::ToTokens;
use syn::Expr;

/// A connection opened by a call: (the call as `Type::function`, its argument).
pub(super) fn from_call(path: &syn::Path, args: &[&Expr]) -> Option<(String, String)> {
    let segs: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    let [.., ty, func] = segs.as_slice() else {
        return None;
    };
    let opens = matches!(func.as_str(), "connect" | "connect_lazy" | "from_str")
        && (ty.ends_with("Pool") || ty.ends_with("Connection") || ty.ends_with("ConnectOptions"));
    if !opens || (func == "from_str" && !ty.ends_with("ConnectOptions")) {
        return None;
    }
    Some((format!("{ty}::{func}"), argument(args.first().copied())))
}

/// A connection opened by a method: `.filename(path)` on SQLite's options, `.connect(url)` /
/// `.connect_lazy(url)` on pool options.
pub(super) fn from_method(mc: &syn::ExprMethodCall) -> Option<(String, String)> {
    let m = mc.method.to_string();
    if !matches!(m.as_str(), "filename" | "connect" | "connect_lazy") || mc.args.len() != 1 {
        return None;
    }
    let receiver = mc.receiver.to_token_stream().to_string();
    let plausible = match m.as_str() {
        "filename" => receiver.contains("ConnectOptions"),
        _ => receiver.contains("PoolOptions"),
    };
    plausible.then(|| (format!(".{m}"), argument(mc.args.first())))
}

/// True when the argument is the service's own database URL.
pub(super) fn service_url(argument: &str) -> bool {
    argument.to_ascii_lowercase().contains("database_url")
}

fn argument(e: Option<&Expr>) -> String {
    let text = e
        .map(|e| e.to_token_stream().to_string())
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if text.chars().count() > 80 {
        format!("{}...", text.chars().take(77).collect::<String>())
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(text: &str) -> Option<(String, String)> {
        let e: Expr = syn::parse_str(text).unwrap();
        match e {
            Expr::Call(c) => match &*c.func {
                Expr::Path(p) => from_call(&p.path, &c.args.iter().collect::<Vec<_>>()),
                _ => None,
            },
            Expr::MethodCall(mc) => from_method(&mc),
            _ => None,
        }
    }

    #[test]
    fn connections_are_recognised_with_their_argument() {
        let (api, arg) = call("sqlx::SqlitePool::connect(&url)").unwrap();
        assert_eq!(
            (api.as_str(), arg.as_str()),
            ("SqlitePool::connect", "& url")
        );
        assert!(call("SqliteConnectOptions::from_str(path.to_str().unwrap())").is_some());
        assert!(call("SqliteConnectOptions::new().filename(&db_path)").is_some());
        let (_, arg) =
            call("PgPoolOptions::new().max_connections(5).connect(&config.database_url)").unwrap();
        assert!(service_url(&arg), "{arg}");
        assert!(call("socket.connect(addr)").is_none());
        assert!(call("u64::from_str(x)").is_none());
    }
}
