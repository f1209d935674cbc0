//! Fault injection, latency, TPS quotas and the call record, as the real SDK sees them.
// Test code: clippy.toml's test allowances (unwrap, expect, panic, indexing) apply to all of it.
#![cfg(test)]

mod common;

use std::time::{Duration, Instant};

use aws_sdk_ivschat::config::retry::RetryConfig;
use aws_sdk_ivschat::error::ProvideErrorMetadata as _;
use chatlog_testkit::{FaultRule, IvsChatServer, ServerConfig, fresh_account};
use common::{REGION, configuration, server, status};
use serde_json::json;

fn retrying_client(server: &IvsChatServer, account: &str) -> aws_sdk_ivschat::Client {
    let config = aws_sdk_ivschat::config::Builder::from(&server.sdk_config(account, REGION))
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(1))
                .with_max_backoff(Duration::from_millis(5)),
        )
        .build();
    aws_sdk_ivschat::Client::from_conf(config)
}

#[tokio::test]
async fn injected_faults_reach_the_sdk_as_the_services_errors() {
    let (server, client, _) = server(ServerConfig::default());
    let control = server.control();
    for (status_code, code) in [
        (429, "ThrottlingException"),
        (500, "InternalServerException"),
        (503, "ServiceUnavailableException"),
    ] {
        control.inject(FaultRule::on("ListRooms", status_code, 1));
        let error = client.list_rooms().send().await.unwrap_err();
        assert_eq!(status(&error), status_code);
        assert_eq!(error.code(), Some(code));
        // Spent after one use.
        client.list_rooms().send().await.unwrap();
    }
    // A rule for another operation leaves this one alone.
    control.inject(FaultRule::on("GetRoom", 500, 1));
    client.list_rooms().send().await.unwrap();
    // `any` hits whatever comes next.
    control.inject(FaultRule::any(503, 1));
    assert_eq!(
        status(
            &client
                .list_logging_configurations()
                .send()
                .await
                .unwrap_err()
        ),
        503
    );
    // The GetRoom rule is still waiting; clear_faults drops it.
    control.clear_faults();
    client.create_room().send().await.unwrap();
}

#[tokio::test]
async fn with_retries_the_sdk_survives_transient_faults() {
    let (server, _, account) = server(ServerConfig::default());
    let control = server.control();
    let client = retrying_client(&server, &account);
    for status_code in [429, 500, 503] {
        control.clear_calls();
        control.inject(FaultRule::on("CreateRoom", status_code, 2));
        client.create_room().name("resilient").send().await.unwrap();
        let statuses: Vec<u16> = control.calls().iter().map(|c| c.status).collect();
        assert_eq!(statuses, [status_code, status_code, 200]);
        assert_eq!(control.count("CreateRoom"), 3);
    }
    // More faults than attempts: the error comes through.
    control.inject(FaultRule::on("ListRooms", 503, 3));
    let error = client.list_rooms().send().await.unwrap_err();
    assert_eq!(status(&error), 503);
}

#[tokio::test]
async fn latency_delays_every_answer() {
    let latency = Duration::from_millis(150);
    let (server, client, _) = server(ServerConfig {
        latency,
        ..ServerConfig::default()
    });
    let started = Instant::now();
    client.list_rooms().send().await.unwrap();
    assert!(started.elapsed() >= latency, "{:?}", started.elapsed());

    server.control().set_latency(Duration::from_millis(400));
    let started = Instant::now();
    client.list_rooms().send().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(400));

    server.control().set_latency(Duration::ZERO);
    let started = Instant::now();
    client.list_rooms().send().await.unwrap();
    assert!(started.elapsed() < Duration::from_millis(150));
}

#[tokio::test]
async fn every_call_is_recorded_with_its_caller_status_and_members() {
    let (server, client, account) = server(ServerConfig::default());
    let control = server.control();
    let room = client.create_room().name("lobby").send().await.unwrap();
    let arn = room.arn().unwrap();
    client
        .untag_resource()
        .resource_arn(arn)
        .tag_keys("a")
        .tag_keys("b")
        .send()
        .await
        .unwrap();
    let _ = client
        .get_room()
        .identifier("bad")
        .send()
        .await
        .unwrap_err();

    let calls = control.calls();
    assert_eq!(calls.len(), 3);
    assert_eq!(calls[0].operation, "CreateRoom");
    assert_eq!(calls[0].account, account);
    assert_eq!(calls[0].region, REGION);
    assert_eq!(calls[0].status, 200);
    assert_eq!(calls[0].request["name"], "lobby");
    assert_eq!(calls[1].operation, "UntagResource");
    assert_eq!(
        calls[1].request,
        json!({ "resourceArn": arn, "tagKeys": ["a", "b"] })
    );
    assert_eq!(
        (calls[2].operation.as_str(), calls[2].status),
        ("GetRoom", 400)
    );
    assert_eq!(control.count("GetRoom"), 1);
    assert_eq!(control.count("DeleteRoom"), 0);
    control.clear_calls();
    assert!(control.calls().is_empty());
}

#[tokio::test]
async fn above_the_tps_quota_calls_are_throttled_per_operation_and_account() {
    let (server, client, _) = server(ServerConfig::default());
    let configuration = configuration(&client, "c").await;
    let room = client.create_room().send().await.unwrap();
    let room = room.arn().unwrap().to_owned();
    server.control().set_enforce_tps(true);

    // Logging-configuration operations: 3 per second.
    for _ in 0..3 {
        client
            .get_logging_configuration()
            .identifier(&configuration)
            .send()
            .await
            .unwrap();
    }
    let error = client
        .get_logging_configuration()
        .identifier(&configuration)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&error), 429);
    assert_eq!(error.code(), Some("ThrottlingException"));
    let raw = error.raw_response().unwrap().body().bytes().unwrap();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(raw).unwrap()["limit"],
        3
    );

    // Room operations: 5; tag operations: 10. Each operation has its own window.
    for _ in 0..5 {
        client.get_room().identifier(&room).send().await.unwrap();
    }
    assert_eq!(
        status(
            &client
                .get_room()
                .identifier(&room)
                .send()
                .await
                .unwrap_err()
        ),
        429
    );
    for _ in 0..10 {
        client
            .list_tags_for_resource()
            .resource_arn(&room)
            .send()
            .await
            .unwrap();
    }
    let error = client
        .list_tags_for_resource()
        .resource_arn(&room)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&error), 429);
    client.list_rooms().send().await.unwrap();

    // Another account has its own quota.
    let other = common::client(&server, &fresh_account(), REGION);
    for _ in 0..3 {
        other.list_logging_configurations().send().await.unwrap();
    }

    tokio::time::sleep(Duration::from_millis(1050)).await;
    client
        .get_logging_configuration()
        .identifier(&configuration)
        .send()
        .await
        .unwrap();
}

#[test]
fn a_background_server_serves_synchronous_tests() {
    let server = IvsChatServer::start_in_background(ServerConfig::default()).unwrap();
    let client = common::client(&server, &fresh_account(), REGION);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let room = runtime.block_on(client.create_room().send()).unwrap();
    assert!(room.arn().is_some());
    assert_eq!(server.control().count("CreateRoom"), 1);
    let address = server.addr();
    drop(server);
    assert!(
        std::net::TcpStream::connect(address).is_err(),
        "stopped when dropped"
    );
}

#[test]
fn start_needs_a_runtime_and_says_so() {
    let error = IvsChatServer::start(ServerConfig::default()).unwrap_err();
    assert!(error.to_string().contains("runtime"), "{error}");
}
