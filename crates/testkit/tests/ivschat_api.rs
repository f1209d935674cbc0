//! The local IVS Chat server through the real aws-sdk-ivschat client: every operation, the
//! model's validation, paging, states over time and the service's refusals.
// Test code: clippy.toml's test allowances (unwrap, expect, panic, indexing) apply to all of it.
#![cfg(test)]

mod common;

use std::collections::HashSet;
use std::time::Duration;

use aws_sdk_ivschat::operation::create_logging_configuration::CreateLoggingConfigurationError;
use aws_sdk_ivschat::operation::create_room::CreateRoomError;
use aws_sdk_ivschat::operation::delete_logging_configuration::DeleteLoggingConfigurationError;
use aws_sdk_ivschat::operation::get_logging_configuration::GetLoggingConfigurationError;
use aws_sdk_ivschat::operation::get_room::GetRoomError;
use aws_sdk_ivschat::operation::update_logging_configuration::UpdateLoggingConfigurationError;
use aws_sdk_ivschat::operation::update_room::UpdateRoomError;
use aws_sdk_ivschat::types::error::ValidationException;
use aws_sdk_ivschat::types::{
    CreateLoggingConfigurationState, DestinationConfiguration, FallbackResult,
    LoggingConfigurationState, MessageReviewHandler, ValidationExceptionReason,
};
use chatlog_testkit::{ServerConfig, fresh_account};
use common::{
    configuration, configuration_arns, firehose, logs, raw, room_arns, s3, server, signed_as,
    status, tags,
};
use serde_json::{Value, json};

/// The names in a validation error's field list, sorted.
fn fields(error: &ValidationException) -> Vec<String> {
    assert_eq!(
        error.reason(),
        &ValidationExceptionReason::FieldValidationFailed
    );
    let mut names: Vec<String> = error
        .field_list()
        .iter()
        .map(|f| f.name().to_owned())
        .collect();
    names.sort();
    names
}

fn is_id(id: &str) -> bool {
    id.len() == 12 && id.chars().all(|c| c.is_ascii_alphanumeric())
}

#[tokio::test]
async fn a_logging_configuration_goes_through_create_get_list_update_delete() {
    let (_server, client, account) = server(ServerConfig::default());
    let created = client
        .create_logging_configuration()
        .name("archive")
        .destination_configuration(s3("chat-archive"))
        .tags("team", "live")
        .send()
        .await
        .unwrap();
    let id = created.id().unwrap();
    let arn = created.arn().unwrap();
    assert!(is_id(id), "{id}");
    assert_eq!(
        arn,
        format!("arn:aws:ivschat:us-west-2:{account}:logging-configuration/{id}")
    );
    assert_eq!(created.name(), Some("archive"));
    assert_eq!(
        created.state(),
        Some(&CreateLoggingConfigurationState::Active)
    );
    assert_eq!(
        created.destination_configuration(),
        Some(&s3("chat-archive"))
    );
    assert_eq!(created.tags().unwrap()["team"], "live");
    assert!(created.create_time().is_some() && created.update_time().is_some());

    let got = client
        .get_logging_configuration()
        .identifier(arn)
        .send()
        .await
        .unwrap();
    assert_eq!(got.arn(), Some(arn));
    assert_eq!(got.state(), Some(&LoggingConfigurationState::Active));
    assert_eq!(got.create_time(), created.create_time());

    let listed = client.list_logging_configurations().send().await.unwrap();
    assert_eq!(listed.logging_configurations().len(), 1);
    assert_eq!(listed.logging_configurations()[0].arn(), Some(arn));
    assert_eq!(listed.next_token(), None);

    tokio::time::sleep(Duration::from_millis(5)).await;
    let updated = client
        .update_logging_configuration()
        .identifier(arn)
        .name("tail")
        .destination_configuration(logs("/aws/vendedlogs/tail"))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.name(), Some("tail"));
    assert_eq!(
        updated.destination_configuration(),
        Some(&logs("/aws/vendedlogs/tail"))
    );
    assert!(updated.update_time() > created.update_time());
    assert_eq!(updated.create_time(), created.create_time());
    // Update takes no tags and keeps them.
    assert_eq!(updated.tags().unwrap()["team"], "live");

    // Leaving the destination out keeps it.
    let renamed = client
        .update_logging_configuration()
        .identifier(arn)
        .name("tail2")
        .send()
        .await
        .unwrap();
    assert_eq!(
        renamed.destination_configuration(),
        Some(&logs("/aws/vendedlogs/tail"))
    );

    client
        .delete_logging_configuration()
        .identifier(arn)
        .send()
        .await
        .unwrap();
    let gone = client
        .get_logging_configuration()
        .identifier(arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&gone), 404);
    let GetLoggingConfigurationError::ResourceNotFoundException(e) = gone.into_service_error()
    else {
        panic!("expected ResourceNotFoundException");
    };
    assert_eq!(e.resource_id(), id);
    assert!(configuration_arns(&client).await.is_empty());
}

