"""
Webhook registrations and turning events into notifications (no HTTP here).
"""
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Optional
from urllib.parse import unquote, urlsplit

from .clock import iso
from .errors import WebexError, require_str
from .ids import new_id
from .models import Notification, Person

if TYPE_CHECKING:
    from .world import World

__all__ = ['RESOURCES', 'EVENTS', 'Webhook', 'WebhookRegistry']

log = logging.getLogger(__name__)

RESOURCES = frozenset({'all', 'attachmentActions', 'memberships', 'messages', 'rooms', 'meetings', 'recordings',
                       'meetingParticipants', 'meetingTranscripts', 'telephony_calls', 'telephony_conference',
                       'telephony_mwi', 'convergedRecordings', 'dataSources'})
EVENTS = frozenset({'all', 'created', 'updated', 'deleted', 'started', 'ended', 'joined', 'left', 'migrated'})
STATUSES = frozenset({'active', 'inactive'})


@dataclass
class Webhook:
    """
    A webhook registration.
    """
    id: str
    name: str
    target_url: str
    resource: str
    event: str
    filter: Optional[str]
    secret: Optional[str]
    status: str
    created: str
    org_id: str
    #: people id of the owner
    created_by: str
    app_id: str

    def to_json(self) -> dict[str, Any]:
        """
        :return: the webhook as the API returns it (the fields of webhooks.yml's ``Webhook``)
        """
        data = {'id': self.id, 'name': self.name, 'targetUrl': self.target_url, 'resource': self.resource,
                'event': self.event, 'filter': self.filter, 'secret': self.secret, 'status': self.status,
                'created': self.created, 'ownedBy': 'creator'}
        return {k: v for k, v in data.items() if v is not None}

    def envelope(self) -> dict[str, Any]:
        """
        :return: the webhook's part of a notification: as the API returns it, without the secret, with ``orgId``,
            ``createdBy`` and ``appId`` (Webex's webhooks guide shows them in every notification)
        """
        data = {k: v for k, v in self.to_json().items() if k != 'secret'}
        data.update(orgId=self.org_id, createdBy=self.created_by, appId=self.app_id)
        return data

    def accepts(self, resource: str, event: str, data: dict[str, Any]) -> bool:
        """
        :return: True if an event of this kind with this data is to be sent to this webhook
        """
        return (self.status == 'active' and self.resource in (resource, 'all') and self.event in (event, 'all')
                and self._filter_matches(data))

    def _filter_matches(self, data: dict[str, Any]) -> bool:
        for clause in filter(None, (self.filter or '').split('&')):
            key, _, value = clause.partition('=')
            value = unquote(value)
            if key == 'mentionedPeople':
                wanted = self.created_by if value == 'me' else value
                if wanted not in data.get('mentionedPeople', ()):
                    return False
            elif str(data.get(key)) != value:
                return False
        return True


def _target_url(body: dict) -> str:
    url = require_str(body, 'targetUrl')
    if urlsplit(url).scheme not in ('http', 'https') or not urlsplit(url).netloc:
        raise WebexError(400, description=f'targetUrl {url!r} is not a valid URL')
    return url


class WebhookRegistry:
    """
    All webhooks of a :class:`~fakewebex.world.World`.
    """

    def __init__(self, world: 'World'):
        """
        :param world: owner; provides lock, clock and the notification sink
        """
        self._world = world
        self._hooks: dict[str, Webhook] = {}

    def create(self, owner: Person, app_id: str, body: dict) -> dict:
        """
        Register a webhook (``POST /webhooks``).

        :param owner: token owner
        :param app_id: application the token acts for
        :param body: JSON body with ``name, targetUrl, resource, event, filter?, secret?``
        :return: the webhook JSON
        """
        name, target_url = require_str(body, 'name'), _target_url(body)
        resource, event = require_str(body, 'resource'), require_str(body, 'event')
        if resource not in RESOURCES:
            raise WebexError(400, description=f'Invalid resource {resource!r}')
        if event not in EVENTS:
            raise WebexError(400, description=f'Invalid event {event!r}')
        with self._world.lock:
            hook = Webhook(new_id('WEBHOOK'), name, target_url, resource, event, body.get('filter') or None,
                           body.get('secret') or None, 'active', iso(self._world.now()), owner.org_id,
                           owner.id, app_id)
            self._hooks[hook.id] = hook
            log.debug('webhook %s created by %s: %s/%s -> %s', hook.id, owner.email, resource, event, target_url)
            return hook.to_json()

    def list(self, owner: Optional[Person] = None) -> list[dict]:
        """
        :param owner: only webhooks of this person; all if None
        :return: webhook JSONs, oldest first
        """
        with self._world.lock:
            return [h.to_json() for h in self._hooks.values() if owner is None or h.created_by == owner.id]

    def _owned(self, owner: Person, webhook_id: str) -> Webhook:
        hook = self._hooks.get(webhook_id)
        if hook is None or hook.created_by != owner.id:
            raise WebexError(404, description='Webhook not found')
        return hook

    def get(self, owner: Person, webhook_id: str) -> dict:
        """
        :return: JSON of a webhook of ``owner``
        :raises WebexError: 404 if unknown or not the owner's
        """
        with self._world.lock:
            return self._owned(owner, webhook_id).to_json()

    def update(self, owner: Person, webhook_id: str, body: dict) -> dict:
        """
        ``PUT /webhooks/{id}``: set ``name, targetUrl`` (required), ``secret, status`` (optional).

        :return: the updated webhook JSON
        """
        with self._world.lock:
            hook = self._owned(owner, webhook_id)
            name, target_url = require_str(body, 'name'), _target_url(body)
            status = body.get('status', hook.status)
            if status not in STATUSES:
                raise WebexError(400, description=f'Invalid status {status!r}')
            hook.name, hook.target_url, hook.status = name, target_url, status
            if 'secret' in body:
                hook.secret = body['secret'] or None
            return hook.to_json()

    def delete(self, owner: Person, webhook_id: str) -> None:
        """
        ``DELETE /webhooks/{id}``.
        """
        with self._world.lock:
            del self._hooks[self._owned(owner, webhook_id).id]

    def set_status(self, webhook_id: str, status: str) -> None:
        """
        Change the status of any webhook (as Webex does after failed deliveries).

        :param webhook_id: webhook id
        :param status: ``'active'`` or ``'inactive'``
        """
        if status not in STATUSES:
            raise ValueError(f'invalid status {status!r}')
        with self._world.lock:
            self._hooks[webhook_id].status = status

    def fire(self, resource: str, event: str, data: dict[str, Any], *, actor_id: str,
             audience: Iterable[str]) -> int:
        """
        Queue notifications for an event to all matching webhooks.

        :param resource: e.g. ``'messages'``
        :param event: e.g. ``'created'``
        :param data: the ``data`` of the notification
        :param actor_id: person who caused the event
        :param audience: people ids whose webhooks may receive this event
        :return: number of notifications queued
        """
        audience = set(audience)
        with self._world.lock:
            hooks = [h for h in self._hooks.values()
                     if h.created_by in audience and h.accepts(resource, event, data)]
            for hook in hooks:
                envelope = hook.envelope()
                envelope.update(resource=resource, event=event, actorId=actor_id, data=data)
                self._world.emit(Notification(hook.id, resource, event, hook.target_url, hook.secret, envelope))
            return len(hooks)
