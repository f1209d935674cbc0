//! Stack sets live (issue 16), through the binary and the real SDK, against moto's CloudFormation
//! (which deploys each stack instance into the target account's own moto backend): create,
//! update, add a region, a foreign stack set left alone; and through a proxy in front of moto
//! (tests/cfn_proxy) what moto cannot do on demand: an operation in progress waited for, a failing
//! instance reported, DetectStackSetDrift.
//!
//! moto 5.2 has no CloudFormation support for AWS::IVSChat::* (a stack instance with a logging
//! configuration fails inside moto), so these stack sets hold destinations only; the member with
//! logging configurations and rooms is checked by cfn-lint and checkov in tests/stack_sets.rs.
// Test code: clippy.toml's test allowances (unwrap, expect, panic, indexing) apply to all of it.
#![cfg(test)]

mod cfn_proxy;
mod common;
mod http_double;
mod live_support;

use std::path::{Path, PathBuf};

use cfn_proxy::CfnProxy;
use chatlog_testkit::ivschat::ServerConfig;
use chatlog_testkit::moto::fresh_account;
use live_support::{REGION, World};

struct Org {
    world: World,
    targets: [String; 2],
    dir: tempfile::TempDir,
}

impl Org {
    fn new() -> Org {
        Org {
            world: World::new(ServerConfig::default()),
            targets: [fresh_account(), fresh_account()],
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn admin(&self) -> &str {
        &self.world.account
    }

    /// The spec: a self-managed stack set that gives both target accounts a log group.
    fn spec(&self, regions: &[&str], retention: u32) -> PathBuf {
        let path = self.dir.path().join("org.yaml");
        let admin = self.admin();
        std::fs::write(
            &path,
            format!(
                r#"version: 1
name: org-{admin}
stack_sets:
  baseline:
    administrator: {{ account: "{admin}", region: {REGION} }}
    permission_model: self_managed
    administration_role_arn: arn:aws:iam::{admin}:role/AWSCloudFormationStackSetAdministrationRole
    execution_role_name: AWSCloudFormationStackSetExecutionRole
    targets:
      - accounts: ["{}", "{}"]
        regions: [{}]
    destinations:
      tail: {{ cloudwatch_logs: {{ log_group: "/chat/{{account}}/tail", create: true, retention_days: {retention} }} }}
"#,
                self.targets[0],
                self.targets[1],
                regions.join(", ")
            ),
        )
        .unwrap();
        path
    }

    fn run(&self, proxy: Option<&CfnProxy>, args: &[&str], spec: &Path) -> (i32, String, String) {
        let mut cmd = self.world.chatlog();
        if let Some(p) = proxy {
            cmd.env("AWS_ENDPOINT_URL_CLOUDFORMATION", &p.endpoint);
        }
        live_support::run(&mut cmd, args, spec)
    }

    fn cfn(&self) -> aws_sdk_cloudformation::Client {
        aws_sdk_cloudformation::Client::new(&self.world.moto_config())
    }

    fn instances(&self) -> Vec<(String, String)> {
        self.world.runtime.block_on(async {
            let out = self
                .cfn()
                .list_stack_instances()
                .stack_set_name("baseline")
                .send()
                .await
                .unwrap();
            let mut all: Vec<(String, String)> = out
                .summaries()
                .iter()
                .map(|s| {
                    (
                        s.account().unwrap().to_owned(),
                        s.region().unwrap().to_owned(),
                    )
                })
                .collect();
            all.sort();
            all
        })
    }

    fn log_groups(&self, account: &str, region: &str) -> Vec<(String, Option<i32>)> {
        self.world.runtime.block_on(async {
            let logs =
                aws_sdk_cloudwatchlogs::Client::new(&self.world.moto.sdk_config(account, region));
            logs.describe_log_groups()
                .send()
                .await
                .unwrap()
                .log_groups()
                .iter()
                .map(|g| {
                    (
                        g.log_group_name().unwrap().to_owned(),
                        g.retention_in_days(),
                    )
                })
                .collect()
        })
    }
}

#[test]
fn apply_creates_updates_and_widens_a_stack_set_and_reruns_change_nothing() {
    let org = Org::new();
    let spec = org.spec(&[REGION], 30);
    let (code, out, err) = org.run(None, &["plan"], &spec);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("+ stack set baseline"), "{out}");
    assert!(out.contains("create"), "{out}");

    let (code, out, err) = org.run(None, &["apply", "--auto-approve"], &spec);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("and 1 stack set, the account matches the spec"),
        "{out}"
    );
    let [t1, t2] = &org.targets;
    assert_eq!(
        org.instances(),
        vec![
            (t1.clone(), REGION.to_owned()),
            (t2.clone(), REGION.to_owned())
        ]
    );
    // Each target got its own log group, named for its own account.
    for t in [t1, t2] {
        let groups = org.log_groups(t, REGION);
        assert!(
            groups.iter().any(|(n, _)| *n == format!("/chat/{t}/tail")),
            "{t}: {groups:?}"
        );
    }

