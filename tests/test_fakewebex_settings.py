"""
The emulator's "call settings for me" (Do Not Disturb, call forwarding, the person's own details), the people
directory with calling data, and what the settings do to calls, through real HTTP on 127.0.0.1; every request and
answer held to Webex's documents.
"""
from typing import Optional

import pytest

from fakewebex import FakeWebex, Person
from fakewebex.callsettings import NOT_CALLING
from fakewebex.telephony import MAX_HOPS
from tests.test_fakewebex import (CLIENT_ID, Client, alice, assert_webex_error, bob, bot, client,  # noqa: F401
                                  fake, refused)

pytestmark = pytest.mark.e2e

ME = '/telephony/config/people/me'
DND = f'{ME}/settings/doNotDisturb'
FORWARDING = f'{ME}/settings/callForwarding'
CONFIG_SCOPES = 'spark:telephony_config_read spark:telephony_config_write'
OFF = {'enabled': False, 'destinationVoicemailEnabled': False}


def settings_client(fake: FakeWebex, person: Person, scope: str = CONFIG_SCOPES) -> Client:
    return Client(fake.base_url, fake.issue_tokens(person, client_id=CLIENT_ID, scope=scope)['access_token'])


@pytest.fixture
def carol(fake: FakeWebex) -> Person:
    return fake.add_person('carol@example.com', 'Carol Chen', extension='1003', title='Sales Engineer')


# --- the API

def test_do_not_disturb_is_read_and_set(fake: FakeWebex, alice: Person) -> None:
    api = settings_client(fake, alice)
    assert api.get(DND).json() == {'enabled': False, 'ringSplashEnabled': False, 'webexGoOverrideEnabled': False}
    assert api.put(DND, json={'enabled': True, 'webexGoOverrideEnabled': True}).status_code == 204
    assert api.get(DND).json() == {'enabled': True, 'ringSplashEnabled': False, 'webexGoOverrideEnabled': True}
    assert fake.dnd_of(alice) is True
    refused(fake, api.put(DND, json={'enabled': False}), 400, "body: 'webexGoOverrideEnabled' is a required property")
    assert fake.dnd_of(alice) is True


def test_call_forwarding_is_read_and_changed_kind_by_kind(fake: FakeWebex, alice: Person) -> None:
    api = settings_client(fake, alice)
    assert api.get(FORWARDING).json() == {'callForwarding': {
        'always': {**OFF, 'ringReminderEnabled': False},
        'busy': OFF, 'noAnswer': {'enabled': False, 'numberOfRings': 3, 'systemMaxNumberOfRings': 20,
                                  'destinationVoicemailEnabled': False}},
        'businessContinuity': OFF}
    assert api.put(FORWARDING, json={'callForwarding': {'busy': {'enabled': True, 'destination': '+1 408 555-1002'}}}
                   ).status_code == 204
    assert api.put(FORWARDING, json={'callForwarding': {'always': {'enabled': True, 'destination': '1001',
                                                                   'destinationVoicemailEnabled': True}}}
                   ).status_code == 204
    forwarding = api.get(FORWARDING).json()['callForwarding']
    assert forwarding['busy'] == {'enabled': True, 'destination': '+14085551002', 'destinationVoicemailEnabled': False}
    assert forwarding['always'] == {'enabled': True, 'destination': '1001', 'ringReminderEnabled': False,
                                    'destinationVoicemailEnabled': True}
    assert api.put(FORWARDING, json={'callForwarding': {'always': {'enabled': False}}}).status_code == 204
    assert fake.forwarding_of(alice)['callForwarding']['always']['enabled'] is False
    assert fake.forwarding_of(alice)['callForwarding']['always']['destination'] == '1001', 'the destination stays'


