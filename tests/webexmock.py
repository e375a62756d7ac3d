"""
A `responses`-based Webex for unit tests: canned answers at the HTTP boundary, signed notifications, a record of
every request the bot made (method, path, body, and whose token it carried), and the check that each of them is
in Webex's published documents (:mod:`fakewebex.contract`, the same check the emulator makes).
"""
import datetime
import json
import urllib.parse
from dataclasses import dataclass
from itertools import count
from typing import Any, Optional

import responses
from responses import matchers
from wxc_sdk.tokens import Tokens

from fakewebex.contract import contract
from fakewebex.models import Violation
from tests.conftest import API, BOT_TOKEN, PUBLIC_URL
from wxc_cc.config import Settings
from wxc_cc.signature import sign
from wxc_cc.stores import UserContext

BOT_ID = 'BOT_PERSON_ID'
BOT_ORG = 'BOT_ORG_ID'
USER_ID = 'ALICE_PERSON_ID'
USER_EMAIL = 'alice@example.com'
USER_TOKEN = 'alice-access-token-1111'
USER_REFRESH = 'alice-refresh-token-2222'
ROOM_ID = 'DIRECT_ROOM_ALICE'


@dataclass(frozen=True)
class Sent:
    """One request the bot made."""
    method: str
    path: str
    query: dict
    body: Any
    token: Optional[str]

    @property
    def identity(self) -> str:
        """'bot', 'user', another token, or 'none'."""
        return {BOT_TOKEN: 'bot', USER_TOKEN: 'user', None: 'none'}.get(self.token, self.token)


def webex_time(age: float = 0.0) -> str:
    """A time as Webex writes it, ``age`` seconds ago."""
    moment = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=age)
    return moment.strftime('%Y-%m-%dT%H:%M:%S.') + f'{moment.microsecond // 1000:03d}Z'


def user_tokens(seconds_left: float = 3600, access: str = USER_TOKEN, refresh: str = USER_REFRESH) -> Tokens:
    now = datetime.datetime.now(datetime.timezone.utc)
    return Tokens(access_token=access, refresh_token=refresh, token_type='Bearer',
                  expires_at=now + datetime.timedelta(seconds=seconds_left),
                  refresh_token_expires_at=now + datetime.timedelta(days=90))


def user_context(seconds_left: float = 3600, timezone: Optional[str] = None) -> UserContext:
    """The test user as just authorized: their time zone (none configured, by default) read a moment ago."""
    return UserContext(user_id=USER_ID, email=USER_EMAIL, tokens=user_tokens(seconds_left), timezone=timezone,
                       timezone_read=datetime.datetime.now(datetime.timezone.utc))


def webhook(name: str, target_url: str, resource: str, event: str, secret: Optional[str], *,
            webhook_id: str = 'WH1', status: str = 'active') -> dict:
    body = {'id': webhook_id, 'name': name, 'targetUrl': target_url, 'resource': resource, 'event': event,
            'status': status, 'created': '2026-01-01T00:00:00.000Z'}
    if secret:
        body['secret'] = secret
    return body


