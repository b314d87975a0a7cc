//! End-to-end, side by side: the kubectl forms investigators type by reflex, run by kubectl
//! and by `kubeglass query` on the same testbed objects (KUBE_TESTBED_DIR), outputs compared
//! byte for byte after normalising ages (`2m7s` against `2m8s`). Needs `kubectl` on PATH
//! (`.ci/run` installs Debian's kubernetes-client when it is missing); without a testbed or
//! kubectl these tests fail.
//!
//! Not compared, and why (kubectl 1.32 against kube-apiserver 1.20, and kubeglass's design):
//! - `-o yaml|json` of objects with secrets: kubectl prints the seed's canaries, kubeglass
//!   `<redacted>` (by design); `-o yaml` also quotes IPs (`"10.96.0.50"`) where kubectl
//!   does not (the YAML emitter's choice; the value is the same).
//! - jsonpath/custom-columns over Secrets' `.data`: kubectl prints the values, kubeglass
//!   nothing (metadata only, by design) — checked on its own below.
//! - `--sort-by` on a key with ties over more than 12 rows (`.metadata.creationTimestamp`
//!   of seeded objects): kubectl's Go sort is unstable there, kubeglass's is stable.
//! - Error lines: kubectl writes `Error from server (NotFound): …`, kubeglass
//!   `error: NotFound: …`; stdout and the exit status are compared.
//! - `-o jsonpath`: kubectl ends without a newline, kubeglass with one.
//! - Where kubectl 1.32 itself goes wrong: `--sort-by` over several types
//!   (`get deploy,svc --sort-by=.metadata.name` fails with "couldn't find any field with
//!   path"; kubeglass sorts each table), and a `--sort-by` path no object has (kubectl
//!   prints "No resources found"; kubeglass prints the table in the server's order).
//! - `-o json` where the redactor hid a value: kubeglass writes `"<redacted>"` where Go would
//!   write `"\u003credacted\u003e"` (the marker is ours, and what readers search for);
//!   everywhere else `<`, `>` and `&` are escaped as kubectl escapes them.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::*;

fn admin() -> PathBuf {
    testbed().join("kubeconfig")
}

/// `kubectl --kubeconfig K ARGS` → (code, stdout, stderr); fails when kubectl is missing.
fn kubectl(kc: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(kc)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("kubectl is needed for the side-by-side test (apt-get install kubernetes-client): {e}")
        });
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Ages (`7m`, `2m7s`, `6h52m`, `94s`) as a same-width placeholder: alignment is still
/// compared, the clock is not. A trailing newline is dropped.
fn normalised(text: &str) -> String {
    let age = regex_lite::Regex::new(r"^[0-9]+[smhdy]([0-9]+[smh])?$").unwrap();
    let mut out = String::with_capacity(text.len());
    for line in text.trim_end_matches('\n').split('\n') {
        let mut word = String::new();
        for c in line.chars().chain(std::iter::once('\n')) {
            if c == ' ' || c == '\n' || c == '\t' {
                if age.is_match(&word) {
                    out.push_str(&"~".repeat(word.len()));
                } else {
                    out.push_str(&word);
                }
                word.clear();
                out.push(c);
            } else {
                word.push(c);
            }
        }
    }
    out
}

/// Run both, compare stdout (normalised) and exit status; retried twice, as an age may tick
/// over to a wider one between the two runs.
fn same(kc: &Path, args: &[&str]) {
    let mut last = String::new();
    for _ in 0..3 {
        let (kcode, kout, kerr) = kubectl(kc, args);
        let (gcode, gout, gerr) = query(kc, &[], args);
        if (kcode == 0) != (gcode == 0) {
            panic!("{args:?}: kubectl exit {kcode} ({kerr}), kubeglass {gcode} ({gerr})");
        }
        let (k, g) = (normalised(&kout), normalised(&gout));
        if k == g {
            return;
        }
        last =
            format!("{args:?}\n--- kubectl\n{k}\n--- kubeglass\n{g}\n--- kubeglass stderr\n{gerr}");
    }
    panic!("{last}");
}

