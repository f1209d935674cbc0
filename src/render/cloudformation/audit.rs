//! The `audit` trail as a template of its own, `cloudformation/<account>-<region>-audit`: an
//! AWS::CloudTrail::Trail for management write events and, when chatlog creates it, its bucket
//! with CloudTrail's statements (aws-facts.md §1(e), §1(i)). A stack of its own because the
//! trail serves the whole account, not one deployment.

use serde_json::{Map, Value, json};

use crate::model::Audit;
use crate::policy::audit::{FILTERING, SELECTOR, SELECTOR_NAME, bucket_policy};

use super::{
    FORMAT_VERSION, File, GENERATED, RenderError, TemplateFormat, bucket_policy_id, checkov_skips,
    deployment_stem, extension, managed_bucket, serialize, tags,
};

const TRAIL_ID: &str = "AuditTrail";

pub(super) fn render(audit: &Audit, format: TemplateFormat) -> Result<File, RenderError> {
    let path = format!(
        "cloudformation/{}-audit.{}",
        deployment_stem(&audit.account, &audit.region),
        extension(format)
    );
    let bucket = audit.bucket_destination();
    let policy = bucket_policy(audit);
    let mut resources = Map::new();
    let bucket_name = if audit.managed {
        managed_bucket(&mut resources, &bucket, &audit.bucket, &policy);
        json!({"Ref": bucket.logical_id})
    } else {
        json!(audit.bucket)
    };
    let mut props = Map::new();
    props.insert("TrailName".into(), json!(audit.trail));
    props.insert("S3BucketName".into(), bucket_name);
    if let Some(p) = &audit.prefix {
        props.insert("S3KeyPrefix".into(), json!(p));
    }
    props.insert("IsLogging".into(), json!(true));
    props.insert("IsMultiRegionTrail".into(), json!(audit.multi_region));
    props.insert("IncludeGlobalServiceEvents".into(), json!(true));
    props.insert("EnableLogFileValidation".into(), json!(true));
    let selectors: Vec<Value> = SELECTOR
        .iter()
        .map(|(field, equals)| json!({"Field": field, "Equals": [equals]}))
        .collect();
    props.insert(
        "AdvancedEventSelectors".into(),
        json!([{"Name": SELECTOR_NAME, "FieldSelectors": selectors}]),
    );
    if let Some(t) = tags(&audit.tags) {
        props.insert("Tags".into(), t);
    }
    let mut skips = vec![(
        "CKV_AWS_35",
        "log files are encrypted with SSE-S3; SSE-KMS needs a key whose policy admits cloudtrail.amazonaws.com, which chatlog does not manage".to_owned(),
    )];
    if !audit.multi_region {
        skips.push((
            "CKV_AWS_67",
            "the spec limits the trail to its home region (multi_region: false)".to_owned(),
        ));
    }
    let mut trail = Map::new();
    trail.insert("Type".into(), json!("AWS::CloudTrail::Trail"));
    if audit.managed {
        // CloudTrail checks that it may write before it creates the trail.
        trail.insert("DependsOn".into(), json!([bucket_policy_id(&bucket)]));
    }
    trail.insert("Metadata".into(), checkov_skips(&skips));
    trail.insert("Properties".into(), Value::Object(props));
    resources.insert(TRAIL_ID.to_owned(), Value::Object(trail));

    let mut metadata = Map::new();
    metadata.insert("Generated".into(), json!(GENERATED));
    metadata.insert("Account".into(), json!(audit.account));
    metadata.insert("Region".into(), json!(audit.region));
    metadata.insert("Filtering".into(), json!(FILTERING));
    if !audit.managed {
        metadata.insert(
            "ExistingBucket".into(),
            json!({
                "Bucket": audit.bucket,
                "Note": "This bucket belongs to someone else, so this template does not manage its policy. Merge CloudTrail's statements into it before deploying: CloudTrail refuses a bucket whose policy does not let it write.",
                "Statements": format!("policies/{}/cloudtrail-bucket.json", deployment_stem(&audit.account, &audit.region)),
            }),
        );
    }
    let template = json!({
        "AWSTemplateFormatVersion": FORMAT_VERSION,
        "Description": format!("chatlog: CloudTrail trail {} for account {}, home region {}", audit.trail, audit.account, audit.region),
        "Metadata": {"chatlog": metadata},
        "Resources": resources,
        "Outputs": {
            "AuditTrailArn": {
                "Description": "ARN of the audit trail",
                "Value": {"Fn::GetAtt": [TRAIL_ID, "Arn"]},
            }
        },
    });
    let contents = serialize(&path, &template, format)?;
    Ok(File { path, contents })
}
