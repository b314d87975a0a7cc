//! Shared helpers for integration and end-to-end tests: running the real binary, finding the
//! testbeds (a test that needs one and finds none fails, it never passes quietly), and the
//! canary strings that must never appear in any output.

#![allow(dead_code)]

pub mod classes;
pub mod fake_api;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use kubeglass::testing::aws::{Credentials, Provider};
use kubeglass::testing::sqs::Sqs;

/// Secret values the testbed's seed plants (shared/testbed/seed.py): any output holding one
/// (or its base64 form, which is how Secret data travels) is a leak.
pub const CANARIES: &[&str] = &[
    "canary-secret-value-7f3a",
    "canary-tls-key-91bc",
    "canary-env-literal-55d2",
];

/// The running kube testbed's directory (KUBE_TESTBED_DIR), or a failing test.
pub fn testbed() -> PathBuf {
    let dir = std::env::var("KUBE_TESTBED_DIR").unwrap_or_else(|_| {
        panic!(
            "KUBE_TESTBED_DIR is not set: this end-to-end test needs a running kube-testbed \
             (../shared/testbed/kube-testbed up DIR && kube-testbed seed DIR --pods 3000; \
             .ci/run does this)"
        )
    });
    let dir = PathBuf::from(dir);
    assert!(
        dir.join("testbed.env").exists(),
        "KUBE_TESTBED_DIR={} holds no testbed.env: is the testbed up?",
        dir.display()
    );
    dir
}

/// The second kube testbed's directory (KUBE_TESTBED2_DIR: another cluster whose events
/// live 2 minutes, `KUBE_TESTBED_EVENT_TTL=2m` at `up`), or a failing test.
pub fn testbed2() -> PathBuf {
    let dir = std::env::var("KUBE_TESTBED2_DIR").unwrap_or_else(|_| {
        panic!(
            "KUBE_TESTBED2_DIR is not set: this end-to-end test needs a second kube-testbed \
             (KUBE_TESTBED_EVENT_TTL=2m ../shared/testbed/kube-testbed up DIR2 && \
             kube-testbed seed DIR2; .ci/run does this)"
        )
    });
    let dir = PathBuf::from(dir);
    assert!(
        dir.join("testbed.env").exists(),
        "KUBE_TESTBED2_DIR={} holds no testbed.env: is the second testbed up?",
        dir.display()
    );
    dir
}

/// The testbed's testbed.env as a map.
pub fn testbed_env(dir: &Path) -> HashMap<String, String> {
    let text = std::fs::read_to_string(dir.join("testbed.env")).expect("read testbed.env");
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The kubeglass binary with a clean environment (no KUBECONFIG, no in-cluster variables).
pub fn kubeglass() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kubeglass"));
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", std::env::temp_dir())
        .env("RUST_LOG", "warn");
    c
}

