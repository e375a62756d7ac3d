"""
End to end with the phone settings: the real bot under gunicorn, the Webex emulator honouring the settings.
/dnd on -> a call to the person is rejected busy; /forward always -> calls ring the destination; /me; /dial by
name (one match dialed, several on a card whose Call button dials, none); a person authorized before the
settings scopes is told to /auth force, which fixes it; a person without a calling licence hears Webex's reason.
"""

import pytest
import requests

from tests.adaptivecard import validate_card
from tests.e2e import calls_made

pytestmark = pytest.mark.e2e

OLD_SCOPES = 'spark:calls_write spark:kms spark:calls_read spark-admin:telephony_config_read spark:people_read'
ME = '/telephony/config/people/me'


def test_do_not_disturb_and_forwarding_change_where_calls_ring(fake, e2e):
    bot = e2e.bot
    alice = fake.add_person('alice@example.com', 'Alice Anders', extension='1001', number='+14085551001')
    bob = fake.add_person('bob@example.com', 'Bob Brown', extension='1002')
    carol = fake.add_person('carol@example.com', 'Carol Chen', extension='1003')
    e2e.start()
    chat = e2e.chat(alice)
    chat.authorize()
    assert chat.say('/dnd', 'Do Not Disturb') == 'Do Not Disturb is off: your phone rings. /dnd on turns it on.'
    mark = fake.mark()
    assert chat.say('/dnd on', 'Do Not Disturb').startswith('Do Not Disturb is now on: callers hear busy')
    assert calls_made(fake, mark, 4) == [('GET', '/messages/{id}', bot.email),
                                         ('GET', f'{ME}/settings/doNotDisturb', alice.email),
                                         ('PUT', f'{ME}/settings/doNotDisturb', alice.email),
                                         ('POST', '/messages', bot.email)]
    assert fake.dnd_of(alice) is True

    # Bob calls Alice: rejected busy, Alice's phone does not ring
    token = fake.issue_tokens(bob, 'client-id')['access_token']
    dialed = requests.post(f'{fake.base_url}/telephony/calls/dial', json={'destination': '1001'}, timeout=5,
                           headers={'Authorization': f'Bearer {token}'})
    assert dialed.status_code == 201
    assert fake.calls(alice) == [] and fake.calls(bob) == []
    assert [(h['type'], h['name']) for h in fake.history(bob)] == [('placed', 'Alice Anders')]
    assert fake.ring(alice, 'Henry Green', '7101') is None

    assert chat.say('/dnd off', 'Do Not Disturb') == 'Do Not Disturb is now off: your phone rings again.'
    assert chat.say('/forward always 1003', 'forwarding') == \
        'Call forwarding (always) is now on: calls go to 1003.'
    call_id = fake.ring(alice, from_person=bob)
    assert fake.calls(alice) == []
    ringing = fake.call(carol, call_id)
    assert ringing['state'] == 'alerting' and ringing['remoteParty']['personId'] == bob.id
    assert ringing['redirections'][0]['reason'] == 'unconditional'
    fake.remote_hangup(carol, call_id)

    assert chat.say('/me', 'Alice Anders') == (
        '**Alice Anders** (alice@example\\.com)\n'
        '- Your numbers: extension 1001, number \\+14085551001\n'
        '- Do Not Disturb: off\n'
        '- Call forwarding: always to 1003\n'
        '- Preferred device: none\n'
        '- Caller ID: Alice Anders (\\+14085551001), your default\n'
        '- Time zone: none set in Webex, so I show times in UTC')
    assert chat.say('/forward busy voicemail', 'forwarding') == \
        'Call forwarding (when busy) is now on: calls go to your voicemail.'
    assert chat.say('/forward', 'Call forwarding') == (
        '**Call forwarding**\n- always: to 1003\n- when busy: to the voicemail of 1001\n- when not answered: off')
    assert chat.say('/forward off', 'forwarding') == 'Call forwarding is now off: your calls ring your phone again.'
    forwarding = fake.forwarding_of(alice)['callForwarding']
    assert not forwarding['always']['enabled'] and not forwarding['busy']['enabled']
    assert fake.call(alice, fake.ring(alice))['state'] == 'alerting'


