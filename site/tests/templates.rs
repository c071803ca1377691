//! Every template renders with a fixture context, and the rendered fragments are pinned with
//! insta (collected_at redacted), so a template change shows up as a reviewed diff.

use gaps_site::page::{Assets, Templates};
use gaps_site::{NamedSnapshot, sample, view};

fn fixture() -> (view::ReportView, Assets) {
    fixture_of(sample::sample_snapshot(), sample::sample_findings())
}

fn fixture_of(
    snapshot: gaps_core::Snapshot,
    findings: Vec<gaps_core::finding::Finding>,
) -> (view::ReportView, Assets) {
    let reg =
        gaps_site::load_registry("gaps.md", include_str!("../../tests/fixtures/gaps.md")).unwrap();
    let analysed = vec![(
        NamedSnapshot {
            file: "prod.json".into(),
            snapshot,
        },
        findings,
    )];
    let v = view::report_view(&analysed, Some(&reg));
    let assets = Assets {
        css: "body{}".into(),
        scripts: vec!["1".into()],
        data_gz: String::new(),
    };
    (v, assets)
}

fn render(name: &str) -> String {
    render_with(name, fixture())
}

/// Renders `name` for [`sample::evidence_snapshot`] (every section collected) with the
/// findings the rules give for it.
fn render_evidence(name: &str) -> String {
    let s = sample::evidence_snapshot();
    let findings = gaps_core::rules::analyse(&s);
    without_charts(&render_with(name, fixture_of(s, findings)))
}

