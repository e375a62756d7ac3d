"""
Metrics in one process: what is counted for each request to Webex (each try, by operation template and status),
for each command and token refresh, and nothing at all when metrics are off. The e2e test scrapes them from
gunicorn workers.
"""
import os
import stat

import pytest
import responses
from wxc_sdk.rest import RestError
from wxc_sdk.tokens import Tokens

from wxc_cc.metrics import Metrics, metrics_directory, operation
from wxc_cc.webex import WebexClients

pytestmark = pytest.mark.unit

API = 'https://webex.test/v1'


def samples(metric) -> dict[tuple, float]:
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in metric.collect() for sample in family.samples if sample.name.endswith('_total')}


@pytest.mark.parametrize('method, path, expected', [
    ('get', '/messages/Y2lzY29zcGFyazovL3VzL01FU1NBR0UvMTIz', 'GET /messages/{id}'),
    ('POST', '/telephony/calls/dial', 'POST /telephony/calls/dial'),
    ('GET', '/telephony/config/people/Y2lzY29zcGFyazovL3VzL1BFT1BMRS9h/doNotDisturb?x=1',
     'GET /telephony/config/people/{id}/doNotDisturb'),
    ('GET', '/people/me', 'GET /people/me'),
])
def test_an_operation_is_a_template_without_ids_or_query(method, path, expected):
    assert operation(method, path) == expected


def test_no_token_means_no_metrics_and_no_directory(monkeypatch):
    environ = {}
    assert metrics_directory(None, environ) is None and metrics_directory('', environ) is None
    assert environ == {}
    metrics = Metrics()
    assert not metrics.enabled
    metrics.command('/dial', 'ok')  # does nothing, and fails nothing
    metrics.webex_request('GET', '/people/me', '200')


def test_the_directory_is_the_operators_or_one_per_master(tmp_path):
    environ = {'PROMETHEUS_MULTIPROC_DIR': str(tmp_path / 'mine')}
    assert metrics_directory('token', environ) == str(tmp_path / 'mine')
    assert (tmp_path / 'mine').is_dir()
    environ = {}
    directory = metrics_directory('token', environ)
    assert directory == environ['PROMETHEUS_MULTIPROC_DIR'] and directory.endswith(f'wxc-cc-metrics-{os.getppid()}')
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700


@pytest.fixture
def metrics(tmp_path) -> Metrics:
    return Metrics(str(tmp_path))


def test_every_try_is_counted_with_its_status(metrics):
    clients = WebexClients(api_base=f'{API}/', bot_token='bot-token', metrics=metrics)
    user = clients.user(Tokens(access_token='user-token'), 'USER')
    with responses.RequestsMock() as mock:
        mock.post(f'{API}/telephony/calls/dial', status=429, headers={'Retry-After': '0'})
        mock.post(f'{API}/telephony/calls/dial', status=201, json={'callId': 'C', 'callSessionId': 'S'})
        mock.get(f'{API}/messages/Y2lzY29zcGFyazovL3VzL01FU1NBR0UvMTIz', status=503)
        mock.get(f'{API}/messages/Y2lzY29zcGFyazovL3VzL01FU1NBR0UvMTIz', json={'id': 'M', 'text': '/calls'})
        user.calls.dial('1234')
        clients.bot.messages.details('Y2lzY29zcGFyazovL3VzL01FU1NBR0UvMTIz')
    assert samples(metrics._webex) == {
        ('wxc_cc_webex_requests_total', (('operation', 'POST /telephony/calls/dial'), ('status', '429'))): 1.0,
        ('wxc_cc_webex_requests_total', (('operation', 'POST /telephony/calls/dial'), ('status', '201'))): 1.0,
        ('wxc_cc_webex_requests_total', (('operation', 'GET /messages/{id}'), ('status', '503'))): 1.0,
        ('wxc_cc_webex_requests_total', (('operation', 'GET /messages/{id}'), ('status', '200'))): 1.0}


def test_a_read_that_keeps_failing_is_counted_once_per_try(metrics):
    clients = WebexClients(api_base=f'{API}/', bot_token='bot-token', metrics=metrics)
    with responses.RequestsMock() as mock:
        mock.get(f'{API}/people/me', status=503)
        with pytest.raises(RestError):
            clients.bot.people.me()
        tries = len(mock.calls)
    assert tries == 4, 'the first try and three retries'
    assert samples(metrics._webex) == {
        ('wxc_cc_webex_requests_total', (('operation', 'GET /people/me'), ('status', '503'))): 4.0}


def test_the_token_endpoint_is_counted_too(metrics):
    clients = WebexClients(api_base=f'{API}/', bot_token='bot-token', metrics=metrics)
    with responses.RequestsMock() as mock:
        mock.post(f'{API}/access_token', json={'access_token': 'A'})
        clients.http.post(clients.url('access_token'), data={'grant_type': 'refresh_token'}, timeout=5)
    assert samples(metrics._webex) == {
        ('wxc_cc_webex_requests_total', (('operation', 'POST /access_token'), ('status', '200'))): 1.0}


def counted(metric) -> dict[tuple, float]:
    """The samples that are not 0."""
    return {key: value for key, value in samples(metric).items() if value}


def test_commands_and_refreshes_are_counted_by_outcome(metrics):
    metrics.command('/dial', 'ok')
    metrics.command('/dial', 'ok')
    metrics.command('/dial', 'failed')
    metrics.token_refresh('rejected')
    assert counted(metrics._commands) == {
        ('wxc_cc_commands_total', (('command', '/dial'), ('outcome', 'ok'))): 2.0,
        ('wxc_cc_commands_total', (('command', '/dial'), ('outcome', 'failed'))): 1.0}
    assert samples(metrics._refreshes) == {('wxc_cc_token_refreshes_total', (('outcome', 'rejected'),)): 1.0,
                                           ('wxc_cc_token_refreshes_total', (('outcome', 'ok'),)): 0.0,
                                           ('wxc_cc_token_refreshes_total', (('outcome', 'failed'),)): 0.0}