/// Run a command, returning (exit code, stdout, stderr).
pub fn run(mut c: Command) -> (i32, String, String) {
    let out: Output = c.output().expect("run kubeglass");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `kubeglass query --kubeconfig K [extra…] -- ARGS` → (code, stdout, stderr).
pub fn query(kubeconfig: &Path, extra: &[&str], args: &[&str]) -> (i32, String, String) {
    let mut c = kubeglass();
    c.arg("query")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(extra)
        .arg("--")
        .args(args);
    let r = run(c);
    assert_no_canary(&format!("{args:?}"), &r.1);
    assert_no_canary(&format!("{args:?} (stderr)"), &r.2);
    r
}

/// Fail if `text` holds a canary, plain or base64 encoded.
pub fn assert_no_canary(what: &str, text: &str) {
    use base64::Engine as _;
    for c in CANARIES {
        let b64 = base64::engine::general_purpose::STANDARD.encode(c);
        assert!(!text.contains(c), "{what}: output leaks canary {c}");
        assert!(
            !text.contains(&b64),
            "{what}: output leaks base64 canary of {c}"
        );
    }
}

/// The `error: <Code>:` line of a failed command's stderr, if any (`kubeglass run` puts its
/// log line's timestamp and level before it: `[<time> ERROR kubeglass] error: …`).
pub fn error_code(stderr: &str) -> Option<String> {
    stderr
        .lines()
        .rev()
        .find_map(fatal_line)
        .and_then(|l| l.split_once(':'))
        .map(|(code, _)| code.to_string())
}

/// The text after `error: ` of a fatal line, plain (`query`) or timestamped (`run`).
pub fn fatal_line(line: &str) -> Option<&str> {
    line.strip_prefix("error: ")
        .or_else(|| line.split_once(" ERROR kubeglass] error: ").map(|(_, r)| r))
}

/// GET a testbed path as admin with curl-free Python (the oracle the tests compare against).
pub fn raw_get(dir: &Path, path: &str) -> serde_json::Value {
    let env = testbed_env(dir);
    let script = "import json,ssl,sys,urllib.request as u\n\
        ctx=ssl.create_default_context(cafile=sys.argv[2])\n\
        r=u.Request(sys.argv[1],headers={'Authorization':'Bearer '+sys.argv[3]})\n\
        print(u.urlopen(r,context=ctx).read().decode())";
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(format!("{}{path}", env["KUBE_TESTBED_SERVER"]))
        .arg(&env["KUBE_TESTBED_CA"])
        .arg(&env["KUBE_TESTBED_ADMIN_TOKEN"])
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "raw GET {path}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON from the API")
}

/// Sorted `metadata.name`s of a raw list.
pub fn raw_names(list: &serde_json::Value) -> Vec<String> {
    let mut names: Vec<String> = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["metadata"]["name"].as_str().map(str::to_string))
        .collect();
    names.sort();
    names
}

/// The first column (or the column after NAMESPACE) of a table, header skipped, sorted.
pub fn table_names(text: &str, name_col: usize) -> Vec<String> {
    let mut names: Vec<String> = text
        .lines()
        .skip(1)
        .filter(|l| !l.starts_with('['))
        .filter_map(|l| l.split_whitespace().nth(name_col).map(str::to_string))
        .collect();
    names.sort();
    names
}

/// Create an object on the testbed as admin (POST `path`); an object that already exists
/// (409, from an earlier run on the same testbed) counts as created.
pub fn raw_create(dir: &Path, path: &str, body: &serde_json::Value) {
    let env = testbed_env(dir);
    let script = "import ssl,sys,urllib.request as u,urllib.error as e\n\
        ctx=ssl.create_default_context(cafile=sys.argv[2])\n\
        r=u.Request(sys.argv[1],data=sys.argv[4].encode(),method='POST',headers={'Authorization':'Bearer '+sys.argv[3],'Content-Type':'application/json'})\n\
        try:\n    u.urlopen(r,context=ctx).read()\n\
        except e.HTTPError as x:\n    sys.exit(0 if x.code==409 else x.read().decode())";
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(format!("{}{path}", env["KUBE_TESTBED_SERVER"]))
        .arg(&env["KUBE_TESTBED_CA"])
        .arg(&env["KUBE_TESTBED_ADMIN_TOKEN"])
        .arg(body.to_string())
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "raw POST {path}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// One admin request to the testbed's API server: the tests write what no controller does
/// here (objects, statuses); `PATCH` is a merge patch. Fails the test unless it succeeds.
pub fn admin_request(dir: &Path, method: &str, path: &str, body: Option<&serde_json::Value>) {
    if let Err(e) = try_admin_request(dir, method, path, body) {
        panic!("{method} {path}: {e}");
    }
}

/// [`admin_request`], its failure returned (for cleanups, which must not panic in `Drop`).
pub fn try_admin_request(
    dir: &Path,
    method: &str,
    path: &str,
    body: Option<&serde_json::Value>,
) -> Result<(), String> {
    let env = testbed_env(dir);
    let script = "import ssl,sys,urllib.request as u\n\
        ctx=ssl.create_default_context(cafile=sys.argv[2])\n\
        ct='application/merge-patch+json' if sys.argv[4]=='PATCH' else 'application/json'\n\
        d=sys.argv[5].encode() if sys.argv[5] else None\n\
        r=u.Request(sys.argv[1],data=d,method=sys.argv[4],headers={'Authorization':'Bearer '+sys.argv[3],'Content-Type':ct})\n\
        u.urlopen(r,context=ctx).read()";
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(format!("{}{path}", env["KUBE_TESTBED_SERVER"]))
        .arg(&env["KUBE_TESTBED_CA"])
        .arg(&env["KUBE_TESTBED_ADMIN_TOKEN"])
        .arg(method)
        .arg(body.map(serde_json::Value::to_string).unwrap_or_default())
        .output()
        .map_err(|e| format!("python3: {e}"))?;
    match out.status.success() {
        true => Ok(()),
        false => Err(String::from_utf8_lossy(&out.stderr).into_owned()),
    }
}

/// `c` as a backend runs: the SQS testbed's endpoint and its admin key (send on commands,
/// receive on responses), from `env` ([`sqs_env`]).
pub fn as_backend<'a>(c: &'a mut Command, env: &HashMap<String, String>) -> &'a mut Command {
    c.env("AWS_REGION", &env["AWS_REGION"])
        .env("AWS_ENDPOINT_URL_SQS", &env["SQS_TESTBED_ENDPOINT"])
        .env("AWS_ACCESS_KEY_ID", &env["SQS_TESTBED_ADMIN_ACCESS_KEY_ID"])
        .env(
            "AWS_SECRET_ACCESS_KEY",
            &env["SQS_TESTBED_ADMIN_SECRET_ACCESS_KEY"],
        )
}

