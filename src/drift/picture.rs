//! `chatlog drift --format mermaid`: the spec's picture with what drifted marked on it, so a CI
//! job can post it in a pull request.

use std::collections::BTreeMap;

use crate::graph::{DriftKind, Element, Mark, Marks};
use crate::model::Model;
use crate::plan::destinations::{BUCKET_POLICY, LOG_POLICY, STREAM};
use crate::plan::{Action, CONFIGURATION, Change, ROOM};

/// Marks for the pending changes of a plan. Resources that left the spec are not in the picture;
/// the text report lists them.
pub fn marks(model: &Model, changes: &[Change]) -> Marks {
    let mut marks: Marks = BTreeMap::new();
    let mut add = |element: Element, mark: Mark| marks.entry(element).or_default().push(mark);
    // Live ARN -> spec key of every configuration that exists.
    let configuration_keys: BTreeMap<&str, &str> = changes
        .iter()
        .filter(|c| c.resource_type == CONFIGURATION)
        .filter_map(|c| Some((c.arn.as_deref()?, c.key.as_str())))
        .collect();
    let destination_keys: Vec<&str> = model
        .deployments
        .iter()
        .flat_map(|d| d.destinations.iter().map(|x| x.key.as_str()))
        .collect();
    for c in changes.iter().filter(|c| c.pending()) {
        let attributes = || {
            c.diffs
                .iter()
                .map(|d| d.attribute.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match (c.resource_type, c.action) {
            (_, Action::Delete) => {}
            (ROOM, Action::Create) => add(
                Element::Room(c.key.clone()),
                Mark::new(DriftKind::Missing, ""),
            ),
            (CONFIGURATION, Action::Create) => add(
                Element::LoggingConfiguration(c.key.clone()),
                Mark::new(DriftKind::Missing, ""),
            ),
            (ROOM, _) => {
                for d in &c.diffs {
                    if d.attribute != "logging_configurations" {
                        continue;
                    }
                    let live: Vec<&str> = d
                        .before
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|v| v.as_str())
                                .filter_map(|arn| configuration_keys.get(arn).copied())
                                .collect()
                        })
                        .unwrap_or_default();
                    for wanted in d
                        .after
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|v| v.as_str())
                    {
                        if !live.contains(&wanted) {
                            add(
                                Element::Attachment {
                                    room: c.key.clone(),
                                    configuration: wanted.to_owned(),
                                },
                                Mark::new(DriftKind::Detached, ""),
                            );
                        }
                    }
                }
                let others: Vec<&str> = c
                    .diffs
                    .iter()
                    .map(|d| d.attribute.as_str())
                    .filter(|a| *a != "logging_configurations")
                    .collect();
                if !others.is_empty() {
                    add(
                        Element::Room(c.key.clone()),
                        Mark::new(DriftKind::Changed, others.join(", ")),
                    );
                }
            }
            (CONFIGURATION, _) => add(
                Element::LoggingConfiguration(c.key.clone()),
                Mark::new(DriftKind::Changed, attributes()),
            ),
            (resource_type, action) if destination_keys.contains(&c.key.as_str()) => {
                let kind = match (resource_type, action) {
                    (BUCKET_POLICY | LOG_POLICY, _) => DriftKind::MissingStatement,
                    (STREAM, _) => DriftKind::MissingTag,
                    (_, Action::Create) => DriftKind::Missing,
                    _ => DriftKind::Changed,
                };
                add(
                    Element::Destination(c.key.clone()),
                    Mark::new(kind, resource_type),
                );
            }
            _ => {}
        }
    }
    marks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::destinations::{BUCKET, LOG_GROUP};
    use crate::plan::lex::ROLE_POLICY;

    const SPEC: &str = r#"
version: 1
defaults: {account: "111122223333", region: us-west-2}
destinations:
  archive: {s3: {bucket: acme-archive, create: true}}
  shared: {s3: {bucket: acme-shared}}
  tail: {cloudwatch_logs: {log_group: /ivs/tail, create: true}}
  stream: {firehose: {delivery_stream: chat-analytics}}
"#;

    #[test]
    fn each_kind_of_destination_change_gets_its_mark_and_other_keys_none() {
        let model = crate::plan::test_support::model(SPEC);
        let deployment = model.deployments.first().unwrap();
        let change = |resource_type, key: &str, action| Change {
            action,
            ..Change::unchanged(deployment, resource_type, key)
        };
        let changes = [
            change(BUCKET, "archive", Action::Create),
            change(BUCKET_POLICY, "shared", Action::Update),
            change(LOG_GROUP, "tail", Action::Update),
            change(LOG_POLICY, "tail", Action::Create),
            change(STREAM, "stream", Action::Update),
            // Not a destination's key: no mark, whatever its type.
            change(
                ROLE_POLICY,
                "lex/chatlog-lex-conversation-logs-b",
                Action::Update,
            ),
            change(LOG_POLICY, "chatlog-ivschat-account", Action::Update),
        ];
        let found: Vec<(Element, Vec<DriftKind>)> = marks(&model, &changes)
            .into_iter()
            .map(|(e, m)| (e, m.iter().map(|m| m.kind).collect()))
            .collect();
        let destination = |key: &str| Element::Destination(key.to_owned());
        assert_eq!(
            found,
            [
                (destination("archive"), vec![DriftKind::Missing]),
                (destination("shared"), vec![DriftKind::MissingStatement]),
                (destination("stream"), vec![DriftKind::MissingTag]),
                (
                    destination("tail"),
                    vec![DriftKind::Changed, DriftKind::MissingStatement]
                ),
            ]
        );
    }
}
