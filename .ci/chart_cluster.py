#!/usr/bin/env python3
"""Create the rendered chart on the real testbed API server, mint a token for the chart's
ServiceAccount (TokenRequest) and prove that it reads exactly what it should: first with
plain GETs and SelfSubjectAccessReviews (the RBAC layer alone), then with
`kubeglass query` in in-cluster mode (KUBEGLASS_SERVICE_ACCOUNT_DIR); with SQS_TESTBED_DIR
set, also start `kubeglass run` with the namespaced Deployment's arguments (agent_smoke.py).

This is the test harness, not the agent: it POSTs and DELETEs with the admin token. Everything
it creates lives in a fresh namespace plus a few named cluster objects and Roles in `shop`,
and is deleted on the way out.

usage: chart_cluster.py RENDER_DIR WORK_DIR KUBEGLASS_BIN SEED_PY [--rbac-only]
Environment: KUBE_TESTBED_SERVER, KUBE_TESTBED_CA, KUBE_TESTBED_ADMIN_TOKEN (testbed.env).
Render RENDER_DIR/<mode>.yaml with release "kgci-<mode>" in namespace $CI_NAMESPACE."""
import base64
import importlib.util
import json
import os
import ssl
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import yaml

import agent_smoke

# kind -> (API prefix, plural, namespaced): the kinds the chart renders.
KINDS = {
    "Namespace": ("/api/v1", "namespaces", False),
    "ServiceAccount": ("/api/v1", "serviceaccounts", True),
    "Secret": ("/api/v1", "secrets", True),
    "Deployment": ("/apis/apps/v1", "deployments", True),
    "ClusterRole": ("/apis/rbac.authorization.k8s.io/v1", "clusterroles", False),
    "ClusterRoleBinding": ("/apis/rbac.authorization.k8s.io/v1", "clusterrolebindings", False),
    "Role": ("/apis/rbac.authorization.k8s.io/v1", "roles", True),
    "RoleBinding": ("/apis/rbac.authorization.k8s.io/v1", "rolebindings", True),
    "NetworkPolicy": ("/apis/networking.k8s.io/v1", "networkpolicies", True),
}
# Rendered with every option on: validated by the API server (dry run), not kept.
DRY_RUN_MODES = ("everything", "existing-secret", "bring-your-own")
FAILURES = []


def say(msg):
    print(f"chart-check: {msg}", flush=True)


def check(ok, what):
    say(f"  {'ok  ' if ok else 'FAIL'} {what}")
    if not ok:
        FAILURES.append(what)


class Api:
    """Just enough of a Kubernetes client for a test harness."""

    def __init__(self, server, ca, token):
        self.server = server.rstrip("/")
        self.ctx = ssl.create_default_context(cafile=ca)
        self.token = token

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.server + path, data=data, method=method)
        req.add_header("Authorization", f"Bearer {self.token}")
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, context=self.ctx, timeout=30) as r:
                return r.status, json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                return e.code, json.loads(raw)
            except ValueError:
                return e.code, {"raw": raw[:300].decode(errors="replace")}


def object_path(doc, name=None):
    prefix, plural, namespaced = KINDS[doc["kind"]]
    ns = doc["metadata"].get("namespace")
    base = f"{prefix}/namespaces/{ns}/{plural}" if namespaced else f"{prefix}/{plural}"
    return base if name is None else f"{base}/{name}"


def create(admin, doc, created):
    status, body = admin.call("POST", object_path(doc), doc)
    if status == 409:
        # Left over from an interrupted run: replace it.
        admin.call("DELETE", object_path(doc, doc["metadata"]["name"]))
        status, body = admin.call("POST", object_path(doc), doc)
    if status != 201:
        sys.exit(f"chart-check: creating {doc['kind']}/{doc['metadata']['name']} failed: "
                 f"{status} {body.get('message', body)}")
    created.append(doc)


