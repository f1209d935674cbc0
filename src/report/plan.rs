//! The plan as a person reads it, and as JSON for tools: the changes of every deployment, then
//! the stack sets' steps.

use std::fmt::Write as _;

use serde_json::json;

use crate::plan::stack_sets::{StackSetPlan, Step, describe};
use crate::plan::{Action, Change};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    pub delete: usize,
    pub unchanged: usize,
    pub blocked: usize,
}

pub fn summary(changes: &[Change]) -> Summary {
    let mut s = Summary::default();
    for c in changes {
        if c.blocked.is_some() {
            s.blocked += 1;
            continue;
        }
        match c.action {
            Action::Create => s.create += 1,
            Action::Update => s.update += 1,
            Action::Delete => s.delete += 1,
            Action::NoChange => s.unchanged += 1,
        }
    }
    s
}

/// Values come from the account (tag values can hold anything): printed as JSON, so control
/// characters arrive escaped, never raw on a terminal.
pub fn render_text(changes: &[Change], owner: &str) -> String {
    let mut out = String::new();
    let mut current: Option<(&str, &str)> = None;
    for c in changes {
        if current != Some((c.account.as_str(), c.region.as_str())) {
            current = Some((c.account.as_str(), c.region.as_str()));
            let _ = writeln!(
                out,
                "{}/{} (owner tag chatlog:spec={owner})",
                c.account, c.region
            );
        }
        let sign = match (c.action, c.blocked.is_some()) {
            (Action::NoChange, _) => "=",
            (_, true) => "!",
            (Action::Create, _) => "+",
            (Action::Update, _) => "~",
            (Action::Delete, _) => "-",
        };
        let verb = match c.action {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::NoChange => "no change",
        };
        let of = if c.duplicate_of.is_some() {
            " duplicate of"
        } else {
            ""
        };
        let _ = write!(out, "  {sign} {verb}{of} {} {}", c.resource_type, c.key);
        if let Some(arn) = &c.arn {
            let _ = write!(out, " ({arn})");
        }
        out.push('\n');
        if let Some(kept) = &c.duplicate_of {
            let _ = writeln!(out, "      kept: {kept}");
        }
        for d in &c.diffs {
            let _ = writeln!(out, "      {}: {} -> {}", d.attribute, d.before, d.after);
        }
        if let Some(why) = &c.blocked {
            let _ = writeln!(out, "      not applied: {why}");
        }
    }
    let s = summary(changes);
    let _ = writeln!(
        out,
        "Plan: {} to create, {} to update, {} to delete, {} unchanged{}.",
        s.create,
        s.update,
        s.delete,
        s.unchanged,
        if s.blocked > 0 {
            format!("; {} not applicable (see `not applied`)", s.blocked)
        } else {
            String::new()
        }
    );
    out
}

pub fn render_json(changes: &[Change], owner: &str) -> String {
    let doc = json!({
        "owner": owner,
        "changes": changes,
        "summary": summary(changes),
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// One line per step, for `plan` and `apply`.
pub fn stack_sets_text(plans: &[StackSetPlan]) -> String {
    let mut out = String::new();
    for p in plans {
        if let Some(why) = &p.foreign {
            out.push_str(&format!(
                "  ! stack set {} ({}): not changed: {why}\n",
                p.name, p.administrator
            ));
            continue;
        }
        for s in &p.steps {
            out.push_str(&format!(
                "  {} stack set {} ({}): {}\n",
                match s {
                    Step::Create | Step::AddInstances { .. } => "+",
                    Step::Update { .. } => "~",
                    Step::RemoveInstances { .. } => "-",
                },
                p.name,
                p.administrator,
                describe(s)
            ));
        }
    }
    if out.is_empty() {
        return out;
    }
    format!("Stack sets:\n{out}")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::plan::AttributeDiff;

    fn change(resource_type: &'static str, key: &str, action: Action) -> Change {
        Change {
            account: "111122223333".to_owned(),
            region: "us-west-2".to_owned(),
            resource_type,
            key: key.to_owned(),
            arn: None,
            action,
            diffs: Vec::new(),
            blocked: None,
            duplicate_of: None,
            operations: Vec::new(),
            origin: None,
        }
    }

    /// The plan's text and JSON: a create, an update with a hostile value from the account, a
    /// blocked deletion and an unchanged resource.
    #[test]
    fn text_and_json_match_their_snapshots() {
        let mut update = change("AWS::IVSChat::Room", "lobby", Action::Update);
        update.arn = Some("arn:aws:ivschat:us-west-2:111122223333:room/abcdABCDefgh".to_owned());
        update.diffs = vec![AttributeDiff {
            attribute: "Tags.team".to_owned(),
            before: json!("chat\u{1b}[2J"),
            after: json!("chat"),
        }];
        let mut blocked = change("AWS::IVSChat::Room", "stage", Action::Delete);
        blocked.blocked = Some("the room is not chatlog's: it has no ownership tag".to_owned());
        let changes = [
            change(
                "AWS::IVSChat::LoggingConfiguration",
                "archive",
                Action::Create,
            ),
            update,
            blocked,
            change("AWS::S3::Bucket", "archive", Action::NoChange),
        ];
        insta::with_settings!({
            snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!("report-plan@text", render_text(&changes, "team-chat"));
            insta::assert_snapshot!("report-plan@json", render_json(&changes, "team-chat"));
        });
    }
}
