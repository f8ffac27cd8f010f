#!/usr/bin/env python3
"""Soak test of `coolfusion serve` with two `coolfusion worker`s, standard library only.

Mixed traffic for --duration seconds (default 30 minutes) from several client threads: whole
completions, streams read to the end, streams and whole requests whose client hangs up, malformed
requests, oversized bodies and health checks. Meanwhile one worker is killed and restarted on its
port, and the other is stalled (SIGSTOP) and resumed, over and over. Every outcome is counted, the
RSS of each process is sampled, and at the end the script checks:

- no lost request: every request that was not hung up on deliberately got an HTTP answer;
- no leaked session: once the traffic stops, both workers hold no session;
- memory: the master's RSS at the end is within 10% of its first-minute level.

It prints a JSON report (and writes it to --report when given) and exits 1 when a check fails.

    python3 scripts/soak_server.py --duration 300
"""
import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter

PROMPTS = [
    "Question: Which planet is known as the Red Planet?\nAnswer:",
    "Count from 1 to 1000: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,",
    "The capital of France is",
    "Write a short poem about the sea.",
]


def find_binary(root):
    for mode in ("release", "debug"):
        path = os.path.join(root, ".build", mode, "coolfusion")
        if os.access(path, os.X_OK):
            return path
    sys.exit("no coolfusion binary under .build/release or .build/debug: build it first (swift build -c release)")


class Process:
    """A coolfusion child process; `listening on URL` on its standard output gives its port."""

    def __init__(self, binary, arguments, port=0, log=None):
        self.binary, self.arguments, self.log = binary, arguments, log
        self.start(port)

    def start(self, port):
        self.popen = subprocess.Popen([self.binary] + self.arguments + ["--host", "127.0.0.1", "--port", str(port)],
                                      stdout=subprocess.PIPE, stderr=self.log or subprocess.DEVNULL, text=True)
        deadline = time.time() + 300
        while time.time() < deadline:
            line = self.popen.stdout.readline()
            if "listening on " in line:
                self.url = line.split("listening on ")[1].strip()
                self.port = int(self.url.rsplit(":", 1)[1])
                threading.Thread(target=self.popen.stdout.read, daemon=True).start()
                return
            if self.popen.poll() is not None:
                break
        raise RuntimeError(f"coolfusion {' '.join(self.arguments)} did not start")

    def rss_mb(self):
        try:
            with open(f"/proc/{self.popen.pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass
        return None

    def stop(self):
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGCONT)
            self.popen.terminate()
            try:
                self.popen.wait(30)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


