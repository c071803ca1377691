//! JSON documents from outside (health endpoint bodies): secrets removed by key at any depth
//! and by value shape in every string.

use serde_json::Value;

use super::scrub::REDACTED;
use super::{keys::is_secret_key, text::redact_text};

/// Redacts `value` in place:
/// - the value of every secret key, at any depth (`password`, `db_password`, `token`,
///   `apiKey`, `AWS_SECRET_ACCESS_KEY`, `credentials`, `private_key`, ...) becomes
///   `"REDACTED"` — a whole object or array under such a key too; `null` and booleans stay,
///   since they hold no secret and say whether one is set;
/// - every other string is redacted as text ([`redact_text`]): a DSN with a password, a
///   `Bearer` header, a token shape;
/// - keys are redacted as text too (a token used as a key).
pub fn redact_json(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let renamed = map.keys().any(|k| redact_text(k) != *k);
            if renamed {
                let old = std::mem::take(map);
                for (k, v) in old {
                    let mut key = redact_text(&k);
                    while map.contains_key(&key) {
                        key.push('_');
                    }
                    map.insert(key, v);
                }
            }
            for (k, v) in map.iter_mut() {
                if is_secret_key(k) {
                    if !matches!(v, Value::Null | Value::Bool(_)) {
                        *v = Value::String(REDACTED.to_string());
                    }
                } else {
                    redact_json(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_json),
        Value::String(s) => {
            let r = redact_text(s);
            if r != *s {
                *s = r;
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_go_by_key_at_any_depth_and_by_shape() {
        let mut v: Value = serde_json::from_str(
            r#"{
              "status": "healthy",
              "schema_version": 14,
              "password": "pw-top",
              "token": 123456,
              "database": {"dsn": "postgres://app:pw-dsn@db/app", "db_password": "pw-nested",
                           "pool": {"max": 10}},
              "env": {"AWS_SECRET_ACCESS_KEY": "aws-sec", "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
                      "STRIPE_SECRET_KEY": "sk_live_abcdefgh1234", "api_key": null, "tls": true},
              "credentials": {"user": "app", "pass": "pw-cred"},
              "apiKey": "ak-1", "private_key": ["k1", "k2"],
              "checks": [{"name": "db", "url": "mysql://root:pw-list@h/x", "detail": "Bearer abc"}],
              "note": "connect with password=pw-text"
            }"#,
        )
        .unwrap();
        redact_json(&mut v);
        let text = v.to_string();
        for s in [
            "pw-top",
            "123456",
            "pw-dsn",
            "pw-nested",
            "aws-sec",
            "AKIAIOSFODNN7EXAMPLE",
            "sk_live_abc",
            "pw-cred",
            "ak-1",
            "k1",
            "pw-list",
            "abc",
            "pw-text",
        ] {
            assert!(!text.contains(s), "{s} leaked: {text}");
        }
        assert_eq!(v["status"], "healthy");
        assert_eq!(v["schema_version"], 14);
        assert_eq!(v["database"]["pool"]["max"], 10);
        assert_eq!(v["database"]["dsn"], "postgres://app:REDACTED@db/app");
        assert_eq!(v["env"]["api_key"], Value::Null);
        assert_eq!(v["env"]["tls"], true);
        assert_eq!(v["checks"][0]["name"], "db");
    }

    #[test]
    fn a_token_used_as_a_key_is_renamed() {
        let mut v: Value =
            serde_json::from_str(r#"{"ghp_1234567890abcdefghijABCDEFGHIJ123456": 1, "ok": 2}"#)
                .unwrap();
        redact_json(&mut v);
        assert!(!v.to_string().contains("ghp_"), "{v}");
        assert_eq!(v["ok"], 2);
    }
}
