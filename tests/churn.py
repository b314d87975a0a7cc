#!/usr/bin/env python3
"""Bulk pods for tests/e2e_recorder_churn.rs on the kube testbed: fast writes over kept-alive
connections from a few threads (the testbed's own `seed --pods` opens one per request).

usage:
  churn.py seed DIR NS N          create pods NS/churn-00000.. (N of them; existing ones kept);
                                  every 10th gets a previous log in the kubelet scenario
  churn.py churn DIR NS N SECONDS RATE
                                  for SECONDS, patch random pods' statuses at about RATE a second:
                                  container terminations (OOMKilled, Error) with rising restart
                                  counts, evictions (Failed/Evicted) and Unschedulable; prints
                                  how many writes were made
  churn.py clean DIR NS           delete every pod in NS and the scenario entries of `seed`
"""
import concurrent.futures
import datetime
import http.client
import json
import os
import random
import ssl
import sys
import threading
import time

THREADS = 8


def settings(d):
    with open(os.path.join(d, "testbed.json")) as f:
        st = json.load(f)
    return st


class Conn(threading.local):
    """One kept-alive HTTPS connection per thread."""

    def __init__(self, st):
        self.st = st
        self.c = None

    def req(self, method, path, body=None, ctype="application/json"):
        for attempt in range(5):
            try:
                if self.c is None:
                    host, port = self.st["server"].split("//")[1].split(":")
                    ctx = ssl.create_default_context(cafile=self.st["ca"])
                    self.c = http.client.HTTPSConnection(host, int(port), context=ctx, timeout=120)
                h = {"Authorization": "Bearer " + self.st["admin_token"]}
                data = None
                if body is not None:
                    h["Content-Type"] = ctype
                    data = json.dumps(body).encode()
                self.c.request(method, path, body=data, headers=h)
                r = self.c.getresponse()
                out = r.read()
                if (r.status >= 500 and r.status != 504) or r.status == 429:
                    raise OSError(f"{r.status} {out[:200]!r}")
                return r.status, out
            except (OSError, http.client.HTTPException) as e:
                self.c = None
                if attempt == 4:
                    raise RuntimeError(f"{method} {path}: {e}")
                time.sleep(0.5 * (attempt + 1))


def name(i):
    return f"churn-{i:05d}"


def scenario_path(d):
    return os.path.join(d, "kubelet-scenario.json")


def edit_scenario(d, ns, n, add):
    p = scenario_path(d)
    try:
        with open(p) as f:
            sc = json.load(f)
    except (OSError, ValueError):
        sc = {}
    for i in range(0, n, 10):
        key = f"{ns}/{name(i)}/app"
        if add:
            sc.setdefault("previous", {})[key] = True
            sc.setdefault("last_line", {})[key] = f"fatal: worker {i} ran out of memory"
        else:
            sc.get("previous", {}).pop(key, None)
            sc.get("last_line", {}).pop(key, None)
    tmp = p + ".tmp"
    with open(tmp, "w") as f:
        json.dump(sc, f)
    os.replace(tmp, p)


def seed(d, ns, n):
    st = settings(d)
    conn = Conn(st)
    s, _ = conn.req("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                    "metadata": {"name": ns}})
    if s not in (201, 409):
        raise RuntimeError(f"namespace {ns}: {s}")

    def one(i):
        pod = {"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": name(i), "labels": {"app": "churn", "shard": str(i % 10)}},
               "spec": {"nodeName": "node-1", "containers": [
                   {"name": "app", "image": "busybox:1.36",
                    "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]}}
        s, out = conn.req("POST", f"/api/v1/namespaces/{ns}/pods", pod)
        if s not in (201, 409):
            raise RuntimeError(f"create {name(i)}: {s} {out[:200]!r}")

    with concurrent.futures.ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(one, range(n)))
    edit_scenario(d, ns, n, True)


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def churn(d, ns, n, seconds, rate):
    st = settings(d)
    conn = Conn(st)
    restarts = {}
    lock = threading.Lock()
    end = time.monotonic() + seconds
    done = [0]

    def status_for(i):
        with lock:
            k = restarts.get(i, 0) + 1
            restarts[i] = k
        roll = random.random()
        t = now()
        if roll < 0.7:
            reason, code = random.choice([("OOMKilled", 137), ("Error", 1)])
            return {"phase": "Running", "startTime": t, "containerStatuses": [{
                "name": "app", "image": "busybox:1.36", "imageID": "", "ready": False,
                "restartCount": k, "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                "lastState": {"terminated": {"exitCode": code, "reason": reason,
                                             "startedAt": t, "finishedAt": t}}}]}
        if roll < 0.9:
            return {"phase": "Failed", "reason": "Evicted",
                    "message": f"The node was low on resource: memory. Container app was using {k}Mi.",
                    "containerStatuses": None}
        return {"phase": "Pending", "containerStatuses": None, "conditions": [{
            "type": "PodScheduled", "status": "False", "reason": "Unschedulable",
            "message": f"0/3 nodes are available: {k} Insufficient memory.",
            "lastTransitionTime": t}]}

    def worker(w):
        per = THREADS / rate
        nxt = time.monotonic()
        while time.monotonic() < end:
            i = random.randrange(n)
            conn.req("PATCH", f"/api/v1/namespaces/{ns}/pods/{name(i)}/status",
                     {"status": status_for(i)}, "application/merge-patch+json")
            with lock:
                done[0] += 1
            nxt += per
            time.sleep(max(0.0, nxt - time.monotonic()))

    with concurrent.futures.ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(worker, range(THREADS)))
    print(done[0])


def clean(d, ns):
    """Delete the pods at once (grace 0: with no kubelet, a graceful deletion never ends),
    by label, until none is left."""
    st = settings(d)
    conn = Conn(st)
    edit_scenario(d, ns, 10_000, False)
    body = {"kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": 0}
    for _ in range(20):
        s, out = conn.req("DELETE", f"/api/v1/namespaces/{ns}/pods?labelSelector=app%3Dchurn", body)
        if s not in (200, 404, 504):
            raise RuntimeError(f"delete the pods of {ns}: {s} {out[:200]!r}")
        s, out = conn.req("GET", f"/api/v1/namespaces/{ns}/pods?limit=1&labelSelector=app%3Dchurn")
        if s == 404 or not json.loads(out).get("items"):
            return
    raise RuntimeError(f"pods are left in {ns}")


if __name__ == "__main__":
    a = sys.argv[1:]
    if a[:1] == ["seed"] and len(a) == 4:
        seed(a[1], a[2], int(a[3]))
    elif a[:1] == ["churn"] and len(a) == 6:
        churn(a[1], a[2], int(a[3]), float(a[4]), float(a[5]))
    elif a[:1] == ["clean"] and len(a) == 3:
        clean(a[1], a[2])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
