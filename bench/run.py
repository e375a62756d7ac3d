#!/usr/bin/env python
"""
Benchmark: the real bot under gunicorn against the local fake Webex with a fixed API latency, driven by
authorized users at once, each sending a command and waiting for the reply before the next (a closed loop).

One run prints: commands per second; notification-to-reply times; webhook answer times; Webex API calls per command
by kind; new TCP connections to Webex per command; Redis commands per notification (Redis store); peak RSS per
worker; CPU per command. Figures, not pass/fail.

    python bench/run.py --users 30 --latency 0.25 --workers 1

``--compare`` (what ``make bench`` runs) measures this code and the code of an earlier revision (``--baseline``,
default: the last commit before the durable work queue, whose in-process pool of 8 threads is what the capacity
issue measured) in one run, on the same machine and fake Webex:

* capacity: one worker at ``--latency`` (default 250 ms) per API call, 3 and then 30 concurrent users, the YAML
  store; the p50 of each and their ratio;
* the work queue: Redis, 2 workers, 30 users; the webhook answer times, commands per second and Redis commands per
  notification.

The original bot (webexteamsbot, commands run inside the webhook request) cannot be measured here: its code is
neither in this repository nor installable from PyPI. ``--compare`` says so rather than invent its figures.
"""
import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from wxc_sdk.tokens import Tokens  # noqa: E402

from fakewebex import FakeWebex  # noqa: E402
from fakewebex.harness import BotProcess, bot_env  # noqa: E402
from fakewebex.servers import RedisServer  # noqa: E402
from wxc_cc.metrics import operation  # noqa: E402
from wxc_cc.stores import UserContext, YAMLTokenManager  # noqa: E402

#: the last commit with the in-process pool, before the durable work queue
BASELINE = '5d7ab03'

#: seconds a user waits for a reply before counting a timeout
REPLY_TIMEOUT = 10.0

