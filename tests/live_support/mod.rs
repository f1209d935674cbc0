//! A world for live tests: the project's IVS Chat server, the shared moto server, a fresh
//! account, and chatlog pointed at both through the standard environment variables.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aws_sdk_ivschat::types::{DestinationConfiguration, S3DestinationConfiguration};
use chatlog_testkit::ivschat::{IvsChatServer, ServerConfig};
use chatlog_testkit::moto::{MotoServer, fresh_account};

use crate::common::chatlog;

pub const REGION: &str = "us-west-2";
/// Never to appear in any output.
pub const SECRET: &str = "wJalrXUtnFEMIK7MDENGbPxRfiCYzEXAMPLEKEY";

pub struct World {
    pub server: IvsChatServer,
    pub moto: &'static MotoServer,
    pub account: String,
    pub runtime: tokio::runtime::Runtime,
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
        }
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
            .env(
                "CHATLOG_CACHE_DIR",
                std::env::temp_dir().join(format!("chatlog-cache-{}", self.account)),
            );
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