def finish_namespace(admin, name):
    """The testbed runs no namespace controller: a deleted namespace stays Terminating until
    its finalizer is removed. It is empty by now (everything in it was deleted first)."""
    status, ns = admin.call("GET", f"/api/v1/namespaces/{name}")
    if status == 404:
        return
    ns.setdefault("spec", {})["finalizers"] = []
    status, _ = admin.call("PUT", f"/api/v1/namespaces/{name}/finalize", ns)
    if status != 200:
        say(f"  cleanup: finalize namespace {name} -> {status}")


def mint_token(admin, namespace, sa):
    path = f"/api/v1/namespaces/{namespace}/serviceaccounts/{sa}/token"
    status, body = admin.call("POST", path, {
        "apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
        "spec": {"expirationSeconds": 3600}})
    if status != 201:
        sys.exit(f"chart-check: TokenRequest for {namespace}/{sa} failed: {status} {body}")
    return body["status"]["token"]


def write_sa_dir(path, token, ca, namespace):
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "token"), "w") as f:
        f.write(token)
    with open(ca) as src, open(os.path.join(path, "ca.crt"), "w") as dst:
        dst.write(src.read())
    with open(os.path.join(path, "namespace"), "w") as f:
        f.write(namespace)


def can_i(sa_api, verb, resource, namespace=None, subresource=None):
    attrs = {"verb": verb, "resource": resource}
    if namespace:
        attrs["namespace"] = namespace
    if subresource:
        attrs["subresource"] = subresource
    status, body = sa_api.call("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", {
        "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
        "spec": {"resourceAttributes": attrs}})
    if status != 201:
        sys.exit(f"chart-check: SelfSubjectAccessReview failed: {status} {body}")
    return body["status"].get("allowed", False)


def rbac_checks(mode, sa_api):
    """The RBAC layer alone: what the token may and may not do."""
    cluster_wide = mode == "default"
    st, _ = sa_api.call("GET", "/api/v1/namespaces/shop/pods?limit=1")
    check(st == 200, f"{mode}: token GET pods in shop -> {st}")
    st, _ = sa_api.call("GET", "/api/v1/namespaces/payments/pods?limit=1")
    check(st == (200 if cluster_wide else 403), f"{mode}: token GET pods in payments -> {st}")
    st, _ = sa_api.call("GET", "/api/v1/nodes?limit=1")
    check(st == (200 if cluster_wide else 403), f"{mode}: token GET nodes -> {st}")
    check(can_i(sa_api, "get", "pods", "shop", "log"), f"{mode}: may get pods/log in shop")
    check(can_i(sa_api, "list", "secrets", "shop"), f"{mode}: may list secrets in shop (metadata only, by the agent)")
    for verb, res, sub in [("create", "pods", None), ("delete", "pods", None), ("patch", "deployments", None),
                           ("update", "configmaps", None), ("create", "pods", "exec"),
                           ("create", "pods", "portforward"), ("create", "serviceaccounts", "token"),
                           ("impersonate", "users", None), ("escalate", "roles", None)]:
        label = f"{res}/{sub}" if sub else res
        check(not can_i(sa_api, verb, res, "shop", sub), f"{mode}: may NOT {verb} {label} in shop")


def run_query(binary, sa_dir, port, args, home):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home,
           "KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": str(port),
           "KUBEGLASS_SERVICE_ACCOUNT_DIR": sa_dir, "RUST_LOG": "warn"}
    # No KUBECONFIG: it would win over in-cluster mode.
    cmd = [binary, "query", *args]
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr, " ".join(cmd)


