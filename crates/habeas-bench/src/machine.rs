//! What the figures were measured on.

use std::path::Path;
use std::process::Command;

/// The machine and the moment of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Machine {
    /// Logical CPUs available to the process.
    pub n_cpus: usize,
    /// The CPU model from /proc/cpuinfo.
    pub cpu_model: String,
    /// The kernel release.
    pub kernel: String,
    /// The filesystem type of the data directory (from `df -T`).
    pub filesystem: String,
    /// The 1, 5 and 15 minute load averages when the run started.
    pub load_average: String,
}

impl Machine {
    /// Describes this machine; `data_dir` must exist.
    pub fn describe(data_dir: &Path) -> Machine {
        let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
        let cpu_model = read("/proc/cpuinfo")
            .lines()
            .find_map(|line| line.strip_prefix("model name"))
            .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_owned())
            .unwrap_or_else(|| "unknown".into());
        let load_average = read("/proc/loadavg")
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ");
        Machine {
            n_cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cpu_model,
            kernel: read("/proc/sys/kernel/osrelease").trim().to_owned(),
            filesystem: filesystem_of(data_dir).unwrap_or_else(|| "unknown".into()),
            load_average,
        }
    }
}

/// The filesystem type of `path`, from `df -T`.
pub fn filesystem_of(path: &Path) -> Option<String> {
    let output = Command::new("df").arg("-T").arg(path).output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    text.lines()
        .nth(1)?
        .split_whitespace()
        .nth(1)
        .map(str::to_owned)
}

/// The bytes allocated on disk for every file under `path` (what `du` counts)
/// and their apparent size (the sum of their lengths).
pub fn disk_usage(path: &Path) -> std::io::Result<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let mut allocated = 0;
    let mut apparent = 0;
    let metadata = std::fs::symlink_metadata(path)?;
    if metadata.is_dir() {
        for entry in std::fs::read_dir(path)? {
            let (a, b) = disk_usage(&entry?.path())?;
            allocated += a;
            apparent += b;
        }
    } else {
        allocated += metadata.blocks() * 512;
        apparent += metadata.len();
    }
    Ok((allocated, apparent))
}
