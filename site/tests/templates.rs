//! Every template renders with a fixture context, and the rendered fragments are pinned with
//! insta (collected_at redacted), so a template change shows up as a reviewed diff.

use gaps_site::page::{Assets, Templates};
use gaps_site::{NamedSnapshot, sample, view};

fn fixture() -> (view::ReportView, Assets) {
    let reg = gaps_site::load_registry("gaps.md", include_str!("../../tests/fixtures/gaps.md"));
    let analysed = vec![(
        NamedSnapshot {
            file: "prod.json".into(),
            snapshot: sample::sample_snapshot(),
        },
        sample::sample_findings(),
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
    let (v, assets) = fixture();
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
