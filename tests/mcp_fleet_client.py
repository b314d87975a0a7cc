#!/usr/bin/env python3
"""End-to-end: the official MCP Python SDK (PyPI `mcp`) as a stdio client of
`kubeglass mcp --fleet`, whose clusters are two agents on two kube testbeds, each behind
its own SQS queue pair of the one SQS testbed: `east` (testbed 1, the second standard pair,
`--namespaces shop,load,fleet-ledger`) and `west` (testbed 2, the FIFO pair, `--namespaces
payments,fleet-ledger`; both testbeds have the namespace fleet-ledger, only testbed 2 its
24 pods `ledger-NN`).
Run by tests/e2e_mcp_fleet.rs, one phase at a time:

    mcp_fleet_client.py up     KUBEGLASS FLEET_FILE
    mcp_fleet_client.py down   KUBEGLASS FLEET_FILE              (west's agent stopped)
    mcp_fleet_client.py outage KUBEGLASS FLEET_FILE QUEUES_JSON  (west's agent stopped)

The server inherits this process's environment (the backend's AWS keys, the region, and
AWS_ENDPOINT_URL_SQS but in `outage`). Each check prints an `ok:` line; any failure raises
and exits non-zero; a phase that passes ends with `phase PHASE passed`.

up:
- every tool's schema requires `cluster`, an enum of [east, west] (fan-out tools also "*" or
  a list); `clusters` is listed;
- two `mcp` processes on east's one response queue, calling at the same time (100 calls
  each; FLEET_CONCURRENT_CALLS): each gets its own answers (0 lost, 0 crossed);
- a call per cluster answers from that cluster: fleet-ledger's pods on west, none on east;
- an out-of-scope namespace on west is refused by west's agent (`OutOfScope`, naming west)
  while east reads it;
- the `clusters` tool names both agents and west's scope;
- `"*"` triage: a section per cluster, each from its cluster, within the call's budget;
- `"*"` get of every pod with max_output_bytes 4096: within it, and each cluster's section
  says it was cut.
down:
- a call to west is an isError result saying no agent answered within the deadline, naming
  west, after about the deadline; east still answers; `"*"` events keep east's answer and
  say on west's line that it did not answer.
outage (a fleet file written here: east and west through a TCP proxy this script runs, `gone`
at a closed port, `wrong` at an HTTP server that is not SQS; no AWS_ENDPOINT_URL_SQS, so each
cluster's endpoint is its queue URL's):
- `gone` and `wrong` each answer a clear error naming the cluster at once, not at the
  deadline; a list fan-out keeps east's answer beside their error lines;
- the proxy stopped: a call to east is `QueueUnavailable: cluster east: …` at once; a call
  to west waiting for its answer when the proxy stops ends at its deadline as
  `QueueUnavailable: cluster west: no answer within …`; the proxy started again: the same
  server answers from east.
"""

import json
import os
import socket
import sys
import threading
import time
from contextlib import suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import anyio
from mcp import Client, StdioServerParameters

CALL_TIMEOUT_S = 10
CONCURRENT_CALLS = int(os.environ.get("FLEET_CONCURRENT_CALLS", "100"))
# A call that fails at once (refused connection, error answer) is back well before this.
PROMPT_S = 4


def ok(what):
    print(f"ok: {what}", flush=True)


def server(kubeglass, fleet, env=None):
    env = dict(env or os.environ)
    env["RUST_LOG"] = os.environ.get("FLEET_SERVER_LOG", "warn")
    return StdioServerParameters(
        command=kubeglass,
        args=["mcp", "--fleet", fleet, "--command-timeout", f"{CALL_TIMEOUT_S}s"],
        env=env,
    )


async def call(client, tool, args):
    r = await client.call_tool(tool, args)
    assert len(r.content) == 1 and r.content[0].type == "text", r
    return r.content[0].text, bool(r.is_error)


async def timed(client, tool, args):
    t0 = time.monotonic()
    text, err = await call(client, tool, args)
    return text, err, time.monotonic() - t0


def sections(text):
    """{cluster: its section's text} of a fan-out answer, in order."""
    out, name = {}, None
    for line in text.splitlines(keepends=True):
        if line.startswith("=== cluster ") and line.rstrip().endswith(" ==="):
            name = line.strip()[len("=== cluster "):-len(" ===")]
            out[name] = ""
        elif name is not None:
            out[name] += line
    return out


# --- up ---------------------------------------------------------------------------------

