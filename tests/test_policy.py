"""
The access policy: who may talk to the bot, how often, who is admin, where the bot may stay; and Webex for
Government, where Webex offers no call control.
"""
import json
import logging

import pytest
import responses
from pydantic import ValidationError

from tests.conftest import settings_values, shut_down
from tests.webexmock import BOT_ID, BOT_ORG, USER_ID, chat, user_context, webex_time
from wxc_cc.config import ConfigError, load_settings
from wxc_cc.policy import DEFAULT_CONFIG_FILE, Policy, load_policy, parse_policy
from wxc_cc.signature import sign

pytestmark = pytest.mark.unit


def test_defaults_admit_anyone_and_nobody_is_admin(tmp_path):
    policy = load_policy(None)
    assert policy == Policy()
    assert policy.senders.admits_by_address('anyone@anywhere.example')
    assert not policy.is_admin('alice@example.com')
    assert (policy.rate_limit_commands, policy.rate_limit_seconds) == (20, 60)


def test_a_full_policy_file(tmp_path):
    (tmp_path / DEFAULT_CONFIG_FILE).write_text(json.dumps({
        'senders': {'own_org': True, 'people': ['Boss@Partner.example'], 'domains': ['example.com']},
        'membership': {'own_org_only': True}, 'admins': ['root@example.com'],
        'broadcast': {'senders': ['comms@example.com'], 'destinations': 'all'},
        'rate_limit': {'commands': 5, 'seconds': 10}}))
    policy = load_policy(None)
    senders = policy.senders
    assert not senders.anyone and senders.needs_org
    assert senders.admits_by_address('boss@partner.example') and senders.admits_by_address('x@example.com')
    assert not senders.admits_by_address('x@other.example')
    assert policy.membership_own_org_only and policy.is_admin('ROOT@example.com')
    assert policy.may_broadcast('comms@example.com') and policy.may_broadcast('root@example.com')
    assert not policy.may_broadcast('x@example.com')
    assert (policy.broadcast_destinations, policy.rate_limit_commands) == ('all', 5)


@pytest.mark.parametrize('data, message', [
    ([], 'the policy file must hold a JSON object'),
    ({'sendrs': {}}, 'unknown policy key sendrs (known: senders, membership, admins, broadcast, rate_limit)'),
    ({'senders': {'anyone': True, 'everyone': True}},
     'unknown policy key senders.everyone (known: anyone, own_org, people, domains)'),
    ({'senders': ['bob@example.com']}, 'senders must be an object'),
    ({'senders': {'own_org': 'yes'}}, 'senders.own_org must be true or false, not "yes"'),
    ({'membership': {'own_org_only': 1}}, 'membership.own_org_only must be true or false, not 1'),
    ({'admins': 'root@example.com'}, 'admins must be a list of strings, not "root@example.com"'),
    ({'senders': {'domains': ['example.com', 7]}}, 'senders.domains must be a list of strings'),
    ({'broadcast': {'destinations': 'everywhere'}},
     'broadcast.destinations must be one of all, senders_org, bots_org, not "everywhere"'),
    ({'rate_limit': {'commands': 0}}, 'rate_limit.commands must be a whole number of at least 1, not 0'),
    ({'rate_limit': {'commands': 2.5}}, 'rate_limit.commands must be a whole number of at least 1, not 2.5'),
    ({'rate_limit': {'seconds': '60'}}, 'rate_limit.seconds must be a number greater than 0, not "60"'),
    ({'rate_limit': {'seconds': 0}}, 'rate_limit.seconds must be a number greater than 0, not 0'),
    ({'admins': 'root', 'rate_limit': {'commands': 0}},
     'admins must be a list of strings, not "root"; rate_limit.commands must be a whole number of at least 1, not 0'),
])
def test_invalid_policies_are_explained(data, message):
    with pytest.raises(ConfigError) as error:
        parse_policy(data)
    assert str(error.value) == message


