"""
The original bot (``jeokrohn/wxc_callcontrol``, MIT), measured beside this code in the same benchmark run.

Nothing of it is kept in this repository: its files are copied at run time from the project's shared folder
(``../shared/original`` beside the checkout), into the scenario's temporary directory, and it runs in a virtualenv of
its own (``.venv-original``), made once from its pinned, hashed ``requirements.txt`` with pip. It is started as its
``Procfile`` says (``gunicorn 'wxc_cc_bot:create_app()'`` with the Procfile's options), unchanged. What it needs from
its environment, as its code reads it:

- ``WXC_CC_BOT_EMAIL``, ``WXC_CC_BOT_ACCESS_TOKEN``, ``WXC_CC_BOT_NAME``, ``WXC_CC_INTEGRATION_CLIENT_ID``,
  ``_SECRET``, ``_SCOPES``: the variables this project kept;
- its public URL, from Heroku (``HEROKU_NAME``) or, as its docker-compose file runs it, from an ngrok agent's API at
  ``http://$NGROK_HOST:4040/api/tunnels``: here the latter, answered by :class:`Internet` with the deployment's
  public URL (the benchmark's proxy, which plays the tunnel);
- ``REDIS_URL``: its ``RedisTokenManager`` (the Heroku and docker-compose setups), whose records
  :func:`seed_tokens` writes;
- Webex at ``https://webexapis.com/v1``, fixed in wxc_sdk and webexteamssdk: reached through ``HTTPS_PROXY``, the
  :class:`Internet` proxy, which ends TLS with a certificate of a throwaway CA (``REQUESTS_CA_BUNDLE``) and passes
  the requests inside to the emulator unchanged.
"""
import asyncio
import datetime
import hashlib
import json
import logging
import shlex
import shutil
import ssl
import subprocess
import sys
from pathlib import Path
from typing import Optional

import redis
import trustme

from fakewebex.proxies import LoopServer, http_response, pipe

__all__ = ['find_original', 'original_python', 'copy_original', 'procfile_options', 'seed_tokens', 'Internet',
           'WEBEX_HOST', 'NGROK_HOST']

log = logging.getLogger(__name__)

#: the host the original's SDKs call
WEBEX_HOST = 'webexapis.com'

#: the ngrok agent's host the original is told (``NGROK_HOST``), as in its docker-compose file
NGROK_HOST = 'ngrok'

#: the original's code: what its Procfile runs and what that imports
CODE_FILES = ('wxc_cc_bot.py', 'user_context.py', 'ngrokhelper.py')

#: the application its Procfile starts, as this project's harness starts it too
APP = 'wxc_cc_bot:create_app()'


def find_original(repo: Path) -> Optional[Path]:
    """
    The original's files: ``../shared/original`` beside the checkout, or beside the main checkout when ``repo`` is a
    git worktree elsewhere; ``None`` when neither exists.
    """
    candidates = [repo.parent / 'shared' / 'original']
    common = subprocess.run(['git', '-C', str(repo), 'rev-parse', '--path-format=absolute', '--git-common-dir'],
                            capture_output=True, text=True)
    if common.returncode == 0:
        candidates.append(Path(common.stdout.strip()).parent.parent / 'shared' / 'original')
    return next((path for path in candidates if (path / 'Procfile').is_file()), None)


def original_python(original: Path, venv: Path) -> Path:
    """
    The interpreter of the original's virtualenv, made once: again only when its ``requirements.txt`` changed.

    :param original: the original's files
    :param venv: where its virtualenv lives
    :return: the virtualenv's python
    """
    requirements = original / 'requirements.txt'
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()
    stamp, python = venv / '.requirements.sha256', venv / 'bin' / 'python'
    if python.exists() and stamp.exists() and stamp.read_text().strip() == digest:
        return python
    print(f'... making the original bot\'s virtualenv in {venv} (once)', flush=True)
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([sys.executable, '-m', 'venv', str(venv)], check=True)
    subprocess.run([str(python), '-m', 'pip', 'install', '--quiet', '--require-hashes', '-r', str(requirements)],
                   check=True)
    stamp.write_text(digest + '\n')
    return python


def copy_original(original: Path, directory: Path) -> None:
    """Copy the original's code into ``directory``, where it runs."""
    for name in CODE_FILES:
        shutil.copy2(original / name, directory / name)