class WebexMock:
    """
    Wraps a :class:`responses.RequestsMock`.
    """

    def __init__(self, rsps: responses.RequestsMock, settings: Settings):
        self.rsps = rsps
        self.settings = settings
        self._ids = count(1)
        rsps.add_callback(responses.POST, f'{API}/messages', callback=self._message_created,
                          content_type='application/json')

    def _message_created(self, request) -> tuple[int, dict, str]:
        try:
            body = json.loads(request.body)
        except (TypeError, ValueError):  # a file upload (multipart)
            body = {'files': ['uploaded']}
        return 200, {}, json.dumps({'id': f'SENT{next(self._ids)}', 'personId': BOT_ID, **body})

    # --- canned answers

    def add(self, method: str, path: str, status: int = 200, json_body: Any = None, **kwargs: Any) -> None:
        self.rsps.add(method, f'{API}{path}', status=status, json=json_body, **kwargs)

    def bot_setup(self, existing_webhooks: Optional[list] = None) -> None:
        """What the bot's start-up asks for: its identity, its webhooks."""
        self.add('GET', '/people/me', json_body={'id': BOT_ID, 'emails': ['ccbot@webex.bot'],
                                                 'displayName': 'CC Bot', 'type': 'bot', 'orgId': BOT_ORG})
        self.add('GET', '/webhooks', json_body={'items': existing_webhooks or []})
        self.rsps.add_callback(responses.POST, f'{API}/webhooks', callback=lambda r: (
            200, {}, json.dumps({'id': 'NEWWH', 'status': 'active', 'created': '2026-01-01T00:00:00Z',
                                 **json.loads(r.body)})), content_type='application/json')

    def user_me(self, timezone: Optional[str] = None, token: str = USER_TOKEN) -> None:
        """
        ``GET /people/me`` with the test user's token (``token``): the user, with ``timezone`` when they have one
        configured (Webex leaves the field out otherwise).
        """
        body = {'id': USER_ID, 'emails': [USER_EMAIL], 'displayName': 'Alice Anders', 'type': 'person',
                'orgId': BOT_ORG, 'created': '2025-01-01T00:00:00.000Z'}
        if timezone:
            body['timezone'] = timezone
        self.add('GET', '/people/me', json_body=body,
                 match=[matchers.header_matcher({'Authorization': f'Bearer {token}'})])

    def error(self, method: str, path: str, status: int, description: str) -> None:
        """Webex's error shape."""
        self.add(method, path, status=status, json_body={
            'message': description, 'errors': [{'description': description}], 'trackingId': 'T1'})

    # --- notifications

    def message_notification(self, text: str, *, person_id: str = USER_ID, email: str = USER_EMAIL,
                             room_type: str = 'direct', mentions: Optional[list] = None, age: float = 0.0,
                             claims: Optional[dict] = None) -> bytes:
        """
        A signed-to-be messages/created notification; the message itself answers GET /messages/{id}.

        :param mentions: person ids the message mentions; default: the bot in a group space, nobody in a 1:1
        :param age: seconds since Webex created the message
        :param claims: fields of the notification's data that differ from the message (a forged notification)
        """
        message_id = f'MSG{next(self._ids)}'
        mentions = ([BOT_ID] if room_type == 'group' else []) if mentions is None else mentions
        data = {'id': message_id, 'roomId': ROOM_ID, 'roomType': room_type, 'personId': person_id,
                'personEmail': email, 'created': webex_time(age)}
        if mentions:
            data['mentionedPeople'] = mentions
        self.add('GET', f'/messages/{message_id}', json_body={**data, 'text': text})
        return json.dumps({'id': 'BOTWH', 'name': 'ccbot.messages.created', 'resource': 'messages',
                           'event': 'created', 'actorId': person_id, 'data': {**data, **(claims or {})}}).encode()

    def action_notification(self, message_id: str, inputs: dict, *, person_id: str = USER_ID, age: float = 0.0,
                            claims: Optional[dict] = None) -> bytes:
        """
        A card press: the attachmentActions notification; the inputs answer GET /attachment/actions/{id}.

        :param age: seconds since Webex created the submission
        :param claims: fields of the notification's data that differ from the submission (a forged notification)
        """
        action_id = f'ACTION{next(self._ids)}'
        data = {'id': action_id, 'type': 'submit', 'messageId': message_id, 'personId': person_id,
                'roomId': ROOM_ID, 'created': webex_time(age)}
        self.add('GET', f'/attachment/actions/{action_id}', json_body={**data, 'inputs': inputs})
        return json.dumps({'id': 'ACTWH', 'name': 'ccbot.attachmentActions.created', 'resource': 'attachmentActions',
                           'event': 'created', 'actorId': person_id, 'data': {**data, **(claims or {})}}).encode()

    def signed(self, body: bytes, secret: Optional[str] = None) -> dict:
        return {'X-Spark-Signature': sign(secret or self.settings.webhook_secret, body),
                'Content-Type': 'application/json'}

    # --- what the bot did

    def sent(self) -> list[Sent]:
        result = []
        for call in self.rsps.calls:
            url = urllib.parse.urlsplit(call.request.url)
            body = call.request.body
            content_type = call.request.headers.get('Content-Type', '')
            if content_type.startswith('multipart/'):
                body = {'multipart': True}
            elif isinstance(body, bytes):
                body = body.decode()
            if body and content_type.startswith('application/x-www-form'):
                body = dict(urllib.parse.parse_qsl(body))
            elif isinstance(body, str) and body:
                body = json.loads(body)
            auth = call.request.headers.get('Authorization')
            result.append(Sent(call.request.method, url.path.removeprefix('/v1'),
                               dict(urllib.parse.parse_qsl(url.query)), body,
                               auth.removeprefix('Bearer ') if auth else None))
        return result

    def contract_violations(self) -> list[Violation]:
        """Every way a request the bot made left Webex's published documents."""
        found = []
        for call in self.rsps.calls:
            request = call.request
            url = urllib.parse.urlsplit(request.url)
            path = url.path.removeprefix('/v1')
            if not request.url.startswith(f'{API}/'):
                found.append(Violation('request', request.method, request.url, 'not below the API base URL'))
                continue
            body = request.body.encode() if isinstance(request.body, str) else request.body
            details = contract().check_request(request.method, path, urllib.parse.parse_qsl(url.query),
                                               request.headers.get('Content-Type', ''), body,
                                               request.headers.get('Authorization', ''))
            found.extend(Violation('request', request.method, path, detail) for detail in details)
        return found

    def summary(self) -> list[tuple[str, str, str]]:
        """(method, path, identity) of every request, in order."""
        return [(s.method, s.path, s.identity) for s in self.sent()]

    def replies(self) -> list[dict]:
        """Bodies of the messages the bot posted."""
        return [s.body for s in self.sent() if (s.method, s.path) == ('POST', '/messages')]

    def reset(self) -> None:
        self.rsps.calls.reset()


