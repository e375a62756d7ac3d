#!/usr/bin/env python
"""
Benchmark: the real bot under gunicorn against the local fake Webex with a fixed API latency, driven by many
authorized users at once, each sending a command and waiting for the reply before the next (a closed loop).

Prints: commands per second; notification-to-reply times; webhook response times; Webex API calls per command
by kind; new TCP connections to Webex per command; peak RSS per worker. Figures, not pass/fail.

    python bench/run.py --users 50 --latency 0.05 --duration 20 --workers 2
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from fakewebex import FakeWebex  # noqa: E402
from fakewebex.harness import BotProcess, bot_env  # noqa: E402
from wxc_cc.stores import UserContext, YAMLTokenManager  # noqa: E402
from wxc_sdk.tokens import Tokens  # noqa: E402

#: the bot's integration in the emulator
CLIENT_ID, CLIENT_SECRET = 'client-id', 'bench-client-secret'


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of ``values`` lie (nearest rank)."""
    if not values:
        return float('nan')
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def path_kind(method: str, path: str) -> str:
    """``GET /messages/{id}`` from ``GET /messages/Y2lz...``."""
    return f'{method} ' + re.sub(r'/(messages|webhooks|people)/[A-Za-z0-9_=-]{20,}', r'/\1/{id}', path)


