//! A world for live tests: the project's IVS Chat server, the shared moto server, a fresh
//! account, and chatlog pointed at both through the standard environment variables.
#![allow(dead_code)]

use std::path::Path;

use aws_config::SdkConfig;
use aws_sdk_ivschat::types::{DestinationConfiguration, S3DestinationConfiguration};
use chatlog_testkit::ivschat::{IvsChatServer, ServerConfig};
use chatlog_testkit::moto::{MotoServer, fresh_account, s3_client};

use crate::common::chatlog;

pub const REGION: &str = "us-west-2";
/// Never to appear in any output.
pub const SECRET: &str = "wJalrXUtnFEMIK7MDENGbPxRfiCYzEXAMPLEKEY";

pub struct World {
    pub server: IvsChatServer,
    pub moto: &'static MotoServer,
    pub account: String,
    pub runtime: tokio::runtime::Runtime,
    /// The room cache of this world's runs (CHATLOG_CACHE_DIR), removed with the world.
    pub cache: tempfile::TempDir,
}

impl World {
    pub fn new(config: ServerConfig) -> World {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let server = IvsChatServer::start_in_background(config).unwrap();
        let moto = MotoServer::shared().unwrap();
        World {
            server,
            moto,
            account: fresh_account(),
            runtime,
            cache: tempfile::Builder::new()
                .prefix("chatlog-cache-")
                .tempdir()
                .unwrap(),
        }
    }

    /// A world whose IVS Chat server writes log delivery's side effects (bucket and log-group
    /// policies, the service-linked role) into moto, as AWS does.
    pub fn delivering_to_moto() -> World {
        let moto = MotoServer::shared().unwrap();
        World::new(ServerConfig {
            moto_endpoint: Some(moto.endpoint().to_owned()),
            ..ServerConfig::default()
        })
    }

    /// SDK settings for moto as this world's account in REGION.
    pub fn moto_config(&self) -> SdkConfig {
        self.moto.sdk_config(&self.account, REGION)
    }

    /// Creates an S3 bucket in REGION in moto, as this world's account.
    pub fn create_bucket(&self, bucket: &str) {
        self.runtime
            .block_on(create_bucket(&self.moto_config(), bucket, REGION));
    }

    /// Creates a CloudWatch Logs log group in moto, as this world's account.
    pub fn create_log_group(&self, name: &str) {
        self.runtime.block_on(async {
            aws_sdk_cloudwatchlogs::Client::new(&self.moto_config())
                .create_log_group()
                .log_group_name(name)
                .send()
                .await
                .unwrap();
        });
    }

    /// Runs chatlog as this world's account with `args` and then `spec`.
    pub fn run(&self, args: &[&str], spec: &Path) -> (i32, String, String) {
        run(&mut self.chatlog(), args, spec)
    }

    pub fn ivschat(&self) -> aws_sdk_ivschat::Client {
        aws_sdk_ivschat::Client::new(&self.server.sdk_config(&self.account, REGION))
    }

    /// chatlog as this world's account: IVS Chat on the local server, everything else on moto.
    pub fn chatlog(&self) -> assert_cmd::Command {
        let mut cmd = chatlog();
        cmd.env("AWS_ACCESS_KEY_ID", &self.account)
            .env("AWS_SECRET_ACCESS_KEY", SECRET)
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_PROFILE")
            .env("AWS_REGION", REGION)
            .env("AWS_ENDPOINT_URL", self.moto.endpoint())
            .env("AWS_ENDPOINT_URL_IVSCHAT", self.server.endpoint())
            .env("AWS_CONFIG_FILE", "/nonexistent")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("CHATLOG_CACHE_DIR", self.cache.path());
        cmd
    }

    pub fn create_configuration(
        &self,
        name: &str,
        destination: DestinationConfiguration,
    ) -> String {
        self.runtime.block_on(async {
            self.ivschat()
                .create_logging_configuration()
                .name(name)
                .destination_configuration(destination)
                .tags("team", "live")
                .send()
                .await
                .unwrap()
                .arn()
                .unwrap()
                .to_owned()
        })
    }

    pub fn create_room(
        &self,
        name: &str,
        logging: &[String],
        limits: Option<(i32, i32)>,
    ) -> String {
        self.runtime.block_on(async {
            let mut req = self
                .ivschat()
                .create_room()
                .name(name)
                .set_logging_configuration_identifiers(Some(logging.to_vec()));
            if let Some((length, rate)) = limits {
                req = req
                    .maximum_message_length(length)
                    .maximum_message_rate_per_second(rate);
            }
            req.send().await.unwrap().arn().unwrap().to_owned()
        })
    }
}

pub fn s3(bucket: &str) -> DestinationConfiguration {
    DestinationConfiguration::S3(
        S3DestinationConfiguration::builder()
            .bucket_name(bucket)
            .build()
            .unwrap(),
    )
}

/// Creates `bucket` in `region` with the S3 client `config` gives.
pub async fn create_bucket(config: &SdkConfig, bucket: &str, region: &str) {
    s3_client(config)
        .create_bucket()
        .bucket(bucket)
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(region))
                .build(),
        )
        .send()
        .await
        .unwrap();
}

/// Runs `cmd` with `args` and then `spec`: the exit code (-1 when killed by a signal), stdout
/// and stderr.
pub fn run(cmd: &mut assert_cmd::Command, args: &[&str], spec: &Path) -> (i32, String, String) {
    let out = cmd.args(args).arg(spec).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
