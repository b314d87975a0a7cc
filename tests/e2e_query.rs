//! End-to-end: `kubeglass query` against the real kube-apiserver testbed (KUBE_TESTBED_DIR),
//! seeded with the shop's faults and 3,000 pods in namespace `load`. Run by `.ci/run` with
//! `cargo test -- --include-ignored`; without a testbed these tests fail.

mod support;

use std::path::PathBuf;

use support::*;

fn admin() -> (PathBuf, PathBuf) {
    let dir = testbed();
    let kc = dir.join("kubeconfig");
    (dir, kc)
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn get_lists_the_same_objects_as_the_api() {
    let (dir, kc) = admin();
    for (typed, path) in [
        ("pods", "/api/v1/namespaces/shop/pods"),
        ("deploy", "/apis/apps/v1/namespaces/shop/deployments"),
        ("svc", "/api/v1/namespaces/shop/services"),
        (
            "widgets.example.com",
            "/apis/example.com/v1/namespaces/shop/widgets",
        ),
    ] {
        let (code, out, err) = query(&kc, &[], &["get", typed, "-n", "shop"]);
        assert_eq!(code, 0, "get {typed}: {err}");
        assert_eq!(
            table_names(&out, 0),
            raw_names(&raw_get(&dir, path)),
            "get {typed}:\n{out}"
        );
    }
    let (code, out, err) = query(&kc, &[], &["get", "nodes"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        table_names(&out, 0),
        raw_names(&raw_get(&dir, "/api/v1/nodes"))
    );
    assert!(out.contains("NotReady"), "a NotReady node shows:\n{out}");
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn get_all_namespaces_has_a_namespace_column_and_a_budget() {
    let (_dir, kc) = admin();
    let (code, out, err) = query(&kc, &[], &["get", "pods", "-A"]);
    // 3 when the default budget cut it (CI's 3,000 pods).
    assert!(code == 0 || code == 3, "{code}: {err}");
    assert!(
        out.starts_with("NAMESPACE"),
        "{}",
        &out[..200.min(out.len())]
    );
    assert!(
        out.len() <= 256 * 1024 + 512,
        "the default budget holds: {} bytes",
        out.len()
    );
    let (code, out, err) = query(
        &kc,
        &["--max-output-bytes", "65536"],
        &["get", "pods", "-A"],
    );
    assert_eq!(code, 3, "a cut answer exits 3: {err}");
    assert!(out.len() <= 65536 + 512, "{} bytes", out.len());
    let last = err.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("[kubeglass: output cut at 65536 bytes"),
        "3,000 pods do not fit and the last line on stderr says so: {last}"
    );
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn pagination_reaches_every_pod_when_the_budget_allows() {
    let (dir, kc) = admin();
    let (code, out, err) = query(
        &kc,
        &["--max-output-bytes", "8000000"],
        &["get", "pods", "-n", "load", "-o", "name"],
    );
    assert_eq!(code, 0, "{err}");
    let want = raw_names(&raw_get(&dir, "/api/v1/namespaces/load/pods"));
    assert!(want.len() >= 3000, "the testbed is seeded with --pods 3000");
    let mut got: Vec<String> = out
        .lines()
        .filter_map(|l| l.strip_prefix("pod/"))
        .map(str::to_string)
        .collect();
    got.sort();
    assert_eq!(got, want);
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn json_output_is_valid_redacted_and_typed() {
    let (_dir, kc) = admin();
    let (code, out, err) = query(&kc, &[], &["get", "pods", "-n", "shop", "-o", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("one JSON document");
    assert_eq!(v["kind"], "List");
    let items = v["items"].as_array().expect("items");
    assert!(
        items
            .iter()
            .all(|i| i["kind"] == "Pod" && i["apiVersion"] == "v1")
    );
    let (code, out, _) = query(
        &kc,
        &[],
        &["get", "deploy", "web", "-n", "shop", "-o", "yaml"],
    );
    assert_eq!(code, 0);
    assert!(out.contains("kind: Deployment"), "{out}");
    assert!(
        !out.contains("last-applied-configuration"),
        "last-applied is stripped"
    );
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn secrets_are_metadata_only_everywhere() {
    let (_dir, kc) = admin();
    for args in [
        &["get", "secrets", "-n", "shop"][..],
        &["get", "secrets", "-A", "-o", "json"],
        &[
            "get",
            "secret",
            "db-credentials",
            "-n",
            "shop",
            "-o",
            "yaml",
        ],
        &["describe", "secret", "db-credentials", "-n", "shop"],
        &["get", "pods", "-n", "shop", "-o", "yaml"],
        &["describe", "pods", "-n", "shop"],
        &["get", "all", "-n", "shop", "-o", "wide"],
        &["events", "-A"],
        &["logs", "deploy/web", "-n", "shop", "--tail", "-1"],
    ] {
        let (code, out, err) = query(&kc, &["--max-output-bytes", "4000000"], args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(!out.is_empty(), "{args:?} printed something");
    }
    let (_, out, _) = query(&kc, &[], &["get", "secrets", "-n", "shop"]);
    assert!(out.contains("db-credentials"), "{out}");
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn describe_explains_the_crash_loop() {
    let (dir, kc) = admin();
    let pods = raw_get(&dir, "/api/v1/namespaces/shop/pods?labelSelector=app%3Dapi");
    let name = raw_names(&pods).into_iter().next().expect("an api pod");
    let (code, out, err) = query(&kc, &[], &["describe", "pod", &name, "-n", "shop"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("CrashLoopBackOff"), "{out}");
    assert!(out.contains("Restart Count"), "{out}");
    assert!(
        out.contains("Last State:") && out.contains("Exit Code:") && out.contains(" 2\n"),
        "last termination, exit code 2:\n{out}"
    );
    assert!(out.contains("BackOff"), "the BackOff event:\n{out}");
    assert!(out.contains("Events:"), "{out}");
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn logs_of_a_deployment_pick_its_pod_and_honour_options() {
    let (_dir, kc) = admin();
    let (code, out, err) = query(
        &kc,
        &[],
        &[
            "logs",
            "deploy/api",
            "-n",
            "shop",
            "--previous",
            "--tail",
            "1",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out
        .lines()
        .filter(|l| !l.starts_with("[kubeglass"))
        .collect();
    assert_eq!(lines.len(), 1, "--tail 1:\n{out}");
    assert!(
        lines[0].contains("panic"),
        "the previous instance's last line is the panic: {out}"
    );
    let (code, out, err) = query(
        &kc,
        &[],
        &["logs", "deploy/web", "-n", "shop", "--grep", "GET"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.lines()
            .filter(|l| !l.starts_with('['))
            .all(|l| l.contains("GET")),
        "{out}"
    );
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn endpoints_say_why_a_service_has_none() {
    let (_dir, kc) = admin();
    let (code, out, err) = query(&kc, &[], &["endpoints", "checkout", "-n", "shop"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("matches no pods"), "{out}");
    let (code, out, err) = query(&kc, &[], &["endpoints", "svc/web", "-n", "shop"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("web-"), "{out}");
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn writes_are_refused_before_any_request() {
    let dir = testbed();
    let kc = dir.join("kubeconfig-audited");
    let audit = dir.join("audit.log");
    let before = std::fs::read_to_string(&audit).unwrap_or_default().len();
    for args in [
        &["delete", "pod", "web"][..],
        &["apply", "-f", "x.yaml"],
        &["exec", "web", "--", "sh"],
        &["scale", "deploy/web", "--replicas=0"],
    ] {
        let (code, _, err) = query(&kc, &[], args);
        // A refused write is an answer (1); a command kubeglass does not take, usage (2).
        assert!(
            matches!(
                (code, error_code(&err).as_deref()),
                (1, Some("ReadOnly")) | (2, Some("Unsupported"))
            ),
            "{args:?}: {code} {err}"
        );
    }
    // The same user's reads do reach the server: the audit log proves only GETs were sent.
    let (code, _, err) = query(&kc, &[], &["describe", "deploy", "api", "-n", "shop"]);
    assert_eq!(code, 0, "{err}");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let log = std::fs::read_to_string(&audit).expect("audit.log");
    let ours: Vec<serde_json::Value> = log[before..]
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .filter(|e: &serde_json::Value| {
            e["userAgent"]
                .as_str()
                .is_some_and(|u| u.starts_with("kubeglass/"))
        })
        .collect();
    assert!(!ours.is_empty(), "the audit log shows kubeglass's requests");
    for e in &ours {
        assert!(
            matches!(e["verb"].as_str(), Some("get" | "list")),
            "only reads: {e}"
        );
    }
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn auth_modes_and_scope() {
    let dir = testbed();
    let (code, out, err) = query(
        &dir.join("kubeconfig-cert"),
        &[],
        &["get", "pods", "-n", "shop"],
    );
    assert_eq!(code, 0, "client certificate: {err}");
    assert!(out.contains("web-"));
    let (code, _, err) = query(
        &dir.join("kubeconfig-limited"),
        &[],
        &["get", "pods", "-n", "payments"],
    );
    assert_eq!(
        (code, error_code(&err).as_deref()),
        (1, Some("Forbidden")),
        "{err}"
    );
    let (code, _, err) = query(
        &dir.join("kubeconfig"),
        &["--namespaces", "shop"],
        &["get", "pods", "-n", "payments"],
    );
    assert_eq!(
        (code, error_code(&err).as_deref()),
        (1, Some("OutOfScope")),
        "{err}"
    );
    let env = testbed_env(&dir);
    let mut c = kubeglass();
    c.env("KUBERNETES_SERVICE_HOST", "127.0.0.1")
        .env("KUBERNETES_SERVICE_PORT", &env["KUBE_TESTBED_PORT"])
        .env("KUBEGLASS_SERVICE_ACCOUNT_DIR", dir.join("serviceaccount"))
        .args(["query", "--", "get", "pods"]);
    let (code, out, err) = run(c);
    assert_eq!(code, 0, "in-cluster: {err}");
    assert!(
        out.contains("web-"),
        "in-cluster defaults to the SA's namespace (shop):\n{out}"
    );
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn other_operations_answer() {
    let (_dir, kc) = admin();
    let (code, out, err) = query(&kc, &[], &["events", "-n", "shop", "--types", "Warning"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Warning") && !out.contains("Normal "), "{out}");
    let (code, out, err) = query(
        &kc,
        &[],
        &["rollout", "history", "deploy/api", "-n", "shop"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("REVISION"), "{out}");
    let (code, out, err) = query(&kc, &[], &["api-resources"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("widgets") && out.contains("deployments"),
        "{out}"
    );
    let (code, out, err) = query(&kc, &[], &["version"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("v1.20"), "{out}");
    let (code, _, err) = query(&kc, &[], &["top", "pods", "-n", "shop"]);
    assert_eq!(
        (code, error_code(&err).as_deref()),
        (1, Some("Unsupported")),
        "no metrics-server: {err}"
    );
    let (code, out, err) = query(&kc, &[], &["describe", "node", "node-2"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("NotReady"), "{out}");
    assert!(out.contains("MemoryPressure"), "{out}");
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn memory_stays_small_on_big_lists() {
    let (_dir, kc) = admin();
    // Peak RSS of the child, read by Python's getrusage (no GNU time needed).
    let script = "import resource,subprocess,sys\n\
        p=subprocess.run(sys.argv[1:],capture_output=True)\n\
        assert p.returncode in (0,3),p.stderr\n\
        print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)";
    let names = r#"jsonpath={range .items[*]}{.metadata.name}{"\n"}{end}"#;
    for args in [
        &["get", "pods", "-A"][..],
        &["get", "pods", "-n", "load", "-o", "json"],
        // Issue 18: templates and --sort-by over every pod, streamed or held to a cap.
        &["get", "pods", "-A", "-o", names],
        &["get", "pods", "-A", "-o", "jsonpath={.items[*].metadata}"],
        &[
            "get",
            "pods",
            "-A",
            "-o",
            "jsonpath={.items[0].metadata.name}",
        ],
        &["get", "pods", "-A", "--sort-by=.metadata.name", "-o", names],
        &[
            "get",
            "pods",
            "-A",
            "--sort-by=.metadata.name",
            "-o",
            "json",
        ],
        &[
            "get",
            "pods",
            "-A",
            "--sort-by=.metadata.name",
            "-o",
            "yaml",
        ],
        &[
            "get",
            "pods",
            "-A",
            "--sort-by=.metadata.name",
            "-o",
            "name",
        ],
        &["get", "pods", "-A", "-o", "custom-columns=N:.metadata.name"],
    ] {
        let out = std::process::Command::new("python3")
            .args([
                "-c",
                script,
                env!("CARGO_BIN_EXE_kubeglass"),
                "query",
                "--kubeconfig",
            ])
            .arg(&kc)
            .arg("--")
            .args(args)
            .output()
            .expect("python3");
        // 3: the default budget cut the answer (the memory is what is measured here).
        assert!(
            matches!(out.status.code(), Some(0 | 3)),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let kib: u64 = String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .expect("a number");
        assert!(
            kib < 32 * 1024,
            "{args:?}: peak RSS {kib} KiB must stay under 32 MiB"
        );
    }
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn triage_names_every_seeded_fault_in_four_kilobytes() {
    let (_dir, kc) = admin();
    let (code, out, err) = query(&kc, &[], &["triage", "-A"]);
    // 3 when the 4 KiB left symptom lines out so that every cause fits (a cut answer).
    assert!(code == 0 || code == 3, "{code}: {err}");
    assert!(out.len() <= 4096, "{} bytes:\n{out}", out.len());
    for fault in [
        "node/node-2: NotReady",
        "shop deploy/api: CrashLoopBackOff, container api last exit 2",
        "payments deploy/billing: OOMKilled",
        // The scheduler says "Insufficient cpu"; triage says no node can ever hold it.
        "payments sts/postgres: Pending: requests cpu 4, memory 16Gi — more than any node can allocate (largest: cpu 1930m, memory 6.8Gi)",
        "payments pvc/data-postgres-0: Pending: StorageClass gp3 does not exist",
        "shop svc/checkout: selects no pod (app=checkout); near miss: app=checkout-v2",
        "shop job/nightly-report-28911: Failed BackoffLimitExceeded",
        "shop deploy/web: running but not ready: Readiness probe failed",
        "load pods: Pending on node-1 with no container status (3000 pods",
    ] {
        assert!(out.contains(fault), "missing {fault:?}:\n{out}");
    }
    // The JSON form gives the same answer.
    let mut c = kubeglass();
    c.arg("query")
        .arg("--kubeconfig")
        .arg(&kc)
        .args(["--command-json", r#"{"op":"triage","all_namespaces":true}"#]);
    let (json_code, json_out, err) = run(c);
    assert_eq!(json_code, code, "{err}");
    let strip = |s: &str| {
        s.lines()
            .filter(|l| !l.contains(" for "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(&json_out), strip(&out), "ages aside, the same lines");
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn a_cut_table_says_what_it_left_out_and_logs_point_at_previous() {
    let (_dir, kc) = admin();
    let (code, out, err) = query(&kc, &["--max-output-bytes", "4096"], &["get", "pods", "-A"]);
    assert_eq!(code, 3, "a cut answer: {err}");
    assert!(
        !out.contains("[kubeglass:"),
        "the cut note is not in the answer: {out}"
    );
    let last = err.lines().last().unwrap_or_default();
    assert!(
        last.contains("more rows:")
            && last.contains("Pending")
            && last.contains("CrashLoopBackOff"),
        "{last}"
    );
    let (code, out, err) = query(
        &kc,
        &[],
        &["logs", "deploy/api", "-n", "shop", "--tail", "5"],
    );
    assert_eq!(code, 0, "{err}");
    // The hint is a note: stderr, the log lines alone on stdout.
    assert!(
        err.contains("is crash-looping")
            && err.contains("logs deploy/api -n shop -c api --previous")
            && !out.contains("[kubeglass:"),
        "{out}\n---\n{err}"
    );
}
