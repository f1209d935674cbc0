//! S3: a bucket as the deployment's account sees it (HeadBucket with ExpectedBucketOwner, the
//! account's bucket list, its location, policy, settings and tags), and the bucket operations.

use std::ops::ControlFlow;

use crate::aws::pages::paginate;
use aws_sdk_s3::operation::list_buckets::ListBucketsOutput;
use aws_sdk_s3::types::{
    BucketLocationConstraint, CreateBucketConfiguration, ObjectOwnership, OwnershipControls,
    OwnershipControlsRule, PublicAccessBlockConfiguration, ServerSideEncryption,
    ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
    Tagging,
};
use serde_json::{Value, json};

use super::{SdkDestinations, already_done, is_code, misrouted};
use crate::aws::calls::call;
use crate::aws::error::AwsError;
use crate::live::Tags;
use crate::live::destinations::{
    BucketSettings, BucketState, LiveBucket, OwnedBucket, PublicAccessBlock,
};
use crate::plan::DestinationOperation;
use crate::policy::PolicyDocument;
use crate::policy::merge::merge_bucket_policy;

/// ListBuckets returns up to 10,000 a page; 1,000 keeps answers small.
const BUCKETS_PAGE: i32 = 1000;

impl SdkDestinations {
    pub(super) async fn read_bucket(
        &self,
        name: String,
        managed: bool,
    ) -> Result<LiveBucket, AwsError> {
        let state = |state| {
            Ok(LiveBucket {
                name: name.clone(),
                state,
            })
        };
        let send = self
            .s3
            .head_bucket()
            .bucket(&name)
            .expected_bucket_owner(&self.account)
            .send();
        let head = self
            .s3_calls
            .call(
                call("HeadBucket", "s3:ListBucket", &name, true),
                json!({"bucketName": name, "expectedBucketOwner": self.account}),
                send,
                |o| json!({"bucketRegion": o.bucket_region()}),
            )
            .await;
        // 403 to a request that expects the deployment's account as owner: another account's
        // bucket (or one the caller may not read). 301: the bucket is in another region.
        let redirected = match head {
            Ok(_) => false,
            Err(e) if e.status == Some(404) => return state(BucketState::Missing),
            Err(e) if e.status == Some(403) => return state(BucketState::OtherOwner),
            Err(e) if e.status == Some(301) => true,
            Err(e) => return Err(e),
        };
        // Some S3-compatible endpoints (moto 5.2) do not check ExpectedBucketOwner; the
        // account's own bucket list settles ownership everywhere.
        let Some(listed_region) = self.listed_bucket(&name).await? else {
            return state(BucketState::OtherOwner);
        };
        let region = if redirected {
            listed_region
        } else {
            Some(self.bucket_location(&name).await?)
        };
        if region.as_deref() != Some(self.region.as_str()) {
            return state(BucketState::Owned(OwnedBucket {
                region,
                policy: None,
                settings: None,
            }));
        }
        let policy = self.bucket_policy(&name).await?;
        let settings = if managed {
            Some(self.bucket_settings(&name).await?)
        } else {
            None
        };
        state(BucketState::Owned(OwnedBucket {
            region,
            policy,
            settings,
        }))
    }

    /// Whether the account's own bucket list has the bucket (ListBuckets lists only the
    /// caller's buckets), and the region S3 names for it there.
    async fn listed_bucket(&self, name: &str) -> Result<Option<Option<String>>, AwsError> {
        let fetch = |token: Option<String>| {
            let request =
                json!({"prefix": name, "maxBuckets": BUCKETS_PAGE, "continuationToken": token});
            let send = self
                .s3
                .list_buckets()
                .prefix(name)
                .max_buckets(BUCKETS_PAGE)
                .set_continuation_token(token)
                .send();
            self.s3_calls.call(
                call("ListBuckets", "s3:ListAllMyBuckets", name, true),
                request,
                send,
                |o| json!({"count": o.buckets().len()}),
            )
        };
        paginate(
            fetch,
            |o: &ListBucketsOutput| o.continuation_token(),
            |out| match out.buckets().iter().find(|b| b.name() == Some(name)) {
                Some(b) => ControlFlow::Break(b.bucket_region().map(str::to_owned)),
                None => ControlFlow::Continue(()),
            },
        )
        .await
    }