/// `kubeglass send` to the queue pair `(command, response)` as a backend ([`as_backend`]);
/// the caller adds `--timeout`, `--id` and the command.
pub fn send_command(env: &HashMap<String, String>, command: &str, response: &str) -> Command {
    let mut c = kubeglass();
    as_backend(&mut c, env).args([
        "send",
        "--command-queue-url",
        command,
        "--response-queue-url",
        response,
    ]);
    c
}

/// The SQS testbed's sqs.env as a map (a failing test when it is not up).
pub fn sqs_env() -> HashMap<String, String> {
    let dir = std::env::var("SQS_TESTBED_DIR").unwrap_or_else(|_| {
        panic!("SQS_TESTBED_DIR is not set: this test needs ../shared/testbed/sqs-testbed up DIR (.ci/run does it)")
    });
    let text = std::fs::read_to_string(Path::new(&dir).join("sqs.env"))
        .expect("read sqs.env: is the SQS testbed up?");
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.trim_matches(['"', '\'']).to_string()))
        .collect()
}

/// A `kubeglass run` agent on one of the SQS testbed's queue pairs (the standard pair unless
/// started with [`SqsAgent::start_on`]), with the agent's key; stopped when dropped.
pub struct SqsAgent {
    child: std::process::Child,
    env: HashMap<String, String>,
    queues: (String, String),
}

impl SqsAgent {
    /// Start an agent reading the cluster of `kubeconfig`, with `extra` flags.
    pub fn start(kubeconfig: &Path, extra: &[&str]) -> SqsAgent {
        SqsAgent::spawn(kubeconfig, extra, None)
    }

    /// [`SqsAgent::start`] with `RUST_LOG=info` and the agent's log written to `log`.
    pub fn start_logged(kubeconfig: &Path, extra: &[&str], log: &Path) -> SqsAgent {
        SqsAgent::spawn(kubeconfig, extra, Some(log))
    }

