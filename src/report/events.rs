//! The engine's events as log lines: one line per finished read or change, with the time, for
//! CI logs (the binary prints them on standard error while apply runs).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::engine::Event;

/// `HH:MM:SS` in UTC, for log lines.
fn clock(now: SystemTime) -> String {
    let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) % 86_400;
    format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

/// "create AWS::IVSChat::Room lobby in A/R" as it reads once done.
fn past(change: &str) -> String {
    let (verb, rest) = change.split_once(' ').unwrap_or((change, ""));
    let done = match verb {
        "create" => "created",
        "update" => "updated",
        "delete" => "deleted",
        other => other,
    };
    format!("{done} {rest}")
}

fn seconds(ms: u64) -> String {
    format!("{:.1} s", Duration::from_millis(ms).as_secs_f64())
}

/// The line a log shows for an event, if any: finished changes and reads, failures.
pub fn line(event: &Event, now: SystemTime) -> Option<String> {
    let at = clock(now);
    Some(match event {
        Event::ReadDone {
            deployment,
            rooms,
            logging_configurations,
            elapsed_ms,
        } => format!(
            "{at} read {deployment}: {rooms} rooms, {logging_configurations} logging configurations ({})",
            seconds(*elapsed_ms)
        ),
        Event::ChangeDone {
            change, elapsed_ms, ..
        } => format!("{at} {} ({})", past(change), seconds(*elapsed_ms)),
        Event::ChangeFailed {
            change,
            error,
            elapsed_ms,
            ..
        } => format!(
            "{at} failed to {change} ({}): {error}",
            seconds(*elapsed_ms)
        ),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finished_change_reads_as_a_timestamped_line_in_the_past_tense() {
        let at = UNIX_EPOCH + Duration::from_secs(86_400 * 3 + 12 * 3600 + 4 * 60 + 5);
        let event = Event::ChangeDone {
            deployment: "111122223333/us-west-2".to_owned(),
            change: "create AWS::IVSChat::Room lobby in 111122223333/us-west-2".to_owned(),
            operations: 1,
            elapsed_ms: 420,
        };
        assert_eq!(
            line(&event, at).as_deref(),
            Some("12:04:05 created AWS::IVSChat::Room lobby in 111122223333/us-west-2 (0.4 s)")
        );
        let started = Event::ChangeStarted {
            deployment: "d".to_owned(),
            change: "c".to_owned(),
        };
        assert_eq!(line(&started, at), None);
    }

    #[test]
    fn lines_match_their_snapshot() {
        let at = UNIX_EPOCH + Duration::from_secs(86_400 * 3 + 9 * 3600 + 30 * 60);
        let d = || "111122223333/us-west-2".to_owned();
        let events = [
            Event::ReadDone {
                deployment: d(),
                rooms: 12,
                logging_configurations: 3,
                elapsed_ms: 1_250,
            },
            Event::ChangeDone {
                deployment: d(),
                change: "update AWS::IVSChat::Room lobby in 111122223333/us-west-2".to_owned(),
                operations: 1,
                elapsed_ms: 80,
            },
            Event::ChangeFailed {
                deployment: d(),
                change: "delete AWS::IVSChat::LoggingConfiguration old in 111122223333/us-west-2"
                    .to_owned(),
                error: crate::aws::ChangeError::Aws(crate::aws::AwsError {
                    action: "ivschat:DeleteLoggingConfiguration".to_owned(),
                    resource: "old".to_owned(),
                    code: Some("ConflictException".to_owned()),
                    status: Some(409),
                    message: "in use".to_owned(),
                    outcome_unknown: false,
                }),
                elapsed_ms: 300,
            },
        ];
        let text: Vec<String> = events.iter().filter_map(|e| line(e, at)).collect();
        insta::with_settings!({
            snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!("report-events", text.join("\n"));
        });
    }
}