@pytest.mark.parametrize('body, description', [
    ({'callForwarding': {'noAnswer': {'enabled': True}}}, 'noAnswer.destination is required'),
    ({'callForwarding': {'busy': {'enabled': True, 'destination': 'bob'}}}, 'Invalid phone number'),
    ({'callForwarding': {'noAnswer': {'numberOfRings': 1}}}, 'numberOfRings must be between 2 and 20'),
    ({'callForwarding': {'always': {'enabled': True, 'destination': '1002'},
                         'busy': {'enabled': True}}}, 'busy.destination is required'),
])
def test_call_forwarding_refuses_what_webex_refuses(fake: FakeWebex, alice: Person, body: dict,
                                                     description: str) -> None:
    api = settings_client(fake, alice)
    before = api.get(FORWARDING).json()
    assert_webex_error(api.put(FORWARDING, json=body), 400, description)
    assert api.get(FORWARDING).json() == before, 'nothing changed'


def test_my_details(fake: FakeWebex, alice: Person, carol: Person) -> None:
    location = fake.world.call_settings.location
    assert settings_client(fake, alice).get(ME).json() == {
        'id': alice.id, 'lastName': 'Example', 'firstName': 'Alice', 'email': 'alice@example.com',
        'announcementLanguage': 'English', 'locationDialingCode': '', 'supportMobility': False,
        'emergencyCallBackNumber': '+14085551001',
        'phoneNumbers': [{'directNumber': '+14085551001', 'extension': '1001', 'esn': '1001', 'primary': True}],
        'devices': [], 'location': location, 'receptionistUrl': '', 'callingHostUrl': '', 'attendantConsoleUrl': ''}
    assert settings_client(fake, carol).get(ME).json()['phoneNumbers'] == [
        {'extension': '1003', 'esn': '1003', 'primary': True}]


@pytest.mark.parametrize('method, path, body', [('GET', ME, None), ('GET', DND, None), ('GET', FORWARDING, None),
                                                ('PUT', DND, {'enabled': True, 'webexGoOverrideEnabled': False}),
                                                ('PUT', FORWARDING, {'callForwarding': {'busy': OFF}})])
def test_who_may_use_the_settings(fake: FakeWebex, alice: Person, bot: Person, method: str, path: str,
                                  body: Optional[dict]) -> None:
    needed = 'spark:telephony_config_write' if method == 'PUT' else 'spark:telephony_config_read'
    other = 'spark:telephony_config_read' if method == 'PUT' else 'spark:telephony_config_write'
    assert_webex_error(Client(fake.base_url).call(method, path, json=body), 401)
    assert_webex_error(client(fake, bot).call(method, path, json=body), 403)
    old_scopes = 'spark:calls_write spark:calls_read spark:people_read ' + other
    assert_webex_error(settings_client(fake, alice, old_scopes).call(method, path, json=body), 403, needed)
    nobody = fake.add_person('nina@example.com', 'Nina Nocall')
    assert_webex_error(settings_client(fake, nobody).call(method, path, json=body), 404, NOT_CALLING)
    assert fake.dnd_of(alice) is False and fake.forwarding_of(alice) == fake.forwarding_of(nobody)


def test_people_by_name_with_calling_data(fake: FakeWebex, alice: Person, carol: Person) -> None:
    caroline = fake.add_person('caroline@example.com', 'Caroline Cole', number='+14085551009')
    api = client(fake, alice)
    found = api.get('/people', params={'displayName': 'carol', 'callingData': 'true'}).json()['items']
    assert [(p['displayName'], p.get('title'), p.get('extension'), p.get('phoneNumbers')) for p in found] == [
        ('Carol Chen', 'Sales Engineer', '1003', None),
        ('Caroline Cole', None, None, [{'type': 'work', 'value': '+14085551009'}])]
    assert [p['id'] for p in api.get('/people', params={'displayName': 'Carol', 'callingData': 'true', 'max': 1}
                                     ).json()['items']] == [carol.id]
    assert 'extension' not in api.get('/people', params={'displayName': 'Carol Chen'}).json()['items'][0]
    assert caroline.has_calling and not fake.add_person('x@example.com', 'X').has_calling


# --- what the settings do to calls