async def schemas(client):
    tools = (await client.list_tools()).tools
    for t in tools:
        if t.name == "clusters":
            continue
        s = t.input_schema
        c = s["properties"]["cluster"]
        if t.name in ("triage", "get", "events", "changes"):
            assert c["anyOf"][0]["enum"] == ["east", "west", "*"], (t.name, s)
            assert c["anyOf"][1]["items"]["enum"] == ["east", "west"], (t.name, s)
        else:
            assert c["enum"] == ["east", "west"], (t.name, s)
        assert s["required"][0] == "cluster", (t.name, s)
    assert any(t.name == "clusters" for t in tools)
    ok(f"tools/list: {len(tools)} tools, each requiring cluster in [east, west] (triage, get, "
       f"events, changes also \"*\" or a list), and clusters")


async def concurrent(kubeglass, fleet):
    """Two servers on east's one response queue, each calling back to back at once."""
    results = {}

    async def one(name, args, expect, reject):
        async with Client(server(kubeglass, fleet), mode="auto") as client:
            got = []
            for _ in range(CONCURRENT_CALLS):
                text, err = await call(client, "get", {"cluster": "east", **args})
                got.append((err, expect in text and reject not in text, text))
            results[name] = got

    t0 = time.monotonic()
    async with anyio.create_task_group() as tg:
        # Namespaces vs shop's deployments: a crossed answer would show the other's text.
        tg.start_soon(one, "a", {"resource": "ns"}, "STATUS", "READY")
        tg.start_soon(one, "b", {"resource": "deploy", "namespace": "shop"}, "READY", "STATUS")
    took = time.monotonic() - t0
    assert sorted(results) == ["a", "b"], results.keys()
    for name, got in results.items():
        bad = [t for (err, mine, t) in got if err or not mine]
        assert len(got) == CONCURRENT_CALLS and not bad, (name, len(got), bad[:2])
    ok(f"two mcp processes on one response queue: {2 * CONCURRENT_CALLS} calls, 0 lost, "
       f"0 crossed, in {took:.1f} s")


async def up(kubeglass, fleet):
    await concurrent(kubeglass, fleet)
    async with Client(server(kubeglass, fleet), mode="auto") as client:
        await schemas(client)
        # West's FIFO pair is shared with other e2e tests: an agent one of them SIGKILLed may
        # still have a long poll open in the queue server (up to 20 s), which takes the next
        # command into a visibility timeout. A warm-up call that may be lost so, then the checks.
        for attempt in range(1, 4):
            text, err = await call(client, "version", {"cluster": "west"})
            if not err:
                break
            assert text.startswith("Timeout: cluster west: no agent answered"), text
        assert not err, text
        ok(f"west answers version (warm-up try {attempt})")

        text, err = await call(client, "get", {"cluster": "west", "resource": "pods",
                                               "namespace": "fleet-ledger"})
        assert not err and text.count("ledger-") == 24, text
        text, err = await call(client, "get", {"cluster": "east", "resource": "pods",
                                               "namespace": "fleet-ledger"})
        assert not err and "ledger-" not in text, text
        ok("fleet-ledger's 24 pods come from west (testbed 2); east (testbed 1) has none")
        text, err = await call(client, "get", {"cluster": "east", "resource": "pods", "namespace": "shop"})
        assert not err and "web-" in text, text
        text, err = await call(client, "get", {"cluster": "west", "resource": "pods", "namespace": "payments"})
        assert not err and "billing-" in text and "web-" not in text, text
        ok("east answers shop's pods, west payments' pods")

        text, err = await call(client, "get", {"cluster": "west", "resource": "pods", "namespace": "shop"})
        assert err and text.startswith("OutOfScope: cluster west: "), text
        text, err = await call(client, "get", {"cluster": "east", "resource": "pods", "namespace": "payments"})
        assert err and text.startswith("OutOfScope: cluster east: "), text
        ok(f"each agent refuses what is outside its scope: {text[:100]}")

        text, err = await call(client, "clusters", {})
        assert not err and "east: agent over SQS" in text and "west: agent over SQS" in text, text
        # From a heartbeat, or from the last answer (another process may have taken east's
        # heartbeats: whoever receives one keeps it).
        assert "cluster-name east" in text and "cluster-name west" in text, text
        assert "namespaces: fleet-ledger,payments" in text, text
        ok("clusters lists both agents: " + " | ".join(l.strip() for l in text.splitlines()))

        budget = 16384
        text, err = await call(client, "triage", {"cluster": "*", "all_namespaces": True,
                                                  "max_output_bytes": budget})
        assert not err, text
        s = sections(text)
        assert list(s) == ["east", "west"], text
        assert "shop deploy/api: CrashLoopBackOff" in s["east"] and "load pods:" in s["east"], text
        assert "fleet-ledger" not in s["east"] and "payments" not in s["east"], text
        assert "fleet-ledger pods: Pending" in s["west"], text
        assert "payments deploy/billing: OOMKilled" in s["west"], text
        assert "shop " not in s["west"] and "load " not in s["west"], text
        assert len(text.encode()) <= budget, len(text.encode())
        ok(f"triage on \"*\": a section per cluster, each its own cluster's, "
           f"{len(text.encode())} bytes of {budget}")

        budget = 4096
        text, err = await call(client, "get", {"cluster": "*", "resource": "pods",
                                               "all_namespaces": True, "max_output_bytes": budget})
        assert not err and len(text.encode()) <= budget, (len(text.encode()), text)
        s = sections(text)
        assert list(s) == ["east", "west"], text
        for name, body in s.items():
            assert "[kubeglass: output cut at 1792 bytes" in body, (name, text)
            assert body.endswith(f"[kubeglass: cluster {name} had 1792 of the call's {budget} bytes "
                                 f"(split between 2 clusters): ask it alone for more]\n"), (name, text)
        assert "load " in s["east"] and "ledger-" in s["west"], text
        notes = " | ".join(f"{n}: " + " ".join(b.splitlines()[-2:]) for n, b in s.items())
        ok(f"get pods -A on \"*\" with max_output_bytes {budget}: {len(text.encode())} bytes, "
           f"each section cut at its share and saying so: {notes}")


