//! Timestamps in log lines: RFC 3339 / ISO 8601 with `T` or a space, optional fraction and
//! zone (`Z`, `UTC`, `+hh:mm`, `+hh`), parsed to Unix seconds and printed back as RFC 3339 UTC.
//! Hand-written because the core crate carries no clock or calendar dependency.

/// Parses the timestamp at the start of `s`; returns Unix seconds and the bytes consumed.
pub fn parse_prefix(s: &[u8]) -> Option<(i64, usize)> {
    let num = |a: usize, b: usize| -> Option<i64> {
        let part = s.get(a..b)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(part.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
    };
    if s.len() < 19 || s[4] != b'-' || s[7] != b'-' || s[13] != b':' || s[16] != b':' {
        return None;
    }
    if s[10] != b'T' && s[10] != b' ' && s[10] != b't' {
        return None;
    }
    let (y, mo, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (h, mi, sec) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    if s.get(i) == Some(&b'.') || s.get(i) == Some(&b',') {
        i += 1;
        while s.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    let mut offset = 0i64;
    match s.get(i) {
        Some(b'Z') | Some(b'z') => i += 1,
        Some(b'+') | Some(b'-') => {
            let sign = if s[i] == b'-' { -1 } else { 1 };
            if let Some(hh) = num(i + 1, i + 3) {
                let mut j = i + 3;
                let mut mm = 0;
                if s.get(j) == Some(&b':') {
                    j += 1;
                }
                if let Some(m) = num(j, j + 2) {
                    mm = m;
                    j += 2;
                }
                offset = sign * (hh * 3600 + mm * 60);
                i = j;
            }
        }
        Some(b' ')
            if s.get(i + 1..i + 4) == Some(b"UTC") || s.get(i + 1..i + 4) == Some(b"GMT") =>
        {
            i += 4
        }
        _ => {}
    }
    let days = days_from_civil(y, mo, d);
    Some((days * 86400 + h * 3600 + mi * 60 + sec - offset, i))
}

/// Parses a whole timestamp string (trailing text is ignored).
pub fn parse(s: &str) -> Option<i64> {
    parse_prefix(s.trim().as_bytes()).map(|(t, _)| t)
}

/// Formats Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format(t: i64) -> String {
    let days = t.div_euclid(86400);
    let secs = t.rem_euclid(86400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

// Howard Hinnant's algorithms for the proleptic Gregorian calendar.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_with_fraction_and_z_round_trips() {
        let t = parse("2026-01-09T12:00:00.123Z").unwrap();
        assert_eq!(t, 1_767_960_000);
        assert_eq!(format(t), "2026-01-09T12:00:00Z");
    }

    #[test]
    fn postgres_style_space_and_utc_and_offsets_are_read() {
        assert_eq!(
            parse("2026-01-09 12:00:00.123 UTC"),
            parse("2026-01-09T12:00:00Z")
        );
        assert_eq!(
            parse("2026-01-09T13:00:00+01:00"),
            parse("2026-01-09T12:00:00Z")
        );
        assert_eq!(
            parse("2026-01-09 07:00:00-05"),
            parse("2026-01-09T12:00:00Z")
        );
        assert_eq!(
            format(parse("2024-02-29T23:59:59Z").unwrap()),
            "2024-02-29T23:59:59Z"
        );
    }

    #[test]
    fn non_timestamps_are_refused() {
        assert_eq!(parse("app[148e272a] iad"), None);
        assert_eq!(parse("2026-13-09T12:00:00Z"), None);
        assert_eq!(parse("2026-01-09"), None);
    }
}
