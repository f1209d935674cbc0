//! `drift --explain`: for each drifted resource, the CloudTrail events that wrote to it — who,
//! when, from which address, with which call. Pure: events (as LookupEvents returns them, each
//! with its CloudTrail record) and the plan's changes in, a few lines per resource out.
//!
//! IVS Chat's calls are management events with eventSource `ivschat.amazonaws.com`
//! (aws-facts.md §1(a), §1(i)); the other services a spec touches are S3, CloudWatch Logs,
//! Firehose, Lex and IAM. An event touched a resource when its request, response or resources
//! name it: its ARN, or the name its API takes (a bucket, a log group, a role).

use serde_json::Value;

use crate::plan::Change;

/// The event sources `drift --explain` looks up, one LookupEvents query each.
pub const EVENT_SOURCES: [&str; 6] = [
    "ivschat.amazonaws.com",
    "s3.amazonaws.com",
    "logs.amazonaws.com",
    "firehose.amazonaws.com",
    "lex.amazonaws.com",
    "iam.amazonaws.com",
];

/// One CloudTrail record, the parts an explanation shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrailEvent {
    pub event_time: String,
    pub event_source: String,
    pub event_name: String,
    /// The caller: `userIdentity.arn`, else its type and principal id.
    pub who: String,
    pub source_ip: String,
    pub read_only: bool,
    /// requestParameters, responseElements and resources as JSON text, for matching.
    pub touched: String,
}

