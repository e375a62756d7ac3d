"""
Property-based tests: random and malformed bodies, headers, signatures and paths sent to every route, and Webex's
own notifications mutated at random and signed. Whatever comes in: never a 500, never a Webex request without a
valid signature, never a token in a response, never a value added to wxc_sdk's enums.
"""
import copy
import datetime
import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import BOT_TOKEN, CLIENT_SECRET
from tests.test_app import CALL, ENVELOPE, MEMBERSHIP, MESSAGE, PRESS, wxc_sdk_enums
from tests.webexmock import USER_ID, USER_REFRESH, USER_TOKEN, user_context
from wxc_cc.signature import derive_secret, sign

pytestmark = pytest.mark.unit

FIXTURES_OK = settings(max_examples=150, deadline=None,
                       suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                           lambda children: st.lists(children, max_size=4)
                           | st.dictionaries(st.text(max_size=10), children, max_size=4), max_leaves=12)
envelopes = st.fixed_dictionaries(
    {}, optional={'id': json_values, 'resource': st.sampled_from(['messages', 'attachmentActions', 'memberships',
                                                                 'telephony_calls', 'telephony_mwi', 'rooms', '']),
                  'event': st.sampled_from(['created', 'updated', 'deleted', 'x']), 'data': json_values,
                  'actorId': json_values, 'createdBy': json_values})
bodies = st.one_of(st.binary(max_size=300), envelopes.map(lambda e: json.dumps(e).encode()),
                   json_values.map(lambda v: json.dumps(v).encode()))
#: what an HTTP header value can carry
HEADER_CHARS = ''.join(c for c in string.printable if c not in '\n\r\x0b\x0c')
header_text = st.text(alphabet=HEADER_CHARS, max_size=60)


def secrets_in(text: str, bot) -> list[str]:
    secrets = (BOT_TOKEN, CLIENT_SECRET, USER_TOKEN, USER_REFRESH, bot.settings.webhook_secret)
    return [secret for secret in secrets if secret in text]


@FIXTURES_OK
@given(body=bodies, signature=st.one_of(st.none(), header_text), content_type=header_text)
def test_unsigned_or_forged_notifications(client, webex, bot, body, signature, content_type):
    headers = {'Content-Type': content_type}
    if signature is not None:
        headers['X-Spark-Signature'] = signature
    webex.reset()
    for path in ('/', f'/callevent/{USER_ID}'):
        response = client.post(path, data=body, headers=headers)
        assert response.status_code in (401, 403)
        assert not secrets_in(response.text, bot)
    assert webex.sent() == []


@FIXTURES_OK
@given(body=bodies)
def test_signed_garbage_never_fails_the_server(client, webex, bot, body):
    bot.core.stores.tokens.set_user_context(user_context())
    for path, secret in (('/', bot.settings.webhook_secret),
                         (f'/callevent/{USER_ID}', derive_secret(bot.settings.webhook_secret, f'callevent:{USER_ID}'))):
        response = client.post(path, data=body, headers={'X-Spark-Signature': sign(secret, body)})
        assert response.status_code in (200, 400, 503)
        assert not secrets_in(response.text, bot)


@FIXTURES_OK
@given(user=st.text(min_size=1, max_size=40).filter(lambda u: '/' not in u and u not in ('.', '..')),
       body=bodies)
def test_any_call_event_path(client, webex, bot, user, body):
    webex.reset()
    response = client.post(f'/callevent/{user}', data=body)
    assert response.status_code in (401, 403, 404)
    assert webex.sent() == []


@FIXTURES_OK
@given(query=st.dictionaries(st.sampled_from(['code', 'state', 'error', 'x']), st.text(max_size=40), max_size=4))
def test_any_redirect(client, webex, bot, query):
    webex.reset()
    response = client.get('/redirect', query_string=query)
    assert response.status_code in (400, 502, 503)
    assert not secrets_in(response.text, bot)
    assert webex.sent() == [], 'unknown states never lead to a token exchange'


@FIXTURES_OK
@given(method=st.sampled_from(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']),
       path=st.sampled_from(['/', '/health', '/config', '/redirect', f'/callevent/{USER_ID}', '/nowhere']),
       body=st.binary(max_size=100))
def test_any_method_on_any_route(client, webex, bot, method, path, body):
    webex.reset()
    response = client.open(path, method=method, data=body)
    assert response.status_code < 500 or response.status_code == 503
    assert not secrets_in(response.text, bot)
    assert webex.sent() == []


#: Webex's notifications, well formed, to mutate: (route, envelope)
NOTIFICATIONS = [('/', {**ENVELOPE, 'resource': 'messages', 'data': MESSAGE}),
                 ('/', {**ENVELOPE, 'resource': 'attachmentActions', 'data': PRESS}),
                 ('/', {**ENVELOPE, 'resource': 'memberships', 'data': MEMBERSHIP}),
                 (f'/callevent/{USER_ID}', {**ENVELOPE, 'resource': 'telephony_calls', 'data': CALL})]
#: stands for a deeply nested value in a mutated notification until it is written out
DEEP = 'deeply nested value'


def nodes(value, path: tuple = ()) -> list[tuple]:
    """The path of every value in a JSON document, the document's own first."""
    found = [path]
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found += nodes(item, (*path, key))
    return found


@st.composite
def mutated_notifications(draw) -> tuple[str, bytes]:
    """A notification with one to three of its values replaced (by any JSON, or very deep nesting), dropped, or
    given a new neighbour."""
    route, body = draw(st.sampled_from(NOTIFICATIONS))
    body = copy.deepcopy(body)
    depth = draw(st.integers(min_value=1, max_value=20_000))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(nodes(body)))
        how = draw(st.sampled_from(['replace', 'replace', 'drop', 'add', 'deep']))
        value = DEEP if how == 'deep' else draw(json_values)
        if not path:
            body = value
            continue
        parent = body
        for key in path[:-1]:
            parent = parent[key]
        if how == 'drop':
            parent.pop(path[-1])
        elif how == 'add' and isinstance(parent, dict):
            parent[draw(st.text(max_size=12))] = value
        else:
            parent[path[-1]] = value
    deep = ('[' * depth + ']' * depth).encode()
    return route, json.dumps(body).encode().replace(json.dumps(DEEP).encode(), deep)


@settings(max_examples=300, deadline=datetime.timedelta(seconds=5),
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(notification=mutated_notifications())
def test_mutated_signed_notifications_get_2xx_or_4xx(client, webex, bot, notification):
    """
    Webex's notifications with fields replaced by numbers, lists, objects, unknown values or deep nesting, dropped
    or added to, correctly signed: a 4xx when malformed (Webex would deliver a 500 again and again), never a 500;
    wxc_sdk's enums never get a value from them.
    """
    bot.core.stores.tokens.set_user_context(user_context())
    route, body = notification
    secret = bot.settings.webhook_secret if route == '/' else derive_secret(bot.settings.webhook_secret,
                                                                           f'callevent:{USER_ID}')
    enums = wxc_sdk_enums()
    response = client.post(route, data=body, headers={'X-Spark-Signature': sign(secret, body)})
    assert response.status_code in (200, 400), response.text
    assert not secrets_in(response.text, bot)
    assert wxc_sdk_enums() == enums
