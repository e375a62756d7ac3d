"""
The sandbox (``python -m sandbox``) running for real on a free port: its JSON API drives the real bot through
the Webex emulator; the emulated consent page completes the bot's OAuth flow; the trace shows the bot's
requests without secrets; the bot's markdown and the users' text reach the page escaped.
"""
import json
import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from typing import Any, Optional
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests

from sandbox import Sandbox, start_sandbox
from tests.e2e import assert_contract_kept

pytestmark = pytest.mark.e2e


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    running = start_sandbox(0, log_level='WARNING')
    yield running
    running.stop()
    assert_contract_kept(running.fake)


class Page:
    """What the sandbox page does, over HTTP."""

    def __init__(self, sandbox: Sandbox):
        self.sandbox = sandbox
        self.base = sandbox.base_url

    def state(self, user: str = 'alice', after: int = -1) -> dict:
        response = requests.get(f'{self.base}/sandbox/api/state', params={'user': user, 'after': after}, timeout=5)
        assert response.status_code == 200, response.text
        return response.json()

    def post(self, endpoint: str, /, expect: int = 200, **body: Any) -> dict:
        response = requests.post(f'{self.base}/sandbox/api/{endpoint}', json=body, timeout=5)
        assert response.status_code == expect, response.text
        return response.json()

    def wait(self, predicate: Callable[[dict], Any], user: str = 'alice', timeout: float = 10.0,
             after: int = -1) -> dict:
        """
        The state (as the page fetches it) once ``predicate`` holds; fetched again whenever the emulator's state
        changes.
        """
        states = []

        def holds() -> bool:
            states.append(self.state(user, after))
            return bool(predicate(states[-1]))

        try:
            self.sandbox.fake.wait_until(holds, timeout)
        except AssertionError:
            raise AssertionError(f'not reached in {timeout} s; last state:\n{json.dumps(states[-1], indent=1)[:3000]}')
        return states[-1]

    def mark(self) -> int:
        """The ``after`` for trace rows of requests not yet begun (the emulator settles those in flight)."""
        return self.sandbox.fake.mark() - 1

    def trace_after(self, mark: int, count: int, timeout: float = 5.0) -> list[dict]:
        """The trace rows after ``mark``, newest first, once there are ``count`` (a reply is stored before the
        emulator logs the request that stored it)."""
        return self.wait(lambda state: len(state['trace']) >= count, after=mark, timeout=timeout)['trace']

    def say(self, user: str, text: str, reply_contains: str) -> dict:
        """Send ``text`` as ``user``; return the bot's new message containing ``reply_contains`` (its HTML)."""
        before = {m['id'] for m in self.state(user)['messages']}
        self.post('say', user=user, text=text)
        state = self.wait(lambda s: bot_message(s, reply_contains, before), user)
        return bot_message(state, reply_contains, before)

    def consent(self, user: str, decision: str, as_person: Optional[str] = None) -> requests.Response:
        """/auth, open the link, answer the consent page; return the bot's /redirect page."""
        message = self.say(user, '/auth', 'to authorize me')
        link = re.search(r'href="([^"]+)"', message['html']).group(1).replace('&amp;', '&')
        page = requests.get(link, timeout=5)
        assert page.status_code == 200 and page.headers['Content-Type'].startswith('text/html')
        form = ConsentForm.parse(page.text)
        fields = dict(form.hidden, decision=decision,
                      person=form.options[as_person] if as_person else form.selected)
        answer = requests.post(urljoin(link, form.action), data=fields, allow_redirects=False, timeout=5)
        assert answer.status_code == 303
        return requests.get(answer.headers['Location'], timeout=5)

    def authorize(self, user: str = 'alice') -> None:
        before = {m['id'] for m in self.state(user)['messages']}
        assert self.consent(user, 'allow').status_code == 200
        self.wait(lambda s: bot_message(s, 'Authorized as', before), user)


def bot_message(state: dict, contains: str, before: set[str]) -> Optional[dict]:
    return next((m for m in state['messages'] if m['fromBot'] and m['id'] not in before and contains in m['html']),
                None)


def cards(state: dict) -> list[dict]:
    return [m for m in state['messages'] if m['card']]


def buttons(message: dict) -> dict[str, dict]:
    return {a['title']: a['data'] for a in message['card'].get('actions', [])}


