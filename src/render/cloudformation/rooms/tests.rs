//! The rooms written straight into a template's text against the same template built as one
//! tree and written by the general writers (`room_resources`, `room_outputs` and the other
//! entries of a [`template`]), on random rooms whose strings hold what each format must quote or
//! escape: a split deployment's room templates, and single templates among the deployment's
//! other resources and outputs.

use crate::dice::Dice;
use crate::model::{Access, Deployment, LoggingConfiguration, Room, Tags, logical_id};
use crate::plan::test_support;
use crate::policy::plan::{self, DeploymentPolicies};
use crate::render::doc::{Doc, borrowed};
use crate::render::random_rooms::room;
use crate::render::{Gathered, TemplateFormat};
use crate::spec::load::Origin;

use serde_json::Value;

use super::super::{
    Entries, Parameters, Reference, base_resources, configuration_arn, configuration_outputs,
    description, lex, render_deployment, room_description, room_outputs, room_parameters,
    room_resources, room_text, serialize_doc, template_head,
};

/// A whole template as one tree: its resources and outputs in the order given.
fn template<'a>(
    dep: &Deployment,
    policies: &DeploymentPolicies<'_>,
    description: String,
    resources: Entries<'a>,
    outputs: Entries<'a>,
    order: &[String],
    parameters: Parameters,
) -> Doc<'a> {
    let mut t = template_head(dep, policies, description, order, parameters);
    t.push(("Resources".into(), Doc::Map(resources)));
    if !outputs.is_empty() {
        t.push(("Outputs".into(), Doc::Map(outputs)));
    }
    Doc::Map(t)
}

/// The reference of each of the deployment's configurations, in their order, built here one
/// at a time: the tree is built from them, so that the writers' references are held to each
/// configuration's own.
fn arns_of(dep: &Deployment, reference: Reference) -> Vec<Value> {
    dep.logging_configurations
        .iter()
        .map(|c| configuration_arn(&c.key, reference))
        .collect()
}

fn by_tree(dep: &Deployment, rooms: &[&Room], order: &[String], format: TemplateFormat) -> String {
    let policies = plan::for_deployment(dep);
    let arns = arns_of(dep, Reference::Import);
    let Parameters {
        parameters,
        conditions,
    } = room_parameters();
    let doc = template(
        dep,
        &policies,
        room_description(dep, 2),
        room_resources(rooms, &arns).collect(),
        room_outputs(rooms).collect(),
        order,
        Parameters {
            parameters,
            conditions,
        },
    );
    serialize_doc(&doc, format, 0)
}

#[test]
fn rooms_written_straight_read_as_the_tree_writes_them() {
    let configurations = ["archive", "tail", "stream-${x}", "we: ird"];
    let mut dice = Dice(0x9e37_79b9_7f4a_7c15);
    let mut cases = 0;
    for case in 0..120 {
        // The configurations the rooms may log to are the deployment's, as in every model.
        let dep = Deployment {
            account: "111122223333".to_owned(),
            region: "eu-west-1".to_owned(),
            destinations: Vec::new(),
            logging_configurations: configurations
                .iter()
                .map(|&key| LoggingConfiguration {
                    key: key.to_owned(),
                    name: key.to_owned(),
                    logical_id: logical_id("LoggingConfiguration", key),
                    destination: "archive".to_owned(),
                    tags: Tags::new(),
                    origin: Origin {
                        file: 0,
                        pointer: format!("/logging_configurations/{key}"),
                    },
                })
                .collect(),
            rooms: Vec::new(),
            bots: Vec::new(),
            access: Access::default(),
        };
        let rooms: Vec<Room> = (0..dice.below(6))
            .map(|i| room(&mut dice, case * 10 + i, configurations.len()))
            .collect();
        let refs: Vec<&Room> = rooms.iter().collect();
        let order = vec!["cloudformation/a.json".to_owned(), "b".to_owned()];
        let policies = plan::for_deployment(&dep);
        for format in [TemplateFormat::Json, TemplateFormat::Yaml] {
            let straight = room_text(&dep, &policies, &refs, 2, &order, format, 0).unwrap();
            assert_eq!(
                straight,
                by_tree(&dep, &refs, &order, format),
                "case {case}, {format:?}"
            );
            cases += 1;
        }
    }
    assert_eq!(cases, 240);
}

/// A deployment's single template as one tree: its base resources, then its rooms; the
/// configurations' ARN outputs, the rooms', then the bots'.
fn single_by_tree(dep: &Deployment, format: TemplateFormat) -> String {
    let policies = plan::for_deployment(dep);
    let rooms: Vec<&Room> = dep.rooms.iter().collect();
    let arns = arns_of(dep, Reference::GetAtt);
    let base = base_resources(dep, &policies);
    let configuration_outputs = configuration_outputs(&dep.logging_configurations, false);
    let bot_outputs = lex::outputs(dep);
    let doc = template(
        dep,
        &policies,
        description(dep, None),
        borrowed(&base)
            .chain(room_resources(&rooms, &arns))
            .collect(),
        borrowed(&configuration_outputs)
            .chain(room_outputs(&rooms))
            .chain(borrowed(&bot_outputs))
            .collect(),
        &[],
        Parameters::for_single(&policies),
    );
    serialize_doc(&doc, format, 0)
}

/// Every deployment of three examples (destinations of each kind, created and not, bots with
/// outputs, several accounts) with random rooms that log to its configurations; with none; and
/// emptied of everything, where `Resources` is `{}` and there are no `Outputs`.
#[test]
fn single_templates_written_straight_read_as_the_tree_writes_them() {
    let specs = [
        include_str!("../../../../examples/lex-and-audit.yaml"),
        include_str!("../../../../examples/multi-destination.yaml"),
        include_str!("../../../../examples/organization.yaml"),
    ];
    let mut dice = Dice(0x2545_f491_4f6c_dd1d);
    let mut cases = 0;
    let mut empty = 0;
    for spec in specs {
        for original in test_support::model(spec).deployments {
            for case in 0..12 {
                let mut dep = original.clone();
                if case == 1 {
                    dep.destinations.clear();
                    dep.logging_configurations.clear();
                    dep.bots.clear();
                }
                let configurations = dep.logging_configurations.len();
                let rooms = if case < 2 { 0 } else { 1 + dice.below(7) };
                dep.rooms = (0..rooms)
                    .map(|i| room(&mut dice, case * 10 + i, configurations))
                    .collect();
                for format in [TemplateFormat::Json, TemplateFormat::Yaml] {
                    let sink = Gathered::default();
                    if render_deployment(&dep, format, &sink).is_err() {
                        panic!("{} {case} {format:?} did not render", dep.account);
                    }
                    let files = sink.into_files();
                    assert_eq!(files.len(), 1, "{} {case} {format:?}", dep.account);
                    let expected = single_by_tree(&dep, format);
                    assert_eq!(
                        files[0].contents, expected,
                        "{} {case} {format:?}",
                        dep.account
                    );
                    if expected.contains("Resources: {}") || expected.contains("\"Resources\": {}")
                    {
                        empty += 1;
                    }
                    cases += 1;
                }
            }
        }
    }
    assert!(cases >= 3 * 12 * 2, "{cases} cases");
    assert!(empty >= 2, "no template without resources among {cases}");
}
