"""
The emulator's phone menu: a person's devices and preferred answer device, the device a call rings or is on
(``endpointId`` of dial, answer, retrieve, pickup, barge-in), pulling a call to another device, call queues as an
agent sees them, and caller IDs; through real HTTP on 127.0.0.1, every request and answer held to Webex's
documents.
"""
from typing import Optional

import pytest

from fakewebex import FakeWebex, Person
from fakewebex.callqueues import NO_CALL_CENTER
from fakewebex.callsettings import NOT_CALLING
from tests.test_fakewebex import (Client, alice, assert_webex_error, bob, bot, client, control, fake,  # noqa: F401
                                  only_call, refused)
from tests.test_fakewebex_settings import CONFIG_SCOPES, settings_client

pytestmark = pytest.mark.e2e

ME = '/telephony/config/people/me/settings'
DEVICES = f'{ME}/availablePreferredAnswerEndpoints'
PREFERRED = f'{ME}/preferredAnswerEndpoint'
QUEUES = f'{ME}/queues'
CALLER_IDS = f'{ME}/availableCallerIds'
SELECTED = f'{ME}/selectedCallerId'
DESK, APP = ('Cisco 8865 (Desk)', 'DEVICE'), ('Webex Desktop Application', 'APPLICATION')


def phone(fake: FakeWebex, person: Person) -> Client:
    """A client with the calling and the settings scopes."""
    scope = f'spark:calls_write spark:calls_read {CONFIG_SCOPES}'
    return Client(fake.base_url, fake.issue_tokens(person, client_id='cid', scope=scope)['access_token'])


# --- devices

def test_devices_and_the_preferred_one(fake: FakeWebex, alice: Person) -> None:
    api = phone(fake, alice)
    assert api.get(DEVICES).json() == {'endpoints': []}
    desk, app = fake.set_devices(alice, DESK, APP)
    assert api.get(DEVICES).json() == {'endpoints': [
        {'id': desk, 'type': 'DEVICE', 'name': 'Cisco 8865 (Desk)', 'isPreferredAnswerEndpoint': False},
        {'id': app, 'type': 'APPLICATION', 'name': 'Webex Desktop Application', 'isPreferredAnswerEndpoint': False}]}
    assert api.put(PREFERRED, json={'id': app}).status_code == 204
    assert [d['isPreferredAnswerEndpoint'] for d in fake.devices_of(alice)] == [False, True]
    assert_webex_error(api.put(PREFERRED, json={'id': 'not-a-device'}), 404, 'is not a device of the user')
    assert [d['isPreferredAnswerEndpoint'] for d in fake.devices_of(alice)] == [False, True], 'unchanged'
    assert api.put(PREFERRED, json={'id': None}).status_code == 204
    assert [d['isPreferredAnswerEndpoint'] for d in fake.devices_of(alice)] == [False, False]
    refused(fake, api.put(PREFERRED, json={'preferredAnswerEndpointId': app}), 400,
            "body: 'id' is a required property",
            "body: Additional properties are not allowed ('preferredAnswerEndpointId' was unexpected)")


@pytest.mark.parametrize('method, path, body', [('GET', DEVICES, None), ('PUT', PREFERRED, {'id': None}),
                                                ('GET', QUEUES, None), ('PUT', QUEUES, {'agentACDState': 'AVAILABLE'}),
                                                ('GET', CALLER_IDS, None), ('GET', SELECTED, None),
                                                ('PUT', SELECTED, {'selected': {'type': 'DEFAULT_CLID'}})])
def test_who_may_use_the_phone_settings(fake: FakeWebex, alice: Person, bot: Person, method: str, path: str,
                                        body: Optional[dict]) -> None:
    needed = 'spark:telephony_config_write' if method == 'PUT' else 'spark:telephony_config_read'
    other = 'spark:telephony_config_read' if method == 'PUT' else 'spark:telephony_config_write'
    assert_webex_error(client(fake, bot).call(method, path, json=body), 403)
    assert_webex_error(settings_client(fake, alice, f'spark:calls_read {other}').call(method, path, json=body), 403,
                       needed)
    nobody = fake.add_person('nina@example.com', 'Nina Nocall')
    assert_webex_error(settings_client(fake, nobody).call(method, path, json=body), 404, NOT_CALLING)


def test_a_dial_rings_all_devices_or_only_the_one_named(fake: FakeWebex, alice: Person, bob: Person) -> None:
    desk, app = fake.set_devices(alice, DESK, APP)
    api = phone(fake, alice)
    everywhere = api.post('/telephony/calls/dial', json={'destination': '7101'}).json()['callId']
    assert fake.call_devices(alice, everywhere) == ['Cisco 8865 (Desk)', 'Webex Desktop Application']
    fake.remote_hangup(alice, everywhere)
    only = api.post('/telephony/calls/dial', json={'destination': '1002', 'endpointId': app}).json()['callId']
    assert fake.call_devices(alice, only) == ['Webex Desktop Application']
    control(phone(fake, bob), 'answer', callId=only_call(fake, bob)['id'])
    assert fake.call(alice, only)['state'] == 'connected'
    assert fake.call_devices(alice, only) == ['Webex Desktop Application'], 'answered there'
    fake.remote_hangup(alice, only)
    assert_webex_error(api.post('/telephony/calls/dial', json={'destination': '1002', 'endpointId': 'other'}), 400,
                       'is not a device of the user')
    assert fake.calls(alice) == [] and fake.calls(bob) == [], 'a refused dial rings nobody'