    async fn bucket_location(&self, name: &str) -> Result<String, AwsError> {
        let send = self
            .s3
            .get_bucket_location()
            .bucket(name)
            .expected_bucket_owner(&self.account)
            .send();
        let out = self
            .s3_calls
            .call(
                call("GetBucketLocation", "s3:GetBucketLocation", name, true),
                json!({"bucketName": name, "expectedBucketOwner": self.account}),
                send,
                |o| json!({"locationConstraint": o.location_constraint().map(BucketLocationConstraint::as_str)}),
            )
            .await?;
        Ok(location_region(out.location_constraint()))
    }

    async fn bucket_policy(&self, name: &str) -> Result<Option<String>, AwsError> {
        let send = self
            .s3
            .get_bucket_policy()
            .bucket(name)
            .expected_bucket_owner(&self.account)
            .send();
        let result = self
            .s3_calls
            .call(
                call("GetBucketPolicy", "s3:GetBucketPolicy", name, true),
                json!({"bucketName": name, "expectedBucketOwner": self.account}),
                send,
                |_| Value::Null,
            )
            .await;
        match result {
            Ok(out) => Ok(out.policy().map(str::to_owned)),
            Err(e) if is_code(&e, "NoSuchBucketPolicy") => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn bucket_settings(&self, name: &str) -> Result<BucketSettings, AwsError> {
        let request = json!({"bucketName": name, "expectedBucketOwner": self.account});
        let owner = &self.account;
        let public_access_block = match self
            .s3_calls
            .call(
                call(
                    "GetPublicAccessBlock",
                    "s3:GetBucketPublicAccessBlock",
                    name,
                    true,
                ),
                request.clone(),
                self.s3
                    .get_public_access_block()
                    .bucket(name)
                    .expected_bucket_owner(owner)
                    .send(),
                |_| Value::Null,
            )
            .await
        {
            Ok(out) => out
                .public_access_block_configuration()
                .map(|c| PublicAccessBlock {
                    block_public_acls: c.block_public_acls().unwrap_or(false),
                    ignore_public_acls: c.ignore_public_acls().unwrap_or(false),
                    block_public_policy: c.block_public_policy().unwrap_or(false),
                    restrict_public_buckets: c.restrict_public_buckets().unwrap_or(false),
                }),
            Err(e) if is_code(&e, "NoSuchPublicAccessBlockConfiguration") => None,
            Err(e) => return Err(e),
        };
        let encryption = match self
            .s3_calls
            .call(
                call(
                    "GetBucketEncryption",
                    "s3:GetEncryptionConfiguration",
                    name,
                    true,
                ),
                request.clone(),
                self.s3
                    .get_bucket_encryption()
                    .bucket(name)
                    .expected_bucket_owner(owner)
                    .send(),
                |_| Value::Null,
            )
            .await
        {
            Ok(out) => out
                .server_side_encryption_configuration()
                .map(|c| {
                    c.rules()
                        .iter()
                        .filter_map(|r| r.apply_server_side_encryption_by_default())
                        .map(|d| d.sse_algorithm().as_str().to_owned())
                        .collect()
                })
                .unwrap_or_default(),
            Err(e) if is_code(&e, "ServerSideEncryptionConfigurationNotFoundError") => Vec::new(),
            Err(e) => return Err(e),
        };
        let object_ownership = match self
            .s3_calls
            .call(
                call(
                    "GetBucketOwnershipControls",
                    "s3:GetBucketOwnershipControls",
                    name,
                    true,
                ),
                request.clone(),
                self.s3
                    .get_bucket_ownership_controls()
                    .bucket(name)
                    .expected_bucket_owner(owner)
                    .send(),
                |_| Value::Null,
            )
            .await
        {
            Ok(out) => out
                .ownership_controls()
                .map(|c| {
                    c.rules()
                        .iter()
                        .map(|r| r.object_ownership().as_str().to_owned())
                        .collect()
                })
                .unwrap_or_default(),
            Err(e) if is_code(&e, "OwnershipControlsNotFoundError") => Vec::new(),
            Err(e) => return Err(e),
        };
        let tags = match self
            .s3_calls
            .call(
                call("GetBucketTagging", "s3:GetBucketTagging", name, true),
                request,
                self.s3
                    .get_bucket_tagging()
                    .bucket(name)
                    .expected_bucket_owner(owner)
                    .send(),
                |_| Value::Null,
            )
            .await
        {
            Ok(out) => out
                .tag_set()
                .iter()
                .map(|t| (t.key().to_owned(), t.value().to_owned()))
                .collect(),
            Err(e) if is_code(&e, "NoSuchTagSet") => Tags::new(),
            Err(e) => return Err(e),
        };
        Ok(BucketSettings {
            public_access_block,
            encryption,
            object_ownership,
            tags,
        })
    }

    async fn put_bucket_policy(&self, bucket: &str, document: &str) -> Result<(), AwsError> {
        let request = json!({
            "bucketName": bucket,
            "expectedBucketOwner": self.account,
            "bucketPolicy": serde_json::from_str::<Value>(document).unwrap_or(Value::Null),
        });
        let send = self
            .s3
            .put_bucket_policy()
            .bucket(bucket)
            .expected_bucket_owner(&self.account)
            .policy(document)
            .send();
        self.s3_calls
            .write(
                call("PutBucketPolicy", "s3:PutBucketPolicy", bucket, false),
                request,
                send,
            )
            .await
    }

    async fn create_bucket(&self, bucket: &str, region: &str) -> Result<(), AwsError> {
        let mut builder = self.s3.create_bucket().bucket(bucket);
        // us-east-1 takes no LocationConstraint; every other region needs one.
        let constraint = (region != "us-east-1").then(|| region.to_owned());
        if let Some(r) = &constraint {
            builder = builder.create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::from(r.as_str()))
                    .build(),
            );
        }
        let request = json!({
            "bucketName": bucket,
            "CreateBucketConfiguration": constraint.map(|r| json!({"LocationConstraint": r})),
        });
        self.s3_calls
            .write(
                call("CreateBucket", "s3:CreateBucket", bucket, false),
                request,
                builder.send(),
            )
            .await
    }

