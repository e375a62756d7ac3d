"""
Everything the bot posts, in one place: replies (split to Webex's size limit, a card with the last part), 1:1
messages, and deleting messages it posted.
"""
import logging
from typing import Optional, Union

import requests
from wxc_sdk.rest import RestError

from . import cards, replies
from .errors import webex_reason
from .replies import Reply
from .webex import BotApi

__all__ = ['Messenger']

log = logging.getLogger(__name__)


class Messenger:
    """
    Posts and deletes the bot's messages.

    :param bot: the bot's API clients
    """

    def __init__(self, bot: BotApi):
        self.bot = bot

    def send(self, reply: Union[str, Reply], *, room_id: Optional[str] = None,
             to_person_id: Optional[str] = None) -> str:
        """
        Post a reply: markdown split into parts when it is too long for one message; a card goes with the last
        part (the markdown is what clients that do not show cards display).

        :return: id of the (last) message posted
        :raises RestError: Webex refused it
        """
        messages = self.bot.messages
        card = reply.card if isinstance(reply, Reply) else None
        parts = replies.split_message(reply.markdown if isinstance(reply, Reply) else reply)
        for part in parts[:-1]:
            messages.create(room_id=room_id, to_person_id=to_person_id, markdown=part)
        attachments = [cards.attachment(card)] if card else None
        return messages.create(room_id=room_id, to_person_id=to_person_id, markdown=parts[-1],
                               attachments=attachments).id

    def tell(self, reply: Union[str, Reply], *, room_id: Optional[str] = None,
             to_person_id: Optional[str] = None) -> Optional[str]:
        """
        Like :meth:`send`, for messages that may be lost: a failure is logged, never raised.

        :return: id of the (last) message posted, or ``None``
        """
        try:
            return self.send(reply, room_id=room_id, to_person_id=to_person_id)
        except (RestError, requests.RequestException) as error:
            log.warning('message to %s failed: %s', room_id or to_person_id, webex_reason(error))
            return None

    def delete(self, message_id: str) -> None:
        """
        Delete one of the bot's messages; a failure is logged, never raised.
        """
        try:
            self.bot.messages.delete(message_id)
        except (RestError, requests.RequestException) as error:
            log.warning('message %s not deleted: %s', message_id, webex_reason(error))
