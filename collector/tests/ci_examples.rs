//! The CI examples in `examples/ci/` stay true: both parse as YAML and have the shape their
//! platform needs (a PostgreSQL service container, migrations, the SARIF uploaded, artifacts
//! kept; a CronJob reading its URL from a Secret and keeping snapshots on a volume), and every
//! `gaps` command line in them names a subcommand and flags that the real binary's `--help`
//! lists.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_norway::Value;

fn example(name: &str) -> (PathBuf, Value) {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/ci")
        .join(name);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let v = serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    (p, v)
}

fn help(args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_gaps"))
        .args(args)
        .arg("--help")
        .output()
        .expect("running gaps --help");
    assert!(o.status.success(), "gaps {args:?} --help failed");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The long and short flags a `--help` text lists.
fn flags_in(help: &str) -> BTreeSet<String> {
    help.split(|c: char| c.is_whitespace() || c == ',' || c == '[' || c == ']')
        .filter(|w| w.starts_with('-') && w.len() > 1)
        .map(|w| w.split(['=', '<']).next().unwrap().to_string())
        .collect()
}

/// The subcommands `gaps --help` lists.
fn subcommands() -> BTreeSet<String> {
    help(&[])
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

/// Splits one shell line into words: quotes removed, `#` comments dropped, and `&&`, `||`,
/// `;`, `|` ending a command. Enough for the examples' plain command lines.
fn commands_in(script: &str) -> Vec<Vec<String>> {
    let joined = script.replace("\\\n", " ");
    let mut out = Vec::new();
    for line in joined.lines() {
        let mut cmd: Vec<String> = Vec::new();
        let mut word = String::new();
        let mut in_word = false;
        let mut quote: Option<char> = None;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), c) => word.push(c),
                (None, '\'' | '"') => {
                    quote = Some(c);
                    in_word = true;
                }
                (None, '#') if !in_word => break,
                (None, ';' | '|' | '&') => {
                    if in_word {
                        cmd.push(std::mem::take(&mut word));
                        in_word = false;
                    }
                    while chars.peek().is_some_and(|n| matches!(n, '|' | '&')) {
                        chars.next();
                    }
                    out.push(std::mem::take(&mut cmd));
                }
                (None, c) if c.is_whitespace() => {
                    if in_word {
                        cmd.push(std::mem::take(&mut word));
                        in_word = false;
                    }
                }
                (None, c) => {
                    word.push(c);
                    in_word = true;
                }
            }
        }
        if in_word {
            cmd.push(word);
        }
        out.push(cmd);
    }
    out.into_iter().filter(|c| !c.is_empty()).collect()
}

/// Every `gaps` invocation in `scripts`, checked against the binary's help; returns the
/// subcommands used.
fn check_gaps_commands(file: &Path, scripts: &[String]) -> BTreeSet<String> {
    let known = subcommands();
    let mut used = BTreeSet::new();
    for script in scripts {
        for cmd in commands_in(script) {
            if cmd[0] != "gaps" {
                continue;
            }
            let sub = cmd
                .get(1)
                .unwrap_or_else(|| panic!("bare gaps in {file:?}"));
            assert!(
                known.contains(sub),
                "{}: `gaps {sub}` is not a gaps subcommand ({known:?})",
                file.display()
            );
            let flags = flags_in(&help(&[sub]));
            for word in cmd[2..].iter().take_while(|w| !w.starts_with('>')) {
                if word.starts_with('-') {
                    let flag = word.split('=').next().unwrap();
                    assert!(
                        flags.contains(flag),
                        "{}: `gaps {sub} {flag}` is not a flag of gaps {sub}",
                        file.display()
                    );
                }
            }
            used.insert(sub.clone());
        }
    }
    used
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, k| v.get(*k))?.as_str()
}

