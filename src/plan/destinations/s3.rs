//! Buckets: created and kept as the spec says when managed; log delivery's statements merged
//! into an existing bucket's policy, keeping every other statement.

use super::*;

pub(super) fn bucket_destination(
    p: &mut Planner<'_>,
    d: &Destination,
    bucket: &str,
    document: &PolicyDocument,
) {
    let (account, region) = (&p.deployment.account, &p.deployment.region);
    let state = p
        .live
        .bucket(bucket)
        .map_or(BucketState::Missing, |b| b.state.clone());
    match state {
        BucketState::Missing if d.managed => create_bucket(p, d, bucket, document),
        BucketState::Missing => {
            let message = format!("bucket `{bucket}` (destination `{}`) does not exist", d.key);
            p.problem(
                d,
                Problem::Missing,
                message,
                "create it in the deployment's account and region, or set `create: true` so that chatlog creates it".to_owned(),
            );
        }
        BucketState::OtherOwner => {
            let (message, help) = if d.managed {
                (
                    format!(
                        "bucket `{bucket}` (destination `{}`) cannot be created: the name belongs to a bucket of another account (bucket names are global)",
                        d.key
                    ),
                    "choose another bucket name".to_owned(),
                )
            } else {
                (
                    format!(
                        "bucket `{bucket}` (destination `{}`) is not owned by account {account}",
                        d.key
                    ),
                    format!(
                        "IVS Chat only logs to destinations its own account owns: log to a bucket of account {account}, or move the destination to the bucket owner's account (if the bucket is {account}'s, the caller may lack s3:ListBucket on it)"
                    ),
                )
            };
            p.problem(d, Problem::OtherOwner, message, help);
        }
        BucketState::Owned(owned) if owned.region.as_deref() != Some(region.as_str()) => {
            let message = format!(
                "bucket `{bucket}` (destination `{}`) is in {}, not in {region}",
                d.key,
                owned
                    .region
                    .as_deref()
                    .map_or_else(|| "another region".to_owned(), |r| format!("`{r}`"))
            );
            p.problem(
                d,
                Problem::OtherRegion,
                message,
                format!(
                    "IVS Chat logs only to a bucket in the room's region: use a bucket in {region}, or set the destination's `region` to the bucket's"
                ),
            );
        }
        BucketState::Owned(owned) if d.managed => {
            managed_bucket(p, d, bucket, document, &owned);
        }
        BucketState::Owned(owned) => existing_bucket_policy(p, d, bucket, document, &owned),
    }
}

fn create_bucket(p: &mut Planner<'_>, d: &Destination, bucket: &str, document: &PolicyDocument) {
    let tags = desired_tags(p, d);
    let mut change = p.at(BUCKET, d);
    change.action = Action::Create;
    change.diffs = vec![
        AttributeDiff::created("region", json!(p.deployment.region)),
        AttributeDiff::created("public_access_block", json!(PublicAccessBlock::ALL)),
        AttributeDiff::created("encryption", json!([SSE_S3])),
        AttributeDiff::created("object_ownership", json!([OWNER_ENFORCED])),
        AttributeDiff::created("tags", json!(tags)),
    ];
    let b = bucket.to_owned();
    change.operations = [
        DestinationOperation::CreateBucket {
            bucket: b.clone(),
            region: p.deployment.region.clone(),
        },
        // Tags right after creation: a bucket without them is one chatlog no longer touches.
        DestinationOperation::PutBucketTagging {
            bucket: b.clone(),
            tags,
        },
        DestinationOperation::PutPublicAccessBlock { bucket: b.clone() },
        DestinationOperation::PutBucketEncryption { bucket: b.clone() },
        DestinationOperation::PutBucketOwnershipControls { bucket: b.clone() },
    ]
    .into_iter()
    .map(crate::plan::Operation::Destination)
    .collect();
    p.push(change);
    let mut policy = p.at(BUCKET_POLICY, d);
    policy.action = Action::Create;
    // The statements by Sid; the operation carries the whole document (`plan --format json`).
    policy.diffs = vec![AttributeDiff::created("statements", json!(sids(document)))];
    policy.operations = vec![crate::plan::Operation::Destination(
        DestinationOperation::PutBucketPolicy {
            bucket: b,
            policy: document.clone(),
        },
    )];
    p.push(policy);
}