/// A pod of the shop's web deployment (names change with each seed).
fn a_web_pod(kc: &Path) -> String {
    let (_, out, _) = kubectl(
        kc,
        &["get", "pods", "-n", "shop", "-l", "app=web", "-o", "name"],
    );
    out.lines()
        .next()
        .and_then(|l| l.strip_prefix("pod/"))
        .expect("a web pod in shop")
        .to_string()
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR) and kubectl"]
fn several_types_and_get_all_print_as_kubectl() {
    let kc = admin();
    for args in [
        &["get", "deploy,sts,ds", "-n", "shop"][..],
        &["get", "pods,svc", "-n", "shop"],
        &["get", "deploy,sts,ds", "-n", "payments"],
        &["get", "all", "-n", "shop"],
        &["get", "all", "-n", "payments"],
        &["get", "all", "-n", "monitoring", "-o", "name"],
        &["api-resources"],
        // One `kind: List` document (objects without IPs or canaries: see the file's notes).
        &["get", "deploy,sts", "-n", "payments", "-o", "yaml"],
        &["get", "deploy,ds", "-n", "monitoring", "-o", "yaml"],
        &[
            "get",
            "deploy,sts",
            "-n",
            "payments",
            "-o",
            "yaml",
            "--sort-by=.metadata.name",
        ],
    ] {
        same(&kc, args);
    }
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR) and kubectl"]
fn label_header_and_sort_flags_print_as_kubectl() {
    let kc = admin();
    for args in [
        &["get", "pods", "-n", "shop", "--show-labels"][..],
        &[
            "get",
            "pods",
            "-n",
            "shop",
            "-L",
            "app",
            "-L",
            "pod-template-hash",
        ],
        &["get", "pods", "-n", "shop", "-Lapp,tier", "-o", "wide"],
        &["get", "deploy,svc", "-n", "shop", "--no-headers"],
        &[
            "get",
            "pods",
            "-n",
            "shop",
            "--show-labels",
            "--no-headers",
            "-o",
            "wide",
        ],
        &["get", "pods", "-n", "shop", "--sort-by=.metadata.name"],
        &["get", "pods", "-n", "shop", "--sort-by=.status.phase"],
        &[
            "get",
            "pods",
            "-n",
            "shop",
            "--sort-by={.status.containerStatuses[0].restartCount}",
        ],
        &[
            "get",
            "svc",
            "-n",
            "shop",
            "--sort-by=.spec.clusterIP",
            "-L",
            "app",
        ],
        &[
            "get",
            "nodes",
            "--sort-by=.metadata.name",
            "-L",
            "kubernetes.io/hostname",
        ],
        &[
            "get",
            "pods",
            "-n",
            "shop",
            "-o",
            "name",
            "--sort-by=.status.phase",
        ],
        &[
            "get",
            "pods,svc",
            "-n",
            "shop",
            "-o",
            "name",
            "--sort-by=.metadata.name",
        ],
    ] {
        same(&kc, args);
    }
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR) and kubectl"]
fn custom_columns_and_jsonpath_print_as_kubectl() {
    let kc = admin();
    let pod = a_web_pod(&kc);
    for args in [
        &[
            "get",
            "pods",
            "-n",
            "shop",
            "-o",
            "custom-columns=NAME:.metadata.name,PHASE:.status.phase,IMAGES:.spec.containers[*].image",
        ][..],
        &[
            "get",
            "pods",
            "-n",
            "shop",
            "-o",
            "custom-columns=N:metadata.name,R:{.status.containerStatuses[0].ready}",
            "--no-headers",
            "--sort-by=.status.phase",
        ],
        &[
            "get",
            "pods",
            "-n",
            "nope",
            "-o",
            "custom-columns=NAME:.metadata.name",
        ],
        &[
            "get",
            "pods",
            "-n",
            "shop",
            "-o",
            "jsonpath={.items[*].metadata.name}",
        ],
        &[
            "get",
            "pods",
            "-n",
            "shop",
            "-o",
            r#"jsonpath={range .items[*]}{.metadata.name}{"\t"}{.status.phase}{"\n"}{end}"#,
        ],
        &[
            "get",
            "nodes",
            "-o",
            r#"jsonpath={.items[*].status.conditions[?(@.type=="Ready")].status}"#,
        ],
        &[
            "get",
            "pods",
            "-n",
            "shop",
            "-o",
            r#"jsonpath={.items[?(@.status.phase=="Running")].metadata.labels.app}"#,
        ],
        &[
            "get",
            "pod",
            &pod,
            "-n",
            "shop",
            "-o",
            "jsonpath={.metadata.name} {.spec.containers[0].name}",
        ],
        &[
            "get",
            "svc",
            "-n",
            "shop",
            "-o",
            r"jsonpath={.items[*].metadata.labels.app\.kubernetes\.io/name}",
        ],
    ] {
        same(&kc, args);
    }
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR) and kubectl"]
fn secrets_show_type_and_key_count_never_data() {
    let kc = admin();
    for args in [
        &["get", "secrets", "-n", "shop"][..],
        &["get", "secrets", "-n", "shop", "--show-labels"],
        &["get", "secrets", "-n", "shop", "-o", "wide", "--no-headers"],
        &["get", "secret", "db-credentials", "-n", "shop"],
    ] {
        same(&kc, args);
    }
    // Where kubectl prints the values, kubeglass prints nothing (query checks canaries).
    for args in [
        &[
            "get",
            "secrets",
            "-n",
            "shop",
            "-o",
            "jsonpath={.items[*].data}",
        ][..],
        &[
            "get",
            "secrets",
            "-A",
            "-o",
            "jsonpath={..data}{..stringData}",
        ],
    ] {
        let (code, out, err) = query(&kc, &[], args);
        assert_eq!((code, out.trim()), (0, ""), "{args:?}: {err}");
    }
    let (code, out, err) = query(
        &kc,
        &[],
        &[
            "get",
            "secrets",
            "-n",
            "shop",
            "-o",
            "custom-columns=N:.metadata.name,D:.data",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("db-credentials   <none>"), "{out}");
    let (code, out, err) = query(
        &kc,
        &[],
        &["describe", "secret", "db-credentials", "-n", "shop"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Type:               Opaque") && out.contains("2 keys"),
        "{out}"
    );
    assert!(
        !out.contains("password") && !out.contains("username"),
        "no key names:\n{out}"
    );
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR) and kubectl"]
fn partial_results_and_prefixes_as_kubectl() {
    let kc = admin();
    let pod = a_web_pod(&kc);
    for args in [
        &["get", "pod", "nope", &pod, "-n", "shop"][..],
        &["get", "deploy,svc", "web", "nope", "-n", "shop"],
        &["get", "pod", &pod, "nope", "-n", "shop", "-o", "name"],
    ] {
        same(&kc, args);
        let (code, _, err) = query(&kc, &[], args);
        assert_eq!(
            (code, error_code(&err).as_deref()),
            (1, Some("NotFound")),
            "{err}"
        );
    }
    // describe's layout is compared elsewhere; here, which objects a prefix names.
    let names = |out: &str| -> Vec<String> {
        out.lines()
            .filter_map(|l| l.strip_prefix("Name:"))
            .map(|n| n.trim().to_string())
            .collect()
    };
    let (_, kout, _) = kubectl(&kc, &["describe", "pod", "web", "-n", "shop"]);
    let (code, gout, err) = query(&kc, &[], &["describe", "pod", "web", "-n", "shop"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(names(&gout), names(&kout));
    assert!(names(&gout).len() > 1, "{gout}");
}

/// A StatefulSet and a DaemonSet with ControllerRevisions in this test's own namespace (no
/// controller manager runs on the testbed, so the revisions are made here, idempotently).
fn workloads_with_revisions(dir: &Path) {
    let ns = "kg-forms-e2e";
    raw_create(
        dir,
        "/api/v1/namespaces",
        &serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
    );
    let pod = |app: &str| {
        serde_json::json!({"metadata": {"labels": {"app": app}},
            "spec": {"containers": [{"name": "c", "image": "registry.example/db:1"}]}})
    };
    raw_create(
        dir,
        &format!("/apis/apps/v1/namespaces/{ns}/statefulsets"),
        &serde_json::json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": "db"},
            "spec": {"serviceName": "db", "replicas": 0,
                "selector": {"matchLabels": {"app": "kgf-db"}}, "template": pod("kgf-db")}}),
    );
    raw_create(
        dir,
        &format!("/apis/apps/v1/namespaces/{ns}/daemonsets"),
        &serde_json::json!({"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": "agent"},
            "spec": {"selector": {"matchLabels": {"app": "kgf-agent"}}, "template": pod("kgf-agent")}}),
    );
    for (kind, plural, name, app) in [
        ("StatefulSet", "statefulsets", "db", "kgf-db"),
        ("DaemonSet", "daemonsets", "agent", "kgf-agent"),
    ] {
        let owner = raw_get(
            dir,
            &format!("/apis/apps/v1/namespaces/{ns}/{plural}/{name}"),
        );
        let uid = owner["metadata"]["uid"].as_str().expect("uid");
        for (rev, cause) in [
            (1, None),
            (2, Some("kubectl set image db=registry.example/db:2")),
            (10, None),
        ] {
            let mut meta = serde_json::json!({"name": format!("{name}-rev{rev}"), "labels": {"app": app},
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": kind, "name": name,
                    "uid": uid, "controller": true}]});
            if let Some(c) = cause {
                meta["annotations"] = serde_json::json!({"kubernetes.io/change-cause": c});
            }
            raw_create(
                dir,
                &format!("/apis/apps/v1/namespaces/{ns}/controllerrevisions"),
                &serde_json::json!({"apiVersion": "apps/v1", "kind": "ControllerRevision",
                    "metadata": meta, "revision": rev, "data": {}}),
            );
        }
    }
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR) and kubectl"]
fn rollout_history_of_statefulsets_and_daemonsets_as_kubectl() {
    let dir = testbed();
    let kc = admin();
    workloads_with_revisions(&dir);
    for args in [
        &["rollout", "history", "sts/db", "-n", "kg-forms-e2e"][..],
        &["rollout", "history", "ds/agent", "-n", "kg-forms-e2e"],
        &[
            "rollout",
            "history",
            "statefulset.apps/db",
            "-n",
            "kg-forms-e2e",
        ],
        &["rollout", "history", "sts/postgres", "-n", "payments"],
    ] {
        same(&kc, args);
    }
    let (code, out, err) = query(
        &kc,
        &[],
        &["rollout", "history", "sts/db", "-n", "kg-forms-e2e"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("2         kubectl set image") && out.contains("\n10 "),
        "{out}"
    );
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR) and kubectl"]
fn get_all_names_the_types_it_may_not_read() {
    let dir = testbed();
    workloads_with_revisions(&dir);
    // The testbed's `limited` user may list statefulsets only, in this test's namespace.
    let ns = "kg-forms-e2e";
    raw_create(
        &dir,
        &format!("/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/roles"),
        &serde_json::json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": {"name": "kgf-sts-reader"},
            "rules": [{"apiGroups": ["apps"], "resources": ["statefulsets"], "verbs": ["list", "get"]}]}),
    );
    raw_create(
        &dir,
        &format!("/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings"),
        &serde_json::json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": "kgf-sts-reader"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "kgf-sts-reader"},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "limited"}]}),
    );
    let limited = dir.join("kubeconfig-limited");
    let (code, out, err) = query(&limited, &[], &["get", "all", "-n", ns]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("NAME                  READY   AGE\nstatefulset.apps/db "),
        "{out}"
    );
    let note = err.lines().last().unwrap_or_default();
    assert!(
        note.starts_with("[kubeglass: not read (Forbidden): pod, replicationcontroller, service,")
            && !note.contains("statefulset"),
        "{out}"
    );
    // Where nothing of the category may be read, the answer is the Forbidden.
    let (code, _, err) = query(&limited, &[], &["get", "all", "-n", "payments"]);
    assert_eq!(
        (code, error_code(&err).as_deref()),
        (1, Some("Forbidden")),
        "{err}"
    );
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR) and kubectl"]
fn sort_by_orders_strings_byte_by_byte_and_quantities_by_value_as_kubectl() {
    let dir = testbed();
    let kc = admin();
    let ns = "kg-forms-sort";
    raw_create(
        &dir,
        "/api/v1/namespaces",
        &serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
    );
    // Names a natural order would sort differently (kubectl 1.32 does not), and quantities.
    for (name, x) in [
        ("n-0010", "1Gi"),
        ("n-10", "200Mi"),
        ("n-2", "2"),
        ("n-7747c", "100Mi"),
        ("n-88f", "1500m"),
        ("n-abc", "3"),
    ] {
        raw_create(
            &dir,
            &format!("/api/v1/namespaces/{ns}/configmaps"),
            &serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": name}, "data": {"x": x}}),
        );
    }
    for sort in ["--sort-by=.metadata.name", "--sort-by=.data.x"] {
        same(&kc, &["get", "cm", "-n", ns, sort, "-o", "name"]);
        same(&kc, &["get", "cm", "-n", ns, sort]);
    }
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR) and kubectl"]
fn json_documents_and_event_times_print_as_kubectl() {
    let dir = testbed();
    let kc = admin();
    let ns = "kg-forms-json";
    raw_create(
        &dir,
        "/api/v1/namespaces",
        &serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
    );
    raw_create(
        &dir,
        &format!("/api/v1/namespaces/{ns}/configmaps"),
        &serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "html",
            "annotations": {"link": "https://x.example/?a=1&b=<2>"}},
            "data": {"empty": "", "nested": "{\"a\": [1, 2]}"}}),
    );
    raw_create(
        &dir,
        &format!("/api/v1/namespaces/{ns}/configmaps"),
        &serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "plain"}}),
    );
    // Times the clock can put anywhere: an event seen once whose lastTimestamp is later than
    // its firstTimestamp (kubectl shows the first), a repeated one, one with no count.
    let ago = |mins: u64| {
        let t = std::time::SystemTime::now() - std::time::Duration::from_secs(mins * 60);
        let secs = t
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let (days, rem) = (secs / 86_400, secs % 86_400);
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days as i64 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            rem / 3600,
            rem / 60 % 60,
            rem % 60
        )
    };
    for (name, count, first, last) in [
        ("once", Some(1), 40, 3),
        ("again", Some(4), 30, 2),
        ("uncounted", None, 20, 5),
    ] {
        let mut ev = serde_json::json!({"apiVersion": "v1", "kind": "Event",
            "metadata": {"name": format!("kgf-{name}")},
            "involvedObject": {"kind": "ConfigMap", "name": "plain", "namespace": ns},
            "reason": "Checked", "message": format!("event {name}"), "type": "Normal",
            "source": {"component": "kg-forms"},
            "firstTimestamp": ago(first), "lastTimestamp": ago(last)});
        if let Some(c) = count {
            ev["count"] = serde_json::json!(c);
        }
        raw_create(&dir, &format!("/api/v1/namespaces/{ns}/events"), &ev);
    }
    for args in [
        &["events", "-n", ns][..],
        &["get", "cm", "-n", ns, "-o", "json"],
        &["get", "cm", "html", "-n", ns, "-o", "json"],
        &["get", "cm", "html", "plain", "-n", ns, "-o", "json"],
        &["get", "deploy", "-n", ns, "-o", "json"],
        &["get", "svc", "-n", "shop", "-o", "json"],
        &["get", "svc,cm", "-n", ns, "-o", "json"],
    ] {
        same(&kc, args);
    }
    // The namespace where kubectl takes it, before the command: every spelling of it.
    let (_, want, _) = kubectl(&kc, &["get", "cm", "-n", ns]);
    for flags in [
        &["--namespace", ns][..],
        &["-n", ns],
        &[&format!("--namespace={ns}")],
        &[&format!("-n{ns}")],
    ] {
        let (code, out, err) = query(&kc, flags, &["get", "cm"]);
        assert_eq!(
            (code, normalised(&out)),
            (0, normalised(&want)),
            "{flags:?}: {err}"
        );
    }
}
