//! Querying the service's health endpoint (`--health URL`): one GET with a global timeout, at
//! most [`MAX_REDIRECTS`] redirects, TLS through rustls, the body read up to
//! [`MAX_BODY`] bytes. The blocking client runs on a blocking
//! thread. Comparing `schema_version` with the migrations is the rules' job, not this one's.

use std::io::Read;
use std::time::{Duration, Instant};

use gaps_core::health::{
    HealthError, HealthErrorKind, HealthEvidence, MAX_BODY, RECORDED_HEADERS, body_from_bytes,
};
use gaps_core::redact;
use gaps_core::section::Section;

/// Redirects followed before giving up.
pub const MAX_REDIRECTS: u32 = 3;

/// GETs the health endpoint at `url` (waiting at most `timeout`) and records the answer.
pub async fn collect(url: &str, timeout: Duration) -> Section<HealthEvidence> {
    let url = url.to_string();
    match tokio::task::spawn_blocking(move || probe(&url, timeout)).await {
        Ok(ev) => Section::collected(ev),
        Err(e) => Section::failed("querying the health endpoint", e.to_string()),
    }
}

/// One blocking GET of `url`.
pub fn probe(url: &str, timeout: Duration) -> HealthEvidence {
    let secrets = redact::secrets_in_url(url);
    let shown = redact::redact_url(url);
    let mut ev = HealthEvidence {
        url: shown.clone(),
        timeout_ms: timeout.as_millis() as u64,
        ..HealthEvidence::default()
    };
    let fail = |mut ev: HealthEvidence, kind, message: String| {
        ev.error = Some(HealthError {
            kind,
            message: redact::redact_text(&redact::scrub(&message, &secrets)),
        });
        ev
    };
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return fail(
            ev,
            HealthErrorKind::InvalidUrl,
            format!("{shown} is not an http(s) URL"),
        );
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .max_redirects(MAX_REDIRECTS)
        .http_status_as_error(false)
        .user_agent(concat!("gaps/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let started = Instant::now();
    let mut resp = match agent.get(url).call() {
        Ok(r) => r,
        Err(e) => {
            let kind = match &e {
                ureq::Error::Timeout(_) => HealthErrorKind::Timeout,
                ureq::Error::ConnectionFailed => HealthErrorKind::ConnectionRefused,
                ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
                    HealthErrorKind::ConnectionRefused
                }
                ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
                    HealthErrorKind::Timeout
                }
                ureq::Error::HostNotFound => HealthErrorKind::Dns,
                ureq::Error::TooManyRedirects | ureq::Error::RedirectFailed => {
                    HealthErrorKind::TooManyRedirects
                }
                ureq::Error::Tls(_) | ureq::Error::Rustls(_) => HealthErrorKind::Tls,
                ureq::Error::BadUri(_) => HealthErrorKind::InvalidUrl,
                _ => HealthErrorKind::Other,
            };
            ev.latency_ms = Some(started.elapsed().as_millis() as u64);
            return fail(ev, kind, e.to_string());
        }
    };
    ev.reachable = true;
    ev.status = Some(resp.status().as_u16());
    for (name, value) in resp.headers() {
        let n = name.as_str().to_ascii_lowercase();
        if RECORDED_HEADERS.contains(&n.as_str())
            && let Ok(v) = value.to_str()
        {
            let v = if n == "location" {
                redact::redact_url(v)
            } else {
                redact::redact_text(v)
            };
            ev.headers.insert(n, v);
        }
    }
    {
        use ureq::ResponseExt;
        let final_uri = resp.get_uri().to_string();
        if final_uri.trim_end_matches('/') != url.trim_end_matches('/') {
            ev.final_url = Some(redact::redact_url(&final_uri));
        }
    }
    let mut body = Vec::new();
    let read = resp
        .body_mut()
        .as_reader()
        .take(MAX_BODY as u64 + 1)
        .read_to_end(&mut body);
    ev.latency_ms = Some(started.elapsed().as_millis() as u64);
    let truncated = body.len() > MAX_BODY;
    if let Err(e) = read {
        ev.error = Some(HealthError {
            kind: if e.kind() == std::io::ErrorKind::TimedOut {
                HealthErrorKind::Timeout
            } else {
                HealthErrorKind::Other
            },
            message: format!(
                "reading the body stopped after {} bytes: {}",
                body.len(),
                redact::redact_text(&redact::scrub(&e.to_string(), &secrets))
            ),
        });
    }
    ev.body = body_from_bytes(&body, truncated || ev.error.is_some());
    ev
}
