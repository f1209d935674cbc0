//! `chatlog drift --format mermaid`: the spec's picture with what drifted marked on it, so a CI
//! job can post it in a pull request.

use std::collections::BTreeMap;

use crate::graph::{DriftKind, Element, Mark, Marks};
use crate::model::Model;
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
                let kind = if resource_type.contains("Policy") {
                    DriftKind::MissingStatement
                } else if resource_type.contains("KinesisFirehose") {
                    DriftKind::MissingTag
                } else if action == Action::Create {
                    DriftKind::Missing
                } else {
                    DriftKind::Changed
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
