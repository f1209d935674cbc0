//! What the targets make of Lex bots and the audit trail, read back from the rendered files:
//! the bot's role policy and alias settings in every target agree, destinations only bots use
//! carry no log-delivery statement, an alias that exists is never a resource, selective
//! logging is refused where CloudFormation cannot express it, and the trail's bucket policy is
//! CloudTrail's own, scoped to the trail. (cfn-lint, checkov, parliament and the provider
//! schema run on the same files in the render_* tests.)
// Test code: clippy.toml's test allowances (unwrap, expect, panic, indexing) apply to all of it.
#![cfg(test)]

mod render_support;

use chatlog::render::{File, Target, TemplateFormat};
use hcl::eval::{Context, Evaluate};
use hcl::{Body, Expression};
use render_support::{common, render_validation, validate_file, validate_text};
use serde_json::{Value, json};

const ALL: &[Target] = &[Target::CloudFormation, Target::Policies, Target::Terraform];

fn example() -> Vec<File> {
    let v = validate_file(&common::root().join("examples/lex-and-audit.yaml"));
    let r = render_validation(&v, ALL, TemplateFormat::Json);
    assert!(!r.has_errors(), "{:?}", r.diagnostics);
    r.files
}

fn fixture() -> Vec<File> {
    let v = validate_file(&common::root().join("tests/data/render/lex-v1.yaml"));
    let r = render_validation(&v, ALL, TemplateFormat::Json);
    assert!(!r.has_errors(), "{:?}", r.diagnostics);
    r.files
}

fn json_file(files: &[File], path: &str) -> Value {
    let f = files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("no {path}"));
    serde_json::from_str(&f.contents).unwrap()
}

fn hcl_file(files: &[File], path: &str) -> Body {
    hcl::parse(&files.iter().find(|f| f.path == path).unwrap().contents).unwrap()
}

fn eval(expr: &Expression) -> Value {
    serde_json::to_value(expr.evaluate(&Context::new()).unwrap()).unwrap()
}

/// The value of `attribute` in `resource "ty" "name"`, with jsonencode() undone.
fn tf_attribute(body: &Body, ty: &str, name: &str, attribute: &str) -> Value {
    let block = body
        .blocks()
        .find(|b| {
            b.identifier() == "resource"
                && b.labels()[0].as_str() == ty
                && b.labels()[1].as_str() == name
        })
        .unwrap_or_else(|| panic!("no {ty}.{name}"));
    let expr = block
        .body()
        .attributes()
        .find(|a| a.key() == attribute)
        .unwrap()
        .expr();
    match expr {
        Expression::FuncCall(call) if call.name.name.as_str() == "jsonencode" => {
            eval(&call.args[0])
        }
        other => eval(other),
    }
}

fn resources_of_type<'a>(t: &'a Value, ty: &str) -> Vec<(&'a String, &'a Value)> {
    t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == ty)
        .collect()
}

#[test]
fn the_bot_role_policy_is_one_document_in_every_target() {
    let files = example();
    let policy = json_file(
        &files,
        "policies/111122223333-us-east-1/lex-role-helpdesk.json",
    );
    let t = json_file(&files, "cloudformation/111122223333-us-east-1.json");
    let role_policies = resources_of_type(&t, "AWS::IAM::RolePolicy");
    let (_, helpdesk) = role_policies
        .iter()
        .find(|(_, r)| r["Properties"]["RoleName"] == "lex-helpdesk")
        .unwrap();
    assert_eq!(helpdesk["Properties"]["PolicyDocument"], policy);
    let main = hcl_file(&files, "terraform/111122223333-us-east-1/main.tf");
    assert_eq!(
        tf_attribute(&main, "aws_iam_role_policy", "helpdesk", "policy"),
        policy
    );
    assert_eq!(
        tf_attribute(&main, "aws_iam_role_policy", "helpdesk", "role"),
        "lex-helpdesk"
    );
    // What the issue asks of it, and nothing broader.
    let statements = policy["Statement"].as_array().unwrap();
    assert_eq!(
        statements
            .iter()
            .map(|s| (s["Action"].clone(), s["Resource"].clone()))
            .collect::<Vec<_>>(),
        [
            (
                json!(["logs:CreateLogStream", "logs:PutLogEvents"]),
                json!(
                    "arn:aws:logs:us-east-1:111122223333:log-group:/aws/vendedlogs/ivschat/support:*"
                )
            ),
            (
                json!("s3:PutObject"),
                json!("arn:aws:s3:::acme-support-archive-111122223333/lex/helpdesk/*")
            ),
            (
                json!("kms:GenerateDataKey"),
                json!(
                    "arn:aws:kms:us-east-1:111122223333:key/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
                )
            ),
        ]
    );
}