def request(port, method, path, body=b"", headers=None, timeout=300, hang_up_after=None):
    """One HTTP/1.1 request on its own connection; returns (status, body bytes), or ("hung up", b"")
    when the client hangs up deliberately (after `hang_up_after` bytes of answer, 0: before any)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        for name, value in (headers or {}).items():
            head += f"{name}: {value}\r\n"
        if body or method == "POST":
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        sock.sendall(head.encode() + b"\r\n" + body)
        received = b""
        while True:
            if hang_up_after is not None and len(received) >= max(1, hang_up_after):
                return "hung up", received
            if hang_up_after == 0:
                time.sleep(random.uniform(0.05, 1.0))
                return "hung up", received
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
        status_line = received.split(b"\r\n", 1)[0].decode(errors="replace")
        parts = status_line.split(" ")
        if len(parts) < 2 or not parts[1].isdigit():
            raise RuntimeError(f"no HTTP answer: {received[:200]!r}")
        return int(parts[1]), received.split(b"\r\n\r\n", 1)[-1]
    finally:
        sock.close()


def completion(prompt, max_tokens, stream=False):
    return json.dumps({"prompt": prompt, "max_tokens": max_tokens, "stream": stream}).encode()


BAD_REQUESTS = [
    ("POST", "/v1/completions", b'{"prompt": '),
    ("POST", "/v1/completions", b'{"prompt": "Hi", "max_tokens": 4.5}'),
    ("POST", "/v1/completions", b'{"prompt": "a\\ud800b"}'),
    ("POST", "/v1/completions", b'{"prompt": "Hi", "max_tokens": -3}'),
    ("POST", "/v1/chat/completions", b'{"messages": []}'),
    ("GET", "/v1/completions", b""),
]


def client_loop(port, stop, counts, lock, errors):
    """One client: picks an action at random until `stop` is set, counting `action → outcome`."""
    while not stop.is_set():
        action = random.choices(
            ["completion", "stream", "stream_hang_up", "whole_hang_up", "bad_request", "huge_body", "health"],
            weights=[30, 20, 15, 10, 15, 2, 8])[0]
        prompt = random.choice(PROMPTS)
        try:
            if action == "completion":
                outcome, _ = request(port, "POST", "/v1/completions", completion(prompt, random.randint(2, 16)))
            elif action == "stream":
                outcome, body = request(port, "POST", "/v1/completions", completion(prompt, random.randint(2, 16), True))
                if outcome == 200 and b"data: [DONE]" not in body:
                    outcome = "200 without [DONE]"
            elif action == "stream_hang_up":
                outcome, _ = request(port, "POST", "/v1/completions", completion(prompt, 400, True),
                                     hang_up_after=random.choice([1, 200, 600]))
            elif action == "whole_hang_up":
                outcome, _ = request(port, "POST", "/v1/completions", completion(prompt, 400), hang_up_after=0)
            elif action == "bad_request":
                method, path, body = random.choice(BAD_REQUESTS)
                outcome, _ = request(port, method, path, body)
            elif action == "huge_body":
                huge = b'{"prompt": "' + b"a" * 40_000_000 + b'"}'
                try:
                    outcome, _ = request(port, "POST", "/v1/completions", huge)
                except (BrokenPipeError, ConnectionResetError):
                    outcome = "refused mid-upload"
            else:
                outcome, _ = request(port, "GET", "/health")
        except Exception as error:  # a request that got no answer: lost
            outcome = "lost"
            with lock:
                errors.append(f"{action}: {error!r}")
        with lock:
            counts[f"{action} → {outcome}"] += 1


def chaos_loop(binary, workers, stop, events, lock, log, interval):
    """Kills and restarts one worker, and stalls the other, alternately every `interval` seconds."""
    victim, stalled = workers
    turn = 0
    while not stop.wait(interval):
        if turn % 2 == 0:
            port = victim.port
            victim.popen.kill()
            victim.popen.wait()
            time.sleep(5)
            victim.start(port)
            with lock:
                events["worker killed and restarted"] += 1
        else:
            stalled.popen.send_signal(signal.SIGSTOP)
            time.sleep(15)
            stalled.popen.send_signal(signal.SIGCONT)
            with lock:
                events["worker stalled 15 s"] += 1
        turn += 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser.add_argument("--binary", help="the coolfusion executable (default: .build/release, else .build/debug)")
    parser.add_argument("--duration", type=float, default=1800, help="seconds of traffic (default 1800)")
    parser.add_argument("--clients", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--chaos-interval", type=float, default=90, help="seconds between worker failures (default 90)")
    parser.add_argument("--models", default="smollm2-135m,smollm2-135m", help="the two workers' models")
    parser.add_argument("--worker-timeout", type=float, default=10)
    parser.add_argument("--report", help="also write the JSON report here")
    parser.add_argument("--log", help="append the processes' standard error here")
    arguments = parser.parse_args()
    binary = arguments.binary or find_binary(root)
    log = open(arguments.log, "a") if arguments.log else None
    models = arguments.models.split(",")
    workers = [Process(binary, ["worker", "--model", model, "--name", f"{model}-{index}", "--max-sessions", "4"], log=log)
               for index, model in enumerate(models)]
    master = Process(binary, ["serve"] + sum((["--worker", worker.url] for worker in workers), [])
                     + ["--drop-failed-workers", "--worker-timeout", str(arguments.worker_timeout),
                        "--concurrency", "2", "--queue", "8"], log=log)
    counts, events, lock, errors = Counter(), Counter(), threading.Lock(), []
    samples = []
    stop = threading.Event()
    started = time.time()
    threads = [threading.Thread(target=client_loop, args=(master.port, stop, counts, lock, errors))
               for _ in range(arguments.clients)]
    threads.append(threading.Thread(target=chaos_loop, args=(binary, workers, stop, events, lock, log,
                                                             arguments.chaos_interval)))
    for thread in threads:
        thread.start()
    try:
        while time.time() - started < arguments.duration:
            time.sleep(10)
            samples.append({"t": round(time.time() - started), "master_mb": master.rss_mb(),
                            "workers_mb": [worker.rss_mb() for worker in workers]})
            print(f"{samples[-1]} {sum(counts.values())} requests", file=sys.stderr, flush=True)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    # Traffic is over: let the health probe see both workers again, then count their sessions.
    deadline = time.time() + 120
    health = {}
    while time.time() < deadline:
        status, body = request(master.port, "GET", "/health")
        health = json.loads(body)
        if health.get("status") == "ok" and health.get("running") == 0:
            break
        time.sleep(1)
    # Deletions sent to a worker that was stalled are retried in the background: give them a minute.
    deadline = time.time() + 60
    while True:
        sessions = []
        for worker in workers:
            status, body = request(worker.port, "GET", "/v1/worker")
            sessions.append(json.loads(body)["sessions"] if status == 200 else None)
        if all(count == 0 for count in sessions) or time.time() > deadline:
            break
        time.sleep(2)
    first_minute = [s["master_mb"] for s in samples if s["t"] <= 60 and s["master_mb"]]
    baseline = max(first_minute) if first_minute else None
    final = samples[-1]["master_mb"] if samples else None
    lost = sum(count for key, count in counts.items() if key.endswith("→ lost"))
    checks = {
        "no lost request": lost == 0,
        "no leaked session": all(count == 0 for count in sessions),
        "master RSS within 10% of its first minute": baseline is not None and final is not None
        and final <= baseline * 1.10,
    }
    report = {"duration_s": round(time.time() - started), "requests": sum(counts.values()),
              "outcomes": dict(sorted(counts.items())), "chaos": dict(events), "worker_sessions_at_end": sessions,
              "health_at_end": health, "master_rss_mb": {"first_minute_max": baseline, "final": final},
              "rss_samples": samples, "lost_examples": errors[:10], "checks": checks}
    for process in [master] + workers:
        process.stop()
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if arguments.report:
        with open(arguments.report, "w") as file:
            file.write(text)
    sys.exit(0 if all(checks.values()) else 1)


if __name__ == "__main__":
    main()
