"""
Work accepted from Webex and done after the webhook is answered, as data: a :class:`Task` names what to do (its
kind), for whom (its key: one key's tasks run in order), and carries the notification it came from. A task
travels through the durable work queue (:mod:`wxc_cc.stores.queue`) as a JSON record, which any worker of any
version of the bot may read.

Records carry a version (``v``). A reader takes a record of its own version or an older one as it is, and refuses
one with fields it does not know: that record is damaged. A record of a newer version may carry fields this
version does not know: they are ignored, so that the next version can add optional fields during a rolling
upgrade. What cannot be read raises :class:`UnreadableTask`, with the reason, and is set aside by the worker.
"""
import dataclasses
import datetime
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Optional

from .stores.queue import Entry

__all__ = ['Task', 'UnreadableTask', 'VERSION', 'MESSAGE', 'PRESS', 'MEMBERSHIP', 'CALL_EVENT', 'VOICEMAIL', 'END',
           'KINDS']

#: the version of the records this code writes: 1 had no ``v`` (26b0017 and before), 2 added ``v``
VERSION = 2

#: the kinds of task: those of a notification, and :data:`END`, a setting's time that is up (:mod:`wxc_cc.ends`)
MESSAGE, PRESS, MEMBERSHIP, CALL_EVENT, VOICEMAIL = 'message', 'press', 'membership', 'call_event', 'voicemail'
END = 'end'
KINDS = (MESSAGE, PRESS, MEMBERSHIP, CALL_EVENT, VOICEMAIL, END)


class UnreadableTask(ValueError):
    """
    A queued record that is not a task this version can carry out. The message says why, without the record.
    """


@dataclass(frozen=True)
class Task:
    """
    One piece of accepted work.
    """
    #: what to do: one of :data:`KINDS`
    kind: str
    #: whose it is (a person id, or a space for memberships): one key's tasks run one at a time, in order
    key: str
    #: what identifies the notification, e.g. ``'message:<id>'`` (it is acted on once)
    id: str
    #: the notification's envelope: ``id``, ``resource``, ``event``, ``data``, ``actorId``
    notification: dict = field(default_factory=dict)
    #: the monitored user a call event or voicemail event is for
    user_id: str = ''
    #: when Webex created what the notification is about (seconds since the epoch): one key's tasks run in this
    #: order
    created: float = 0.0
    #: when the bot accepted the notification (seconds since the epoch)
    accepted: float = 0.0
    #: when it is due (seconds since the epoch): a timed task's; 0 for a notification's, due when Webex created it
    due: float = 0.0
    #: what a task that comes from no notification carries (a timed task: what to put back)
    payload: dict = field(default_factory=dict)

    @classmethod
    def of(cls, kind: str, key: str, task_id: str, notification: dict, user_id: str = '',
           created: Optional[datetime.datetime] = None) -> 'Task':
        """
        A task for a notification.

        :param notification: the envelope, as :attr:`notification` keeps it
        :param created: when Webex created it (default: now)
        """
        now = datetime.datetime.now(datetime.timezone.utc)
        return cls(kind=kind, key=key, id=task_id, user_id=user_id, created=(created or now).timestamp(),
                   accepted=now.timestamp(), notification=notification)

    def entry(self) -> Entry:
        """The task as the work queue keeps it: due at :attr:`due`, else when Webex created its notification."""
        return Entry(id=self.id, key=self.key, kind=self.kind, due=self.due or self.created, body=self.to_json())

    def to_json(self) -> str:
        """The task as a record of this version."""
        return json.dumps({'v': VERSION, **asdict(self)}, separators=(',', ':'))

    @classmethod
    def from_json(cls, text: str) -> 'Task':
        """
        A task from a record of any version (see the module's description).

        :raises UnreadableTask: not JSON, not an object, fields missing, of the wrong type, or unknown to a record of
            this version or an older one
        """
        try:
            record = json.loads(text)
        except (TypeError, ValueError) as error:
            raise UnreadableTask(f'not JSON ({type(error).__name__})') from None
        if not isinstance(record, dict):
            raise UnreadableTask('not a JSON object')
        version = record.pop('v', 1)
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise UnreadableTask('version not a positive whole number')
        known = {spec.name: spec for spec in dataclasses.fields(cls)}
        unknown = sorted(set(record) - set(known))
        if unknown and version <= VERSION:
            raise UnreadableTask(f'unknown fields in a version {version} record: {", ".join(unknown)}')
        values = {name: record[name] for name in known if name in record}
        missing = [name for name in ('kind', 'key', 'id') if not values.get(name)]
        if missing:
            raise UnreadableTask(f'fields missing: {", ".join(missing)}')
        for name, value in values.items():
            if not _of_type(value, known[name].type):
                raise UnreadableTask(f'field {name!r} is not a {known[name].type.__name__}')
        return cls(**values)

    @property
    def person_id(self) -> str:
        """
        The person the task is about: who sent the message or pressed the button, the monitored user, or who
        added the bot to a space.
        """
        if self.kind == MEMBERSHIP:
            return self.notification.get('actorId') or ''
        return self.user_id or self.key


def _of_type(value: Any, kind: type) -> bool:
    """Whether a value read from JSON fits a field's type (:class:`str`, :class:`float`, :class:`dict`)."""
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, kind)
