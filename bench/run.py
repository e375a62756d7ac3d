#!/usr/bin/env python
"""
Benchmark: the real bot under gunicorn against the local fake Webex with a fixed API latency, driven by
authorized people at once, each sending a command and waiting for the reply before the next (a closed loop).

Every scenario runs its instances behind one round-robin HTTP proxy (their public URL) and, with Redis, behind a
counting TCP proxy in front of redis-server. One run prints: commands per second; notification-to-reply times;
webhook answer times (as the fake Webex saw them and inside the bot); Webex API calls per command by kind; new TCP
connections to Webex per command; Redis round trips and commands per command; peak RSS per worker; CPU per command
(the processes' own accounting in /proc). Figures, not pass/fail.

    python bench/run.py --users 30 --latency 0.25 --workers 1

``--compare`` (what ``make bench`` runs) measures, in one run, on the same machine and fake Webex:

* the deployment: 2 instances x 2 workers on one Redis behind one proxy, 50 people, ``--queue-latency`` (50 ms) per
  API call, for this code, for the code of ``--baseline`` (default 26b0017, before the queue was rewritten; checked
  out in a temporary git worktree), and for the original bot (one instance, one worker, as its Procfile runs it, on
  its own token store in the same Redis; see bench/original.py);
* capacity: one worker at ``--latency`` (250 ms) per API call, 3 and then 30 people, the file store, for this code
  and the baseline; the reply p50 of each and their ratio.
"""
import argparse
import datetime
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Optional
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import redis  # noqa: E402
from wxc_sdk.tokens import Tokens  # noqa: E402

from bench.original import (Internet, copy_original, find_original, original_python, procfile_options,  # noqa: E402
                            seed_tokens)
from fakewebex import FakeWebex  # noqa: E402
from fakewebex.harness import BotProcess, bot_env  # noqa: E402
from fakewebex.proxies import CountingProxy, LoopServer, RoundRobinProxy  # noqa: E402
from fakewebex.servers import RedisServer, cpu_seconds, listening_socket  # noqa: E402
from wxc_cc.config import DEFAULT_SCOPES  # noqa: E402
from wxc_cc.metrics import operation  # noqa: E402
from wxc_cc.stores import RedisTokenManager, UserContext, YAMLTokenManager  # noqa: E402

#: the code before the work queue was rewritten (issue 17)
BASELINE = '26b0017'

#: seconds a person waits for a reply before counting a timeout and sending again
REPLY_TIMEOUT = 10.0

#: the same for the original bot, which answers one webhook at a time, each after the command is done: 50 people
#: wait some 25 s for their turn, and a timeout would break the closed loop
ORIGINAL_REPLY_TIMEOUT = 90.0

#: seconds without load in which the Redis round trips of idle instances are counted
IDLE_SECONDS = 2.0

#: the original's virtualenv, made once (bench/original.py)
ORIGINAL_VENV = REPO / '.venv-original'

#: the bot's integration in the emulator
CLIENT_ID, CLIENT_SECRET = 'client-id', 'bench-client-secret'

#: gunicorn's access log: method, path, status, request time in microseconds
ACCESS_LOG = ('--access-logformat', '%(m)s %(U)s %(s)s %(D)s')


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of ``values`` lie (nearest rank)."""
    if not values:
        return float('nan')
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def peak_rss_mb(pid: int) -> float:
    """Peak resident set size of a process, MB."""
    for line in Path(f'/proc/{pid}/status').read_text().splitlines():
        if line.startswith('VmHWM:'):
            return int(line.split()[1]) / 1024
    return float('nan')


class Load:
    """People in a closed loop: send, wait for the reply, repeat, until the deadline."""

    def __init__(self, fake: FakeWebex, bot, users: list, command: str, reply_timeout: float = REPLY_TIMEOUT):
        self.fake, self.bot, self.users, self.command = fake, bot, users, command
        self.reply_timeout = reply_timeout
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
            replied = event.wait(self.reply_timeout)
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
            thread.join(seconds + self.reply_timeout + 5)


@dataclass
class Original:
    """The original bot: its files (``../shared/original``) and its virtualenv's python."""
    files: Path
    python: Path


