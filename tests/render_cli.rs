//! The `render` and `policy merge` commands: exit codes, nothing written on findings, the
//! output folders replaced whole, never a folder chatlog did not write.
// Test code: clippy.toml's test allowances (unwrap, expect, panic, indexing) apply to all of it.
#![cfg(test)]

mod render_support;

use render_support::common::{self, chatlog};

use render_support::scratch;

/// Every file under `dir`, relative to it.
fn files_under(dir: &std::path::Path) -> Vec<String> {
    let mut out: Vec<String> = common::files_under(dir)
        .iter()
        .map(|p| p.strip_prefix(dir).unwrap().display().to_string())
        .collect();
    out.sort();
    out
}

#[test]
fn render_writes_every_target_and_replaces_stale_files() {
    let out = scratch("cli-render");
    chatlog()
        .args(["render", "examples/quickstart.yaml", "--out"])
        .arg(&out)
        .assert()
        .code(0);
    let ours: Vec<String> = files_under(&out)
        .into_iter()
        .filter(|f| f.starts_with("cloudformation/") || f.starts_with("policies/"))
        .collect();
    assert_eq!(
        ours,
        [
            "cloudformation/.chatlog",
            "cloudformation/111122223333-us-west-2.yaml",
            "policies/.chatlog",
            "policies/111122223333-us-west-2/s3-archive.json",
            "policies/deployer.json",
        ]
    );
    std::fs::write(out.join("policies/stale.json"), "{}").unwrap();
    std::fs::write(out.join("keep-me.txt"), "not chatlog's").unwrap();
    chatlog()
        .args([
            "render",
            "examples/quickstart.yaml",
            "--format",
            "json",
            "--target",
            "cloudformation",
            "--out",
        ])
        .arg(&out)
        .assert()
        .code(0);
    let files = files_under(&out);
    assert!(files.contains(&"cloudformation/111122223333-us-west-2.json".to_owned()));
    assert!(!files.contains(&"cloudformation/111122223333-us-west-2.yaml".to_owned()));
    assert!(
        files.contains(&"policies/stale.json".to_owned()),
        "only the rendered target is replaced"
    );
    assert!(files.contains(&"keep-me.txt".to_owned()));
    chatlog()
        .args(["render", "examples/quickstart.yaml", "--out"])
        .arg(&out)
        .assert()
        .code(0);
    assert!(!files_under(&out).contains(&"policies/stale.json".to_owned()));
}

#[test]
fn target_rule_findings_exit_1_and_write_nothing() {
    let out = scratch("cli-findings");
    chatlog()
        .args(["render", "examples/multi-destination.yaml", "--out"])
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("error[CL060]"))
        .stderr(predicates::str::contains(
            "examples/multi-destination.yaml:43:38",
        ));
    assert!(files_under(&out).is_empty());
    // The policies target alone renders it.
    chatlog()
        .args([
            "render",
            "examples/multi-destination.yaml",
            "--target",
            "policies",
            "--out",
        ])
        .arg(&out)
        .assert()
        .code(0);
}

#[test]
fn an_invalid_spec_exits_1_with_json_diagnostics_when_asked() {
    let out = scratch("cli-invalid");
    let spec = out.join("bad.yaml");
    std::fs::write(&spec, "version: 1\nrooms:\n  lobby:\n    logging: [nope]\n").unwrap();
    chatlog()
        .args(["render", "--diagnostics-format", "json", "--out"])
        .arg(out.join("o"))
        .arg(&spec)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("\"valid\": false"));
    assert!(!out.join("o/cloudformation").exists());
}