# --- down -------------------------------------------------------------------------------

async def down(kubeglass, fleet):
    async with Client(server(kubeglass, fleet), mode="auto") as client:
        text, err, took = await timed(client, "get", {"cluster": "west", "resource": "pods",
                                                      "namespace": "payments"})
        assert err and text.startswith(
            f"Timeout: cluster west: no agent answered within {CALL_TIMEOUT_S} s"), text
        assert CALL_TIMEOUT_S - 1 <= took < CALL_TIMEOUT_S + 5, took
        ok(f"west's agent stopped: {text[:120]} (after {took:.1f} s)")
        text, err = await call(client, "get", {"cluster": "east", "resource": "ns"})
        assert not err and "shop" in text and "payments" not in text, text
        ok("east still answers")
        text, err, took = await timed(client, "events", {"cluster": "*", "all_namespaces": True})
        assert not err, text
        s = sections(text)
        assert list(s) == ["east", "west"], text
        assert "error:" not in s["east"], text
        assert s["west"].strip().startswith(
            f"error: Timeout: cluster west: no agent answered within {CALL_TIMEOUT_S} s"), text
        assert took < CALL_TIMEOUT_S + 5, took
        ok(f"events on \"*\" with west down: east's answer stands, west's line says it did not "
           f"answer (after {took:.1f} s)")


# --- outage -----------------------------------------------------------------------------

class Proxy:
    """A loopback TCP proxy to the SQS testbed: `stop` closes the listener and every
    connection (the server sees refused connections and resets, as when SQS is unreachable);
    `start` listens again on the same port."""

    def __init__(self, tg, upstream):
        host_port = upstream.split("://", 1)[1].rstrip("/")
        self.up_host, self.up_port = host_port.rsplit(":", 1)
        self.tg = tg
        self.port = free_port()
        self.scope = None
        self.done = None

    def url(self):
        return f"http://127.0.0.1:{self.port}"

    async def start(self):
        listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=self.port)
        self.scope, self.done = anyio.CancelScope(), anyio.Event()

        async def run(scope, done):
            with scope:
                await listener.serve(self.handle)
            await listener.aclose()
            done.set()

        self.tg.start_soon(run, self.scope, self.done)

    async def stop(self):
        self.scope.cancel()
        await self.done.wait()

    async def handle(self, down):
        async def pipe(a, b):
            with suppress(Exception):
                async for chunk in a:
                    await b.send(chunk)
            with suppress(Exception):
                await b.send_eof()

        try:
            up = await anyio.connect_tcp(self.up_host, int(self.up_port))
        except OSError:
            await down.aclose()
            return
        async with up, down:
            async with anyio.create_task_group() as tg:
                tg.start_soon(pipe, down, up)
                tg.start_soon(pipe, up, down)


class NotSqs(BaseHTTPRequestHandler):
    """An HTTP server that is not SQS (a wrong endpoint): 404 with an HTML page."""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b"<html><body><h1>404 Not Found</h1></body></html>"
        self.send_response(404)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def path_of(url):
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


