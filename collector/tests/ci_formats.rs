//! The CI outputs of `gaps check` through the real binary, on a real drifted snapshot (the
//! demo's collection from its own SQLite database, placed inside a git repository):
//! `--format sarif` validates against the SARIF 2.1.0 JSON Schema and points every result at
//! a file of the repository; `--format github` parses back into one annotation per located
//! finding, with the Markdown step summary in `$GITHUB_STEP_SUMMARY` or `--summary`; and the
//! terminal conventions (`--color`, `NO_COLOR`, completions, man page, `--version`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use gaps_core::causes::{CheckOutput, FleetCheckOutput};
use gaps_tests::fixtures::fixture;

/// Runs the real binary in `cwd` with a clean CI environment plus `env`.
fn gaps_env(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gaps"));
    c.args(args)
        .current_dir(cwd)
        .env_remove("DATABASE_URL")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("NO_COLOR");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("running the gaps binary")
}

fn gaps(cwd: &Path, args: &[&str]) -> Output {
    gaps_env(cwd, args, &[])
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited")
}

/// A git repository (`repo/.git`) with the demo's service, log and snapshot in
/// `repo/deploy/demo`; returns (temp dir, repo, snapshot).
fn demo_in_repo() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    let o = gaps(tmp.path(), &["demo", "--out", "repo/deploy/demo"]);
    assert_eq!(code(&o), 0, "demo: {}", String::from_utf8_lossy(&o.stderr));
    let snap = repo.join("deploy/demo/snapshot.json");
    assert!(snap.is_file());
    (tmp, repo, snap)
}

