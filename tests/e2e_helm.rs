//! End-to-end: `helm list`, `helm history` and triage's stuck-release finding against the
//! real kube-apiserver testbed (KUBE_TESTBED_DIR). The test writes Helm-shaped release
//! records itself, in a namespace of its own: Secrets `sh.helm.release.v1.NAME.vN` with
//! Helm's labels and an opaque `release` holding a canary, for three releases with several
//! revisions (one stuck `pending-upgrade`, one `failed`), plus one release of the
//! ConfigMap driver. The canary must never appear, and the audit log must show that the
//! Secrets were only listed by label (the transport sends them as metadata requests only).
//! Without a testbed these tests fail.

mod support;

use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::json;
use support::*;

/// What the release data holds: never in an answer, plain or base64.
const VALUES_CANARY: &str = "helm-values-canary-3c9e";
/// `createdAt` of revision 1 (2026-01-05 16:00:00 UTC, long before any `changes` window);
/// each revision one minute later.
const T0: u64 = 1_767_628_800;

/// A namespace no other run or test uses.
fn namespace() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_nanos();
    format!("e2e-helm-{}-{}", std::process::id(), nanos % 1_000_000_000)
}

/// One release record; `new` has no `createdAt` label (older Helm), so its time is the
/// object's creation: now.
fn record(ns: &str, kind: &str, name: &str, rev: u64, status: &str) -> serde_json::Value {
    use base64::Engine as _;
    let data = base64::engine::general_purpose::STANDARD.encode(format!(
        "{{\"values\":{{\"password\":\"{VALUES_CANARY}\"}}}}"
    ));
    let mut meta = json!({
        "name": format!("sh.helm.release.v1.{name}.v{rev}"),
        "namespace": ns,
        "labels": {"name": name, "owner": "helm", "status": status, "version": rev.to_string(),
                   "createdAt": (T0 + (rev - 1) * 60).to_string()},
    });
    if name == "new" {
        meta["labels"]
            .as_object_mut()
            .map(|l| l.remove("createdAt"));
    }
    match kind {
        "secrets" => json!({"apiVersion": "v1", "kind": "Secret", "metadata": meta,
                            "type": "helm.sh/release.v1", "data": {"release": data}}),
        _ => json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta,
                    "data": {"release": data}}),
    }
}

/// Deletes the test's release records when dropped (even when the test fails): the
/// testbed runs no namespace controller, so they would stay, and `triage -A` in other
/// tests would report the stuck release.
struct Cleanup<'a>(&'a Path, String);

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        for kind in ["secrets", "configmaps"] {
            let path = format!(
                "/api/v1/namespaces/{}/{kind}?labelSelector=owner%3Dhelm",
                self.1
            );
            if let Err(e) = try_admin_request(self.0, "DELETE", &path, None) {
                eprintln!("cleanup of {}: {e}", self.1);
            }
        }
    }
}

/// The namespace with: web (3 revisions, deployed), api (3, the newest stuck
/// pending-upgrade), db (1, failed) as Secrets, and cm (1, deployed) as a ConfigMap.
fn seed(dir: &Path) -> String {
    let ns = namespace();
    raw_create(
        dir,
        "/api/v1/namespaces",
        &json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
    );
    let revs = [
        ("secrets", "web", 1, "superseded"),
        ("secrets", "web", 2, "superseded"),
        ("secrets", "web", 3, "deployed"),
        ("secrets", "api", 1, "superseded"),
        ("secrets", "api", 2, "deployed"),
        ("secrets", "api", 3, "pending-upgrade"),
        ("secrets", "db", 1, "failed"),
        ("configmaps", "cm", 1, "deployed"),
        ("secrets", "new", 1, "deployed"),
    ];
    for (kind, name, rev, status) in revs {
        raw_create(
            dir,
            &format!("/api/v1/namespaces/{ns}/{kind}"),
            &record(&ns, kind, name, rev, status),
        );
    }
    ns
}

fn no_values(what: &str, text: &str) {
    use base64::Engine as _;
    assert!(!text.contains(VALUES_CANARY), "{what}: leaks {text}");
    let b64 = base64::engine::general_purpose::STANDARD.encode(VALUES_CANARY);
    assert!(!text.contains(&b64[..20]), "{what}: leaks base64 {text}");
}