@pytest.mark.parametrize('senders, anyone', [
    ({}, True), ({'own_org': False}, False), ({'people': []}, False), ({'domains': ['example.com']}, False),
    ({'anyone': True, 'own_org': True}, True),
])
def test_anyone_is_the_default_only_without_other_sender_rules(senders, anyone):
    assert parse_policy({'senders': senders}).senders.anyone is anyone


def test_addresses_are_compared_lower_case_and_stripped():
    policy = parse_policy({'admins': [' Root@Example.COM ', ''], 'senders': {'domains': [' Partner.Example']},
                           'rate_limit': {'commands': 1, 'seconds': 0.5}})
    assert policy.admins == {'root@example.com'} and policy.senders.domains == {'partner.example'}
    assert policy.senders.admits_by_address('Anna@partner.example') and policy.rate_limit_seconds == 0.5
    assert parse_policy({}) == Policy() and Policy().rate_limit_seconds == 60.0
    with pytest.raises(ValidationError):
        policy.senders.anyone = True


def test_invalid_file_is_named_with_the_key(tmp_path):
    (tmp_path / DEFAULT_CONFIG_FILE).write_text(json.dumps({'broadcast': {'senders': 'comms@example.com'}}))
    with pytest.raises(ConfigError) as error:
        load_policy(None)
    assert str(error.value) == (f'policy file {DEFAULT_CONFIG_FILE}: broadcast.senders must be a list of strings, '
                                'not "comms@example.com"')


def test_an_explicit_file_must_exist_and_parse(tmp_path):
    with pytest.raises(ConfigError, match='does not exist'):
        load_policy(str(tmp_path / 'nope.json'))
    (tmp_path / 'bad.json').write_text('{')
    with pytest.raises(ConfigError, match='bad.json'):
        load_policy(str(tmp_path / 'bad.json'))


def only(policy: dict) -> dict:
    return {'admins': ['alice@example.com'], **policy}


@pytest.mark.parametrize('policy', [only({'senders': {'people': ['bob@example.com']}})])
def test_a_refused_sender_gets_one_polite_refusal_and_costs_nothing(client, webex, caplog):
    caplog.set_level(logging.WARNING)
    [reply] = chat(client, webex, '/dial 1234')
    assert reply.startswith('Sorry, I am not allowed to work for you')
    assert [s.path for s in webex.sent()] == ['/messages/MSG1', '/messages'], 'read to know who it is, no more'
    webex.reset()
    assert chat(client, webex, '/help') == []
    assert [s.path for s in webex.sent()] == ['/messages/MSG3']
    assert 'refused message from alice@example.com' in caplog.text and 'not an allowed sender' in caplog.text


@pytest.mark.parametrize('policy', [only({'senders': {'domains': ['example.com']}})])
def test_an_allowed_domain_is_admitted(client, webex):
    assert chat(client, webex, '/help')[0].startswith('Hello!')


@pytest.mark.parametrize('policy', [only({'senders': {'own_org': True}})])
@pytest.mark.parametrize('org, admitted', [(BOT_ORG, True), ('OTHER_ORG', False)])
def test_own_organisation_is_looked_up_once(client, webex, org, admitted):
    webex.add('GET', f'/people/{USER_ID}', json_body={'id': USER_ID, 'emails': ['alice@example.com'], 'orgId': org})
    for _ in range(2):
        chat(client, webex, '/help')
    assert [s.path for s in webex.sent()].count(f'/people/{USER_ID}') == 1
    helped = [r for r in webex.replies() if r['markdown'].startswith('Hello!')]
    assert len(helped) == (2 if admitted else 0)