#[test]
fn the_github_workflow_builds_the_database_collects_and_uploads_sarif_and_the_report() {
    let (file, wf) = example("github-actions.yml");
    let job = &wf["jobs"]["gaps"];
    let pg_image = str_at(job, &["services", "postgres", "image"]).expect("a postgres service");
    assert!(pg_image.starts_with("postgres:"), "{pg_image}");
    let steps = job["steps"].as_sequence().expect("steps");
    let runs: Vec<String> = steps
        .iter()
        .filter_map(|s| s.get("run").and_then(Value::as_str))
        .map(str::to_string)
        .collect();
    let uses: Vec<&str> = steps
        .iter()
        .filter_map(|s| s.get("uses").and_then(Value::as_str))
        .collect();
    assert!(
        runs.iter().any(|r| r.contains("sqlx migrate run")),
        "the migrations run before collecting"
    );
    let used = check_gaps_commands(&file, &runs);
    for sub in ["collect", "check", "report"] {
        assert!(used.contains(sub), "the workflow runs gaps {sub}");
    }
    // The SARIF that `gaps check --format sarif` writes is the one uploaded.
    let sarif_out = runs
        .iter()
        .flat_map(|r| commands_in(r))
        .find(|c| c[0] == "gaps" && c.windows(2).any(|w| w[0] == "--format" && w[1] == "sarif"))
        .and_then(|c| c.iter().position(|w| w == ">").map(|i| c[i + 1].clone()))
        .expect("gaps check --format sarif > FILE");
    let upload = steps
        .iter()
        .find(|s| {
            s.get("uses")
                .and_then(Value::as_str)
                .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
        })
        .expect("an upload-sarif step");
    assert_eq!(
        str_at(upload, &["with", "sarif_file"]),
        Some(sarif_out.as_str())
    );
    assert!(
        uses.iter()
            .any(|u| u.starts_with("actions/upload-artifact@"))
    );
    let artifact = steps
        .iter()
        .find(|s| {
            s.get("uses")
                .and_then(Value::as_str)
                .is_some_and(|u| u.starts_with("actions/upload-artifact@"))
        })
        .unwrap();
    let paths = str_at(artifact, &["with", "path"]).unwrap();
    assert!(
        paths.contains(&sarif_out) && paths.contains("report"),
        "{paths}"
    );
    assert_eq!(
        str_at(&wf, &["permissions", "security-events"]),
        Some("write"),
        "uploading SARIF needs security-events: write"
    );
}

#[test]
fn the_cronjob_reads_its_url_from_a_secret_and_keeps_snapshots() {
    let (file, cj) = example("cronjob.yaml");
    assert_eq!(str_at(&cj, &["kind"]), Some("CronJob"));
    assert_eq!(str_at(&cj, &["apiVersion"]), Some("batch/v1"));
    let pod = &cj["spec"]["jobTemplate"]["spec"]["template"]["spec"];
    let container = &pod["containers"][0];
    let env = container["env"].as_sequence().unwrap();
    let url = env
        .iter()
        .find(|e| str_at(e, &["name"]) == Some("DATABASE_URL"))
        .expect("DATABASE_URL");
    assert!(
        str_at(url, &["valueFrom", "secretKeyRef", "name"]).is_some(),
        "the URL comes from a Secret"
    );
    assert!(url.get("value").is_none(), "no URL written in the manifest");
    let mount = container["volumeMounts"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|m| str_at(m, &["name"]) == Some("snapshots"))
        .expect("a snapshots mount");
    let dir = str_at(mount, &["mountPath"]).unwrap();
    let volume = pod["volumes"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|v| str_at(v, &["name"]) == Some("snapshots"))
        .unwrap();
    assert!(
        str_at(volume, &["persistentVolumeClaim", "claimName"]).is_some(),
        "snapshots outlive the pod"
    );
    let mut scripts: Vec<String> = Vec::new();
    for key in ["command", "args"] {
        if let Some(items) = container[key].as_sequence() {
            scripts.extend(items.iter().filter_map(Value::as_str).map(str::to_string));
        }
    }
    let used = check_gaps_commands(&file, &scripts);
    assert!(used.contains("collect"));
    let collect = scripts
        .iter()
        .flat_map(|s| commands_in(s))
        .find(|c| c[0] == "gaps" && c[1] == "collect")
        .unwrap();
    let out = collect
        .iter()
        .position(|w| w == "--out")
        .map(|i| collect[i + 1].clone())
        .unwrap();
    assert!(
        out.starts_with(&format!("{dir}/")),
        "{out} is on the volume"
    );
    assert!(
        !collect.iter().any(|w| w == "--database-url"),
        "the URL stays in the environment"
    );
}

#[test]
fn the_command_checker_notices_an_unknown_flag_or_subcommand() {
    let bad_flag = std::panic::catch_unwind(|| {
        check_gaps_commands(Path::new("t"), &["gaps check s.json --no-such-flag".into()])
    });
    assert!(bad_flag.is_err());
    let bad_sub = std::panic::catch_unwind(|| {
        check_gaps_commands(Path::new("t"), &["echo x && gaps scan .".into()])
    });
    assert!(bad_sub.is_err());
    let fine = check_gaps_commands(
        Path::new("t"),
        &["x=1; gaps check \"a b.json\" --format=sarif > out # --bogus".into()],
    );
    assert_eq!(fine, BTreeSet::from(["check".to_string()]));
}