fn ok(kc: &Path, args: &[&str]) -> String {
    let (code, out, err) = query(kc, &[], args);
    assert_eq!(code, 0, "{args:?}: {err}");
    no_values(&format!("{args:?}"), &out);
    no_values(&format!("{args:?} stderr"), &err);
    // The notes (after the table here) are on stderr; joined as a terminal shows them.
    assert!(!out.contains("[kubeglass:"), "notes on stdout: {out}");
    format!("{out}{err}")
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn helm_releases_are_listed_from_labels_and_their_values_never_read() {
    let dir = testbed();
    let ns = seed(&dir);
    let _cleanup = Cleanup(&dir, ns.clone());
    let kc = dir.join("kubeconfig-audited");
    let audit = dir.join("audit.log");
    let before = std::fs::read_to_string(&audit).unwrap_or_default().len();

    // helm's default filter: deployed and failed; api (pending-upgrade) is counted.
    let out = ok(&kc, &["helm", "list", "-n", &ns]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "NAME   NAMESPACE".to_string()
            + &" ".repeat(ns.len() - 6)
            + "REVISION   UPDATED                         STATUS",
        "{out}"
    );
    let row = |name: &str, rev: &str, min: u64, status: &str| {
        format!("{name:<7}{ns}   {rev:<11}2026-01-05 16:0{min}:00 +0000 UTC   {status}")
    };
    assert_eq!(lines[1], row("cm", "1", 0, "deployed"), "{out}");
    assert_eq!(lines[2], row("db", "1", 0, "failed"), "{out}");
    assert!(
        lines[3].starts_with(&format!("{:<7}{ns}   1          ", "new")),
        "{out}"
    );
    assert_eq!(lines[4], row("web", "3", 2, "deployed"), "{out}");
    assert!(lines[5].contains("1 release(s)"), "{out}");
    assert!(out.contains("CHART, APP VERSION"), "{out}");

    let out = ok(&kc, &["helm", "list", "-n", &ns, "--all"]);
    assert!(
        out.lines()
            .any(|l| l == row("api", "3", 2, "pending-upgrade")),
        "{out}"
    );

    let out = ok(&kc, &["helm", "history", "api", "-n", &ns]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0], "REVISION   UPDATED                    STATUS",
        "{out}"
    );
    assert_eq!(lines[1], "1          Mon Jan  5 16:00:00 2026   superseded");
    assert_eq!(lines[2], "2          Mon Jan  5 16:01:00 2026   deployed");
    assert_eq!(
        lines[3],
        "3          Mon Jan  5 16:02:00 2026   pending-upgrade"
    );

    let out = ok(&kc, &["helm", "list", "-A", "--all", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let api = v["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["namespace"] == ns.as_str() && r["name"] == "api")
        .unwrap_or_else(|| panic!("{out}"));
    assert_eq!(
        (&api["revision"], &api["status"], &api["storage"]),
        (&json!(3), &json!("pending-upgrade"), &json!("secret"))
    );

    // What the server saw: Secrets and ConfigMaps listed by Helm's label, never one fetched
    // by name (the transport makes each a metadata request; a data read is refused below it).
    let deadline = Instant::now() + Duration::from_secs(10);
    let ours = loop {
        let log = std::fs::read_to_string(&audit).expect("audit.log");
        let ours: Vec<serde_json::Value> = log[before..]
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .filter(|e: &serde_json::Value| {
                e["requestURI"]
                    .as_str()
                    .is_some_and(|u| u.contains("/secrets") || u.contains("/configmaps"))
            })
            .collect();
        if ours.len() >= 8 || Instant::now() > deadline {
            break ours;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(
        ours.len() >= 8,
        "the audit log shows the reads (4 commands, 2 lists each): {ours:?}"
    );
    for e in &ours {
        let uri = e["requestURI"].as_str().unwrap_or_default();
        assert_eq!(e["verb"], "list", "{e}");
        assert!(uri.contains("labelSelector=owner%3Dhelm"), "{e}");
    }

    // Triage and changes read more than Helm's records (so after the audit check).
    let out = ok(&kc, &["triage", "-n", &ns]);
    assert!(
        out.contains("helm/api") && out.contains("revision 3 pending-upgrade"),
        "{out}"
    );
    assert!(out.contains("helm/db") && out.contains("failed"), "{out}");
    assert!(!out.contains("helm/web"), "{out}");

    // `changes` lists the revision created in its window, not the old ones.
    let out = ok(&kc, &["changes", "-n", &ns, "--since", "30m"]);
    assert!(
        out.lines()
            .any(|l| l.contains("helm/new") && l.contains("helm revision 1 (deployed)")),
        "{out}"
    );
    assert!(!out.contains("helm/web"), "{out}");
}

#[test]
#[ignore = "needs the kube testbed (KUBE_TESTBED_DIR)"]
fn helm_history_of_a_release_that_does_not_exist_says_so() {
    let dir = testbed();
    let ns = seed(&dir);
    let _cleanup = Cleanup(&dir, ns.clone());
    let (code, _, err) = query(
        &dir.join("kubeconfig"),
        &[],
        &["helm", "history", "nope", "-n", &ns],
    );
    assert_eq!(
        (code, error_code(&err).as_deref()),
        (1, Some("NotFound")),
        "{err}"
    );
    assert!(err.contains("release: not found (nope)"), "{err}");
}
