"""
The one chain of checks that messages and card presses go through, in order, each a named unit: what each reads
from Webex's answer beside the notification's claims, and that the first to stop ends the chain.
"""
import datetime

import pytest
from wxc_sdk.attachment_actions import AttachmentAction, AttachmentActionData
from wxc_sdk.messages import Message

from wxc_cc.checks import (Admitted, Agrees, Check, Fresh, InDirectSpace, Incoming, WithinRate, checks,
                           first_stop)
from wxc_cc.notifications import MessageCreated

pytestmark = pytest.mark.unit

NOW = datetime.datetime.now(datetime.timezone.utc)


def test_the_chain_and_what_each_check_counts():
    chain = checks(gate=None, messenger=None, catalogue=None, max_age=300)
    assert [(type(check), check.outcome) for check in chain] == [
        (Agrees, 'ignored'), (Admitted, 'refused'), (Fresh, 'too_old'), (WithinRate, 'rate_limited'),
        (InDirectSpace, 'ignored')]


def test_a_message_beside_its_notification():
    claimed = MessageCreated(message_id='M', room_id='R', room_type='direct', person_id='ALICE',
                             person_email='alice@example.com')
    message = Message(id='M', roomId='R', roomType='direct', personId='ALICE', personEmail='alice@example.com',
                      created=NOW)
    assert Incoming.of_message(claimed, message, 'BOT') == Incoming('message', 'M', 'ALICE', 'alice@example.com', 'R',
                                                                     'direct', NOW, None)
    forged = MessageCreated(message_id='M', room_id='R2', room_type='direct', person_id='MALLORY', person_email=None)
    assert Incoming.of_message(forged, message, 'BOT').disagreement == 'personId, roomId'
    group = Message(id='M', roomId='R', roomType='group', personId='ALICE', created=NOW)
    assert Incoming.of_message(MessageCreated('M', 'R', 'group', 'ALICE', None), group, 'BOT').disagreement == \
        'mentionedPeople'


def test_a_press_beside_its_notification():
    claimed = AttachmentActionData(id='A', type='submit', messageId='CARD', personId='ALICE', roomId='R', created=NOW)
    action = AttachmentAction(id='A', type='submit', messageId='CARD', personId='ALICE', roomId='R', created=NOW, inputs={})
    assert Incoming.of_press(claimed, action) == Incoming('card press', 'A', 'ALICE', None, 'R', 'direct', NOW, None)
    other = AttachmentAction(id='A', type='submit', messageId='OTHER', personId='ALICE', roomId='R', created=NOW, inputs={})
    assert Incoming.of_press(claimed, other).disagreement == 'messageId'


class Asked(Check):
    """A check that notes it was asked and passes or stops as told."""
    outcome = 'noted'

    def __init__(self, passing: bool, asked: list):
        self.passing, self.asked = passing, asked

    def passes(self, incoming: Incoming) -> bool:
        self.asked.append(self)
        return self.passing


def test_the_first_check_that_stops_ends_the_chain():
    asked: list = []
    chain = (Asked(True, asked), Asked(False, asked), Asked(False, asked))
    incoming = Incoming('message', 'M', 'ALICE', None, 'R', 'direct', NOW, None)
    assert first_stop(chain, incoming) is chain[1] and asked == [chain[0], chain[1]], 'the third is not asked'
    assert first_stop(chain[:1], incoming) is None
