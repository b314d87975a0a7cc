#!/usr/bin/env python3
"""End-to-end: the official MCP Python SDK (PyPI `mcp`) as a stdio client of
`kubeglass mcp --fleet`, whose clusters are two agents on two SQS queue pairs of the SQS
testbed (a standard pair and a FIFO pair). Run by tests/e2e_mcp_fleet.rs:

    mcp_fleet_client.py KUBEGLASS FLEET_FILE WEST_AGENT_PID

The server inherits this process's environment (AWS keys, AWS_ENDPOINT_URL_SQS). Checks,
each printed as an `ok:` line (any failure raises and exits non-zero):
- every tool's schema requires `cluster`, an enum of the fleet's names; `clusters` is listed;
- a call per cluster answers from that cluster's agent (east may read shop, west payments);
- an out-of-scope namespace on west is refused by west's agent (`OutOfScope`, naming west);
- the `clusters` tool names both agents;
- two `mcp` processes on east's one response queue, calling at the same time (100 calls
  each; FLEET_CONCURRENT_CALLS), each get their own answers (none lost, none crossed);
- `"*"` triage and a listed get: a section per cluster, within the budget;
- west's agent killed: a call to west is an isError result saying no agent answered and
  naming west; east still answers; an `"*"` call keeps east's answer and says west did not
  answer.
"""

import os
import signal
import sys
import time

import anyio
from mcp import Client, StdioServerParameters

CALL_TIMEOUT_S = 10
CONCURRENT_CALLS = int(os.environ.get("FLEET_CONCURRENT_CALLS", "100"))


def ok(what):
    print(f"ok: {what}", flush=True)


def server(kubeglass, fleet):
    env = dict(os.environ)
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


async def main_session(kubeglass, fleet, west_pid):
    async with Client(server(kubeglass, fleet), mode="auto") as client:
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

        text, err = await call(client, "get", {"cluster": "east", "resource": "pods", "namespace": "shop"})
        assert not err and "web-" in text, text
        text, err = await call(client, "get", {"cluster": "west", "resource": "pods", "namespace": "payments"})
        assert not err and "billing-" in text and "web-" not in text, text
        ok("east answers shop's pods, west payments' pods")

        text, err = await call(client, "get", {"cluster": "west", "resource": "pods", "namespace": "shop"})
        assert err and text.startswith("OutOfScope: cluster west: "), text
        ok(f"west's agent refuses shop: {text[:100]}")

        text, err = await call(client, "clusters", {})
        assert not err and "east: agent over SQS" in text and "west: agent over SQS" in text, text
        # From a heartbeat, or from the last answer (another process may have taken east's
        # heartbeats: whoever receives one keeps it).
        assert "cluster-name east" in text and "cluster-name west" in text, text
        assert "namespaces: payments" in text, text
        ok("clusters lists both agents: " + " | ".join(l.strip() for l in text.splitlines()))

        text, err = await call(client, "triage", {"cluster": "*", "all_namespaces": True})
        assert not err, text
        east_at, west_at = text.find("=== cluster east ==="), text.find("=== cluster west ===")
        assert 0 <= east_at < west_at, text
        assert "shop" in text[east_at:west_at] and "payments" in text[west_at:], text
        assert len(text.encode()) <= 262144, len(text.encode())
        ok(f"triage on \"*\": a section per cluster, {len(text.encode())} bytes")
        text, err = await call(client, "get", {"cluster": ["east", "west"], "resource": "pods",
                                                "all_namespaces": True, "max_output_bytes": 4096})
        assert not err and len(text.encode()) <= 4096 + 200, (len(text.encode()), text)
        assert text.count("=== cluster ") == 2, text
        ok(f"get on a list with max_output_bytes 4096: {len(text.encode())} bytes, within it")

        os.kill(west_pid, signal.SIGKILL)
        t0 = time.monotonic()
        text, err = await call(client, "get", {"cluster": "west", "resource": "pods", "namespace": "payments"})
        took = time.monotonic() - t0
        assert err and text.startswith("Timeout: cluster west: no agent answered"), text
        assert took < CALL_TIMEOUT_S + 5, took
        ok(f"west's agent killed: {text[:110]} (after {took:.1f} s)")
        text, err = await call(client, "get", {"cluster": "east", "resource": "ns"})
        assert not err and "shop" in text and "payments" not in text, text
        ok("east still answers")
        text, err = await call(client, "events", {"cluster": "*", "all_namespaces": True})
        assert not err, text
        west = text[text.find("=== cluster west ==="):]
        assert "error: Timeout: cluster west: no agent answered" in west, text
        assert "=== cluster east ===" in text, text
        ok("events on \"*\" with west down: east's answer stands, west's line says it did not answer")


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
        # Namespaces (east sees only shop) vs shop's deployments: a crossed answer would show the other's text.
        tg.start_soon(one, "a", {"resource": "ns"}, "STATUS", "READY")
        tg.start_soon(one, "b", {"resource": "deploy", "namespace": "shop"}, "READY", "STATUS")
    took = time.monotonic() - t0
    for name, got in results.items():
        bad = [t for (err, mine, t) in got if err or not mine]
        assert len(got) == CONCURRENT_CALLS and not bad, (name, bad[:2])
    ok(f"two mcp processes on one response queue: {2 * CONCURRENT_CALLS} calls, 0 lost, "
       f"0 crossed, in {took:.1f} s")


def main():
    kubeglass, fleet, west_pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
    from importlib.metadata import version
    print(f"mcp SDK {version('mcp')}", flush=True)
    anyio.run(concurrent, kubeglass, fleet)
    anyio.run(main_session, kubeglass, fleet, west_pid)
    print("all MCP fleet checks passed", flush=True)


if __name__ == "__main__":
    main()
