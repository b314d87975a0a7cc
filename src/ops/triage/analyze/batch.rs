//! Jobs and CronJobs: a Job that failed (under its CronJob when it has one), a suspended
//! CronJob, and one whose last successful run is older than several schedule periods
//! (`status.lastSuccessfulTime` where the server has it — batch/v1 — else the newest
//! completed Job the CronJob owns).

use std::time::{Duration, SystemTime};

use serde_json::Value;

use super::{Severity, Triage, quote};
use crate::json::{items, text};
use crate::timefmt;

/// Schedule periods without a successful run before a CronJob is a finding.
const LATE_PERIODS: u32 = 3;

impl Triage {
    /// A Job: one that failed is a finding; a CronJob's completed Job is remembered as its
    /// last success.
    pub fn job(&mut self, j: &Value) {
        let (ns, name) = (text(j, "/metadata/namespace"), text(j, "/metadata/name"));
        self.saw(ns);
        let cron = items(j, "/metadata/ownerReferences")
            .find(|o| text(o, "/kind") == "CronJob")
            .map(|o| format!("cronjob/{}", text(o, "/name")));
        for c in items(j, "/status/conditions") {
            if text(c, "/status") != "True" {
                continue;
            }
            if let (Some(cron), "Complete") = (&cron, text(c, "/type")) {
                let done = text(j, "/status/completionTime").to_string();
                let last = self
                    .cron_success
                    .entry((ns.to_string(), cron.clone()))
                    .or_default();
                if done > *last {
                    *last = done;
                }
            }
            if text(c, "/type") == "Failed" {
                let failed = j
                    .pointer("/status/failed")
                    .and_then(Value::as_i64)
                    .unwrap_or(0);
                let what = format!(
                    "{} {}: {} ({failed} failed pods)",
                    if cron.is_some() { "last run" } else { "Failed" },
                    text(c, "/reason"),
                    quote(text(c, "/message"))
                );
                let subject = cron.clone().unwrap_or_else(|| format!("job/{name}"));
                self.add(
                    Severity::Job,
                    ns,
                    &subject,
                    what,
                    name,
                    format!("describe job {name} -n {ns}"),
                );
            }
        }
    }

    /// A CronJob (read after Jobs): suspended, or no successful run for several periods.
    pub fn cronjob(&mut self, cj: &Value, now: SystemTime) {
        let (ns, name) = (text(cj, "/metadata/namespace"), text(cj, "/metadata/name"));
        self.saw(ns);
        let subject = format!("cronjob/{name}");
        let schedule = text(cj, "/spec/schedule");
        let last_run = text(cj, "/status/lastScheduleTime");
        let ran = match last_run {
            "" => "never ran".to_string(),
            t => format!("last run {} ago", timefmt::age(Some(t), now)),
        };
        let next = format!("describe cronjob {name} -n {ns}");
        if cj.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true) {
            let what = format!("suspended ({ran}; schedule {schedule:?})");
            self.add(Severity::Job, ns, &subject, what, name, next);
            return;
        }
        let Some(period) = schedule_period(schedule) else {
            return;
        };
        let success = match text(cj, "/status/lastSuccessfulTime") {
            "" => self
                .cron_success
                .get(&(ns.to_string(), subject.clone()))
                .cloned()
                .unwrap_or_default(),
            t => t.to_string(),
        };
        // Measured from the last success, or from creation when it never succeeded.
        let since = match success.as_str() {
            "" => text(cj, "/metadata/creationTimestamp"),
            s => s,
        };
        let Some(t) = timefmt::parse_rfc3339(since) else {
            return;
        };
        let late = now.duration_since(t).unwrap_or_default();
        if late > period * LATE_PERIODS {
            let what = format!(
                "no successful run for {} (schedule {schedule:?}, every {}; {ran})",
                timefmt::human_duration(late),
                timefmt::human_duration(period)
            );
            self.add(Severity::Job, ns, &subject, what, name, next);
        }
    }
}

/// The shortest interval a cron schedule fires at, roughly: enough to tell "several periods
/// late" (`*/5 * * * *` → 5 minutes, `0 3 * * *` → a day, `0 3 * * 1` → a week). `None`
/// when the schedule is not understood.
pub(super) fn schedule_period(schedule: &str) -> Option<Duration> {
    const MIN: u64 = 60;
    let minutes = match schedule.trim() {
        "@yearly" | "@annually" => 365 * 1440,
        "@monthly" => 31 * 1440,
        "@weekly" => 7 * 1440,
        "@daily" | "@midnight" => 1440,
        "@hourly" => 60,
        s => {
            let f: Vec<&str> = s.split_whitespace().collect();
            let [minute, hour, dom, _month, dow] = f.as_slice() else {
                return None;
            };
            // How often a field fires within its unit: `*` every step, `*/n` every n,
            // a list k times.
            let every = |field: &str| -> Option<u64> {
                match field {
                    "*" => Some(1),
                    _ => field.strip_prefix("*/").and_then(|n| n.parse().ok()),
                }
            };
            let times = |field: &str| field.split(',').count().max(1) as u64;
            if let Some(n) = every(minute) {
                n
            } else if let Some(n) = every(hour) {
                60 * n / times(minute)
            } else if *dom == "*" && *dow == "*" {
                1440 / (times(minute) * times(hour))
            } else if *dom == "*" {
                7 * 1440 / times(dow)
            } else {
                31 * 1440 / times(dom)
            }
        }
    };
    (minutes > 0).then(|| Duration::from_secs(minutes * MIN))
}