#[tokio::test]
async fn a_room_goes_through_create_get_list_update_delete() {
    let (_server, client, account) = server(ServerConfig::default());
    let first = configuration(&client, "first").await;
    let second = configuration(&client, "second").await;
    let handler = "arn:aws:lambda:us-west-2:111122223333:function:moderate";

    // Everything left out takes the model's defaults.
    let plain = client.create_room().send().await.unwrap();
    assert_eq!(plain.maximum_message_rate_per_second(), Some(10));
    assert_eq!(plain.maximum_message_length(), Some(500));
    assert_eq!(plain.message_review_handler(), None);
    assert!(plain.logging_configuration_identifiers().is_empty());

    let room = client
        .create_room()
        .name("lobby")
        .maximum_message_rate_per_second(100)
        .maximum_message_length(1)
        .message_review_handler(MessageReviewHandler::builder().uri(handler).build())
        .tags("team", "live")
        .logging_configuration_identifiers(&first)
        .send()
        .await
        .unwrap();
    let arn = room.arn().unwrap();
    let id = room.id().unwrap();
    assert!(is_id(id));
    assert_eq!(
        arn,
        format!("arn:aws:ivschat:us-west-2:{account}:room/{id}")
    );
    assert_eq!(room.maximum_message_rate_per_second(), Some(100));
    assert_eq!(room.maximum_message_length(), Some(1));
    let stored = room.message_review_handler().unwrap();
    assert_eq!(stored.uri(), Some(handler));
    assert_eq!(stored.fallback_result(), Some(&FallbackResult::Allow));
    assert_eq!(
        room.logging_configuration_identifiers(),
        std::slice::from_ref(&first)
    );

    let got = client.get_room().identifier(arn).send().await.unwrap();
    assert_eq!(got.name(), Some("lobby"));
    assert_eq!(got.tags().unwrap()["team"], "live");
    assert_eq!(
        got.logging_configuration_identifiers(),
        std::slice::from_ref(&first)
    );

    // The whole list is replaced; an empty handler uri removes the handler.
    let updated = client
        .update_room()
        .identifier(arn)
        .maximum_message_length(200)
        .logging_configuration_identifiers(&second)
        .message_review_handler(MessageReviewHandler::builder().uri("").build())
        .send()
        .await
        .unwrap();
    assert_eq!(
        updated.logging_configuration_identifiers(),
        std::slice::from_ref(&second)
    );
    assert_eq!(updated.maximum_message_length(), Some(200));
    assert_eq!(updated.maximum_message_rate_per_second(), Some(100));
    assert_eq!(updated.message_review_handler(), None);
    assert_eq!(updated.name(), Some("lobby"));
    let detached = client
        .update_room()
        .identifier(arn)
        .set_logging_configuration_identifiers(Some(Vec::new()))
        .send()
        .await
        .unwrap();
    assert!(detached.logging_configuration_identifiers().is_empty());

    let listed = client.list_rooms().send().await.unwrap();
    let arns: Vec<&str> = listed.rooms().iter().filter_map(|r| r.arn()).collect();
    // Newest updateTime first.
    assert_eq!(arns, [arn, plain.arn().unwrap()]);

    client.delete_room().identifier(arn).send().await.unwrap();
    let gone = client.get_room().identifier(arn).send().await.unwrap_err();
    let GetRoomError::ResourceNotFoundException(e) = gone.into_service_error() else {
        panic!("expected ResourceNotFoundException");
    };
    assert_eq!(e.resource_id(), id);
    let again = client
        .delete_room()
        .identifier(arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&again), 404);
}

