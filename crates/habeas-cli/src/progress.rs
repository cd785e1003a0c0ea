//! Progress on standard error for long work (verify, audit, rebuild, import,
//! catching the read models up): a line that rewrites itself on a terminal,
//! nothing when piped. Work that ends within [`QUIET_FOR`] prints nothing,
//! so quick commands stay quiet.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// How long a task runs before its progress line appears.
const QUIET_FOR: Duration = Duration::from_millis(300);

/// A progress line for one task.
pub(crate) struct Progress {
    label: &'static str,
    unit: &'static str,
    enabled: bool,
    started: Instant,
    last_drawn: Option<Instant>,
    drew: bool,
}

impl Progress {
    /// A progress line such as "verifying: 500/1000 events (50%)".
    pub(crate) fn new(label: &'static str, unit: &'static str) -> Self {
        Self {
            label,
            unit,
            enabled: std::io::stderr().is_terminal(),
            started: Instant::now(),
            last_drawn: None,
            drew: false,
        }
    }

    /// Changes what is counted (a task in stages), starting a new line.
    pub(crate) fn set_unit(&mut self, unit: &'static str) {
        if unit != self.unit {
            self.finish();
            self.drew = false;
            self.last_drawn = None;
            self.unit = unit;
        }
    }

    pub(crate) fn update(&mut self, done: u64, total: u64) {
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        if now - self.started < QUIET_FOR {
            return;
        }
        if self
            .last_drawn
            .is_some_and(|t| now - t < Duration::from_millis(100))
            && done < total
        {
            return;
        }
        self.last_drawn = Some(now);
        let percent = (done * 100).checked_div(total).unwrap_or(100);
        eprint!(
            "\r{}: {done}/{total} {} ({percent}%)",
            self.label, self.unit
        );
        let _ = std::io::stderr().flush();
        self.drew = true;
    }

    pub(crate) fn finish(&mut self) {
        if self.drew {
            eprintln!();
            self.drew = false;
        }
    }
}
