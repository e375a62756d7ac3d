"""
The table of event kinds: a notification's kind decides at the door (queued as which task, or answered at once)
and names who does the task; a task of a kind this version does not know is set aside at once.
"""
import datetime
import json

import pytest

from wxc_cc.events import BOT, KINDS, USER, Accepted, Door, by_name, kind_of
from wxc_cc.notifications import Notification
from wxc_cc.runner import TaskRunner
from wxc_cc.stores.file_locks import LifeMarks
from wxc_cc.stores.sqlite import SQLiteDatabase
from wxc_cc.stores.sqlite_queue import SQLiteWorkQueue
from wxc_cc.task import Task
from wxc_cc.worker import QueueWorker

pytestmark = pytest.mark.unit

BOT_ID, ALICE = 'BOT', 'ALICE'
WHEN = '2026-01-08T10:00:00.000Z'


def notification(resource: str, event: str = 'created', **data) -> Notification:
    return Notification(webhook_id='W', resource=resource, event=event, data=data)


def decide(route: str, note: Notification, user_id: str = '', body: bytes = b'{}'):
    kind = kind_of(route, note)
    return kind.name, kind.admit(kind.read(note), Door(BOT_ID, user_id, body))


def test_each_kind_is_found_where_it_arrives_and_decides_at_the_door():
    message = dict(id='M1', roomId='R', roomType='direct', personId=ALICE, created=WHEN)
    created = datetime.datetime(2026, 1, 8, 10, tzinfo=datetime.timezone.utc)
    assert decide(BOT, notification('messages', **message)) == ('message', Accepted(ALICE, 'message:M1', created))
    assert decide(BOT, notification('messages', **{**message, 'personId': BOT_ID})) == ('message',
                                                                                      'own message ignored')
    assert decide(BOT, notification('messages', **{**message, 'roomType': 'group'}))[1] == \
        'group message without mention ignored'
    assert decide(BOT, notification('messages', **{**message, 'roomType': 'group', 'mentionedPeople': [BOT_ID]}))[
        1] == Accepted(ALICE, 'message:M1', created)
    assert decide(BOT, notification('attachmentActions', id='A1', type='submit', messageId='M', personId=ALICE,
                                    roomId='R', created=WHEN)) == ('press', Accepted(ALICE, 'action:A1', created))
    assert decide(BOT, notification('memberships', id='X', roomId='R', personId=BOT_ID, created=WHEN)) == (
        'membership', Accepted('R', 'membership:X', created))
    assert decide(BOT, notification('memberships', id='X', roomId='R', personId=ALICE))[1] == \
        'membership of another ignored'
    call = dict(eventType='connected', eventTimestamp=WHEN, callId='C1', callSessionId='S1', personality='originator',
                state='connected', created=WHEN, remoteParty={'name': 'Bob', 'number': '1002', 'callType': 'location'})
    assert decide(USER, notification('telephony_calls', 'updated', **call), ALICE) == ('call_event', Accepted(
                                         ALICE, f'call:{ALICE}:C1:connected:{created.isoformat()}', created, ALICE))
    body = json.dumps({'newMessages': 1}).encode()
    kind, voicemail = decide(USER, notification('telephony_mwi', 'updated', newMessages=1), ALICE, body)
    assert kind == 'voicemail' and voicemail.id.startswith(f'mwi:{ALICE}:') and voicemail.key == ALICE
    assert kind_of(BOT, notification('rooms')) is None, 'not served'
    assert kind_of(BOT, notification('telephony_calls')) is None, "a call event at the bot's own URL is not one"


def test_every_kind_is_done_by_a_method_of_the_runner():
    for kind in KINDS:
        assert by_name(kind.name) is kind and callable(getattr(TaskRunner, kind.does))
    assert by_name('teleport') is None


def test_a_task_of_a_kind_this_version_does_not_know_is_set_aside_at_once(tmp_path):
    queue = SQLiteWorkQueue(SQLiteDatabase(tmp_path / 'q.db', durable=True), LifeMarks(tmp_path / 'workers'))
    runner = TaskRunner(conversation=None, memberships=None, monitor=None, tokens=None,
                        person_keys=lambda person: person, restorer=None)
    assert queue.put(Task(kind='teleport', key=ALICE, id='teleport:1', created=1).entry())
    worker = QueueWorker(queue=queue, runner=runner, threads=1)
    worker.start()
    try:
        assert worker.wait_idle(10)
    finally:
        assert worker.stop(5)
    [dead] = queue.dead_letters()
    assert (dead['id'], dead['attempts'], dead['reason']) == ('teleport:1', 1,
                                                              "unreadable: kind 'teleport' unknown to this version")