#[tokio::test]
async fn rooms_and_logging_configurations_take_tags() {
    let (_server, client, account) = server(ServerConfig::default());
    let configuration = configuration(&client, "tagged").await;
    let room = client.create_room().tags("a", "1").send().await.unwrap();
    for arn in [room.arn().unwrap(), configuration.as_str()] {
        client
            .tag_resource()
            .resource_arn(arn)
            .tags("b", "2")
            .tags("c", "")
            .send()
            .await
            .unwrap();
        client
            .untag_resource()
            .resource_arn(arn)
            .tag_keys("b")
            .send()
            .await
            .unwrap();
        let found = tags(&client, arn).await;
        assert!(found.contains_key("c"), "{arn}: {found:?}");
        assert!(!found.contains_key("b"));
    }
    let room_tags = client
        .get_room()
        .identifier(room.arn().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(room_tags.tags().unwrap().len(), 2);

    let unknown = format!("arn:aws:ivschat:us-west-2:{account}:room/AAAAAAAAAAAA");
    let error = client
        .list_tags_for_resource()
        .resource_arn(&unknown)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&error), 404);

    // At most 50 tags on a resource, counting the ones it has.
    let mut request = client.tag_resource().resource_arn(room.arn().unwrap());
    for n in 0..49 {
        request = request.tags(format!("k{n}"), "v");
    }
    let error = request.send().await.unwrap_err();
    assert_eq!(status(&error), 400);
    assert_eq!(
        tags(&client, room.arn().unwrap()).await.len(),
        2,
        "a refused TagResource changes nothing"
    );
}

#[tokio::test]
async fn invalid_members_are_listed_in_one_validation_exception() {
    let (_server, client, _) = server(ServerConfig::default());
    let error = client
        .create_logging_configuration()
        .name("not valid!")
        .destination_configuration(s3("UPPER"))
        .tags("", "v")
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&error), 400);
    let CreateLoggingConfigurationError::ValidationException(e) = error.into_service_error() else {
        panic!("expected ValidationException");
    };
    assert_eq!(
        fields(&e),
        ["destinationConfiguration.s3.bucketName", "name", "tags"]
    );

    let error = client
        .create_logging_configuration()
        .send()
        .await
        .unwrap_err();
    let CreateLoggingConfigurationError::ValidationException(e) = error.into_service_error() else {
        panic!("expected ValidationException");
    };
    assert_eq!(fields(&e), ["destinationConfiguration"]);

    for (destination, field) in [
        (s3("ab"), "destinationConfiguration.s3.bucketName"),
        (
            logs(&"g".repeat(513)),
            "destinationConfiguration.cloudWatchLogs.logGroupName",
        ),
        (
            logs("has space"),
            "destinationConfiguration.cloudWatchLogs.logGroupName",
        ),
        (
            firehose(&"s".repeat(65)),
            "destinationConfiguration.firehose.deliveryStreamName",
        ),
        (
            firehose("a/b"),
            "destinationConfiguration.firehose.deliveryStreamName",
        ),
    ] {
        let error = client
            .create_logging_configuration()
            .destination_configuration(destination)
            .send()
            .await
            .unwrap_err();
        let CreateLoggingConfigurationError::ValidationException(e) = error.into_service_error()
        else {
            panic!("expected ValidationException for {field}");
        };
        assert_eq!(fields(&e), [field]);
    }

    let error = client
        .create_room()
        .name("n".repeat(129))
        .maximum_message_rate_per_second(101)
        .maximum_message_length(0)
        .message_review_handler(
            MessageReviewHandler::builder()
                .uri("arn:aws:lambda:us-west-2:123:function:f")
                .fallback_result(FallbackResult::from("MAYBE"))
                .build(),
        )
        .logging_configuration_identifiers("not-an-arn")
        .send()
        .await
        .unwrap_err();
    let CreateRoomError::ValidationException(e) = error.into_service_error() else {
        panic!("expected ValidationException");
    };
    assert_eq!(
        fields(&e),
        [
            "loggingConfigurationIdentifiers[0]",
            "maximumMessageLength",
            "maximumMessageRatePerSecond",
            "messageReviewHandler.fallbackResult",
            "messageReviewHandler.uri",
            "name",
        ]
    );

    let error = client
        .get_room()
        .identifier("lobby")
        .send()
        .await
        .unwrap_err();
    let GetRoomError::ValidationException(e) = error.into_service_error() else {
        panic!("expected ValidationException");
    };
    assert_eq!(fields(&e), ["identifier"]);
    // A logging-configuration ARN is not a room identifier.
    let configuration = configuration(&client, "c").await;
    let error = client
        .get_room()
        .identifier(&configuration)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&error), 400);

    for bad in [0, 51] {
        let error = client
            .list_rooms()
            .max_results(bad)
            .send()
            .await
            .unwrap_err();
        assert_eq!(status(&error), 400, "maxResults {bad}");
        let error = client
            .list_logging_configurations()
            .max_results(bad)
            .send()
            .await
            .unwrap_err();
        assert_eq!(status(&error), 400, "maxResults {bad}");
    }
    let error = client
        .list_rooms()
        .next_token("forged")
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&error), 400);
}

