//! The administrator's Terraform module, one per administrator account and region:
//! `terraform/<account>-<region>-stack-sets/`, with an `aws_cloudformation_stack_set` per stack
//! set (its template_body read from the member file beside it) and an
//! `aws_cloudformation_stack_set_instance` per target and region (hashicorp/aws 6.66.0 schema,
//! reference/terraform-aws-schema-subset.json).

use std::collections::BTreeMap;

use crate::model::{Model, StackSet};
use crate::spec::types::PermissionModel;

use super::super::File;
use super::super::hcl::{self, Block, Expr, Ident, Item};
use super::super::terraform::{GENERATED, id, providers_for, resource, versions};
use super::administrator::{capabilities, description, operation_preferences, tags};
use super::member_body;

/// `<account>-<region>-stack-sets`.
pub fn folder(account: &str, region: &str) -> String {
    format!(
        "terraform/{}-stack-sets",
        super::super::deployment_stem(account, region)
    )
}

pub fn render(model: &Model) -> Vec<File> {
    let mut by_admin: BTreeMap<(&str, &str), Vec<&StackSet>> = BTreeMap::new();
    for set in &model.stack_sets {
        by_admin
            .entry((&set.administrator.account, &set.administrator.region))
            .or_default()
            .push(set);
    }
    let mut files = Vec::new();
    for ((account, region), sets) in by_admin {
        let dir = folder(account, region);
        files.push(File {
            path: format!("{dir}/versions.tf"),
            contents: versions().render(),
        });
        files.push(File {
            path: format!("{dir}/providers.tf"),
            contents: providers_for(account, region).render(),
        });
        let mut main = hcl::File::with_header(vec![GENERATED.to_owned()]);
        for set in &sets {
            let member = member_file(set);
            files.push(File {
                path: format!("{dir}/{member}"),
                contents: member_body(set),
            });
            main.push(stack_set(set, &member));
            for block in instances(set) {
                main.push(block);
            }
        }
        files.push(File {
            path: format!("{dir}/main.tf"),
            contents: main.render(),
        });
    }
    files
}

fn member_file(set: &StackSet) -> String {
    format!("member-{}.yaml", set.name)
}

fn name_of(set: &StackSet) -> Ident {
    Ident::from_key(&set.key)
}

fn strings(items: &[String]) -> Expr {
    Expr::List(items.iter().map(|s| Expr::str(s.clone())).collect())
}

fn operation_block(set: &StackSet) -> Option<Block> {
    if set.operation.is_empty() {
        return None;
    }
    let prefs = operation_preferences(&set.operation);
    let mut block = Block::new(&id("operation_preferences"), &[]);
    let fields = [
        ("ConcurrencyMode", "concurrency_mode"),
        ("FailureToleranceCount", "failure_tolerance_count"),
        ("FailureTolerancePercentage", "failure_tolerance_percentage"),
        ("MaxConcurrentCount", "max_concurrent_count"),
        ("MaxConcurrentPercentage", "max_concurrent_percentage"),
        ("RegionConcurrencyType", "region_concurrency_type"),
        ("RegionOrder", "region_order"),
    ];
    for (api, tf) in fields {
        if let Some(v) = prefs.get(api) {
            block = block.attr(&id(tf), Expr::from_json(v));
        }
    }
    Some(block)
}

fn stack_set(set: &StackSet, member: &str) -> Block {
    let name = name_of(set);
    let mut b = resource("aws_cloudformation_stack_set", &name)
        .attr(&id("name"), Expr::str(set.name.clone()))
        .attr(&id("description"), Expr::str(description(set)))
        .attr(
            &id("permission_model"),
            Expr::str(set.permission_model.as_api()),
        );
    if set.administrator.delegated_admin {
        b = b.attr(&id("call_as"), Expr::str(set.call_as()));
    }
    if let Some(role) = &set.administration_role_arn {
        b = b.attr(&id("administration_role_arn"), Expr::str(role.clone()));
    }
    if let Some(role) = &set.execution_role_name {
        b = b.attr(&id("execution_role_name"), Expr::str(role.clone()));
    }
    let caps = capabilities(set);
    if !caps.is_empty() {
        b = b.attr(
            &id("capabilities"),
            Expr::List(caps.into_iter().map(Expr::str).collect()),
        );
    }
    // file() of the member beside this module: the same text the CloudFormation target inlines.
    b = b.attr(
        &id("template_body"),
        Expr::Call(
            id("file"),
            vec![Expr::Call(
                id("format"),
                vec![
                    Expr::str(format!("%s/{member}")),
                    Expr::Traversal(vec![id("path"), id("module")]),
                ],
            )],
        ),
    );
    b.push(Item::Blank);
    b.push(Item::Attribute(
        id("tags"),
        Expr::Object(
            tags(set, &set.spec_name)
                .into_iter()
                .map(|(k, v)| (k, Expr::str(v)))
                .collect(),
        ),
    ));
    if let Some(a) = &set.auto_deployment {
        let mut auto =
            Block::new(&id("auto_deployment"), &[]).attr(&id("enabled"), Expr::Bool(a.enabled));
        if a.enabled {
            auto = auto.attr(
                &id("retain_stacks_on_account_removal"),
                Expr::Bool(a.retain_stacks_on_account_removal),
            );
        }
        b = b.blank().block(auto);
    }
    b = b
        .blank()
        .block(Block::new(&id("managed_execution"), &[]).attr(&id("active"), Expr::Bool(true)));
    if let Some(op) = operation_block(set) {
        b = b.blank().block(op);
    }
    b
}

/// One instance resource per target and region (service-managed: the target's OUs; self-managed:
/// one per account, as aws_cloudformation_stack_set_instance takes a single `account_id`).
fn instances(set: &StackSet) -> Vec<Block> {
    let set_name = name_of(set);
    let mut out = Vec::new();
    for (i, t) in set.targets.iter().enumerate() {
        for region in &t.regions {
            let base = |suffix: &str| {
                let label = format!("{}_{}_{}", set.key, i + 1, suffix);
                let mut b = resource(
                    "aws_cloudformation_stack_set_instance",
                    &Ident::from_key(&label),
                )
                .attr(
                    &id("stack_set_name"),
                    Expr::reference(&[&id("aws_cloudformation_stack_set"), &set_name, &id("name")]),
                )
                .attr(&id("stack_set_instance_region"), Expr::str(region.clone()));
                if set.administrator.delegated_admin {
                    b = b.attr(&id("call_as"), Expr::str(set.call_as()));
                }
                b
            };
            match set.permission_model {
                PermissionModel::ServiceManaged => {
                    let mut targets = Block::new(&id("deployment_targets"), &[]).attr(
                        &id("organizational_unit_ids"),
                        strings(&t.organizational_units),
                    );
                    if !t.accounts.is_empty() {
                        targets = targets.attr(&id("accounts"), strings(&t.accounts));
                    }
                    if let Some(f) = t.account_filter {
                        targets = targets.attr(&id("account_filter_type"), Expr::str(f.as_api()));
                    }
                    let mut b = base(region).blank().block(targets);
                    if let Some(op) = operation_block(set) {
                        b = b.blank().block(op);
                    }
                    out.push(b);
                }
                PermissionModel::SelfManaged => {
                    for account in &t.accounts {
                        let mut b = base(&format!("{account}_{region}"))
                            .attr(&id("account_id"), Expr::str(account.clone()));
                        if let Some(op) = operation_block(set) {
                            b = b.blank().block(op);
                        }
                        out.push(b);
                    }
                }
            }
        }
    }
    out
}