    /// The agent's process id (its memory is in `/proc/PID/status`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    fn spawn(kubeconfig: &Path, extra: &[&str], log: Option<&Path>) -> SqsAgent {
        let env = sqs_env();
        let (c, r) = (
            env["SQS_TESTBED_COMMAND_QUEUE_URL"].clone(),
            env["SQS_TESTBED_RESPONSE_QUEUE_URL"].clone(),
        );
        SqsAgent::launch(kubeconfig, (&c, &r), extra, log)
    }

    /// Start an agent on the queue pair `(command, response)` (the testbed's second standard
    /// pair or its FIFO pair: another cluster's agent), with `extra` flags.
    pub fn start_on(
        kubeconfig: &Path,
        (command, response): (&str, &str),
        extra: &[&str],
    ) -> SqsAgent {
        SqsAgent::launch(kubeconfig, (command, response), extra, None)
    }

    fn launch(
        kubeconfig: &Path,
        (command, response): (&str, &str),
        extra: &[&str],
        log: Option<&Path>,
    ) -> SqsAgent {
        let env = sqs_env();
        let mut c = kubeglass();
        c.env("AWS_REGION", &env["AWS_REGION"])
            .env("AWS_ENDPOINT_URL_SQS", &env["SQS_TESTBED_ENDPOINT"])
            .env("AWS_ACCESS_KEY_ID", &env["AWS_ACCESS_KEY_ID"])
            .env("AWS_SECRET_ACCESS_KEY", &env["AWS_SECRET_ACCESS_KEY"])
            .args(["run", "--kubeconfig"])
            .arg(kubeconfig)
            .args([
                "--command-queue-url",
                command,
                "--response-queue-url",
                response,
            ])
            .args(extra)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        if let Some(log) = log {
            c.env("RUST_LOG", "info")
                .stderr(std::fs::File::create(log).expect("the agent's log file"));
        }
        let child = c.spawn().expect("start the agent");
        SqsAgent {
            child,
            env,
            queues: (command.to_string(), response.to_string()),
        }
    }

    /// `kubeglass send ARGS` to it as a backend would (the admin key): the answer's text, the
    /// command having succeeded. The wait outlasts a visibility timeout (90 s): an agent an
    /// earlier test SIGKILLed leaves its long poll open in the queue server, which can take
    /// this command and hide it until then.
    pub fn send(&self, args: &[&str]) -> String {
        let env = &self.env;
        let mut c = send_command(env, &self.queues.0, &self.queues.1);
        c.args(["--timeout", "150s"]).args(args);
        let (code, out, err) = run(c);
        assert_eq!(code, 0, "send {args:?}: {err}");
        out
    }
}

impl Drop for SqsAgent {
    fn drop(&mut self) {
        terminate(&mut self.child);
    }
}

/// Stop an agent as Kubernetes does: SIGTERM, and wait up to 30 s for it to drain (then
/// SIGKILL). A SIGKILLed agent leaves its 20 s long poll open in the queue server, which then
/// takes the next test's first command and hides it for the visibility timeout. Its exit code
/// (-1 when it had to be killed or died of a signal).
pub fn terminate(child: &mut std::process::Child) -> i32 {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::time::Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return status.code().unwrap_or(-1);
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    -1
}

/// The backend's client (admin key), always straight to the SQS testbed (never the proxy).
pub fn backend(env: &HashMap<String, String>) -> Sqs {
    let creds = Credentials {
        access_key_id: env["SQS_TESTBED_ADMIN_ACCESS_KEY_ID"].clone().into(),
        secret_access_key: env["SQS_TESTBED_ADMIN_SECRET_ACCESS_KEY"].clone().into(),
        session_token: None,
        expires: None,
        source: "test",
    };
    Sqs::at(
        &env["SQS_TESTBED_ENDPOINT"],
        &env["AWS_REGION"],
        None,
        Arc::new(Provider::fixed(creds)),
    )
    .expect("sqs client")
}

/// `text` as a container log, read as the logs op reads one (line by line, in order, with its
/// look-ahead, lines kept to 16 KiB): what a `logs` answer shows of it.
pub fn log_shown(text: &str) -> String {
    use kubeglass::testing::logs::LogLines;
    use kubeglass::testing::redact::RedactSettings;
    let reader = std::io::Cursor::new(text.as_bytes().to_vec());
    let mut lines = LogLines::new(Box::new(reader), &RedactSettings::default(), 16 * 1024);
    let mut shown = Vec::new();
    while let Some(l) = lines.next_line().expect("an in-memory log reads") {
        shown.push(l.into_string());
    }
    shown.join("\n")
}
