"""
The sandbox's own web app under ``/sandbox``: the page (static files) and its JSON API, which acts on the
fake Webex the way people and phones would (a user writes to the bot, presses a card button, a caller rings,
the far end answers) and shows what happened (chat, calls, the API trace).

API (JSON in and out; errors are ``{"error": "..."}`` with a 4xx status):

- ``GET /sandbox/api/state?user=alice&after=SEQ``: users, the user's chat, calls (and the devices they ring),
  voicemail, Do Not Disturb and call forwarding, devices, call queues and caller ID, the settings that go back by
  themselves (the bot's pending ends), trace rows newer than ``SEQ`` (newest first)
- ``POST /sandbox/api/say`` ``{user, text}``: the user writes to the bot
- ``POST /sandbox/api/press`` ``{user, messageId, inputs}``: the user submits a card
- ``POST /sandbox/api/ring`` ``{user, caller, name, number}``: a call for the user from another sandbox user
  (``caller`` is their key) or from outside (``caller: "outside"`` with ``name`` and ``number``); answers
  ``{callId, rings}``: the call that rings and the key of the user whose phone it is (``null`` for both when no
  phone rings: Do Not Disturb, or forwarded to voicemail or outside)
- ``POST /sandbox/api/far-end`` ``{user, callId, action}``: the far end answers, holds, resumes or hangs up
- ``POST /sandbox/api/voicemail`` ``{user, caller, name, number}``: a caller leaves a voice message
- ``POST /sandbox/api/expire`` ``{user}``: the user's access tokens expire now
- ``POST /sandbox/api/fail-next`` ``{}``: the bot's next API request is answered 429 with ``Retry-After: 1``
"""
import datetime
import logging
from pathlib import Path
from typing import Any, Callable

from flask import Flask, Response, jsonify, request, send_from_directory

from fakewebex import FakeWebex, Person, WebexError
from wxc_cc.ends import Ends
from wxc_cc.replies import Replies

from .cast import USERS, Cast
from .views import call_view, ends_view, message_view, phone_view, settings_view, trace_row

__all__ = ['PREFIX', 'STATIC', 'TRACE_ROWS', 'create_sandbox_app']

log = logging.getLogger(__name__)

PREFIX = '/sandbox'
STATIC = Path(__file__).parent / 'static'
#: most trace rows one state poll returns
TRACE_ROWS = 200


