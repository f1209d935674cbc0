//! Building SDK clients for one account and region: the standard credential chain, `--profile`,
//! `--endpoint-url` (and the AWS_ENDPOINT_URL* variables, which the SDK reads itself), the spec's
//! per-account profile or role, and retries.

use std::collections::BTreeMap;
use std::sync::Arc;

use aws_config::retry::RetryConfig;
use aws_config::sts::AssumeRoleProvider;
use aws_config::{BehaviorVersion, Region, SdkConfig};

use aws_sdk_ivschat::config::SharedCredentialsProvider;

use super::audit::AuditLog;
use super::error::AwsError;
use super::pace::Pacer;
use crate::model::Access;

/// How to reach AWS, as the command line says.
#[derive(Clone, Debug)]
pub struct Connection {
    pub profile: Option<String>,
    /// One endpoint for every service (`--endpoint-url`).
    pub endpoint_url: Option<String>,
    /// Per-service endpoints by SDK service id (`ivschat`, `s3`, `logs`, `firehose`, `iam`,
    /// `sts`); they win over `endpoint_url`. The command line has no flag for these (the
    /// AWS_ENDPOINT_URL_<SERVICE> variables do that); tests use them.
    pub service_endpoints: BTreeMap<String, String>,
    pub retry: RetryConfig,
    /// Credentials a library caller hands in, instead of the standard chain's (the command line
    /// always uses the chain).
    pub credentials: Option<SharedCredentialsProvider>,
}

impl Default for Connection {
    fn default() -> Self {
        Connection {
            profile: None,
            endpoint_url: None,
            service_endpoints: BTreeMap::new(),
            // Adaptive mode adds client-side rate limiting when AWS throttles; 8 attempts ride out
            // a short burst of 5xx or 429 answers. AWS_MAX_ATTEMPTS overrides the count, as it
            // does for every AWS SDK and the CLI.
            retry: RetryConfig::adaptive().with_max_attempts(max_attempts_from_env().unwrap_or(8)),
            credentials: None,
        }
    }
}

fn max_attempts_from_env() -> Option<u32> {
    std::env::var("AWS_MAX_ATTEMPTS")
        .ok()
        .and_then(|v| v.trim().parse::<u32>().ok())
        .filter(|n| *n >= 1)
}

/// Clients for one account and region, sharing one pacer.
#[derive(Clone, Debug)]
pub struct Session {
    pub region: String,
    config: SdkConfig,
    endpoints: BTreeMap<String, String>,
    pub pacer: Arc<Pacer>,
    /// Where every call is recorded (`apply --audit-log`).
    pub audit: Option<Arc<AuditLog>>,
}

impl Connection {
    /// The SDK configuration for a deployment's account (`access` from the spec) and a region.
    /// Assuming a role happens lazily, at the first call, as the SDK's providers do.
    pub async fn session(&self, access: &Access, region: &str) -> Result<Session, AwsError> {
        let profile = access.profile.as_ref().or(self.profile.as_ref());
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(region.to_owned()))
            .retry_config(self.retry.clone());
        if let Some(p) = profile {
            loader = loader.profile_name(p);
        }
        if let Some(url) = &self.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        if let Some(credentials) = &self.credentials {
            loader = loader.credentials_provider(credentials.clone());
        }
        let mut config = loader.load().await;
        if let Some(role) = &access.role_arn {
            let mut provider_config = aws_config::defaults(BehaviorVersion::latest())
                .region(Region::new(region.to_owned()))
                .retry_config(self.retry.clone());
            if let Some(p) = profile {
                provider_config = provider_config.profile_name(p);
            }
            if let Some(credentials) = &self.credentials {
                provider_config = provider_config.credentials_provider(credentials.clone());
            }
            let sts_endpoint = self
                .service_endpoints
                .get("sts")
                .or(self.endpoint_url.as_ref());
            if let Some(url) = sts_endpoint {
                provider_config = provider_config.endpoint_url(url);
            }
            let base = provider_config.load().await;
            let provider = AssumeRoleProvider::builder(role)
                .session_name("chatlog")
                .region(Region::new(region.to_owned()))
                .configure(&base)
                .build()
                .await;
            config = config
                .into_builder()
                .credentials_provider(SharedCredentialsProvider::new(provider))
                .build();
        }
        Ok(Session {
            region: region.to_owned(),
            config,
            endpoints: self.service_endpoints.clone(),
            pacer: Arc::new(Pacer::default()),
            audit: None,
        })
    }
}

