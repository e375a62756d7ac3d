"""
Where the bot may stay: when it is added to a group space, it checks the space against the membership policy
(leaving, with a word why, a space owned by another organisation when the policy says own organisation only),
remembers who added it, and asks that person to make it a moderator when the space is in announcement mode.
"""
import logging
from typing import Optional

from wxc_sdk.base import enum_str

from . import journal
from .botcontext import BotContext

__all__ = ['MembershipGuard', 'added_by_key']

log = logging.getLogger(__name__)

#: how long the bot remembers who added it to a space
YEAR = 365 * 86400


def added_by_key(room_id: str) -> str:
    """The store note naming who added the bot to a space."""
    return f'added-by:{room_id}'


class MembershipGuard:
    """
    Acts on the bot's new memberships.

    :param context: the policy; shared notes (who added the bot where); the bot's API clients, its id and
        organisation; why it leaves and requests for moderation, posted in the deployment's language
    """

    def __init__(self, context: BotContext):
        self.context = context

    def added(self, membership_id: str, room_id: str, person_id: str, actor_id: Optional[str]) -> None:
        """
        Someone joined a space the bot is in; when it is the bot itself, check the space. The membership is read
        from Webex: a notification that claims another space or person is not acted on.

        :param membership_id: the new membership
        :param room_id: the space
        :param person_id: who joined
        :param actor_id: who added them (only the notification says)
        """
        if person_id != self.context.identity.person_id:
            return
        membership = self.context.bot.memberships.details(membership_id)
        if (membership.room_id, membership.person_id) != (room_id, person_id):
            log.warning('notification of membership %s disagrees with Webex: not acted on', membership_id)
            return
        room = self.context.bot.rooms.details(room_id)
        if enum_str(room.type) == 'direct':
            return
        if self.context.policy.membership_own_org_only and room.owner_id != self.context.identity.org_id:
            log.warning('refused membership in space %s owned by %s (added by %s): policy own organisation only',
                        room_id, room.owner_id, actor_id)
            journal.acting()
            self.context.messenger.send(self.context.replies.t('policy.leaving'), room_id=room_id)
            self.context.bot.memberships.delete(membership_id)
            return
        if actor_id:
            self.context.coordination.set_note(added_by_key(room_id), actor_id, YEAR)
        log.info('added to space %s by %s', room_id, actor_id)
        if room.is_announcement_only and not membership.is_moderator and actor_id:
            self.context.messenger.send(self.context.replies.make_me_moderator(room.title), to_person_id=actor_id)
