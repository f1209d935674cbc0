//! The live engine driven as a library, without the binary: read, plan, apply and read back two
//! deployments against the project's IVS Chat server and moto, through the SDK connector with
//! credentials handed in, and the events it reports.
// Test code: clippy.toml's test allowances (unwrap, expect, panic, indexing) apply to all of it.
#![cfg(test)]

mod common;
mod live_support;

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_ivschat::config::{Credentials, SharedCredentialsProvider};
use chatlog::aws::{Connection, Waits};
use chatlog::engine::{self, Event, Recorded, Request, SdkConnector};
use chatlog::spec::load::Input;
use live_support::{SECRET, World};

const REGIONS: [&str; 2] = ["eu-west-1", "us-west-2"];
const LOG_GROUP: &str = "/aws/vendedlogs/ivschat/library";

fn model(account: &str) -> chatlog::model::Model {
    let mut spec = format!(
        "version: 1\nname: library\ndefaults: {{account: \"{account}\", region: us-west-2}}\ndestinations:\n"
    );
    for r in REGIONS {
        spec.push_str(&format!(
            "  tail-{r}: {{region: {r}, cloudwatch_logs: {{log_group: {LOG_GROUP}}}}}\n"
        ));
    }
    spec.push_str("logging_configurations:\n");
    for r in REGIONS {
        spec.push_str(&format!("  tail-{r}: {{destination: tail-{r}}}\n"));
    }
    spec.push_str("rooms:\n");
    for r in REGIONS {
        spec.push_str(&format!(
            "  lobby-{r}: {{region: {r}, logging: [tail-{r}]}}\n"
        ));
    }
    let v = chatlog::validate::validate(vec![Input {
        name: "library.yaml".to_owned(),
        bytes: spec.into_bytes(),
    }]);
    assert!(!v.has_errors(), "{:?}", v.diagnostics);
    v.model.unwrap()
}

#[test]
fn the_engine_reads_plans_applies_and_reads_back_as_a_library() {
    let world = World::delivering_to_moto();
    world.runtime.block_on(async {
        for r in REGIONS {
            aws_sdk_cloudwatchlogs::Client::new(&world.moto.sdk_config(&world.account, r))
                .create_log_group()
                .log_group_name(LOG_GROUP)
                .send()
                .await
                .unwrap();
        }
    });
    let model = model(&world.account);
    let connection = Connection {
        endpoint_url: Some(world.moto.endpoint().to_owned()),
        service_endpoints: BTreeMap::from([(
            "ivschat".to_owned(),
            world.server.endpoint().to_owned(),
        )]),
        credentials: Some(SharedCredentialsProvider::new(Credentials::new(
            &world.account,
            SECRET,
            None,
            None,
            "test",
        ))),
        ..Connection::default()
    };
    let connector = SdkConnector::new(connection, None);
    let request = Request {
        owner: "library".to_owned(),
        prune: false,
        parallelism: 2,
        cache: None,
    };
    let hooks = Recorded::default();
    let waits = Waits {
        poll: Duration::from_millis(50),
        ..Waits::default()
    };
    let (plans, outcomes, verified) = world.runtime.block_on(async {
        let plans = engine::plan_all(&model, &request, &connector, &hooks)
            .await
            .unwrap();
        let outcomes = engine::apply(&plans, waits, 2, &hooks).await;
        let verified = engine::verify(&model, &request, &connector, &hooks, &outcomes)
            .await
            .unwrap();
        (plans, outcomes, verified)
    });

    // Results in the model's order.
    let ids: Vec<String> = REGIONS
        .iter()
        .map(|r| format!("{}/{r}", world.account))
        .collect();
    let planned: Vec<String> = plans
        .iter()
        .map(|p| engine::deployment_id(&p.deployment))
        .collect();
    assert_eq!(planned, ids);
    let applied: Vec<&str> = outcomes.iter().map(|o| o.deployment.as_str()).collect();
    assert_eq!(applied, ids);
    for o in &outcomes {
        assert!(o.succeeded(), "{o:?}");
        assert!(
            o.done
                .iter()
                .any(|d| d.starts_with("create AWS::IVSChat::Room lobby-")),
            "{o:?}"
        );
    }
    assert!(
        verified.iter().all(|(_, differs)| differs.is_empty()),
        "{verified:?}"
    );

    // The events: per deployment read, planned, then each change started before it was done.
    let events = hooks.events();
    for id in &ids {
        let at = |wanted: &dyn Fn(&Event) -> bool| events.iter().position(wanted).unwrap();
        let read = at(&|e| matches!(e, Event::ReadDone { deployment, .. } if deployment == id));
        let planned = at(&|e| matches!(e, Event::Planned { deployment, .. } if deployment == id));
        let first_change =
            at(&|e| matches!(e, Event::ChangeStarted { deployment, .. } if deployment == id));
        let checked = at(&|e| matches!(e, Event::Verified { deployment, .. } if deployment == id));
        assert!(
            read < planned && planned < first_change && first_change < checked,
            "{events:?}"
        );
        let started: Vec<&String> = events
            .iter()
            .filter_map(|e| match e {
                Event::ChangeStarted { deployment, change } if deployment == id => Some(change),
                _ => None,
            })
            .collect();
        let done: Vec<&String> = events
            .iter()
            .filter_map(|e| match e {
                Event::ChangeDone {
                    deployment, change, ..
                } if deployment == id => Some(change),
                _ => None,
            })
            .collect();
        assert_eq!(started.len(), done.len(), "{events:?}");
        assert!(started.iter().all(|c| done.contains(c)));
    }
}
