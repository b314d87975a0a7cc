#!/usr/bin/env python3
"""The agent's idle RSS and CPU with the flight recorder on, by hand (docs/performance.md,
"The flight recorder"): start `kubeglass run --record` against a kube testbed and the SQS
testbed, wait until its first lists are done (its CPU time stops rising for 5 s), then read
its RSS and its CPU time over a quiet minute (nothing changes in the cluster; the SQS long
poll goes on). With --churn S, then churn the statuses of the pods of tests/churn.py (namespace
`churn`, 10,000 pods, 40 writes a second) for S seconds and read the peak RSS. Prints one JSON
line.

usage: recorder_idle.py --bin BIN --kube DIR --sqs DIR [--quiet 60] [--log FILE] [--churn S]
                        [-- EXTRA AGENT ARGS]
"""
import argparse
import json
import os
import signal
import subprocess
import time

HZ = os.sysconf("SC_CLK_TCK")


def cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return (int(rest[11]) + int(rest[12])) / HZ


def kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(field)


def count_pages(log):
    """Pages of the recorder's pod list fetched so far (None without a log)."""
    if not log:
        return None
    with open(log) as f:
        return sum(1 for line in f if "GET /api/v1/pods?limit=" in line)


def sqs_env(d):
    env = {}
    with open(os.path.join(d, "sqs.env")) as f:
        for line in f:
            if "=" in line:
                k, v = line.strip().split("=", 1)
                env[k] = v.strip("'\"")
    return env


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--kube", required=True)
    ap.add_argument("--sqs", required=True)
    ap.add_argument("--quiet", type=float, default=60)
    ap.add_argument("--log", help="the agent's log (debug: every GET) goes here")
    ap.add_argument("--churn", type=float, default=0, help="seconds of status churn after the quiet")
    ap.add_argument("extra", nargs="*")
    a = ap.parse_args()
    s = sqs_env(a.sqs)
    env = dict(os.environ, AWS_REGION=s["AWS_REGION"], AWS_ENDPOINT_URL_SQS=s["SQS_TESTBED_ENDPOINT"],
               AWS_ACCESS_KEY_ID=s["AWS_ACCESS_KEY_ID"], AWS_SECRET_ACCESS_KEY=s["AWS_SECRET_ACCESS_KEY"])
    cmd = [a.bin, "run", "--record", "--kubeconfig", os.path.join(a.kube, "kubeconfig"),
           "--command-queue-url", s["SQS_TESTBED_COMMAND_QUEUE_URL"],
           "--response-queue-url", s["SQS_TESTBED_RESPONSE_QUEUE_URL"]] + a.extra
    # The debug log names every GET: the pod list's pages are counted in it (`list_pages`).
    env["RUST_LOG"] = "kubeglass=debug"
    log = open(a.log, "w") if a.log else subprocess.DEVNULL
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=log)
    try:
        start = time.monotonic()
        last, still = cpu_s(p.pid), time.monotonic()
        while time.monotonic() - still < 5:
            time.sleep(0.5)
            c = cpu_s(p.pid)
            if c - last > 0.02:
                last, still = c, time.monotonic()
        settled = time.monotonic() - start - 5
        pages_at_settle = count_pages(a.log)
        peak_list = kib(p.pid, "VmHWM")
        c0, rss0 = cpu_s(p.pid), kib(p.pid, "VmRSS")
        time.sleep(a.quiet)
        c1, rss1 = cpu_s(p.pid), kib(p.pid, "VmRSS")
        churned = {}
        if a.churn:
            churn_py = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "churn.py")
            writes = subprocess.run(["python3", churn_py, "churn", a.kube, "churn", "10000",
                                     str(a.churn), "40"], check=True, capture_output=True, text=True)
            churned = {"churn_s": a.churn, "churn_writes": int(writes.stdout.strip()),
                       "churn_cpu_ms": round((cpu_s(p.pid) - c1) * 1000),
                       "rss_kib_after_churn": kib(p.pid, "VmRSS"), "peak_rss_kib": kib(p.pid, "VmHWM")}
        print(json.dumps({**churned, "args": a.extra, "listed_s": round(settled, 1),
                          "peak_rss_kib_through_list": peak_list, "idle_rss_kib": rss0,
                          "idle_rss_kib_after_quiet": rss1, "quiet_s": a.quiet,
                          "quiet_cpu_ms": round((c1 - c0) * 1000),
                          "pod_pages_at_settle": pages_at_settle,
                          "pod_pages_at_end": count_pages(a.log)}))
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=30)


if __name__ == "__main__":
    main()