class ConsentForm(HTMLParser):
    """The consent page's form: action, hidden fields, people offered (email -> id), the one preselected."""

    def __init__(self) -> None:
        super().__init__()
        self.action, self.hidden, self.options, self.selected = '', {}, {}, None
        self.buttons: list[str] = []
        self._option: Optional[dict] = None

    @classmethod
    def parse(cls, page: str) -> 'ConsentForm':
        form = cls()
        form.feed(page)
        return form

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == 'form':
            self.action = attrs['action']
        elif tag == 'input' and attrs.get('type') == 'hidden':
            self.hidden[attrs['name']] = attrs['value']
        elif tag == 'option':
            self._option = attrs
        elif tag == 'button':
            self.buttons.append(attrs['value'])

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self.options[re.search(r'\((\S+@\S+)\)', data).group(1)] = self._option['value']
            if 'selected' in self._option:
                self.selected = self._option['value']
            self._option = None


# --- the page, the bot behind the dispatcher, the start-up trace

def test_page_bot_and_startup_trace(sandbox: Sandbox) -> None:
    page = requests.get(sandbox.url, timeout=5)
    assert page.status_code == 200 and 'API trace' in page.text and 'Phone' in page.text
    for name in ('sandbox.js', 'cards.js', 'sandbox.css'):
        assert requests.get(f'{sandbox.base_url}/sandbox/static/{name}', timeout=5).status_code == 200
    assert sandbox.url == f'http://localhost:{sandbox.port}/sandbox'
    assert requests.get(f'{sandbox.base_url}/health', timeout=5).status_code == 200

    state = Page(sandbox).state()
    assert [(u['key'], u['extension']) for u in state['users']] == [('alice', '1001'), ('bob', '1002'),
                                                                    ('carol', '1003')]
    assert (state['messages'], state['calls'], state['voicemail']) == ([], [], {'new': 0, 'total': 0})
    assert state['settings'] == {'dnd': False, 'forwarding': []}
    assert (state['timezone'], Page(sandbox).state('carol')['timezone']) == ('Europe/Berlin', None)
    trace = state['trace']
    assert [r['seq'] for r in trace] == sorted((r['seq'] for r in trace), reverse=True)
    hooks = [r for r in trace if (r['method'], r['path']) == ('POST', '/webhooks')]
    assert {h['body']['resource'] for h in hooks} >= {'messages', 'attachmentActions'}
    assert all(h['body']['secret'] == '***' and h['identity'] == 'ccbot@webex.bot' and h['status'] == 200
               and h['body']['targetUrl'] == f'{sandbox.base_url}/' for h in hooks)
    assert Page(sandbox).state(after=trace[0]['seq'])['trace'] == []


# --- OAuth through the emulated consent page

def test_consent_allow_completes_the_bots_oauth_flow(sandbox: Sandbox) -> None:
    page = Page(sandbox)
    before = {m['id'] for m in page.state()['messages']}
    done = page.consent('alice', 'allow')
    assert done.status_code == 200 and 'can now control your Webex Calling phone' in done.text
    assert done.url.startswith(f'{sandbox.base_url}/redirect?')
    state = page.wait(lambda s: bot_message(s, 'Authorized as', before))
    assert 'Authorized as alice@example.com' in bot_message(state, 'Authorized as', before)['html']

    trace = state['trace']
    [token] = [r for r in trace if r['path'] == '/access_token']
    assert (token['method'], token['status'], token['identity']) == ('POST', 200, 'anonymous')
    assert token['body']['grant_type'] == 'authorization_code'
    assert token['body']['client_secret'] == '***' and token['body']['code'] == '***'
    browser = [(r['method'], r['status'], r['by']) for r in trace if r['path'] == '/authorize']
    assert browser == [('POST', 303, 'browser'), ('GET', 200, 'browser')]
    raw = requests.get(f'{sandbox.base_url}/sandbox/api/state', params={'user': 'alice'}, timeout=5).text
    for secret in [*sandbox.fake.issued_tokens(), sandbox.cast.client_secret]:
        assert secret not in raw


def test_consent_page_offers_people_and_scopes_escaped(sandbox: Sandbox) -> None:
    page = Page(sandbox)
    message = page.say('bob', '/auth', 'to authorize me')
    link = re.search(r'href="([^"]+)"', message['html']).group(1).replace('&amp;', '&')
    html = requests.get(link, timeout=5).text
    form = ConsentForm.parse(html)
    assert set(form.options) == {'alice@example.com', 'bob@example.com', 'carol@example.com'}
    assert form.selected == form.options['bob@example.com'], 'whoever chats is signed in to the browser'
    assert form.buttons == ['allow', 'deny']
    assert 'Sign in to Webex' in html and 'Call Control Bot (sandbox integration)' in html
    assert 'spark:calls_write' in html and 'Control your calls' in html
    query = parse_qs(urlsplit(link).query)
    assert form.hidden == {k: v[0] for k, v in query.items()}
    forged = requests.get(link.replace('state=', 'state=%22%3E%3Cscript%3E'), timeout=5).text
    assert '"><script>' not in forged and '&quot;&gt;&lt;script&gt;' in forged


