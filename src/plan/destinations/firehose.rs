//! Firehose streams: the `LogDeliveryEnabled=true` tag, and log delivery's service-linked role.

use super::*;

pub(super) fn stream(p: &mut Planner<'_>, d: &Destination, name: &str) {
    let tags = p.live.stream(name).and_then(|s| s.tags.clone());
    let Some(tags) = tags else {
        let message = format!(
            "Firehose stream `{name}` (destination `{}`) does not exist in {}/{}",
            d.key, p.deployment.account, p.deployment.region
        );
        p.problem(
            d,
            Problem::Missing,
            message,
            "create the delivery stream first: chatlog never creates streams (a stream needs its own destination configuration)".to_owned(),
        );
        return;
    };
    let mut change = p.at(STREAM, d);
    let (key, value) = FIREHOSE_TAG;
    // The tag the service-linked role's policy requires (aws-facts §1(c), Firehose); additive,
    // as AWS itself adds it.
    if tags.get(key).map(String::as_str) != Some(value) {
        change.action = Action::Update;
        change.diffs.push(AttributeDiff {
            attribute: format!("tags.{key}"),
            before: json!(tags.get(key)),
            after: json!(value),
        });
        change.operations.push(crate::plan::Operation::Destination(
            DestinationOperation::TagDeliveryStream {
                stream: name.to_owned(),
                tags: Tags::from([(key.to_owned(), value.to_owned())]),
            },
        ));
    }
    p.push(change);
}

pub(super) fn service_linked_role(p: &mut Planner<'_>) {
    let Some(first) = p
        .deployment
        .destinations
        .iter()
        .find(|d| matches!(d.kind, DestinationKind::Firehose { .. }))
    else {
        return;
    };
    let mut change = p.change(SERVICE_LINKED_ROLE, SLR_NAME, &first.origin);
    change.arn = Some(ld::slr_arn(
        crate::model::partition(&p.deployment.region),
        &p.deployment.account,
    ));
    if p.live.log_delivery_role == RoleState::Missing {
        change.action = Action::Create;
        change.diffs.push(AttributeDiff::created(
            "aws_service_name",
            json!(DELIVERY_PRINCIPAL),
        ));
        change.operations.push(crate::plan::Operation::Destination(
            DestinationOperation::CreateServiceLinkedRole {
                service: DELIVERY_PRINCIPAL.to_owned(),
            },
        ));
    }
    p.push(change);
}
