"""
The benchmark's parts: the round-robin proxy in front of the instances, the counting proxy in front of Redis, the
original bot's view of the Internet (bench/original.py), and one tiny run of the benchmark itself.
"""
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
import requests

from bench.original import NGROK_HOST, WEBEX_HOST, Internet, find_original, procfile_options
from bench.run import Scenario, measure
from fakewebex import FakeWebex
from fakewebex.proxies import CountingProxy, LoopServer, RoundRobinProxy
from fakewebex.servers import RedisServer

pytestmark = pytest.mark.e2e


class Backend(ThreadingHTTPServer):
    """An HTTP server on 127.0.0.1, port 0, that records each request and answers with its own name."""

    def __init__(self, name: str):
        self.name = name
        self.seen: list[dict] = []
        backend = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
                backend.seen.append({'path': self.path, 'body': body, 'connection': self.headers.get('Connection')})
                answer = json.dumps({'backend': backend.name}).encode()
                self.send_response(200)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(('127.0.0.1', 0), Handler)
        self.url = f'http://127.0.0.1:{self.server_address[1]}'

    def __enter__(self) -> 'Backend':
        threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()
        self.server_close()


@pytest.fixture
def backends() -> Iterator[tuple[Backend, Backend]]:
    with Backend('a') as a, Backend('b') as b:
        yield a, b


@contextmanager
def started(proxy: LoopServer, own_process: bool) -> Iterator:
    proxy.start(own_process)
    try:
        yield proxy
    finally:
        proxy.stop()


@pytest.mark.parametrize('own_process', [False, True], ids=['thread', 'process'])
def test_round_robin_proxy_sends_each_request_to_the_next_backend(backends, own_process):
    a, b = backends
    with started(RoundRobinProxy([a.url, b.url]), own_process) as proxy, requests.Session() as session:
        answers = [session.post(f'{proxy.url}/hook?n={n}', data=f'body {n}'.encode(), timeout=5) for n in range(4)]
        served = list(proxy.served)
        assert proxy.own_process == own_process
        if own_process:  # its interpreter's start alone takes more than the kernel's tick
            assert proxy.cpu_seconds() > 0
    assert [answer.json()['backend'] for answer in answers] == ['a', 'b', 'a', 'b']
    assert all(answer.headers['Connection'] == 'close' for answer in answers)
    assert a.seen == [{'path': '/hook?n=0', 'body': b'body 0', 'connection': 'close'},
                      {'path': '/hook?n=2', 'body': b'body 2', 'connection': 'close'}]
    assert [request['path'] for request in b.seen] == ['/hook?n=1', '/hook?n=3']
    assert served == [2, 2]


def test_round_robin_proxy_answers_502_for_a_backend_it_cannot_reach(backends, refused):
    a, _ = backends
    with RoundRobinProxy([a.url, f'http://127.0.0.1:{refused}']) as proxy:
        statuses = [requests.post(proxy.url, data=b'x', timeout=5).status_code for _ in range(4)]
        served = list(proxy.served)
    assert statuses == [200, 502, 200, 502]
    assert served == [2, 0]


def test_round_robin_proxy_wants_the_length_of_a_body(backends):
    a, b = backends
    with RoundRobinProxy([a.url, b.url]) as proxy:
        answer = requests.post(proxy.url, data=iter([b'chunked']), timeout=5)
    assert answer.status_code == 411
    assert a.seen == b.seen == []


def test_round_robin_proxy_needs_a_backend():
    with pytest.raises(ValueError):
        RoundRobinProxy([])


@pytest.fixture(params=[False, True], ids=['thread', 'process'])
def counting(redis_server: RedisServer, request: pytest.FixtureRequest) -> Iterator[CountingProxy]:
    with started(CountingProxy('127.0.0.1', redis_server.port), request.param) as proxy:
        yield proxy


def test_counting_proxy_counts_round_trips_not_commands(counting, redis_client):
    client = redis.Redis(host='127.0.0.1', port=counting.port, decode_responses=True)
    assert client.ping()  # the connection and whatever the client says when it opens one
    before = counting.round_trips
    client.set('k', 'v')
    assert client.get('k') == 'v'
    pipeline = client.pipeline(transaction=False)
    pipeline.incr('n').incr('n').incr('n')
    assert pipeline.execute() == [1, 2, 3]
    assert client.eval("redis.call('SET', 'x', 1); return redis.call('INCR', 'x')", 0) == 2
    started = time.monotonic()
    assert client.blmove('empty', 'elsewhere', 0.3) is None
    assert time.monotonic() - started >= 0.25
    assert counting.round_trips - before == 5  # set, get, the pipeline, the script, the blocking read
    assert counting.connections == 1


