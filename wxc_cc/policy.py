"""
Who may use the bot and where it may stay: the access policy, read from one JSON file.

The file is ``WXC_CC_CONFIG_FILE`` (default: ``wxc_cc_config.json`` in the working directory; without it the
defaults below apply)::

    {
      "senders": {"anyone": false, "own_org": true, "people": ["boss@partner.example"], "domains": ["example.com"]},
      "membership": {"own_org_only": true},
      "admins": ["admin@example.com"],
      "broadcast": {"senders": ["comms@example.com"], "destinations": "bots_org"},
      "rate_limit": {"commands": 20, "seconds": 60}
    }

* ``senders``: who may talk to the bot: anyone, or people of the bot's own organisation, or the listed people
  or email domains (any that matches admits). Default: anyone.
* ``membership.own_org_only``: leave group spaces owned by another organisation. Default: false.
* ``admins``: who may use ``/redis``, ``/auth maintenance`` and ``/broadcast``. Default: nobody.
* ``broadcast``: who else may broadcast, and to which spaces: ``all``, ``senders_org`` (owned by the sender's
  organisation) or ``bots_org``. Default: nobody else; ``bots_org``.
* ``rate_limit``: commands per person per time window. Default: 20 per 60 seconds.
"""
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from .config import ConfigError

__all__ = ['SenderPolicy', 'Policy', 'load_policy', 'DEFAULT_CONFIG_FILE', 'DESTINATIONS']

log = logging.getLogger(__name__)

DEFAULT_CONFIG_FILE = 'wxc_cc_config.json'

#: the broadcast destination choices
DESTINATIONS = ('all', 'senders_org', 'bots_org')


def _emails(values: Any, where: str) -> frozenset[str]:
    if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
        raise ConfigError(f'{where} must be a list of strings')
    return frozenset(value.strip().lower() for value in values if value.strip())


@dataclass(frozen=True)
class SenderPolicy:
    """
    Who may talk to the bot.
    """
    anyone: bool = True
    own_org: bool = False
    people: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()

    def admits_by_address(self, email: Optional[str]) -> bool:
        """
        True when the policy admits the sender without knowing their organisation.
        """
        address = (email or '').lower()
        return self.anyone or address in self.people or address.rpartition('@')[2] in self.domains

    @property
    def needs_org(self) -> bool:
        """True if a sender not admitted by address may still be admitted by organisation."""
        return not self.anyone and self.own_org


@dataclass(frozen=True)
class Policy:
    """
    The whole access policy.
    """
    senders: SenderPolicy = field(default_factory=SenderPolicy)
    membership_own_org_only: bool = False
    admins: frozenset[str] = frozenset()
    broadcast_senders: frozenset[str] = frozenset()
    broadcast_destinations: str = 'bots_org'
    rate_limit_commands: int = 20
    rate_limit_seconds: float = 60.0

    def is_admin(self, email: Optional[str]) -> bool:
        """True for the configured admins."""
        return (email or '').lower() in self.admins

    def may_broadcast(self, email: Optional[str]) -> bool:
        """True for admins and the configured broadcast senders."""
        return self.is_admin(email) or (email or '').lower() in self.broadcast_senders


def _section(data: dict, name: str) -> dict:
    section = data.get(name, {})
    if not isinstance(section, dict):
        raise ConfigError(f'"{name}" must be an object')
    return section


def _flag(section: dict, name: str, default: bool, where: str) -> bool:
    value = section.get(name, default)
    if not isinstance(value, bool):
        raise ConfigError(f'{where}.{name} must be true or false')
    return value


def parse_policy(data: Any) -> Policy:
    """
    The policy from the file's parsed JSON.

    :raises ConfigError: what is wrong, naming the key
    """
    if not isinstance(data, dict):
        raise ConfigError('the policy file must hold a JSON object')
    unknown = set(data) - {'senders', 'membership', 'admins', 'broadcast', 'rate_limit'}
    if unknown:
        raise ConfigError(f'unknown policy key(s): {", ".join(sorted(unknown))}')
    senders, membership = _section(data, 'senders'), _section(data, 'membership')
    broadcast, rate = _section(data, 'broadcast'), _section(data, 'rate_limit')
    destinations = broadcast.get('destinations', 'bots_org')
    if destinations not in DESTINATIONS:
        raise ConfigError(f'broadcast.destinations must be one of {", ".join(DESTINATIONS)}')
    commands, seconds = rate.get('commands', 20), rate.get('seconds', 60)
    if not isinstance(commands, int) or commands < 1 or not isinstance(seconds, (int, float)) or seconds <= 0:
        raise ConfigError('rate_limit needs "commands" (a positive integer) and "seconds" (a positive number)')
    return Policy(
        senders=SenderPolicy(anyone=_flag(senders, 'anyone', 'own_org' not in senders and 'people' not in senders
                                          and 'domains' not in senders, 'senders'),
                             own_org=_flag(senders, 'own_org', False, 'senders'),
                             people=_emails(senders.get('people', []), 'senders.people'),
                             domains=_emails(senders.get('domains', []), 'senders.domains')),
        membership_own_org_only=_flag(membership, 'own_org_only', False, 'membership'),
        admins=_emails(data.get('admins', []), 'admins'),
        broadcast_senders=_emails(broadcast.get('senders', []), 'broadcast.senders'),
        broadcast_destinations=destinations, rate_limit_commands=commands, rate_limit_seconds=float(seconds))


def load_policy(path: Optional[str]) -> Policy:
    """
    Read the policy file.

    :param path: ``WXC_CC_CONFIG_FILE``; ``None`` for the default file, which may be absent (defaults apply)
    :raises ConfigError: the file is missing (when named explicitly), unreadable or invalid
    """
    file = Path(path or DEFAULT_CONFIG_FILE)
    if not file.exists():
        if path:
            raise ConfigError(f'WXC_CC_CONFIG_FILE {path} does not exist')
        log.info('no policy file %s: anyone may use the bot, nobody is admin', file)
        return Policy()
    try:
        data = json.loads(file.read_text(encoding='utf-8'))
    except (OSError, ValueError) as error:
        raise ConfigError(f'policy file {file}: {error}') from None
    try:
        policy = parse_policy(data)
    except ConfigError as error:
        raise ConfigError(f'policy file {file}: {error}') from None
    log.info('policy from %s', file)
    return policy