def chat(client, webex: WebexMock, text: str, **kwargs: Any) -> list[str]:
    """
    Send a command as a signed notification; return the markdown of the bot's replies to it.
    """
    before = len(webex.replies())
    body = webex.message_notification(text, **kwargs)
    response = client.post('/', data=body, headers=webex.signed(body))
    assert response.status_code == 200, response.text
    return [reply.get('markdown', '') for reply in webex.replies()[before:]]


def call(call_id: str, state: str, personality: str, name: str = 'Henry Green', number: str = '7101',
         created: str = '2026-01-01T10:00:00.000Z', **extra: Any) -> dict:
    """A call as GET /telephony/calls lists it."""
    return {'id': call_id, 'callSessionId': f'S-{call_id}', 'personality': personality, 'state': state,
            'remoteParty': {'name': name, 'number': number, 'privacyEnabled': False, 'callType': 'location'},
            'appearance': 1, 'created': created, **extra}


__all__ = ['WebexMock', 'Sent', 'chat', 'call', 'user_context', 'user_tokens', 'webhook', 'BOT_ID', 'USER_ID',
           'USER_EMAIL', 'USER_TOKEN', 'USER_REFRESH', 'ROOM_ID', 'PUBLIC_URL']


def call_event(call_id: str, state: str, event_type: str, at: str, *, personality: str = 'terminator',
               name: str = 'Henry Green', number: str = '7101', event: str = 'updated') -> bytes:
    """A telephony_calls notification for :data:`USER_ID`."""
    data = {'eventType': event_type, 'eventTimestamp': at, 'callId': call_id, 'callSessionId': f'S-{call_id}',
            'personality': personality, 'state': state, 'appearance': 1, 'created': '2026-01-01T10:00:00.000Z',
            'remoteParty': {'name': name, 'number': number, 'privacyEnabled': False, 'callType': 'location'}}
    return json.dumps({'id': 'WH', 'name': 'ccbot.telephony_calls', 'resource': 'telephony_calls', 'event': event,
                       'createdBy': USER_ID, 'actorId': USER_ID, 'data': data}).encode()