fn managed_bucket(
    p: &mut Planner<'_>,
    d: &Destination,
    bucket: &str,
    document: &PolicyDocument,
    owned: &OwnedBucket,
) {
    let settings = owned.settings.clone().unwrap_or(BucketSettings {
        public_access_block: None,
        encryption: Vec::new(),
        object_ownership: Vec::new(),
        tags: Tags::new(),
    });
    let owner = owner_of_destination(d, &settings.tags, p.owner);
    let b = bucket.to_owned();
    let op = crate::plan::Operation::Destination;
    let mut change = p.at(BUCKET, d);
    if let Some(x) = AttributeDiff::between(
        "public_access_block",
        json!(settings.public_access_block),
        json!(PublicAccessBlock::ALL),
    ) {
        change.diffs.push(x);
        change
            .operations
            .push(op(DestinationOperation::PutPublicAccessBlock {
                bucket: b.clone(),
            }));
    }
    if let Some(x) =
        AttributeDiff::between("encryption", json!(settings.encryption), json!([SSE_S3]))
    {
        change.diffs.push(x);
        change
            .operations
            .push(op(DestinationOperation::PutBucketEncryption {
                bucket: b.clone(),
            }));
    }
    if let Some(x) = AttributeDiff::between(
        "object_ownership",
        json!(settings.object_ownership),
        json!([OWNER_ENFORCED]),
    ) {
        change.diffs.push(x);
        change
            .operations
            .push(op(DestinationOperation::PutBucketOwnershipControls {
                bucket: b.clone(),
            }));
    }
    if owner != Owner::Us {
        change
            .diffs
            .extend(tags::unowned_diff(&settings.tags, &d.tags));
    } else {
        let wanted = desired_tags(p, d);
        if let Some(x) = tags::delta(&settings.tags, &wanted).diff {
            change.diffs.push(x);
            // S3 replaces the whole tag set; AWS's own tags cannot be removed, so they stay.
            let mut whole = wanted;
            whole.extend(tags::aws_tags(&settings.tags));
            change
                .operations
                .push(op(DestinationOperation::PutBucketTagging {
                    bucket: b.clone(),
                    tags: whole,
                }));
        }
    }
    p.finish(&mut change, owner, "bucket");
    p.push(change);

    let mut policy = p.at(BUCKET_POLICY, d);
    if !same_statements(owned.policy.as_deref(), document) {
        let before = owned
            .policy
            .as_deref()
            .and_then(statements_of)
            .map_or(Value::Null, Value::Array);
        policy.diffs.push(AttributeDiff {
            attribute: "statements".to_owned(),
            before,
            after: json!(document.statements),
        });
        policy
            .operations
            .push(op(DestinationOperation::PutBucketPolicy {
                bucket: b,
                policy: document.clone(),
            }));
        if owned.policy.is_none() {
            policy.action = Action::Create;
        }
    }
    p.finish(&mut policy, owner, "bucket");
    p.push(policy);
}

fn existing_bucket_policy(
    p: &mut Planner<'_>,
    d: &Destination,
    bucket: &str,
    document: &PolicyDocument,
    owned: &OwnedBucket,
) {
    let live_policy = owned.policy.as_deref();
    let documents = match bucket_documents(bucket, live_policy) {
        Ok(documents) => documents,
        Err(message) => {
            p.problem(
                d,
                Problem::CannotMerge,
                message,
                "fix the bucket policy by hand; chatlog only adds statements to a policy it can read".to_owned(),
            );
            return;
        }
    };
    let mut change = p.at(BUCKET_POLICY, d);
    if granted(p.needs(d), &documents) {
        // Whoever owns the policy already lets log delivery write, in their own words; AWS
        // then appends nothing either, so a NotAction elsewhere in it does not matter.
        p.push(change);
        return;
    }
    let merged = match merge_bucket_policy(live_policy.unwrap_or_default(), document) {
        Err(e) => {
            let help = e.help().to_owned();
            p.problem(
                d,
                Problem::CannotMerge,
                format!(
                    "log delivery's statements cannot be added to the policy of bucket `{bucket}` (destination `{}`): {e}",
                    d.key
                ),
                help,
            );
            return;
        }
        Ok(m) => m,
    };
    if !merged.changed {
        p.problem(
            d,
            Problem::CannotMerge,
            format!(
                "the policy of bucket `{bucket}` (destination `{}`) has log delivery's statements, but they do not let it write, and chatlog only ever adds to a policy it does not own",
                d.key
            ),
            "fix those statements by hand: `chatlog policy verify` says what they lack".to_owned(),
        );
        return;
    }
    let ids = sids(document);
    change.action = if live_policy.is_some() {
        Action::Update
    } else {
        Action::Create
    };
    change.diffs.push(AttributeDiff {
        attribute: "log-delivery statements".to_owned(),
        before: with_sids(live_policy, &ids),
        after: with_sids(Some(&merged.text), &ids),
    });
    change.operations.push(crate::plan::Operation::Destination(
        DestinationOperation::MergeBucketPolicy {
            bucket: bucket.to_owned(),
            statements: document.clone(),
        },
    ));
    p.push(change);
}