#: the bot's integration in the emulator
CLIENT_ID, CLIENT_SECRET = 'client-id', 'bench-client-secret'


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of ``values`` lie (nearest rank)."""
    if not values:
        return float('nan')
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


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

    def __init__(self, fake: FakeWebex, bot, users: list, command: str):
        self.fake, self.bot, self.users, self.command = fake, bot, users, command
        self.replied = {fake.direct_room(user): threading.Event() for user in users}
        self.latencies: list[float] = []
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
            replied = event.wait(REPLY_TIMEOUT)
            with self._lock:
                if replied:
                    self.latencies.append(time.monotonic() - start)
                else:
                    self.timeouts += 1

    def run(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        threads = [threading.Thread(target=self._user, args=(user, deadline), daemon=True) for user in self.users]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(seconds + REPLY_TIMEOUT + 5)


@dataclass
class Scenario:
    """One measurement: which code, how loaded."""
    users: int
    latency: float
    workers: int
    duration: float
    warmup: float
    command: str = '/dial 1234'
    #: ``WXC_CC_WORKER_THREADS``; ``None``: the code's default
    threads: Optional[int] = None
    redis_url: Optional[str] = None
    #: the directory of the bot's code
    code: Path = REPO


def redis_commands(url: str) -> int:
    """Commands the Redis server has run so far (``INFO commandstats``), the ``INFO`` calls left out."""
    import redis
    stats = redis.Redis.from_url(url).info('commandstats')
    return sum(stat['calls'] for name, stat in stats.items() if name != 'cmdstat_info')


def seed_users(scenario: Scenario, fake: FakeWebex, workdir: Path, users: list) -> None:
    """Every user authorized, their tokens in the store the bot will read."""
    if scenario.redis_url:
        import redis

        from wxc_cc.stores import RedisTokenManager
        client = redis.Redis.from_url(scenario.redis_url, decode_responses=True)
        client.flushdb()
        store = RedisTokenManager(client)
    else:
        store = YAMLTokenManager(workdir / 'wxc_cc_bot.yml')
    for user in users:
        tokens = Tokens.model_validate(fake.issue_tokens(user, client_id=CLIENT_ID))
        tokens.set_expiration()
        # as the bot keeps them after /auth: their time zone (none, in the emulator) just read
        store.set_user_context(UserContext(user_id=user.id, email=user.email, tokens=tokens,
                                           timezone_read=datetime.datetime.now(datetime.timezone.utc)))


def measure(scenario: Scenario) -> dict:
    """Run one scenario and return its figures."""
    workdir = Path(tempfile.mkdtemp(prefix='wxc-cc-bench-'))
    # a load test sends far more commands per person than the default rate limit admits
    (workdir / 'wxc_cc_config.json').write_text(json.dumps({'rate_limit': {'commands': 1_000_000, 'seconds': 60}}))
    # every command in flight may hold one of the fake's threads for the whole latency
    fake = FakeWebex(delivery_threads=max(8, scenario.users), server_threads=max(32, 2 * scenario.users + 16)).start()
    process = None
    try:
        fake.add_integration(CLIENT_ID, CLIENT_SECRET)
        bot = fake.add_bot('ccbot@webex.bot', 'CC Bot')
        users = [fake.add_person(f'user{i}@example.com', f'User {i}') for i in range(scenario.users)]
        seed_users(scenario, fake, workdir, users)
        extra = {'LOG_LEVEL': 'WARNING', 'PYTHONPATH': str(scenario.code)}
        if scenario.threads:
            extra['WXC_CC_WORKER_THREADS'] = str(scenario.threads)
        if scenario.redis_url:
            extra['REDIS_URL'] = scenario.redis_url
        access_log = workdir / 'access.log'
        has_logger = (scenario.code / 'wxc_cc' / 'logsetup.py').exists()
        has_ready = "'/ready'" in (scenario.code / 'wxc_cc_bot.py').read_text()
        process = BotProcess(bot_env(fake, bot, CLIENT_ID, CLIENT_SECRET, **extra), workdir, workers=scenario.workers,
                             logger_class='wxc_cc.logsetup.GunicornLogger' if has_logger else None,
                             ready_path='/ready' if has_ready else '/health',
                             gunicorn_args=('--access-logfile', str(access_log),
                                            '--access-logformat', '%(m)s %(U)s %(s)s %(D)s')).start()
        fake.latency = scenario.latency
        Load(fake, bot, users, scenario.command).run(scenario.warmup)
        mark, connections, deliveries = fake.mark(), fake.connections_accepted, len(fake.deliveries)
        log_offset = access_log.stat().st_size
        pids = process.worker_pids()
        cpu_before = {pid: cpu_seconds(pid) for pid in pids + [os.getpid()]}
        redis_before = redis_commands(scenario.redis_url) if scenario.redis_url else 0
        load = Load(fake, bot, users, scenario.command)
        started = time.monotonic()
        load.run(scenario.duration)
        elapsed = time.monotonic() - started
        fake.wait_deliveries_idle(30)
        redis_used = redis_commands(scenario.redis_url) - redis_before if scenario.redis_url else 0
        requests_made = fake.requests_since(mark)
        new_connections = fake.connections_accepted - connections
        hooks = [d for d in fake.deliveries[deliveries:] if d.target_url.startswith(process.url)]
        rss = [peak_rss_mb(pid) for pid in pids]
        cpu = {pid: cpu_seconds(pid) - before for pid, before in cpu_before.items()}
        violations = [str(violation) for violation in fake.contract_violations]
    finally:
        fake.latency = 0
        if process is not None:
            process.close()
        fake.stop()

    with access_log.open() as log:
        log.seek(log_offset)
        served = [int(line.split()[3]) / 1000 for line in log if line.startswith('POST / ')]
    shutil.rmtree(workdir, ignore_errors=True)
    done, commands = load.latencies, len(load.latencies)
    kinds = Counter(operation(r.method, r.path) for r in requests_made)
    return {
        'command': scenario.command, 'users': scenario.users, 'workers': scenario.workers,
        'threads': scenario.threads or 'default', 'api_latency_ms': scenario.latency * 1000,
        'seconds': round(elapsed, 1), 'cpus': os.cpu_count(), 'store': 'redis' if scenario.redis_url else 'yaml',
        'commands': commands, 'timeouts': load.timeouts, 'commands_per_s': round(commands / elapsed, 1),
        'reply_ms': {q: round(percentile(done, share) * 1000, 1) for q, share in
                     (('p50', .5), ('p95', .95), ('p99', .99))},
        'webhook_response_ms': {q: round(percentile([d.duration_ms for d in hooks], share), 1) for q, share in
                                (('p50', .5), ('p99', .99))},
        'notifications': len(hooks),
        'webhook_served_ms': {q: round(percentile(served, share), 1) for q, share in (('p50', .5), ('p99', .99))},
        'api_calls_per_command': {kind: round(count / max(commands, 1), 2) for kind, count in sorted(kinds.items())},
        'new_connections_per_command': round(new_connections / max(commands, 1), 3),
        'redis_commands_per_notification': round(redis_used / max(len(hooks), 1), 1) if scenario.redis_url else None,
        'peak_rss_mb_per_worker': sorted(round(value, 1) for value in rss),
        'cpu_ms_per_command': {'bot (all workers)': round(sum(cpu[p] for p in pids) * 1000 / max(commands, 1), 2),
                               'fake Webex and load': round(cpu[os.getpid()] * 1000 / max(commands, 1), 2)},
        'cpu_busy_share': round(sum(cpu.values()) / (elapsed * (os.cpu_count() or 1)), 2),
        'contract_violations': violations,
    }


def print_figures(figures: dict) -> None:
    """One run's figures, for a reader."""
    print(f"{figures['command']!r}: {figures['users']} users, {figures['workers']} workers x {figures['threads']} "
          f"threads, {figures['api_latency_ms']:.0f} ms per API call, {figures['cpus']} CPUs, "
          f"{figures['store']} store")
    print(f"  completed        {figures['commands']} commands in {figures['seconds']} s = "
          f"{figures['commands_per_s']} /s ({figures['timeouts']} without reply)")
    print(f"  reply after      p50 {figures['reply_ms']['p50']} ms, p95 {figures['reply_ms']['p95']} ms,"
          f" p99 {figures['reply_ms']['p99']} ms")
    print(f"  webhook answered p50 {figures['webhook_response_ms']['p50']} ms,"
          f" p99 {figures['webhook_response_ms']['p99']} ms ({figures['notifications']} notifications),"
          f" as the fake Webex saw it")
    print(f"                   p50 {figures['webhook_served_ms']['p50']} ms,"
          f" p99 {figures['webhook_served_ms']['p99']} ms inside the bot (gunicorn's request time)")
    print(f"  API calls/command {sum(figures['api_calls_per_command'].values()):.2f}:")
    for kind, per in figures['api_calls_per_command'].items():
        print(f"    {per:6.2f}  {kind}")
    print(f"  new TCP connections to Webex per command {figures['new_connections_per_command']}")
    if figures['redis_commands_per_notification'] is not None:
        print(f"  Redis commands per notification {figures['redis_commands_per_notification']}")
    print(f"  peak RSS per worker (MB) {figures['peak_rss_mb_per_worker']}")
    print(f"  CPU per command (ms) {figures['cpu_ms_per_command']}; machine busy {figures['cpu_busy_share']:.0%}")
    violations = figures['contract_violations']
    print(f"  requests or answers outside Webex's documents {len(violations)}"
          f"{': ' + violations[0] if violations else ''}")