def query_checks(mode, binary, sa_dir, port, home, canaries):
    def q(args):
        rc, out, err, cmd = run_query(binary, sa_dir, port, args, home)
        leaked = [c for c in canaries if c in out or c in err]
        check(not leaked, f"{mode}: no canary in the output of `{cmd}`" + (f": LEAKED {leaked}" if leaked else ""))
        return rc, out, err, cmd

    def show(rc, out, err, cmd):
        return f"`{cmd}` -> rc={rc} stdout={out[:200]!r} stderr={err[:300]!r}"

    rc, out, err, cmd = q(["--", "get", "pods", "-n", "shop"])
    check(rc == 0 and "web-" in out, f"{mode}: get pods -n shop works: " + show(rc, out, err, cmd))
    rc, out, err, cmd = q(["--", "get", "secrets", "-n", "shop", "-o", "json"])
    check(rc == 0 and "db-credentials" in out, f"{mode}: get secrets -n shop -o json lists metadata: "
          + show(rc, out, err, cmd))
    # Everything triage and changes read is granted: no "not read" line (issue 35, item 1).
    # In namespaced mode the agent runs as the Deployment does: cluster types out of scope.
    scoped = [] if mode == "default" else ["--namespaces", "shop", "--no-cluster-resources"]
    for op in ("triage", "changes"):
        rc, out, err, cmd = q([*scoped, "--", op, "-n", "shop"])
        unread = [line for line in out.splitlines() if line.lstrip("[").startswith("not read:")]
        check(rc == 0 and not unread,
              f"{mode}: {op} -n shop reads everything it needs: {unread} " + show(rc, out, err, cmd))
    # `scope` probes what the agent can read: with the chart's own grants, all of it (issue 34).
    rc, out, err, cmd = q([*scoped, "--", "scope", "-n", "shop", "-o", "json"])
    try:
        doc = json.loads(out)
    except ValueError:
        doc = {}
    refused = doc.get("not_listable", ["?"]) + doc.get("cluster_not_listable", ["?"])
    check(rc == 0 and not refused and str(doc.get("logs", "")).startswith("readable")
          and "Forbidden" not in str(doc.get("helm_releases", "")),
          f"{mode}: scope -n shop finds everything it probes readable: {refused} " + show(rc, out, err, cmd))
    if mode == "default":
        rc, out, err, cmd = q(["--", "get", "pods", "-n", "payments"])
        check(rc == 0, f"{mode}: get pods -n payments works: " + show(rc, out, err, cmd))
        # The node's Lease (kube-node-lease) is granted with the cluster reads.
        rc, out, err, cmd = q(["--", "describe", "node", "node-1"])
        lease = [line for line in out.splitlines() if line.startswith("Lease:")]
        check(rc == 0 and lease and "forbidden" not in lease[0].lower(),
              f"{mode}: describe node reads its Lease (the testbed may have none): {lease} "
              + show(rc, out, err, cmd))
    else:
        # As the Deployment runs it: --namespaces from rbac.namespaces refuses before any request.
        rc, out, err, cmd = q(["--namespaces", "shop", "--", "get", "pods", "-n", "payments"])
        check(rc == 1 and error_line(err, "OutOfScope"),
              f"{mode}: get pods -n payments with --namespaces shop is OutOfScope: " + show(rc, out, err, cmd))
        # Without the agent's own scope the API server refuses: RBAC alone holds.
        rc, out, err, cmd = q(["--", "get", "pods", "-n", "payments"])
        check(rc == 1 and error_line(err, "Forbidden"),
              f"{mode}: get pods -n payments without --namespaces is Forbidden: " + show(rc, out, err, cmd))
        rc, out, err, cmd = q(["--", "get", "nodes"])
        check(rc == 1 and error_line(err, "Forbidden"),
              f"{mode}: get nodes is Forbidden: " + show(rc, out, err, cmd))


def helm_test(mode, render_dir, binary, sa_dir, port, home):
    """`helm test`'s pod without a kubelet: its container's arguments, run as the chart's
    ServiceAccount in in-cluster mode, pass (exit 0) with the chart's own RBAC."""
    with open(os.path.join(render_dir, f"{mode}-tests.yaml")) as f:
        tests = [d for d in yaml.safe_load_all(f) if d]
    for pod in tests:
        args = pod["spec"]["containers"][0]["args"]
        rc, out, err, cmd = run_query(binary, sa_dir, port, args[1:], home)
        check(rc == 0, f"{mode}: helm test pod {pod['metadata']['name']} passes: `{cmd}` -> rc={rc} "
              f"stdout={out[:200]!r} stderr={err[:300]!r}")


