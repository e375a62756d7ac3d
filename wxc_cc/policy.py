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

The models below mirror the file; they refuse unknown keys at every level and are immutable.
"""
import json
import logging
from pathlib import Path
from typing import Annotated, Any, Literal, Optional, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationError, \
    model_validator

from .config import ConfigError, expectation

__all__ = ['SenderPolicy', 'MembershipPolicy', 'BroadcastPolicy', 'RateLimit', 'Policy', 'parse_policy',
           'load_policy', 'DEFAULT_CONFIG_FILE', 'DESTINATIONS']

log = logging.getLogger(__name__)

DEFAULT_CONFIG_FILE = 'wxc_cc_config.json'

Destination = Literal['all', 'senders_org', 'bots_org']

#: the broadcast destination choices
DESTINATIONS: tuple[str, ...] = get_args(Destination)


def _normalized(values: frozenset[str]) -> frozenset[str]:
    return frozenset(value.strip().lower() for value in values if value.strip())


#: email addresses or domains: a list of strings, kept lower-case and stripped, blanks dropped
Addresses = Annotated[frozenset[str], AfterValidator(_normalized)]


class _Section(BaseModel):
    """A part of the policy file: immutable, and refusing keys it does not know."""
    model_config = ConfigDict(extra='forbid', frozen=True)


class SenderPolicy(_Section):
    """
    Who may talk to the bot (``senders``). ``anyone`` defaults to true only when none of ``own_org``,
    ``people`` and ``domains`` is given.
    """
    anyone: StrictBool = True
    own_org: StrictBool = False
    people: Addresses = frozenset()
    domains: Addresses = frozenset()

    @model_validator(mode='before')
    @classmethod
    def _anyone_unless_restricted(cls, data: Any) -> Any:
        if isinstance(data, dict) and 'anyone' not in data:
            return {**data, 'anyone': not {'own_org', 'people', 'domains'} & data.keys()}
        return data

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


class MembershipPolicy(_Section):
    """Where the bot may stay (``membership``)."""
    #: leave group spaces owned by another organisation
    own_org_only: StrictBool = False


class BroadcastPolicy(_Section):
    """Who else may broadcast, and to which spaces (``broadcast``)."""
    senders: Addresses = frozenset()
    destinations: Destination = 'bots_org'


class RateLimit(_Section):
    """Commands per person per time window (``rate_limit``)."""
    commands: StrictInt = Field(20, ge=1)
    seconds: float = Field(60.0, gt=0, strict=True, allow_inf_nan=False)


class Policy(_Section):
    """
    The whole access policy, shaped like the file.
    """
    senders: SenderPolicy = Field(default_factory=SenderPolicy)
    membership: MembershipPolicy = Field(default_factory=MembershipPolicy)
    admins: Addresses = frozenset()
    broadcast: BroadcastPolicy = Field(default_factory=BroadcastPolicy)
    rate_limit: RateLimit = Field(default_factory=RateLimit)

    @property
    def membership_own_org_only(self) -> bool:
        """``membership.own_org_only``."""
        return self.membership.own_org_only

    @property
    def broadcast_senders(self) -> frozenset[str]:
        """``broadcast.senders``."""
        return self.broadcast.senders

    @property
    def broadcast_destinations(self) -> str:
        """``broadcast.destinations``."""
        return self.broadcast.destinations

    @property
    def rate_limit_commands(self) -> int:
        """``rate_limit.commands``."""
        return self.rate_limit.commands

    @property
    def rate_limit_seconds(self) -> float:
        """``rate_limit.seconds``."""
        return self.rate_limit.seconds

    def is_admin(self, email: Optional[str]) -> bool:
        """True for the configured admins."""
        return (email or '').lower() in self.admins

    def may_broadcast(self, email: Optional[str]) -> bool:
        """True for admins and the configured broadcast senders."""
        return self.is_admin(email) or (email or '').lower() in self.broadcast_senders


def _problem(item: dict) -> str:
    """One error of pydantic's as the operator reads it: the dotted key, what it must be, the value given."""
    model: type[BaseModel] = Policy
    path: list[str] = []
    field = None
    for part in item['loc']:
        if isinstance(part, int):  # an item of a list: the list is at fault
            break
        if item['type'] == 'extra_forbidden' and len(path) == len(item['loc']) - 1:
            return (f'unknown policy key {".".join([*path, part])} '
                    f'(known: {", ".join(model.model_fields)})')
        path.append(part)
        field = model.model_fields[part]
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            model = field.annotation
    if field is None:
        return 'the policy file must hold a JSON object'
    value = item['input']
    shown = len(path) == len(item['loc']) and (value is None or isinstance(value, (str, int, float, bool)))
    return f'{".".join(path)} must be {expectation(field)}' + (f', not {json.dumps(value)}' if shown else '')


def parse_policy(data: Any) -> Policy:
    """
    The policy from the file's parsed JSON.

    :raises ConfigError: what is wrong, naming each key concerned
    """
    try:
        return Policy.model_validate(data)
    except ValidationError as error:
        problems = dict.fromkeys(_problem(item) for item in error.errors())
        raise ConfigError('; '.join(problems)) from None


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