# --- comparison


@contextmanager
def checkout(revision: str) -> Iterator[Path]:
    """The code of ``revision`` in a temporary git worktree."""
    directory = Path(tempfile.mkdtemp(prefix='wxc-cc-baseline-')) / 'code'
    subprocess.run(['git', '-C', str(REPO), 'worktree', 'add', '--detach', '--quiet', str(directory), revision],
                   check=True, capture_output=True, text=True)
    try:
        yield directory
    finally:
        subprocess.run(['git', '-C', str(REPO), 'worktree', 'remove', '--force', str(directory)],
                       capture_output=True)
        shutil.rmtree(directory.parent, ignore_errors=True)


@contextmanager
def redis_server() -> Iterator[str]:
    """A throwaway redis-server on 127.0.0.1; its URL."""
    with tempfile.TemporaryDirectory(prefix='wxc-cc-bench-redis-') as directory:
        server = RedisServer.launch(Path(directory))
        try:
            yield server.url
        finally:
            server.stop()


def compare(args: argparse.Namespace) -> dict:
    """This code beside the baseline revision: capacity at real latency, and the work queue on Redis."""
    results: dict = {'latency_ms': args.latency * 1000, 'baseline': args.baseline, 'runs': {}}
    codes = {'this': REPO}
    with checkout(args.baseline) as baseline, redis_server() as redis_url:
        codes['previous'] = baseline
        for name, code in codes.items():
            for users in (3, 30):
                key = f'{name} capacity {users} users'
                print(f'... {key}', flush=True)
                results['runs'][key] = measure(Scenario(users=users, latency=args.latency, workers=1,
                                                        duration=args.duration, warmup=args.warmup, code=code))
            key = f'{name} queue redis'
            print(f'... {key}', flush=True)
            results['runs'][key] = measure(Scenario(users=30, latency=args.queue_latency, workers=2,
                                                    duration=args.duration, warmup=args.warmup, code=code,
                                                    redis_url=redis_url))
    print_comparison(results)
    return results


