//! Latency samples and the summaries the table quotes.

use std::time::Duration;

/// Durations measured for one operation.
#[derive(Debug, Clone, Default)]
pub struct Samples {
    durations: Vec<Duration>,
}

impl Samples {
    /// No samples yet.
    pub fn new() -> Samples {
        Samples::default()
    }

    /// Adds one sample.
    pub fn push(&mut self, duration: Duration) {
        self.durations.push(duration);
    }

    /// Adds every sample of `other`.
    pub fn extend(&mut self, other: Samples) {
        self.durations.extend(other.durations);
    }

    /// How many samples.
    pub fn len(&self) -> usize {
        self.durations.len()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.durations.is_empty()
    }

    /// The sample at `fraction` (0.5: the median, 0.99: p99), nearest rank;
    /// zero when there are no samples.
    pub fn percentile(&self, fraction: f64) -> Duration {
        if self.durations.is_empty() {
            return Duration::ZERO;
        }
        let mut sorted = self.durations.clone();
        sorted.sort_unstable();
        let rank = (fraction * sorted.len() as f64).ceil() as usize;
        sorted[rank.clamp(1, sorted.len()) - 1]
    }

    /// The median.
    pub fn median(&self) -> Duration {
        self.percentile(0.5)
    }
}

/// The median of some numbers (the lower middle one for an even count); zero
/// when there are none.
pub fn median(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[(sorted.len() - 1) / 2]
}

/// A duration in milliseconds with a sensible number of decimals.
pub fn ms(duration: Duration) -> String {
    let millis = duration.as_secs_f64() * 1000.0;
    if millis >= 100.0 {
        format!("{millis:.0} ms")
    } else if millis >= 10.0 {
        format!("{millis:.1} ms")
    } else {
        format!("{millis:.2} ms")
    }
}

/// A rate with thousands separators, e.g. `123 456/s`.
pub fn rate(per_second: f64) -> String {
    let whole = per_second.round() as u64;
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (idx, ch) in digits.chars().enumerate() {
        if idx > 0 && (digits.len() - idx).is_multiple_of(3) {
            grouped.push(' ');
        }
        grouped.push(ch);
    }
    format!("{grouped}/s")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let mut samples = Samples::new();
        for millis in 1..=100 {
            samples.push(Duration::from_millis(millis));
        }
        assert_eq!(samples.median(), Duration::from_millis(50));
        assert_eq!(samples.percentile(0.99), Duration::from_millis(99));
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(rate(1234567.4), "1 234 567/s");
    }
}
