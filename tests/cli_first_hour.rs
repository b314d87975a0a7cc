//! A newcomer's first hour with `kubeglass query`, against the in-process fake API (no
//! testbed): kubectl's flags where kubectl takes them, errors that say what to do, notes and
//! cut notes on stderr with the answer alone on stdout, and the exit status of a cut answer
//! (docs/cli.md).

mod support;

use support::fake_api::FakeApi;
use support::{error_code, kubeglass, run};

/// `kubeglass query --kubeconfig K OWN… -- ARGS…` → (code, stdout, stderr).
fn query(kubeconfig: &std::path::Path, own: &[&str], args: &[&str]) -> (i32, String, String) {
    let mut c = kubeglass();
    c.arg("query")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(own)
        .arg("--")
        .args(args);
    run(c)
}

#[test]
fn the_namespace_flag_is_taken_before_the_double_dash_in_every_kubectl_spelling() {
    let api = FakeApi::start();
    for own in [
        &["--namespace", "payments"][..],
        &["--namespace=payments"],
        &["-n", "payments"],
        &["-npayments"],
    ] {
        let before = api.requests().len();
        let (code, _, err) = query(&api.kubeconfig(), own, &["get", "deploy", "-o", "name"]);
        // The fake has no payments fixture: the request was made in payments, and answered 404.
        assert_ne!(code, 2, "{own:?} is not refused as usage: {err}");
        let asked = api.requests()[before..].iter().any(|r| {
            r.url
                .starts_with("/apis/apps/v1/namespaces/payments/deployments")
        });
        assert!(asked, "{own:?}: {:?}", &api.requests()[before..]);
    }
    // A flag kubeglass does not know is still refused, wherever it stands.
    let (code, _, err) = query(&api.kubeconfig(), &["--frob"], &["get", "pods"]);
    assert_eq!(
        (code, error_code(&err).as_deref()),
        (2, Some("Unsupported")),
        "{err}"
    );
}

#[test]
fn a_missing_kubeconfig_says_every_place_kubeglass_looked_and_what_to_set() {
    let home = std::env::temp_dir().join(format!("kubeglass-nohome-{}", std::process::id()));
    let mut c = kubeglass();
    c.env("HOME", &home).args(["query", "--", "get", "pods"]);
    let (code, out, err) = run(c);
    assert_eq!(
        (code, error_code(&err).as_deref()),
        (1, Some("Config")),
        "{err}"
    );
    assert!(out.is_empty(), "{out}");
    for what in [
        ".kube/config does not exist",
        "KUBECONFIG",
        "--kubeconfig",
        "KUBERNETES_SERVICE_HOST",
        "in-cluster",
    ] {
        assert!(err.contains(what), "names {what:?}: {err}");
    }
}

#[test]
fn unauthorized_names_the_server_context_user_and_how_they_authenticate() {
    let api = FakeApi::start();
    let text = std::fs::read_to_string(api.kubeconfig()).expect("the fake's kubeconfig");
    let bad = api.dir.join("kubeconfig-expired");
    std::fs::write(
        &bad,
        text.replace(support::fake_api::TOKEN, "an-expired-token"),
    )
    .expect("write");
    let (code, _, err) = query(&bad, &[], &["get", "pods"]);
    assert_eq!(
        (code, error_code(&err).as_deref()),
        (1, Some("Unauthorized")),
        "{err}"
    );
    for what in [
        "you must be logged in to the server",
        &api.url,
        "kubeconfig-expired",
        "context fake",
        "user fake",
        "the token written in the kubeconfig",
        "--context",
    ] {
        assert!(err.contains(what), "names {what:?}: {err}");
    }
    assert!(!err.contains("an-expired-token"), "{err}");
}

#[test]
fn a_cut_table_exits_3_with_the_rows_on_stdout_and_the_cut_note_on_stderr() {
    let api = FakeApi::start();
    let (code, out, err) = query(
        &api.kubeconfig(),
        &["--max-output-bytes", "1024"],
        &["get", "cm,pods,svc,deploy", "-o", "wide"],
    );
    assert_eq!(code, 3, "{err}");
    assert!(out.starts_with("NAME"), "{out}");
    assert!(!out.contains("[kubeglass:"), "no note on stdout: {out}");
    let note = err.lines().last().unwrap_or_default();
    assert!(
        note.starts_with("[kubeglass: output cut at 1024 bytes"),
        "{err}"
    );
    let (code, out, err) = query(&api.kubeconfig(), &[], &["get", "cm"]);
    assert_eq!((code, err.as_str()), (0, ""), "a whole answer: {out}");
}

/// `kubeglass ARGS…` → (code, stdout, stderr).
fn kg(args: &[&str]) -> (i32, String, String) {
    let mut c = kubeglass();
    c.args(args);
    run(c)
}

#[test]
fn help_is_where_kubectl_users_look_for_it() {
    let (code, get, err) = kg(&["query", "--", "get", "--help"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        get.starts_with("kubeglass query -- get\n")
            && get.contains("-n, --namespace NAMESPACE")
            && get.contains("--sort-by PATH")
            && !get.contains("--tail"),
        "{get}"
    );
    for other in [
        &["help", "get"][..],
        &["query", "get", "pods", "-h"],
        &["query", "--context", "x", "--", "get", "pods", "--help"],
    ] {
        let (code, out, err) = kg(other);
        assert_eq!((code, out.as_str()), (0, get.as_str()), "{other:?}: {err}");
    }
    let (code, logs, _) = kg(&["query", "--", "logs", "-h"]);
    assert!(
        code == 0 && logs.contains("-p, --previous") && logs.contains("--grep REGEX"),
        "{logs}"
    );
    let (code, diff, _) = kg(&["help", "rollout", "diff"]);
    assert!(code == 0 && diff.contains("--revision N"), "{diff}");
    let (code, list, _) = kg(&["query", "--help"]);
    assert!(
        code == 0 && list.contains("  rollout history  ") && list.contains("-- get --help"),
        "{list}"
    );
    let (code, _, err) = kg(&["help", "frobnicate"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn every_subcommand_takes_version() {
    let want = format!("kubeglass {}\n", env!("CARGO_PKG_VERSION"));
    for sub in ["query", "run", "send", "mcp", "health", "completion"] {
        let (code, out, err) = kg(&[sub, "--version"]);
        assert_eq!((code, out.as_str()), (0, want.as_str()), "{sub}: {err}");
    }
}

#[test]
fn completion_scripts_load_in_their_shell_and_offer_ops_flags_and_types() {
    let (code, bash, err) = kg(&["completion", "bash"]);
    assert_eq!(code, 0, "{err}");
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "{bash}\nCOMP_WORDS=(kubeglass query -- get dep); COMP_CWORD=4; _kubeglass; \
             echo \"${{COMPREPLY[*]}}\"; COMP_WORDS=(kubeglass query -- logs --pre); \
             COMP_CWORD=4; _kubeglass; echo \"${{COMPREPLY[*]}}\"; \
             COMP_WORDS=(kubeglass que); COMP_CWORD=1; _kubeglass; echo \"${{COMPREPLY[*]}}\""
        ))
        .output()
        .expect("bash");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "deployments deploy\n--previous\nquery\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for shell in ["zsh", "fish"] {
        let (code, script, err) = kg(&["completion", shell]);
        assert!(code == 0 && script.contains("triage"), "{shell}: {err}");
    }
    let (code, _, err) = kg(&["completion", "tcsh"]);
    assert_eq!(code, 2, "{err}");
}
