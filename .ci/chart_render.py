#!/usr/bin/env python3
"""Lint and render chart/ with the real Helm engine (helm-python-sdk, Helm v4), for the
RBAC modes .ci/chart-check tests, and write each mode's manifests to OUT/<mode>.yaml (the
`helm test` pod apart, to OUT/<mode>-tests.yaml).

usage: chart_render.py OUTDIR [NAMESPACE]   (release name: kgci-<mode>)
Also proves the schema rejects typos and wrong types, and the generated schema is current."""
import json
import os
import subprocess
import sys

import helm_python as helm
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
CHART = os.path.join(HERE, "..", "chart")

# name -> values; "default" must stay empty (the chart's own defaults).
MODES = {
    "default": {},
    "namespaced": {"rbac": {"namespaces": ["shop"]}},
}
# Extra renders that must work (not applied to the cluster).
EXTRA = {
    "everything": {
        "image": {"digest": "sha256:" + "a" * 64},
        "agent": {"commandQueueUrl": "https://sqs.eu-west-1.amazonaws.com/111122223333/cmd",
                  "responseQueueUrl": "https://sqs.eu-west-1.amazonaws.com/111122223333/resp",
                  "clusterName": "prod-eu", "extraArgs": ["--command-timeout", "120s"]},
        "aws": {"region": "eu-west-1", "accessKeyId": "AKIAEXAMPLE", "secretAccessKey": "x"},
        "serviceAccount": {"annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/kg"}},
        "rbac": {"namespaces": ["shop", "payments"], "clusterScopedReads": True, "secrets": "none",
                 "extraRules": [{"apiGroups": ["example.com"], "resources": ["widgets"],
                                 "verbs": ["get", "list", "watch"]}]},
        "proxy": {"https": "http://proxy:3128", "noProxy": "10.0.0.0/8"},
        "extraCaBundle": {"configMapName": "corp-ca"},
        "extraEnv": [{"name": "FOO", "value": "bar"}],
        "podAnnotations": {"a": "b"}, "podLabels": {"team": "sre"},
        "nodeSelector": {"kubernetes.io/os": "linux"},
        "tolerations": [{"key": "k", "operator": "Exists"}],
        "priorityClassName": "system-cluster-critical",
        "networkPolicy": {"enabled": True, "allowCredentialEndpoints": True},
    },
    "existing-secret": {"aws": {"existingSecret": "kg-keys"}, "extraCaBundle": {"secretName": "ca"}},
    "bring-your-own": {"rbac": {"create": False}, "serviceAccount": {"create": False, "name": "byo"}},
}
# helm lint flags APIs removed or deprecated in these versions: the testbed's and a recent one.
KUBE_VERSIONS = ["v1.20.0", "v1.37.0"]
# Values the schema (or the templates) must refuse.
MUST_FAIL = {
    "typo at top level": {"rbca": {}},
    "typo inside agent": {"agent": {"worker": 2}},
    "wrong type": {"agent": {"workers": "four"}},
    "write verb in extraRules": {"rbac": {"extraRules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["delete"]}]}},
    "wildcard resource": {"rbac": {"extraRules": [{"apiGroups": [""], "resources": ["*"], "verbs": ["get"]}]}},
    "bad log format": {"agent": {"logFormat": "xml"}},
    "bad namespace": {"rbac": {"namespaces": ["Shop_1"]}},
    "half a static key": {"aws": {"accessKeyId": "AKIAEXAMPLE"}},
    "secrets as a bool": {"rbac": {"secrets": False}},
    "unknown secrets mode": {"rbac": {"secrets": "values"}},
}


def say(msg):
    print(f"chart-check: {msg}", flush=True)


def render(chart, values, release, namespace):
    chart.validate_schema(values)
    files = chart.render(values=values, name=release, namespace=namespace, is_install=True)
    docs = []
    for path in sorted(files):
        if not path.endswith((".yaml", ".yml")):
            continue
        for doc in yaml.safe_load_all(files[path]):
            if doc:
                docs.append(doc)
    return docs, files


def lint(values):
    for kube_version in KUBE_VERSIONS:
        report = helm.lint(CHART, values, strict=True, kube_version=kube_version)
        bad = [m for m in report.get("messages", []) if m.get("severity", 0) >= 2]
        for m in bad:
            say(f"  lint ({kube_version}): severity={m.get('severity')} {m.get('path')}: {m.get('error')}")
        if bad or report.get("errors"):
            sys.exit(f"chart-check: helm lint ({kube_version}) failed: {json.dumps(report)}")


def is_test_hook(doc):
    return doc.get("metadata", {}).get("annotations", {}).get("helm.sh/hook") == "test"


def check_test_pod(mode, tests):
    """templates/tests: one Pod, made by `helm test` only, as locked down as the agent, that
    runs `kubeglass query` (chart_cluster.py runs its arguments with the chart's token)."""
    assert [d["kind"] for d in tests] == ["Pod"], f"{mode}: helm tests: {tests}"
    pod = tests[0]
    c = pod["spec"]["containers"][0]
    assert c["args"][0] == "query" and "ports" not in c, f"{mode}: test pod {c}"
    sc = c["securityContext"]
    assert sc["runAsNonRoot"] and sc["runAsUser"] == 65532 and sc["readOnlyRootFilesystem"]
    assert not sc["allowPrivilegeEscalation"] and sc["capabilities"]["drop"] == ["ALL"]
    assert pod["spec"]["restartPolicy"] == "Never"


def check_invariants(mode, docs):
    kinds = [d["kind"] for d in docs]
    assert "Service" not in kinds and "Ingress" not in kinds, f"{mode}: something listens: {kinds}"
    assert "Pod" not in kinds, f"{mode}: a Pod outside helm test: {kinds}"
    for d in docs:
        if d["kind"] in ("Role", "ClusterRole"):
            for rule in d["rules"]:
                assert set(rule["verbs"]) <= {"get", "list", "watch"}, f"{mode}: write verb {rule}"
                assert "*" not in rule["resources"], f"{mode}: wildcard {rule}"
        if d["kind"] == "Deployment":
            spec = d["spec"]
            assert spec["replicas"] == 1 and spec["strategy"]["type"] == "Recreate"
            labels = spec["template"]["metadata"]["labels"]
            assert labels.get("app.kubernetes.io/component") == "agent", f"{mode}: {labels}"
            assert labels.get("app.kubernetes.io/version"), f"{mode}: {labels}"
            pod = spec["template"]["spec"]
            c = pod["containers"][0]
            assert "ports" not in c, f"{mode}: container has ports"
            assert c["livenessProbe"]["exec"]["command"] == ["/kubeglass", "health"]
            sc = c["securityContext"]
            assert sc["runAsNonRoot"] and sc["runAsUser"] == 65532 and sc["readOnlyRootFilesystem"]
            assert not sc["allowPrivilegeEscalation"] and sc["capabilities"]["drop"] == ["ALL"]
            assert sc["seccompProfile"]["type"] == "RuntimeDefault"
            assert pod["automountServiceAccountToken"] is True
            assert c["args"][0] == "run"
            # The restricted Pod Security Standard's other rules.
            for key in ("hostNetwork", "hostPID", "hostIPC"):
                assert not pod.get(key), f"{mode}: {key}"
            allowed = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
                       "persistentVolumeClaim", "projected", "secret"}
            for vol in pod.get("volumes", []):
                assert set(vol) - {"name"} <= allowed, f"{mode}: volume type not allowed: {vol}"
            assert pod["securityContext"]["runAsNonRoot"] is True


def main():
    out = sys.argv[1]
    namespace = sys.argv[2] if len(sys.argv) > 2 else "kubeglass"
    os.makedirs(out, exist_ok=True)
    subprocess.run([sys.executable, os.path.join(HERE, "gen-schema.py"), "--check"], check=True)
    say(f"helm {helm.helm_sdk_version()} (helm-python-sdk {helm.__version__})")
    with helm.Chart.load(CHART) as chart:
        for mode, values in {**MODES, **EXTRA}.items():
            say(f"lint + render: {mode}")
            lint(values)
            docs, files = render(chart, values, f"kgci-{mode}", namespace)
            # `helm test`'s pod is written apart: it is not applied with the release.
            tests = [d for d in docs if is_test_hook(d)]
            docs = [d for d in docs if not is_test_hook(d)]
            check_invariants(mode, docs)
            check_test_pod(mode, tests)
            with open(os.path.join(out, f"{mode}-tests.yaml"), "w") as f:
                yaml.safe_dump_all(tests, f, sort_keys=False)
            say(f"  {mode}: " + ", ".join(f"{d['kind']}/{d['metadata']['name']}" for d in docs))
            if "NOTES.txt" not in "".join(files):
                sys.exit(f"chart-check: {mode}: no NOTES.txt rendered")
            with open(os.path.join(out, f"{mode}.yaml"), "w") as f:
                yaml.safe_dump_all(docs, f, sort_keys=False)
        for what, values in MUST_FAIL.items():
            try:
                render(chart, values, "kgci-refused", namespace)
            except helm.HelmError as e:
                say(f"  refused as it should ({what}): {' '.join(str(e).split())[:160]}")
                continue
            sys.exit(f"chart-check: values accepted but must be refused: {what}: {values}")


if __name__ == "__main__":
    main()