def test_a_call_is_answered_on_the_device_named_else_the_preferred_one(fake: FakeWebex, alice: Person) -> None:
    desk, app = fake.set_devices(alice, DESK, APP)
    api = phone(fake, alice)
    ringing = fake.ring(alice)
    assert fake.call_devices(alice, ringing) == ['Cisco 8865 (Desk)', 'Webex Desktop Application']
    assert control(api, 'answer', callId=ringing, endpointId=app).status_code == 204
    assert fake.call_devices(alice, ringing) == ['Webex Desktop Application']
    fake.remote_hangup(alice, ringing)

    ringing = fake.ring(alice)
    assert control(api, 'answer', callId=ringing).status_code == 204
    assert fake.call_devices(alice, ringing) == ['Cisco 8865 (Desk)'], 'the first, no device being preferred'
    fake.remote_hangup(alice, ringing)

    api.put(PREFERRED, json={'id': app})
    ringing = fake.ring(alice)
    control(api, 'answer', callId=ringing)
    assert fake.call_devices(alice, ringing) == ['Webex Desktop Application']
    fake.remote_hangup(alice, ringing)

    outgoing = api.post('/telephony/calls/dial', json={'destination': '1002', 'endpointId': desk}).json()['callId']
    assert fake.call_devices(alice, outgoing) == ['Cisco 8865 (Desk)']
    incoming = fake.ring(alice)
    assert_webex_error(control(api, 'answer', callId=incoming, endpointId='nope'), 400, 'not a device')
    assert fake.call(alice, incoming)['state'] == 'alerting'


def test_retrieve_pickup_and_barge_in_connect_on_the_device_named(fake: FakeWebex, alice: Person,
                                                                  bob: Person) -> None:
    desk, app = fake.set_devices(alice, DESK, APP)
    api = phone(fake, alice)
    carol = fake.add_person('carol@example.com', 'Carol Chen', extension='1003')
    ringing = fake.ring(bob)
    picked = control(api, 'pickup', target='1002', endpointId=app).json()['callId']
    assert fake.call_devices(alice, picked) == ['Webex Desktop Application'] and fake.calls(bob) == []
    assert control(api, 'park', callId=picked).status_code == 200
    retrieved = control(api, 'retrieve', endpointId=desk).json()['callId']
    assert fake.call_devices(alice, retrieved) == ['Cisco 8865 (Desk)']
    fake.remote_hangup(alice, retrieved)
    carols = fake.ring(carol)
    control(phone(fake, carol), 'answer', callId=carols)
    barged = control(api, 'bargeIn', target='1003', endpointId=app).json()['callId']
    assert fake.call_devices(alice, barged) == ['Webex Desktop Application']
    fake.remote_hangup(alice, barged)
    ringing = fake.ring(bob)
    assert_webex_error(control(api, 'pickup', target='1002', endpointId='nope'), 400, 'not a device')
    assert fake.call(bob, ringing)['state'] == 'alerting', 'a refused pickup picks nothing up'


def test_pull_moves_the_answered_call_to_another_device(fake: FakeWebex, alice: Person, bob: Person) -> None:
    desk, app = fake.set_devices(alice, DESK, APP)
    api = phone(fake, alice)
    assert_webex_error(control(api, 'pull'), 404, 'There is no call to pull')
    call_id = fake.ring(alice, from_person=bob)
    control(api, 'answer', callId=call_id, endpointId=desk)
    pulled = control(api, 'pull')
    assert pulled.status_code == 201
    assert pulled.json()['callSessionId'] == fake.call(alice, call_id)['callSessionId']
    assert pulled.json()['callId'] != call_id, 'the answer names the temporary call of the pull'
    assert fake.call_devices(alice, call_id) == ['Webex Desktop Application'], 'Webex chose the other device'
    assert_webex_error(control(api, 'pull', endpointId=app), 400, 'already on that device')
    assert control(api, 'pull', endpointId=desk).status_code == 201
    assert fake.call_devices(alice, call_id) == ['Cisco 8865 (Desk)']
    assert fake.call(alice, call_id)['state'] == 'connected' and fake.calls(bob)[0]['state'] == 'connected'
    api.put(PREFERRED, json={'id': desk})
    assert control(api, 'pull').status_code == 201
    assert fake.call_devices(alice, call_id) == ['Webex Desktop Application'], 'not the device it is on'
    dave = fake.add_person('dave@example.com', 'Dave Dunn', extension='1004')
    fake.set_devices(dave, DESK)
    control(phone(fake, dave), 'answer', callId=fake.ring(dave))
    assert_webex_error(control(phone(fake, dave), 'pull'), 400, 'no other device')