#[tokio::test]
async fn the_wire_carries_the_error_type_header_and_the_models_members() {
    let (server, _client, account) = server(ServerConfig::default());
    let auth = signed_as(&account, "us-west-2");
    let endpoint = server.endpoint();

    // The union takes exactly one member, which the SDK cannot even send wrong.
    let body = json!({ "destinationConfiguration": {
        "s3": { "bucketName": "bucket" },
        "firehose": { "deliveryStreamName": "stream" }
    }});
    let (code, headers, text) = raw(
        endpoint,
        "POST",
        "/CreateLoggingConfiguration",
        Some(&auth),
        &body.to_string(),
    )
    .await;
    assert_eq!(code, 400);
    assert!(headers.contains(&("x-amzn-errortype".into(), "ValidationException".into())));
    assert!(headers.contains(&("content-type".into(), "application/json".into())));
    let error: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(error["reason"], "FIELD_VALIDATION_FAILED");
    assert_eq!(error["fieldList"][0]["name"], "destinationConfiguration");
    assert!(error["message"].is_string());

    let (code, headers, text) = raw(endpoint, "POST", "/GetRoom", Some(&auth), "{not json").await;
    assert_eq!(code, 400);
    assert!(headers.contains(&("x-amzn-errortype".into(), "ValidationException".into())));
    assert_eq!(
        serde_json::from_str::<Value>(&text).unwrap()["reason"],
        "OTHER"
    );

    let (code, _, text) = raw(endpoint, "POST", "/CreateChannel", Some(&auth), "{}").await;
    assert_eq!(code, 400);
    assert_eq!(
        serde_json::from_str::<Value>(&text).unwrap()["reason"],
        "UNKNOWN_OPERATION"
    );

    let missing =
        json!({ "identifier": format!("arn:aws:ivschat:us-west-2:{account}:room/AAAAAAAAAAAA") });
    let (code, headers, text) = raw(
        endpoint,
        "POST",
        "/GetRoom",
        Some(&auth),
        &missing.to_string(),
    )
    .await;
    assert_eq!(code, 404);
    assert!(headers.contains(&(
        "x-amzn-errortype".into(),
        "ResourceNotFoundException".into()
    )));
    let error: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(error["resourceId"], "AAAAAAAAAAAA");
    assert_eq!(error["resourceType"], "ROOM");

    // Deletes answer 204 with no body.
    let (_, _, text) = raw(endpoint, "POST", "/CreateRoom", Some(&auth), "{}").await;
    let arn = serde_json::from_str::<Value>(&text).unwrap()["arn"]
        .as_str()
        .unwrap()
        .to_owned();
    let (code, _, text) = raw(
        endpoint,
        "POST",
        "/DeleteRoom",
        Some(&auth),
        &json!({ "identifier": arn }).to_string(),
    )
    .await;
    assert_eq!((code, text.as_str()), (204, ""));
}