@dataclass
class Scenario:
    """One measurement: which code, how deployed, how loaded."""
    users: int
    latency: float
    duration: float
    warmup: float
    #: gunicorn instances behind the proxy, and workers in each
    instances: int = 1
    workers: int = 1
    command: str = '/dial 1234'
    #: ``WXC_CC_WORKER_THREADS``; ``None``: the code's default
    threads: Optional[int] = None
    #: the Redis store at this URL (its database is emptied); ``None``: the file store
    redis_url: Optional[str] = None
    #: the directory of the bot's code
    code: Path = REPO
    #: run the original bot instead of :attr:`code`
    original: Optional[Original] = None

    @property
    def reply_timeout(self) -> float:
        return ORIGINAL_REPLY_TIMEOUT if self.original else REPLY_TIMEOUT


def redis_info(url: str) -> tuple[int, Optional[int]]:
    """Commands the Redis server has run so far (``INFO commandstats``, without the ``INFO`` calls), and its pid."""
    client = redis.Redis.from_url(url)
    commands = sum(stat['calls'] for name, stat in client.info('commandstats').items() if name != 'cmdstat_info')
    return commands, client.info('server').get('process_id')


def seed_users(scenario: Scenario, fake: FakeWebex, directory: Path, users: list) -> None:
    """Every person authorized, their tokens in the store the bot will read, in its own format."""
    issued = {user.id: fake.issue_tokens(user, client_id=CLIENT_ID) for user in users}
    if scenario.redis_url:
        client = redis.Redis.from_url(scenario.redis_url, decode_responses=True)
        client.flushdb()
        if scenario.original:
            seed_tokens(client, issued)
            return
        store = RedisTokenManager(client)
    else:
        store = YAMLTokenManager(directory / 'wxc_cc_bot.yml')
    for user in users:
        tokens = Tokens.model_validate(issued[user.id])
        tokens.set_expiration()
        # as the bot keeps them after /auth: their time zone (none, in the emulator) just read
        store.set_user_context(UserContext(user_id=user.id, email=user.email, tokens=tokens,
                                           timezone_read=datetime.datetime.now(datetime.timezone.utc)))


@dataclass
class Deployment:
    """The instances of a scenario, their proxy, and the proxies the benchmark runs for them."""
    front: RoundRobinProxy
    processes: list[BotProcess]
    proxies: list[LoopServer]


def start_instances(scenario: Scenario, fake: FakeWebex, bot, workdir: Path, stack: ExitStack,
                    redis_url: Optional[str]) -> Deployment:
    """
    The scenario's instances, started one after the other (each registers the bot's webhook, keeping the one
    already right) behind a round-robin proxy whose URL they give as their public URL.

    :param redis_url: the store's URL as the bots reach it (through the counting proxy)
    """
    sockets = [listening_socket() for _ in range(scenario.instances)]
    front = RoundRobinProxy([f'http://127.0.0.1:{s.getsockname()[1]}' for s in sockets]).start(own_process=True)
    stack.callback(front.stop)
    deployment = Deployment(front, [], [front])
    for index, sock in enumerate(sockets):
        cwd = workdir / f'instance-{index}'
        cwd.mkdir(exist_ok=True)
        access_log = ('--access-logfile', str(cwd / 'access.log'), *ACCESS_LOG)
        store = {'REDIS_URL': redis_url} if redis_url else {}
        if scenario.original:
            copy_original(scenario.original.files, cwd)
            internet = stack.enter_context(Internet(('127.0.0.1', urlsplit(fake.base_url).port), front.url, cwd))
            deployment.proxies.append(internet)
            env = bot_env(fake, bot, CLIENT_ID, CLIENT_SECRET, WXC_CC_INTEGRATION_CLIENT_SCOPES=DEFAULT_SCOPES,
                          PYTHONPATH=str(cwd), **store, **internet.env())
            del env['WEBEX_API_BASE_URL'], env['LOG_LEVEL']  # the original reads neither
            # its gunicorn knows no --no-control-socket; its health check is TeamsBot's /health
            process = BotProcess(env, cwd, workers=scenario.workers, python=str(scenario.original.python),
                                 base_args=(), logger_class=None, sock=sock, ready_path='/health',
                                 gunicorn_args=(*access_log, *procfile_options(scenario.original.files)))
        else:
            code = scenario.code
            extra = {'LOG_LEVEL': 'WARNING', 'PYTHONPATH': str(code), 'WXC_CC_BOT_URL': front.url, **store}
            if scenario.threads:
                extra['WXC_CC_WORKER_THREADS'] = str(scenario.threads)
            # a load test sends far more commands per person than the default rate limit admits
            (cwd / 'wxc_cc_config.json').write_text(json.dumps({'rate_limit': {'commands': 1_000_000,
                                                                               'seconds': 60}}))
            config = ('-c', 'python:wxc_cc.gunicorn_conf') if (code / 'wxc_cc' / 'gunicorn_conf.py').exists() else ()
            has_logger = (code / 'wxc_cc' / 'logsetup.py').exists()
            has_ready = "'/ready'" in (code / 'wxc_cc_bot.py').read_text()
            process = BotProcess(bot_env(fake, bot, CLIENT_ID, CLIENT_SECRET, **extra), cwd, sock=sock,
                                 workers=scenario.workers, gunicorn_args=(*config, *access_log),
                                 logger_class='wxc_cc.logsetup.GunicornLogger' if has_logger else None,
                                 ready_path='/ready' if has_ready else '/health')
        stack.callback(process.close)
        process.start(timeout=60)
        deployment.processes.append(process)
    return deployment