def worker_pids(master: int) -> list[int]:
    """gunicorn's workers: the master's children."""
    out = subprocess.run(['ps', '-o', 'pid=', '--ppid', str(master)], capture_output=True, text=True).stdout
    return [int(pid) for pid in out.split()]


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far."""
    fields = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def peak_rss_mb(pid: int) -> float:
    """Peak resident set size of a process, MB."""
    for line in Path(f'/proc/{pid}/status').read_text().splitlines():
        if line.startswith('VmHWM:'):
            return int(line.split()[1]) / 1024
    return float('nan')


class Load:
    """Users in a closed loop: send, wait for the reply, repeat, until the deadline."""

    def __init__(self, fake: FakeWebex, bot, users: list, command: str, reply_timeout: float):
        self.fake, self.bot, self.users = fake, bot, users
        self.command, self.reply_timeout = command, reply_timeout
        self.replied = {fake.direct_room(user): threading.Event() for user in users}
        self.latencies: list[tuple[float, float]] = []  # (start, seconds)
        self.timeouts = 0
        self._lock = threading.Lock()
        fake.on_message(self._on_message)

    def _on_message(self, message: dict) -> None:
        if message['personId'] == self.bot.id and message['roomId'] in self.replied:
            self.replied[message['roomId']].set()

    def _user(self, user, deadline: float) -> None:
        event = self.replied[self.fake.direct_room(user)]
        while time.monotonic() < deadline:
            event.clear()
            start = time.monotonic()
            self.fake.send_message(user, self.command)
            if event.wait(self.reply_timeout):
                with self._lock:
                    self.latencies.append((start, time.monotonic() - start))
            else:
                with self._lock:
                    self.timeouts += 1

    def run(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        threads = [threading.Thread(target=self._user, args=(user, deadline), daemon=True) for user in self.users]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(seconds + self.reply_timeout + 5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--users', type=int, default=50, help='concurrent authorized users (default 50)')
    parser.add_argument('--latency', type=float, default=0.05, help='seconds per Webex API call (default 0.05)')
    parser.add_argument('--duration', type=float, default=20, help='measured seconds (default 20)')
    parser.add_argument('--warmup', type=float, default=3, help='seconds of load before measuring (default 3)')
    parser.add_argument('--workers', type=int, default=2, help='gunicorn workers (default 2)')
    parser.add_argument('--threads', type=int, default=32, help='WXC_CC_WORKER_THREADS per worker (default 32)')
    parser.add_argument('--command', default='/dial 1234', help="the command users send (default '/dial 1234')")
    parser.add_argument('--redis-url', help='use the Redis token store at this URL instead of the YAML file')
    parser.add_argument('--json', help='also write the figures to this file')
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix='wxc-cc-bench-'))
    # a load test sends far more commands per person than the default rate limit admits
    (workdir / 'wxc_cc_config.json').write_text(json.dumps({'rate_limit': {'commands': 1_000_000, 'seconds': 60}}))
    fake = FakeWebex(delivery_threads=max(8, args.users)).start()
    fake.add_integration(CLIENT_ID, CLIENT_SECRET)
    bot = fake.add_bot('ccbot@webex.bot', 'CC Bot')
    users = [fake.add_person(f'user{i}@example.com', f'User {i}') for i in range(args.users)]
    extra = {'WXC_CC_WORKER_THREADS': str(args.threads), 'LOG_LEVEL': 'WARNING'}
    if args.redis_url:
        import redis

        from wxc_cc.stores import RedisTokenManager
        extra['REDIS_URL'] = args.redis_url
        store = RedisTokenManager(redis.Redis.from_url(args.redis_url, decode_responses=True))
        store.clear()
    else:
        store = YAMLTokenManager(workdir / 'wxc_cc_bot.yml')
    for user in users:
        tokens = Tokens.model_validate(fake.issue_tokens(user, client_id=CLIENT_ID))
        tokens.set_expiration()
        store.set_user_context(UserContext(user_id=user.id, email=user.email, tokens=tokens))

    access_log = workdir / 'access.log'
    process = BotProcess(bot_env(fake, bot, CLIENT_ID, CLIENT_SECRET, **extra), workdir, workers=args.workers,
                         gunicorn_args=('--access-logfile', str(access_log),
                                        '--access-logformat', '%(m)s %(U)s %(s)s %(D)s')).start()
    try:
        fake.latency = args.latency
        load = Load(fake, bot, users, args.command, reply_timeout=10)
        load.run(args.warmup)
        mark, connections, deliveries = fake.mark(), fake.connections_accepted, len(fake.deliveries)
        log_offset = access_log.stat().st_size
        pids = worker_pids(process.process.pid)
        cpu_before = {pid: cpu_seconds(pid) for pid in pids + [os.getpid()]}
        measure = Load(fake, bot, users, args.command, reply_timeout=10)
        started = time.monotonic()
        measure.run(args.duration)
        elapsed = time.monotonic() - started
        fake.wait_deliveries_idle(30)
        requests_made = fake.requests_since(mark)
        new_connections = fake.connections_accepted - connections
        hooks = [d for d in fake.deliveries[deliveries:] if d.target_url.startswith(process.url)]
        rss = {pid: peak_rss_mb(pid) for pid in pids}
        cpu = {pid: cpu_seconds(pid) - before for pid, before in cpu_before.items()}
    finally:
        fake.latency = 0
        process.close()
        fake.stop()

    with access_log.open() as log:
        log.seek(log_offset)
        served = [int(line.split()[3]) / 1000 for line in log if line.startswith('POST / ')]
    done = [seconds for _, seconds in measure.latencies]
    commands = len(done)
    kinds = Counter(path_kind(r.method, r.path) for r in requests_made)
    figures = {
        'command': args.command, 'users': args.users, 'workers': args.workers, 'threads': args.threads,
        'api_latency_ms': args.latency * 1000, 'seconds': round(elapsed, 1), 'cpus': os.cpu_count(),
        'store': 'redis' if args.redis_url else 'yaml',
        'commands': commands, 'timeouts': measure.timeouts,
        'commands_per_s': round(commands / elapsed, 1),
        'reply_ms': {q: round(percentile(done, share) * 1000, 1) for q, share in
                     (('p50', .5), ('p95', .95), ('p99', .99))},
        'webhook_response_ms': {q: round(percentile([d.duration_ms for d in hooks], share), 1) for q, share in
                                (('p50', .5), ('p99', .99))},
        'webhook_served_ms': {q: round(percentile(served, share), 1) for q, share in (('p50', .5), ('p99', .99))},
        'api_calls_per_command': {kind: round(count / max(commands, 1), 2) for kind, count in sorted(kinds.items())},
        'new_connections_per_command': round(new_connections / max(commands, 1), 3),
        'peak_rss_mb_per_worker': sorted(round(value, 1) for value in rss.values()),
        'cpu_ms_per_command': {'bot (all workers)': round(sum(cpu[p] for p in pids) * 1000 / max(commands, 1), 2),
                               'fake Webex and load': round(cpu[os.getpid()] * 1000 / max(commands, 1), 2)},
        'cpu_busy_share': round(sum(cpu.values()) / (elapsed * (os.cpu_count() or 1)), 2),
        'contract_violations': len(fake.contract_violations),
    }
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    print(f"{figures['command']!r}: {args.users} users, {args.workers} workers x {args.threads} threads, "
          f"{figures['api_latency_ms']:.0f} ms per API call, {figures['cpus']} CPUs, {figures['store']} store")
    print(f"  completed        {commands} commands in {elapsed:.1f} s = {figures['commands_per_s']} /s"
          f" ({measure.timeouts} without reply)")
    print(f"  reply after      p50 {figures['reply_ms']['p50']} ms, p95 {figures['reply_ms']['p95']} ms,"
          f" p99 {figures['reply_ms']['p99']} ms")
    print(f"  webhook answered p50 {figures['webhook_response_ms']['p50']} ms,"
          f" p99 {figures['webhook_response_ms']['p99']} ms ({len(hooks)} notifications), as the fake Webex saw it")
    print(f"                   p50 {figures['webhook_served_ms']['p50']} ms,"
          f" p99 {figures['webhook_served_ms']['p99']} ms inside the bot (gunicorn's request time)")
    print(f"  API calls/command {sum(figures['api_calls_per_command'].values()):.2f}:")
    for kind, per in figures['api_calls_per_command'].items():
        print(f"    {per:6.2f}  {kind}")
    print(f"  new TCP connections to Webex per command {figures['new_connections_per_command']}")
    print(f"  peak RSS per worker (MB) {figures['peak_rss_mb_per_worker']}")
    print(f"  CPU per command (ms) {figures['cpu_ms_per_command']}; machine busy {figures['cpu_busy_share']:.0%}")
    print(f"  requests or answers outside Webex's documents {figures['contract_violations']}"
          f"{'' if not figures['contract_violations'] else ': ' + str(fake.contract_violations[0])}")


if __name__ == '__main__':
    main()
