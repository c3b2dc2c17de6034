#!/usr/bin/env python3
"""Instructions the emulator spends per listing, counted by callgrind (not timed, so other
work on the machine does not change the figure).

    python3 bench/callgrind_listing.py BENCH_BINARY KEYS [LISTINGS]

Starts `BENCH_BINARY server --keys KEYS` (a release build of `labelbox-bench`: the emulator
in its own process, seeded until the bootstrap admin key sees KEYS keys) under
`valgrind --tool=callgrind` with instrumentation off, sends 5 warm-up listings (the document is
prepared, the snapshot derived, the keys rendered), turns instrumentation on, sends LISTINGS
(default 50) listings of `queries/list_api_keys.graphql` over HTTP, one at a time, dumps the
counts of those listings, and prints the emulator's instructions per listing (every thread of the process:
accept loop, HTTP, authentication, the answer). Compare two builds by running it on each.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def listing(endpoint, key, body):
    request = urllib.request.Request(
        endpoint,
        data=body,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
    )
    with urllib.request.urlopen(request) as response:
        answer = response.read()
    if b'"errors"' in answer:
        raise SystemExit(f"the listing failed: {answer[:200]!r}")
    return len(answer)


def main():
    binary, keys = sys.argv[1], int(sys.argv[2])
    listings = int(sys.argv[3]) if len(sys.argv) > 3 else 50
    with open(os.path.join(ROOT, "queries", "list_api_keys.graphql")) as f:
        query = f.read()
    body = json.dumps(
        {"query": query, "operationName": "ListApiKeys", "variables": {}}
    ).encode()
    out = tempfile.mktemp(prefix="callgrind.listing.")
    server = subprocess.Popen(
        [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={out}",
            binary,
            "server",
            "--keys",
            str(keys),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    endpoint = key = None
    for line in server.stdout:
        if line.startswith("endpoint "):
            endpoint = line.split(" ", 1)[1].strip()
        elif line.startswith("admin_key "):
            key = line.split(" ", 1)[1].strip()
        elif line.strip() == "ready":
            break
    for _ in range(5):
        size = listing(endpoint, key, body)
    pid = str(server.pid)
    subprocess.run(["callgrind_control", "-i", "on", pid], check=True, capture_output=True)
    for _ in range(listings):
        listing(endpoint, key, body)
    # The dump (`OUT.1`) holds exactly the listings.
    subprocess.run(["callgrind_control", "-d", pid], check=True, capture_output=True)
    server.stdin.write("quit\n")
    server.stdin.flush()
    server.wait()
    total = 0
    with open(out + ".1") as f:
        for line in f:
            match = re.match(r"summary: (\d+)", line)
            if match:
                total = int(match.group(1))
    for name in os.listdir(os.path.dirname(out)):
        path = os.path.join(os.path.dirname(out), name)
        if path.startswith(out):
            os.remove(path)
    print(
        f"keys {keys}: {listings} listings of {size} bytes, "
        f"{total // listings} instructions per listing"
    )


if __name__ == "__main__":
    main()
