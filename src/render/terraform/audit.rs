//! The `audit` trail as a root module of its own, `terraform/<account>-<region>-audit/`: a
//! CloudTrail trail for management write events and, when chatlog creates it, its bucket with
//! CloudTrail's statements (aws-facts.md §1(f), §1(i)). A module of its own because the trail
//! serves the whole account (every region when multi-region), not one deployment.

use crate::model::Audit;
use crate::policy::audit::{FILTERING, SELECTOR, SELECTOR_NAME, bucket_policy};

use super::hcl::{self, Block, Expr, Item};
use super::{
    BucketUse, File, GENERATED, attr_of, deployment_stem, header, id, jsonencode, managed_bucket,
    output, providers_for, resource, resource_ref, versions, with_tags,
};

/// The trail's and bucket's resource name.
const TRAIL: &str = "audit";

pub(super) fn render(audit: &Audit) -> Vec<File> {
    let dir = format!(
        "terraform/{}-audit",
        deployment_stem(&audit.account, &audit.region)
    );
    vec![
        File {
            path: format!("{dir}/main.tf"),
            contents: main(audit).render(),
        },
        File {
            path: format!("{dir}/outputs.tf"),
            contents: outputs(audit).render(),
        },
        File {
            path: format!("{dir}/providers.tf"),
            contents: providers_for(&audit.account, &audit.region).render(),
        },
        File {
            path: format!("{dir}/versions.tf"),
            contents: versions().render(),
        },
    ]
}

fn main(audit: &Audit) -> hcl::File {
    let mut f = hcl::File::with_header(vec![
        GENERATED.to_owned(),
        format!(
            "CloudTrail trail `{}` of account {}, home region {}.",
            audit.trail, audit.account, audit.region
        ),
    ]);
    let bucket = audit.bucket_destination();
    let name = hcl::Ident::from_key(TRAIL);
    let policy = bucket_policy(audit);
    let mut depends = Vec::new();
    let bucket_name = if audit.managed {
        managed_bucket(&mut f, &bucket, &audit.bucket, &policy, BucketUse::Trail);
        depends.push(resource_ref("aws_s3_bucket_policy", &name));
        attr_of("aws_s3_bucket", &name, "id")
    } else {
        Expr::str(audit.bucket.clone())
    };
    let mut trail = resource("aws_cloudtrail", &name);
    trail.push(Item::CheckovSkip(
        "CKV_AWS_35",
        "log files are encrypted with SSE-S3; SSE-KMS needs a key whose policy admits cloudtrail.amazonaws.com, which chatlog does not manage".to_owned(),
    ));
    trail.push(Item::CheckovSkip(
        "CKV_AWS_252",
        "nothing subscribes to log-file notifications; add an SNS topic outside chatlog if needed"
            .to_owned(),
    ));
    trail.push(Item::CheckovSkip(
        "CKV2_AWS_10",
        "the trail writes to S3; send it to CloudWatch Logs outside chatlog for metric filters"
            .to_owned(),
    ));
    if !audit.multi_region {
        trail.push(Item::CheckovSkip(
            "CKV_AWS_67",
            "the spec limits the trail to its home region (multi_region: false)".to_owned(),
        ));
    }
    trail.push(Item::Attribute(id("name"), Expr::str(audit.trail.clone())));
    trail.push(Item::Attribute(id("s3_bucket_name"), bucket_name));
    if let Some(p) = &audit.prefix {
        trail.push(Item::Attribute(id("s3_key_prefix"), Expr::str(p.clone())));
    }
    trail = trail
        .attr(&id("enable_logging"), Expr::Bool(true))
        .attr(&id("is_multi_region_trail"), Expr::Bool(audit.multi_region))
        .attr(&id("include_global_service_events"), Expr::Bool(true))
        .attr(&id("enable_log_file_validation"), Expr::Bool(true));
    let mut selector =
        Block::new(&id("advanced_event_selector"), &[]).attr(&id("name"), Expr::str(SELECTOR_NAME));
    for (field, equals) in SELECTOR {
        selector = selector.block(
            Block::new(&id("field_selector"), &[])
                .attr(&id("field"), Expr::str(field))
                .attr(&id("equals"), Expr::List(vec![Expr::str(equals)])),
        );
    }
    trail = trail.blank().block(selector);
    trail = with_tags(trail, &audit.tags);
    if !depends.is_empty() {
        trail = trail.blank().attr(&id("depends_on"), Expr::List(depends));
    }
    let mut notes = vec![
        "Management write events of every service (IVS Chat, Lex, S3, CloudWatch Logs, Firehose, IAM among them).".to_owned(),
        FILTERING.to_owned(),
    ];
    if !audit.managed {
        notes.push(format!(
            "Bucket `{}` belongs to someone else: merge the statements in output trail_bucket_policy_statements into its policy first (CloudTrail refuses a bucket whose policy does not let it write).",
            audit.bucket
        ));
    }
    f.push_commented(notes, trail);
    f
}

fn outputs(audit: &Audit) -> hcl::File {
    let mut f = hcl::File::with_header(header());
    let name = hcl::Ident::from_key(TRAIL);
    f.push(output(
        "trail",
        "The audit trail's ARN and where it writes",
        vec![
            ("arn".to_owned(), attr_of("aws_cloudtrail", &name, "arn")),
            ("bucket".to_owned(), Expr::str(audit.bucket.clone())),
            (
                "log_path".to_owned(),
                Expr::str(crate::policy::audit::log_path(audit)),
            ),
        ],
    ));
    if !audit.managed {
        f.push(output(
            "trail_bucket_policy_statements",
            "CloudTrail's statements to merge into the policy of the bucket that belongs to someone else",
            vec![(audit.bucket.clone(), jsonencode(&bucket_policy(audit)))],
        ));
    }
    f
}
