"""
Putting a setting back when its time is up: the task of a pending end (:mod:`wxc_cc.ends`), which the worker runs
like any task, in the person's order of tasks.

An end reads the setting first, with the person's tokens (refreshed as needed), and compares (:func:`decide`): still
as the bot set it, it writes what was there before; already as before, it writes nothing (a previous run wrote it and
its worker died, or the person changed it back); anything else, the person changed it meanwhile (in the chat or at
Webex), and it is left as it is. In each case the person is told in their 1:1 space, once: a run that is not the
first looks at the latest messages of that space (``GET /messages/direct``) and does not send again what is there.
Reading, comparing and writing is safe to repeat, so an end taken over while it was acting is run again
(:attr:`EventKind.repeatable <wxc_cc.events.EventKind.repeatable>`), never told as of unknown outcome.

Without the person's tokens (``/auth clear``, or Webex refused the refresh token) the end is dropped, and the person
is told to change the setting themselves. An end carried out more than :data:`LATE_AFTER` seconds after its time (the
bot was not running then) says how late it is.
"""
import datetime
import logging
from itertools import islice
from typing import Optional

import requests
from wxc_sdk.rest import RestError

from .commands import Services
from .commands.mysettings import MySettings
from .commands.timers import moment_phrase
from .commands.undoable import SETTINGS, Setting
from .ends import End
from .errors import BotError, StoreUnavailable, webex_reason
from .journal import repeated, replied
from .messenger import Messenger
from .replies import Replies
from .task import UnreadableTask

__all__ = ['Restorer', 'decide', 'LATE_AFTER', 'LOOK_BACK', 'GONE', 'BACK', 'PUT_BACK', 'CHANGED']

log = logging.getLogger(__name__)

#: seconds after its time from which an end says it is late
LATE_AFTER = 60.0

#: the latest messages of the 1:1 space a repeated run looks through for its own
LOOK_BACK = 20

#: what an end finds: the setting is gone, already as before, still as the bot set it, changed meanwhile
GONE, BACK, PUT_BACK, CHANGED = 'gone', 'back', 'put back', 'changed'


def decide(setting: Setting, now: Optional[dict], end: End) -> str:
    """
    What an end does with the setting as it is now (``None``: gone): :data:`PUT_BACK` (write what was there before)
    only when it is still as the bot set it.
    """
    if now is None:
        return GONE
    if setting.same(now, end.restore):
        return BACK
    if setting.same(now, end.expect):
        return PUT_BACK
    return CHANGED


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


class Restorer:
    """
    Carries out the pending ends that are due.

    :param services: the people's tokens, Webex's clients acting for them, the replies
    :param messenger: tells the person, with the bot's token
    """

    def __init__(self, *, services: Services, messenger: Messenger):
        self.services = services
        self.messenger = messenger

    def restore(self, end: End) -> None:
        """
        Put the setting back, if it is still as the bot set it; tell the person what happened, once.

        :raises UnreadableTask: a setting this version does not know
        :raises StoreUnavailable: the tokens cannot be read now (the task is tried again)
        """
        setting = SETTINGS.get(end.kind)
        if setting is None:
            raise UnreadableTask(f'setting {end.setting!r} unknown to this version')
        tokens = self.services.stores.tokens
        user = tokens.get_user_context_and_refresh(end.person_id)
        replies = self.services.replies.in_zone(user.timezone if user else end.zone)
        now = _now()
        what, before = setting.what(replies, end.about), setting.describe(replies, end.restore)
        no_access = replies.t('end.no_access', what=what, state=before, when=moment_phrase(replies, end.at, now))
        if user is None:
            log.info('end %s of %s dropped: no tokens', end.setting, end.person_id)
            text = no_access
        else:
            my = MySettings(replies, user, self.services.user_api(user))
            try:
                read = setting.current(my)
                current = setting.snapshot(read, end.target)
                outcome = decide(setting, current, end)
                if outcome == PUT_BACK:
                    setting.write(my, end.target, end.restore, read)
                log.info('end %s of %s: %s', end.setting, end.person_id, outcome)
                text = self._outcome(replies, setting, end, outcome, current, what, before, now)
            except StoreUnavailable:
                raise
            except BotError as error:
                if tokens.get_user_context(end.person_id) is None:
                    log.info('end %s of %s dropped: Webex refused the tokens', end.setting, end.person_id)
                    text = no_access
                else:
                    log.warning('end %s of %s failed: %s', end.setting, end.person_id, error.log_message)
                    text = replies.t('end.failed', what=what, state=before,
                                 reason=error.message(self.services.catalogue))
        late = now.timestamp() - end.due
        if late > LATE_AFTER:
            text += '  \n' + replies.t('end.late', span=replies.clock.span(datetime.timedelta(seconds=late)),
                                   when=moment_phrase(replies, end.at, now))
        self._tell(end.person_id, text)

    @staticmethod
    def _outcome(replies: Replies, setting: Setting, end: End, outcome: str, current: Optional[dict], what: str,
                 before: str, now: datetime.datetime) -> str:
        """What the person is told of an outcome; ``what`` and ``before`` name the setting and what it goes back to."""
        since = moment_phrase(replies, end.set_at, now)
        if outcome == GONE:
            return replies.t('end.gone', what=what, state=before)
        if outcome == CHANGED:
            return replies.t('end.changed', what=what, since=since, state=setting.describe(replies, current or {}),
                         before=before)
        return replies.t('end.back', what=what, since=since, state=before)

    def gave_up(self, end: End) -> None:
        """The end failed too often and was set aside: the person hears which setting to change back themselves."""
        setting = SETTINGS.get(end.kind)
        if setting is None:
            return
        user = self.services.stores.tokens.get_user_context(end.person_id)
        replies = self.services.replies.in_zone(user.timezone if user else end.zone)
        self.messenger.tell(replies.t('end.gave_up', what=setting.what(replies, end.about),
                                  state=setting.describe(replies, end.restore)), to_person_id=end.person_id)

    def _tell(self, person_id: str, text: str) -> None:
        """Tell the person, unless a previous run of this end already did."""
        if repeated() and self._already_told(person_id, text.split('\n', 1)[0].rstrip()):
            log.info('end of %s: told before, not again', person_id)
        else:
            self.messenger.tell(text, to_person_id=person_id)
        replied()

    def _already_told(self, person_id: str, first_line: str) -> bool:
        """Whether one of the bot's latest messages in the person's 1:1 space begins with ``first_line``."""
        bot_id = self.services.identity.person_id
        try:
            latest = islice(self.services.clients.bot.messages.list_direct(person_id=person_id), LOOK_BACK)
            return any(message.person_id == bot_id
                       and (message.markdown or message.text or '').split('\n', 1)[0].rstrip() == first_line
                       for message in latest)
        except (RestError, requests.RequestException) as error:
            log.warning('messages to %s not read: %s', person_id, webex_reason(error))
            return False