def test_consent_deny_and_wrong_person(sandbox: Sandbox) -> None:
    page = Page(sandbox)
    before = {m['id'] for m in page.state()['messages']}
    refused = page.consent('alice', 'deny')
    assert refused.status_code == 400 and 'access_denied' in refused.url
    page.wait(lambda s: bot_message(s, 'not granted', before))

    wrong = page.consent('alice', 'allow', as_person='carol@example.com')
    assert wrong.status_code == 403 and 'alice' not in wrong.text.lower()
    state = page.wait(lambda s: bot_message(s, 'not done with your account', before))
    told = [m['html'] for m in state['messages'] if m['fromBot'] and m['id'] not in before]
    assert not [html for html in told if 'carol' in html.lower()], 'Alice does not learn who used her link'


# --- chat, trace, phone

def test_dial_is_traced_and_far_end_acts(sandbox: Sandbox) -> None:
    page = Page(sandbox)
    page.authorize()
    mark = page.mark()
    assert 'Dialing 1234' in page.say('alice', '/dial 1234', 'Dialing')['html']
    rows = page.trace_after(mark, 3)
    assert [(r['method'], r['path'], r['identity']) for r in rows] == [
        ('POST', '/messages', 'ccbot@webex.bot'), ('POST', '/telephony/calls/dial', 'alice@example.com'),
        ('GET', f'/messages/{rows[2]["path"].rsplit("/", 1)[-1]}', 'ccbot@webex.bot')]
    dial = rows[1]
    assert (dial['body'], dial['status'], dial['query'], dial['by']) == ({'destination': '1234'}, 201, {}, 'bot')
    assert dial['durationMs'] >= 0 and rows[0]['seq'] > dial['seq'] > rows[2]['seq']

    [call] = page.state()['calls']
    assert (call['state'], call['direction'], call['remote']['number']) == ('connecting', 'outgoing', '1234')
    assert [a['action'] for a in call['farEnd']] == ['answer', 'hangup']
    steps = [('answer', 'connected', ['hold', 'hangup']), ('hold', 'remoteHeld', ['resume', 'hangup']),
             ('resume', 'connected', ['hold', 'hangup'])]
    for action, expected, offered in steps:
        page.post('far-end', user='alice', callId=call['id'], action=action)
        [now] = page.state()['calls']
        assert (now['state'], [a['action'] for a in now['farEnd']]) == (expected, offered)
    page.post('far-end', user='alice', callId=call['id'], action='hangup')
    assert page.state()['calls'] == []
    error = page.post('far-end', expect=404, user='alice', callId=call['id'], action='hangup')
    assert error == {'error': 'Call not found'}


def test_phone_settings_show_and_steer_the_calls(sandbox: Sandbox) -> None:
    page = Page(sandbox)
    page.authorize()
    assert 'Do Not Disturb is now on' in page.say('alice', '/dnd on', 'Do Not Disturb')['html']
    assert page.state()['settings'] == {'dnd': True, 'forwarding': []}
    assert page.post('ring', user='alice', caller='bob') == {'callId': None, 'rings': None}
    assert page.state()['calls'] == [] and page.state('bob')['calls'] == []

    page.say('alice', '/dnd off', 'Do Not Disturb')
    page.say('alice', '/forward always 1003', 'forwarding')
    assert page.state()['settings'] == {'dnd': False, 'forwarding': [
        {'kind': 'always', 'destination': '1003', 'voicemail': False}]}
    rang = page.post('ring', user='alice', caller='outside', name='Henry Green', number='7101')
    assert rang['rings'] == 'carol' and [c['id'] for c in page.state('carol')['calls']] == [rang['callId']]
    page.post('far-end', user='carol', callId=rang['callId'], action='hangup')

    me = page.say('alice', '/me', 'Alice Anders')['html']
    assert 'Do Not Disturb: off' in me and 'Call forwarding: always to 1003' in me
    mark = page.mark()
    assert 'Dialing Bob Brown (1002)' in page.say('alice', '/dial Bob Brown', 'Dialing')['html']
    [lookup] = [r for r in page.trace_after(mark, 4) if r['path'] == '/people']
    assert lookup['query'] == {'displayName': 'Bob Brown', 'callingData': 'true', 'max': '11'}
    assert lookup['identity'] == 'alice@example.com'
    assert page.state('bob')['calls'][0]['remote']['name'] == 'Alice Anders'