@pytest.mark.parametrize('policy', [only({'rate_limit': {'commands': 3, 'seconds': 60}})])
def test_rate_limit_per_person(client, webex, caplog):
    replies = [chat(client, webex, '/help') for _ in range(5)]
    assert [len(r) for r in replies] == [1, 1, 1, 1, 0]
    assert replies[3] == ['Slow down, please: I take 3 commands per 60 seconds from one person. '
                          'Commands sent meanwhile are ignored.']
    assert [s.method for s in webex.sent()].count('GET') == 5, 'each message is read to know who sent it'
    assert [s.method for s in webex.sent()].count('POST') == 4, 'the fifth gets nothing'
    assert 'rate limit' in caplog.text


@pytest.mark.parametrize('policy', [only({'rate_limit': {'commands': 3, 'seconds': 60}})])
def test_card_presses_count_with_messages_against_the_rate_limit(client, webex, bot, caplog):
    """
    One counter for a person's messages and presses: two messages and a press use up a limit of 3, the next
    press gets the notice and does nothing, the one after gets nothing at all; Webex is asked only who pressed.
    """
    bot.core.stores.tokens.set_user_context(user_context())
    webex.add('POST', '/telephony/calls/dial', json_body={'callId': 'C1', 'callSessionId': 'S1'})

    def press() -> list[str]:
        before = len(webex.replies())
        body = webex.action_notification('CARD', {'action': 'callback', 'owner': USER_ID, 'number': '1001'})
        assert client.post('/', data=body, headers=webex.signed(body)).status_code == 200
        return [reply['markdown'] for reply in webex.replies()[before:]]

    assert len(chat(client, webex, '/help')) == len(chat(client, webex, '/help')) == 1
    assert press() == ['Dialing 1001: your phone rings first; the call to 1001 starts when you answer it.']
    webex.reset()
    assert press() == ['Slow down, please: I take 3 commands per 60 seconds from one person. '
                       'Commands sent meanwhile are ignored.']
    assert press() == []
    assert chat(client, webex, '/help') == [], 'the messages after them count on the same counter'
    assert [(s.method, s.path.split('/')[1]) for s in webex.sent()] == [
        ('GET', 'attachment'), ('POST', 'messages'), ('GET', 'attachment'), ('GET', 'messages')], 'no dial'
    assert 'refused card press from' in caplog.text and 'rate limit' in caplog.text


@pytest.mark.parametrize('policy', [{'admins': ['root@example.com']}])
def test_admin_commands_are_refused_to_others(client, webex, caplog):
    assert chat(client, webex, '/auth maintenance') == ["Only the bot's administrators may use /auth maintenance."]
    assert 'refused /auth maintenance from alice@example.com' in caplog.text


def membership(webex=None, person_id: str = BOT_ID, moderator: bool = False, room_id: str = 'GROUP1') -> bytes:
    """A memberships/created notification; with ``webex``, GET /memberships/{id} answers what Webex knows."""
    data = {'id': 'MEMBERSHIP1', 'roomId': 'GROUP1', 'personId': person_id, 'isModerator': moderator,
            'roomType': 'group'}
    if webex is not None:
        webex.add('GET', '/memberships/MEMBERSHIP1', json_body=data)
    return json.dumps({'id': 'MWH', 'resource': 'memberships', 'event': 'created', 'actorId': 'ADDER',
                       'data': {**data, 'roomId': room_id}}).encode()


def room(owner: str, announcement: bool = False) -> dict:
    return {'id': 'GROUP1', 'title': 'Team *space*', 'type': 'group', 'ownerId': owner,
            'isAnnouncementOnly': announcement, 'isLocked': announcement}


