"""Agent smoke test, run by chart_cluster.py: start `kubeglass run` with exactly the arguments
and environment the chart's Deployment gives the container (plus the testbed's SQS endpoint,
the agent key and the minted ServiceAccount token), then act as the backend with boto3 and
the admin key: expect a heartbeat, answers to a few commands (wire protocol v1, issue 3),
a fresh health file (`kubeglass health`, the chart's liveness probe), and a clean SIGTERM.
"""
import base64
import gzip
import json
import os
import shlex
import signal
import subprocess
import time

import boto3

HEARTBEAT_WAIT_S = 40
ANSWER_WAIT_S = 90
STOP_WAIT_S = 30
# The health file the chart's probe reads (the agent's default, on the pod's emptyDir /tmp).
HEALTH_FILE = "/tmp/kubeglass-alive"


def read_env_file(path):
    out = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                k, v = line.split("=", 1)
                out[k] = shlex.split(v)[0] if v else ""
    return out


def sqs_client(sqs_env):
    return boto3.client(
        "sqs", region_name=sqs_env["AWS_REGION"], endpoint_url=sqs_env["SQS_TESTBED_ENDPOINT"],
        aws_access_key_id=sqs_env["SQS_TESTBED_ADMIN_ACCESS_KEY_ID"],
        aws_secret_access_key=sqs_env["SQS_TESTBED_ADMIN_SECRET_ACCESS_KEY"])


def decode_output(msg):
    out = msg.get("output")
    if msg.get("encoding") == "gzip+base64" and isinstance(out, str):
        return gzip.decompress(base64.b64decode(out)).decode()
    return out if isinstance(out, str) else json.dumps(out)


def drain(sqs, url, wait_s, want, agent):
    """Receive from url until want(messages) says done, wait_s passes or the agent exits;
    returns all bodies."""
    got, deadline = [], time.monotonic() + wait_s
    while time.monotonic() < deadline and agent.poll() is None:
        r = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=2)
        for m in r.get("Messages", []):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            try:
                got.append(json.loads(m["Body"]))
            except ValueError:
                got.append({"unparsable": m["Body"][:200]})
        if want(got):
            break
    return got


def container_command(deployment, binary, cmd_url, resp_url):
    """The Deployment's container args and plain env, with the queue URLs filled in."""
    c = deployment["spec"]["template"]["spec"]["containers"][0]
    args = [a for a in c["args"] if not a.startswith(("--command-queue-url", "--response-queue-url"))]
    args += [f"--command-queue-url={cmd_url}", f"--response-queue-url={resp_url}"]
    env = {e["name"]: e["value"] for e in c.get("env", []) if "value" in e}
    return [binary, *args], env


def run(check, say, deployment, binary, sa_dir, port, home, sqs_dir, scope):
    sqs_env = read_env_file(os.path.join(sqs_dir, "sqs.env"))
    sqs = sqs_client(sqs_env)
    cmd_url = sqs_env["SQS_TESTBED_COMMAND_QUEUE_URL"]
    resp_url = sqs_env["SQS_TESTBED_RESPONSE_QUEUE_URL"]
    for url in (cmd_url, resp_url):
        # Left-overs of the end-to-end tests must not be taken for answers.
        sqs.purge_queue(QueueUrl=url)
    argv, env = container_command(deployment, binary, cmd_url, resp_url)
    env.update({
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home,
        "KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": str(port),
        "KUBEGLASS_SERVICE_ACCOUNT_DIR": sa_dir,
        "AWS_REGION": sqs_env["AWS_REGION"], "AWS_ENDPOINT_URL_SQS": sqs_env["SQS_TESTBED_ENDPOINT"],
        "AWS_ACCESS_KEY_ID": sqs_env["AWS_ACCESS_KEY_ID"],
        "AWS_SECRET_ACCESS_KEY": sqs_env["AWS_SECRET_ACCESS_KEY"],
    })
    say(f"agent: {' '.join(argv)}")
    before = os.path.getmtime(HEALTH_FILE) if os.path.exists(HEALTH_FILE) else 0.0
    log_path = os.path.join(home, "agent.log")
    with open(log_path, "w") as log:
        agent = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        beats = drain(sqs, resp_url, HEARTBEAT_WAIT_S,
                      lambda got: any(m.get("type") == "heartbeat" for m in got), agent)
        beat = next((m for m in beats if m.get("type") == "heartbeat"), None)
        check(beat is not None, f"agent: a heartbeat on the response queue within {HEARTBEAT_WAIT_S}s")
        if beat is not None:
            got_scope = (beat.get("scope") or {}).get("namespaces")
            check(got_scope == scope, f"agent: heartbeat scope {got_scope} == {scope}")
        commands = {
            "smoke-get": ("get pods -n shop", lambda m: m.get("status") == "ok" and "web-" in decode_output(m)),
            "smoke-scope": ("get pods -n payments",
                            lambda m: (m.get("error") or {}).get("code") in ("OutOfScope", "Forbidden")),
            "smoke-delete": ("delete pod web", lambda m: (m.get("error") or {}).get("code") == "ReadOnly"),
        }
        for cid, (line, _) in commands.items():
            sqs.send_message(QueueUrl=cmd_url, MessageBody=json.dumps({"version": 1, "id": cid, "kubectl": line}))
        answers = drain(sqs, resp_url, ANSWER_WAIT_S,
                        lambda got: set(commands) <= {m.get("id") for m in got if m.get("type") == "result"},
                        agent)
        by_id = {m.get("id"): m for m in answers if m.get("type") == "result"}
        for cid, (line, ok) in commands.items():
            m = by_id.get(cid)
            shown = json.dumps(m)[:300] if m else "no answer"
            check(m is not None and ok(m), f"agent: `{line}` answered as expected: {shown}")
        after = os.path.getmtime(HEALTH_FILE) if os.path.exists(HEALTH_FILE) else 0.0
        check(after > before, f"agent: touched the health file {HEALTH_FILE}")
        probe = subprocess.run([binary, "health"], env=env, capture_output=True, text=True, timeout=30)
        check(probe.returncode == 0, f"agent: the liveness probe `kubeglass health` -> {probe.returncode} {probe.stderr.strip()[:200]}")
        agent.send_signal(signal.SIGTERM)
        try:
            rc = agent.wait(timeout=STOP_WAIT_S)
        except subprocess.TimeoutExpired:
            rc = "still running"
        check(rc == 0, f"agent: exits 0 on SIGTERM within {STOP_WAIT_S}s -> {rc}")
    finally:
        if agent.poll() is None:
            agent.kill()
            agent.wait()
        with open(log_path) as f:
            tail = f.read()[-3000:]
        say("agent log (tail):\n" + "\n".join("    " + line for line in tail.splitlines()))
        for cred in (sqs_env["AWS_SECRET_ACCESS_KEY"], sqs_env["SQS_TESTBED_ADMIN_SECRET_ACCESS_KEY"]):
            check(cred not in tail, "agent: no secret key in its log")