#[test]
fn an_owned_alias_is_a_resource_and_an_existing_one_only_settings_to_apply() {
    let files = example();
    let t = json_file(&files, "cloudformation/111122223333-us-east-1.json");
    let aliases = resources_of_type(&t, "AWS::Lex::BotAlias");
    assert_eq!(aliases.len(), 1, "only the alias the spec owns");
    let (id, alias) = aliases[0];
    let settings = json_file(
        &files,
        "policies/111122223333-us-east-1/lex-settings-helpdesk.json",
    );
    assert_eq!(settings["botAliasName"], "live");
    let api = &settings["conversationLogSettings"];
    let cfn = &alias["Properties"]["ConversationLogSettings"];
    // The same destinations and prefixes, in each one's names.
    assert_eq!(
        cfn["TextLogSettings"][0]["Destination"]["CloudWatch"]["CloudWatchLogGroupArn"],
        api["textLogSettings"][0]["destination"]["cloudWatch"]["cloudWatchLogGroupArn"]
    );
    assert_eq!(
        cfn["AudioLogSettings"][0]["Destination"]["S3Bucket"]["KmsKeyArn"],
        api["audioLogSettings"][0]["destination"]["s3Bucket"]["kmsKeyArn"]
    );
    assert_eq!(
        cfn["AudioLogSettings"][0]["Destination"]["S3Bucket"]["LogPrefix"],
        "lex/helpdesk/"
    );
    // The role's permissions and the log group and bucket come first.
    let depends: Vec<&str> = alias["DependsOn"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert!(depends.iter().any(|d| d.ends_with("RolePolicy")));
    assert_eq!(depends.len(), 3, "{depends:?}");
    assert_eq!(
        t["Outputs"][format!("{id}AliasId")]["Value"],
        json!({"Fn::GetAtt": [id, "BotAliasId"]})
    );
    // The existing alias: its settings to apply, with selective logging, and a note.
    let billing = json_file(
        &files,
        "policies/111122223333-us-east-1/lex-settings-billing.json",
    );
    assert_eq!(billing["botAliasId"], "TSTALIASID");
    assert_eq!(
        billing["conversationLogSettings"]["textLogSettings"][0]["selectiveLoggingEnabled"],
        true
    );
    let notes = &t["Metadata"]["chatlog"]["ExistingBotAliases"];
    assert_eq!(notes[0]["BotAliasId"], "TSTALIASID");
    assert!(
        notes[0]["Note"]
            .as_str()
            .unwrap()
            .contains("UpdateBotAlias")
    );
    // Terraform: no alias resource, the same settings as an output.
    let outputs = hcl_file(&files, "terraform/111122223333-us-east-1/outputs.tf");
    let out = outputs
        .blocks()
        .find(|b| {
            b.identifier() == "output" && b.labels()[0].as_str() == "lex_conversation_log_settings"
        })
        .unwrap();
    let value = eval(
        out.body()
            .attributes()
            .find(|a| a.key() == "value")
            .unwrap()
            .expr(),
    );
    assert_eq!(value["billing"], billing);
    let all_tf: String = files
        .iter()
        .filter(|f| f.path.ends_with(".tf"))
        .map(|f| f.contents.as_str())
        .collect();
    assert!(!all_tf.contains("lexv2models") && !all_tf.contains("awscc"));
}

#[test]
fn the_deployer_passes_bot_roles_to_lex_only() {
    let files = example();
    let deployer = json_file(&files, "policies/deployer.json");
    let pass = deployer["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Action"] == "iam:PassRole")
        .unwrap();
    assert_eq!(
        pass["Resource"],
        json!([
            "arn:aws:iam::111122223333:role/lex-helpdesk",
            "arn:aws:iam::111122223333:role/service-role/lex-billing"
        ])
    );
    assert_eq!(
        pass["Condition"],
        json!({"StringEquals": {"iam:PassedToService": "lexv2.amazonaws.com"}})
    );
    let existing = deployer["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Sid"] == "LexAliasConversationLogs")
        .unwrap();
    assert_eq!(
        existing["Resource"],
        json!(["arn:aws:lex:us-east-1:111122223333:bot-alias/BL3N8P4RTV/TSTALIASID"])
    );
}