@pytest.mark.parametrize('policy', [only({'membership': {'own_org_only': True}})])
def test_bot_leaves_spaces_of_other_organisations(client, webex, caplog):
    webex.add('GET', '/rooms/GROUP1', json_body=room('OTHER_ORG'))
    webex.add('DELETE', '/memberships/MEMBERSHIP1', status=204)
    body = membership(webex)
    assert client.post('/', data=body, headers=webex.signed(body)).status_code == 200
    assert [(s.method, s.path) for s in webex.sent()] == [
        ('GET', '/memberships/MEMBERSHIP1'), ('GET', '/rooms/GROUP1'), ('POST', '/messages'),
        ('DELETE', '/memberships/MEMBERSHIP1')]
    assert webex.replies()[0]['roomId'] == 'GROUP1' and 'I am leaving' in webex.replies()[0]['markdown']
    assert 'refused membership in space GROUP1' in caplog.text


@pytest.mark.parametrize('policy', [only({'membership': {'own_org_only': True}})])
def test_bot_stays_in_its_own_organisation_and_asks_for_moderation(client, webex, bot):
    webex.add('GET', '/rooms/GROUP1', json_body=room(BOT_ORG, announcement=True))
    body = membership(webex)
    client.post('/', data=body, headers=webex.signed(body))
    [ask] = webex.replies()
    assert ask['toPersonId'] == 'ADDER' and 'make me a moderator' in ask['markdown']
    assert r'Team \*space\*' in ask['markdown']
    assert bot.core.stores.coordination.get_note('added-by:GROUP1') == 'ADDER'


@pytest.mark.parametrize('policy', [only({'membership': {'own_org_only': True}})])
def test_a_membership_notification_webex_disagrees_with_is_not_acted_on(client, webex, caplog):
    webex.add('GET', '/rooms/ELSEWHERE', json_body=room('OTHER_ORG'))
    body = membership(webex, room_id='ELSEWHERE')
    assert client.post('/', data=body, headers=webex.signed(body)).status_code == 200
    assert [(s.method, s.path) for s in webex.sent()] == [('GET', '/memberships/MEMBERSHIP1')], 'no leaving'
    assert 'notification of membership MEMBERSHIP1 disagrees with Webex' in caplog.text


def test_others_joining_cost_nothing(client, webex):
    body = membership(person_id='SOMEONE')
    assert client.post('/', data=body, headers=webex.signed(body)).status_code == 200
    assert webex.sent() == []


@pytest.mark.parametrize('policy', [only({'senders': {'people': ['bob@example.com']}})])
def test_card_presses_of_refused_people_do_nothing(client, webex, bot):
    bot.core.stores.tokens.set_user_context(user_context())
    webex.add('GET', f'/people/{USER_ID}', json_body={'id': USER_ID, 'emails': ['alice@example.com'],
                                                       'orgId': BOT_ORG})
    body = webex.action_notification('CARD', {'action': 'callback', 'owner': USER_ID, 'number': '1'})
    client.post('/', data=body, headers=webex.signed(body))
    assert [s.path for s in webex.sent()] == ['/attachment/actions/ACTION1', f'/people/{USER_ID}', '/messages']
    assert webex.replies()[0]['markdown'].startswith('Sorry, I am not allowed to work for you')


@pytest.mark.parametrize('policy', [only({'senders': {'people': ['alice@example.com']}}),
                                    only({'senders': {'domains': ['example.com']}})])
def test_card_presses_are_admitted_by_address(client, webex, bot):
    """A press carries no address: the presser is looked up (once a day) and admitted by the policy."""
    bot.core.stores.tokens.set_user_context(user_context())
    webex.add('GET', f'/people/{USER_ID}', json_body={'id': USER_ID, 'emails': ['alice@example.com'],
                                                       'orgId': BOT_ORG})
    webex.add('POST', '/telephony/calls/dial', json_body={'callId': 'C1', 'callSessionId': 'S1'})
    for _ in range(2):
        body = webex.action_notification('CARD', {'action': 'callback', 'owner': USER_ID, 'number': '1001'})
        client.post('/', data=body, headers=webex.signed(body))
    assert [s.path for s in webex.sent()].count(f'/people/{USER_ID}') == 1
    assert [s.body for s in webex.sent() if s.path == '/telephony/calls/dial'] == [{'destination': '1001'}] * 2
    assert [r['markdown'] for r in webex.replies()] == [
        'Dialing 1001: your phone rings first; the call to 1001 starts when you answer it.'] * 2