def measure(scenario: Scenario) -> dict:
    """Run one scenario and return its figures."""
    if scenario.instances > 1 and not scenario.redis_url:
        raise ValueError('several instances need the Redis store (--redis-url)')
    if scenario.original and not scenario.redis_url:
        raise ValueError('the original bot is measured on its Redis store')
    workdir = Path(tempfile.mkdtemp(prefix='wxc-cc-bench-'))
    # every command in flight may hold one of the fake's threads for the whole latency
    fake = FakeWebex(delivery_threads=max(8, scenario.users), server_threads=max(32, 2 * scenario.users + 16))
    with ExitStack() as stack:
        stack.enter_context(fake)
        fake.add_integration(CLIENT_ID, CLIENT_SECRET)
        bot = fake.add_bot('ccbot@webex.bot', 'CC Bot')
        users = [fake.add_person(f'user{i}@example.com', f'User {i}') for i in range(scenario.users)]
        (workdir / 'instance-0').mkdir()
        seed_users(scenario, fake, workdir / 'instance-0', users)
        counting, bots_redis = None, None
        if scenario.redis_url:
            address = urlsplit(scenario.redis_url)
            counting = CountingProxy(address.hostname or '127.0.0.1', address.port or 6379).start(own_process=True)
            stack.callback(counting.stop)
            bots_redis = f'redis://127.0.0.1:{counting.port}{address.path or "/0"}'
        deployment = start_instances(scenario, fake, bot, workdir, stack, bots_redis)
        front, processes = deployment.front, deployment.processes
        proxies = [*deployment.proxies, *([counting] if counting else [])]
        stack.callback(setattr, fake, 'latency', 0)
        fake.latency = scenario.latency
        Load(fake, bot, users, scenario.command, scenario.reply_timeout).run(scenario.warmup)
        fake.wait_deliveries_idle(scenario.reply_timeout + 30)
        idle_before = counting.round_trips if counting else 0
        time.sleep(IDLE_SECONDS if counting else 0)
        idle_round_trips = counting.round_trips - idle_before if counting else 0

        mark, connections, deliveries = fake.mark(), fake.connections_accepted, len(fake.deliveries)
        spread_before = list(front.served)
        log_offsets = [(process.cwd / 'access.log').stat().st_size for process in processes]
        pids = [pid for process in processes for pid in (process.process.pid, *process.worker_pids())]
        redis_before, redis_pid = redis_info(scenario.redis_url) if scenario.redis_url else (0, None)
        others = {'redis-server': redis_pid, 'fake Webex and load': os.getpid()}
        cpu_before = {pid: cpu_seconds(pid) for pid in [*pids, *filter(None, others.values())]}
        proxies_before = {proxy: proxy.cpu_seconds() for proxy in proxies}
        round_trips_before = counting.round_trips if counting else 0
        load = Load(fake, bot, users, scenario.command, scenario.reply_timeout)
        started = time.monotonic()
        load.run(scenario.duration)
        elapsed = time.monotonic() - started
        fake.wait_deliveries_idle(scenario.reply_timeout + 30)
        redis_used = redis_info(scenario.redis_url)[0] - redis_before if scenario.redis_url else 0
        round_trips = counting.round_trips - round_trips_before if counting else 0
        requests_made = fake.requests_since(mark)
        new_connections = fake.connections_accepted - connections
        hooks = [d for d in fake.deliveries[deliveries:] if d.target_url.startswith(front.url)]
        rss = [peak_rss_mb(pid) for process in processes for pid in process.worker_pids()]
        cpu = {pid: cpu_seconds(pid) - before for pid, before in cpu_before.items()}
        proxies_cpu = {proxy: proxy.cpu_seconds() - before for proxy, before in proxies_before.items()}
        # a proxy serving in a thread of this process has its time in this process's too
        cpu[os.getpid()] -= sum(used for proxy, used in proxies_cpu.items() if not proxy.own_process)
        violations = [str(violation) for violation in fake.contract_violations]
        served = []
        for process, offset in zip(processes, log_offsets):
            with (process.cwd / 'access.log').open() as log:
                log.seek(offset)
                served += [int(line.split()[3]) / 1000 for line in log if line.startswith('POST / ')]
        spread = [count - before for count, before in zip(front.served, spread_before)]
    shutil.rmtree(workdir, ignore_errors=True)

    done, commands = load.latencies, len(load.latencies)

    def per_command(value: float, digits: int = 2) -> float:
        return round(value / max(commands, 1), digits)

    def quantiles(values: list[float], shares: tuple[tuple[str, float], ...] = (('p50', .5), ('p99', .99))) -> dict:
        return {name: round(percentile(values, share), 1) for name, share in shares}

    kinds = Counter(operation(r.method, r.path) for r in requests_made)
    failed = [d for d in hooks if d.error or not 200 <= (d.status_code or 0) < 300]
    return {
        'bot': 'original' if scenario.original else str(scenario.code), 'command': scenario.command,
        'users': scenario.users, 'instances': scenario.instances, 'workers': scenario.workers,
        'threads': 'original' if scenario.original else scenario.threads or 'default',
        'api_latency_ms': scenario.latency * 1000, 'seconds': round(elapsed, 1), 'cpus': os.cpu_count(),
        'store': 'redis' if scenario.redis_url else 'file', 'commands': commands, 'timeouts': load.timeouts,
        'commands_per_s': round(commands / elapsed, 1),
        'reply_ms': quantiles([value * 1000 for value in done], (('p50', .5), ('p95', .95), ('p99', .99))),
        'webhook_response_ms': quantiles([d.duration_ms for d in hooks]),
        'notifications': len(hooks), 'notifications_failed': len(failed),
        'webhook_served_ms': quantiles(served), 'requests_per_instance': spread,
        'api_calls_per_command': {kind: per_command(count) for kind, count in sorted(kinds.items())},
        'new_connections_per_command': per_command(new_connections, 3),
        'redis_round_trips_per_command': per_command(round_trips, 1) if counting else None,
        'redis_round_trips_idle_per_s': round(idle_round_trips / IDLE_SECONDS, 1) if counting else None,
        'redis_commands_per_command': per_command(redis_used, 1) if scenario.redis_url else None,
        'peak_rss_mb_per_worker': sorted(round(value, 1) for value in rss),
        'cpu_ms_per_command': {'bot (all its processes)': per_command(sum(cpu[pid] for pid in pids) * 1000),
                               **{name: per_command(cpu[pid] * 1000) for name, pid in others.items() if pid},
                               'proxies': per_command(sum(proxies_cpu.values()) * 1000)},
        'cpu_busy_share': round((sum(cpu.values()) + sum(proxies_cpu.values())) / (elapsed * (os.cpu_count() or 1)),
                                2),
        'contract_violations': violations,
    }