fn check_json(cwd: &Path, snap: &Path) -> CheckOutput {
    let o = gaps(
        cwd,
        &[
            "check",
            snap.to_str().unwrap(),
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
    );
    serde_json::from_str(&out(&o)).expect("check --format json")
}

fn sarif(cwd: &Path, snap: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let mut args = vec!["check", snap.to_str().unwrap(), "--format", "sarif"];
    args.extend_from_slice(extra);
    let o = gaps(cwd, &args);
    let v =
        serde_json::from_str(&out(&o)).unwrap_or_else(|e| panic!("not JSON ({e}): {}", out(&o)));
    (code(&o), v)
}

/// The one `pattern` of the official schema that is not a valid regular expression: the BCP 47
/// `language` pattern with a stray `]`, a known erratum that strict validators (Ajv,
/// jsonschema) refuse to compile.
const BROKEN_LANGUAGE_PATTERN: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";

/// Drops every `"pattern": BROKEN_LANGUAGE_PATTERN` from `v`; returns how many.
fn drop_broken_pattern(v: &mut serde_json::Value) -> usize {
    match v {
        serde_json::Value::Object(map) => {
            let mut n = 0;
            if map.get("pattern").and_then(|p| p.as_str()) == Some(BROKEN_LANGUAGE_PATTERN) {
                map.remove("pattern");
                n += 1;
            }
            n + map.values_mut().map(drop_broken_pattern).sum::<usize>()
        }
        serde_json::Value::Array(items) => items.iter_mut().map(drop_broken_pattern).sum(),
        _ => 0,
    }
}

fn assert_valid_sarif(v: &serde_json::Value) {
    let mut schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("sarif/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    // `run.language` and `toolComponent.language`: gaps writes neither.
    assert_eq!(drop_broken_pattern(&mut schema), 2);
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(v)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
    // The schema is strict enough to notice a broken log.
    let mut broken = v.clone();
    broken["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
    assert!(
        !validator.is_valid(&broken),
        "the schema rejects an unknown level"
    );
}

fn uri(result: &serde_json::Value) -> Option<&str> {
    result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str()
}

#[test]
fn sarif_is_valid_and_every_result_points_at_a_file_of_the_repository() {
    let (tmp, repo, snap) = demo_in_repo();
    let check = check_json(tmp.path(), &snap);
    assert!(check.findings.len() > 5, "the demo is drifted");
    let (exit, v) = sarif(tmp.path(), &snap, &[]);
    assert_eq!(exit, 1, "errors fail the check as in text");
    assert_valid_sarif(&v);
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert_eq!(
        results.len(),
        check.findings.len(),
        "one result per finding"
    );
    for (r, f) in results.iter().zip(&check.findings) {
        assert_eq!(r["ruleId"], f.finding.kind.name());
        let rule = &rules[r["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(rule["id"], r["ruleId"]);
        assert!(!rule["help"]["text"].as_str().unwrap().is_empty());
        assert_eq!(r["properties"]["cause"], f.cause.as_str());
        assert_eq!(r["partialFingerprints"]["gapsCause/v1"], f.cause.as_str());
        let level = match f.finding.severity.as_str() {
            "info" => "note",
            other => other,
        };
        assert_eq!(r["level"], level);
        let u = uri(r).unwrap_or_else(|| panic!("no location: {r}"));
        assert!(
            u.starts_with("deploy/demo/") && !u.contains(".."),
            "relative to the repository root: {u}"
        );
        assert!(repo.join(u).is_file(), "{u} is a file of the repository");
        if let Some(file) = &f.finding.file
            && !file.starts_with('/')
        {
            assert_eq!(u, format!("deploy/demo/service/{file}"));
            let line = &r["locations"][0]["physicalLocation"]["region"]["startLine"];
            assert_eq!(line.as_u64(), f.finding.line.map(u64::from), "{r}");
        }
    }
    // The health finding has no file: it is shown at its cause's evidence, and says so.
    let health = results
        .iter()
        .find(|r| r["ruleId"] == "health_schema_version_mismatch")
        .expect("the demo's health finding");
    assert_eq!(health["properties"]["anchoredAt"], "cause");
    assert_eq!(
        run["properties"]["gaps"]["causes"]
            .as_array()
            .unwrap()
            .len(),
        check.causes.len()
    );
}

#[test]
fn with_the_service_as_repo_root_a_log_outside_it_is_anchored_inside() {
    let (tmp, repo, snap) = demo_in_repo();
    let service = repo.join("deploy/demo/service");
    let (_, v) = sarif(
        tmp.path(),
        &snap,
        &[
            "--repo-root",
            service.to_str().unwrap(),
            "--fail-on",
            "never",
        ],
    );
    assert_valid_sarif(&v);
    let results = v["runs"][0]["results"].as_array().unwrap();
    let logs: Vec<&serde_json::Value> = results
        .iter()
        .filter(|r| r["ruleId"].as_str().unwrap().starts_with("log_"))
        .collect();
    assert!(!logs.is_empty());
    for r in results {
        let u = uri(r).unwrap_or_else(|| panic!("no location: {r}"));
        assert!(service.join(u).is_file(), "{u}");
    }
    for r in logs {
        assert!(
            r["properties"]["anchoredAt"].is_string(),
            "the log file is outside the repository root: {r}"
        );
    }
}

/// One workflow command: (name, properties in order, message), unescaped.
type Parsed = (String, Vec<(String, String)>, String);

/// Parses workflow command lines back as the Actions runner reads them.
fn parse_commands(text: &str) -> Vec<Parsed> {
    let unescape = |s: &str| {
        s.replace("%0D", "\r")
            .replace("%0A", "\n")
            .replace("%3A", ":")
            .replace("%2C", ",")
            .replace("%25", "%")
    };
    text.lines()
        .map(|line| {
            let rest = line
                .strip_prefix("::")
                .unwrap_or_else(|| panic!("not a command: {line}"));
            let (head, message) = rest.split_once("::").expect("::name props::message");
            let (name, props) = head.split_once(' ').unwrap_or((head, ""));
            let props = props
                .split(',')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (k, v) = p.split_once('=').expect("key=value");
                    (k.to_string(), unescape(v))
                })
                .collect();
            (name.to_string(), props, unescape(message))
        })
        .collect()
}

#[test]
fn github_annotations_parse_back_and_the_summary_goes_where_github_reads_it() {
    let (tmp, repo, snap) = demo_in_repo();
    let check = check_json(tmp.path(), &snap);
    let step_summary = tmp.path().join("step-summary.md");
    let snap_arg = snap.to_str().unwrap();
    let o = gaps_env(
        tmp.path(),
        &["check", snap_arg, "--format", "github"],
        &[("GITHUB_STEP_SUMMARY", step_summary.to_str().unwrap())],
    );
    assert_eq!(code(&o), 1);
    let commands = parse_commands(&out(&o));
    let located: Vec<_> = check
        .findings
        .iter()
        .filter(|f| f.finding.file.is_some())
        .collect();
    let with_file: Vec<_> = commands
        .iter()
        .filter(|c| c.1.iter().any(|(k, _)| k == "file"))
        .collect();
    assert_eq!(with_file.len(), located.len(), "{}", out(&o));
    for (c, f) in with_file.iter().zip(&located) {
        let prop = |k: &str| c.1.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
        let file = prop("file").unwrap();
        assert!(repo.join(&file).is_file(), "{file}");
        assert_eq!(prop("line"), f.finding.line.map(|l| l.to_string()));
        assert!(prop("title").unwrap().starts_with(f.finding.kind.name()));
        assert!(c.2.starts_with(&f.finding.message), "{:?}", c.2);
        assert!(c.2.contains(&f.cause), "the cause is named: {:?}", c.2);
        let expected = match f.finding.severity.as_str() {
            "info" => "notice",
            s => s,
        };
        assert_eq!(c.0, expected);
    }
    let summary = std::fs::read_to_string(&step_summary).expect("the step summary");
    assert!(
        summary.starts_with("## gaps check: demo \\(habits\\-api\\)"),
        "{summary}"
    );
    for n in 1..=check.causes.len() {
        assert!(
            summary.contains(&format!("\n### {n}. ")),
            "cause {n}: {summary}"
        );
    }
    assert!(summary.contains("**Fix**"));

    // --summary wins over the environment; the step summary is appended to, never replaced.
    let mine = tmp.path().join("mine.md");
    let o = gaps_env(
        tmp.path(),
        &[
            "check",
            snap_arg,
            "--format",
            "github",
            "--summary",
            mine.to_str().unwrap(),
        ],
        &[("GITHUB_STEP_SUMMARY", step_summary.to_str().unwrap())],
    );
    assert_eq!(code(&o), 1);
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), summary);
    assert_eq!(std::fs::read_to_string(&step_summary).unwrap(), summary);
    let o = gaps_env(
        tmp.path(),
        &[
            "check",
            snap_arg,
            "--format",
            "github",
            "--fail-on",
            "never",
        ],
        &[("GITHUB_STEP_SUMMARY", step_summary.to_str().unwrap())],
    );
    assert_eq!(code(&o), 0);
    assert_eq!(
        std::fs::read_to_string(&step_summary).unwrap(),
        format!("{summary}{summary}")
    );
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let (tmp, _, snap) = demo_in_repo();
    let s = snap.to_str().unwrap();
    let esc = |o: &Output| out(o).contains('\u{1b}');
    assert!(esc(&gaps(tmp.path(), &["check", s, "--color", "always"])));
    assert!(
        esc(&gaps_env(
            tmp.path(),
            &["--color", "always", "check", s],
            &[("NO_COLOR", "1")]
        )),
        "--color always overrides NO_COLOR, and the flag is global"
    );
    assert!(!esc(&gaps(tmp.path(), &["check", s, "--color", "never"])));
    assert!(
        !esc(&gaps(tmp.path(), &["check", s])),
        "auto: piped, no colour"
    );
    let bad = gaps(tmp.path(), &["check", s, "--color", "sometimes"]);
    assert_eq!(code(&bad), 2);
}

#[test]
fn version_completions_and_man_pages_come_from_the_clap_definitions() {
    let tmp = tempfile::tempdir().unwrap();
    let v = out(&gaps(tmp.path(), &["--version"]));
    assert_eq!(
        v.trim(),
        format!(
            "gaps {} (snapshot format {})",
            env!("CARGO_PKG_VERSION"),
            gaps_core::snapshot::FORMAT_VERSION
        )
    );
    let bash = out(&gaps(tmp.path(), &["completions", "bash"]));
    assert!(
        bash.contains("_gaps()") && bash.contains("--fail-on"),
        "{bash}"
    );
    let zsh = out(&gaps(tmp.path(), &["completions", "zsh"]));
    assert!(zsh.starts_with("#compdef gaps"));
    let fish = out(&gaps(tmp.path(), &["completions", "fish"]));
    assert!(fish.contains("complete -c gaps"));
    assert_eq!(code(&gaps(tmp.path(), &["completions", "tcsh"])), 2);
    let man = out(&gaps(tmp.path(), &["man"]));
    assert!(man.contains(".TH gaps 1"), "{man}");
    assert!(man.contains("completions"));
    let o = gaps(tmp.path(), &["man", "--out", "man"]);
    assert_eq!(code(&o), 0);
    for page in ["gaps.1", "gaps-check.1", "gaps-collect.1", "gaps-man.1"] {
        let text = std::fs::read_to_string(tmp.path().join("man").join(page))
            .unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.contains(".TH"), "{page}");
    }
    let check_page = std::fs::read_to_string(tmp.path().join("man/gaps-check.1")).unwrap();
    assert!(check_page.contains("sarif") && check_page.contains("github"));
}