/// Replaces each `<figure>`'s content (plotters SVG, pinned by the chart tests) with a marker.
fn without_charts(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find("<figure") {
        out.push_str(&rest[..i]);
        let end = rest[i..]
            .find("</figure>")
            .map(|e| i + e + "</figure>".len())
            .unwrap_or(rest.len());
        out.push_str("<figure>[chart]</figure>");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn render_with(name: &str, (v, assets): (view::ReportView, Assets)) -> String {
    let tera = Templates::builtin().tera().unwrap();
    let mut ctx = tera::Context::new();
    ctx.insert("report", &v);
    ctx.insert("assets", &assets);
    ctx.insert("snap", &v.snapshots[0]);
    tera.render(name, &ctx)
        .unwrap_or_else(|e| panic!("{name}: {}", gaps_site::page::tera_message(&e)))
        .replace("2026-01-09T12:00:00Z", "[collected_at]")
}

#[test]
fn every_template_renders_with_a_fixture_context() {
    for name in Templates::names()
        .into_iter()
        .filter(|n| n.ends_with(".html"))
    {
        let html = render(name);
        if name != "macros.html" {
            assert!(!html.trim().is_empty(), "{name} rendered nothing");
        }
    }
}

#[test]
fn migrations_fragment() {
    insta::assert_snapshot!(
        render("migrations.html").replace(
            &render("migrations.html")
                .split("<figure")
                .nth(1)
                .map(|s| format!("<figure{}", s.split("</figure>").next().unwrap_or("")))
                .unwrap_or_default(),
            "<figure>[chart]"
        )
    );
}

#[test]
fn schema_fragment() {
    insta::assert_snapshot!(render("schema.html"));
}

#[test]
fn summary_fragment() {
    insta::assert_snapshot!(render("summary.html"));
}

#[test]
fn logs_fragment() {
    let html = render_evidence("logs.html");
    assert!(
        html.contains("<figure>[chart]</figure>"),
        "no chart: {html}"
    );
    assert!(!html.contains("hunter2"), "a secret reached the page");
    insta::assert_snapshot!(html);
}

#[test]
fn health_fragment() {
    let html = render_evidence("health.html");
    assert!(!html.contains("hunter2"), "a secret reached the page");
    insta::assert_snapshot!(html);
}

#[test]
fn provider_fragment() {
    insta::assert_snapshot!(render_evidence("provider.html"));
}

/// The service's sessions in the provider section: each setting with where it comes from and
/// gaps' own value beside it when it differs, a part that could not be read said as such, and
/// a secret in a setting's value (a DSN option can hold one) never shown.
#[test]
fn the_service_sessions_show_their_settings_sources_and_unread_parts() {
    use gaps_core::Section;
    use gaps_core::service::{EffectiveSetting, SettingSource};
    let mut s = sample::evidence_snapshot();
    let mut ev = gaps_core::testing::service_evidence("svc");
    ev.settings = Section::collected(vec![
        EffectiveSetting {
            name: "search_path".into(),
            value: Some("app".into()),
            source: SettingSource::RoleInDatabase,
            at: Some("ALTER ROLE svc IN DATABASE app".into()),
            gaps_value: Some("\"$user\", public".into()),
        },
        EffectiveSetting {
            name: "statement_timeout".into(),
            value: Some("5s password=hunter2secret".into()),
            source: SettingSource::Dsn,
            at: None,
            gaps_value: None,
        },
    ]);
    ev.functions = Section::failed("reading function privileges", "permission denied");
    s.service = Section::collected(ev);
    let findings = gaps_core::rules::analyse(&s);
    let html = render_with("provider.html", fixture_of(s, findings));
    let rows: Vec<&str> = html
        .lines()
        .filter(|l| l.starts_with("<tr><th scope=\"row\"><code>"))
        .collect();
    let row = |name: &str| {
        rows.iter()
            .find(|r| r.contains(&format!("<code>{name}</code>")))
            .unwrap_or_else(|| panic!("no {name} row in {html}"))
    };
    let search_path = row("search_path");
    assert!(search_path.contains("<code>app</code>"), "{search_path}");
    assert!(
        search_path.contains("ALTER ROLE svc IN DATABASE app"),
        "{search_path}"
    );
    assert!(
        search_path.contains("<code>&quot;$user&quot;, public</code>"),
        "gaps' own value, escaped: {search_path}"
    );
    let timeout = row("statement_timeout");
    assert!(timeout.contains("the same"), "{timeout}");
    assert!(!html.contains("hunter2secret"), "{html}");
    assert!(
        html.contains("role <code>svc</code>, from --service-role"),
        "{html}"
    );
    assert!(
        html.contains("could not read the function privileges: reading function privileges"),
        "{html}"
    );
}

#[test]
fn code_fragment() {
    insta::assert_snapshot!(render_evidence("code.html"));
}

/// The sample without logs, code or provider evidence, and with a failed health request: each
/// section says so (with the failure's error), and shows no empty table.
#[test]
fn sections_without_evidence_say_so() {
    let html: String = ["code.html", "logs.html", "health.html", "provider.html"]
        .into_iter()
        .map(render)
        .collect();
    assert_eq!(
        html.matches("<table").count(),
        html.matches("<table class=\"findings\">").count(),
        "a table other than the findings: {html}"
    );
    insta::assert_snapshot!(html);
}

/// The Diagnosis cards for the evidence sample: each cause with its chain, fix and links, and
/// every link lands on an element the whole page renders.
#[test]
fn diagnosis_fragment() {
    let s = sample::evidence_snapshot();
    let findings = gaps_core::rules::analyse(&s);
    let fixture = fixture_of(s, findings);
    let page: String = [
        "diagnosis.html",
        "migrations.html",
        "schema.html",
        "code.html",
        "logs.html",
        "actions.html",
    ]
    .into_iter()
    .map(|n| render_with(n, fixture.clone()))
    .collect();
    let html = render_with("diagnosis.html", fixture);
    assert!(html.contains("<article class=\"card cause"), "{html}");
    for href in html.split("href=\"#").skip(1) {
        let id = href.split('"').next().unwrap();
        assert!(
            page.contains(&format!("id=\"{id}\"")),
            "the link #{id} lands nowhere"
        );
    }
    insta::assert_snapshot!(html);
}

/// The plan's timeline: per migration to run, its statements with the lock, how long it is
/// held, the table's size now and the verdict, in a server-rendered table (no script needed).
#[test]
fn plan_timeline_fragment() {
    let s = sample::plan_snapshot();
    let findings = gaps_core::rules::analyse(&s);
    let html = without_charts(&render_with("migrations.html", fixture_of(s, findings)));
    for needle in [
        "Before you run the pending migrations",
        "Migration 0013 <code>0013_focus_pause.sql</code>: failed (the fix re-runs it)",
        "public.focus_sessions: 2.1 M rows, 1.3 GB",
        "public.habits: 12.5 k rows, 1.2 MB",
        "until COMMIT",
        "ACCESS EXCLUSIVE",
        "pid 4242",
        "fails as written",
    ] {
        assert!(html.contains(needle), "{needle} missing: {html}");
    }
    assert!(!html.contains("<script"), "the timeline needs no script");
    insta::assert_snapshot!(html);
}

/// A statement with no hazard is one short row: its lock named (explained once below the
/// table), its statement cut to its first 80 characters, the verdict a mark; a fleet's first
/// deploy plans thousands of them.
#[test]
fn plan_rows_without_a_hazard_are_short() {
    use gaps_core::hazards::{Effect, LockMode};
    let mut s = sample::plan_snapshot();
    let long = format!("CREATE TABLE audit_log ({})", "x".repeat(200));
    if let gaps_core::Section::Collected { data } = &mut s.migration_plan {
        let mut st = gaps_core::testing::planned_statement(
            9,
            "CREATE INDEX",
            &[("habits", LockMode::Share)],
            Effect::IndexBuild,
        );
        st.sql = long.clone();
        data.migrations[1].statements.push(st);
    }
    let findings = gaps_core::rules::analyse(&s);
    let html = without_charts(&render_with("migrations.html", fixture_of(s, findings)));
    let row = html
        .lines()
        .find(|l| l.starts_with("<tr class=\"plan-row-ok\">"))
        .unwrap_or_else(|| panic!("no row without a hazard: {html}"));
    let cut = format!("{}…", &long[..80]);
    assert!(
        row.contains(&format!("<th>9</th><td><code class=\"sql\">{cut}</code>")),
        "{row}"
    );
    assert!(
        row.contains("<td class=\"lock lock-share\">SHARE</td>"),
        "{row}"
    );
    assert!(row.ends_with("<td class=\"st-ok\">✔ ok</td></tr>"), "{row}");
    assert!(!row.contains("blocks"), "{row}");
    assert!(
        html.contains("SHARE blocks writes (INSERT, UPDATE, DELETE)")
            && html.contains("✔ ok: no hazard found"),
        "{html}"
    );
}

/// A snapshot of `n` live tables `t00`, `t01`... where table `i` has one column finding:
/// an error (missing column) when `error(i)`, else a warning (unexpected column).
fn many_problem_tables(n: usize, error: impl Fn(usize) -> bool) -> (view::ReportView, Assets) {
    use gaps_core::finding::{Finding, FindingKind, Severity};
    use gaps_core::testing::{applied, col, snapshot_of, table};
    let names: Vec<String> = (0..n).map(|i| format!("t{i:02}")).collect();
    let tables = names
        .iter()
        .map(|t| table(t, vec![col(1, "id", "bigint", false)]))
        .collect();
    let findings = names
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let (kind, severity) = if error(i) {
                (FindingKind::ColumnMissing, Severity::Error)
            } else {
                (FindingKind::ColumnUnexpected, Severity::Warning)
            };
            Finding::new(kind, severity, "ACTION-005", format!("{t}.x"))
                .schema("public")
                .table(t.as_str())
                .column("x")
        })
        .collect();
    fixture_of(
        snapshot_of("prod", tables, vec![applied(1, "init")]),
        findings,
    )
}