def print_figures(figures: dict) -> None:
    """One run's figures, for a reader."""
    print(f"{figures['command']!r}: {figures['bot']}, {figures['users']} people, {figures['instances']} instance(s) x "
          f"{figures['workers']} worker(s) x {figures['threads']} threads, {figures['api_latency_ms']:.0f} ms per API "
          f"call, {figures['cpus']} CPUs, {figures['store']} store")
    print(f"  completed        {figures['commands']} commands in {figures['seconds']} s = "
          f"{figures['commands_per_s']} /s ({figures['timeouts']} without reply)")
    print(f"  reply after      p50 {figures['reply_ms']['p50']} ms, p95 {figures['reply_ms']['p95']} ms,"
          f" p99 {figures['reply_ms']['p99']} ms")
    print(f"  webhook answered p50 {figures['webhook_response_ms']['p50']} ms,"
          f" p99 {figures['webhook_response_ms']['p99']} ms ({figures['notifications']} notifications,"
          f" {figures['notifications_failed']} failed), as the fake Webex saw it")
    print(f"                   p50 {figures['webhook_served_ms']['p50']} ms,"
          f" p99 {figures['webhook_served_ms']['p99']} ms inside the bot (gunicorn's request time);"
          f" requests per instance {figures['requests_per_instance']}")
    print(f"  API calls/command {sum(figures['api_calls_per_command'].values()):.2f}:")
    for kind, per in figures['api_calls_per_command'].items():
        print(f"    {per:6.2f}  {kind}")
    print(f"  new TCP connections to Webex per command {figures['new_connections_per_command']}")
    if figures['redis_round_trips_per_command'] is not None:
        print(f"  Redis round trips per command {figures['redis_round_trips_per_command']} (idle: "
              f"{figures['redis_round_trips_idle_per_s']} a second), commands per command "
              f"{figures['redis_commands_per_command']}")
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


