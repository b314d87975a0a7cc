//! End-to-end: `kubeglass mcp` driven by a real MCP client nobody here wrote — the official
//! Python SDK (PyPI `mcp`, pinned in .ci/lib.sh) — against the kube testbed. The checks are
//! in tests/mcp_client.py; this test provides the SDK (a cached virtualenv made by
//! .ci/lib.sh's `make_venv`), the binary, the testbed and the canaries, and fails when any
//! of them is missing.

mod support;

use std::path::Path;
use std::process::Command;

use support::{CANARIES, testbed};

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR) and the MCP Python SDK (pip)"]
fn the_python_sdk_lists_and_calls_the_tools_and_sees_querys_text() {
    let dir = testbed();
    let kubeconfig = dir.join("kubeconfig");
    assert!(kubeconfig.exists(), "{} is missing", kubeconfig.display());
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    // One shell: make (or reuse) the SDK's venv exactly as CI's tool step does, then run the
    // client with it.
    let script = r#"set -eu; . .ci/lib.sh; make_venv "$CI_MCP_VENV" $CI_MCP_PINS >&2; exec "$CI_MCP_VENV/bin/python" tests/mcp_client.py "$@""#;
    let out = Command::new("bash")
        .args(["-c", script, "mcp_client"])
        .arg(env!("CARGO_BIN_EXE_kubeglass"))
        .arg(&kubeconfig)
        .current_dir(repo)
        .env("MCP_CANARIES", CANARIES.join(","))
        .output()
        .expect("run bash");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The checks' `ok:` lines, for the CI log.
    println!("{stdout}");
    assert!(
        out.status.success(),
        "the MCP client checks failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        out.status
    );
    assert!(stdout.contains("all MCP checks passed"), "{stdout}");
    support::assert_no_canary("mcp client output", &stdout);
    support::assert_no_canary("mcp client stderr", &stderr);
}
