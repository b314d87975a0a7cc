//! Keeping the agent inside its memory limit: the limit of its cgroup (the pod's
//! `resources.limits.memory`) bounds how many commands may run at once and how large each
//! output may be, decided once at start — so any configuration the chart accepts fits.
//!
//! The estimate is measured, not guessed (release build, testbed with 3,000 pods, 200 mixed
//! commands): about 6 MiB idle, a command's pages and rendering about 6 MiB, and its output
//! about 1.5× the output budget while it is encoded and split (4 workers × 20 MiB budgets
//! peaked at 75 MB). Defaults (4 workers, 256 KiB) peaked at 30 MB.

use std::path::Path;

const MIB: usize = 1024 * 1024;
/// The agent with nothing running (binary, TLS roots, buffers).
pub const BASE: usize = 8 * MIB;
/// One running command, output aside (a page of objects, rendering).
pub const PER_COMMAND: usize = 6 * MIB;
/// Share of the limit the estimate may use (the rest is headroom for the allocator).
const USABLE_PERCENT: usize = 80;

/// Peak memory of `workers` commands with `max_output` budgets at once.
pub fn estimate(workers: usize, max_output: usize) -> usize {
    BASE + workers * (PER_COMMAND + max_output * 3 / 2)
}

/// Workers and output budget that fit `limit` bytes: workers are lowered first (down to
/// one), then the budget; `None` when the asked ones fit. The string says what changed.
pub fn fit(workers: usize, max_output: usize, limit: usize) -> Option<(usize, usize, String)> {
    let usable = limit / 100 * USABLE_PERCENT;
    if estimate(workers, max_output) <= usable {
        return None;
    }
    let per = PER_COMMAND + max_output * 3 / 2;
    let w = (usable.saturating_sub(BASE) / per).clamp(1, workers);
    let out = if estimate(w, max_output) <= usable {
        max_output
    } else {
        (usable.saturating_sub(BASE + PER_COMMAND) * 2 / 3).max(64 * 1024)
    };
    let why = format!(
        "--workers {workers} with --max-output-bytes {max_output} needs about {} MiB, more than \
         {USABLE_PERCENT}% of the {} MiB memory limit: running {w} worker(s) with \
         --max-output-bytes {out} (raise the limit or lower these to silence this)",
        estimate(workers, max_output) / MIB,
        limit / MIB
    );
    Some((w, out, why))
}

/// The memory limit of this process's cgroup (v2 `memory.max`, else v1
/// `memory.limit_in_bytes`), or `None` when there is none.
pub fn cgroup_limit(root: &Path) -> Option<usize> {
    let read = |p: &str| std::fs::read_to_string(root.join(p)).ok();
    let v = read("memory.max").or_else(|| read("memory/memory.limit_in_bytes"))?;
    let n: usize = v.trim().parse().ok()?;
    // v1 reports "no limit" as a huge number.
    (n < (1 << 50)).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_fit_the_charts_limit() {
        assert_eq!(fit(4, 256 * 1024, 64 * MIB), None);
    }

    #[test]
    fn a_configuration_above_the_limit_is_lowered_to_fit() {
        let (w, out, why) = fit(4, 20 * MIB, 64 * MIB).unwrap();
        assert!(
            estimate(w, out) <= 64 * MIB / 100 * USABLE_PERCENT,
            "{w} {out}"
        );
        assert_eq!((w, out), (1, 20 * MIB));
        assert!(why.contains("running 1 worker"), "{why}");
        let (w, out, _) = fit(64, 64 * MIB, 64 * MIB).unwrap();
        assert_eq!(w, 1);
        assert!(out < 64 * MIB && estimate(w, out) <= 64 * MIB / 100 * USABLE_PERCENT);
        let (w, _, _) = fit(64, 256 * 1024, 64 * MIB).unwrap();
        assert!((2..64).contains(&w), "{w}");
    }

    #[test]
    fn cgroup_limits_are_read_from_v2_then_v1() {
        let dir = std::env::temp_dir().join(format!("kubeglass-cg-{}", std::process::id()));
        // A reused process id must not find an earlier run's files.
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("memory")).unwrap();
        assert_eq!(cgroup_limit(&dir), None);
        std::fs::write(
            dir.join("memory/memory.limit_in_bytes"),
            "9223372036854771712\n",
        )
        .unwrap();
        assert_eq!(cgroup_limit(&dir), None, "v1 without a limit");
        std::fs::write(dir.join("memory/memory.limit_in_bytes"), "67108864\n").unwrap();
        assert_eq!(cgroup_limit(&dir), Some(64 * MIB));
        std::fs::write(dir.join("memory.max"), "max\n").unwrap();
        assert_eq!(cgroup_limit(&dir), None, "v2 max means none");
        std::fs::write(dir.join("memory.max"), "33554432\n").unwrap();
        assert_eq!(cgroup_limit(&dir), Some(32 * MIB));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
