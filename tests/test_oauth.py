"""
The OAuth flow end at GET /redirect: code exchange, identity check, single-use flows, and what the user sees.
"""
import pytest

from tests.conftest import API, CLIENT_SECRET, PUBLIC_URL
from tests.webexmock import USER_EMAIL, USER_ID, chat

pytestmark = pytest.mark.unit

TOKEN_RESPONSE = {'access_token': 'granted-access-token', 'expires_in': 1209600, 'token_type': 'Bearer',
                  'refresh_token': 'granted-refresh-token', 'refresh_token_expires_in': 7776000,
                  'scope': 'spark:calls_write'}


@pytest.fixture
def flow(bot) -> str:
    return bot.core.stores.flows.start(USER_ID)


def consent(webex, person_id: str = USER_ID, email: str = USER_EMAIL) -> None:
    webex.add('POST', '/access_token', json_body=TOKEN_RESPONSE)
    webex.add('GET', '/people/me', json_body={'id': person_id, 'emails': [email], 'displayName': 'Someone'})


def test_redirect_stores_tokens_and_tells_the_user(client, webex, bot, flow):
    consent(webex)
    response = client.get(f'/redirect?code=the-code&state={flow}')
    assert response.status_code == 200 and response.content_type.startswith('text/html')
    assert 'can now control your Webex Calling phone' in response.text
    assert response.headers['Referrer-Policy'] == 'no-referrer'
    exchange, me, message = webex.sent()
    assert (exchange.method, exchange.path, exchange.token) == ('POST', '/access_token', None)
    assert exchange.body == {'grant_type': 'authorization_code', 'code': 'the-code',
                             'redirect_uri': f'{PUBLIC_URL}/redirect', 'client_id': 'client-id',
                             'client_secret': CLIENT_SECRET}
    assert (me.method, me.path, me.token) == ('GET', '/people/me', 'granted-access-token')
    assert (message.path, message.identity, message.body['toPersonId']) == ('/messages', 'bot', USER_ID)
    assert message.body['markdown'].startswith(r'Authorized as alice@example\.com')
    stored = bot.core.stores.tokens.get_user_context(USER_ID)
    assert stored.email == USER_EMAIL and stored.tokens.access_token == 'granted-access-token'
    assert stored.tokens.remaining > 1209000
    for secret in ('granted-access-token', 'granted-refresh-token'):
        assert secret not in response.text and secret not in message.body['markdown']


def test_flow_is_single_use(client, webex, flow):
    consent(webex)
    assert client.get(f'/redirect?code=c&state={flow}').status_code == 200
    webex.reset()
    response = client.get(f'/redirect?code=c&state={flow}')
    assert response.status_code == 400 and 'expired or was already used' in response.text
    assert webex.sent() == []


@pytest.mark.parametrize('query', ['', '?code=c', '?code=c&state=made-up', '?state=&code=c'])
def test_unknown_state_gets_an_error_page_and_no_exchange(client, webex, query):
    response = client.get(f'/redirect{query}')
    assert response.status_code == 400 and response.content_type.startswith('text/html')
    assert webex.sent() == []


def test_expired_flow_is_refused(client, webex, bot):
    bot.core.stores.flows.lifetime = -1
    flow = bot.core.stores.flows.start(USER_ID)
    assert client.get(f'/redirect?code=c&state={flow}').status_code == 400
    assert webex.sent() == []


def test_consent_by_another_person_stores_nothing_and_tells_nobody_who_the_other_is(client, webex, bot, flow):
    """
    Alice's link, completed by Mallory: Alice learns only that the sign-in did not match her (not Mallory's
    address, nor name, nor id), and Mallory's page says nothing of Alice.
    """
    consent(webex, person_id='MALLORY', email='mallory@example.com')
    response = client.get(f'/redirect?code=c&state={flow}')
    assert response.status_code == 403
    assert bot.core.stores.tokens.get_user_context(USER_ID) is None
    assert bot.core.stores.tokens.get_user_context('MALLORY') is None
    [message] = webex.replies()
    assert message['toPersonId'] == USER_ID
    assert message['markdown'] == ('Authorization refused: the sign-in was not done with your account. Nothing was '
                                   'stored. Send /auth again and sign in with your own account.')
    for told in [reply.get('markdown', '') + reply.get('text', '') for reply in webex.replies()]:
        for clicker in ('mallory', 'Someone', 'MALLORY'):
            assert clicker.lower() not in told.lower()
    assert 'This sign-in link was started by someone else' in response.text
    for starter in (USER_EMAIL, 'alice', USER_ID):
        assert starter.lower() not in response.text.lower()


def test_declined_consent_is_told(client, webex, bot, flow):
    response = client.get(f'/redirect?error=access_denied&state={flow}')
    assert response.status_code == 400 and 'not granted' in response.text
    assert [s.path for s in webex.sent()] == ['/messages']
    assert bot.core.stores.tokens.get_user_context(USER_ID) is None


def test_failed_exchange_gives_the_reason(client, webex, bot, flow):
    webex.error('POST', '/access_token', 400, 'Invalid grant.')
    response = client.get(f'/redirect?code=c&state={flow}')
    assert response.status_code == 502 and 'Authorization failed: 400 Invalid grant. Send' in response.text
    [message] = webex.replies()
    assert message['markdown'] == 'Authorization failed: 400 Invalid grant. Send /auth to try again.'
    assert bot.core.stores.tokens.get_user_context(USER_ID) is None


def test_page_escapes_what_webex_says(client, webex, bot, flow):
    webex.error('POST', '/access_token', 400, '<script>alert(1)</script>')
    response = client.get(f'/redirect?code=c&state={flow}')
    assert '<script>' not in response.text and '&lt;script&gt;' in response.text


def test_auth_then_redirect_then_command(client, webex, bot):
    """The whole flow as the user lives it: /auth, the link, then a command works."""
    [link] = chat(client, webex, '/auth')
    state = link.split('state=')[1].split(')')[0]
    consent(webex)
    assert client.get(f'/redirect?code=c&state={state}').status_code == 200
    webex.add('GET', '/telephony/calls/history', json_body={'items': []})
    assert chat(client, webex, '/history') == ['Your call history is empty.']
    assert API.startswith('https://webex.test')