#[test]
fn render_refuses_to_replace_a_folder_it_did_not_write() {
    let out = scratch("cli-foreign");
    std::fs::create_dir_all(out.join("policies")).unwrap();
    std::fs::write(out.join("policies/theirs.json"), "{}").unwrap();
    chatlog()
        .args(["render", "examples/quickstart.yaml", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("was not written by chatlog"));
    assert_eq!(
        files_under(&out),
        ["policies/theirs.json"],
        "nothing written, not even the other target"
    );
}

/// `policy merge` of examples/multi-destination.yaml's statements for `bucket` into `into`.
fn merge(bucket: &str, write: bool, into: &std::path::Path) -> assert_cmd::assert::Assert {
    let mut cmd = chatlog();
    cmd.args([
        "policy",
        "merge",
        "--spec",
        "examples/multi-destination.yaml",
        "--bucket",
        bucket,
    ]);
    if write {
        cmd.arg("--write");
    }
    cmd.arg("--into").arg(into).assert()
}

#[test]
fn policy_merge_prints_or_writes_and_is_idempotent() {
    let dir = scratch("cli-merge");
    let into = dir.join("policy.json");
    let original = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Theirs","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-shared-archive/*"}]}"#;
    std::fs::write(&into, original).unwrap();
    let printed = merge("acme-shared-archive", false, &into)
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        std::fs::read_to_string(&into).unwrap(),
        original,
        "without --write the file is untouched"
    );
    let printed = String::from_utf8(printed).unwrap();
    assert!(printed.contains("AWSLogDeliveryWrite") && printed.contains("\"Theirs\""));
    merge("acme-shared-archive", true, &into).code(0);
    assert_eq!(std::fs::read_to_string(&into).unwrap(), printed);
    merge("acme-shared-archive", true, &into)
        .code(0)
        .stderr(predicates::str::contains("unchanged"));
    assert_eq!(std::fs::read_to_string(&into).unwrap(), printed);
    // NotPrincipal: refused, exit 1, file untouched.
    let negated = r#"{"Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::1:root"},"Action":"s3:*","Resource":"*"}]}"#;
    std::fs::write(&into, negated).unwrap();
    merge("acme-shared-archive", true, &into)
        .code(1)
        .stderr(predicates::str::contains("NotPrincipal"));
    assert_eq!(std::fs::read_to_string(&into).unwrap(), negated);
    // A bucket the spec does not log to: usage error with a suggestion.
    merge("acme-shared-archiv", false, &into)
        .code(2)
        .stderr(predicates::str::contains(
            "did you mean `acme-shared-archive`",
        ));
}

#[test]
fn a_killed_renders_staging_folder_is_removed_by_the_next_render_and_nothing_else_is() {
    let out = scratch("leftovers");
    // What a render killed mid-write leaves: a staging folder with chatlog's marker inside.
    let leftover = out.join(".policies.chatlog-tmp-4242");
    std::fs::create_dir_all(leftover.join("111122223333-us-west-2")).unwrap();
    std::fs::write(leftover.join(".chatlog"), "").unwrap();
    // A look-alike without the marker is somebody else's.
    let foreign = out.join(".policies.chatlog-tmp-mine");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("notes.txt"), "keep me").unwrap();
    chatlog()
        .args([
            "render",
            "examples/quickstart.yaml",
            "--target",
            "policies",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    assert!(!leftover.exists());
    assert_eq!(
        std::fs::read_to_string(foreign.join("notes.txt")).unwrap(),
        "keep me"
    );
    assert!(out.join("policies").join(".chatlog").is_file());
}

/// `render --out` writes each file as it is rendered (render::render_files into files::Staging)
/// instead of rendering everything first: what lands on disk is exactly the in-memory render's
/// files, for every example, target and template format (and nothing where the render has
/// findings that are errors).
#[test]
fn files_written_as_rendered_are_the_in_memory_render() {
    use chatlog::render::{self, Target, TemplateFormat};
    let all = [
        Target::CloudFormation,
        Target::Graph,
        Target::Policies,
        Target::Terraform,
    ];
    let mut compared = 0;
    for spec in common::examples() {
        for (format, flag) in [
            (TemplateFormat::Yaml, "yaml"),
            (TemplateFormat::Json, "json"),
        ] {
            let validation = chatlog::validate(vec![chatlog::Input {
                name: spec.display().to_string(),
                bytes: std::fs::read(&spec).unwrap(),
            }]);
            let rendered = render::render_validated(&validation, &all, format).unwrap();
            let out = scratch("cli-streamed");
            let out = out.as_path();
            let run = chatlog()
                .args(["render", "--target", "all", "--format", flag, "--out"])
                .arg(out)
                .arg(&spec)
                .assert();
            if rendered.has_errors() {
                run.code(1);
                assert_eq!(files_under(out), Vec::<String>::new(), "{}", spec.display());
                continue;
            }
            run.success();
            let mut expected: Vec<String> = rendered.files.iter().map(|f| f.path.clone()).collect();
            expected.extend(all.iter().map(|t| format!("{}/.chatlog", t.folder())));
            expected.sort();
            assert_eq!(files_under(out), expected, "{}", spec.display());
            for f in &rendered.files {
                let written = std::fs::read_to_string(out.join(&f.path)).unwrap();
                assert!(
                    written == f.contents,
                    "{} {flag}: {} differs",
                    spec.display(),
                    f.path
                );
            }
            compared += rendered.files.len();
        }
    }
    assert!(compared >= 50, "only {compared} files compared");
}

/// A split deployment's room templates go out as they are written. When a later one is over
/// the 1 MB limit (here rooms with 20 long tags each), what went out for the deployment is
/// taken back and the deployment is split again: the first 200 rooms keep one template, the
/// next 200 are halved. On disk is exactly the in-memory render, and `check` agrees with it.
#[test]
fn a_later_room_template_over_the_limit_takes_back_what_went_out() {
    use chatlog::render::{self, Target, TemplateFormat};
    let mut spec = String::from(
        "version: 1\ndefaults:\n  account: \"111122223333\"\n  region: us-east-1\n\
         destinations:\n  archive:\n    s3:\n      bucket: acme-chat-split\n      create: true\n\
         logging_configurations:\n  archive:\n    destination: archive\nrooms:\n",
    );
    let long = "v".repeat(250);
    for n in 0..400 {
        spec.push_str(&format!("  room-{n:03}:\n    logging: [archive]\n"));
        if n >= 200 {
            spec.push_str("    tags:\n");
            for t in 0..20 {
                spec.push_str(&format!("      t{t:02}: {long}\n"));
            }
        }
    }
    let dir = scratch("cli-taken-back");
    let path = dir.join("split.yaml");
    std::fs::write(&path, &spec).unwrap();
    let validation = chatlog::validate(vec![chatlog::Input {
        name: "split.yaml".into(),
        bytes: spec.into_bytes(),
    }]);
    let rendered =
        render::render_validated(&validation, &[Target::CloudFormation], TemplateFormat::Yaml)
            .unwrap();
    assert!(!rendered.has_errors(), "{:?}", rendered.diagnostics);
    let rooms_in = |text: &str| text.matches("Type: AWS::IVSChat::Room").count();
    let counts: Vec<(&str, usize)> = rendered
        .files
        .iter()
        .map(|f| (f.path.as_str(), rooms_in(&f.contents)))
        .collect();
    assert_eq!(
        counts,
        [
            ("cloudformation/111122223333-us-east-1-rooms-001.yaml", 200),
            ("cloudformation/111122223333-us-east-1-rooms-002.yaml", 100),
            ("cloudformation/111122223333-us-east-1-rooms-003.yaml", 100),
            ("cloudformation/111122223333-us-east-1.yaml", 0),
        ]
    );
    assert!(rendered.files.iter().all(|f| f.contents.len() <= 1_000_000));

    let out = dir.join("out");
    chatlog()
        .args(["render", "--target", "cloudformation", "--out"])
        .arg(&out)
        .arg(&path)
        .assert()
        .success();
    let mut expected: Vec<String> = rendered.files.iter().map(|f| f.path.clone()).collect();
    expected.push("cloudformation/.chatlog".to_owned());
    expected.sort();
    assert_eq!(files_under(&out), expected);
    for f in &rendered.files {
        assert!(
            std::fs::read_to_string(out.join(&f.path)).unwrap() == f.contents,
            "{}",
            f.path
        );
    }
    chatlog()
        .args(["check", "--target", "cloudformation", "--against"])
        .arg(&out)
        .arg(&path)
        .assert()
        .code(0);
}

/// A re-render of an unchanged spec keeps every file it would write again (same inode and
/// modification time), and writes a file whose bytes changed anew. Unix only, as keeping is
/// (`files/unchanged.rs`: elsewhere every file is written).
#[cfg(unix)]
#[test]
fn a_rerender_keeps_unchanged_files_and_writes_changed_ones() {
    use std::os::unix::fs::MetadataExt as _;
    let out = scratch("cli-rerender");
    let render = |spec: &str| {
        chatlog()
            .args(["render", spec, "--target", "all", "--out"])
            .arg(&out)
            .assert()
            .code(0);
    };
    render("examples/quickstart.yaml");
    let before: Vec<(String, u64)> = files_under(&out)
        .into_iter()
        .map(|f| {
            let ino = std::fs::metadata(out.join(&f)).unwrap().ino();
            (f, ino)
        })
        .collect();
    assert!(before.len() > 4, "{before:?}");
    render("examples/quickstart.yaml");
    for (f, ino) in &before {
        let meta = std::fs::metadata(out.join(f)).unwrap();
        // The markers are written anew each time; every rendered file is kept.
        if f.ends_with(".chatlog") {
            continue;
        }
        assert_eq!(meta.ino(), *ino, "{f} was written again");
        assert_eq!(meta.nlink(), 1, "{f}");
    }

    // Another value of the default tag changes the template; the bytes' count stays.
    let spec = std::fs::read_to_string("examples/quickstart.yaml").unwrap();
    assert!(spec.contains("team: live"));
    let changed = out.with_extension("changed.yaml");
    std::fs::write(&changed, spec.replace("team: live", "team: lave")).unwrap();
    render(changed.to_str().unwrap());
    let template = "cloudformation/111122223333-us-west-2.yaml";
    let ino = before.iter().find(|(f, _)| f == template).unwrap().1;
    let meta = std::fs::metadata(out.join(template)).unwrap();
    assert_ne!(meta.ino(), ino, "a changed template is written anew");
    assert!(
        std::fs::read_to_string(out.join(template))
            .unwrap()
            .contains("lave")
    );
}
