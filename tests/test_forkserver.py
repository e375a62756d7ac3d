"""
The fork server the end-to-end tests start the bot's gunicorn from: a child serves in its own directory with exactly
the environment it was given, on the socket passed at the same descriptor number, with the libraries imported
already; it ends as an interpreter ends (``atexit`` functions run in the workers too) and its exit status reaches
the caller as :class:`subprocess.Popen` would give it; a child whose environment changes what a preloaded library
read at import starts in a new interpreter.
"""
import contextlib
import os
import signal
import subprocess
import textwrap
from pathlib import Path

import pytest
import requests

from fakewebex.forkserver import IMPORT_TIME_VARIABLES, ForkedProcess, ForkServer
from fakewebex.harness import wait_bot_ready
from fakewebex.servers import listening_socket

pytestmark = pytest.mark.e2e

#: a WSGI app that says where and how it runs; at exit (of each worker) it writes a file
APP = '''
import atexit, json, os, sys
PRELOADED = 'wxc_sdk' in sys.modules
atexit.register(lambda: open(f'exited-{os.getpid()}', 'w').close())

def app(environ, start_response):
    start_response('200 OK', [('Content-Type', 'application/json')])
    return [json.dumps({'cwd': os.getcwd(), 'env': dict(os.environ), 'path0': sys.path[0], 'preloaded': PRELOADED,
                        'pid': os.getpid()}).encode()]
'''


@pytest.fixture(scope='module')
def forks():
    server = ForkServer()
    yield server
    server.close()


def start(forks: ForkServer, directory: Path, **env: str) -> tuple[ForkedProcess, str]:
    (directory / 'probe.py').write_text(textwrap.dedent(APP))
    sock = listening_socket()
    url = f'http://127.0.0.1:{sock.getsockname()[1]}'
    with open(directory / 'out.log', 'ab') as output:
        process = forks.popen(['--bind', f'fd://{sock.fileno()}', '--no-control-socket', '--workers', '2',
                               '--graceful-timeout', '5', 'probe:app'],
                              directory, {'PATH': os.environ['PATH'], **env}, (sock.fileno(),), output.fileno())
    sock.close()
    wait_bot_ready(url, process, 20, lambda: (directory / 'out.log').read_text(), path='/')
    return process, url


def test_a_child_serves_in_its_directory_with_exactly_its_environment(forks, tmp_path):
    process, url = start(forks, tmp_path, ONLY='this')
    seen = requests.get(url, timeout=5).json()
    assert seen['cwd'] == str(tmp_path) and seen['path0'] == str(tmp_path)
    assert set(seen['env']) == {'PATH', 'ONLY', 'SERVER_SOFTWARE'}, 'nothing of the server nor of the tests'
    assert seen['preloaded'] is True, 'the libraries were imported before the fork'
    assert process.poll() is None
    with pytest.raises(subprocess.TimeoutExpired):
        process.wait(timeout=0.1)
    process.terminate()
    assert process.wait(timeout=15) == 0
    assert len(list(tmp_path.glob('exited-*'))) == 2, "each worker's atexit functions ran, as an interpreter's do"
    assert 'Shutting down: Master' in (tmp_path / 'out.log').read_text(), 'its output went where it was sent'


def test_a_child_killed_has_the_status_popen_gives(forks, tmp_path):
    process, url = start(forks, tmp_path)
    worker = requests.get(url, timeout=5).json()['pid']
    process.kill()
    assert process.wait(timeout=10) == -signal.SIGKILL
    with contextlib.suppress(ProcessLookupError):  # its orphaned worker, as after a SIGKILL of a Popen's master
        os.kill(worker, signal.SIGKILL)
    process.kill()  # ended: nothing is sent
    assert process.poll() == -signal.SIGKILL


def test_a_variable_read_at_import_changed_means_a_new_interpreter(forks, tmp_path):
    [name] = IMPORT_TIME_VARIABLES
    process, url = start(forks, tmp_path, **{name: 'forbid'})
    seen = requests.get(url, timeout=5).json()
    assert seen['preloaded'] is False and seen['env'][name] == 'forbid'
    process.terminate()
    assert process.wait(timeout=15) == 0


def test_a_value_with_quotes_spaces_and_accents_arrives_unchanged(forks, tmp_path):
    name = 'Zoë "quoted" name'
    process, url = start(forks, tmp_path, NAME=name)
    assert requests.get(url, timeout=5).json()['env']['NAME'] == name
    process.terminate()
    assert process.wait(timeout=15) == 0
