//! Kinesis Data Firehose: a delivery stream's tags, and tagging it for log delivery.

use serde_json::json;

use super::{SdkDestinations, is_code, misrouted};
use crate::aws::calls::call;
use crate::aws::error::AwsError;
use crate::live::Tags;
use crate::live::destinations::LiveStream;
use crate::plan::DestinationOperation;

/// ListTagsForDeliveryStream takes 1-50 a page.
const TAGS_PAGE: i32 = 50;

impl SdkDestinations {
    /// ListTagsForDeliveryStream answers both questions (does it exist, how is it tagged) in
    /// one call; DescribeDeliveryStream's answer for a stream moto created without a
    /// compression format does not even parse in the SDK.
    pub(super) async fn read_stream(&self, name: String) -> Result<LiveStream, AwsError> {
        let mut tags = Tags::new();
        let mut start: Option<String> = None;
        loop {
            let request = json!({"deliveryStreamName": name, "limit": TAGS_PAGE, "exclusiveStartTagKey": start});
            let send = self
                .firehose
                .list_tags_for_delivery_stream()
                .delivery_stream_name(&name)
                .limit(TAGS_PAGE)
                .set_exclusive_start_tag_key(start.take())
                .send();
            let result = self
                .firehose_calls
                .call(
                    call(
                        "ListTagsForDeliveryStream",
                        "firehose:ListTagsForDeliveryStream",
                        &name,
                        true,
                    ),
                    request,
                    send,
                    |o| json!({"count": o.tags().len(), "hasMoreTags": o.has_more_tags()}),
                )
                .await;
            let out = match result {
                Ok(out) => out,
                Err(e) if is_code(&e, "ResourceNotFoundException") => {
                    return Ok(LiveStream { name, tags: None });
                }
                Err(e) => return Err(e),
            };
            for t in out.tags() {
                tags.insert(t.key().to_owned(), t.value().unwrap_or_default().to_owned());
            }
            match out.tags().last() {
                Some(last) if out.has_more_tags() => start = Some(last.key().to_owned()),
                _ => {
                    return Ok(LiveStream {
                        name,
                        tags: Some(tags),
                    });
                }
            }
        }
    }

    pub(super) async fn execute_firehose(
        &self,
        operation: DestinationOperation,
    ) -> Result<(), AwsError> {
        match operation {
            DestinationOperation::TagDeliveryStream { stream, tags } => {
                let action = "firehose:TagDeliveryStream";
                let list = tags
                    .iter()
                    .map(|(k, v)| {
                        aws_sdk_firehose::types::Tag::builder()
                            .key(k)
                            .value(v)
                            .build()
                            .map_err(|e| AwsError::local(action, &stream, e))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let send = self
                    .firehose
                    .tag_delivery_stream()
                    .delivery_stream_name(&stream)
                    .set_tags(Some(list))
                    .send();
                let request = json!({"deliveryStreamName": stream, "tags": tags});
                self.firehose_calls
                    .write(
                        call("TagDeliveryStream", action, &stream, false),
                        request,
                        send,
                    )
                    .await
            }
            other => Err(misrouted(&other)),
        }
    }
}