def test_the_phone_pane_shows_a_pending_end_until_it_happens(sandbox: Sandbox) -> None:
    """What ``make demo`` shows with ``/dnd on for 30s``, shorter: the pane lists the end, then it happens."""
    page = Page(sandbox)
    page.authorize()
    assert page.state()['ends'] == []
    page.say('alice', '/dnd on for 2s', 'goes back')
    state = page.state()
    [end] = state['ends']
    # Alice's clock is Berlin's; the bot's words, rendered as in the chat
    assert re.fullmatch(r'<p>Do Not Disturb goes back (tomorrow )?at \d\d?:\d\d\u202f[AP]M \(in \d seconds?\) to: off</p>',
                        end['html'].strip()), end['html']
    assert end['due'].endswith('+00:00') and state['settings']['dnd'] is True
    done = page.wait(lambda s: bot_message(s, 'is back to', set()) and not s['ends'], timeout=15)
    assert done['settings']['dnd'] is False


def test_the_phone_pane_shows_devices_call_queues_and_caller_id(sandbox: Sandbox) -> None:
    page = Page(sandbox)
    phone = page.state()['phone']
    assert phone == {'devices': [
        {'name': 'Cisco 8865 (Desk)', 'type': 'DEVICE', 'preferred': False, 'ringing': False},
        {'name': 'Webex Desktop Application', 'type': 'APPLICATION', 'preferred': False, 'ringing': False}],
        'agent': {'state': 'AVAILABLE', 'queues': [
            {'name': 'Support', 'extension': '5001', 'number': '+14085555001', 'joined': False, 'mayLeave': True},
            {'name': 'Sales', 'extension': '5002', 'number': '', 'joined': True, 'mayLeave': False}]},
        'callerId': {'type': 'DEFAULT_CLID', 'name': 'Alice Anders', 'number': '+14085551001'}}
    assert page.state('carol')['phone']['agent'] is None, 'Carol has no call-centre service'

    page.authorize()
    page.say('alice', '/devices 2', 'preferred device')
    assert [d['preferred'] for d in page.state()['phone']['devices']] == [False, True]

    mark = page.mark()
    page.say('alice', '/dial 1002 on 1', 'Dialing')
    [dial] = [r for r in page.trace_after(mark, 4) if r['path'] == '/telephony/calls/dial']
    endpoint = sandbox.fake.devices_of(sandbox.cast.people['alice'])[0]['id']
    assert (dial['body'], dial['identity']) == ({'destination': '1002', 'endpointId': endpoint}, 'alice@example.com')
    state = page.state()
    [call] = state['calls']
    assert (call['devices'], call['ringing']) == (['Cisco 8865 (Desk)'], True)
    assert [d['ringing'] for d in state['phone']['devices']] == [True, False], 'only the desk phone rings'
    assert [d['ringing'] for d in page.state('bob')['phone']['devices']] == [True, True], "all of Bob's ring"

    page.post('far-end', user='alice', callId=call['id'], action='answer')
    assert page.state()['calls'][0]['devices'] == ['Cisco 8865 (Desk)']
    mark = page.mark()
    page.say('alice', '/pull 2', 'Pulling')
    assert [r['body'] for r in page.trace_after(mark, 4) if r['path'] == '/telephony/calls/pull'] == [
        {'endpointId': sandbox.fake.devices_of(sandbox.cast.people['alice'])[1]['id']}]
    assert page.state()['calls'][0]['devices'] == ['Webex Desktop Application']
    page.post('far-end', user='alice', callId=call['id'], action='hangup')

    page.say('alice', '/queue join 1', 'joined')
    assert [q['joined'] for q in page.state()['phone']['agent']['queues']] == [True, True]
    page.say('alice', '/callerid 2', 'Your calls')
    assert page.state()['phone']['callerId'] == {'type': 'ADDITIONAL_CLID', 'name': 'Alice Anders (mobile)',
                                                 'number': '+14085550177'}