#[tokio::test]
async fn listings_page_with_next_token() {
    let (_server, client, _) = server(ServerConfig {
        logging_configuration_quota: 60,
        ..ServerConfig::default()
    });
    let mut configurations = Vec::new();
    for n in 0..55 {
        configurations.push(configuration(&client, &format!("c{n}")).await);
    }
    let first = client.list_logging_configurations().send().await.unwrap();
    assert_eq!(first.logging_configurations().len(), 50);
    let token = first.next_token().unwrap();
    let second = client
        .list_logging_configurations()
        .next_token(token)
        .send()
        .await
        .unwrap();
    assert_eq!(second.logging_configurations().len(), 5);
    assert_eq!(second.next_token(), None);
    let listed: Vec<String> = first
        .logging_configurations()
        .iter()
        .chain(second.logging_configurations())
        .map(|c| c.arn().unwrap().to_owned())
        .collect();
    assert_eq!(
        listed, configurations,
        "every configuration once, in creation order"
    );

    let mut rooms = Vec::new();
    for n in 0..55 {
        let room = client
            .create_room()
            .name(format!("r{n}"))
            .send()
            .await
            .unwrap();
        rooms.push(room.arn().unwrap().to_owned());
    }
    // The SDK's paginator follows nextToken; pages of 20 give 20 + 20 + 15.
    let pages: Vec<_> = client
        .list_rooms()
        .max_results(20)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    let sizes: Vec<usize> = pages.iter().map(|p| p.rooms().len()).collect();
    assert_eq!(sizes, [20, 20, 15]);
    let listed: Vec<String> = pages
        .iter()
        .flat_map(|p| p.rooms())
        .map(|r| r.arn().unwrap().to_owned())
        .collect();
    let newest_first: Vec<String> = rooms.iter().rev().cloned().collect();
    assert_eq!(listed, newest_first);
    assert_eq!(listed.iter().collect::<HashSet<_>>().len(), 55);

    // An update moves a room to the front.
    client
        .update_room()
        .identifier(&rooms[3])
        .name("moved")
        .send()
        .await
        .unwrap();
    let front = client.list_rooms().max_results(1).send().await.unwrap();
    assert_eq!(front.rooms()[0].arn(), Some(rooms[3].as_str()));
    // Summaries carry no message limits, the rest is there.
    assert_eq!(front.rooms()[0].name(), Some("moved"));
    assert!(front.rooms()[0].update_time().is_some());
}

#[tokio::test]
async fn list_rooms_filters_by_name_configuration_and_handler() {
    let (_server, client, account) = server(ServerConfig::default());
    let configuration = configuration(&client, "c").await;
    let handler = "arn:aws:lambda:us-west-2:111122223333:function:review";
    let named = client.create_room().name("lobby").send().await.unwrap();
    let logged = client
        .create_room()
        .name("stage")
        .logging_configuration_identifiers(&configuration)
        .send()
        .await
        .unwrap();
    let reviewed = client
        .create_room()
        .name("lobby")
        .message_review_handler(
            MessageReviewHandler::builder()
                .uri(handler)
                .fallback_result(FallbackResult::Deny)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let arns = |out: aws_sdk_ivschat::operation::list_rooms::ListRoomsOutput| -> Vec<String> {
        out.rooms()
            .iter()
            .map(|r| r.arn().unwrap().to_owned())
            .collect()
    };
    let by_name = arns(client.list_rooms().name("lobby").send().await.unwrap());
    assert_eq!(by_name, [reviewed.arn().unwrap(), named.arn().unwrap()]);
    let by_configuration = arns(
        client
            .list_rooms()
            .logging_configuration_identifier(&configuration)
            .send()
            .await
            .unwrap(),
    );
    assert_eq!(by_configuration, [logged.arn().unwrap()]);
    let by_handler = arns(
        client
            .list_rooms()
            .message_review_handler_uri(handler)
            .send()
            .await
            .unwrap(),
    );
    assert_eq!(by_handler, [reviewed.arn().unwrap()]);
    let unknown = format!("arn:aws:ivschat:us-west-2:{account}:logging-configuration/AAAAAAAAAAAA");
    let error = client
        .list_rooms()
        .logging_configuration_identifier(unknown)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&error), 404);
}