# --- call queues

def test_an_agent_joins_and_leaves_call_queues(fake: FakeWebex, alice: Person) -> None:
    api = phone(fake, alice)
    assert_webex_error(api.get(QUEUES), 404, NO_CALL_CENTER)
    assert_webex_error(api.put(QUEUES, json={'agentACDState': 'AVAILABLE'}), 404, NO_CALL_CENTER)
    support = fake.add_call_queue('Support', '5001', '+18555550101')
    sales = fake.add_call_queue('Sales', '5002', allow_log_off=False)
    fake.make_agent(alice, [support, sales], joined=[sales], state='UNAVAILABLE')
    assert api.get(QUEUES).json() == {'agentACDState': 'UNAVAILABLE', 'queues': [
        {'id': support, 'hasCxEssentials': False, 'available': False, 'skillLevel': 1, 'phoneNumber': '+18555550101',
         'extension': '5001', 'allowLogOffEnabled': True},
        {'id': sales, 'hasCxEssentials': False, 'available': True, 'skillLevel': 1, 'extension': '5002',
         'allowLogOffEnabled': False}]}
    assert api.put(QUEUES, json={'agentACDState': 'AVAILABLE', 'queues': [{'id': support, 'available': True}]}
                   ).status_code == 204
    agent = fake.agent_of(alice)
    assert agent['agentACDState'] == 'AVAILABLE' and [q['available'] for q in agent['queues']] == [True, True]
    assert_webex_error(api.put(QUEUES, json={'queues': [{'id': support, 'available': False},
                                                        {'id': sales, 'available': False}]}),
                       400, 'Agents may not leave call queue 5002')
    assert [q['available'] for q in fake.agent_of(alice)['queues']] == [True, True], 'nothing changed'
    assert_webex_error(api.put(QUEUES, json={'queues': [{'id': 'elsewhere', 'available': True}]}), 400,
                       'not an agent of call queue')
    assert api.put(QUEUES, json={'queues': [{'id': support, 'available': False}]}).status_code == 204
    assert [q['available'] for q in fake.agent_of(alice)['queues']] == [False, True]
    refused(fake, api.put(QUEUES, json={'agentACDState': 'ASLEEP'}), 400,
            "body.agentACDState: 'ASLEEP' is not one of ['SIGN_IN', 'SIGN_OUT', 'AVAILABLE', 'UNAVAILABLE', "
            "'WRAP_UP']")
    assert fake.agent_of(bob := fake.add_person('b2@example.com', 'B Two', extension='1009')) is None, bob


# --- caller IDs

def test_caller_ids_are_listed_and_chosen(fake: FakeWebex, alice: Person) -> None:
    api = phone(fake, alice)
    assert api.get(CALLER_IDS).json() == {'availableCallerIds': []}
    own = {'type': 'DEFAULT_CLID', 'name': 'Alice Example', 'directNumber': '+14085551001', 'extension': '1001'}
    assert api.get(SELECTED).json() == {'selected': own}
    queue = fake.add_caller_id(alice, 'CALL_QUEUE', 'Support', '+18555550101', '5001')
    extra = fake.add_caller_id(alice, 'ADDITIONAL_CLID', 'Alice mobile', '+14085550177')
    assert api.get(CALLER_IDS).json() == {'availableCallerIds': [queue, extra]}
    assert queue['id'] and 'id' not in extra
    assert api.put(SELECTED, json={'selected': {'type': 'CALL_QUEUE', 'id': queue['id']}}).status_code == 204
    assert api.get(SELECTED).json() == {'selected': queue}
    assert api.put(SELECTED, json={'selected': {'type': 'ADDITIONAL_CLID', 'directNumber': '+14085550177'}}
                   ).status_code == 204
    assert fake.caller_id_of(alice) == extra
    assert_webex_error(api.put(SELECTED, json={'selected': {'type': 'HUNT_GROUP', 'id': queue['id']}}), 400,
                       'not available to the user')
    assert_webex_error(api.put(SELECTED, json={'selected': {'type': 'ADDITIONAL_CLID', 'directNumber': '+1999'}}),
                       400, 'not available to the user')
    assert fake.caller_id_of(alice) == extra, 'unchanged'
    assert api.put(SELECTED, json={'selected': {'type': 'DEFAULT_CLID'}}).status_code == 204
    assert fake.caller_id_of(alice) == own
    refused(fake, api.put(SELECTED, json={'type': 'DEFAULT_CLID'}), 400, "body: 'selected' is a required property",
            "body: Additional properties are not allowed ('type' was unexpected)")
