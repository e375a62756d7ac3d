"""
Find the public URL of an ngrok tunnel to the bot.

With ``NGROK_HOST`` set (docker-compose runs ngrok in its own container) the ngrok agent API at
``http://$NGROK_HOST:4040`` is polled until a tunnel shows up; without it a local ``ngrok http PORT`` is
started and its API on ``127.0.0.1:4040`` is polled. Either way the wait is bounded and ends in
:class:`NgrokError` with a clear message when no tunnel appears.
"""
import logging
import os
import shutil
import subprocess
import time
from typing import Optional

import requests

__all__ = ['NgrokError', 'get_public_url', 'pick_tunnel']

log = logging.getLogger(__name__)

#: port of the ngrok agent API
AGENT_API_PORT = 4040


class NgrokError(RuntimeError):
    """
    No ngrok tunnel could be found or started.
    """


def pick_tunnel(tunnels: list[dict], local_port: int) -> Optional[str]:
    """
    The public URL to use from the agent's tunnel list: an https tunnel to ``local_port`` if there is one, else
    any https tunnel, else any tunnel.

    :param tunnels: the ``tunnels`` list of ``GET /api/tunnels``
    :param local_port: the port the bot listens on
    :return: the public URL, or ``None`` when there is no tunnel
    """
    def rank(tunnel: dict) -> tuple[bool, bool]:
        addr = str((tunnel.get('config') or {}).get('addr', ''))
        return (str(tunnel.get('public_url', '')).startswith('https://'),
                addr.rstrip('/').endswith(f':{local_port}') or addr == str(local_port))

    candidates = [tunnel for tunnel in tunnels if tunnel.get('public_url')]
    if not candidates:
        return None
    return str(max(candidates, key=rank)['public_url']).rstrip('/')


def _agent_url(host: str) -> str:
    return f'http://{host if ":" in host else f"{host}:{AGENT_API_PORT}"}/api/tunnels'


def _poll(api_url: str, local_port: int, deadline: float, interval: float,
          agent: Optional[subprocess.Popen] = None) -> Optional[str]:
    while True:
        try:
            response = requests.get(api_url, timeout=2)
            if response.ok:
                if url := pick_tunnel(response.json().get('tunnels') or [], local_port):
                    return url
        except (requests.RequestException, ValueError):
            pass
        if agent is not None and agent.poll() is not None:
            raise NgrokError(f'ngrok exited with code {agent.returncode} before a tunnel was up')
        if time.monotonic() + interval > deadline:
            return None
        time.sleep(interval)


def get_public_url(local_port: int, *, ngrok_host: Optional[str] = None, timeout: float = 30.0,
                   interval: float = 0.5) -> str:
    """
    The public URL of an ngrok tunnel to ``local_port``.

    :param local_port: the port the bot listens on
    :param ngrok_host: host (optionally ``host:port``) of the ngrok agent API; default: ``NGROK_HOST`` from the
        environment; when neither is set, a local ``ngrok http <local_port>`` is started
    :param timeout: how long to wait for a tunnel, seconds
    :param interval: pause between polls, seconds
    :return: the public base URL, without trailing slash
    :raises NgrokError: no tunnel within ``timeout``, or ngrok could not be started
    """
    host = ngrok_host if ngrok_host is not None else os.environ.get('NGROK_HOST')
    deadline = time.monotonic() + timeout
    agent = None
    if host:
        api_url = _agent_url(host)
        log.info('waiting for an ngrok tunnel at %s', api_url)
    else:
        binary = shutil.which('ngrok')
        if binary is None:
            raise NgrokError('no public URL: set WXC_CC_BOT_URL (or HEROKU_NAME, or NGROK_HOST), '
                             'or install ngrok so that the bot can start a tunnel')
        api_url = _agent_url(f'127.0.0.1:{AGENT_API_PORT}')
        log.info('starting ngrok http %d', local_port)
        agent = subprocess.Popen([binary, 'http', str(local_port), '--log', 'stdout'],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = _poll(api_url, local_port, deadline, interval, agent)
    if url is None:
        if agent is not None:
            agent.terminate()
        raise NgrokError(f'no ngrok tunnel appeared at {api_url} within {timeout:.0f} s')
    log.info('public URL from ngrok: %s', url)
    return url
