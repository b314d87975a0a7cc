//! Keeping the agent inside its memory limit: the limit of its cgroup (the pod's
//! `resources.limits.memory`) bounds how many commands may run at once and how large each
//! output may be, decided once at start — so any configuration the chart accepts fits.
//!
//! The estimate is measured, not guessed (release build, testbed with 3,000 pods, 200 mixed
//! commands): about 6 MiB idle, a command's pages and rendering about 6 MiB, and its output
//! up to 3× the output budget while it is rendered, encoded and split: `get pods -n load -o
//! json` cut at 8,000,000 bytes peaked at 30 MB alone (6 idle + 6 + 2.3× the budget; 1.5×
//! was the mixed commands' figure, and two such answers at once took a 64 MiB debug agent to
//! 66 MiB in CI). Defaults (4 workers, 256 KiB) peaked at 30 MB.

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
    BASE + workers * (PER_COMMAND + max_output * 3)
}

/// Workers and output budget that fit `limit` bytes: workers are lowered first (down to
/// one), then the budget; `None` when the asked ones fit. The string says what changed.
pub fn fit(workers: usize, max_output: usize, limit: usize) -> Option<(usize, usize, String)> {
    let usable = limit / 100 * USABLE_PERCENT;
    if estimate(workers, max_output) <= usable {
        return None;
    }
    let per = PER_COMMAND + max_output * 3;
    let w = (usable.saturating_sub(BASE) / per).clamp(1, workers);
    let out = if estimate(w, max_output) <= usable {
        max_output
    } else {
        (usable.saturating_sub(BASE + PER_COMMAND) / 3).max(64 * 1024)
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

/// The memory limit of this process's cgroup, or `None` when there is none: the smallest
/// of its own cgroup's and its ancestors' (v2 `memory.max`, v1 `memory.limit_in_bytes`),
/// found from `self_cgroup` (the text of `/proc/self/cgroup`) under `root`. In a container
/// its own cgroup is mounted at `root` itself, which is read too; outside one (an agent in
/// a systemd scope with `MemoryMax`) the path from `/proc/self/cgroup` finds it.
pub fn cgroup_limit(root: &Path, self_cgroup: &str) -> Option<usize> {
    let read = |p: &Path| -> Option<usize> {
        let n: usize = std::fs::read_to_string(p).ok()?.trim().parse().ok()?;
        // "max" (v2) does not parse; v1 reports "no limit" as a huge number.
        (n < (1 << 50)).then_some(n)
    };
    let mut files = vec![
        root.join("memory.max"),
        root.join("memory/memory.limit_in_bytes"),
    ];
    for line in self_cgroup.lines() {
        let mut fields = line.splitn(3, ':');
        let (Some(_), Some(controllers), Some(path)) =
            (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let (base, file) = match controllers {
            "" => (root.to_path_buf(), "memory.max"),
            c if c.split(',').any(|c| c == "memory") => {
                (root.join("memory"), "memory.limit_in_bytes")
            }
            _ => continue,
        };
        // The cgroup and each ancestor: a parent's limit bounds its children too.
        let mut dir = base.join(path.trim_start_matches('/'));
        while dir.starts_with(&base) && dir != base {
            files.push(dir.join(file));
            if !dir.pop() {
                break;
            }
        }
    }
    files.iter().filter_map(|f| read(f)).min()
}

/// The memory limit the agent fits itself into, and where it came from: `given`
/// (`--memory-limit` or `KUBEGLASS_MEMORY_LIMIT`: bytes, or with a `Ki`/`Mi`/`Gi` suffix;
/// the chart sets it from the container's limit through the downward API), else the
/// cgroup's ([`cgroup_limit`]).
pub fn limit(
    given: Option<&str>,
    cgroup: impl FnOnce() -> Option<usize>,
) -> Option<(usize, String)> {
    if let Some(v) = given.map(str::trim).filter(|v| !v.is_empty()) {
        match parse_bytes(v) {
            Some(n) => return Some((n, "--memory-limit".into())),
            None => log::warn!("--memory-limit {v:?} is not a byte count; ignored"),
        }
    }
    cgroup().map(|n| (n, "the cgroup's memory limit".into()))
}

/// `67108864`, `64Mi`, `65536Ki`, `1Gi` as bytes.
pub fn parse_bytes(v: &str) -> Option<usize> {
    let (num, mult) = match v {
        _ if v.ends_with("Ki") => (&v[..v.len() - 2], 1024),
        _ if v.ends_with("Mi") => (&v[..v.len() - 2], MIB),
        _ if v.ends_with("Gi") => (&v[..v.len() - 2], 1024 * MIB),
        _ => (v, 1),
    };
    num.parse::<usize>()
        .ok()?
        .checked_mul(mult)
        .filter(|n| *n > 0)
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
        assert_eq!(w, 1);
        assert!(out < 20 * MIB, "the budget is lowered too: {out}");
        assert!(why.contains("running 1 worker"), "{why}");
        let (w, out, _) = fit(64, 64 * MIB, 64 * MIB).unwrap();
        assert_eq!(w, 1);
        assert!(out < 64 * MIB && estimate(w, out) <= 64 * MIB / 100 * USABLE_PERCENT);
        let (w, _, _) = fit(64, 256 * 1024, 64 * MIB).unwrap();
        assert!((2..64).contains(&w), "{w}");
    }

    #[test]
    fn four_workers_with_8_mb_budgets_are_fitted_under_64_mib() {
        let (w, out, why) = fit(4, 8_000_000, 64 * MIB).expect("lowered");
        assert!(
            estimate(w, out) <= 64 * MIB / 100 * USABLE_PERCENT,
            "{w} {out}"
        );
        assert_eq!(out, 8_000_000, "the budget is kept, workers lowered: {why}");
        assert_eq!(w, 1, "{why}");
    }

    #[test]
    fn a_limit_in_the_environment_wins_over_the_cgroup() {
        let cg = || Some(32 * MIB);
        assert_eq!(limit(Some("64Mi"), cg).unwrap().0, 64 * MIB);
        assert_eq!(limit(Some("67108864"), cg).unwrap().0, 64 * MIB);
        assert_eq!(limit(Some("1Gi"), cg).unwrap().0, 1024 * MIB);
        assert_eq!(
            limit(Some("lots"), cg).unwrap().0,
            32 * MIB,
            "unreadable: ignored"
        );
        assert_eq!(limit(None, cg).unwrap().0, 32 * MIB);
        assert_eq!(limit(Some(""), || None), None);
    }

    #[test]
    fn cgroup_limits_are_read_from_v2_then_v1() {
        let dir = std::env::temp_dir().join(format!("kubeglass-cg-{}", std::process::id()));
        // A reused process id must not find an earlier run's files.
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("memory")).unwrap();
        assert_eq!(cgroup_limit(&dir, ""), None);
        std::fs::write(
            dir.join("memory/memory.limit_in_bytes"),
            "9223372036854771712\n",
        )
        .unwrap();
        assert_eq!(cgroup_limit(&dir, ""), None, "v1 without a limit");
        std::fs::write(dir.join("memory/memory.limit_in_bytes"), "67108864\n").unwrap();
        assert_eq!(cgroup_limit(&dir, ""), Some(64 * MIB));
        std::fs::write(dir.join("memory.max"), "max\n").unwrap();
        assert_eq!(cgroup_limit(&dir, ""), Some(64 * MIB), "v2 max means none");
        std::fs::write(dir.join("memory.max"), "33554432\n").unwrap();
        assert_eq!(cgroup_limit(&dir, ""), Some(32 * MIB));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_own_cgroup_and_its_ancestors_are_found_from_proc_self_cgroup() {
        let dir = std::env::temp_dir().join(format!("kubeglass-cg-own-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let scope = dir.join("user.slice/agent.scope");
        std::fs::create_dir_all(&scope).unwrap();
        std::fs::write(scope.join("memory.max"), "max\n").unwrap();
        std::fs::write(dir.join("user.slice/memory.max"), "67108864\n").unwrap();
        // v2: the scope has no limit of its own; its parent slice's bounds it.
        assert_eq!(
            cgroup_limit(&dir, "0::/user.slice/agent.scope\n"),
            Some(64 * MIB)
        );
        // v1: the memory controller's hierarchy.
        let v1 = dir.join("memory/job");
        std::fs::create_dir_all(&v1).unwrap();
        std::fs::write(v1.join("memory.limit_in_bytes"), "33554432\n").unwrap();
        assert_eq!(cgroup_limit(&dir, "4:memory:/job\n0::/\n"), Some(32 * MIB));
        assert_eq!(cgroup_limit(&dir, "4:cpu,memory:/job\n"), Some(32 * MIB));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