/// The `<details>` of the tables with findings: (table name, open).
fn problem_details(html: &str) -> Vec<(String, bool)> {
    html.split("<details class=\"table-diff\"")
        .skip(1)
        .map(|d| {
            let head = &d[..d.find('>').unwrap()];
            let name = d.split("<summary><code>").nth(1).unwrap();
            (
                name[..name.find('<').unwrap()].to_string(),
                head.ends_with(" open"),
            )
        })
        .collect()
}

#[test]
fn a_few_tables_with_findings_are_all_open() {
    let html = render_with("schema.html", many_problem_tables(5, |i| i == 3));
    let details = problem_details(&html);
    assert_eq!(details.len(), 5);
    assert!(details.iter().all(|(_, open)| *open), "{details:?}");
    assert!(!html.contains("are folded"));
}

#[test]
fn beyond_twenty_tables_with_findings_the_rest_are_folded_errors_opened_first() {
    // 30 tables; the errors are the last five by name, so name order alone would fold them.
    let html = render_with("schema.html", many_problem_tables(30, |i| i >= 25));
    let details = problem_details(&html);
    assert_eq!(details.len(), 30, "every table is still on the page");
    let open: Vec<&str> = details
        .iter()
        .filter(|(_, o)| *o)
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(open.len(), gaps_site::view::OPEN_PROBLEM_TABLES);
    for t in ["t25", "t26", "t27", "t28", "t29"] {
        assert!(
            open.iter().any(|n| n.ends_with(t)),
            "error table {t} open: {open:?}"
        );
    }
    // The other open ones are the first warnings in name order; display order is by name.
    assert!(open.iter().any(|n| n.ends_with("t00")));
    assert!(!open.iter().any(|n| n.ends_with("t15")));
    let names: Vec<&String> = details.iter().map(|(n, _)| n).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert!(
        html.contains("30 tables have findings: 20 are open below (those with an error first), the other 10 are folded"),
        "{html}"
    );
}
