#!/usr/bin/env python3
"""A minimal kubeglass backend, as docs/protocol.md describes one: send one command, wait
for its answer, print it. Runs as is (tests/e2e_faults.rs runs it against the SQS testbed).

usage: backend.py COMMAND_QUEUE_URL RESPONSE_QUEUE_URL KUBECTL-WORDS...
       e.g. backend.py "$CMD_Q" "$RESP_Q" get pods -n shop

AWS credentials, region and endpoint come from the environment as boto3 reads them
(AWS_ENDPOINT_URL_SQS points it at a test server). KUBEGLASS_BACKEND_TIMEOUT (seconds,
default 120) is how long it waits for an answer.

Exit status: 0 with the output on stdout; 1 for an error answer (`error: CODE: message` on
stderr, a partial output on stdout); 2 when no complete answer came by the deadline.

What it does that a real backend must do too:
- parts are keyed by (id, answer) and the first complete answer is the answer: two agents
  (or one agent before and after a restart) may both answer one id, each with its own
  answer id, and their parts must never be mixed;
- it deletes only messages of its own id; every other message (another backend's answer, a
  heartbeat) is hidden for 5 s when received, so it does not receive it again and again
  while another caller can still get it (hidden until it stopped, two backends waiting at
  once each hid the other's answer until both gave up), and handed back (visibility 0)
  when it stops, so nothing of anyone else's is lost — unless its owner took it meanwhile
  (then the handle is stale and SQS refuses the hand-back, which is no error here);
- it stops at a deadline instead of waiting forever.
"""
import base64
import gzip
import json
import os
import sys
import time
import uuid

import boto3
from botocore.exceptions import ClientError


def main(argv):
    if len(argv) < 4:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    cmd_q, resp_q, words = argv[1], argv[2], argv[3:]
    timeout = float(os.environ.get("KUBEGLASS_BACKEND_TIMEOUT", "120"))
    sqs = boto3.client("sqs")
    cid = f"inv-1:{uuid.uuid4().hex[:12]}"
    send = {"QueueUrl": cmd_q,
            "MessageBody": json.dumps({"version": 1, "id": cid, "kubectl": words})}
    if cmd_q.endswith(".fifo"):
        send.update(MessageGroupId=cid.split(":")[0], MessageDeduplicationId=cid)
    sqs.send_message(**send)

    answers = {}  # answer id -> {part number: message}
    others = []   # receipt handles of messages that are not ours, handed back at the end
    end = time.monotonic() + timeout
    try:
        while time.monotonic() < end:
            left = end - time.monotonic()
            got = sqs.receive_message(
                QueueUrl=resp_q, MaxNumberOfMessages=10,
                WaitTimeSeconds=max(0, min(20, int(left))),
                # Not ours: hidden a few seconds only, then visible to its caller again.
                # (Hidden until we stop, two backends waiting at once could each hide the
                # other's answer until both gave up.) Ours is deleted at once.
                VisibilityTimeout=5,
            ).get("Messages", [])
            for m in got:
                try:
                    body = json.loads(m["Body"])
                except ValueError:
                    body = {}
                if not isinstance(body, dict) or body.get("id") != cid:
                    others.append(m["ReceiptHandle"])
                    continue
                sqs.delete_message(QueueUrl=resp_q, ReceiptHandle=m["ReceiptHandle"])
                if body.get("type") != "result":
                    continue  # a `duplicate` notice: the answer is on its way or here
                # An agent older than the answer id sent none: key by `parts` then.
                key = body.get("answer", f"parts={body['parts']}")
                parts = answers.setdefault(key, {})
                parts[body["part"]] = body
                if len(parts) == body["parts"]:
                    return finish([parts[k] for k in sorted(parts)])
        print(f"error: no complete answer to {cid} within {timeout:.0f} s", file=sys.stderr)
        return 2
    finally:
        for h in others:
            try:
                sqs.change_message_visibility(QueueUrl=resp_q, ReceiptHandle=h,
                                              VisibilityTimeout=0)
            except ClientError:
                pass  # deleted by its owner, or received again since: not ours to hand back


def finish(parts):
    """Join the parts of one answer, decode it, print it; the exit status."""
    first = parts[0]
    text = "".join(p.get("output", "") for p in parts)
    if first.get("encoding") == "gzip+base64":
        text = gzip.decompress(base64.b64decode(text)).decode()
    sys.stdout.write(text)
    if first["status"] == "error":
        print(f'error: {first["error"]["code"]}: {first["error"]["message"]}', file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