/// A CloudTrail record (the `CloudTrailEvent` string of a LookupEvents event) as a
/// [`TrailEvent`]; `None` when it is not a JSON object.
pub fn parse_event(record: &str) -> Option<TrailEvent> {
    let v: Value = serde_json::from_str(record).ok()?;
    v.as_object()?;
    let s = |key: &str| {
        v.get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let identity = v.get("userIdentity");
    let who = identity
        .and_then(|i| i.get("arn"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| {
            let part = |k: &str| {
                identity
                    .and_then(|i| i.get(k))
                    .and_then(Value::as_str)
                    .unwrap_or("unknown")
                    .to_owned()
            };
            format!("{} {}", part("type"), part("principalId"))
        });
    let read_only = match v.get("readOnly") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s == "true",
        _ => false,
    };
    let touched = [
        v.get("requestParameters"),
        v.get("responseElements"),
        v.get("resources"),
    ]
    .into_iter()
    .flatten()
    .map(Value::to_string)
    .collect::<Vec<_>>()
    .join("\n");
    Some(TrailEvent {
        event_time: s("eventTime"),
        event_source: s("eventSource"),
        event_name: s("eventName"),
        who,
        source_ip: s("sourceIPAddress"),
        read_only,
        touched,
    })
}

/// What an event about a change's resource would name: its ARN and the name its API takes
/// (a bucket's, a log group's, a role's), each as a whole JSON string.
pub fn identifiers(change: &Change) -> Vec<String> {
    let mut ids = Vec::new();
    if let Some(arn) = &change.arn {
        ids.push(arn.clone());
        let tail = if let Some((_, bucket)) = arn.split_once(":::") {
            Some(bucket.split('/').next().unwrap_or(bucket))
        } else if let Some((_, group)) = arn.split_once(":log-group:") {
            Some(group.trim_end_matches(":*"))
        } else if arn.contains(":iam::") {
            arn.rsplit('/').next()
        } else {
            None
        };
        if let Some(t) = tail.filter(|t| !t.is_empty()) {
            ids.push(t.to_owned());
        }
    }
    ids.retain(|i| !i.contains('*'));
    ids.sort();
    ids.dedup();
    ids
}

/// Whether an event wrote to the resource these identifiers name.
pub fn touches(event: &TrailEvent, ids: &[String]) -> bool {
    !event.read_only
        && ids.iter().any(|id| {
            let quoted = Value::String(id.clone()).to_string();
            event.touched.contains(&quoted)
        })
}

/// The explanation of one drifted resource: its write events, newest first, one line each.
pub fn explain(events: &[TrailEvent], ids: &[String]) -> Vec<String> {
    let mut hits: Vec<&TrailEvent> = events.iter().filter(|e| touches(e, ids)).collect();
    hits.sort_by(|a, b| b.event_time.cmp(&a.event_time));
    hits.dedup();
    hits.iter()
        .map(|e| {
            format!(
                "{} {} {} by {} from {}",
                e.event_time, e.event_source, e.event_name, e.who, e.source_ip
            )
        })
        .collect()
}

/// The detail a drift finding gets: a heading and the lines, or why there are none.
pub fn detail(lines: &[String]) -> String {
    if lines.is_empty() {
        return "CloudTrail: no write event in the last 90 days names it (events appear some minutes after the call)".to_owned();
    }
    let mut out = String::from("CloudTrail, the writes that touched it (newest first):");
    for l in lines {
        out.push_str("\n  ");
        out.push_str(l);
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::plan::Action;

    fn change(arn: &str) -> Change {
        Change {
            account: "111122223333".to_owned(),
            region: "us-west-2".to_owned(),
            resource_type: "AWS::IVSChat::Room",
            key: "lobby".to_owned(),
            arn: Some(arn.to_owned()),
            action: Action::Update,
            diffs: Vec::new(),
            blocked: None,
            duplicate_of: None,
            operations: Vec::new(),
            origin: None,
        }
    }

    fn record(name: &str, read_only: bool, request: Value) -> String {
        json!({
            "eventTime": "2026-11-20T10:15:02Z",
            "eventSource": "ivschat.amazonaws.com",
            "eventName": name,
            "readOnly": read_only,
            "sourceIPAddress": "203.0.113.7",
            "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/ops/alice"},
            "requestParameters": request
        })
        .to_string()
    }

    #[test]
    fn writes_that_name_the_resource_explain_it_and_reads_do_not() {
        let arn = "arn:aws:ivschat:us-west-2:111122223333:room/abcdABCDefgh";
        let ids = identifiers(&change(arn));
        let events: Vec<TrailEvent> = [
            record(
                "UpdateRoom",
                false,
                json!({"identifier": arn, "maximumMessageLength": 9}),
            ),
            record("GetRoom", true, json!({"identifier": arn})),
            record(
                "UpdateRoom",
                false,
                json!({"identifier": format!("{arn}X")}),
            ),
        ]
        .iter()
        .map(|r| parse_event(r).unwrap())
        .collect();
        let lines = explain(&events, &ids);
        assert_eq!(
            lines,
            [
                "2026-11-20T10:15:02Z ivschat.amazonaws.com UpdateRoom by arn:aws:sts::111122223333:assumed-role/ops/alice from 203.0.113.7"
            ]
        );
        assert!(detail(&lines).starts_with("CloudTrail, the writes"));
        assert!(detail(&[]).contains("no write event"));
    }

    #[test]
    fn buckets_log_groups_and_roles_are_found_by_the_name_their_api_takes() {
        assert_eq!(
            identifiers(&change("arn:aws:s3:::acme-archive")),
            ["acme-archive", "arn:aws:s3:::acme-archive"]
        );
        assert_eq!(
            identifiers(&change(
                "arn:aws:logs:us-west-2:111122223333:log-group:/ivs/chat"
            )),
            [
                "/ivs/chat",
                "arn:aws:logs:us-west-2:111122223333:log-group:/ivs/chat"
            ]
        );
        assert_eq!(
            identifiers(&change("arn:aws:iam::111122223333:role/service-role/lex")),
            ["arn:aws:iam::111122223333:role/service-role/lex", "lex"]
        );
        // An ARN with a wildcard (an alias not created yet) names nothing.
        assert!(identifiers(&change("arn:aws:lex:us-west-2:1:bot-alias/B/*")).is_empty());
        let put = parse_event(
            &json!({"eventName": "PutBucketPolicy", "readOnly": false, "requestParameters": {"bucketName": "acme-archive"}, "userIdentity": {"type": "Root", "principalId": "111122223333"}})
                .to_string(),
        )
        .unwrap();
        assert!(touches(
            &put,
            &identifiers(&change("arn:aws:s3:::acme-archive"))
        ));
        assert!(!touches(&put, &identifiers(&change("arn:aws:s3:::acme"))));
        assert_eq!(put.who, "Root 111122223333");
        assert!(parse_event("[1]").is_none());
    }
}
