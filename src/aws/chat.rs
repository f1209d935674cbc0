//! The IVS Chat control plane behind a narrow trait: what planning, inventory and drift need,
//! in `crate::live` types. `SdkChat` is the real one; every call is paced at its quota.

use std::future::Future;

use aws_sdk_ivschat::primitives::{DateTime, DateTimeFormat};
use std::collections::HashMap;

use aws_sdk_ivschat::config::http::HttpResponse;
use aws_sdk_ivschat::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ivschat::operation::RequestId;
use aws_sdk_ivschat::operation::list_logging_configurations::ListLoggingConfigurationsOutput;
use aws_sdk_ivschat::operation::list_rooms::ListRoomsOutput;
use aws_sdk_ivschat::types::{
    CloudWatchLogsDestinationConfiguration, DestinationConfiguration, FallbackResult,
    FirehoseDestinationConfiguration, MessageReviewHandler, S3DestinationConfiguration,
};
use serde_json::{Value, json};

use super::calls::{Calls, call};
use super::error::AwsError;
use super::pages::collect_all;
use crate::live::{LiveDestination, LiveLoggingConfiguration, LiveReviewHandler, LiveRoom, Tags};
use crate::plan::RoomSettings;

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
    /// The rooms named `name` (ListRooms' name filter, all pages): where a create whose answer
    /// was lost looks for what it may have made.
    fn rooms_named(
        &self,
        name: String,
    ) -> impl Future<Output = Result<Vec<LiveRoom>, AwsError>> + Send;
    /// One room, with its message limits.
    fn get_room(&self, arn: String) -> impl Future<Output = Result<LiveRoom, AwsError>> + Send;
    fn get_logging_configuration(
        &self,
        arn: String,
    ) -> impl Future<Output = Result<LiveLoggingConfiguration, AwsError>> + Send;
    /// Sent once, never retried: the API takes no idempotency token, so a retry after a lost
    /// answer would make a second configuration (see `aws::apply` for what is done instead).
    fn create_logging_configuration(
        &self,
        name: String,
        destination: LiveDestination,
        tags: Tags,
    ) -> impl Future<Output = Result<LiveLoggingConfiguration, AwsError>> + Send;
    fn update_logging_configuration(
        &self,
        arn: String,
        name: String,
        destination: LiveDestination,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
    fn delete_logging_configuration(
        &self,
        arn: String,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
    /// `room.logging_configurations` holds ARNs here. Sent once, never retried (as
    /// `create_logging_configuration`).
    fn create_room(
        &self,
        room: RoomSettings,
        tags: Tags,
    ) -> impl Future<Output = Result<LiveRoom, AwsError>> + Send;
    fn update_room(
        &self,
        arn: String,
        room: RoomSettings,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
    fn delete_room(&self, arn: String) -> impl Future<Output = Result<(), AwsError>> + Send;
    fn tag_resource(
        &self,
        arn: String,
        tags: Tags,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
    fn untag_resource(
        &self,
        arn: String,
        keys: Vec<String>,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
}

#[derive(Clone, Debug)]
pub struct SdkChat {
    client: aws_sdk_ivschat::Client,
    calls: Calls,
    region: String,
}

impl SdkChat {
    pub fn new(session: &super::Session, account: &str) -> Self {
        SdkChat {
            client: session.ivschat(),
            calls: Calls::new(session, account, "ivschat.amazonaws.com", true),
            region: session.region.clone(),
        }
    }

    /// Paces, sends, records in the audit log, and maps the error.
    async fn call<T, E, F>(
        &self,
        operation: &'static str,
        resource: &str,
        read_only: bool,
        request: Value,
        send: F,
        response: impl FnOnce(&T) -> Value,
    ) -> Result<T, AwsError>
    where
        F: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        T: RequestId,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let action = format!("ivschat:{operation}");
        self.calls
            .call(
                call(operation, &action, resource, read_only),
                request,
                send,
                response,
            )
            .await
    }

    /// ListRooms, all pages, optionally filtered by name.
    async fn rooms_listed(
        &self,
        name: Option<String>,
        on_page: &(dyn Fn(usize) + Send + Sync),
    ) -> Result<Vec<LiveRoom>, AwsError> {
        let fetch = |token: Option<String>| {
            let mut request = json!({"maxResults": PAGE_SIZE, "nextToken": token});
            if let (Some(n), Value::Object(fields)) = (&name, &mut request) {
                fields.insert("name".to_owned(), json!(n));
            }
            let send = self
                .client
                .list_rooms()
                .max_results(PAGE_SIZE)
                .set_name(name.clone())
                .set_next_token(token)
                .send();
            self.call(
                "ListRooms",
                &self.region,
                true,
                request,
                send,
                |o| json!({"count": o.rooms().len(), "nextToken": o.next_token()}),
            )
        };
        collect_all(
            fetch,
            |p: &ListRoomsOutput| p.next_token(),
            |page, all| {
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
            },
        )
        .await
    }

    /// The same client, with the SDK's retries off for one call: for creates, which the API
    /// cannot tell apart from a retry (no idempotency token).
    fn once() -> aws_sdk_ivschat::config::Builder {
        aws_sdk_ivschat::config::Builder::default()
            .retry_config(aws_config::retry::RetryConfig::disabled())
    }
}

fn destination_configuration(d: &LiveDestination) -> Result<DestinationConfiguration, AwsError> {
    let invalid = |e: aws_sdk_ivschat::error::BuildError| {
        AwsError::local("ivschat:CreateLoggingConfiguration", &format!("{d:?}"), e)
    };
    Ok(match d {
        LiveDestination::S3 { bucket_name } => DestinationConfiguration::S3(
            S3DestinationConfiguration::builder()
                .bucket_name(bucket_name)
                .build()
                .map_err(invalid)?,
        ),
        LiveDestination::CloudWatchLogs { log_group_name } => {
            DestinationConfiguration::CloudWatchLogs(
                CloudWatchLogsDestinationConfiguration::builder()
                    .log_group_name(log_group_name)
                    .build()
                    .map_err(invalid)?,
            )
        }
        LiveDestination::Firehose {
            delivery_stream_name,
        } => DestinationConfiguration::Firehose(
            FirehoseDestinationConfiguration::builder()
                .delivery_stream_name(delivery_stream_name)
                .build()
                .map_err(invalid)?,
        ),
        LiveDestination::Unknown => {
            return Err(AwsError::local(
                "ivschat:CreateLoggingConfiguration",
                "unknown destination",
                "chatlog cannot write a destination type it does not know",
            ));
        }
    })
}

fn review_handler(h: &Option<(String, String)>) -> MessageReviewHandler {
    // An empty uri detaches a handler in UpdateRoom (aws-facts.md §1(a)).
    match h {
        Some((uri, fallback)) => MessageReviewHandler::builder()
            .uri(uri)
            .fallback_result(FallbackResult::from(fallback.as_str()))
            .build(),
        None => MessageReviewHandler::builder().uri("").build(),
    }
}

fn room_request(room: &RoomSettings) -> Value {
    json!({
        "name": room.name,
        "maximumMessageLength": room.maximum_message_length,
        "maximumMessageRatePerSecond": room.maximum_message_rate_per_second,
        "messageReviewHandler": room.message_review_handler.as_ref().map(|(u, f)| json!({"uri": u, "fallbackResult": f})),
        "loggingConfigurationIdentifiers": room.logging_configurations,
    })
}

fn signed(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn hash_tags(tags: Tags) -> HashMap<String, String> {
    tags.into_iter().collect()
}

/// The SDK has one shape per operation (summary, Get, Create) with the same accessors.
macro_rules! configuration_of {
    ($c:expr) => {
        LiveLoggingConfiguration {
            arn: $c.arn().unwrap_or_default().to_owned(),
            id: $c.id().unwrap_or_default().to_owned(),
            name: $c.name().unwrap_or_default().to_owned(),
            state: $c
                .state()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            destination: destination($c.destination_configuration()),
            tags: tags($c.tags()),
            create_time: time($c.create_time()),
            update_time: time($c.update_time()),
        }
    };
}

fn time(t: Option<&DateTime>) -> Option<String> {
    t.and_then(|t| t.fmt(DateTimeFormat::DateTime).ok())
}

fn tags(t: Option<&std::collections::HashMap<String, String>>) -> Tags {
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

/// GetRoom and CreateRoom answer the same members through different types.
macro_rules! room_of {
    ($r:expr, $arn:expr) => {
        LiveRoom {
            arn: $r.arn().unwrap_or($arn).to_owned(),
            id: $r.id().unwrap_or_default().to_owned(),
            name: $r.name().unwrap_or_default().to_owned(),
            logging_configuration_identifiers: $r.logging_configuration_identifiers().to_vec(),
            maximum_message_length: limit($r.maximum_message_length()),
            maximum_message_rate_per_second: limit($r.maximum_message_rate_per_second()),
            message_review_handler: handler($r.message_review_handler()),
            tags: tags($r.tags()),
            create_time: time($r.create_time()),
            update_time: time($r.update_time()),
        }
    };
}

impl ChatApi for SdkChat {
    async fn list_logging_configurations(&self) -> Result<Vec<LiveLoggingConfiguration>, AwsError> {
        let fetch =
            |token: Option<String>| {
                let request = json!({"maxResults": PAGE_SIZE, "nextToken": token});
                let send = self
                    .client
                    .list_logging_configurations()
                    .max_results(PAGE_SIZE)
                    .set_next_token(token)
                    .send();
                self.call("ListLoggingConfigurations", &self.region, true, request, send, |o| {
                json!({"count": o.logging_configurations().len(), "nextToken": o.next_token()})
            })
            };
        collect_all(
            fetch,
            |p: &ListLoggingConfigurationsOutput| p.next_token(),
            |page, all| {
                for c in page.logging_configurations() {
                    all.push(configuration_of!(c));
                }
            },
        )
        .await
    }

    async fn list_rooms(
        &self,
        on_page: &(dyn Fn(usize) + Send + Sync),
    ) -> Result<Vec<LiveRoom>, AwsError> {
        self.rooms_listed(None, on_page).await
    }

    async fn rooms_named(&self, name: String) -> Result<Vec<LiveRoom>, AwsError> {
        self.rooms_listed(Some(name), &|_| ()).await
    }

    async fn get_room(&self, arn: String) -> Result<LiveRoom, AwsError> {
        let send = self.client.get_room().identifier(&arn).send();
        let r = self
            .call(
                "GetRoom",
                &arn,
                true,
                json!({"identifier": arn}),
                send,
                |_| Value::Null,
            )
            .await?;
        Ok(room_of!(r, &arn))
    }

    async fn get_logging_configuration(
        &self,
        arn: String,
    ) -> Result<LiveLoggingConfiguration, AwsError> {
        let send = self
            .client
            .get_logging_configuration()
            .identifier(&arn)
            .send();
        let c = self
            .call(
                "GetLoggingConfiguration",
                &arn,
                true,
                json!({"identifier": arn}),
                send,
                |o| json!({"state": o.state().map(|s| s.as_str())}),
            )
            .await?;
        let mut live = configuration_of!(c);
        if live.arn.is_empty() {
            live.arn = arn;
        }
        Ok(live)
    }

    async fn create_logging_configuration(
        &self,
        name: String,
        destination: LiveDestination,
        tags: Tags,
    ) -> Result<LiveLoggingConfiguration, AwsError> {
        let request = json!({"name": name, "destinationConfiguration": destination, "tags": tags});
        let send = self
            .client
            .create_logging_configuration()
            .name(&name)
            .destination_configuration(destination_configuration(&destination)?)
            .set_tags(Some(hash_tags(tags)))
            .customize()
            .config_override(Self::once())
            .send();
        let c = self
            .call(
                "CreateLoggingConfiguration",
                &name,
                false,
                request,
                send,
                |o| json!({"arn": o.arn(), "id": o.id(), "state": o.state().map(|s| s.as_str())}),
            )
            .await?;
        Ok(configuration_of!(c))
    }

    async fn update_logging_configuration(
        &self,
        arn: String,
        name: String,
        destination: LiveDestination,
    ) -> Result<(), AwsError> {
        let request =
            json!({"identifier": arn, "name": name, "destinationConfiguration": destination});
        let send = self
            .client
            .update_logging_configuration()
            .identifier(&arn)
            .name(&name)
            .destination_configuration(destination_configuration(&destination)?)
            .send();
        self.call(
            "UpdateLoggingConfiguration",
            &arn,
            false,
            request,
            send,
            |o| json!({"arn": o.arn(), "state": o.state().map(|s| s.as_str())}),
        )
        .await
        .map(|_| ())
    }

    async fn delete_logging_configuration(&self, arn: String) -> Result<(), AwsError> {
        let send = self
            .client
            .delete_logging_configuration()
            .identifier(&arn)
            .send();
        self.call(
            "DeleteLoggingConfiguration",
            &arn,
            false,
            json!({"identifier": arn}),
            send,
            |_| Value::Null,
        )
        .await
        .map(|_| ())
    }

    async fn create_room(&self, room: RoomSettings, tags: Tags) -> Result<LiveRoom, AwsError> {
        let mut request = room_request(&room);
        if let Value::Object(fields) = &mut request {
            fields.insert("tags".to_owned(), json!(tags));
        }
        let mut builder = self
            .client
            .create_room()
            .name(&room.name)
            .maximum_message_length(signed(room.maximum_message_length))
            .maximum_message_rate_per_second(signed(room.maximum_message_rate_per_second))
            .set_logging_configuration_identifiers(Some(room.logging_configurations.clone()))
            .set_tags(Some(hash_tags(tags)));
        if room.message_review_handler.is_some() {
            builder = builder.message_review_handler(review_handler(&room.message_review_handler));
        }
        let send = builder.customize().config_override(Self::once()).send();
        let r = self
            .call(
                "CreateRoom",
                &room.name,
                false,
                request,
                send,
                |o| json!({"arn": o.arn(), "id": o.id()}),
            )
            .await?;
        Ok(room_of!(r, ""))
    }

    async fn update_room(&self, arn: String, room: RoomSettings) -> Result<(), AwsError> {
        let mut request = room_request(&room);
        if let Value::Object(fields) = &mut request {
            fields.insert("identifier".to_owned(), json!(arn));
        }
        let send = self
            .client
            .update_room()
            .identifier(&arn)
            .name(&room.name)
            .maximum_message_length(signed(room.maximum_message_length))
            .maximum_message_rate_per_second(signed(room.maximum_message_rate_per_second))
            .message_review_handler(review_handler(&room.message_review_handler))
            // UpdateRoom replaces the whole list (aws-facts.md §1(a)).
            .set_logging_configuration_identifiers(Some(room.logging_configurations.clone()))
            .send();
        self.call(
            "UpdateRoom",
            &arn,
            false,
            request,
            send,
            |o| json!({"arn": o.arn()}),
        )
        .await
        .map(|_| ())
    }

    async fn delete_room(&self, arn: String) -> Result<(), AwsError> {
        let send = self.client.delete_room().identifier(&arn).send();
        self.call(
            "DeleteRoom",
            &arn,
            false,
            json!({"identifier": arn}),
            send,
            |_| Value::Null,
        )
        .await
        .map(|_| ())
    }

    async fn tag_resource(&self, arn: String, tags: Tags) -> Result<(), AwsError> {
        let request = json!({"resourceArn": arn, "tags": tags});
        let send = self
            .client
            .tag_resource()
            .resource_arn(&arn)
            .set_tags(Some(hash_tags(tags)))
            .send();
        self.call("TagResource", &arn, false, request, send, |_| json!({}))
            .await
            .map(|_| ())
    }

    async fn untag_resource(&self, arn: String, keys: Vec<String>) -> Result<(), AwsError> {
        let request = json!({"resourceArn": arn, "tagKeys": keys});
        let send = self
            .client
            .untag_resource()
            .resource_arn(&arn)
            .set_tag_keys(Some(keys))
            .send();
        self.call("UntagResource", &arn, false, request, send, |_| json!({}))
            .await
            .map(|_| ())
    }
}