GOV = 'https://api-usgov.webex.com/v1'


@pytest.fixture
def gov_client(tmp_path):
    from wxc_cc_bot import CallControlBot
    settings = load_settings(settings_values(WEBEX_API_BASE_URL=GOV, token_file=str(tmp_path / 't.yml')),
                             environ={})
    assert settings.government
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.get(f'{GOV}/people/me', json={'id': BOT_ID, 'emails': ['b@webex.bot'], 'displayName': 'CC Bot'})
        rsps.get(f'{GOV}/webhooks', json={'items': []})
        rsps.add_callback('POST', f'{GOV}/webhooks', content_type='application/json', callback=lambda r: (
            200, {}, json.dumps({'id': 'W', 'status': 'active', 'created': '2026-01-01T00:00:00Z',
                                 **json.loads(r.body)})))
        rsps.add_callback('POST', f'{GOV}/messages', content_type='application/json',
                          callback=lambda r: (200, {}, json.dumps({'id': 'M', **json.loads(r.body)})))
        bot = CallControlBot(settings=settings)
        # as tests/conftest.py's bot: else the check at start may find the user and ask Webex after this test
        assert bot.core.healer.started.wait(5), 'the check at start is done before the test pokes at the store'
        bot.core.stores.tokens.set_user_context(user_context())
        yield bot.test_client(), rsps
        shut_down(bot)


def gov_chat(client, rsps, text: str) -> str:
    body = json.dumps({'id': 'W', 'resource': 'messages', 'event': 'created',
                       'data': {'id': f'M{text}', 'roomId': 'R', 'roomType': 'direct', 'personId': USER_ID,
                                'personEmail': 'alice@example.com'}}).encode()
    rsps.get(f'{GOV}/messages/M{text}', json={'id': f'M{text}', 'text': text, 'roomId': 'R', 'roomType': 'direct',
                                               'personId': USER_ID, 'personEmail': 'alice@example.com',
                                               'created': webex_time()})
    core = client.application.core
    client.post('/', data=body, headers={'X-Spark-Signature': sign(core.settings.webhook_secret, body)})
    assert core.worker.wait_idle(5)
    return [json.loads(c.request.body)['markdown'] for c in rsps.calls
            if c.request.method == 'POST' and c.request.url.endswith('/messages')][-1]


def test_government_has_no_call_control(gov_client):
    client, rsps = gov_client
    replies = [gov_chat(client, rsps, command) for command in ('/dial 1234', '/hangup', '/calls', '/monitor on',
                                                                '/history')]
    assert replies[0] == ('/dial is not available here: Webex for Government does not offer the call-control API. '
                          '/voicemail works.')
    assert all('Webex for Government' in r for r in replies)
    assert '/dial' not in gov_chat(client, rsps, '/help') and '/voicemail' in gov_chat(client, rsps, '/help')
    rsps.get(f'{GOV}/telephony/voiceMessages/summary', json={'newMessages': 1, 'oldMessages': 0})
    assert gov_chat(client, rsps, '/voicemail').startswith('You have 1 new')
    assert not [c for c in rsps.calls if '/telephony/calls' in c.request.url]
    assert all(c.request.url.startswith(GOV) for c in rsps.calls), 'every request goes to the government API'


def test_government_oauth_goes_there_too(gov_client):
    client, rsps = gov_client
    oauth = client.application.core.services.oauth
    assert oauth.auth_url('S').startswith(f'{GOV}/authorize?')
    rsps.post(f'{GOV}/access_token', json={'access_token': 'a', 'expires_in': 100, 'token_type': 'Bearer'})
    oauth.exchange_code('CODE')
    assert rsps.calls[-1].request.url == f'{GOV}/access_token'
