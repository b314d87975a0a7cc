//! `kubeglass run`: the agent. Settings come from flags, then environment, then defaults,
//! and are checked at start with a one-line error.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use super::common::{self, flag_or_env};
use crate::agent::{self, Settings, SqsQueues};
use crate::aws::Provider;
use crate::error::{Error, Result};
use crate::ops::Engine;
use crate::ops::Executor;
use crate::protocol::AgentInfo;
use crate::sqs::{Sqs, SqsError};

/// Where the liveness file goes by default (the chart mounts an emptyDir at /tmp).
pub const DEFAULT_HEALTH_FILE: &str = "/tmp/kubeglass-alive";
/// Response size when the queue's own limit cannot be read.
const FALLBACK_MESSAGE_BYTES: usize = 256 * 1024;

/// Help for `kubeglass run --help`.
pub fn help() -> String {
    format!(
        "\
kubeglass run — the agent: take commands from SQS, answer on the response queue

Usage:
  kubeglass run --command-queue-url URL --response-queue-url URL [OPTIONS]
  kubeglass run --stdio [OPTIONS]      one JSON command per stdin line, responses on stdout

Agent:
  --command-queue-url URL     KUBEGLASS_COMMAND_QUEUE_URL
  --response-queue-url URL    KUBEGLASS_RESPONSE_QUEUE_URL
  --cluster-name NAME         KUBEGLASS_CLUSTER_NAME (default: default), sent in every answer
  --workers N                 commands run at once (default 4)
  --visibility-timeout DUR    how long a received command stays hidden (default 2m; at least
                              --command-timeout + 30s)
  --command-timeout DUR       longest a command may run (default 60s), then `Timeout`
  --heartbeat-interval DUR    heartbeat period on the response queue (default 60s)
  --health-file PATH          touched every poll (default {DEFAULT_HEALTH_FILE}); see `kubeglass health`
  --shutdown-grace DUR        on SIGTERM, time for running commands to finish (default 20s;
                              the open long poll is waited for too; a second signal quits now)
  --max-message-bytes N       largest response message (default: the queue's MaximumMessageSize)
  --memory-limit BYTES        KUBEGLASS_MEMORY_LIMIT (64Mi, 67108864; default: the cgroup's):
                              --workers and --max-output-bytes are lowered to fit it
  --record                    KUBEGLASS_RECORD=true: run the flight recorder (off by default):
                              watch pods, events, ReplicaSets, ControllerRevisions, Jobs (and
                              nodes) in scope and keep, in memory only, what went wrong
                              (terminations with their last log lines, Warning events, failed or
                              unschedulable pods, node conditions, rollouts, failed Jobs) for the
                              `history` command; lost on restart
  --record-bytes BYTES        KUBEGLASS_RECORD_BYTES: the recorder's budget (default 2Mi, at
                              least 64Ki); the oldest records are dropped first
  --ca-file PATH              an extra CA for HTTPS to AWS (TLS-inspecting proxies)
  --log-format text|json      stderr log lines (RUST_LOG sets the level; default info)
  KUBEGLASS_AGENT_ID          the agent id in answers and heartbeats (default: host name,
                              pid and a random suffix, unique per process)

AWS credentials: environment, IRSA, EKS Pod Identity / container credentials, ~/.aws files
(AWS_PROFILE, credential_process), EC2 IMDSv2. Region: AWS_REGION, else the queue URL.
AWS_ENDPOINT_URL_SQS overrides the SQS endpoint.

{}",
        common::CLUSTER_HELP
    )
}

/// What `run` was asked for.
struct RunArgs {
    cluster: common::ClusterArgs,
    settings: Settings,
    queues: Option<(String, String)>,
    ca_file: Option<PathBuf>,
    max_message_bytes: Option<usize>,
    memory_limit: Option<String>,
    /// The recorder's budget in bytes, when `--record` runs one.
    record: Option<usize>,
}

/// Run `kubeglass run`.
pub fn main(args: Vec<OsString>) -> ExitCode {
    let mut pargs = pico_args::Arguments::from_vec(args);
    if pargs.contains(["-h", "--help"]) {
        print!("{}", help());
        return ExitCode::SUCCESS;
    }
    let json_logs = matches!(
        pargs
            .opt_value_from_str::<_, String>("--log-format")
            .ok()
            .flatten()
            .as_deref(),
        Some("json")
    );
    super::init_logging_as("info", json_logs);
    let stdio = pargs.contains("--stdio");
    let parsed = parse(&mut pargs, stdio).and_then(|r| {
        let rest = pargs.finish();
        match rest.first() {
            Some(extra) => Err(Error::config(format!(
                "unexpected argument {extra:?} (see kubeglass run --help)"
            ))),
            None => Ok(r),
        }
    });
    let run = match parsed {
        Ok(r) => r,
        Err(e) => {
            print_fatal(&e);
            return ExitCode::from(2);
        }
    };
    match start(run, stdio) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line for the operator: the `error:` line; JSON log pipelines get it as a
            // log record too.
            if json_logs {
                log::error!("{e}");
            }
            print_fatal(&e);
            ExitCode::from(1)
        }
    }
}

