"""
End to end with the phone menu: the real bot under gunicorn, the Webex emulator keeping each person's devices,
call queues and caller IDs. /devices and its card choose the preferred device; `on <n>` makes a dial, an answer and
a pickup use only that device (the emulator shows which one rings); /pull moves the call; the name lookup's Call
button sends no endpointId; /queue and its card join and leave call queues and set the agent state, a queue that
may not be left stays; /callerid and its card choose the caller ID; /me shows it all, leaving out what Webex
refuses; numbers that match nothing change nothing.
"""
import pytest
import requests

from fakewebex import FakeWebex, Person
from tests.adaptivecard import validate_card
from tests.e2e import Chat

pytestmark = pytest.mark.e2e

SETTINGS = '/telephony/config/people/me/settings'
DESK, APP = ('Cisco 8865 (Desk)', 'DEVICE'), ('Webex Desktop Application', 'APPLICATION')


def card(fake: FakeWebex, person: Person, starts: str) -> dict:
    """The newest card in the person's space whose text starts with ``starts``."""
    return [m for m in fake.cards(person) if m['markdown'].startswith(starts)][-1]


def buttons(message: dict) -> list[tuple[str, dict]]:
    """Every button of a card (the rows' first, then the card's own): its title and the data a client submits."""
    content = message['attachments'][0]['content']
    validate_card(content)
    rows = [item for container in content['body'] if container['type'] == 'Container'
            for item in container['items'] if item['type'] == 'ActionSet']
    found = [action for row in rows for action in row['actions']] + content.get('actions', [])
    return [(action['title'], action['data']) for action in found]


def press(chat: Chat, message: dict, data: dict, contains: str) -> str:
    """Press a button of a card; the bot's reply."""
    seen = chat.seen()
    chat.fake.press(chat.person, message['id'], data)
    return chat.wait_reply(contains, seen)


def writes(fake: FakeWebex, mark: int, path: str) -> list:
    """The bodies of the requests to ``path`` that changed something, since ``mark``."""
    return [r.body for r in fake.requests_since(mark) if r.path == path and r.method in ('PUT', 'POST')]


def user_token(fake: FakeWebex, person: Person) -> dict:
    return {'Authorization': f"Bearer {fake.issue_tokens(person, 'client-id')['access_token']}"}