def test_counting_proxy_counts_a_request_sent_in_pieces_once(counting, redis_client):
    with socket.create_connection(('127.0.0.1', counting.port), timeout=5) as sock:
        sock.sendall(b'*1\r\n$4\r\n')
        time.sleep(0.1)  # the proxy has passed the first piece on, with no answer yet
        sock.sendall(b'PING\r\n')
        assert sock.recv(100) == b'+PONG\r\n'
        sock.sendall(b'PING\r\nPING\r\n')  # two commands in one burst: one round trip
        answers = b''
        while answers != b'+PONG\r\n+PONG\r\n':
            answers += sock.recv(100)
    assert counting.round_trips == 2
    assert counting.connections == 1


@pytest.fixture
def internet(fake: FakeWebex, tmp_path: Path) -> Iterator[Internet]:
    with Internet(('127.0.0.1', urlsplit(fake.base_url).port), 'http://127.0.0.1:9/public', tmp_path) as proxy:
        yield proxy


def test_the_originals_internet_leads_webex_to_the_emulator_over_tls(fake, internet):
    bot = fake.add_bot('ccbot@webex.bot', 'CC Bot')
    proxies = {'https': internet.url, 'http': internet.url}
    me = requests.get(f'https://{WEBEX_HOST}/v1/people/me', headers={'Authorization': f'Bearer {bot.token}'},
                      proxies=proxies, verify=str(internet.ca_bundle), timeout=5)
    assert me.status_code == 200
    assert me.json()['id'] == bot.id
    assert [(r.method, r.path) for r in fake.requests] == [('GET', '/people/me')]
    with pytest.raises(requests.exceptions.SSLError):  # a certificate only the proxy's CA vouches for
        requests.get(f'https://{WEBEX_HOST}/v1/people/me', proxies=proxies, timeout=5)


def test_the_originals_internet_has_an_ngrok_agent_and_nothing_else(internet):
    env = internet.env()
    proxies = {'https': env['HTTPS_PROXY'], 'http': env['HTTP_PROXY']}
    tunnels = requests.get(f'http://{env["NGROK_HOST"]}:4040/api/tunnels', proxies=proxies, timeout=5)
    assert env['NGROK_HOST'] == NGROK_HOST
    assert tunnels.json() == {'tunnels': [{'name': 'command_line', 'proto': 'https',
                                           'public_url': 'http://127.0.0.1:9/public'}]}
    with pytest.raises(requests.exceptions.ProxyError):
        requests.get('https://elsewhere.invalid/', proxies=proxies, timeout=5)
    assert requests.get('http://elsewhere.invalid/', proxies=proxies, timeout=5).status_code == 403
    assert internet.refused == ['CONNECT elsewhere.invalid:443', 'GET http://elsewhere.invalid/']


def test_the_originals_procfile_gives_its_gunicorn_options(tmp_path):
    (tmp_path / 'Procfile').write_text("web: gunicorn 'wxc_cc_bot:create_app()' --workers=1 --log-file -\n")
    assert procfile_options(tmp_path) == ('--workers=1', '--log-file', '-')
    (tmp_path / 'Procfile').write_text('web: python wxc_cc_bot.py\n')
    with pytest.raises(ValueError):
        procfile_options(tmp_path)


def test_the_original_is_found_beside_the_checkout(tmp_path):
    repo = tmp_path / 'main'
    repo.mkdir()
    assert find_original(repo) is None
    (tmp_path / 'shared' / 'original').mkdir(parents=True)
    (tmp_path / 'shared' / 'original' / 'Procfile').write_text('web: gunicorn x\n')
    assert find_original(repo) == tmp_path / 'shared' / 'original'


def test_a_tiny_benchmark_run_measures_the_bot():
    figures = measure(Scenario(users=2, latency=0.0, duration=1.0, warmup=0.3))
    assert figures['commands'] > 0
    assert figures['timeouts'] == 0
    assert figures['api_calls_per_command'] == {'GET /messages/{id}': 1.0, 'POST /messages': 1.0,
                                                'POST /telephony/calls/dial': 1.0}
    assert figures['notifications'] == 2 * figures['commands']
    assert figures['requests_per_instance'] == [figures['notifications']]
    assert figures['redis_round_trips_per_command'] is None
    assert figures['cpu_ms_per_command']['bot (all its processes)'] > 0
    assert figures['contract_violations'] == []
