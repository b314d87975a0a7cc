//! End-to-end: `kubeglass mcp --fleet` over the SQS testbed to two agents, driven by the
//! official MCP Python SDK (tests/mcp_fleet_client.py holds the checks). Both agents read
//! the one kube testbed with different scopes, standing in for two clusters: `east` on the
//! second standard queue pair with `--namespaces shop`, `west` on the FIFO pair with
//! `--namespaces payments`. The server signs with the testbed's admin key (the backend's
//! identity). Needs KUBE_TESTBED_DIR, SQS_TESTBED_DIR and the SDK (pip); fails without them.

mod support;

use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use support::*;

/// A running agent, stopped when the test ends however it ends: with SIGTERM, waited for
/// (up to 30 s), because a SIGKILLed agent's open long poll stays open in the queue server
/// and takes the next run's first command into a visibility timeout.
struct Agent(Child);

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let end = Instant::now() + Duration::from_secs(30);
        while Instant::now() < end {
            if !matches!(self.0.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Start an agent (the agent's own least-privilege key) on one queue pair.
fn agent(env: &HashMap<String, String>, name: &str, cmd: &str, resp: &str, ns: &str) -> Agent {
    let log = std::env::temp_dir().join(format!(
        "kubeglass-e2e-fleet-{name}-{}.log",
        std::process::id()
    ));
    let mut c = kubeglass();
    c.env("AWS_REGION", &env["AWS_REGION"])
        .env("AWS_ENDPOINT_URL_SQS", &env["SQS_TESTBED_ENDPOINT"])
        .env("AWS_ACCESS_KEY_ID", &env["AWS_ACCESS_KEY_ID"])
        .env("AWS_SECRET_ACCESS_KEY", &env["AWS_SECRET_ACCESS_KEY"])
        .env("RUST_LOG", "info")
        .args(["run", "--kubeconfig"])
        .arg(testbed().join("kubeconfig"))
        .args(["--command-queue-url", cmd, "--response-queue-url", resp])
        .args(["--cluster-name", name, "--namespaces", ns])
        .arg("--health-file")
        .arg(std::env::temp_dir().join(format!(
            "kubeglass-e2e-fleet-{name}-{}.alive",
            std::process::id()
        )))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("log file"));
    Agent(c.spawn().expect("start the agent"))
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR), the SQS testbed (SQS_TESTBED_DIR) and the MCP Python SDK (pip)"]
fn mcp_fleet_reaches_each_clusters_agent_over_its_queues_and_says_which_did_not_answer() {
    let env = sqs_env();
    let sqs = backend(&env);
    let east = (
        &env["SQS_TESTBED_COMMAND_QUEUE_B_URL"],
        &env["SQS_TESTBED_RESPONSE_QUEUE_B_URL"],
    );
    let west = (
        &env["SQS_TESTBED_COMMAND_FIFO_QUEUE_URL"],
        &env["SQS_TESTBED_RESPONSE_FIFO_QUEUE_URL"],
    );
    // What an earlier test left on these queues is not this test's.
    for q in [east.0, east.1, west.0, west.1] {
        let _ = sqs.call("PurgeQueue", &json!({"QueueUrl": q}));
    }
    let _east = agent(&env, "east", east.0, east.1, "shop");
    let west_agent = agent(&env, "west", west.0, west.1, "payments");
    let dir = std::env::temp_dir().join(format!("kubeglass-e2e-fleet-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let fleet = dir.join("fleet.yaml");
    std::fs::write(
        &fleet,
        format!(
            "clusters:\n  - name: east\n    commandQueueUrl: {}\n    responseQueueUrl: {}\n  \
             - name: west\n    commandQueueUrl: {}\n    responseQueueUrl: {}\n",
            east.0, east.1, west.0, west.1
        ),
    )
    .expect("write the fleet file");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = r#"set -eu; . .ci/lib.sh; make_venv "$CI_MCP_VENV" $CI_MCP_PINS >&2; exec "$CI_MCP_VENV/bin/python" tests/mcp_fleet_client.py "$@""#;
    let out = Command::new("bash")
        .args(["-c", script, "mcp_fleet_client"])
        .arg(env!("CARGO_BIN_EXE_kubeglass"))
        .arg(&fleet)
        .arg(west_agent.0.id().to_string())
        .current_dir(repo)
        // The backend's identity: the admin key (send on commands, receive on responses).
        .env("AWS_REGION", &env["AWS_REGION"])
        .env("AWS_ENDPOINT_URL_SQS", &env["SQS_TESTBED_ENDPOINT"])
        .env("AWS_ACCESS_KEY_ID", &env["SQS_TESTBED_ADMIN_ACCESS_KEY_ID"])
        .env(
            "AWS_SECRET_ACCESS_KEY",
            &env["SQS_TESTBED_ADMIN_SECRET_ACCESS_KEY"],
        )
        .output()
        .expect("run bash");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "the MCP fleet checks failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        out.status
    );
    assert!(stdout.contains("all MCP fleet checks passed"), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}
