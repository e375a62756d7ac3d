"""
``/broadcast``: replicate a message to the group spaces the bot is a member of.

The policy chooses the spaces: all of them, those owned by the sender's organisation, or those owned by the
bot's. The sender's identity is put at the start; the first attached file goes along, and a JSON file that is
an Adaptive Card is sent as a card (as a plain file again if Webex refuses the card). A space in announcement
mode where the bot is not a moderator is skipped, and whoever added the bot there is asked to promote it. The
sender gets a summary: sent, skipped and failed, with reasons. It runs after the webhook is answered, and 429s
are waited for (see :mod:`wxc_cc.webex`).
"""
import json
import logging
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional
from urllib.parse import urlsplit

import requests
from wxc_sdk.rest import RestError
from wxc_sdk.rooms import Room

from . import cards, journal
from .botcontext import BotContext
from .errors import BotError, webex_reason
from .gate import Gate
from .locales import Catalogue
from .membership import added_by_key
from .replies import escape
from .webex import WebexClients

__all__ = ['Attachment', 'BroadcastResult', 'Broadcaster', 'card_in']

log = logging.getLogger(__name__)

#: largest file carried along (Webex accepts up to 100 MB; a broadcast of more is not what this is for)
MAX_FILE_BYTES = 20 << 20


@dataclass(frozen=True)
class Attachment:
    """The first file of the message to broadcast."""
    filename: str
    content: bytes
    content_type: str


@dataclass
class BroadcastResult:
    """What happened, space by space."""
    sent: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    def summary(self, catalogue: Catalogue) -> str:
        """The sender's summary, in the catalogue's language."""
        t = catalogue.t
        lines = [t('broadcast.summary', sent=len(self.sent), skipped=len(self.skipped), failed=len(self.failed))]
        lines += [t('broadcast.skipped', space=escape(space), reason=reason) for space, reason in self.skipped]
        lines += [t('broadcast.failed', space=escape(space), reason=escape(reason)) for space, reason in self.failed]
        return '\n'.join(lines)


def card_in(attachment: Optional[Attachment]) -> Optional[dict]:
    """
    The Adaptive Card in a JSON attachment, or ``None`` when it is not one.
    """
    if attachment is None or not (attachment.filename.lower().endswith('.json')
                                  or 'json' in attachment.content_type):
        return None
    try:
        content = json.loads(attachment.content)
    except (UnicodeDecodeError, ValueError):
        return None
    if isinstance(content, dict) and content.get('type') == 'AdaptiveCard':
        return content
    return None


def _owner_filter(destinations: str, bot_org: Optional[str], sender_org: Optional[str]) -> Callable[[Room], bool]:
    if destinations == 'all':
        return lambda room: True
    org = sender_org if destinations == 'senders_org' else bot_org
    return lambda room: room.owner_id is not None and room.owner_id == org


class Broadcaster:
    """
    Sends broadcasts.

    :param context: the policy (destinations); shared notes (who added the bot where); the bot's API clients, its
        id and organisation; requests for moderation and the texts, in the deployment's language
    :param clients: the Webex clients (file downloads)
    :param gate: knows a sender's organisation (looked up once a day)
    """

    def __init__(self, context: BotContext, *, clients: WebexClients, gate: Gate):
        self.context = context
        self.clients = clients
        self.gate = gate

    def download(self, url: str) -> Attachment:
        """
        A file of a message, with the bot's token, which goes only to Webex's own API host.

        :raises BotError: the URL is not on Webex's API host (refused and logged, nothing is fetched)
        """
        if not self.clients.is_webex_url(url):
            log.warning('file of a broadcast at %s refused: not on the Webex API host', urlsplit(url).hostname)
            raise BotError(self.context.replies.t('broadcast.foreign_file'), 'broadcast file not on the Webex API host')
        session = self.clients.bot.session
        response = session.get(url, headers={'Authorization': f'Bearer {session.access_token}'}, stream=True)
        with response:
            response.raise_for_status()
            content = response.raw.read(MAX_FILE_BYTES + 1, decode_content=True)
        if len(content) > MAX_FILE_BYTES:
            raise ValueError('file too large to broadcast')
        disposition = response.headers.get('Content-Disposition', '')
        match = re.search(r'filename\*?=(?:UTF-8\'\')?"?([^";]+)"?', disposition)
        filename = Path(match.group(1)).name if match else Path(url).name or 'attachment'
        return Attachment(filename, content, response.headers.get('Content-Type', 'application/octet-stream'))

    def spaces(self, sender_id: str) -> list[Room]:
        """
        The group spaces to broadcast to, as the policy chooses them.
        """
        destinations = self.context.policy.broadcast_destinations
        sender_org = self.gate.org_of(sender_id) if destinations == 'senders_org' else None
        chosen = _owner_filter(destinations, self.context.identity.org_id, sender_org)
        return [room for room in self.context.bot.rooms.list(type_='group') if chosen(room)]

    def run(self, *, sender_id: str, sender_email: Optional[str], markdown: str,
            files: tuple[str, ...] = ()) -> BroadcastResult:
        """
        Broadcast a message.

        :param sender_id: who broadcasts
        :param sender_email: their email, shown at the start of the message
        :param markdown: the message
        :param files: URLs of the message's files; the first goes along
        """
        result = BroadcastResult()
        attachment = self.download(files[0]) if files else None
        card = card_in(attachment)
        text = (self.context.replies.t('broadcast.from', sender=escape(sender_email)) + '\n\n' + markdown).strip()
        with tempfile.TemporaryDirectory(prefix='wxc-cc-broadcast-') as folder:
            path = None
            if attachment is not None:
                path = Path(folder) / attachment.filename
                path.write_bytes(attachment.content)
            for room in self.spaces(sender_id):
                name = room.title or room.id
                if room.is_announcement_only and not self._moderator(room.id):
                    result.skipped.append((name, self._ask_for_moderation(room)))
                    continue
                try:
                    journal.acting()
                    self._post(room.id, text, card, path)
                    result.sent.append(name)
                except (RestError, requests.RequestException) as error:
                    result.failed.append((name, webex_reason(error)))
        log.info('broadcast by %s: %d sent, %d skipped, %d failed', sender_id, len(result.sent),
                 len(result.skipped), len(result.failed))
        return result

    def _moderator(self, room_id: str) -> bool:
        memberships = self.context.bot.memberships.list(room_id=room_id, person_id=self.context.identity.person_id)
        return any(membership.is_moderator for membership in memberships)

    def _ask_for_moderation(self, room: Room) -> str:
        reason = self.context.replies.t('broadcast.not_moderator')
        adder = self.context.coordination.get_note(added_by_key(room.id))
        if adder:
            self.context.messenger.send(self.context.replies.make_me_moderator(room.title), to_person_id=adder)
            reason += self.context.replies.t('broadcast.asked', who=escape(adder))
        return reason

    def _post(self, room_id: str, text: str, card: Optional[dict], path: Optional[Path]) -> None:
        messages = self.context.bot.messages
        if card is not None:
            try:
                messages.create(room_id=room_id, markdown=text, attachments=[cards.attachment(card)])
                return
            except RestError as error:
                if error.response.status_code != 400:
                    raise
                log.info('card refused in %s (%s), sending the file instead', room_id, webex_reason(error))
        messages.create(room_id=room_id, markdown=text, files=[str(path)] if path else None)