/// The agent's last line before it exits: `error: <Code>: <message>`, with the timestamp
/// and level every log line has (printed whatever RUST_LOG says: it is why the agent quit).
fn print_fatal(e: &Error) {
    eprintln!(
        "[{} ERROR kubeglass] error: {}: {}",
        crate::timefmt::format_rfc3339(std::time::SystemTime::now()),
        e.code,
        e.message
    );
}

fn parse(pargs: &mut pico_args::Arguments, stdio: bool) -> Result<RunArgs> {
    let mut cluster = common::cluster_args(pargs)?;
    // The agent waits an unavailable API out within each command's deadline.
    cluster.kube.retry_unavailable = true;
    let commands = flag_or_env(pargs, "--command-queue-url", "KUBEGLASS_COMMAND_QUEUE_URL")?;
    let responses = flag_or_env(
        pargs,
        "--response-queue-url",
        "KUBEGLASS_RESPONSE_QUEUE_URL",
    )?;
    let queues = match (commands, responses, stdio) {
        (_, _, true) => None,
        (Some(c), Some(r), false) => Some((c, r)),
        _ => {
            return Err(Error::config(
                "--command-queue-url and --response-queue-url (or KUBEGLASS_COMMAND_QUEUE_URL / \
                 KUBEGLASS_RESPONSE_QUEUE_URL) are required, or use --stdio",
            ));
        }
    };
    let cluster_name = flag_or_env(pargs, "--cluster-name", "KUBEGLASS_CLUSTER_NAME")?
        .unwrap_or_else(|| "default".into());
    let workers: usize = pargs
        .opt_value_from_str("--workers")
        .map_err(common::usage)?
        .unwrap_or(4);
    if !(1..=64).contains(&workers) {
        return Err(Error::config(format!(
            "--workers must be 1 to 64, got {workers}"
        )));
    }
    let visibility = common::duration(pargs, "--visibility-timeout", 120)?;
    let command_timeout = common::duration(pargs, "--command-timeout", 60)?;
    let heartbeat =
        common::duration(pargs, "--heartbeat-interval", 60)?.max(Duration::from_secs(5));
    let grace = common::duration(pargs, "--shutdown-grace", 20)?;
    let health_file: PathBuf = pargs
        .opt_value_from_str("--health-file")
        .map_err(common::usage)?
        .unwrap_or_else(|| PathBuf::from(DEFAULT_HEALTH_FILE));
    let max_message_bytes: Option<usize> = pargs
        .opt_value_from_str("--max-message-bytes")
        .map_err(common::usage)?;
    let ca_file: Option<PathBuf> = pargs
        .opt_value_from_str("--ca-file")
        .map_err(common::usage)?;
    let memory_limit = flag_or_env(pargs, "--memory-limit", "KUBEGLASS_MEMORY_LIMIT")?;
    if let Some(v) = &memory_limit
        && agent::memory::parse_bytes(v.trim()).is_none()
    {
        return Err(Error::config(format!(
            "--memory-limit (KUBEGLASS_MEMORY_LIMIT) takes bytes, or Ki/Mi/Gi: got {v:?}"
        )));
    }
    let record = record_budget(
        pargs.contains("--record") || common::env_true("KUBEGLASS_RECORD"),
        flag_or_env(pargs, "--record-bytes", "KUBEGLASS_RECORD_BYTES")?,
    )?;
    let agent_id = agent_id(
        std::env::var("KUBEGLASS_AGENT_ID").ok(),
        std::env::var("HOSTNAME")
            .ok()
            .or_else(|| std::fs::read_to_string(KERNEL_HOSTNAME).ok()),
        std::process::id(),
        crate::protocol::unique_u64(),
    );
    let settings = Settings {
        agent: AgentInfo {
            id: agent_id,
            cluster: cluster_name,
            version: env!("CARGO_PKG_VERSION").into(),
        },
        namespaces: cluster.scope.namespaces.clone(),
        workers,
        visibility_timeout: agent::visibility_for(visibility, command_timeout)?,
        command_timeout,
        max_output_bytes: cluster.max_output_bytes,
        max_message_bytes: FALLBACK_MESSAGE_BYTES,
        heartbeat_interval: heartbeat,
        health_file,
        shutdown_grace: grace,
        kubernetes_version: String::new(),
    };
    Ok(RunArgs {
        cluster,
        settings,
        queues,
        ca_file,
        max_message_bytes,
        memory_limit,
        record,
    })
}

