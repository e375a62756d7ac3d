"""
The suite runs in parallel (pytest-xdist, pyproject.toml's addopts): the workers of a run never pick the same fixed
port (fakewebex/servers.py), and the tests of a module that defines a fixture made once per module are kept on one
worker (tests/conftest.py).
"""
from pathlib import Path

import pytest

from fakewebex.servers import fixed_port, port_share
from tests.conftest import REPO, defines_shared_fixture, work_unit

pytestmark = pytest.mark.unit


def test_the_workers_of_a_run_share_the_ports_out():
    ports = range(22_000, 22_011)
    shares = [port_share(ports, {'PYTEST_XDIST_WORKER': f'gw{index}', 'PYTEST_XDIST_WORKER_COUNT': '3'})
              for index in range(3)]
    assert [list(share) for share in shares] == [[22_000, 22_003, 22_006, 22_009], [22_001, 22_004, 22_007, 22_010],
                                                 [22_002, 22_005, 22_008]]
    assert port_share(ports, {}) == ports, 'outside xdist: all of them'
    assert port_share(ports, {'PYTEST_XDIST_WORKER': 'master'}) == ports


def test_a_fixed_port_is_from_the_workers_share_and_never_given_twice(monkeypatch: pytest.MonkeyPatch):
    environ = {'PYTEST_XDIST_WORKER': 'gw1', 'PYTEST_XDIST_WORKER_COUNT': '2'}
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    low = int(Path('/proc/sys/net/ipv4/ip_local_port_range').read_text().split()[0])
    share = port_share(range(max(1024, low - 10_000), low), environ)
    ports = [fixed_port() for _ in range(30)]
    assert all(port in share for port in ports)
    assert len(set(ports)) == 30


def test_the_tests_of_a_module_with_a_module_fixture_go_to_one_worker():
    assert defines_shared_fixture(REPO / 'tests' / 'test_docs.py'), 'the documentation, built once'
    assert defines_shared_fixture(REPO / 'tests' / 'test_packaging.py'), "the package's virtualenv, made once"
    assert not defines_shared_fixture(REPO / 'tests' / 'test_e2e.py')
    assert work_unit('tests/test_docs.py::test_every_command_is_documented', REPO) == 'tests/test_docs.py'
    assert work_unit('tests/test_e2e.py::test_a_day_with_the_bot[redis]', REPO) == \
        'tests/test_e2e.py::test_a_day_with_the_bot[redis]', 'one by one'
