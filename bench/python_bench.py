"""The official Labelbox Python SDK's side of the benchmark, measured by itself.

Usage (run by target/release/labelbox-bench; LABELBOX_ENDPOINT and LABELBOX_API_KEY set):

    python_bench.py list --warmup SECS --duration SECS
    python_bench.py concurrent --batch 64 --warmup SECS --duration SECS
    python_bench.py create --cold|--warm --count N
    python_bench.py invites --warmup SECS --duration SECS   (org.get_invites(), every page)
    python_bench.py oneshot --runs N -- COMMAND...   (any Python; no SDK needed)

Prints one JSON object on stdout. CPU time is this process's own accounting
(resource.getrusage(RUSAGE_SELF), user + system, all threads), so the server's work is not
counted. Latencies are time.perf_counter() around each SDK call, in seconds.
"""

import argparse
import json
import os
import resource
import sys
import time


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def client():
    import labelbox as lb

    return lb.Client(api_key=os.environ["LABELBOX_API_KEY"], endpoint=os.environ["LABELBOX_ENDPOINT"])


def timed_loop(call, warmup, duration):
    """Calls `call` for `warmup` seconds untimed, then for `duration` seconds timed."""
    end = time.perf_counter() + warmup
    while time.perf_counter() < end:
        call()
    latencies = []
    cpu0 = cpu_seconds()
    start = time.perf_counter()
    end = start + duration
    now = start
    while now < end or len(latencies) < 3:
        call()
        after = time.perf_counter()
        latencies.append(after - now)
        now = after
    wall = time.perf_counter() - start
    return {"calls": len(latencies), "wall_s": wall, "cpu_s": cpu_seconds() - cpu0, "latencies_s": latencies}


def cmd_list(args):
    c = client()
    n = len(c.get_api_keys())
    result = timed_loop(lambda: c.get_api_keys(), args.warmup, args.duration)
    result["keys_listed"] = n
    return result


def cmd_concurrent(args):
    from concurrent.futures import ThreadPoolExecutor, wait

    c = client()
    pool = ThreadPoolExecutor(max_workers=args.batch)

    def batch():
        futures = [pool.submit(c.get_api_keys) for _ in range(args.batch)]
        wait(futures)
        for f in futures:
            f.result()

    result = timed_loop(batch, args.warmup, args.duration)
    pool.shutdown()
    result["batch"] = args.batch
    return result


def cmd_invites(args):
    c = client()
    org = c.get_organization()
    n = len(list(org.get_invites()))
    result = timed_loop(lambda: list(org.get_invites()), args.warmup, args.duration)
    result["invites_listed"] = n
    return result


def cmd_create(args):
    from labelbox.schema.timeunit import TimeUnit

    def create(c, i):
        c.create_api_key(f"bench-py-{i}", "labeler@example.com", "Labeler", validity=1, time_unit=TimeUnit.DAY)

    latencies = []
    cpu0 = cpu_seconds()
    if args.cold:
        for i in range(args.count):
            c = client()
            t0 = time.perf_counter()
            create(c, i)
            latencies.append(time.perf_counter() - t0)
    else:
        c = client()
        create(c, "warmup")
        # The harness counts the emulator's requests around the whole process, so it runs
        # this once with --count 0 and subtracts.
        cpu0 = cpu_seconds()
        for i in range(args.count):
            t0 = time.perf_counter()
            create(c, i)
            latencies.append(time.perf_counter() - t0)
    return {"calls": len(latencies), "cpu_s": cpu_seconds() - cpu0, "latencies_s": latencies}


def cmd_oneshot(args):
    """Runs COMMAND `runs` times: wall time and CPU of a direct spawn, then peak RSS.

    Peak RSS comes from `/usr/bin/time -f %M` (GNU time). It cannot come from this
    process's wait4(): a child's ru_maxrss also counts the memory of the process it was
    forked or vforked from before exec (here a whole Python interpreter), so a launcher's
    own size leaks into it. GNU time's own size (about 1 MiB) is far below any command
    measured here. Without /usr/bin/time, wait4's figure is reported (an upper bound).
    """
    import tempfile

    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    devnull = os.open(os.devnull, os.O_WRONLY)
    actions = [(os.POSIX_SPAWN_DUP2, devnull, 1)]
    gnu_time = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
    runs = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        pid = os.posix_spawnp(command[0], command, os.environ, file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - t0
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            sys.exit(f"oneshot: {command[0]} exited with {code}")
        rss = usage.ru_maxrss
        if gnu_time:
            with tempfile.NamedTemporaryFile("r") as out:
                timed = [gnu_time, "-f", "%M", "-o", out.name] + command
                pid = os.posix_spawnp(gnu_time, timed, os.environ, file_actions=actions)
                _, status, _ = os.wait4(pid, 0)
                if os.waitstatus_to_exitcode(status) != 0:
                    sys.exit(f"oneshot: {command[0]} under /usr/bin/time failed")
                rss = int(out.read().split()[-1])
        runs.append({"wall_s": wall, "max_rss_kib": rss, "cpu_s": usage.ru_utime + usage.ru_stime})
    return {"runs": runs, "rss_source": "/usr/bin/time" if gnu_time else "wait4 (upper bound)"}


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("list")
    p.add_argument("--warmup", type=float, default=0.5)
    p.add_argument("--duration", type=float, default=2.0)
    p = sub.add_parser("concurrent")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--warmup", type=float, default=0.5)
    p.add_argument("--duration", type=float, default=2.0)
    p = sub.add_parser("invites")
    p.add_argument("--warmup", type=float, default=0.5)
    p.add_argument("--duration", type=float, default=2.0)
    p = sub.add_parser("create")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--cold", action="store_true")
    g.add_argument("--warm", action="store_true")
    p.add_argument("--count", type=int, default=10)
    p = sub.add_parser("oneshot")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    handler = {"list": cmd_list, "concurrent": cmd_concurrent, "create": cmd_create, "oneshot": cmd_oneshot, "invites": cmd_invites}
    print(json.dumps(handler[args.cmd](args)))


if __name__ == "__main__":
    main()
