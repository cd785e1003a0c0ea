//! Progress on standard error for long work (verify now; import and rebuild
//! later): a line that rewrites itself on a terminal, nothing when piped.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// A progress line for one task.
pub(crate) struct Progress {
    label: &'static str,
    unit: &'static str,
    enabled: bool,
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
            last_drawn: None,
            drew: false,
        }
    }

    pub(crate) fn update(&mut self, done: u64, total: u64) {
        if !self.enabled {
            return;
        }
        let now = Instant::now();
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
        }
    }
}