class BadRequest(Exception):
    """A request of the page the sandbox cannot serve: answered 400 (or ``status``) with the message."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest('a JSON object is required')
    return body


def _text(body: dict, key: str, limit: int = 2000) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise BadRequest(f'{key} must be a non-empty string of at most {limit} characters')
    return value


def create_sandbox_app(fake: FakeWebex, cast: Cast, ends: Ends, replies: Replies) -> Flask:
    """
    :param fake: the running fake Webex, populated with ``cast``
    :param cast: who is in the sandbox
    :param ends: the bot's pending ends (in the store the bot uses)
    :param replies: the bot's replies, as its deployment words them
    :return: the WSGI app serving ``/sandbox`` and ``/sandbox/...``
    """
    app = Flask('sandbox', static_folder=None)
    app.json.sort_keys = False
    people = cast.people

    def person(key: Any) -> Person:
        if key not in people:
            raise BadRequest(f'unknown user {key!r}; one of {", ".join(people)}')
        return people[key]

    def caller_of(body: dict, callee: Person) -> dict[str, Any]:
        """The caller of a ring or a voice message, as keyword arguments of the fake's helpers."""
        key = body.get('caller', 'outside')
        if key == 'outside':
            return {'from_name': _text(body, 'name', 80), 'from_number': _text(body, 'number', 40)}
        caller = person(key)
        if caller.id == callee.id:
            raise BadRequest('a user cannot call themselves')
        return {'from_person': caller}

    def devices_of(user: Person, call_id: str) -> list[str]:
        """The devices a call of the user rings or is on; none when it ended meanwhile."""
        try:
            return fake.call_devices(user, call_id)
        except WebexError:
            return []

    @app.errorhandler(BadRequest)
    def _bad(error: BadRequest) -> Response:
        return jsonify({'error': str(error)}), error.status

    @app.errorhandler(WebexError)
    def _refused(error: WebexError) -> Response:
        return jsonify({'error': error.description or error.message}), error.status

    @app.get(PREFIX)
    @app.get(f'{PREFIX}/')
    def page() -> Response:
        return send_from_directory(STATIC, 'index.html', max_age=0)

    @app.get(f'{PREFIX}/static/<path:name>')
    def static_file(name: str) -> Response:
        return send_from_directory(STATIC, name, max_age=0)

    @app.get(f'{PREFIX}/api/state')
    def state() -> Response:
        user = person(request.args.get('user', USERS[0].key))
        after = request.args.get('after', -1, type=int)
        secrets = set(fake.issued_tokens())
        rows = [trace_row(r, secrets) for r in reversed(fake.requests) if r.seq > after][:TRACE_ROWS]
        voicemails = fake.voicemails(user)
        calls = [call_view(c, devices_of(user, c['id'])) for c in fake.calls(user)]
        agent = fake.agent_of(user)
        queue_names = {q['id']: fake.call_queue_name(q['id']) for q in (agent or {}).get('queues', [])}
        return jsonify({
            'users': [{'key': u.key, 'name': u.name, 'email': u.email, 'extension': u.extension,
                       'number': u.number} for u in USERS],
            'bot': {'name': cast.bot.display_name, 'email': cast.bot.email},
            'user': next(u.key for u in USERS if people[u.key].id == user.id),
            'messages': [message_view(m, cast.bot) for m in fake.messages(person=user)],
            'calls': calls,
            'voicemail': {'new': sum(not v.get('read') for v in voicemails), 'total': len(voicemails)},
            'settings': settings_view(fake.dnd_of(user), fake.forwarding_of(user)),
            'phone': phone_view(fake.devices_of(user), calls, agent, queue_names, fake.caller_id_of(user)),
            'ends': ends_view(ends.pending(user.id), replies.in_zone(user.timezone),
                              datetime.datetime.now(datetime.timezone.utc)),
            'timezone': user.timezone,
            'trace': rows})

    def action(name: str, handler: Callable[[dict], Any]) -> None:
        def view() -> Response:
            return jsonify(handler(_body()) or {'ok': True})
        app.add_url_rule(f'{PREFIX}/api/{name}', f'api_{name}', view, methods=['POST'])

    def say(body: dict) -> dict:
        user = person(body.get('user'))
        # the emulated browser is signed in as whoever chats: the consent page offers them first
        fake.consent_as = user
        return {'id': fake.send_message(user, _text(body, 'text', 7000))['id']}

    def press(body: dict) -> dict:
        inputs = body.get('inputs') or {}
        if not isinstance(inputs, dict):
            raise BadRequest('inputs must be an object')
        return {'id': fake.press(person(body.get('user')), _text(body, 'messageId', 400), inputs)['id']}

    def ring(body: dict) -> dict:
        user = person(body.get('user'))
        call_id = fake.ring(user, **caller_of(body, user))
        rings = next((key for key, someone in people.items() if any(c['id'] == call_id for c in fake.calls(someone))),
                     None)
        return {'callId': call_id, 'rings': rings}

    def far_end(body: dict) -> None:
        helpers = {'answer': fake.remote_answer, 'hangup': fake.remote_hangup, 'hold': fake.remote_hold,
                   'resume': fake.remote_resume}
        if body.get('action') not in helpers:
            raise BadRequest(f'action must be one of {", ".join(helpers)}')
        helpers[body['action']](person(body.get('user')), _text(body, 'callId', 400))

    def voicemail(body: dict) -> dict:
        user = person(body.get('user'))
        return {'id': fake.leave_voicemail(user, **caller_of(body, user))}

    def expire(body: dict) -> dict:
        return {'expired': fake.expire_access_tokens(person(body.get('user')))}

    def fail_next(body: dict) -> None:
        # any request of the bot (the browser's consent pages are not the lesson)
        fake.fail_next('*', r'(?!/authorize$).*', 429, description='Too many requests (sandbox)',
                       headers={'Retry-After': '1'})

    for name, handler in (('say', say), ('press', press), ('ring', ring), ('far-end', far_end),
                          ('voicemail', voicemail), ('expire', expire), ('fail-next', fail_next)):
        action(name, handler)
    return app
