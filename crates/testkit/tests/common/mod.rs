//! Shared by the testkit's integration tests: a server, a real SDK client for it, destinations.
#![allow(dead_code)]

use std::collections::HashMap;

use aws_sdk_ivschat::config::http::HttpResponse;
use aws_sdk_ivschat::error::SdkError;
use aws_sdk_ivschat::types::{
    CloudWatchLogsDestinationConfiguration, DestinationConfiguration,
    FirehoseDestinationConfiguration, S3DestinationConfiguration,
};
use chatlog_testkit::{IvsChatServer, ServerConfig, fresh_account};

pub const REGION: &str = "us-west-2";

/// A server on the current runtime, and a client for it as a fresh account.
pub fn server(config: ServerConfig) -> (IvsChatServer, aws_sdk_ivschat::Client, String) {
    let server = IvsChatServer::start(config).unwrap();
    let account = fresh_account();
    let client = client(&server, &account, REGION);
    (server, client, account)
}

/// The real IVS Chat client pointed at `server`, as `account` in `region`, retries off.
pub fn client(server: &IvsChatServer, account: &str, region: &str) -> aws_sdk_ivschat::Client {
    aws_sdk_ivschat::Client::new(&server.sdk_config(account, region))
}

pub fn s3(bucket: &str) -> DestinationConfiguration {
    DestinationConfiguration::S3(
        S3DestinationConfiguration::builder()
            .bucket_name(bucket)
            .build()
            .unwrap(),
    )
}

pub fn logs(group: &str) -> DestinationConfiguration {
    DestinationConfiguration::CloudWatchLogs(
        CloudWatchLogsDestinationConfiguration::builder()
            .log_group_name(group)
            .build()
            .unwrap(),
    )
}

pub fn firehose(stream: &str) -> DestinationConfiguration {
    DestinationConfiguration::Firehose(
        FirehoseDestinationConfiguration::builder()
            .delivery_stream_name(stream)
            .build()
            .unwrap(),
    )
}

/// The HTTP status an SDK call failed with (0 if no response came).
pub fn status<E>(error: &SdkError<E, HttpResponse>) -> u16 {
    error.raw_response().map_or(0, |r| r.status().as_u16())
}

/// Creates a logging configuration named `name` to the S3 bucket `chat-archive` and answers its
/// ARN.
pub async fn configuration(client: &aws_sdk_ivschat::Client, name: &str) -> String {
    client
        .create_logging_configuration()
        .name(name)
        .destination_configuration(s3("chat-archive"))
        .send()
        .await
        .unwrap()
        .arn()
        .unwrap()
        .to_owned()
}

/// The ARNs of the caller's logging configurations (the first page).
pub async fn configuration_arns(client: &aws_sdk_ivschat::Client) -> Vec<String> {
    let listed = client.list_logging_configurations().send().await.unwrap();
    listed
        .logging_configurations()
        .iter()
        .map(|c| c.arn().unwrap().to_owned())
        .collect()
}

/// The ARNs of the caller's rooms (the first page).
pub async fn room_arns(client: &aws_sdk_ivschat::Client) -> Vec<String> {
    let listed = client.list_rooms().send().await.unwrap();
    listed
        .rooms()
        .iter()
        .map(|r| r.arn().unwrap().to_owned())
        .collect()
}

/// The tags of the resource `arn` names, by ListTagsForResource.
pub async fn tags(client: &aws_sdk_ivschat::Client, arn: &str) -> HashMap<String, String> {
    client
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .unwrap()
        .tags()
        .clone()
}

/// A raw HTTP/1.1 exchange, for what the SDK cannot send or hides: answers the status, the
/// headers (names lowercased) and the body.
pub async fn raw(
    endpoint: &str,
    method: &str,
    path: &str,
    authorization: Option<&str>,
    body: &str,
) -> (u16, Vec<(String, String)>, String) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let address = endpoint.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nhost: {address}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    if let Some(value) = authorization {
        request.push_str(&format!("authorization: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers, body.to_owned())
}

/// The SigV4 `Authorization` value the SDK would send as `account` in `region`.
pub fn signed_as(account: &str, region: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256 Credential={account}/20260101/{region}/ivschat/aws4_request, SignedHeaders=host, Signature=0"
    )
}