#[test]
fn destinations_only_bots_use_carry_no_log_delivery_statement() {
    let files = fixture();
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    // No log-delivery file for them; the V1 bucket and log group exist and are left alone.
    assert!(
        !paths
            .iter()
            .any(|p| p.contains("/s3-") || p.contains("/logs-")),
        "{paths:?}"
    );
    let t = json_file(&files, "cloudformation/111122223333-eu-west-1.json");
    let text = serde_json::to_string(&t).unwrap();
    assert!(!text.contains("delivery.logs.amazonaws.com"));
    assert!(
        !text.contains("acme-lex-faq-audio\","),
        "an implied bucket is not created"
    );
    assert_eq!(resources_of_type(&t, "AWS::S3::Bucket").len(), 1);
    let groups = resources_of_type(&t, "AWS::Logs::LogGroup");
    assert_eq!(groups.len(), 1);
    assert!(
        groups[0].1["Properties"]
            .get("ResourcePolicyDocument")
            .is_none()
    );
    let policies = resources_of_type(&t, "AWS::S3::BucketPolicy");
    assert_eq!(policies.len(), 1);
    let statements = policies[0].1["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap();
    assert_eq!(statements.len(), 1);
    assert_eq!(statements[0]["Sid"], "DenyInsecureTransport");
    // The V1 settings were carried over: the role policy names the V1 log group and bucket.
    let faq = json_file(
        &files,
        "policies/111122223333-eu-west-1/lex-role-legacy-faq.json",
    );
    assert_eq!(
        faq["Statement"][1]["Resource"],
        "arn:aws:s3:::acme-lex-faq-audio/aws/lex/faq/prod*"
    );
    // A prefix with IAM wildcards and a variable is granted up to the first of them.
    let orders = json_file(
        &files,
        "policies/111122223333-eu-west-1/lex-role-orders.json",
    );
    assert_eq!(
        orders["Statement"][1]["Resource"],
        "arn:aws:s3:::acme-lex-orders-eu/audio/%{x}/*"
    );
    // A KMS alias: any key of its account and region, used through that alias.
    assert_eq!(
        orders["Statement"][2]["Condition"],
        json!({"StringEquals": {"kms:RequestAlias": "alias/lex/orders"}})
    );
}

#[test]
fn selective_logging_on_an_alias_cloudformation_creates_is_refused() {
    let spec = r#"version: 1
defaults: {account: "111122223333", region: us-east-1}
destinations:
  t: {cloudwatch_logs: {log_group: /lex/t, create: true}}
bots:
  b:
    bot_id: ABCDEFGHIJ
    alias: {name: live}
    role_arn: arn:aws:iam::111122223333:role/lex
    text_logs: {destination: t, selective_logging: true}
"#;
    let v = validate_text("selective.yaml", spec);
    let r = render_validation(&v, &[Target::CloudFormation], TemplateFormat::Yaml);
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.rule.id() == "CL064")
        .unwrap();
    let at = d.location.as_ref().unwrap();
    assert_eq!((at.line, at.column), (10, 33));
    assert!(d.help.as_deref().unwrap().contains("alias_id"));
    assert!(r.files.is_empty());
    // The other targets can say it: the settings document carries it.
    let p = render_validation(&v, &[Target::Policies], TemplateFormat::Yaml);
    assert!(!p.has_errors());
    let settings: Value = serde_json::from_str(
        &p.files
            .iter()
            .find(|f| f.path.ends_with("lex-settings-b.json"))
            .unwrap()
            .contents,
    )
    .unwrap();
    assert_eq!(
        settings["conversationLogSettings"]["textLogSettings"][0]["selectiveLoggingEnabled"],
        true
    );
}

