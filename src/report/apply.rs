//! What apply did, as a person reads it after the run: per deployment what was done, what
//! failed and what was not done, then the stack sets' operations. `apply --format json` prints
//! the same outcomes as data.

use crate::engine::DeploymentOutcome;
use crate::engine::stack_sets::StackSetOutcome;

/// Each stack set's finished steps, and its failed instances by account and region.
pub fn stack_sets_text(outcomes: &[StackSetOutcome]) -> String {
    let mut out = String::new();
    for o in outcomes {
        for d in &o.done {
            out.push_str(&format!(
                "  done: stack set {} ({}): {d}\n",
                o.stack_set, o.administrator
            ));
        }
        for f in &o.failures {
            out.push_str(&format!(
                "  failed: stack set {} in account {} in {}: {} {}\n",
                o.stack_set, f.account, f.region, f.status, f.reason
            ));
        }
    }
    out
}

/// Per deployment, in the spec's order: what was done, what failed, what was not done.
pub fn deployments_text(outcomes: &[DeploymentOutcome]) -> String {
    let mut out = String::new();
    for o in outcomes {
        if o.done.is_empty() && o.failed.is_empty() && o.not_done.is_empty() {
            continue;
        }
        if outcomes.len() > 1 {
            out.push_str(&format!("{}:\n", o.deployment));
        }
        let title = if o.failed.is_empty() {
            "Applied"
        } else {
            "Done"
        };
        out.push_str(&list(title, &o.done));
        if !o.failed.is_empty() {
            let failed: Vec<String> = o
                .failed
                .iter()
                .map(|(change, error)| format!("{change}: {error}"))
                .collect();
            out.push_str(&list("Failed", &failed));
            out.push_str(&list("Not done", &o.not_done));
        }
    }
    out
}

/// A titled list with its count: `Applied (2):` and one indented line per item.
pub fn list(title: &str, items: &[String]) -> String {
    let mut out = format!("{title} ({}):\n", items.len());
    for item in items {
        out.push_str("  ");
        out.push_str(item);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::stack_set::InstanceFailure;

    #[test]
    fn outcomes_match_their_snapshot() {
        let outcome = |deployment: &str, failed: bool| DeploymentOutcome {
            deployment: deployment.to_owned(),
            done: vec![format!("create AWS::IVSChat::Room lobby in {deployment}")],
            failed: if failed {
                vec![(
                    format!("create AWS::IVSChat::Room stage in {deployment}"),
                    crate::aws::ChangeError::Aws(crate::aws::AwsError {
                        action: "ivschat:CreateRoom".to_owned(),
                        resource: "stage".to_owned(),
                        code: Some("ServiceQuotaExceededException".to_owned()),
                        status: Some(402),
                        message: "too many rooms".to_owned(),
                        outcome_unknown: false,
                    }),
                )]
            } else {
                Vec::new()
            },
            not_done: if failed {
                vec![format!("update AWS::IVSChat::Room hall in {deployment}")]
            } else {
                Vec::new()
            },
            answered: Vec::new(),
        };
        let sets = [StackSetOutcome {
            stack_set: "chat-baseline".to_owned(),
            administrator: "111122223333/us-east-1".to_owned(),
            done: vec!["create".to_owned()],
            failures: vec![InstanceFailure {
                account: "444455556666".to_owned(),
                region: "eu-west-1".to_owned(),
                status: "FAILED".to_owned(),
                reason: "Bucket already exists".to_owned(),
            }],
            error: None,
        }];
        let text = deployments_text(&[
            outcome("111122223333/us-west-2", false),
            outcome("444455556666/eu-west-1", true),
        ]) + &stack_sets_text(&sets);
        insta::with_settings!({
            snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!("report-apply", text);
        });
    }
}
