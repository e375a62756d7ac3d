"""
The log: JSON lines with what a record is about (notification, command, a person's pseudonymous key), secrets
masked in them as in text; and the real bot under gunicorn with ``LOG_FORMAT=json``, every line of it.
"""
import hashlib
import hmac
import io
import json
import logging
import re
import threading
from collections.abc import Iterator

import pytest

from fakewebex import FakeWebex
from tests.conftest import CLIENT_SECRET
from tests.e2e import bot_env
from wxc_cc.config import load_settings
from wxc_cc.logcontext import FIELDS, ContextFilter, PersonKeys, current, log_context
from wxc_cc.logsetup import json_formatter, text_formatter
from wxc_cc.redaction import protect_logs

pytestmark = pytest.mark.e2e

SECRET = 'a-secret-value-0123456789'


def person_key(secret: str, person_id: str) -> str:
    """The documented key: HMAC-SHA256 keyed with HMAC-SHA256(secret, "wxc_cc_bot person key"), 16 hex digits."""
    key = hmac.new(secret.encode(), b'wxc_cc_bot person key', hashlib.sha256).digest()
    return hmac.new(key, person_id.encode(), hashlib.sha256).hexdigest()[:16]


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO, logging.Handler]]:
    """A logger of its own writing to a buffer through a handler with the context filter."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(ContextFilter())
    logger = logging.getLogger('tests.logging.captured')
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield logger, buffer, handler
    finally:
        logger.removeHandler(handler)


def test_json_lines_carry_the_context_and_mask_secrets(captured):
    logger, buffer, handler = captured
    handler.setFormatter(json_formatter())
    protect_logs(SECRET)
    logger.info('before')
    with log_context(notification_id='message:M1', person_key='0123456789abcdef'):
        with log_context(command='/dial'):
            logger.info('using %s', SECRET)
            try:
                raise ValueError(f'refresh_token={SECRET} refused')
            except ValueError:
                logger.exception('refresh failed')
        logger.warning('after the command')
    records = [json.loads(line) for line in buffer.getvalue().splitlines()]
    assert [r['message'] for r in records] == ['before', 'using ***', 'refresh failed',
                                              'after the command']
    assert {name: records[0].get(name) for name in FIELDS} == dict.fromkeys(FIELDS)
    assert {name: records[1][name] for name in FIELDS} == {'notification_id': 'message:M1', 'command': '/dial',
                                                           'person_key': '0123456789abcdef'}
    assert 'ValueError: refresh_token=*** refused' in records[2]['exc_info']
    assert 'command' not in records[3] and records[3]['notification_id'] == 'message:M1'
    assert (records[3]['level'], records[3]['logger']) == ('WARNING', 'tests.logging.captured')
    assert records[3]['time'].endswith('+00:00') and isinstance(records[3]['process'], int)
    assert SECRET not in buffer.getvalue()


def test_text_lines_stay_as_they_were(captured):
    logger, buffer, handler = captured
    handler.setFormatter(text_formatter())
    with log_context(notification_id='message:M1', command='/dial', person_key='0123456789abcdef'):
        logger.info('/dial from %s', 'PERSON')
    assert re.fullmatch(r'\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO \d+ tests\.logging\.captured: /dial from PERSON\n',
                        buffer.getvalue())


def test_the_context_belongs_to_its_block_and_thread():
    seen_elsewhere: list[dict] = []
    with log_context(notification_id='message:M1', person_key=None):
        assert dict(current()) == {'notification_id': 'message:M1'}
        thread = threading.Thread(target=lambda: seen_elsewhere.append(dict(current())))
        thread.start()
        thread.join(5)
    assert dict(current()) == {} and seen_elsewhere == [{}]
    with pytest.raises(ValueError, match='person_id'):
        with log_context(person_id='P1'):
            pass


def test_person_keys_are_stable_keyed_and_short():
    keys = PersonKeys(SECRET)
    assert keys('PERSON-1') == PersonKeys(SECRET)('PERSON-1') == person_key(SECRET, 'PERSON-1')
    assert keys('PERSON-1') != keys('PERSON-2') and keys('PERSON-1') != PersonKeys('another secret')('PERSON-1')
    assert len(keys('PERSON-1')) == 16 and int(keys('PERSON-1'), 16) >= 0
    assert keys('') is None and keys(None) is None


def test_the_bot_logs_json_lines_under_gunicorn(fake: FakeWebex, e2e):
    """
    ``LOG_FORMAT=json``: every line the bot and gunicorn write is a JSON object; the /dial command's records name
    its notification, the command and the person's key, and no secret, person id or email is in a field.
    """
    bot = e2e.bot
    alice = fake.add_person('alice@example.com', 'Alice Example', extension='1001')
    process = e2e.start(LOG_FORMAT='json')
    chat = e2e.chat(alice)
    chat.authorize()
    seen = chat.seen()
    message = fake.send_message(alice, '/dial 1234')
    assert chat.wait_reply('Dialing', seen).startswith('Dialing 1234')
    process.close()
    log = process.log()
    records = []
    for number, line in enumerate(log.splitlines(), 1):
        try:
            records.append(json.loads(line))
        except ValueError:
            pytest.fail(f'line {number} is not JSON: {line!r}')
    assert all(isinstance(record, dict) and record.get('message') is not None for record in records)
    gunicorn = [record['message'] for record in records if record['logger'] == 'gunicorn.error']
    for start in ('Starting gunicorn', 'Booting worker', 'Shutting down'):
        assert [line for line in gunicorn if line.startswith(start)], f'gunicorn\'s "{start}" line'

    webhook_secret = load_settings(bot_env(fake, bot), environ={}).webhook_secret
    key = person_key(webhook_secret, alice.id)
    served = [record for record in records if record.get('notification_id') == f'message:{message["id"]}']
    [command] = [record for record in served if record['logger'] == 'wxc_cc.conversation']
    assert command['message'].startswith('/dial from') and command['command'] == '/dial'
    assert command['person_key'] == key and command['level'] == 'INFO'
    assert all(record['person_key'] == key for record in served)
    assert [r for r in served if r.get('command') == '/dial' and 'POST /v1/telephony/calls/dial' in r['message']]

    secrets = [bot.token, CLIENT_SECRET, webhook_secret, *fake.issued_tokens()]
    assert not [secret for secret in secrets if secret in log]
    fields = [str(value) for record in records for name, value in record.items() if name != 'message']
    assert not [field for field in fields if alice.id in field or alice.email in field]
