"""
Who is in the sandbox: the bot, its integration and a few users of one organisation, each with a 1:1 space with
the bot, their devices, call queues and caller IDs, all in a local :class:`~fakewebex.FakeWebex`.
"""
import logging
import secrets
from dataclasses import dataclass
from typing import Optional

from fakewebex import FakeWebex, Person

__all__ = ['User', 'USERS', 'DEVICES', 'CALL_QUEUES', 'AGENTS', 'CALLER_IDS', 'BOT_EMAIL', 'BOT_NAME', 'CLIENT_ID',
           'INTEGRATION_NAME', 'Cast', 'populate']

log = logging.getLogger(__name__)

BOT_EMAIL = 'ccbot@webex.bot'
BOT_NAME = 'Call Control Bot'
CLIENT_ID = 'sandbox-integration'
INTEGRATION_NAME = 'Call Control Bot (sandbox integration)'


@dataclass(frozen=True)
class User:
    """A sandbox user: key (used in the page and the API), name, email, extension, number and time zone."""
    key: str
    name: str
    email: str
    extension: str
    number: str
    #: as Webex has it; None: none configured (the bot shows UTC)
    timezone: Optional[str] = None


USERS = (User('alice', 'Alice Anders', 'alice@example.com', '1001', '+14085551001', 'Europe/Berlin'),
         User('bob', 'Bob Brown', 'bob@example.com', '1002', '+14085551002', 'America/New_York'),
         User('carol', 'Carol Chen', 'carol@example.com', '1003', '+14085551003'))

#: user key -> their devices, (name, type), in the order Webex lists them
DEVICES = {'alice': (('Cisco 8865 (Desk)', 'DEVICE'), ('Webex Desktop Application', 'APPLICATION')),
           'bob': (('Cisco 8851 (Desk)', 'DEVICE'), ('Webex Mobile', 'APPLICATION')),
           'carol': (('Webex Desktop Application', 'APPLICATION'),)}
#: the call queues: key -> (name, extension, number, agents may leave it)
CALL_QUEUES = {'support': ('Support', '5001', '+14085555001', True), 'sales': ('Sales', '5002', None, False)}
#: user key -> (their call queues, those they joined); Carol has no call-centre service
AGENTS = {'alice': (('support', 'sales'), ('sales',)), 'bob': (('support',), ('support',))}
#: user key -> the caller IDs they may choose: (type, name, number, extension)
CALLER_IDS = {'alice': (('CALL_QUEUE', 'Support', '+14085555001', '5001'),
                        ('ADDITIONAL_CLID', 'Alice Anders (mobile)', '+14085550177', None)),
              'bob': (('HUNT_GROUP', 'Front desk', '+14085555100', '5100'),)}


@dataclass
class Cast:
    """The people of a populated fake."""
    bot: Person
    #: the integration's client secret (only the bot gets it)
    client_secret: str
    #: sandbox users by key, in the order of :data:`USERS`
    people: dict[str, Person]


def populate(fake: FakeWebex) -> Cast:
    """
    Add the bot, the integration and the users to a started fake; open each user's 1:1 space with the bot.

    :param fake: a fresh fake
    :return: who is there
    """
    bot = fake.add_bot(BOT_EMAIL, BOT_NAME)
    client_secret = secrets.token_urlsafe(24)
    fake.add_integration(CLIENT_ID, client_secret, name=INTEGRATION_NAME)
    people = {}
    for user in USERS:
        people[user.key] = fake.add_person(user.email, user.name, extension=user.extension, number=user.number,
                                           timezone=user.timezone)
        fake.direct_room(people[user.key])
        fake.set_devices(people[user.key], *DEVICES.get(user.key, ()))
        for kind, name, number, extension in CALLER_IDS.get(user.key, ()):
            fake.add_caller_id(people[user.key], kind, name, number, extension)
    queues = {key: fake.add_call_queue(name, extension, number, allow_log_off=may_leave)
              for key, (name, extension, number, may_leave) in CALL_QUEUES.items()}
    for key, (member_of, joined) in AGENTS.items():
        fake.make_agent(people[key], [queues[q] for q in member_of], joined=[queues[q] for q in joined])
    return Cast(bot, client_secret, people)