def test_devices_the_device_a_call_uses_and_pull(fake, e2e):
    alice = fake.add_person('alice@example.com', 'Alice Anders', extension='1001')
    bob = fake.add_person('bob@example.com', 'Bob Brown', extension='1002')
    carol = fake.add_person('carol@example.com', 'Carol Chen', extension='1003')
    fake.add_person('bobby@example.com', 'Bobby Blue', extension='1005')
    desk, app = fake.set_devices(alice, DESK, APP)
    e2e.start()
    chat = e2e.chat(alice)
    chat.authorize()
    listing = chat.say('/devices', 'Your devices')
    assert listing.splitlines()[1:3] == ['1. Cisco 8865 \\(Desk\\) · phone',
                                         '2. Webex Desktop Application · app']
    devices_card = card(fake, alice, '**Your devices')
    choices = buttons(devices_card)
    assert [title for title, _ in choices] == ['Make preferred', 'Make preferred', 'No preferred device']
    assert choices[1][1] == {'action': 'prefer_device', 'owner': alice.id, 'endpointId': app}
    mark = fake.mark()
    assert press(chat, devices_card, choices[1][1], 'preferred device') == \
        'Webex Desktop Application is now your preferred device: Webex answers your calls there.'
    assert writes(fake, mark, f'{SETTINGS}/preferredAnswerEndpoint') == [{'id': app}]
    assert [d['isPreferredAnswerEndpoint'] for d in fake.devices_of(alice)] == [False, True]
    assert chat.say('/devices none', 'preferred device').startswith('You have no preferred device now')
    assert [d['isPreferredAnswerEndpoint'] for d in fake.devices_of(alice)] == [False, False]
    mark = fake.mark()
    assert chat.say('/devices 9', 'no device') == \
        'There is no device 9. Yours: 1. Cisco 8865 \\(Desk\\), 2. Webex Desktop Application.'
    assert writes(fake, mark, f'{SETTINGS}/preferredAnswerEndpoint') == []

    # a dial on device 2 rings only the app; Bob answers; /pull 1 moves the call to the desk phone
    mark = fake.mark()
    assert chat.say('/dial 1002 on 2', 'Dialing').endswith('Device: Webex Desktop Application')
    assert writes(fake, mark, '/telephony/calls/dial') == [{'destination': '1002', 'endpointId': app}]
    [outgoing] = fake.calls(alice)
    assert fake.call_devices(alice, outgoing['id']) == ['Webex Desktop Application']
    requests.post(f'{fake.base_url}/telephony/calls/answer', json={'callId': fake.calls(bob)[0]['id']},
                  headers=user_token(fake, bob), timeout=5).raise_for_status()
    assert chat.say('/pull 1', 'Pulling') == \
        'Pulling your call to Cisco 8865 \\(Desk\\): it rings there; answer it to take the call over.'
    assert fake.call_devices(alice, outgoing['id']) == ['Cisco 8865 (Desk)']
    mark = fake.mark()
    assert chat.say('/pull', 'Pulling').startswith('Pulling your call: Webex rings another of your devices')
    assert writes(fake, mark, '/telephony/calls/pull') == [{}]
    assert fake.call_devices(alice, outgoing['id']) == ['Webex Desktop Application']
    assert chat.say('/pull on 3', 'no device').startswith('There is no device 3.')
    fake.remote_hangup(alice, outgoing['id'])

    # Carol calls: every device rings; /answer on 1 answers on the desk phone
    ringing = fake.ring(alice, from_person=carol)
    assert fake.call_devices(alice, ringing) == ['Cisco 8865 (Desk)', 'Webex Desktop Application']
    assert chat.say('/answer on 1', 'Answered') == ('Answered the call from Carol Chen (1003).  \n'
                                                    'Device: Cisco 8865 \\(Desk\\)')
    assert fake.call_devices(alice, ringing) == ['Cisco 8865 (Desk)']
    fake.remote_hangup(alice, ringing)

    # Bob's phone rings; Alice picks it up on the app
    fake.ring(bob, from_person=carol)
    assert chat.say('/pickup 1002 on 2', 'Picking up').endswith('Device: Webex Desktop Application')
    [picked] = fake.calls(alice)
    assert fake.call_devices(alice, picked['id']) == ['Webex Desktop Application'] and fake.calls(bob) == []
    fake.remote_hangup(alice, picked['id'])

    # by name on a device; several names: the card's Call buttons ring every device
    mark = fake.mark()
    assert chat.say('/dial Carol Chen on 1', 'Dialing').startswith('Dialing Carol Chen (1003)')
    assert writes(fake, mark, '/telephony/calls/dial') == [{'destination': '1003', 'endpointId': desk}]
    fake.remote_hangup(alice, fake.calls(alice)[0]['id'])
    several = chat.say('/dial Bob on 1', 'people in your organisation')
    assert several.splitlines()[-1] == 'The Call buttons ring all your devices.'
    people = [m for m in fake.cards(alice) if 'Bobby Blue' in m['markdown']][-1]
    mark = fake.mark()
    press(chat, people, dict(buttons(people))['Call Bobby Blue'], 'Dialing')
    assert writes(fake, mark, '/telephony/calls/dial') == [{'destination': '1005'}]
    assert fake.call_devices(alice, fake.calls(alice)[0]['id']) == ['Cisco 8865 (Desk)',
                                                                   'Webex Desktop Application']