/// Whether requests for `service` go somewhere other than AWS (then S3 needs path-style URLs,
/// since a local server has no per-bucket host names).
fn custom_endpoint(
    config: &SdkConfig,
    endpoints: &BTreeMap<String, String>,
    service: &str,
    env_suffix: &str,
) -> bool {
    endpoints.contains_key(service)
        || config.endpoint_url().is_some()
        || std::env::var_os("AWS_ENDPOINT_URL").is_some()
        || std::env::var_os(format!("AWS_ENDPOINT_URL_{env_suffix}")).is_some()
}

impl Session {
    /// This session with the credentials (and their cache) of another session of the same
    /// account: one resolution, one AssumeRole, for all of an account's regions.
    pub fn sharing_credentials_of(mut self, first: &Session) -> Session {
        let mut builder = self.config.into_builder();
        if let Some(provider) = first.config.credentials_provider() {
            builder = builder.credentials_provider(provider);
        }
        if let Some(cache) = first.config.identity_cache() {
            builder = builder.identity_cache(cache);
        }
        self.config = builder.build();
        self
    }

    pub fn ivschat(&self) -> aws_sdk_ivschat::Client {
        let mut b = aws_sdk_ivschat::config::Builder::from(&self.config);
        if let Some(url) = self.endpoints.get("ivschat") {
            b = b.endpoint_url(url);
        }
        aws_sdk_ivschat::Client::from_conf(b.build())
    }

    pub fn s3(&self) -> aws_sdk_s3::Client {
        let mut b = aws_sdk_s3::config::Builder::from(&self.config);
        if let Some(url) = self.endpoints.get("s3") {
            b = b.endpoint_url(url);
        }
        if custom_endpoint(&self.config, &self.endpoints, "s3", "S3") {
            b = b.force_path_style(true);
        }
        aws_sdk_s3::Client::from_conf(b.build())
    }

    pub fn logs(&self) -> aws_sdk_cloudwatchlogs::Client {
        let mut b = aws_sdk_cloudwatchlogs::config::Builder::from(&self.config);
        if let Some(url) = self.endpoints.get("logs") {
            b = b.endpoint_url(url);
        }
        aws_sdk_cloudwatchlogs::Client::from_conf(b.build())
    }

    pub fn firehose(&self) -> aws_sdk_firehose::Client {
        let mut b = aws_sdk_firehose::config::Builder::from(&self.config);
        if let Some(url) = self.endpoints.get("firehose") {
            b = b.endpoint_url(url);
        }
        aws_sdk_firehose::Client::from_conf(b.build())
    }

    pub fn iam(&self) -> aws_sdk_iam::Client {
        let mut b = aws_sdk_iam::config::Builder::from(&self.config);
        if let Some(url) = self.endpoints.get("iam") {
            b = b.endpoint_url(url);
        }
        aws_sdk_iam::Client::from_conf(b.build())
    }

    pub fn cloudtrail(&self) -> aws_sdk_cloudtrail::Client {
        let mut b = aws_sdk_cloudtrail::config::Builder::from(&self.config);
        if let Some(url) = self.endpoints.get("cloudtrail") {
            b = b.endpoint_url(url);
        }
        aws_sdk_cloudtrail::Client::from_conf(b.build())
    }

    pub fn lexv2(&self) -> aws_sdk_lexmodelsv2::Client {
        let mut b = aws_sdk_lexmodelsv2::config::Builder::from(&self.config);
        if let Some(url) = self.endpoints.get("lexv2") {
            b = b.endpoint_url(url);
        }
        aws_sdk_lexmodelsv2::Client::from_conf(b.build())
    }

    pub fn cloudformation(&self) -> aws_sdk_cloudformation::Client {
        let mut b = aws_sdk_cloudformation::config::Builder::from(&self.config);
        if let Some(url) = self.endpoints.get("cloudformation") {
            b = b.endpoint_url(url);
        }
        aws_sdk_cloudformation::Client::from_conf(b.build())
    }

    pub fn sts(&self) -> aws_sdk_sts::Client {
        let mut b = aws_sdk_sts::config::Builder::from(&self.config);
        if let Some(url) = self.endpoints.get("sts") {
            b = b.endpoint_url(url);
        }
        aws_sdk_sts::Client::from_conf(b.build())
    }

    /// The account the credentials belong to (STS GetCallerIdentity), checked before any
    /// account-specific read or write.
    pub async fn caller_account(&self) -> Result<String, AwsError> {
        let out = self
            .sts()
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("sts:GetCallerIdentity", &self.region, e))?;
        out.account().map(str::to_owned).ok_or_else(|| {
            AwsError::local(
                "sts:GetCallerIdentity",
                &self.region,
                "the answer named no account",
            )
        })
    }
}
