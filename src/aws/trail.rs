//! CloudTrail event history (LookupEvents) for `drift --explain`: the write events of one event
//! source in a region, all pages up to a bound. LookupEvents takes one lookup attribute per call,
//! so the source is the attribute and writes are picked out here.

use std::future::Future;
use std::ops::ControlFlow;

use aws_sdk_cloudtrail::operation::lookup_events::LookupEventsOutput;

use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
use serde_json::json;

use super::calls::{Calls, call};
use super::connect::Session;
use super::error::AwsError;
use super::pages::paginate;
use crate::explain::{TrailEvent, parse_event};

/// LookupEvents returns at most 50 events per page; 20 pages bound one source's history to the
/// 1,000 most recent events.
const MAX_PAGES: usize = 20;

pub trait TrailApi: Clone + Send + Sync + 'static {
    /// The write events of `event_source`, newest first.
    fn writes(
        &self,
        event_source: String,
    ) -> impl Future<Output = Result<Vec<TrailEvent>, AwsError>> + Send;
}

#[derive(Clone, Debug)]
pub struct SdkTrail {
    client: aws_sdk_cloudtrail::Client,
    calls: Calls,
}

impl SdkTrail {
    pub fn new(session: &Session, account: &str) -> Self {
        SdkTrail {
            client: session.cloudtrail(),
            calls: Calls::new(session, account, "cloudtrail.amazonaws.com", false),
        }
    }
}

impl TrailApi for SdkTrail {
    async fn writes(&self, event_source: String) -> Result<Vec<TrailEvent>, AwsError> {
        let attribute = LookupAttribute::builder()
            .attribute_key(LookupAttributeKey::EventSource)
            .attribute_value(&event_source)
            .build()
            .map_err(|e| AwsError::local("cloudtrail:LookupEvents", &event_source, e))?;
        let fetch = |token: Option<String>| {
            self.calls.call(
                call(
                    "LookupEvents",
                    "cloudtrail:LookupEvents",
                    &event_source,
                    true,
                ),
                json!({"lookupAttributes": [{"attributeKey": "EventSource", "attributeValue": event_source}], "nextToken": token}),
                self.client
                    .lookup_events()
                    .lookup_attributes(attribute.clone())
                    .max_results(50)
                    .set_next_token(token)
                    .send(),
                |o| json!({"events": o.events().len()}),
            )
        };
        let mut out = Vec::new();
        let mut pages = 0;
        paginate(
            fetch,
            |p: &LookupEventsOutput| p.next_token(),
            |page| {
                out.extend(
                    page.events()
                        .iter()
                        .filter_map(|e| e.cloud_trail_event())
                        .filter_map(parse_event)
                        .filter(|e| !e.read_only),
                );
                pages += 1;
                if pages < MAX_PAGES {
                    ControlFlow::Continue(())
                } else {
                    ControlFlow::Break(())
                }
            },
        )
        .await?;
        Ok(out)
    }
}