def error_line(stderr, code):
    """The CLI contract: a failure prints `error: <Code>: <message>` on stderr (log lines may
    come before it)."""
    return any(line.startswith(f"error: {code}:") for line in stderr.splitlines())


def load_canaries(seed_py):
    spec = importlib.util.spec_from_file_location("seed", seed_py)
    seed = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(seed)
    # Secret data is base64 on the wire (and inside a last-applied annotation): look for both.
    return [c for plain in seed.CANARIES for c in (plain, base64.b64encode(plain.encode()).decode())]


def main():
    render_dir, work, binary, seed_py = sys.argv[1:5]
    rbac_only = "--rbac-only" in sys.argv[5:]
    server = os.environ["KUBE_TESTBED_SERVER"]
    ca = os.environ["KUBE_TESTBED_CA"]
    port = urllib.parse.urlsplit(server).port
    namespace = os.environ["CI_NAMESPACE"]
    admin = Api(server, ca, os.environ["KUBE_TESTBED_ADMIN_TOKEN"])
    canaries = load_canaries(seed_py)
    home = os.path.join(work, "home")
    os.makedirs(home, exist_ok=True)
    created = []
    try:
        create(admin, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}, created)
        for mode in ("default", "namespaced"):
            with open(os.path.join(render_dir, f"{mode}.yaml")) as f:
                docs = [d for d in yaml.safe_load_all(f) if d]
            for doc in docs:
                create(admin, doc, created)
            say(f"created on the testbed ({mode}): "
                + ", ".join(f"{d['kind']}/{d['metadata'].get('namespace', '-')}/{d['metadata']['name']}" for d in docs))
            sa = next(d["metadata"]["name"] for d in docs if d["kind"] == "ServiceAccount")
            token = mint_token(admin, namespace, sa)
            sa_dir = os.path.join(work, mode, "serviceaccount")
            write_sa_dir(sa_dir, token, ca, namespace)
            say(f"minted a token for {namespace}/{sa} into {sa_dir}")
            rbac_checks(mode, Api(server, ca, token))
            if not rbac_only:
                query_checks(mode, binary, sa_dir, port, home, canaries)
                helm_test(mode, render_dir, binary, sa_dir, port, home)
            if not rbac_only and mode == "namespaced" and os.environ.get("SQS_TESTBED_DIR"):
                deployment = next(d for d in docs if d["kind"] == "Deployment")
                agent_smoke.run(check, say, deployment, binary, sa_dir, port, home,
                                os.environ["SQS_TESTBED_DIR"], ["shop"])
        for mode in DRY_RUN_MODES:
            with open(os.path.join(render_dir, f"{mode}.yaml")) as f:
                docs = [d for d in yaml.safe_load_all(f) if d]
            for doc in docs:
                status, body = admin.call("POST", object_path(doc) + "?dryRun=All", doc)
                check(status == 201, f"{mode}: server-side dry-run create {doc['kind']}/{doc['metadata']['name']} -> "
                      f"{status} {body.get('message', '')}")
    finally:
        for doc in reversed(created):
            status, _ = admin.call("DELETE", object_path(doc, doc["metadata"]["name"]))
            if status not in (200, 202, 404):
                say(f"  cleanup: DELETE {doc['kind']}/{doc['metadata']['name']} -> {status}")
            if doc["kind"] == "Namespace":
                finish_namespace(admin, doc["metadata"]["name"])
        say(f"deleted {len(created)} objects")
    if FAILURES:
        sys.exit(f"chart-check: {len(FAILURES)} check(s) failed:\n  " + "\n  ".join(FAILURES))
    say("cluster checks passed")


if __name__ == "__main__":
    main()