def test_dial_by_name(fake, e2e):
    alice = fake.add_person('alice@example.com', 'Alice Anders', extension='1001')
    carol = fake.add_person('carol@example.com', 'Carol Chen', extension='1003', title='Sales Engineer')
    fake.add_person('bob@example.com', 'Bob Brown', extension='1002', title='Support')
    bobby = fake.add_person('bobby@example.com', 'Bobby Blue', number='+14085551005')
    e2e.start()
    chat = e2e.chat(alice)
    chat.authorize()
    mark = fake.mark()
    assert chat.say('/dial Carol Chen', 'Dialing').startswith('Dialing Carol Chen (1003): your phone rings first')
    made = calls_made(fake, mark, 4)
    assert made[1:3] == [('GET', '/people', alice.email), ('POST', '/telephony/calls/dial', alice.email)]
    lookup = [r for r in fake.requests_since(mark) if r.path == '/people'][0]
    assert lookup.query == {'displayName': 'Carol Chen', 'callingData': 'true', 'max': '11'}
    [outgoing] = fake.calls(alice)
    assert outgoing['remoteParty']['personId'] == carol.id and len(fake.calls(carol)) == 1
    fake.remote_hangup(alice, outgoing['id'])

    several = chat.say('/dial bob', 'people in your organisation')
    assert several.splitlines()[1:3] == ['- Bob Brown (1002), Support', r'- Bobby Blue (\+14085551005)']
    assert fake.calls(alice) == [], 'several matches: no dial'
    [card] = [m for m in fake.cards(alice) if 'Bobby Blue' in m['markdown']]
    content = card['attachments'][0]['content']
    validate_card(content)
    buttons = {action['title']: action['data'] for container in content['body']
               if container['type'] == 'Container' for item in container['items']
               if item['type'] == 'ActionSet' for action in item['actions']}
    assert list(buttons) == ['Call Bob Brown', 'Call Bobby Blue']
    seen = chat.seen()
    fake.press(alice, card['id'], buttons['Call Bobby Blue'])
    assert chat.wait_reply('Dialing', seen).startswith(r'Dialing \+14085551005')
    fake.wait_until(lambda: len(fake.calls(bobby)) == 1)
    assert fake.calls(alice)[0]['remoteParty']['personId'] == bobby.id

    assert chat.say('/dial Zed Zulu', 'nobody') == \
        'I found nobody called Zed Zulu in your organisation. /dial also takes a number or SIP URI.'
    assert chat.say('/dial 1234', 'Dialing').startswith('Dialing 1234'), 'numbers as before'


def test_an_old_authorization_and_no_calling_licence(fake, e2e):
    alice = fake.add_person('alice@example.com', 'Alice Anders', extension='1001')
    nina = fake.add_person('nina@example.com', 'Nina Nocall')
    process = e2e.start(WXC_CC_INTEGRATION_CLIENT_SCOPES=OLD_SCOPES)
    chat = e2e.chat(alice)
    chat.authorize()
    reauthorize = ('You authorized me before I could read and change your phone settings. Send /auth force to '
                   'authorize me again, then try once more.')
    assert chat.say('/dnd on', 'authorized me before') == reauthorize
    assert [(r.method, r.status) for r in fake.requests if r.path.startswith(ME)] == [('GET', 403)]

    # the deployment asks for the new scopes; Alice's stored tokens are still the old ones
    del process.env['WXC_CC_INTEGRATION_CLIENT_SCOPES']
    process.restart()
    assert chat.say('/me', 'authorized me before') == reauthorize
    chat.authorize(command='/auth force')
    assert chat.say('/dnd on', 'Do Not Disturb').startswith('Do Not Disturb is now on')
    assert fake.dnd_of(alice) is True

    no_calling = e2e.chat(nina)
    no_calling.authorize()
    assert no_calling.say('/forward', 'Webex has no phone settings') == (
        'Webex has no phone settings for you: The user is not a Webex Calling user: no calling license is '
        'assigned. Your account seems to have no Webex Calling licence; ask your administrator.')
