//! How the binary shows the engine's events: a progress display on a terminal, one line per
//! finished change in logs, or JSON lines. The engine only reports; these only render.

use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chatlog::engine::{Event, Hooks};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

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

/// One line per finished change (and read) on standard error, as it happens: CI logs show
/// progress while standard output keeps the deterministic report.
pub struct Lines;

impl Hooks for Lines {
    fn on(&self, event: Event) {
        if let Some(text) = line(&event, SystemTime::now()) {
            let _ = writeln!(std::io::stderr(), "{text}");
        }
    }
}

/// Every event as one JSON object per line on standard output (`apply --format json`).
pub struct JsonLines;

impl Hooks for JsonLines {
    fn on(&self, event: Event) {
        if let Ok(text) = serde_json::to_string(&event) {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{text}");
            let _ = out.flush();
        }
    }
}

/// A bar per deployment and one for everything, on a terminal's standard error; cleared when
/// dropped. Changes done / total, reads as rooms listed and GetRoom calls left, and an ETA.
pub struct Display {
    bars: MultiProgress,
    overall: ProgressBar,
    per_deployment: Mutex<Vec<(String, ProgressBar)>>,
}

impl Display {
    pub fn new(what: &str) -> Display {
        let bars = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let overall = bars.add(ProgressBar::new(0));
        overall.set_style(style(
            "{prefix:>24} [{bar:30}] {pos}/{len} {msg} (ETA {eta})",
        ));
        overall.set_prefix(what.to_owned());
        Display {
            bars,
            overall,
            per_deployment: Mutex::new(Vec::new()),
        }
    }

    fn bar(&self, deployment: &str) -> ProgressBar {
        let mut all = self
            .per_deployment
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, bar)) = all.iter().find(|(d, _)| d == deployment) {
            return bar.clone();
        }
        let bar = self.bars.add(ProgressBar::new(0));
        bar.set_style(style("{prefix:>24} [{bar:30}] {pos}/{len} {msg}"));
        bar.set_prefix(deployment.to_owned());
        all.push((deployment.to_owned(), bar.clone()));
        bar
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

impl Hooks for Display {
    fn on(&self, event: Event) {
        match event {
            Event::ReadStarted { deployment } => self.bar(&deployment).set_message("reading"),
            Event::RoomsListed { deployment, count } => self
                .bar(&deployment)
                .set_message(format!("{count} rooms listed")),
            Event::RoomsRead {
                deployment,
                done,
                total,
            } => {
                let bar = self.bar(&deployment);
                bar.set_length(total as u64);
                bar.set_position(done as u64);
                bar.set_message(format!("GetRoom: {} left", total.saturating_sub(done)));
            }
            Event::ReadDone { deployment, .. } => self.bar(&deployment).set_message("read"),
            Event::Planned {
                deployment,
                pending,
            } => {
                let bar = self.bar(&deployment);
                bar.set_length(pending as u64);
                bar.set_position(0);
                bar.set_message(format!("{pending} changes"));
                self.overall.inc_length(pending as u64);
            }
            Event::ChangeStarted { deployment, change } => {
                self.bar(&deployment).set_message(change);
            }
            Event::ChangeDone { deployment, .. } => {
                self.bar(&deployment).inc(1);
                self.overall.inc(1);
            }
            Event::ChangeFailed { deployment, .. } => {
                self.bar(&deployment).set_message("failed");
                self.overall.inc(1);
            }
            Event::Verified {
                deployment,
                differs,
            } => {
                self.bar(&deployment).set_message(if differs.is_empty() {
                    "verified".to_owned()
                } else {
                    format!("{} still differ", differs.len())
                });
            }
        }
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        let _ = self.bars.clear();
    }
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
}