/// The recorder's budget when one runs: `--record-bytes` (bytes, or Ki/Mi/Gi) or the
/// default; a budget without `--record` is refused rather than silently unused.
fn record_budget(on: bool, bytes: Option<String>) -> Result<Option<usize>> {
    use crate::recorder::{DEFAULT_RECORD_BYTES, MIN_RECORD_BYTES};
    let budget = match &bytes {
        None => DEFAULT_RECORD_BYTES,
        Some(v) => agent::memory::parse_bytes(v.trim())
            .filter(|b| *b >= MIN_RECORD_BYTES)
            .ok_or_else(|| {
                Error::config(format!(
                    "--record-bytes (KUBEGLASS_RECORD_BYTES) takes bytes, or Ki/Mi/Gi, at least \
                     64Ki: got {v:?}"
                ))
            })?,
    };
    match (on, bytes) {
        (true, _) => Ok(Some(budget)),
        (false, None) => Ok(None),
        (false, Some(_)) => Err(Error::config(
            "--record-bytes (KUBEGLASS_RECORD_BYTES) needs --record (KUBEGLASS_RECORD=true)",
        )),
    }
}

/// The host name when `HOSTNAME` is not exported (bash sets it without exporting it).
const KERNEL_HOSTNAME: &str = "/proc/sys/kernel/hostname";

/// The agent's id in every answer and heartbeat: `KUBEGLASS_AGENT_ID` as given (the operator
/// then keeps it unique), else `<host>-<pid>-<6 hex digits of random>`, unique per process
/// even for two agents on one laptop or two containers of one pod name (pid 1 both). The
/// FIFO heartbeat deduplication id is built from it, so a shared id would drop heartbeats.
fn agent_id(set: Option<String>, host: Option<String>, pid: u32, random: u64) -> String {
    if let Some(id) = set.filter(|s| !s.trim().is_empty()) {
        log::info!("agent id {id:?} from KUBEGLASS_AGENT_ID");
        return id;
    }
    let host: String = host
        .as_deref()
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .unwrap_or("kubeglass")
        .chars()
        .take(64)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let id = format!("{host}-{pid}-{:06x}", random & 0xff_ffff);
    log::info!("agent id {id:?} (host name, pid, random; KUBEGLASS_AGENT_ID sets one)");
    id
}

/// Where the cgroup filesystem is mounted (the pod's memory limit is read there).
const CGROUP_ROOT: &str = "/sys/fs/cgroup";

