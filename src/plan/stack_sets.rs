//! What to do to a stack set so that it is what the spec says: create it, update its template or
//! settings, add or remove stack instances. Pure: the live state comes in, steps go out.

use std::collections::{BTreeMap, BTreeSet};

use crate::live::stack_set::{LiveInstance, LiveStackSet};
use crate::model::StackSet;
use crate::model::stack_set::Target;
use crate::spec::types::PermissionModel;

use super::{KEY_TAG, SPEC_TAG};

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// CreateStackSet (no instances yet).
    Create,
    /// UpdateStackSet: the member template or settings differ (what differs).
    Update { differs: Vec<String> },
    /// CreateStackInstances for a target in some regions.
    AddInstances {
        organizational_units: Vec<String>,
        accounts: Vec<String>,
        account_filter: Option<String>,
        regions: Vec<String>,
    },
    /// DeleteStackInstances of what no target names any more (stacks not retained; the
    /// member's buckets and log groups are kept by their DeletionPolicy).
    RemoveInstances {
        organizational_units: Vec<String>,
        accounts: Vec<String>,
        regions: Vec<String>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct StackSetPlan {
    pub key: String,
    pub name: String,
    pub administrator: String,
    /// A stack set of this name exists without this spec's ownership tags: never changed.
    pub foreign: Option<String>,
    pub steps: Vec<Step>,
}

impl StackSetPlan {
    pub fn pending(&self) -> bool {
        !self.steps.is_empty()
    }
}

/// The tags the stack set carries: the spec's, and the ownership tags.
pub fn desired_tags(set: &StackSet) -> crate::model::Tags {
    let mut tags = set.tags.clone();
    tags.insert(SPEC_TAG.to_owned(), set.spec_name.clone());
    tags.insert(KEY_TAG.to_owned(), set.key.clone());
    tags
}

pub fn plan(
    set: &StackSet,
    body: &str,
    description: &str,
    live: Option<&LiveStackSet>,
    instances: &[LiveInstance],
) -> StackSetPlan {
    let mut p = StackSetPlan {
        key: set.key.clone(),
        name: set.name.clone(),
        administrator: format!("{}/{}", set.administrator.account, set.administrator.region),
        foreign: None,
        steps: Vec::new(),
    };
    let live = match live {
        Some(l) if l.status != "DELETED" => l,
        _ => {
            p.steps.push(Step::Create);
            p.steps.extend(add_all(set));
            return p;
        }
    };
    let owner = live.tags.get(SPEC_TAG);
    let key = live.tags.get(KEY_TAG);
    if owner != Some(&set.spec_name) || key != Some(&set.key) {
        p.foreign = Some(match owner {
            Some(o) => format!(
                "stack set `{}` belongs to spec `{o}` (its chatlog:spec tag)",
                set.name
            ),
            None => format!(
                "stack set `{}` exists without chatlog's ownership tags: chatlog did not create it",
                set.name
            ),
        });
        return p;
    }
    let mut differs = Vec::new();
    if live.template_body.as_deref() != Some(body) {
        differs.push("the member template".to_owned());
    }
    if live
        .description
        .as_deref()
        .is_some_and(|d| d != description)
    {
        differs.push("the description".to_owned());
    }
    if live.tags != desired_tags(set) {
        differs.push("the tags".to_owned());
    }
    // Service-managed stack sets use the roles StackSets makes; what is reported for them is not
    // the spec's to compare.
    let self_managed = set.permission_model == PermissionModel::SelfManaged;
    if self_managed
        && live.administration_role_arn.is_some()
        && live.administration_role_arn != set.administration_role_arn
    {
        differs.push("the administration role".to_owned());
    }
    if self_managed
        && live.execution_role_name.is_some()
        && live.execution_role_name != set.execution_role_name
    {
        differs.push("the execution role".to_owned());
    }
    if let (Some((enabled, retain)), Some(auto)) = (live.auto_deployment, set.auto_deployment)
        && (enabled != auto.enabled
            || (auto.enabled && retain != auto.retain_stacks_on_account_removal))
    {
        differs.push("automatic deployment".to_owned());
    }
    if !differs.is_empty() {
        p.steps.push(Step::Update { differs });
    }
    p.steps.extend(instance_steps(set, instances));
    p
}

fn add(t: &Target, regions: Vec<String>) -> Step {
    Step::AddInstances {
        organizational_units: t.organizational_units.clone(),
        accounts: t.accounts.clone(),
        account_filter: t.account_filter.map(|f| f.as_api().to_owned()),
        regions,
    }
}

fn add_all(set: &StackSet) -> Vec<Step> {
    set.targets
        .iter()
        .map(|t| add(t, t.regions.clone()))
        .collect()
}

/// Where instances are missing or left over. Service-managed instances are compared by OU and
/// region (the accounts in an OU are the organization's business), self-managed by account and
/// region.
fn instance_steps(set: &StackSet, instances: &[LiveInstance]) -> Vec<Step> {
    let service = set.permission_model == PermissionModel::ServiceManaged;
    let live: BTreeSet<(String, String)> = instances
        .iter()
        .filter_map(|i| {
            let unit = if service {
                i.organizational_unit.clone()?
            } else {
                i.account.clone()
            };
            Some((unit, i.region.clone()))
        })
        .collect();
    let mut wanted: BTreeSet<(String, String)> = BTreeSet::new();
    let mut steps = Vec::new();
    for t in &set.targets {
        let units = if service {
            &t.organizational_units
        } else {
            &t.accounts
        };
        for u in units {
            for r in &t.regions {
                wanted.insert((u.clone(), r.clone()));
            }
        }
        // The regions where some unit of this target has no instance: one operation for them.
        let missing: Vec<String> = t
            .regions
            .iter()
            .filter(|r| {
                units
                    .iter()
                    .any(|u| !live.contains(&(u.clone(), (*r).clone())))
            })
            .cloned()
            .collect();
        if !missing.is_empty() {
            steps.push(add(t, missing));
        }
    }
    let mut extra: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (unit, region) in live.difference(&wanted) {
        extra.entry(region.clone()).or_default().push(unit.clone());
    }
    // Group regions that lose the same units.
    let mut by_units: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
    for (region, units) in extra {
        by_units.entry(units).or_default().push(region);
    }
    for (units, regions) in by_units {
        steps.push(if service {
            Step::RemoveInstances {
                organizational_units: units,
                accounts: Vec::new(),
                regions,
            }
        } else {
            Step::RemoveInstances {
                organizational_units: Vec::new(),
                accounts: units,
                regions,
            }
        });
    }
    steps
}

pub fn describe(step: &Step) -> String {
    let targets = |ous: &[String], accounts: &[String]| {
        let mut parts = Vec::new();
        if !ous.is_empty() {
            parts.push(format!("OUs {}", ous.join(", ")));
        }
        if !accounts.is_empty() {
            parts.push(format!("accounts {}", accounts.join(", ")));
        }
        parts.join(" and ")
    };
    match step {
        Step::Create => "create".to_owned(),
        Step::Update { differs } => format!("update {}", differs.join(", ")),
        Step::AddInstances {
            organizational_units,
            accounts,
            regions,
            ..
        } => format!(
            "add instances for {} in {}",
            targets(organizational_units, accounts),
            regions.join(", ")
        ),
        Step::RemoveInstances {
            organizational_units,
            accounts,
            regions,
        } => format!(
            "remove instances of {} in {}",
            targets(organizational_units, accounts),
            regions.join(", ")
        ),
    }
}
