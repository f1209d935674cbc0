//! The IVS Chat control plane behind a narrow trait: what planning, inventory and drift need,
//! in `crate::live` types. `SdkChat` is the real one; every call is paced at its quota.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;

use aws_sdk_ivschat::primitives::{DateTime, DateTimeFormat};
use aws_sdk_ivschat::types::{DestinationConfiguration, MessageReviewHandler};

use super::error::AwsError;
use super::pace::Pacer;
use crate::live::{LiveDestination, LiveLoggingConfiguration, LiveReviewHandler, LiveRoom};

/// The largest page the List operations return (MaxRoomResults / MaxLoggingConfigurationResults:
/// 1-50, aws-facts.md §1(a)): fewest calls at the quota.
const PAGE_SIZE: i32 = 50;

pub trait ChatApi: Clone + Send + Sync + 'static {
    /// Every logging configuration in the region, all pages.
    fn list_logging_configurations(
        &self,
    ) -> impl Future<Output = Result<Vec<LiveLoggingConfiguration>, AwsError>> + Send;
    /// Every room in the region, all pages (without message limits: ListRooms omits them).
    /// `on_page` hears the running count, for progress on a terminal.
    fn list_rooms(
        &self,
        on_page: &(dyn Fn(usize) + Send + Sync),
    ) -> impl Future<Output = Result<Vec<LiveRoom>, AwsError>> + Send;
    /// One room, with its message limits.
    fn get_room(&self, arn: String) -> impl Future<Output = Result<LiveRoom, AwsError>> + Send;
}

#[derive(Clone, Debug)]
pub struct SdkChat {
    client: aws_sdk_ivschat::Client,
    pacer: Arc<Pacer>,
    region: String,
}

impl SdkChat {
    pub fn new(session: &super::Session) -> Self {
        SdkChat {
            client: session.ivschat(),
            pacer: session.pacer.clone(),
            region: session.region.clone(),
        }
    }
}

fn time(t: Option<&DateTime>) -> Option<String> {
    t.and_then(|t| t.fmt(DateTimeFormat::DateTime).ok())
}

fn tags(t: Option<&std::collections::HashMap<String, String>>) -> BTreeMap<String, String> {
    t.map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

fn destination(d: Option<&DestinationConfiguration>) -> LiveDestination {
    match d {
        Some(DestinationConfiguration::S3(s3)) => LiveDestination::S3 {
            bucket_name: s3.bucket_name().to_owned(),
        },
        Some(DestinationConfiguration::CloudWatchLogs(cw)) => LiveDestination::CloudWatchLogs {
            log_group_name: cw.log_group_name().to_owned(),
        },
        Some(DestinationConfiguration::Firehose(fh)) => LiveDestination::Firehose {
            delivery_stream_name: fh.delivery_stream_name().to_owned(),
        },
        _ => LiveDestination::Unknown,
    }
}

fn handler(h: Option<&MessageReviewHandler>) -> Option<LiveReviewHandler> {
    h.map(|h| LiveReviewHandler {
        uri: h.uri().unwrap_or_default().to_owned(),
        fallback_result: h
            .fallback_result()
            .map_or_else(|| "ALLOW".to_owned(), |f| f.as_str().to_owned()),
    })
}

fn limit(n: Option<i32>) -> Option<u32> {
    n.and_then(|n| u32::try_from(n).ok())
}

impl ChatApi for SdkChat {
    async fn list_logging_configurations(&self) -> Result<Vec<LiveLoggingConfiguration>, AwsError> {
        let mut all = Vec::new();
        let mut token: Option<String> = None;
        loop {
            self.pacer.wait("ListLoggingConfigurations").await;
            let page = self
                .client
                .list_logging_configurations()
                .max_results(PAGE_SIZE)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| {
                    AwsError::from_sdk("ivschat:ListLoggingConfigurations", &self.region, e)
                })?;
            for c in page.logging_configurations() {
                all.push(LiveLoggingConfiguration {
                    arn: c.arn().unwrap_or_default().to_owned(),
                    id: c.id().unwrap_or_default().to_owned(),
                    name: c.name().unwrap_or_default().to_owned(),
                    state: c.state().map(|s| s.as_str().to_owned()).unwrap_or_default(),
                    destination: destination(c.destination_configuration()),
                    tags: tags(c.tags()),
                    create_time: time(c.create_time()),
                    update_time: time(c.update_time()),
                });
            }
            match page.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_owned()),
                _ => return Ok(all),
            }
        }
    }

    async fn list_rooms(
        &self,
        on_page: &(dyn Fn(usize) + Send + Sync),
    ) -> Result<Vec<LiveRoom>, AwsError> {
        let mut all = Vec::new();
        let mut token: Option<String> = None;
        loop {
            self.pacer.wait("ListRooms").await;
            let page = self
                .client
                .list_rooms()
                .max_results(PAGE_SIZE)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("ivschat:ListRooms", &self.region, e))?;
            for r in page.rooms() {
                all.push(LiveRoom {
                    arn: r.arn().unwrap_or_default().to_owned(),
                    id: r.id().unwrap_or_default().to_owned(),
                    name: r.name().unwrap_or_default().to_owned(),
                    logging_configuration_identifiers: r
                        .logging_configuration_identifiers()
                        .to_vec(),
                    maximum_message_length: None,
                    maximum_message_rate_per_second: None,
                    message_review_handler: handler(r.message_review_handler()),
                    tags: tags(r.tags()),
                    create_time: time(r.create_time()),
                    update_time: time(r.update_time()),
                });
            }
            on_page(all.len());
            match page.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_owned()),
                _ => return Ok(all),
            }
        }
    }

    async fn get_room(&self, arn: String) -> Result<LiveRoom, AwsError> {
        self.pacer.wait("GetRoom").await;
        let r = self
            .client
            .get_room()
            .identifier(&arn)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("ivschat:GetRoom", &arn, e))?;
        Ok(LiveRoom {
            arn: r.arn().unwrap_or(&arn).to_owned(),
            id: r.id().unwrap_or_default().to_owned(),
            name: r.name().unwrap_or_default().to_owned(),
            logging_configuration_identifiers: r.logging_configuration_identifiers().to_vec(),
            maximum_message_length: limit(r.maximum_message_length()),
            maximum_message_rate_per_second: limit(r.maximum_message_rate_per_second()),
            message_review_handler: handler(r.message_review_handler()),
            tags: tags(r.tags()),
            create_time: time(r.create_time()),
            update_time: time(r.update_time()),
        })
    }
}