async def outage(kubeglass, fleet, queues):
    wrong = ThreadingHTTPServer(("127.0.0.1", 0), NotSqs)
    threading.Thread(target=wrong.serve_forever, daemon=True).start()
    closed = free_port()  # nothing listens there
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL")}
    async with anyio.create_task_group() as tg:
        proxy = Proxy(tg, os.environ["AWS_ENDPOINT_URL_SQS"])
        await proxy.start()
        entries = []
        for name, base in [("east", proxy.url()), ("west", proxy.url()),
                           ("gone", f"http://127.0.0.1:{closed}"),
                           ("wrong", f"http://127.0.0.1:{wrong.server_address[1]}")]:
            cmd, resp = queues["west" if name == "west" else "east"]
            entries.append(f"  - name: {name}\n    commandQueueUrl: {base}{path_of(cmd)}\n"
                           f"    responseQueueUrl: {base}{path_of(resp)}\n")
        path = os.path.join(os.path.dirname(fleet), "fleet-outage.yaml")
        with open(path, "w") as f:
            f.write("clusters:\n" + "".join(entries))

        async with Client(server(kubeglass, path, env), mode="auto") as client:
            text, err, took = await timed(client, "version", {"cluster": "east"})
            assert not err, text
            ok(f"east through the proxy answers ({took:.1f} s)")

            text, err, took = await timed(client, "version", {"cluster": "gone"})
            assert err and text.startswith("QueueUnavailable: cluster gone: "), text
            assert took < PROMPT_S, took
            ok(f"a queue server that is not there: {text[:150]} (after {took:.1f} s)")
            text, err, took = await timed(client, "version", {"cluster": "wrong"})
            assert err and text.startswith("Config: cluster wrong: ") and "HTTP404" in text, text
            assert "does not answer as SQS" in text, text
            assert took < PROMPT_S, took
            ok(f"an endpoint that is not SQS: {text} (after {took:.1f} s)")
            text, err, took = await timed(client, "get", {"cluster": ["east", "gone", "wrong"],
                                                          "resource": "ns"})
            assert not err, text
            s = sections(text)
            assert list(s) == ["east", "gone", "wrong"], text
            assert "shop" in s["east"] and "error:" not in s["east"], text
            assert s["gone"].startswith("error: QueueUnavailable: cluster gone: "), text
            assert s["wrong"].startswith("error: Config: cluster wrong: "), text
            assert took < PROMPT_S, took
            ok(f"a fan-out to east, gone and wrong: east's answer and an error line each "
               f"(after {took:.1f} s)")

            await proxy.stop()
            text, err, took = await timed(client, "version", {"cluster": "east"})
            assert err and text.startswith("QueueUnavailable: cluster east: "), text
            assert took < PROMPT_S, took
            ok(f"SQS unreachable: {text[:150]} (after {took:.1f} s)")
            await proxy.start()
            text, err, took = await timed(client, "version", {"cluster": "east"})
            assert not err, text
            ok(f"SQS back: the same server answers from east ({took:.1f} s)")

            # West has no agent: its call waits, and the queue server goes away meanwhile.
            got = {}

            async def wait_west():
                got["r"] = await timed(client, "get", {"cluster": "west", "resource": "pods",
                                                       "namespace": "payments"})

            async with anyio.create_task_group() as calls:
                calls.start_soon(wait_west)
                await anyio.sleep(2)
                await proxy.stop()
            text, err, took = got["r"]
            assert err and text.startswith(
                f"QueueUnavailable: cluster west: no answer within {CALL_TIMEOUT_S} s: "), text
            assert took < CALL_TIMEOUT_S + 5, took
            ok(f"SQS gone while waiting: {text[:150]} (after {took:.1f} s)")
            await proxy.start()
            text, err, took = await timed(client, "get", {"cluster": "east", "resource": "ns"})
            assert not err and "shop" in text, text
            ok(f"SQS back again: east answers ({took:.1f} s)")
        await proxy.stop()
    wrong.shutdown()


def main():
    phase, kubeglass, fleet = sys.argv[1], sys.argv[2], sys.argv[3]
    from importlib.metadata import version
    print(f"mcp SDK {version('mcp')}", flush=True)
    if phase == "up":
        anyio.run(up, kubeglass, fleet)
    elif phase == "down":
        anyio.run(down, kubeglass, fleet)
    elif phase == "outage":
        anyio.run(outage, kubeglass, fleet, json.loads(sys.argv[4]))
    else:
        sys.exit(f"unknown phase {phase!r}")
    print(f"phase {phase} passed", flush=True)


if __name__ == "__main__":
    main()