def test_call_queues_caller_ids_and_me(fake, e2e):
    alice = fake.add_person('alice@example.com', 'Alice Anders', extension='1001', number='+14085551001')
    nina = fake.add_person('nina@example.com', 'Nina Noqueue', extension='1009')
    support = fake.add_call_queue('Support', '5001', '+18555550101')
    sales = fake.add_call_queue('Sales', '5002')
    front = fake.add_call_queue('Front desk', '5003', allow_log_off=False)
    fake.make_agent(alice, [support, sales, front], joined=[support, front])
    queue_caller_id = fake.add_caller_id(alice, 'CALL_QUEUE', 'Support', '+18555550101', '5001')
    fake.add_caller_id(alice, 'ADDITIONAL_CLID', 'Alice mobile', '+14085550177')
    fake.set_devices(alice, DESK)
    e2e.start()
    chat = e2e.chat(alice)
    chat.authorize()
    assert chat.say('/queue', 'Your call queues').splitlines() == [
        '**Your call queues (3), agent state: available**',
        '1. 5001 (\\+18555550101) · joined', '2. 5002 · not joined', '3. 5003 · joined · may not be left',
        '/queue join <n> or /queue leave <n> joins or leaves call queue n (without n: all of them); /queue '
        'available or /queue unavailable sets your state.']
    queues_card = card(fake, alice, '**Your call queues')
    leave_support, join_sales, available, _ = (data for _, data in buttons(queues_card))
    assert [title for title, _ in buttons(queues_card)] == ['Leave', 'Join', 'Available', 'Unavailable']
    assert join_sales == {'action': 'join_call_queue', 'owner': alice.id, 'queueId': sales}
    mark = fake.mark()
    assert press(chat, queues_card, join_sales, 'joined') == \
        'You joined call queue 5002: its calls can ring your phone.'
    assert writes(fake, mark, f'{SETTINGS}/queues') == [{'queues': [{'id': sales, 'available': True}]}]
    assert [q['available'] for q in fake.agent_of(alice)['queues']] == [True, True, True]

    mark = fake.mark()
    assert chat.say('/queue leave 3', 'may not leave').startswith('You may not leave call queue 5003')
    assert chat.say('/queue leave 7', 'no call queue').startswith('There is no call queue 7. Yours: 1. 5001')
    assert writes(fake, mark, f'{SETTINGS}/queues') == []
    assert chat.say('/queue leave', 'You left') == (
        'You left call queue 5001 (\\+18555550101), 5002: its calls no longer ring your phone. You stay in '
        '5003: your administrator does not allow leaving it.')
    assert writes(fake, mark, f'{SETTINGS}/queues') == [
        {'queues': [{'id': support, 'available': False}, {'id': sales, 'available': False}]}]
    assert [q['available'] for q in fake.agent_of(alice)['queues']] == [False, False, True]
    assert press(chat, queues_card, leave_support, 'not in call queue') == \
        'You are not in call queue 5001 (\\+18555550101).', 'the bot read the list again'
    assert chat.say('/queue unavailable', 'unavailable') == 'You are now unavailable for your call queues.'
    assert fake.agent_of(alice)['agentACDState'] == 'UNAVAILABLE'
    assert press(chat, queues_card, available, 'available') == \
        'You are now available for your call queues.'
    assert fake.agent_of(alice)['agentACDState'] == 'AVAILABLE'

    # caller IDs
    assert chat.say('/callerid', 'Your calls show').splitlines()[:3] == [
        '**Your calls show**: Alice Anders (\\+14085551001), your default',
        '1. Support (\\+18555550101), call queue', '2. Alice mobile (\\+14085550177), additional number']
    ids_card = card(fake, alice, '**Your calls show')
    assert [title for title, _ in buttons(ids_card)] == ['Use this', 'Use this', 'My default caller ID']
    _, use_mobile, use_default = (data for _, data in buttons(ids_card))
    assert press(chat, ids_card, use_mobile, 'Your calls') == \
        'Your calls now show Alice mobile (\\+14085550177), additional number.'
    assert fake.caller_id_of(alice)['directNumber'] == '+14085550177'
    assert chat.say('/callerid 1', 'Your calls') == 'Your calls now show Support (\\+18555550101), call queue.'
    assert fake.caller_id_of(alice) == queue_caller_id
    mark = fake.mark()
    assert chat.say('/callerid 5', 'no caller ID').startswith('There is no caller ID 5. Yours: 1. Support')
    assert writes(fake, mark, f'{SETTINGS}/selectedCallerId') == []

    assert chat.say('/me', 'Alice Anders').splitlines()[-4:-1] == [
        '- Preferred device: none', '- Call queues joined: 5003 (agent state: available)',
        '- Caller ID: Support (\\+18555550101), call queue'], 'then the time zone'
    assert press(chat, ids_card, use_default, 'Your calls') == \
        'Your calls now show your default caller ID.'
    assert fake.caller_id_of(alice)['type'] == 'DEFAULT_CLID'

    # someone without the call-centre service
    no_queue = e2e.chat(nina)
    no_queue.authorize()
    assert no_queue.say('/queue', 'call queue') == (
        'You belong to no call queue: The user is not a call queue agent: the call center service is not '
        'assigned.')
    assert no_queue.say('/me', 'Nina Noqueue').splitlines()[-3:-1] == [
        '- Preferred device: none', '- Caller ID: Nina Noqueue (1009), your default']