#[test]
fn the_trail_bucket_policy_is_cloudtrails_own_scoped_to_the_trail() {
    let files = example();
    let trail_arn = "arn:aws:cloudtrail:us-east-1:111122223333:trail/support-chat-audit";
    let policy = json_file(
        &files,
        "policies/111122223333-us-east-1/cloudtrail-bucket.json",
    );
    let statements = policy["Statement"].as_array().unwrap();
    for s in statements.iter().filter(|s| s["Effect"] == "Allow") {
        assert_eq!(
            s["Principal"],
            json!({"Service": "cloudtrail.amazonaws.com"})
        );
        assert_eq!(s["Condition"]["StringEquals"]["aws:SourceArn"], trail_arn);
    }
    assert_eq!(
        statements[1]["Resource"],
        "arn:aws:s3:::acme-support-audit-111122223333/chat/AWSLogs/111122223333/*"
    );
    assert_eq!(statements[2]["Sid"], "DenyInsecureTransport");
    // CloudFormation: the same policy on the bucket, the trail after it, writes only.
    let t = json_file(&files, "cloudformation/111122223333-us-east-1-audit.json");
    let (policy_id, bucket_policy) = resources_of_type(&t, "AWS::S3::BucketPolicy")[0];
    assert_eq!(bucket_policy["Properties"]["PolicyDocument"], policy);
    let trail = &t["Resources"]["AuditTrail"];
    assert_eq!(trail["DependsOn"], json!([policy_id]));
    let p = &trail["Properties"];
    assert_eq!(p["TrailName"], "support-chat-audit");
    assert_eq!(p["S3KeyPrefix"], "chat");
    assert_eq!(p["IsMultiRegionTrail"], true);
    assert_eq!(
        p["AdvancedEventSelectors"][0]["FieldSelectors"],
        json!([
            {"Field": "eventCategory", "Equals": ["Management"]},
            {"Field": "readOnly", "Equals": ["false"]}
        ])
    );
    assert!(
        t["Metadata"]["chatlog"]["Filtering"]
            .as_str()
            .unwrap()
            .contains("ivschat.amazonaws.com")
    );
    // Terraform: the same policy and selector.
    let main = hcl_file(&files, "terraform/111122223333-us-east-1-audit/main.tf");
    assert_eq!(
        tf_attribute(&main, "aws_s3_bucket_policy", "audit", "policy"),
        policy
    );
    assert_eq!(
        tf_attribute(&main, "aws_cloudtrail", "audit", "s3_key_prefix"),
        "chat"
    );
    // The deployer may manage this trail and nothing else of CloudTrail's but read the list.
    let deployer = json_file(&files, "policies/deployer.json");
    let trail_statement = deployer["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Sid"] == "AuditTrail")
        .unwrap();
    assert_eq!(trail_statement["Resource"], trail_arn);
}

#[test]
fn an_existing_trail_bucket_gets_statements_to_merge_not_a_policy() {
    let files = fixture();
    let t = json_file(&files, "cloudformation/111122223333-eu-west-1-audit.json");
    assert!(resources_of_type(&t, "AWS::S3::Bucket").is_empty());
    assert!(resources_of_type(&t, "AWS::S3::BucketPolicy").is_empty());
    assert_eq!(
        t["Resources"]["AuditTrail"]["Properties"]["S3BucketName"],
        "acme-org-trail-bucket"
    );
    assert_eq!(
        t["Resources"]["AuditTrail"]["Properties"]["IsMultiRegionTrail"],
        false
    );
    let statements = json_file(
        &files,
        "policies/111122223333-eu-west-1/cloudtrail-bucket.json",
    );
    assert_eq!(
        statements["Statement"].as_array().unwrap().len(),
        2,
        "no TLS deny in someone else's bucket"
    );
    let note = &t["Metadata"]["chatlog"]["ExistingBucket"];
    assert_eq!(
        note["Statements"],
        "policies/111122223333-eu-west-1/cloudtrail-bucket.json"
    );
}

