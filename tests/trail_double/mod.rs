//! A CloudTrail LookupEvents double for `drift --explain` (moto 5.2.5 has no LookupEvents):
//! awsJson1_1 on 127.0.0.1, the EventSource lookup attribute, pages of at most MaxResults.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::http_double::{self, Answer, Request};

#[derive(Clone)]
pub struct TrailDouble {
    endpoint: String,
    /// CloudTrail records, newest first.
    records: Arc<Mutex<Vec<Value>>>,
    lookups: Arc<Mutex<Vec<String>>>,
}

impl TrailDouble {
    pub fn start() -> TrailDouble {
        let records: Arc<Mutex<Vec<Value>>> = Arc::default();
        let lookups: Arc<Mutex<Vec<String>>> = Arc::default();
        let (r, l) = (records.clone(), lookups.clone());
        let endpoint = http_double::start(Arc::new(move |req: &Request| lookup(&r, &l, req)));
        TrailDouble {
            endpoint,
            records,
            lookups,
        }
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    pub fn add(&self, record: Value) {
        self.records.lock().unwrap().insert(0, record);
    }

    /// The event sources looked up, in order.
    pub fn lookups(&self) -> Vec<String> {
        self.lookups.lock().unwrap().clone()
    }
}

fn lookup(records: &Mutex<Vec<Value>>, lookups: &Mutex<Vec<String>>, req: &Request) -> Answer {
    let json = |status: u16, body: Value, error: Option<&str>| Answer {
        status,
        content_type: "application/x-amz-json-1.1",
        headers: error
            .map(|e| vec![("x-amzn-errortype".to_owned(), e.to_owned())])
            .unwrap_or_default(),
        body: body.to_string(),
    };
    if !req
        .header("x-amz-target")
        .is_some_and(|t| t.ends_with("CloudTrail_20131101.LookupEvents"))
    {
        return json(
            400,
            json!({"message": "only LookupEvents"}),
            Some("InvalidLookupAttributesException"),
        );
    }
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    let source = body["LookupAttributes"][0]["AttributeValue"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    lookups.lock().unwrap().push(source.clone());
    let size = body["MaxResults"].as_u64().unwrap_or(50) as usize;
    let start: usize = body["NextToken"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let matching: Vec<Value> = records
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r["eventSource"] == source.as_str())
        .cloned()
        .collect();
    let events: Vec<Value> = matching
        .iter()
        .skip(start)
        .take(size)
        .map(|r| {
            json!({
                "EventId": r["eventID"],
                "EventName": r["eventName"],
                "ReadOnly": r["readOnly"].to_string(),
                "EventTime": 1_763_633_702,
                "EventSource": r["eventSource"],
                "CloudTrailEvent": r.to_string(),
            })
        })
        .collect();
    let next = (start + size < matching.len()).then(|| (start + size).to_string());
    json(200, json!({"Events": events, "NextToken": next}), None)
}
