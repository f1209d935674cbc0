//! How the binary shows the engine's events: a progress display on a terminal, one line per
//! finished change in logs, or JSON lines. The engine only reports; these only render.

use std::io::Write;
use std::sync::Mutex;
use std::time::SystemTime;

use chatlog::engine::{Event, Hooks};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// One line per finished change (and read) on standard error, as it happens: CI logs show
/// progress while standard output keeps the deterministic report.
pub struct Lines;

impl Hooks for Lines {
    fn on(&self, event: Event) {
        if let Some(text) = chatlog::report::events::line(&event, SystemTime::now()) {
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