    let (code, out, err) = org.run(None, &["apply", "--auto-approve"], &spec);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("Nothing to apply."),
        "a rerun changed something: {out}"
    );

    // A new retention changes the member template: one update, then nothing.
    let spec = org.spec(&[REGION], 60);
    let (code, out, err) = org.run(None, &["plan", "--detailed-exitcode"], &spec);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("~ stack set baseline") && out.contains("the member template"),
        "{out}"
    );
    let (code, out, err) = org.run(None, &["apply", "--auto-approve"], &spec);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("done: stack set baseline"), "{out}");

    // A second region: instances added there only.
    let spec = org.spec(&[REGION, "eu-west-1"], 60);
    let (code, out, err) = org.run(None, &["plan"], &spec);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("add instances for accounts"), "{out}");
    assert!(out.contains("in eu-west-1"), "{out}");
    assert!(
        !out.contains("~ stack set"),
        "adding a region is not an update: {out}"
    );
    let (code, out, err) = org.run(None, &["apply", "--auto-approve"], &spec);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(org.instances().len(), 4);
    assert!(
        org.log_groups(t2, "eu-west-1")
            .iter()
            .any(|(n, _)| *n == format!("/chat/{t2}/tail"))
    );
    let (code, out, err) = org.run(None, &["plan", "--detailed-exitcode"], &spec);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn a_stack_set_chatlog_did_not_create_is_never_changed() {
    let org = Org::new();
    let body = r#"{"Resources":{"G":{"Type":"AWS::Logs::LogGroup","Properties":{"LogGroupName":"theirs"}}}}"#;
    org.world.runtime.block_on(async {
        org.cfn()
            .create_stack_set()
            .stack_set_name("baseline")
            .template_body(body)
            .permission_model(aws_sdk_cloudformation::types::PermissionModels::SelfManaged)
            .send()
            .await
            .unwrap();
    });
    let spec = org.spec(&[REGION], 30);
    let (code, out, err) = org.run(None, &["plan"], &spec);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("not changed") && out.contains("without chatlog's ownership tags"),
        "{out}"
    );
    let (code, out, err) = org.run(None, &["apply", "--auto-approve"], &spec);
    assert_ne!(code, 0, "{out}{err}");
    assert!(
        err.contains("never changes a stack set it did not create"),
        "{err}"
    );
    let (code, out, err) = org.run(None, &["drift"], &spec);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("CL141"), "{out}");
    // Theirs as it was: template, no tags, no instances.
    org.world.runtime.block_on(async {
        let s = org
            .cfn()
            .describe_stack_set()
            .stack_set_name("baseline")
            .send()
            .await
            .unwrap();
        let s = s.stack_set().unwrap();
        assert_eq!(s.template_body(), Some(body));
        assert!(s.tags().is_empty());
    });
    assert!(org.instances().is_empty());
}

#[test]
fn an_operation_in_progress_is_waited_for_not_reported() {
    let org = Org::new();
    let proxy = CfnProxy::start(org.world.moto.endpoint());
    proxy.faults.lock().unwrap().in_progress = Some(("CreateStackInstances".to_owned(), 1));
    let spec = org.spec(&[REGION], 30);
    let (code, out, err) = org.run(Some(&proxy), &["apply", "--auto-approve"], &spec);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.contains("another operation of the stack set is running"),
        "{err}"
    );
    let seen = proxy.faults.lock().unwrap().seen.clone();
    assert_eq!(
        seen.iter().filter(|a| *a == "CreateStackInstances").count(),
        2,
        "refused once, sent again once: {seen:?}"
    );
    assert_eq!(org.instances().len(), 2);
}

#[test]
fn a_failing_instance_is_reported_by_account_and_region() {
    let org = Org::new();
    let proxy = CfnProxy::start(org.world.moto.endpoint());
    let failing = org.targets[1].clone();
    proxy.faults.lock().unwrap().failing_account = Some(failing.clone());
    let spec = org.spec(&[REGION], 30);
    let (code, out, err) = org.run(Some(&proxy), &["apply", "--auto-approve"], &spec);
    assert_ne!(code, 0, "{out}{err}");
    assert!(
        out.contains(&format!(
            "failed: stack set baseline in account {failing} in {REGION}"
        )),
        "{out}"
    );
    assert!(err.contains("injected failure"), "{err}");
    assert!(
        err.contains(&format!("account {failing} in {REGION}")),
        "{err}"
    );
    assert!(!out.contains("the account matches the spec"), "{out}");
}