#[test]
fn a_fleet_gives_one_sarif_run_and_one_summary_section_per_target() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    for d in ["a", "b"] {
        let o = gaps(tmp.path(), &["demo", "--out", &format!("repo/{d}")]);
        assert_eq!(code(&o), 0);
    }
    let a = repo.join("a/snapshot.json");
    let b = repo.join("b/snapshot.json");
    let (exit, v) = sarif(tmp.path(), &a, &[b.to_str().unwrap(), "--fail-on", "never"]);
    assert_eq!(exit, 0);
    assert_valid_sarif(&v);
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2, "one run per target");
    let ids: Vec<&str> = runs
        .iter()
        .map(|r| r["automationDetails"]["id"].as_str().unwrap())
        .collect();
    assert_ne!(
        ids[0], ids[1],
        "each target keeps its own code-scanning category: {ids:?}"
    );
    for (run, dir) in runs.iter().zip(["a/", "b/"]) {
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), check_json(tmp.path(), &a).findings.len());
        assert!(results.iter().all(|r| uri(r).unwrap().starts_with(dir)));
    }

    let summary = tmp.path().join("fleet.md");
    let o = gaps(
        tmp.path(),
        &[
            "check",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--format",
            "github",
            "--summary",
            summary.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), 1);
    let commands = parse_commands(&out(&o));
    assert!(commands.iter().all(|c| {
        let title = &c.1.iter().find(|(k, _)| k == "title").unwrap().1;
        title.starts_with("[demo (habits-api) (")
    }));
    let md_text = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md_text.starts_with("# gaps fleet: 2 target(s)\n"),
        "{md_text}"
    );
    assert_eq!(md_text.matches("\n## gaps check: ").count(), 2, "{md_text}");
    let json = gaps(
        tmp.path(),
        &[
            "check",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&json), 1, "the demo targets have errors");
    let value: serde_json::Value = serde_json::from_str(&out(&json)).unwrap();
    let schema_path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../core/fleet-check-output.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let fleet: FleetCheckOutput = serde_json::from_value(value).unwrap();
    assert_eq!(fleet.targets.len(), 2, "one entry per target");
    for t in &fleet.targets {
        let single = check_json(tmp.path(), Path::new(&t.snapshot));
        assert_eq!(t.check, single, "each target carries its own check output");
        assert!(t.errors > 0 && !t.partial, "{t:?}");
    }
    let mut files: Vec<&str> = fleet.targets.iter().map(|t| t.snapshot.as_str()).collect();
    files.sort();
    assert_eq!(files, [a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_ne!(fleet.targets[0].name, fleet.targets[1].name);
}