def load_average() -> str:
    return ' '.join(f'{value:.2f}' for value in os.getloadavg())


def compare(args: argparse.Namespace) -> dict:
    """This code beside the baseline revision and the original bot: the deployment, then capacity."""
    results: dict = {'latency_ms': args.latency * 1000, 'queue_latency_ms': args.queue_latency * 1000,
                     'baseline': args.baseline, 'load_average_before': load_average(), 'runs': {}}
    original_files = Path(args.original) if args.original else find_original(REPO)
    original = None
    if original_files is None:
        results['original'] = 'not measured: its files are not in ../shared/original (give --original DIR)'
    else:
        try:
            original = Original(original_files, original_python(original_files, ORIGINAL_VENV))
            results['original'] = str(original_files)
        except subprocess.CalledProcessError as error:
            results['original'] = f'not measured: making its virtualenv failed: {error}'
    with checkout(args.baseline) as baseline, redis_server() as redis_url:
        codes = {'this': REPO, 'baseline': baseline}
        for name, code in codes.items():
            key = f'{name} deployment'
            print(f'... {key}', flush=True)
            results['runs'][key] = measure(Scenario(
                users=args.deployment_users, latency=args.queue_latency, duration=args.duration, warmup=args.warmup,
                instances=2, workers=2, code=code, redis_url=redis_url))
        if original:
            print('... original deployment', flush=True)
            try:
                results['runs']['original deployment'] = measure(Scenario(
                    users=args.deployment_users, latency=args.queue_latency, duration=args.duration,
                    warmup=args.warmup, original=original, redis_url=redis_url))
            except RuntimeError as error:  # it did not start: its output says why
                results['original'] = f'not measured: {error}'
        for name, code in codes.items():
            for users in (3, 30):
                key = f'{name} capacity {users} users'
                print(f'... {key}', flush=True)
                results['runs'][key] = measure(Scenario(users=users, latency=args.latency, duration=args.duration,
                                                        warmup=args.warmup, code=code))
    results['load_average_after'] = load_average()
    print_comparison(results)
    return results


def deployment_rows(run: dict) -> list[tuple[str, str]]:
    """The figures of one subject of the compared deployment, as (label, value) rows."""
    cpu = run['cpu_ms_per_command']
    seen, inside, reply = run['webhook_response_ms'], run['webhook_served_ms'], run['reply_ms']
    return [
        ('instances x gunicorn workers', f"{run['instances']} x {run['workers']}"),
        ('commands/s', f"{run['commands_per_s']}"),
        ('reply after, p50 / p99 (ms)', f"{reply['p50']:.0f} / {reply['p99']:.0f}"),
        ('webhook ack p50 / p99, seen by Webex (ms)', f"{seen['p50']:.1f} / {seen['p99']:.1f}"),
        ('webhook ack p50 / p99, inside the bot (ms)', f"{inside['p50']:.1f} / {inside['p99']:.1f}"),
        ('notifications not acked (of all)', f"{run['notifications_failed']} of {run['notifications']}"),
        ('Webex API calls per command', f"{sum(run['api_calls_per_command'].values()):.2f}"),
        ('Redis round trips per command', f"{run['redis_round_trips_per_command']}"),
        ('Redis round trips a second when idle', f"{run['redis_round_trips_idle_per_s']}"),
        ('Redis commands per command', f"{run['redis_commands_per_command']}"),
        ('bot CPU per command (ms)', f"{cpu['bot (all its processes)']}"),
        ('redis-server CPU per command (ms)', f"{cpu.get('redis-server')}"),
        ('fake Webex and load: CPU per command (ms)', f"{cpu['fake Webex and load']}"),
        ('the proxies: CPU per command (ms)', f"{cpu['proxies']}"),
        ('peak RSS per worker (MB)', f"{max(run['peak_rss_mb_per_worker'], default=float('nan')):.0f}"),
        ('people without a reply in time', f"{run['timeouts']}"),
    ]