    async fn merge_bucket_policy(
        &self,
        bucket: &str,
        statements: &PolicyDocument,
    ) -> Result<(), AwsError> {
        let current = self.bucket_policy(bucket).await?;
        let merged = merge_bucket_policy(current.as_deref().unwrap_or_default(), statements)
            .map_err(|e| {
                AwsError::local("s3:PutBucketPolicy", bucket, format!("{e}; {}", e.help()))
            })?;
        if merged.changed {
            self.put_bucket_policy(bucket, merged.text.trim_end())
                .await?;
        }
        Ok(())
    }

    pub(super) async fn execute_s3(&self, operation: DestinationOperation) -> Result<(), AwsError> {
        match operation {
            DestinationOperation::CreateBucket { bucket, region } => {
                // The SDK retries a create whose answer was lost; the retry finds the bucket
                // made: done (outside us-east-1 S3 answers so; there it answers 200).
                already_done(
                    self.create_bucket(&bucket, &region).await,
                    "BucketAlreadyOwnedByYou",
                )
            }
            DestinationOperation::PutPublicAccessBlock { bucket } => {
                let all = PublicAccessBlock::ALL;
                let send = self
                    .s3
                    .put_public_access_block()
                    .bucket(&bucket)
                    .expected_bucket_owner(&self.account)
                    .public_access_block_configuration(
                        PublicAccessBlockConfiguration::builder()
                            .block_public_acls(all.block_public_acls)
                            .ignore_public_acls(all.ignore_public_acls)
                            .block_public_policy(all.block_public_policy)
                            .restrict_public_buckets(all.restrict_public_buckets)
                            .build(),
                    )
                    .send();
                let request = json!({"bucketName": bucket, "PublicAccessBlockConfiguration": all});
                self.s3_calls
                    .write(
                        call(
                            "PutPublicAccessBlock",
                            "s3:PutBucketPublicAccessBlock",
                            &bucket,
                            false,
                        ),
                        request,
                        send,
                    )
                    .await
            }
            DestinationOperation::PutBucketEncryption { bucket } => {
                let action = "s3:PutEncryptionConfiguration";
                let by_default = ServerSideEncryptionByDefault::builder()
                    .sse_algorithm(ServerSideEncryption::Aes256)
                    .build()
                    .map_err(|e| AwsError::local(action, &bucket, e))?;
                let configuration = ServerSideEncryptionConfiguration::builder()
                    .rules(
                        ServerSideEncryptionRule::builder()
                            .apply_server_side_encryption_by_default(by_default)
                            .build(),
                    )
                    .build()
                    .map_err(|e| AwsError::local(action, &bucket, e))?;
                let send = self
                    .s3
                    .put_bucket_encryption()
                    .bucket(&bucket)
                    .expected_bucket_owner(&self.account)
                    .server_side_encryption_configuration(configuration)
                    .send();
                let request = json!({"bucketName": bucket, "ServerSideEncryptionConfiguration": {"Rule": {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}}});
                self.s3_calls
                    .write(
                        call("PutBucketEncryption", action, &bucket, false),
                        request,
                        send,
                    )
                    .await
            }
            DestinationOperation::PutBucketOwnershipControls { bucket } => {
                let action = "s3:PutBucketOwnershipControls";
                let rule = OwnershipControlsRule::builder()
                    .object_ownership(ObjectOwnership::BucketOwnerEnforced)
                    .build()
                    .map_err(|e| AwsError::local(action, &bucket, e))?;
                let controls = OwnershipControls::builder()
                    .rules(rule)
                    .build()
                    .map_err(|e| AwsError::local(action, &bucket, e))?;
                let send = self
                    .s3
                    .put_bucket_ownership_controls()
                    .bucket(&bucket)
                    .expected_bucket_owner(&self.account)
                    .ownership_controls(controls)
                    .send();
                let request = json!({"bucketName": bucket, "OwnershipControls": {"Rule": {"ObjectOwnership": "BucketOwnerEnforced"}}});
                self.s3_calls
                    .write(
                        call("PutBucketOwnershipControls", action, &bucket, false),
                        request,
                        send,
                    )
                    .await
            }
            DestinationOperation::PutBucketTagging { bucket, tags } => {
                let action = "s3:PutBucketTagging";
                let set = tags
                    .iter()
                    .map(|(k, v)| {
                        aws_sdk_s3::types::Tag::builder()
                            .key(k)
                            .value(v)
                            .build()
                            .map_err(|e| AwsError::local(action, &bucket, e))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let tagging = Tagging::builder()
                    .set_tag_set(Some(set))
                    .build()
                    .map_err(|e| AwsError::local(action, &bucket, e))?;
                let send = self
                    .s3
                    .put_bucket_tagging()
                    .bucket(&bucket)
                    .expected_bucket_owner(&self.account)
                    .tagging(tagging)
                    .send();
                let request = json!({"bucketName": bucket, "Tagging": {"TagSet": tags}});
                self.s3_calls
                    .write(
                        call("PutBucketTagging", action, &bucket, false),
                        request,
                        send,
                    )
                    .await
            }
            DestinationOperation::PutBucketPolicy { bucket, policy } => {
                self.put_bucket_policy(&bucket, &policy.to_compact()).await
            }
            DestinationOperation::MergeBucketPolicy { bucket, statements } => {
                self.merge_bucket_policy(&bucket, &statements).await
            }
            other => Err(misrouted(&other)),
        }
    }
}

/// GetBucketLocation's answer as a region: empty means us-east-1, and the legacy `EU` is
/// eu-west-1 (S3 API reference, GetBucketLocation).
fn location_region(constraint: Option<&BucketLocationConstraint>) -> String {
    match constraint.map(BucketLocationConstraint::as_str) {
        None | Some("") => "us-east-1".to_owned(),
        Some("EU") => "eu-west-1".to_owned(),
        Some(region) => region.to_owned(),
    }
}