def test_ring_card_press_and_internal_calls(sandbox: Sandbox) -> None:
    page = Page(sandbox)
    page.authorize()
    page.say('alice', '/monitor on', 'Monitoring is on')

    page.post('ring', user='alice', caller='bob')
    state = page.wait(lambda s: len(cards(s)) == 1)
    [ringing] = cards(state)
    assert 'Incoming call' in json.dumps(ringing['card']) and list(buttons(ringing)) == [
        'Answer', 'Decline', 'Send to voicemail']
    [call] = state['calls']
    assert (call['state'], call['direction'], call['remote']) == ('alerting', 'incoming',
                                                                 {'name': 'Bob Brown', 'number': '1002'})
    [bobs] = page.state('bob')['calls']
    assert (bobs['state'], bobs['direction'], bobs['remote']['name']) == ('connecting', 'outgoing', 'Alice Anders')

    page.post('press', user='alice', messageId=ringing['id'], inputs=buttons(ringing)['Answer'])
    state = page.wait(lambda s: [c['id'] for c in cards(s)] not in ([], [ringing['id']]) and len(cards(s)) == 1)
    [connected] = cards(state)
    assert list(buttons(connected)) == ['Hold', 'Hang up', 'Transfer']
    assert state['calls'][0]['state'] == 'connected' and page.state('bob')['calls'][0]['state'] == 'connected'
    [action] = [r for r in state['trace'] if r['path'] == '/telephony/calls/answer']
    assert (action['body'], action['identity']) == ({'callId': call['id']}, 'alice@example.com')

    assert 'Hung up the call from Bob Brown' in page.say('alice', '/hangup', 'Hung up')['html']
    page.wait(lambda s: cards(s) == [] and s['calls'] == [])
    assert page.state('bob')['calls'] == []

    page.post('ring', user='alice', caller='outside', name='Henry <b>Green</b>', number='+1 408 555 0199')
    state = page.wait(lambda s: len(cards(s)) == 1)
    [outside], [card] = state['calls'], cards(state)
    assert outside['remote'] == {'name': 'Henry <b>Green</b>', 'number': '+1 408 555 0199'}
    assert card['html'].startswith('<p>📞 <strong>Alerting incoming call from Henry &lt;b&gt;Green&lt;/b&gt; ')
    assert '<b>' not in card['html']


def test_voicemail_token_expiry_and_rate_limit(sandbox: Sandbox) -> None:
    page = Page(sandbox)
    page.authorize()
    page.post('voicemail', user='alice', caller='carol')
    assert page.state()['voicemail'] == {'new': 1, 'total': 1}
    listed = page.say('alice', '/voicemail list', 'Voice messages')['html']
    assert 'Carol Chen' in listed and 'Central European Time' in listed, "in Alice's own time zone"

    assert page.post('expire', user='alice')['expired'] >= 1
    mark = page.mark()
    page.say('alice', '/dial 1002', 'Dialing')
    rows = page.state(after=mark)['trace']
    assert [(r['method'], r['path'], r['status']) for r in reversed(rows)][1:4] == [
        ('POST', '/telephony/calls/dial', 401), ('POST', '/access_token', 200), ('POST', '/telephony/calls/dial', 201)]
    refresh = next(r for r in rows if r['path'] == '/access_token')
    assert refresh['body']['refresh_token'] == '***' and refresh['body']['client_secret'] == '***'

    page.post('fail-next')
    mark = page.mark()
    page.say('alice', '/calls', 'Your calls')
    rows = list(reversed(page.state(after=mark)['trace']))
    assert [(r['method'], r['status']) for r in rows[:2]] == [('GET', 429), ('GET', 200)]
    assert rows[0]['path'] == rows[1]['path'] and rows[0]['path'].startswith('/messages/')


def test_bad_requests_are_answered_plainly(sandbox: Sandbox) -> None:
    page = Page(sandbox)
    assert 'unknown user' in page.post('say', expect=400, user='mallory', text='hi')['error']
    assert 'non-empty' in page.post('say', expect=400, user='alice', text='  ')['error']
    assert 'themselves' in page.post('ring', expect=400, user='alice', caller='alice')['error']
    assert 'action must be' in page.post('far-end', expect=400, user='alice', callId='x', action='explode')['error']
    assert page.post('press', expect=404, user='alice', messageId='nope', inputs={})['error']
    response = requests.post(f'{sandbox.base_url}/sandbox/api/say', data='not json', timeout=5)
    assert response.status_code == 400


# --- escaping

def test_user_text_reaches_the_page_escaped(sandbox: Sandbox) -> None:
    page = Page(sandbox)
    text = '<img src=x onerror=alert(1)> **not bold** [x](javascript:alert(1))'
    page.post('say', user='alice', text=text)
    [mine] = page.wait(lambda s: s['messages'])['messages'][:1]
    assert mine['html'] == ('<p>&lt;img src=x onerror=alert(1)&gt; **not bold** [x](javascript:alert(1))</p>')
