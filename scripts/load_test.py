#!/usr/bin/env python3
# Load check of `coolfusion serve` (not a test; Python standard library only):
#   swift build -c release --scratch-path .build-rel
#   python3 scripts/load_test.py --binary .build-rel/release/coolfusion [--requests 64] [--clients 8] \
#       [--rounds 2] [--concurrency 2] [--queue 3] [--disconnect-every 5]
# Starts `coolfusion serve --model smollm2-135m --model gemma3-270m` on a free loopback port with a
# small queue, sends the requests from concurrent clients in rounds (chat and completions, streamed
# and whole, and every --disconnect-every'th a streamed request whose client hangs up after the first
# event), and reports: every request answered with 200 or 503 (none lost, none another status), the
# hung-up generations cancelled and the server idle afterwards (/health), latency percentiles, and the
# server's resident memory after each round (stable = no growth trend).
import argparse
import json
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def hang_up(url, index, timeout):
    """A streamed request on a raw socket, closed as soon as the first event (or a refusal) arrives."""
    host, port = re.match(r"http://([^:]+):(\d+)", url).groups()
    body = json.dumps({"prompt": f"Item {index}: count from 1 to 500: 1, 2, 3,", "max_tokens": 400,
                       "stream": True}).encode()
    head = (f"POST /v1/completions HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    start = time.monotonic()
    try:
        with socket.create_connection((host, int(port)), timeout=timeout) as connection:
            connection.sendall(head + body)
            received = b""
            while b"data: " not in received and b"\r\n\r\n{" not in received:
                chunk = connection.recv(4096)
                if not chunk:
                    break
                received += chunk
            status = int(received.split(b" ", 2)[1]) if received.startswith(b"HTTP/1.1 ") else None
        if status == 200 and b"data: " in received:
            return ("hung up", time.monotonic() - start)
        return (status if status is not None else f"lost: {received[:80]!r}", time.monotonic() - start)
    except Exception as error:
        return (f"lost: {type(error).__name__}: {error}", time.monotonic() - start)


def health(url):
    with urllib.request.urlopen(url + "/health", timeout=30) as response:
        return json.loads(response.read())


def request(url, index, timeout, disconnect_every):
    if disconnect_every and index % disconnect_every == disconnect_every - 1:
        return hang_up(url, index, timeout)
    kind = index % 4
    if kind in (0, 1):
        path, body = "/v1/completions", {"prompt": f"Item {index}: the capital of France is", "max_tokens": 8}
    else:
        path, body = "/v1/chat/completions", {"messages": [{"role": "user", "content": f"Say a number near {index}."}],
                                              "max_tokens": 8}
    body["stream"] = kind in (1, 3)
    data = json.dumps(body).encode()
    req = urllib.request.Request(url + path, data=data, headers={"Content-Type": "application/json"})
    start = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            payload = response.read().decode()
            status = response.status
            if status == 200 and body["stream"] and not payload.rstrip().endswith("data: [DONE]"):
                return ("incomplete-stream", time.monotonic() - start)
            return (status, time.monotonic() - start)
    except urllib.error.HTTPError as error:
        return (error.code, time.monotonic() - start)
    except Exception as error:  # a lost request: timeout, reset, ...
        return (f"lost: {type(error).__name__}: {error}", time.monotonic() - start)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build-rel/release/coolfusion")
    parser.add_argument("--requests", type=int, default=64)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--concurrency", type=int, default=2, help="the server's --concurrency")
    parser.add_argument("--queue", type=int, default=3, help="the server's --queue (small: some requests get 503)")
    parser.add_argument("--disconnect-every", type=int, default=5,
                        help="every Nth request hangs up after its first event (0: none)")
    args = parser.parse_args()

    server = subprocess.Popen([args.binary, "serve", "--model", "smollm2-135m", "--model", "gemma3-270m",
                               "--host", "127.0.0.1", "--port", "0", "--concurrency", str(args.concurrency),
                               "--queue", str(args.queue)],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = server.stdout.readline()
        match = re.search(r"listening on (http://\S+)", line)
        if not match:
            sys.exit(f"server did not start: {line!r}")
        url = match.group(1)
        print(f"server {url} pid {server.pid}, RSS at start {rss_mib(server.pid):.1f} MiB")
        per_round = args.requests // args.rounds
        results, lock = [], threading.Lock()
        memory = []
        for round_index in range(args.rounds):
            queue = list(range(round_index * per_round, (round_index + 1) * per_round))
            queue_lock = threading.Lock()

            def client():
                while True:
                    with queue_lock:
                        if not queue:
                            return
                        index = queue.pop(0)
                    outcome = request(url, index, args.timeout, args.disconnect_every)
                    with lock:
                        results.append(outcome)

            threads = [threading.Thread(target=client) for _ in range(args.clients)]
            start = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            memory.append(rss_mib(server.pid))
            print(f"round {round_index + 1}: {per_round} requests in {time.monotonic() - start:.1f} s, "
                  f"RSS {memory[-1]:.1f} MiB")

        statuses = {}
        for status, _ in results:
            statuses[status] = statuses.get(status, 0) + 1
        ok = statuses.get(200, 0)
        busy = statuses.get(503, 0)
        hung_up = statuses.get("hung up", 0)
        other = {k: v for k, v in statuses.items() if k not in (200, 503, "hung up")}
        latencies = sorted(t for s, t in results if s == 200)
        pct = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else float("nan")
        print(f"sent {args.requests}, answered {len(results)}: 200 x{ok}, 503 x{busy}, hung up after the first "
              f"event x{hung_up}, other {other or 'none'}")
        # The hung-up generations stop at their next model call: the server is idle again.
        deadline = time.monotonic() + 120
        state = health(url)
        while (state["running"] or state["waiting"]) and time.monotonic() < deadline:
            time.sleep(0.2)
            state = health(url)
        print(f"health afterwards: running {state['running']}, waiting {state['waiting']}, "
              f"finished {state['finished']}, cancelled {state['cancelled']}")
        idle = state["running"] == 0 and state["waiting"] == 0
        print(f"latency of 200s: p50 {pct(0.5):.2f} s, p90 {pct(0.9):.2f} s, max {pct(1.0):.2f} s")
        growth = memory[-1] - memory[0] if len(memory) > 1 else 0.0
        print(f"RSS per round (MiB): {', '.join(f'{m:.1f}' for m in memory)}; growth after round 1: {growth:+.1f} MiB")
        all_answered = len(results) == args.requests and not other and idle
        print(f"RSS at the end: {rss_mib(server.pid):.1f} MiB")
        print("RESULT: " + ("all answered (200 or 503) or hung up on purpose, none lost, server idle after"
                            if all_answered else "REQUESTS LOST OR FAILED, OR THE SERVER STAYED BUSY"))
        return 0 if all_answered else 1
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    sys.exit(main())
