"""
Metrics, end to end: the real bot under gunicorn with two workers against the emulator, scraped like Prometheus
does; the figures are summed over the workers, and hold no personal data and no secret.
"""
import time

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import CLIENT_SECRET
from wxc_cc.commands import build_registry
from wxc_cc.metrics import COMMAND_OUTCOMES

pytestmark = pytest.mark.e2e

TOKEN = 'metrics-token-of-the-operator-7f3a'


def scrape(process, token: str = TOKEN) -> dict[tuple[str, tuple], float]:
    response = requests.get(f'{process.url}/metrics', headers={'Authorization': f'Bearer {token}'}, timeout=5)
    assert response.status_code == 200 and response.headers['Content-Type'].startswith('text/plain')
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text) for sample in family.samples}


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_are_summed_over_workers_and_hold_no_personal_data(fake, e2e, tmp_path):
    bot = e2e.bot
    alice = fake.add_person('alice@example.com', 'Alice Example', extension='1001')
    bob = fake.add_person('bob@example.com', 'Bob Example', extension='1002')
    process = e2e.start(workers=2, WXC_CC_WORKER_THREADS='1', WXC_CC_METRICS_TOKEN=TOKEN,
                        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / 'metrics'))
    chat, bobs = e2e.chat(alice), e2e.chat(bob)
    assert requests.get(f'{process.url}/metrics', timeout=5).status_code == 401
    assert requests.get(f'{process.url}/metrics', headers={'Authorization': 'Bearer nope'},
                        timeout=5).status_code == 401
    chat.authorize()
    chat.say('/monitor on', 'Monitoring is on')
    fake.fail_next('POST', '/telephony/calls/dial', 429, headers={'Retry-After': '0'})
    for number in range(6):
        chat.say(f'/dial 10{number:02d}', 'Dialing')
    fake.expire_access_tokens(alice)
    chat.say('/calls', 'call')
    chat.say('/nonsense', 'I understand these commands')
    # Alice's dial holds the one thread of one worker, so Bob's dial is the other worker's
    bobs.authorize()
    seen = chat.seen()
    hold = fake.hold_next('POST', '/telephony/calls/dial')
    fake.send_message(alice, '/dial 1099')
    assert hold.arrived.wait(10)
    bobs.say('/dial 1001', 'Dialing')
    hold.release()
    chat.wait_reply('Dialing', seen)
    samples = scrape(process)
    for _ in range(50):  # the last task is acknowledged just after its reply
        if value(samples, 'wxc_cc_queue_depth') == 0:
            break
        time.sleep(0.1)
        samples = scrape(process)
    assert value(samples, 'wxc_cc_commands_total', command='/dial', outcome='ok') == 8
    assert value(samples, 'wxc_cc_commands_total', command='/monitor', outcome='ok') == 1
    assert value(samples, 'wxc_cc_commands_total', command='unknown', outcome='ok') == 1
    assert value(samples, 'wxc_cc_webex_requests_total', operation='POST /telephony/calls/dial',
                 status='429') == 1, 'the retry after the 429 is visible'
    assert value(samples, 'wxc_cc_webex_requests_total', operation='POST /telephony/calls/dial',
                 status='201') == 8
    assert value(samples, 'wxc_cc_webex_requests_total', operation='GET /messages/{id}', status='200') >= 9
    assert value(samples, 'wxc_cc_token_refreshes_total', outcome='ok') == 1
    assert value(samples, 'wxc_cc_command_seconds_count') >= 10
    assert value(samples, 'wxc_cc_webhook_ack_seconds_count') >= 10
    assert value(samples, 'wxc_cc_queue_depth') == 0
    assert value(samples, 'wxc_cc_monitored_users') == 1
    assert len(list((tmp_path / 'metrics').glob('counter_*.db'))) == 2, 'one file per worker, added up'
    body = requests.get(f'{process.url}/metrics', headers={'Authorization': f'Bearer {TOKEN}'}, timeout=5).text
    secrets = [bot.token, CLIENT_SECRET, TOKEN, *fake.issued_tokens()]
    for private in [alice.id, alice.email, bob.id, bob.email, *secrets]:
        assert private not in body


def test_every_known_series_is_at_zero_on_the_first_scrape(e2e, tmp_path):
    """
    Prometheus' rate() and alerts need a series before its first event: every command of the registry (and the
    labels of words the bot does not know, of messages not read and of card presses) with every outcome, and
    every outcome of a token refresh, are there at 0 before anyone used the bot.
    """
    process = e2e.start(workers=2, WXC_CC_METRICS_TOKEN=TOKEN, PROMETHEUS_MULTIPROC_DIR=str(tmp_path / 'metrics'))
    samples = scrape(process)
    commands = [command.name for command in build_registry()] + ['unknown', '-', 'press']
    expected = {('wxc_cc_commands_total', (('command', command), ('outcome', outcome))): 0.0
                for command in commands for outcome in COMMAND_OUTCOMES}
    expected.update({('wxc_cc_token_refreshes_total', (('outcome', outcome),)): 0.0
                     for outcome in ('ok', 'rejected', 'failed')})
    counted = {key: value for key, value in samples.items()
               if key[0] in ('wxc_cc_commands_total', 'wxc_cc_token_refreshes_total')}
    assert counted == expected
    assert ('wxc_cc_command_seconds_count', ()) in samples and ('wxc_cc_webhook_ack_seconds_count', ()) in samples


def test_no_metrics_without_a_token(e2e):
    process = e2e.start()
    assert requests.get(f'{process.url}/metrics', headers={'Authorization': f'Bearer {TOKEN}'},
                        timeout=5).status_code == 404
