//! Benchmarks of Habeas at realistic scale, side by side with raw sled and SQLite.
//!
//! # Main items
//!
//! - [`dataset::generate`] (with [`dataset::DataSetConfig`]): a seeded generator of a
//!   realistic data set (people with valid case timelines, partial dates,
//!   statements about several people, corrections) as [`dataset::DataSet`].
//! - [`stats::Samples`]: latency samples with medians and percentiles.
//! - [`baseline`]: the raw sled and SQLite baselines, written with the same
//!   encoded envelopes and the same groups as Habeas.
//! - [`machine::Machine`]: what the figures were measured on.
//!
//! The `habeas-bench` binary runs every measurement in one invocation and prints
//! a Markdown table; `scripts/bench.sh` builds and runs it. BENCHMARKS.md at the
//! workspace root holds the figures and what limits each.

pub mod baseline;
pub mod dataset;
pub mod machine;
pub mod stats;