#[test]
fn bots_are_drawn_with_their_logs_and_destinations_say_who_writes_them() {
    let v = validate_file(&common::root().join("tests/data/render/lex-v1.yaml"));
    let model = v.model.as_ref().unwrap();
    let g = chatlog::graph::build(model, None, &chatlog::graph::Marks::new()).unwrap();
    let nodes: Vec<&chatlog::graph::Node> = g.clusters.iter().flat_map(|c| &c.nodes).collect();
    let bots: Vec<&&chatlog::graph::Node> = nodes
        .iter()
        .filter(|n| n.kind == chatlog::graph::NodeKind::Bot)
        .collect();
    assert_eq!(bots.len(), 2);
    let faq = bots
        .iter()
        .find(|n| n.lines.to_lines()[0] == "bot legacy-faq")
        .unwrap();
    assert_eq!(
        faq.lines.to_lines()[1..],
        [
            "Lex V2 bot FAQ0V1BOT0, alias PRODALIAS1 (existing)",
            "writes with role faq-logs",
            "settings carried over from Lex V1"
        ]
    );
    // Each bot's two logs: an edge to each destination.
    let from_faq: Vec<&str> = g
        .edges
        .iter()
        .filter(|e| e.from == faq.id)
        .map(|e| e.to.as_ref())
        .collect();
    let dep = &model.deployments[0];
    assert_eq!(
        from_faq,
        [
            dep.destination("legacy-faq.text")
                .unwrap()
                .logical_id
                .as_str(),
            dep.destination("legacy-faq.audio")
                .unwrap()
                .logical_id
                .as_str()
        ]
    );
    let orders_bucket = nodes
        .iter()
        .find(|n| n.id == dep.destination("bot-audio").unwrap().logical_id)
        .unwrap();
    assert_eq!(
        orders_bucket.lines.to_lines()[2],
        "written by Lex bots with their roles (no resource policy)"
    );
}

/// A bot with an alias the spec owns and text logs takes two resources of the base template (its
/// role policy and its alias) and one output (the alias id). 240 bots and their log group are
/// 481 resources and 240 outputs: over 200 outputs only; 250 are 501 and 250, over both. The
/// target rules count what the template would hold (CL063), and only CloudFormation refuses it.
#[test]
fn bots_over_one_stack_are_refused_with_the_resources_and_outputs_they_need() {
    for (bots, resources, outputs) in [(240, 481, 240), (250, 501, 250), (100, 201, 100)] {
        let mut spec = String::from(
            "version: 1\ndefaults: {account: \"111122223333\", region: eu-west-1}\ndestinations:\n  t: {cloudwatch_logs: {log_group: /lex/t, create: true}}\nbots:\n",
        );
        for i in 0..bots {
            spec.push_str(&format!(
                "  b{i}:\n    bot_id: B{i:09}\n    alias: {{name: live}}\n    role_arn: arn:aws:iam::111122223333:role/lex-{i}\n    text_logs: {{destination: t}}\n"
            ));
        }
        let v = validate_text("bots.yaml", &spec);
        assert!(!v.has_errors(), "{:?}", v.diagnostics);
        let r = render_validation(&v, &[Target::CloudFormation], TemplateFormat::Json);
        let refused: Vec<&str> = r
            .diagnostics
            .iter()
            .filter(|d| d.rule.id() == "CL063")
            .map(|d| d.message.as_str())
            .collect();
        if outputs <= 200 {
            assert!(refused.is_empty(), "{refused:?}");
            let files = r.files;
            assert_eq!(files.len(), 1);
            let t: Value = serde_json::from_str(&files[0].contents).unwrap();
            assert_eq!(t["Resources"].as_object().unwrap().len(), resources);
            assert_eq!(t["Outputs"].as_object().unwrap().len(), outputs);
            continue;
        }
        assert_eq!(
            refused,
            vec![format!(
                "account `111122223333` in `eu-west-1` needs {resources} resources and {outputs} outputs before any room, over CloudFormation's 500 and 200 per stack"
            )]
        );
        assert!(r.files.is_empty());
        let p = render_validation(&v, &[Target::Policies], TemplateFormat::Json);
        assert!(!p.has_errors(), "{:?}", p.diagnostics);
    }
}