#[test]
fn drift_reports_drifted_instances_at_the_stack_sets_line() {
    let org = Org::new();
    let spec = org.spec(&[REGION], 30);
    let (code, out, err) = org.run(None, &["apply", "--auto-approve"], &spec);
    assert_eq!(code, 0, "{out}{err}");
    let proxy = CfnProxy::start(org.world.moto.endpoint());
    let (code, out, err) = org.run(Some(&proxy), &["drift"], &spec);
    assert_eq!(code, 0, "in sync: {out}{err}");
    assert!(
        proxy
            .faults
            .lock()
            .unwrap()
            .seen
            .iter()
            .any(|a| a == "DetectStackSetDrift")
    );

    let drifted = org.targets[0].clone();
    let log_group = chatlog::model::logical_id("Destination", "tail");
    {
        let mut f = proxy.faults.lock().unwrap();
        f.drifted = vec![drifted.clone()];
        f.resource_drifts = vec![(
            log_group.clone(),
            "AWS::Logs::LogGroup".to_owned(),
            "/RetentionInDays".to_owned(),
        )];
    }
    let (code, out, err) = org.run(Some(&proxy), &["drift", "--format", "json"], &spec);
    assert_eq!(code, 1, "{out}{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let found: Vec<&serde_json::Value> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "CL142")
        .collect();
    assert_eq!(
        found.len(),
        2,
        "the instance and its drifted resource: {out}"
    );
    let instance = found
        .iter()
        .find(|d| d["message"].as_str().unwrap().contains("has drifted"))
        .unwrap();
    assert!(instance["message"].as_str().unwrap().contains(&drifted));
    assert_eq!(instance["location"]["line"], 4, "{instance}");
    // The resource at the line of the member entry it was made from.
    let resource = found
        .iter()
        .find(|d| d["message"].as_str().unwrap().contains(&log_group))
        .unwrap();
    assert!(
        resource["message"]
            .as_str()
            .unwrap()
            .contains("/RetentionInDays")
    );
    assert_eq!(resource["location"]["line"], 13, "{resource}");
}

/// An organization in moto (as the administrator, its management account): a root, one OU and
/// two member accounts in it. Returns the OU id and the accounts.
fn organization(org: &Org) -> (String, Vec<String>) {
    let script = r#"
import boto3, json, sys
kw = dict(endpoint_url=sys.argv[1], region_name="us-east-1",
          aws_access_key_id=sys.argv[2], aws_secret_access_key="secret")
o = boto3.client("organizations", **kw)
o.create_organization(FeatureSet="ALL")
root = o.list_roots()["Roots"][0]["Id"]
ou = o.create_organizational_unit(ParentId=root, Name="games")["OrganizationalUnit"]["Id"]
accounts = []
for n in ("a", "b"):
    a = o.create_account(Email=n + "@example.com", AccountName=n)["CreateAccountStatus"]["AccountId"]
    o.move_account(AccountId=a, SourceParentId=root, DestinationParentId=ou)
    accounts.append(a)
print(json.dumps({"ou": ou, "accounts": accounts}))
"#;
    let out = std::process::Command::new(common::venv_tool("python"))
        .args(["-c", script, org.world.moto.endpoint(), org.admin()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let accounts = v["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_owned())
        .collect();
    (v["ou"].as_str().unwrap().to_owned(), accounts)
}

#[test]
fn a_service_managed_stack_set_reaches_every_account_of_its_ou() {
    let org = Org::new();
    let (ou, accounts) = organization(&org);
    let proxy = CfnProxy::start(org.world.moto.endpoint());
    proxy.faults.lock().unwrap().organizational_units =
        accounts.iter().map(|a| (a.clone(), ou.clone())).collect();
    let admin = org.admin().to_owned();
    let spec = org.dir.path().join("service.yaml");
    std::fs::write(
        &spec,
        format!(
            r#"version: 1
name: org-{admin}
stack_sets:
  baseline:
    administrator: {{ account: "{admin}", region: {REGION} }}
    permission_model: service_managed
    targets:
      - organizational_units: [{ou}]
        regions: [{REGION}]
    auto_deployment: {{ enabled: true, retain_stacks_on_account_removal: true }}
    operation: {{ max_concurrent_percentage: 50, failure_tolerance_count: 0 }}
    destinations:
      tail: {{ cloudwatch_logs: {{ log_group: "/chat/{{account}}/tail", create: true }} }}
"#
        ),
    )
    .unwrap();
    let (code, out, err) = org.run(Some(&proxy), &["apply", "--auto-approve"], &spec);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(&format!("add instances for OUs {ou} in {REGION}")),
        "{out}"
    );
    assert!(
        out.contains("and 1 stack set, the account matches the spec"),
        "{out}"
    );
    // Every account of the OU got the baseline, named for itself.
    let mut instances = org.instances();
    instances.sort();
    let mut want: Vec<(String, String)> = accounts
        .iter()
        .map(|a| (a.clone(), REGION.to_owned()))
        .collect();
    want.sort();
    assert_eq!(instances, want);
    for a in &accounts {
        assert!(
            org.log_groups(a, REGION)
                .iter()
                .any(|(n, _)| *n == format!("/chat/{a}/tail")),
            "{a}"
        );
    }
    let (code, out, err) = org.run(Some(&proxy), &["apply", "--auto-approve"], &spec);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Nothing to apply."), "{out}");
}
