//! What stops apply before any change (problems at destinations), as a person reads it after
//! the plan. The JSON plan carries the same problems as data.

use crate::plan::destinations::Preflight;
use crate::sanitize::one_cell;

/// Preflight problems as a person reads them, after the plan.
pub fn render(problems: &[Preflight]) -> String {
    if problems.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "Apply cannot go ahead ({} problem{} at destinations; nothing is changed until they are fixed):\n",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    for problem in problems {
        // Quoted values come from the account: JSON-escaped, as the plan prints them.
        out.push_str(&format!(
            "  ! {}/{}: {}\n      fix: {}\n",
            problem.account,
            problem.region,
            one_cell(&problem.message),
            one_cell(&problem.help)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::destinations::Problem;

    #[test]
    fn preflight_text_escapes_values_from_the_account() {
        let text = render(&[Preflight {
            account: "111122223333".to_owned(),
            region: "us-west-2".to_owned(),
            destination: "x".to_owned(),
            problem: Problem::Missing,
            message: "bucket `a\u{1b}[2Jb` does not exist".to_owned(),
            help: "h".to_owned(),
            origin: None,
        }]);
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(text.contains("\\u{1b}"), "{text}");
        assert!(render(&[]).is_empty());
    }

    #[test]
    fn problems_match_their_snapshot() {
        let problem = |region: &str, message: &str, help: &str| Preflight {
            account: "111122223333".to_owned(),
            region: region.to_owned(),
            destination: "archive".to_owned(),
            problem: Problem::Missing,
            message: message.to_owned(),
            help: help.to_owned(),
            origin: None,
        };
        let text = render(&[
            problem(
                "us-west-2",
                "bucket `acme-chat-logs` does not exist",
                "create it, or set `create: true`",
            ),
            problem("eu-west-1", "log group `/x\ty` is missing", "h"),
        ]);
        insta::with_settings!({
            snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!("report-preflight", text);
        });
    }
}