def test_do_not_disturb_rejects_calls_busy(fake: FakeWebex, alice: Person, bob: Person) -> None:
    fake.set_dnd(alice)
    assert fake.ring(alice, 'Henry Green', '7101') is None
    dialed = client(fake, bob).post('/telephony/calls/dial', json={'destination': '1001'})
    assert dialed.status_code == 201
    assert fake.calls(alice) == [] and fake.calls(bob) == []
    assert [(h['type'], h['name']) for h in fake.history(bob)] == [('placed', 'Alice Example')]
    assert fake.history(alice) == []
    fake.set_dnd(alice, False)
    assert fake.call(alice, fake.ring(alice))['state'] == 'alerting'


def test_always_forwarding_rings_the_destination(fake: FakeWebex, alice: Person, bob: Person,
                                                 carol: Person) -> None:
    fake.set_forwarding(alice, 'always', '1002')
    fake.set_dnd(alice)
    call_id = fake.ring(alice, from_person=carol)
    assert fake.calls(alice) == []
    ringing = fake.call(bob, call_id)
    assert ringing['state'] == 'alerting' and ringing['remoteParty']['personId'] == carol.id
    assert ringing['redirections'] == [{'reason': 'unconditional', 'redirectingParty': {
        'name': 'Alice Example', 'number': '1001', 'personId': alice.id, 'privacyEnabled': False,
        'callType': 'location'}}]
    [carols] = fake.calls(carol)
    assert carols['remoteParty']['personId'] == bob.id
    client(fake, bob).post('/telephony/calls/answer', json={'callId': call_id})
    assert fake.call(carol, carols['id'])['state'] == 'connected'


def test_forwarding_to_voicemail_busy_and_outside(fake: FakeWebex, alice: Person, bob: Person) -> None:
    fake.set_forwarding(alice, 'always', '1001', voicemail=True)
    assert fake.ring(alice, from_person=bob) is None
    assert [(v['callingParty']['name']) for v in fake.voicemails(alice)] == ['Bob Builder']
    assert fake.calls(bob) == [] and fake.history(bob)[0]['type'] == 'placed'

    fake.set_forwarding(alice, 'always', enabled=False)
    fake.set_dnd(alice)
    fake.set_forwarding(alice, 'busy', '1002')
    call_id = fake.ring(alice, 'Henry Green', '7101')
    assert fake.call(bob, call_id)['redirections'][0]['reason'] == 'busy'

    fake.set_forwarding(alice, 'busy', '+4930555')
    dialed = client(fake, bob).post('/telephony/calls/dial', json={'destination': '1001'}).json()
    assert fake.call(bob, dialed['callId'])['remoteParty'] == {'name': '+4930555', 'number': '+4930555',
                                                               'privacyEnabled': False, 'callType': 'external'}
    assert fake.calls(alice) == []


def test_no_answer_forwarding_when_a_call_rings_out(fake: FakeWebex, alice: Person, bob: Person,
                                                    carol: Person) -> None:
    call_id = fake.ring(alice, from_person=carol)
    fake.ring_out(alice, call_id)
    assert fake.calls(alice) == [] and fake.calls(carol) == []
    assert fake.history(alice)[0]['type'] == 'missed'

    fake.set_forwarding(alice, 'noAnswer', '1002')
    call_id = fake.ring(alice, from_person=carol)
    fake.ring_out(alice, call_id)
    [forwarded] = fake.calls(bob)
    assert forwarded['redirections'][0]['reason'] == 'noAnswer'
    assert forwarded['remoteParty']['personId'] == carol.id
    with pytest.raises(Exception, match='Call is not ringing'):
        fake.ring_out(bob, client(fake, bob).post('/telephony/calls/dial', json={'destination': '7101'}
                                                  ).json()['callId'])


def test_a_forwarding_loop_ends(fake: FakeWebex, alice: Person, bob: Person) -> None:
    fake.set_forwarding(alice, 'always', '1002')
    fake.set_forwarding(bob, 'always', '1001')
    call_id = fake.ring(alice)
    [(owner, ringing)] = [(p, c) for p in (alice, bob) for c in fake.calls(p)]
    assert ringing['id'] == call_id and len(ringing['redirections']) == MAX_HOPS
    assert owner is bob