fn start(mut r: RunArgs, stdio: bool) -> Result<()> {
    let limit = agent::memory::limit(r.memory_limit.as_deref(), || {
        let own = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
        agent::memory::cgroup_limit(std::path::Path::new(CGROUP_ROOT), &own)
    });
    if let Some((limit, source)) = &limit {
        log::info!("memory limit {} MiB (from {source})", limit / (1024 * 1024));
    }
    // The recorder's ring and its watchers' working memory come off the limit first.
    let recorder_bytes = r.record.map_or(0, |b| b + crate::recorder::WORKING_BYTES);
    if recorder_bytes > 0 && limit.is_some() {
        log::info!(
            "the flight recorder sets {} MiB of the memory limit aside (its ring and watchers)",
            recorder_bytes.div_ceil(1024 * 1024)
        );
    }
    if let Some((limit, _)) = limit
        && let Some((workers, out, why)) = agent::memory::fit(
            r.settings.workers,
            r.settings.max_output_bytes,
            limit.saturating_sub(recorder_bytes),
        )
    {
        log::warn!("{why}");
        r.settings.workers = workers;
        r.settings.max_output_bytes = out;
        r.cluster.max_output_bytes = out;
    }
    let mut engine = r.cluster.connect()?;
    let recorder = r.record.map(|budget| {
        log::info!(
            "flight recorder on: pods, events, workloads and nodes in scope, {} KiB in memory (lost on restart)",
            budget / 1024
        );
        Arc::new(crate::recorder::Recorder::new(
            budget,
            std::time::SystemTime::now(),
        ))
    });
    if let Some(rec) = &recorder {
        engine = engine.with_recorder(Arc::clone(rec));
    }
    let engine = Arc::new(engine);
    if let Some(rec) = recorder {
        crate::recorder::watch::start(Arc::clone(&engine), rec)?;
    }
    if stdio {
        let stdin = std::io::stdin().lock();
        let bounds = crate::ops::Bounds {
            max_output_bytes: r.cluster.max_output_bytes,
            command_timeout: r.settings.command_timeout,
        };
        return agent::stdio::serve(
            engine.as_ref(),
            &r.settings.agent,
            bounds,
            stdin,
            std::io::stdout().lock(),
        )
        .map_err(|e| Error::internal(format!("stdio: {e}")));
    }
    let mut settings = r.settings;
    let Some((commands, responses)) = r.queues else {
        return Err(Error::internal("no queues"));
    };
    let creds = Arc::new(Provider::from_env());
    let sqs = Sqs::new(&commands, r.ca_file.as_deref(), creds)?;
    let queues = SqsQueues {
        sqs,
        commands,
        responses,
    };
    // The three start-up reads are independent: made at once, the first poll waits for the
    // slowest of them, not their sum (docs/performance.md, first poll after start).
    let (version, command_queue, response_limit) = std::thread::scope(|s| {
        let version = s.spawn(|| kubernetes_version(&engine));
        let command_queue = s.spawn(|| queues.sqs.attribute(&queues.commands, "QueueArn"));
        let response_limit = agent::Queue::response_limit(&queues);
        (version.join(), command_queue.join(), response_limit)
    });
    let joined = || Error::internal("a start-up check thread failed");
    settings.kubernetes_version = version.map_err(|_| joined())?;
    checked(
        "command",
        &queues.commands,
        command_queue.map_err(|_| joined())?,
    )?;
    let limit = checked("response", &queues.responses, response_limit)?.flatten();
    settings.max_message_bytes = r
        .max_message_bytes
        .unwrap_or(limit.unwrap_or(FALLBACK_MESSAGE_BYTES));
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        // The first signal drains (up to one long poll); a second one quits at once.
        signal_hook::flag::register_conditional_shutdown(sig, 1, Arc::clone(&stop))
            .and_then(|_| signal_hook::flag::register(sig, Arc::clone(&stop)))
            .map_err(|e| Error::internal(format!("cannot handle signal {sig}: {e}")))?;
    }
    log::info!(
        "kubeglass {} agent: commands from {}, answers to {}, Kubernetes {}",
        env!("CARGO_PKG_VERSION"),
        queues.commands,
        queues.responses,
        settings.kubernetes_version
    );
    let exec: Arc<dyn Executor> = engine;
    agent::run(settings, Arc::new(queues), exec, stop)
}

/// The API server's `gitVersion`, or "unknown" (commands report an unreachable API).
fn kubernetes_version(engine: &Engine) -> String {
    match engine.get("/version") {
        // Redacted as an object; made printable here, as it is logged and sent as it is.
        Ok(v) => crate::output::printable(
            v.value()
                .get("gitVersion")
                .and_then(|g| g.as_str())
                .unwrap_or("unknown"),
        )
        .into_owned(),
        Err(e) => {
            log::warn!("the Kubernetes API did not answer /version ({e}); commands will report it");
            "unknown".into()
        }
    }
}

/// A queue's start-up read (GetQueueAttributes, which the least-privilege policy allows): a
/// typo'd URL, a wrong key or a missing permission stops the agent at start with one line,
/// instead of an agent that reports itself healthy while it cannot work. An outage (network,
/// throttling, 5xx) is only warned about (`Ok(None)`): the loop retries, and health tells.
fn checked<T>(role: &str, url: &str, read: Result<T, SqsError>) -> Result<Option<T>> {
    match read {
        Ok(v) => {
            log::debug!("the {role} queue answers");
            Ok(Some(v))
        }
        Err(e) if e.is_retryable() => {
            log::warn!(
                "cannot check the {role} queue at start: {}; using defaults",
                e.to_error(url)
            );
            Ok(None)
        }
        Err(e) => {
            let mut err = e.to_error(url);
            err.message = format!("the {role} queue: {}", err.message);
            Err(err)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::agent_id;

    #[test]
    fn agent_ids_are_unique_by_default_and_set_by_the_environment() {
        let a = agent_id(None, Some("laptop\n".into()), 42, 0xabc_def0);
        assert_eq!(a, "laptop-42-bcdef0");
        assert_ne!(a, agent_id(None, Some("laptop".into()), 42, 0x123_4567));
        assert_ne!(a, agent_id(None, Some("laptop".into()), 43, 0xabc_def0));
        assert_eq!(agent_id(None, None, 1, 0), "kubeglass-1-000000");
        assert_eq!(agent_id(None, Some("a b/c".into()), 1, 0), "a-b-c-1-000000");
        assert_eq!(
            agent_id(Some("pod-x".into()), Some("h".into()), 1, 0),
            "pod-x"
        );
        assert_eq!(
            agent_id(Some(" ".into()), Some("h".into()), 1, 0),
            "h-1-000000"
        );
    }
}
