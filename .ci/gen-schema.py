#!/usr/bin/env python3
"""Write chart/values.schema.json: every object closed (additionalProperties false) except the
free-form Kubernetes maps, so a typo or a wrong type fails `helm install`.

Kept as code so the schema stays readable and consistent; run it after changing values.yaml
(.ci/chart-check fails if the committed schema differs from what this prints)."""
import json
import os
import sys


def obj(props, required=None, desc=None):
    o = {"type": "object", "additionalProperties": False, "properties": props}
    if required:
        o["required"] = required
    if desc:
        o["description"] = desc
    return o


def s(desc, **kw):
    return {"type": "string", "description": desc, **kw}


def b(desc):
    return {"type": "boolean", "description": desc}


def i(desc, minimum=None, maximum=None):
    o = {"type": "integer", "description": desc}
    if minimum is not None:
        o["minimum"] = minimum
    if maximum is not None:
        o["maximum"] = maximum
    return o


def free_map(desc, values="string"):
    return {"type": "object", "description": desc, "additionalProperties": {"type": values}}


def any_list(desc):
    return {"type": "array", "description": desc, "items": {"type": "object"}}


DNS_NAME = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
QUEUE_URL = r"^(https?://[^\s]+)?$"
QUANTITY = {"anyOf": [{"type": "string"}, {"type": "number"}]}
RESOURCE_LIST = {"type": "object", "additionalProperties": QUANTITY}
SECURITY_CONTEXT = {"type": "object", "description": "A Kubernetes SecurityContext."}

READ_VERBS = {"type": "string", "enum": ["get", "list", "watch"]}
RULE = obj({
    "apiGroups": {"type": "array", "items": {"type": "string"}},
    "resources": {"type": "array", "items": {"type": "string", "pattern": r"^[^*]+$"}, "minItems": 1},
    "resourceNames": {"type": "array", "items": {"type": "string"}},
    "verbs": {"type": "array", "items": READ_VERBS, "minItems": 1},
}, required=["apiGroups", "resources", "verbs"])

SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "kubeglass chart values",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "global": {"type": "object", "description": "Helm global values (unused)."},
        "nameOverride": s("Override the chart name."),
        "fullnameOverride": s("Override the full resource name."),
        "image": obj({
            "repository": s("Image repository.", minLength=1),
            "tag": s("Image tag; default appVersion."),
            "digest": s("Image digest.", pattern=r"^(sha256:[a-f0-9]{64})?$"),
            "pullPolicy": s("Pull policy.", enum=["Always", "IfNotPresent", "Never"]),
        }, required=["repository"]),
        "imagePullSecrets": {"type": "array", "items": obj({"name": s("Secret name.")}, required=["name"])},
        "agent": obj({
            "commandQueueUrl": s("Command queue URL.", pattern=QUEUE_URL),
            "responseQueueUrl": s("Response queue URL.", pattern=QUEUE_URL),
            "clusterName": s("Cluster name in responses.", pattern=r"^[^\s,]*$"),
            "workers": i("Parallel commands.", 1, 64),
            "maxOutputBytes": i("Output budget in bytes.", 1024),
            "logLevel": s("RUST_LOG filter.", minLength=1),
            "logFormat": s("Log format.", enum=["text", "json"]),
            "extraArgs": {"type": "array", "items": {"type": "string"}},
        }),
        "recorder": obj({
            "enabled": b("Run the flight recorder."),
            "bytes": i("Recorder budget in bytes.", 65536),
        }),
        "aws": obj({
            "region": s("AWS region.", pattern=r"^([a-z]{2}(-[a-z]+)+-\d+)?$"),
            "existingSecret": s("Existing Secret with static keys."),
            "accessKeyId": s("Static access key id."),
            "secretAccessKey": s("Static secret access key."),
        }),
        "serviceAccount": obj({
            "create": b("Create the ServiceAccount."),
            "name": s("ServiceAccount name."),
            "annotations": free_map("ServiceAccount annotations."),
        }),
        "rbac": obj({
            "create": b("Create RBAC."),
            "namespaces": {"type": "array", "uniqueItems": True,
                           "items": {"type": "string", "pattern": DNS_NAME, "maxLength": 63}},
            "clusterScopedReads": b("Cluster-scoped reads in namespaced mode."),
            "secrets": s("Secrets: metadata (get/list, read as metadata only) or none (no grant; the agent refuses Secret reads).",
                         enum=["metadata", "none"]),
            "extraRules": {"type": "array", "items": RULE},
        }),
        "proxy": obj({
            "https": s("HTTPS proxy URL.", pattern=r"^(https?://[^\s]+)?$"),
            "noProxy": s("NO_PROXY list."),
        }),
        "extraCaBundle": obj({
            "configMapName": s("ConfigMap with a CA bundle."),
            "secretName": s("Secret with a CA bundle."),
            "key": s("Key of the bundle.", minLength=1),
        }),
        "extraEnv": {"type": "array", "items": {"type": "object", "required": ["name"],
                                                  "properties": {"name": {"type": "string"}}}},
        "podAnnotations": free_map("Pod annotations."),
        "podLabels": free_map("Pod labels."),
        "resources": obj({"requests": RESOURCE_LIST, "limits": RESOURCE_LIST,
                          "claims": {"type": "array"}}),
        "podSecurityContext": {"type": "object", "description": "Pod SecurityContext."},
        "securityContext": SECURITY_CONTEXT,
        "livenessProbe": obj({
            "enabled": b("Enable the probe."),
            "initialDelaySeconds": i("Initial delay.", 0),
            "periodSeconds": i("Period.", 1),
            "timeoutSeconds": i("Timeout.", 1),
            "failureThreshold": i("Failures before restart.", 1),
        }),
        "terminationGracePeriodSeconds": i("Shutdown grace.", 0),
        "nodeSelector": free_map("Node selector."),
        "tolerations": any_list("Tolerations."),
        "affinity": {"type": "object", "description": "Affinity."},
        "priorityClassName": s("PriorityClass name."),
        "networkPolicy": obj({
            "enabled": b("Create the NetworkPolicy."),
            "dns": b("Allow DNS."),
            "ports": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 65535}},
            "allowCredentialEndpoints": b("Allow TCP 80 to the EKS Pod Identity agent and IMDS."),
            "extraEgress": any_list("More egress rules."),
        }),
    },
}


def render():
    return json.dumps(SCHEMA, indent=2) + "\n"


if __name__ == "__main__":
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "chart", "values.schema.json")
    if sys.argv[1:] == ["--check"]:
        with open(out) as f:
            if f.read() != render():
                sys.exit("chart/values.schema.json is stale: run .ci/gen-schema.py")
    else:
        with open(out, "w") as f:
            f.write(render())
