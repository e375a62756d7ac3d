"""
Finding the public URL through the ngrok agent API (a local stand-in agent on 127.0.0.1).
"""
import json
import os
import stat
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import ngrokhelper
from ngrokhelper import NgrokError, get_public_url, pick_tunnel

pytestmark = pytest.mark.unit


class Agent:
    """Answers GET /api/tunnels; the tunnels appear after `empty_polls` polls."""

    def __init__(self, tunnels: list, empty_polls: int = 0):
        self.tunnels, self.empty_polls, self.polls = tunnels, empty_polls, 0
        agent = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                agent.polls += 1
                tunnels = agent.tunnels if agent.polls > agent.empty_polls else []
                body = json.dumps({'tunnels': tunnels}).encode()
                self.send_response(200 if self.path == '/api/tunnels' else 404)
                self.send_header('Content-Type', 'application/json')
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def host(self) -> str:
        return f'127.0.0.1:{self.server.server_port}'

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


TUNNELS = [{'public_url': 'http://abc.ngrok.example', 'proto': 'http', 'config': {'addr': 'http://localhost:6001'}},
           {'public_url': 'https://other.ngrok.example', 'proto': 'https', 'config': {'addr': 'http://localhost:80'}},
           {'public_url': 'https://abc.ngrok.example', 'proto': 'https', 'config': {'addr': 'http://localhost:6001'}}]


def test_pick_tunnel_prefers_https_to_our_port():
    assert pick_tunnel(TUNNELS, 6001) == 'https://abc.ngrok.example'
    assert pick_tunnel(TUNNELS[:2], 6001) == 'https://other.ngrok.example'
    assert pick_tunnel(TUNNELS[:1], 6001) == 'http://abc.ngrok.example'
    assert pick_tunnel([], 6001) is None


def test_waits_for_the_tunnel_at_ngrok_host():
    agent = Agent(TUNNELS, empty_polls=3)
    try:
        assert get_public_url(6001, ngrok_host=agent.host, timeout=5, interval=0.01) == 'https://abc.ngrok.example'
        assert agent.polls == 4
    finally:
        agent.stop()


def test_ngrok_host_from_the_environment(monkeypatch):
    agent = Agent(TUNNELS)
    monkeypatch.setenv('NGROK_HOST', agent.host)
    try:
        assert get_public_url(6001) == 'https://abc.ngrok.example'
    finally:
        agent.stop()


def test_no_tunnel_is_a_clear_error_after_a_bounded_wait():
    agent = Agent([])
    try:
        with pytest.raises(NgrokError, match='no ngrok tunnel appeared at .* within 0 s'):
            get_public_url(6001, ngrok_host=agent.host, timeout=0.2, interval=0.01)
        assert agent.polls >= 2
    finally:
        agent.stop()


def test_without_ngrok_host_or_binary(monkeypatch, tmp_path):
    monkeypatch.setenv('PATH', str(tmp_path))
    with pytest.raises(NgrokError, match='set WXC_CC_BOT_URL'):
        get_public_url(6001, ngrok_host='')


def test_starts_local_ngrok_and_reports_its_failure(monkeypatch, tmp_path: Path, refused: int):
    script = tmp_path / 'ngrok'
    script.write_text(f'#!/bin/sh\necho "$@" > {tmp_path}/args\nexit 3\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv('PATH', f'{tmp_path}{os.pathsep}{os.environ["PATH"]}')
    monkeypatch.setattr(ngrokhelper, 'AGENT_API_PORT', refused)  # no agent API answers there
    with pytest.raises(NgrokError, match='ngrok exited with code 3'):
        get_public_url(6123, ngrok_host='', timeout=5, interval=0.01)
    assert (tmp_path / 'args').read_text().split()[:2] == ['http', '6123']