def print_comparison(results: dict) -> None:
    """The figures the issues ask for, side by side."""
    runs = results['runs']
    names = {'this': 'this code', 'baseline': results['baseline'], 'original': 'original bot'}
    print()
    print(f"this code: {REPO}; original bot: {results['original']}")
    print(f"load average (1, 5, 15 min) before: {results['load_average_before']}, after: "
          f"{results['load_average_after']}; {os.cpu_count()} CPUs")
    subjects = [name for name in ('this', 'baseline', 'original') if f'{name} deployment' in runs]
    columns = {name: dict(deployment_rows(runs[f'{name} deployment'])) for name in subjects}
    first = runs['this deployment']
    print()
    print(f"deployment: {first['users']} people, {first['api_latency_ms']:.0f} ms per Webex API call, one Redis, "
          f"the instances behind one round-robin proxy (the original: as its Procfile runs it)")
    print(f"  {'':44}" + ''.join(f' {names[name]:>19}' for name in subjects))
    for label, _ in deployment_rows(first):
        print(f'  {label:44}' + ''.join(f' {columns[name][label]:>19}' for name in subjects))
    print("  (seen by Webex: the fake's wait for the answer, through the proxy; inside the bot: gunicorn's request"
          " time. Two notifications per command: the person's message and the bot's own reply)")
    print()
    print(f"capacity: 1 worker (default threads), {results['latency_ms']:.0f} ms per API call, file store")
    print(f"  {'':22} {'p50 at 3 people':>16} {'p50 at 30 people':>17} {'ratio':>7} {'commands/s at 30':>17} "
          f"{'timeouts':>9} {'peak RSS':>9}")
    for name in ('this', 'baseline'):
        low, high = runs[f'{name} capacity 3 users'], runs[f'{name} capacity 30 users']
        ratio = high['reply_ms']['p50'] / low['reply_ms']['p50']
        timeouts = low['timeouts'] + high['timeouts']
        rss = max(high['peak_rss_mb_per_worker'] + low['peak_rss_mb_per_worker'])
        print(f"  {names[name]:22} {low['reply_ms']['p50']:>13.0f} ms {high['reply_ms']['p50']:>14.0f} ms "
              f"{ratio:>7.2f} {high['commands_per_s']:>17} {timeouts:>9} {rss:>6.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--compare', action='store_true',
                        help='this code beside --baseline and the original bot: the deployment, then capacity')
    parser.add_argument('--baseline', default=BASELINE, help=f'git revision to compare with (default {BASELINE})')
    parser.add_argument('--original', help="the original bot's files (default: ../shared/original beside the "
                                           "checkout or the main checkout)")
    parser.add_argument('--users', type=int, default=30, help='concurrent authorized people (default 30)')
    parser.add_argument('--deployment-users', type=int, default=50,
                        help='people in the compared deployment (default 50)')
    parser.add_argument('--latency', type=float, default=0.25, help='seconds per Webex API call (default 0.25)')
    parser.add_argument('--queue-latency', type=float, default=0.05,
                        help='seconds per Webex API call in the compared deployment (default 0.05)')
    parser.add_argument('--duration', type=float, default=10, help='measured seconds (default 10)')
    parser.add_argument('--warmup', type=float, default=3, help='seconds of load before measuring (default 3)')
    parser.add_argument('--instances', type=int, default=1, help='gunicorn instances behind the proxy (default 1)')
    parser.add_argument('--workers', type=int, default=1, help='gunicorn workers per instance (default 1)')
    parser.add_argument('--threads', type=int, help="WXC_CC_WORKER_THREADS per worker (default: the bot's)")
    parser.add_argument('--command', default='/dial 1234', help="the command people send (default '/dial 1234')")
    parser.add_argument('--redis-url', help='use the Redis store at this URL (its database is emptied)')
    parser.add_argument('--json', help='also write the figures to this file')
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format='%(levelname)s %(name)s: %(message)s')
    # the original's webhooks time out under this load: counted in the figures, not told one by one
    logging.getLogger('fakewebex.delivery').setLevel(logging.ERROR)
    if args.compare:
        figures = compare(args)
    else:
        figures = measure(Scenario(users=args.users, latency=args.latency, duration=args.duration,
                                   warmup=args.warmup, instances=args.instances, workers=args.workers,
                                   command=args.command, threads=args.threads, redis_url=args.redis_url))
        print_figures(figures)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == '__main__':
    main()