#[tokio::test]
async fn logging_configurations_move_through_their_states_over_time() {
    let delay = Duration::from_millis(400);
    let (_server, client, _) = server(ServerConfig {
        state_delay: delay,
        ..ServerConfig::default()
    });
    let state = |arn: String| {
        let client = client.clone();
        async move {
            client
                .get_logging_configuration()
                .identifier(arn)
                .send()
                .await
                .map(|c| c.state().cloned())
        }
    };
    let created = client
        .create_logging_configuration()
        .destination_configuration(s3("chat-archive"))
        .send()
        .await
        .unwrap();
    // The Create response's enum has only ACTIVE; Get tells the truth.
    assert_eq!(
        created.state(),
        Some(&CreateLoggingConfigurationState::Active)
    );
    let arn = created.arn().unwrap().to_owned();
    assert_eq!(
        state(arn.clone()).await.unwrap(),
        Some(LoggingConfigurationState::Creating)
    );
    // Not while CREATING.
    let busy = client
        .update_logging_configuration()
        .identifier(&arn)
        .name("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&busy), 409);
    assert!(matches!(
        busy.into_service_error(),
        UpdateLoggingConfigurationError::ConflictException(_)
    ));
    tokio::time::sleep(delay).await;
    assert_eq!(
        state(arn.clone()).await.unwrap(),
        Some(LoggingConfigurationState::Active)
    );

    client
        .update_logging_configuration()
        .identifier(&arn)
        .name("renamed")
        .send()
        .await
        .unwrap();
    assert_eq!(
        state(arn.clone()).await.unwrap(),
        Some(LoggingConfigurationState::Updating)
    );
    tokio::time::sleep(delay).await;
    assert_eq!(
        state(arn.clone()).await.unwrap(),
        Some(LoggingConfigurationState::Active)
    );

    client
        .delete_logging_configuration()
        .identifier(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        state(arn.clone()).await.unwrap(),
        Some(LoggingConfigurationState::Deleting)
    );
    let listed = client.list_logging_configurations().send().await.unwrap();
    assert_eq!(
        listed.logging_configurations()[0].state(),
        Some(&LoggingConfigurationState::Deleting)
    );
    // A room cannot take a configuration that is going away.
    let error = client
        .create_room()
        .logging_configuration_identifiers(&arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&error), 404);
    tokio::time::sleep(delay).await;
    assert_eq!(status(&state(arn.clone()).await.unwrap_err()), 404);
    assert!(configuration_arns(&client).await.is_empty());
}

#[tokio::test]
async fn a_configuration_a_room_uses_cannot_be_deleted() {
    let (_server, client, _) = server(ServerConfig::default());
    let configuration = configuration(&client, "used").await;
    let room = client
        .create_room()
        .logging_configuration_identifiers(&configuration)
        .send()
        .await
        .unwrap();
    let error = client
        .delete_logging_configuration()
        .identifier(&configuration)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&error), 409);
    let DeleteLoggingConfigurationError::ConflictException(e) = error.into_service_error() else {
        panic!("expected ConflictException");
    };
    assert_eq!(Some(e.resource_id()), configuration.rsplit('/').next());
    client
        .update_room()
        .identifier(room.arn().unwrap())
        .set_logging_configuration_identifiers(Some(Vec::new()))
        .send()
        .await
        .unwrap();
    client
        .delete_logging_configuration()
        .identifier(&configuration)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn the_eleventh_configuration_exceeds_the_quota() {
    let (server, client, account) = server(ServerConfig::default());
    let mut arns = Vec::new();
    for n in 0..10 {
        arns.push(configuration(&client, &format!("c{n}")).await);
    }
    let error = client
        .create_logging_configuration()
        .destination_configuration(s3("chat-archive"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&error), 402);
    let CreateLoggingConfigurationError::ServiceQuotaExceededException(e) =
        error.into_service_error()
    else {
        panic!("expected ServiceQuotaExceededException");
    };
    assert_eq!(e.limit(), 10);
    // Another account and another region have their own quota.
    let other = common::client(&server, &fresh_account(), "us-west-2");
    configuration(&other, "elsewhere").await;
    let other_region = common::client(&server, &account, "eu-west-1");
    configuration(&other_region, "elsewhere").await;
    // Deleting one frees a slot.
    client
        .delete_logging_configuration()
        .identifier(&arns[0])
        .send()
        .await
        .unwrap();
    configuration(&client, "again").await;
}