def print_comparison(results: dict) -> None:
    """The figures the issues ask for, side by side."""
    runs = results['runs']
    print()
    print(f"this code: {REPO}; previous: {results['baseline']} (in-process pool, before the durable queue)")
    print('original bot: not measured -- its code is neither in this repository nor installable here')
    print()
    print(f"capacity: 1 worker (default threads), {results['latency_ms']:.0f} ms per API call, YAML store")
    print(f"  {'':10} {'p50 at 3 users':>16} {'p50 at 30 users':>16} {'ratio':>7} {'commands/s at 30':>17} "
          f"{'timeouts':>9} {'peak RSS':>9}")
    for name in ('this', 'previous'):
        low, high = runs[f'{name} capacity 3 users'], runs[f'{name} capacity 30 users']
        ratio = high['reply_ms']['p50'] / low['reply_ms']['p50']
        timeouts = low['timeouts'] + high['timeouts']
        rss = max(high['peak_rss_mb_per_worker'] + low['peak_rss_mb_per_worker'])
        print(f"  {name:10} {low['reply_ms']['p50']:>13.0f} ms {high['reply_ms']['p50']:>13.0f} ms {ratio:>7.2f} "
              f"{high['commands_per_s']:>17} {timeouts:>9} {rss:>6.0f} MB")
    queue = runs['this queue redis']
    print()
    print(f"work queue: Redis, 2 workers, 30 users, {queue['api_latency_ms']:.0f} ms per API call")
    print(f"  {'':10} {'ack p50 / p99 seen by Webex':>28} {'in the bot':>18} {'commands/s':>11} "
          f"{'Redis commands/notification':>28}")
    for name in ('this', 'previous'):
        run = runs[f'{name} queue redis']
        seen, served = run['webhook_response_ms'], run['webhook_served_ms']
        print(f"  {name:10} {seen['p50']:>14.1f} / {seen['p99']:>6.1f} ms {served['p50']:>7.1f} / "
              f"{served['p99']:>5.1f} ms {run['commands_per_s']:>11} {run['redis_commands_per_notification']:>28}")
    print("  (seen by Webex: the fake's wait for the answer, its own process's load included; in the bot: gunicorn's"
          " request time. Two notifications per command: the message and the bot's own reply)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--compare', action='store_true',
                        help='this code beside --baseline: capacity at 3 and 30 users, the queue on Redis')
    parser.add_argument('--baseline', default=BASELINE, help=f'git revision to compare with (default {BASELINE})')
    parser.add_argument('--users', type=int, default=30, help='concurrent authorized users (default 30)')
    parser.add_argument('--latency', type=float, default=0.25, help='seconds per Webex API call (default 0.25)')
    parser.add_argument('--queue-latency', type=float, default=0.05,
                        help='seconds per Webex API call in the queue comparison (default 0.05)')
    parser.add_argument('--duration', type=float, default=10, help='measured seconds (default 10)')
    parser.add_argument('--warmup', type=float, default=3, help='seconds of load before measuring (default 3)')
    parser.add_argument('--workers', type=int, default=1, help='gunicorn workers (default 1)')
    parser.add_argument('--threads', type=int, help="WXC_CC_WORKER_THREADS per worker (default: the bot's)")
    parser.add_argument('--command', default='/dial 1234', help="the command users send (default '/dial 1234')")
    parser.add_argument('--redis-url', help='use the Redis store at this URL (its database is emptied)')
    parser.add_argument('--json', help='also write the figures to this file')
    args = parser.parse_args()
    if args.compare:
        figures = compare(args)
    else:
        figures = measure(Scenario(users=args.users, latency=args.latency, workers=args.workers,
                                   duration=args.duration, warmup=args.warmup, command=args.command,
                                   threads=args.threads, redis_url=args.redis_url))
        print_figures(figures)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == '__main__':
    main()
