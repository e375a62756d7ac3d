"""
The webhooks the bot creates: its own (chat messages to the bot), and one per monitored user for that user's
call events. Every one carries a secret; a webhook is recognised as the bot's by its name, and webhooks with
other names are never touched.
"""
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from wxc_sdk.base import enum_str
from wxc_sdk.webhook import Webhook

from .signature import derive_secret
from .webex import Webhooks

__all__ = ['WebhookSpec', 'reconcile', 'BotWebhooks', 'CallEventWebhooks']

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WebhookSpec:
    """
    A webhook as it should be.
    """
    name: str
    target_url: str
    resource: str
    event: str
    secret: str

    def matches(self, webhook: Webhook) -> bool:
        """
        True if ``webhook`` is exactly this one and active. A webhook listed without its secret does not match,
        so that its secret gets set.
        """
        return (webhook.name == self.name and webhook.target_url == self.target_url
                and enum_str(webhook.resource) == self.resource and enum_str(webhook.event) == self.event
                and webhook.secret == self.secret and enum_str(webhook.status) == 'active')


def reconcile(api: Webhooks, spec: WebhookSpec, existing: Iterable[Webhook]) -> str:
    """
    Make sure exactly one webhook fits ``spec``: keep a matching one, update a stale one of the same
    name, resource and event, create one when there is none, and delete extra ones of the same name.

    :param api: the webhook API, with the token of the webhooks' owner
    :param spec: the wanted webhook
    :param existing: the owner's current webhooks
    :return: ``'unchanged'``, ``'updated'`` or ``'created'``
    """
    same = [w for w in existing if w.name == spec.name]
    keep = next((w for w in same if spec.matches(w)), None)
    if keep is None:
        keep = next((w for w in same if enum_str(w.resource) == spec.resource and enum_str(w.event) == spec.event),
                    None)
        outcome = 'updated' if keep else 'created'
    else:
        outcome = 'unchanged'
    for extra in same:
        if extra is not keep:
            api.webhook_delete(extra.webhook_id)
            log.info('deleted extra webhook %s (%s)', extra.webhook_id, spec.name)
    if outcome == 'created':
        keep = api.create(name=spec.name, target_url=spec.target_url, resource=spec.resource, event=spec.event,
                          secret=spec.secret)
    elif outcome == 'updated':
        keep = api.update_webhook(keep.webhook_id, name=spec.name, target_url=spec.target_url, secret=spec.secret,
                                  status='active')
    log.info('webhook %s %s: %s -> %s', keep.webhook_id, outcome, spec.name, spec.target_url)
    return outcome


class BotWebhooks:
    """
    The bot's own webhooks.

    :param bot_name: the bot's name, prefix of the webhook names
    :param public_url: the bot's public base URL
    :param secret: the bot's webhook secret
    """
    #: (resource, event) pairs the bot listens to
    EVENTS = (('messages', 'created'), ('attachmentActions', 'created'), ('memberships', 'created'))

    def __init__(self, *, bot_name: str, public_url: str, secret: str):
        self.specs = [WebhookSpec(name=f'{bot_name}.{resource}.{event}', target_url=f'{public_url}/',
                                  resource=resource, event=event, secret=secret)
                      for resource, event in self.EVENTS]

    def ensure(self, api: Webhooks) -> dict[str, str]:
        """
        Register the bot's webhooks, keeping those already right.

        :return: outcome per webhook name
        """
        existing = list(api.list())
        return {spec.name: reconcile(api, spec, existing) for spec in self.specs}


class CallEventWebhooks:
    """
    The per-user webhooks of a monitored user: ``telephony_calls`` (call events) and ``telephony_mwi`` (new
    voicemail), both delivered to ``/callevent/<person id>``.

    :param bot_name: the bot's name; the webhooks are named ``<bot name>.telephony_calls`` and
        ``<bot name>.telephony_mwi``
    :param public_url: the bot's public base URL
    :param master_secret: the bot's webhook secret, from which each user's secret is derived
    """
    #: the resources watched for a monitored user
    RESOURCES = ('telephony_calls', 'telephony_mwi')

    def __init__(self, *, bot_name: str, public_url: str, master_secret: str):
        self.names = {f'{bot_name}.{resource}': resource for resource in self.RESOURCES}
        self.public_url = public_url
        self._master_secret = master_secret

    def target_url(self, user_id: str) -> str:
        """
        Where a user's events are delivered: ``{public URL}/callevent/{user_id}``.
        """
        return f'{self.public_url}/callevent/{user_id}'

    def fingerprint(self) -> str:
        """
        A short digest of what the users' webhooks depend on (public URL, master secret); it changes when they
        must be updated. It reveals neither.
        """
        material = f'{self.public_url}\n{self._master_secret}'.encode()
        return hashlib.sha256(material).hexdigest()[:16]

    def secret(self, user_id: str) -> str:
        """
        The secret of a user's webhooks (the user can read it, so it is theirs alone).
        """
        return derive_secret(self._master_secret, f'callevent:{user_id}')

    def specs(self, user_id: str) -> list[WebhookSpec]:
        """
        The webhooks a monitored user should have.
        """
        return [WebhookSpec(name=name, target_url=self.target_url(user_id), resource=resource, event='all',
                            secret=self.secret(user_id)) for name, resource in self.names.items()]

    def ours(self, webhooks: Iterable[Webhook]) -> list[Webhook]:
        """
        The webhooks among ``webhooks`` that this bot made for monitoring.
        """
        return [w for w in webhooks if w.name in self.names]

    def enable(self, api: Webhooks, user_id: str, only_existing: bool = False) -> str:
        """
        Turn monitoring on (or, with ``only_existing``, bring the webhooks of a monitored user up to date).

        :param api: the webhook API with the user's token
        :param user_id: the user
        :param only_existing: do nothing unless the user has webhooks of ours (monitoring is on)
        :return: ``'unchanged'`` if every webhook was right, else ``'updated'`` or ``'created'``
        """
        existing = list(api.list())
        if only_existing and not self.ours(existing):
            return 'unchanged'
        outcomes = {reconcile(api, spec, existing) for spec in self.specs(user_id)}
        return next((o for o in ('created', 'updated') if o in outcomes), 'unchanged')

    def disable(self, api: Webhooks) -> int:
        """
        Turn monitoring off: delete the user's monitoring webhooks made by this bot.

        :param api: the webhook API with the user's token
        :return: number of webhooks deleted
        """
        ours = self.ours(api.list())
        for webhook in ours:
            api.webhook_delete(webhook.webhook_id)
        return len(ours)