#[tokio::test]
async fn a_room_takes_at_most_three_existing_configurations() {
    let (_server, client, account) = server(ServerConfig::default());
    let mut arns = Vec::new();
    for n in 0..4 {
        arns.push(configuration(&client, &format!("c{n}")).await);
    }
    let error = client
        .create_room()
        .set_logging_configuration_identifiers(Some(arns.clone()))
        .send()
        .await
        .unwrap_err();
    let CreateRoomError::ValidationException(e) = error.into_service_error() else {
        panic!("expected ValidationException");
    };
    assert_eq!(fields(&e), ["loggingConfigurationIdentifiers"]);

    let room = client
        .create_room()
        .set_logging_configuration_identifiers(Some(arns[..3].to_vec()))
        .send()
        .await
        .unwrap();
    assert_eq!(room.logging_configuration_identifiers().len(), 3);
    let error = client
        .update_room()
        .identifier(room.arn().unwrap())
        .set_logging_configuration_identifiers(Some(arns.clone()))
        .send()
        .await
        .unwrap_err();
    let UpdateRoomError::ValidationException(e) = error.into_service_error() else {
        panic!("expected ValidationException");
    };
    assert_eq!(fields(&e), ["loggingConfigurationIdentifiers"]);

    // The same configuration twice is refused too.
    let error = client
        .create_room()
        .set_logging_configuration_identifiers(Some(vec![arns[0].clone(), arns[0].clone()]))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&error), 400);

    let missing = format!("arn:aws:ivschat:us-west-2:{account}:logging-configuration/AAAAAAAAAAAA");
    let error = client
        .create_room()
        .logging_configuration_identifiers(&missing)
        .send()
        .await
        .unwrap_err();
    let CreateRoomError::ResourceNotFoundException(e) = error.into_service_error() else {
        panic!("expected ResourceNotFoundException");
    };
    assert_eq!(e.resource_id(), "AAAAAAAAAAAA");
}

#[tokio::test]
async fn accounts_and_regions_do_not_see_each_other() {
    let (server, client, account) = server(ServerConfig::default());
    let room = client.create_room().name("mine").send().await.unwrap();
    let arn = room.arn().unwrap();
    let configuration = configuration(&client, "mine").await;

    let stranger = common::client(&server, &fresh_account(), "us-west-2");
    assert!(room_arns(&stranger).await.is_empty());
    assert_eq!(
        status(
            &stranger
                .get_room()
                .identifier(arn)
                .send()
                .await
                .unwrap_err()
        ),
        404
    );
    // Nor can it use another account's configuration.
    let error = stranger
        .create_room()
        .logging_configuration_identifiers(&configuration)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&error), 404);

    let elsewhere = common::client(&server, &account, "eu-west-1");
    assert!(room_arns(&elsewhere).await.is_empty());
    let there = elsewhere.create_room().send().await.unwrap();
    assert!(
        there
            .arn()
            .unwrap()
            .starts_with(&format!("arn:aws:ivschat:eu-west-1:{account}:room/"))
    );
    assert_eq!(room_arns(&client).await.len(), 1);
}

#[tokio::test]
async fn destination_configurations_round_trip_for_every_kind() {
    let (_server, client, _) = server(ServerConfig::default());
    for destination in [
        s3("a.b-c"),
        logs("/aws/vendedlogs/#x_y"),
        firehose("stream_1.x-y"),
    ] {
        let created = client
            .create_logging_configuration()
            .destination_configuration(destination.clone())
            .send()
            .await
            .unwrap();
        let got = client
            .get_logging_configuration()
            .identifier(created.arn().unwrap())
            .send()
            .await
            .unwrap();
        let found: Option<&DestinationConfiguration> = got.destination_configuration();
        assert_eq!(found, Some(&destination));
    }
}