def procfile_options(original: Path) -> tuple[str, ...]:
    """
    The gunicorn options of the original's ``Procfile`` web process (``--workers=1 --log-file -``).

    :raises ValueError: when the Procfile runs something else than gunicorn with :data:`APP`
    """
    for line in (original / 'Procfile').read_text().splitlines():
        kind, _, command = line.partition(':')
        if kind.strip() == 'web':
            words = shlex.split(command)
            if words[:1] != ['gunicorn'] or APP not in words:
                raise ValueError(f'the original\'s Procfile runs {command!r}, not gunicorn {APP!r}')
            return tuple(word for word in words[1:] if word != APP)
    raise ValueError('the original\'s Procfile has no web process')


def seed_tokens(client: redis.Redis, issued: dict[str, dict]) -> None:
    """
    Each person authorized, as the original's ``RedisTokenManager`` stores it: ``user-<person id>`` holds the
    ``UserContext`` JSON (the person id and wxc_sdk's ``Tokens`` without the ``*_in`` fields), and the set ``users``
    names those keys.

    :param client: the original's Redis
    :param issued: token responses (``POST /access_token``) by person id
    """
    now = datetime.datetime.now(datetime.timezone.utc)
    for person_id, tokens in issued.items():
        context = {'user_id': person_id, 'tokens': {
            'access_token': tokens['access_token'],
            'expires_at': (now + datetime.timedelta(seconds=tokens['expires_in'])).isoformat(),
            'refresh_token': tokens['refresh_token'],
            'refresh_token_expires_at': (now + datetime.timedelta(
                seconds=tokens['refresh_token_expires_in'])).isoformat(),
            'token_type': tokens.get('token_type', 'Bearer')}}
        client.set(f'user-{person_id}', json.dumps(context))
        client.sadd('users', f'user-{person_id}')


class Internet(LoopServer):
    """
    The Internet as the original sees it, one HTTP proxy (its ``HTTPS_PROXY`` and ``HTTP_PROXY``):

    - ``CONNECT webexapis.com:443``: TLS with a certificate for ``webexapis.com`` from a throwaway CA, and the
      requests inside passed unchanged to the emulator;
    - ``GET http://ngrok:4040/api/tunnels``: the ngrok agent's answer, one https tunnel to ``public_url``;
    - anything else: ``403``, so nothing leaves this machine.

    :param emulator: the emulator's address (host, port)
    :param public_url: the URL the tunnel answers with, the bot's public URL
    :param directory: where the CA's certificate is written (:attr:`ca_bundle`)
    """

    name = 'internet-proxy'

    def __init__(self, emulator: tuple[str, int], public_url: str, directory: Path):
        super().__init__()
        self.emulator = emulator
        self.public_url = public_url
        ca = trustme.CA()
        self._tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert(WEBEX_HOST).configure_cert(self._tls)
        self.ca_bundle = directory / 'internet-ca.pem'
        ca.cert_pem.write_to_path(str(self.ca_bundle))
        #: requests refused (neither Webex nor the ngrok agent)
        self.refused: list[str] = []

    @property
    def url(self) -> str:
        return f'http://127.0.0.1:{self.port}'

    def env(self) -> dict[str, str]:
        """The variables that send the original's requests here, and the ngrok agent's host."""
        return {'HTTPS_PROXY': self.url, 'HTTP_PROXY': self.url, 'NO_PROXY': '127.0.0.1,localhost',
                'REQUESTS_CA_BUNDLE': str(self.ca_bundle), 'NGROK_HOST': NGROK_HOST}

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b'\r\n\r\n'))[:-4]
        method, target = head.split(b'\r\n', 1)[0].decode('latin-1').split(' ')[:2]
        if method == 'CONNECT' and target == f'{WEBEX_HOST}:443':
            writer.write(b'HTTP/1.1 200 Connection established\r\n\r\n')
            await writer.drain()
            await writer.start_tls(self._tls)
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.emulator)
            await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))
        elif method == 'GET' and target == f'http://{NGROK_HOST}:4040/api/tunnels':
            tunnels = {'tunnels': [{'name': 'command_line', 'proto': 'https', 'public_url': self.public_url}]}
            writer.write(http_response('200 OK', json.dumps(tunnels).encode(), 'application/json'))
        else:
            self.refused.append(f'{method} {target}')
            log.warning('%s: refused %s %s', self.name, method, target)
            writer.write(http_response('403 Forbidden', b'not on this benchmark\'s Internet'))
        await writer.drain()
