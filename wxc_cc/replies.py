"""
Everything the bot says, formatted in one place: chat replies (markdown), call events, the pages shown at the
end of an OAuth flow. Times are shown in the reader's own time zone (:meth:`Replies.in_zone`, :mod:`wxc_cc.clock`).

Text that comes from outside (names, numbers, echoed input) goes through :func:`escape` before it is placed in
markdown; :func:`split_message` keeps each message within Webex's size limit.
"""
import datetime
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Optional, Union

from wxc_sdk.base import enum_str
from wxc_sdk.telephony.calls import CallHistoryRecord, TelephonyCall, TelephonyParty
from wxc_sdk.telephony.voice_messaging.members import VoiceMailPartyInformation, VoiceMessageDetails
from wxc_sdk.tokens import Tokens

from .clock import Clock
from .locales import N_, Catalogue

__all__ = ['escape', 'split_message', 'code_block', 'html_page', 'Reply', 'Replies', 'MAX_MESSAGE_BYTES']

#: Webex refuses messages longer than this many bytes
MAX_MESSAGE_BYTES = 7439

@dataclass(frozen=True)
class Reply:
    """
    A reply with a card: the markdown is what clients that do not show cards (and notifications) display.
    """
    markdown: str
    card: Optional[dict] = None


_MARKDOWN_SPECIAL = re.compile(r'([\\`*_{}\[\]()#+\-.!|<>~&])')


def escape(text: Optional[str]) -> str:
    """
    Make outside text safe to put into markdown: every markdown control character is backslash-escaped and
    line breaks are flattened, so the text shows literally and cannot add links, mentions or formatting.

    :param text: any text, or ``None``
    """
    if not text:
        return ''
    return _MARKDOWN_SPECIAL.sub(r'\\\1', ' '.join(text.split()))


def split_message(text: str, limit: int = MAX_MESSAGE_BYTES) -> list[str]:
    """
    Split a message into parts of at most ``limit`` UTF-8 bytes, at line breaks where possible.

    :param text: the message
    :param limit: largest part in bytes
    :return: the parts, in order; never empty
    """
    parts: list[str] = []
    current = ''
    for line in text.split('\n'):
        candidate = f'{current}\n{line}' if current else line
        if len(candidate.encode()) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        while len(line.encode()) > limit:
            # cut on a character boundary, not inside a multi-byte character
            cut = len(line.encode()[:limit].decode(errors='ignore'))
            parts.append(line[:cut])
            line = line[cut:]
        current = line
    parts.append(current)
    return parts


def code_block(text: str) -> str:
    """
    Text shown verbatim in a fenced code block whose fence is longer than any run of backticks in the text, so
    that nothing in it can end the block early.
    """
    longest = max((len(run) for run in re.findall('`+', text)), default=0)
    fence = '`' * max(3, longest + 1)
    return f'{fence}\n{text}\n{fence}'


def html_page(title: str, text: str) -> str:
    """
    A small self-contained HTML page.

    :param title: page title and heading
    :param text: one paragraph of plain text
    """
    title, text = html.escape(title), html.escape(text)
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width"><title>{title}</title>'
            '<style>body{font-family:sans-serif;max-width:36em;margin:4em auto;padding:0 1em}</style></head>'
            f'<body><h1>{title}</h1><p>{text}</p></body></html>')


_PERSONALITIES = ('originator', 'terminator', 'clickToDial')


def personality(call: TelephonyCall) -> str:
    """``'originator'``, ``'terminator'``, ``'clickToDial'``, or ``'other'``: selects the wording of a call."""
    value = enum_str(call.personality)
    return value if value in _PERSONALITIES else 'other'


#: the call states the catalogue names -> their keys
_STATES = {'connecting': N_('state.connecting'), 'alerting': N_('state.alerting'),
           'connected': N_('state.connected'), 'held': N_('state.held'), 'remoteHeld': N_('state.remoteHeld'),
           'disconnected': N_('state.disconnected')}
#: personality -> the key of a call's one-line summary
_SUMMARIES = {'originator': N_('summary.originator'), 'terminator': N_('summary.terminator'),
              'clickToDial': N_('summary.clickToDial'), 'other': N_('summary.other')}
#: personality -> the key of the reply to /hangup
_HUNG_UP = {'originator': N_('hangup.done.originator'), 'terminator': N_('hangup.done.terminator'),
            'clickToDial': N_('hangup.done.clickToDial'), 'other': N_('hangup.done.other')}
#: history kind -> the key of its name
_HISTORY_KINDS = {'placed': N_('history.kind.placed'), 'received': N_('history.kind.received'),
                  'missed': N_('history.kind.missed')}
#: device type (of the preferred answer devices) -> the key of its name
_DEVICE_TYPES = {'DEVICE': N_('devices.type.device'), 'APPLICATION': N_('devices.type.application')}
#: caller ID type -> the key of its name
_CALLER_ID_TYPES = {'DEFAULT_CLID': N_('callerid.type.default'), 'ADDITIONAL_CLID': N_('callerid.type.additional'),
                    'CALL_QUEUE': N_('callerid.type.call_queue'), 'HUNT_GROUP': N_('callerid.type.hunt_group')}


def duration(seconds: int) -> str:
    """A duration as ``m:ss``."""
    return f'{seconds // 60}:{seconds % 60:02d}'


def _code_safe(value: Optional[str]) -> str:
    """Outside text for a code block: on one line, and unable to end the block."""
    return ' '.join((value or '').replace('`', "'").split())


_EPOCH = datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)


def newest_first(records: Iterable[CallHistoryRecord]) -> list[CallHistoryRecord]:
    """History records, newest first."""
    return sorted(records, key=lambda record: record.time or _EPOCH, reverse=True)


def newest_messages(messages: Iterable[VoiceMessageDetails]) -> list[VoiceMessageDetails]:
    """Voice messages newest first, as /voicemail numbers them."""
    return sorted(messages, key=lambda message: message.created or _EPOCH, reverse=True)


def _outside(text: Optional[str], markdown: bool) -> str:
    return escape(text) if markdown else ' '.join((text or '').split())


class Replies:
    """
    What the bot says to one reader, in the language of its catalogue, with times in the reader's time zone.

    :param catalogue: the texts of the deployment's locale (``LOCALE``); its locale also writes the dates and times
    :param zone: the reader's time zone (an IANA name, e.g. ``Asia/Tokyo``); ``None``: UTC
    """

    def __init__(self, catalogue: Catalogue, zone: Optional[str] = None):
        self.catalogue = catalogue
        #: a text of the catalogue (:meth:`Catalogue.t <wxc_cc.locales.catalogue.Catalogue.t>`)
        self.t = catalogue.t
        #: how the reader reads times
        self.clock = Clock(catalogue.locale, zone)

    def in_zone(self, zone: Optional[str]) -> 'Replies':
        """
        The same replies for a reader in another time zone.

        :param zone: the reader's time zone (:attr:`UserContext.timezone <wxc_cc.stores.UserContext.timezone>`);
            ``None``: UTC
        """
        return Replies(self.catalogue, zone)

    def timestamp(self, moment: Optional[datetime.datetime]) -> str:
        """
        A time on its own, as the bot shows it: in the reader's zone, to the second, the zone named.
        """
        if moment is None:
            return self.t('time.unknown')
        return self.clock.time(moment)

    def table_time(self, moment: Optional[datetime.datetime]) -> str:
        """A time in a table whose heading names the zone (:meth:`zone_note`): to the minute."""
        return '?' if moment is None else self.clock.table_time(moment)

    def zone_note(self) -> str:
        """What a heading adds to name the zone of the times below it, e.g. ``(Japan Time)``."""
        return f'({self.clock.zone_name()})'

    def party(self, remote: Union[TelephonyParty, VoiceMailPartyInformation, None]) -> str:
        """
        A remote party (of a call, or who left a voice message) as ``Name (number)``, escaped.
        """
        return self.party_of(remote and remote.name, remote and remote.number, remote and remote.privacy_enabled)

    def party_of(self, name: Optional[str], number: Optional[str], private: Optional[bool] = False) -> str:
        """
        ``Name (number)`` from parts, escaped; a private or unknown party says so.
        """
        if name and number and name != number:
            return f'{escape(name)} ({escape(number)})'
        if name or number:
            return escape(name or number)
        return self.t('party.private') if private else self.t('party.unknown')

    def not_authenticated(self, email: Optional[str]) -> str:
        """Reply to a command that needs tokens the user has not granted."""
        if not email:
            return self.t('auth.not_authenticated_anonymous')
        return self.t('auth.not_authenticated', email=escape(email))

    def auth_link(self, url: str, minutes: int) -> str:
        """The message carrying the link that starts the OAuth flow."""
        return self.t('auth.link', url=url, minutes=minutes)

    def auth_state(self, email: Optional[str], tokens: Tokens) -> str:
        """Reply to ``/auth`` for an authorized user. Expiry times only, never a token."""
        return self.t('auth.state', email=escape(email), access=self.timestamp(tokens.expires_at),
                 refresh=self.timestamp(tokens.refresh_token_expires_at))

    def auth_success(self, email: Optional[str], tokens: Tokens) -> str:
        """Chat message after a successful authorization."""
        return self.t('auth.success', email=escape(email), access=self.timestamp(tokens.expires_at))

    def auth_failed(self, reason: str, markdown: bool = True) -> str:
        """Chat message (or, with ``markdown=False``, page text) when the token exchange fails."""
        return self.t('auth.failed', reason=_outside(reason.rstrip('.'), markdown))

    def state_name(self, state: object) -> str:
        """A call state in the reply language."""
        value = enum_str(state)
        return self.t(_STATES[value]) if value in _STATES else escape(value)

    def call_summary(self, call: TelephonyCall) -> str:
        """
        One line for a call: state, direction and remote party, e.g. ``alerting incoming call from Ann (1001)``.
        """
        return self.t(_SUMMARIES[personality(call)], state=self.state_name(call.state),
                      party=self.party(call.remote_party))

    def call_event(self, call: TelephonyCall, event_type: str, event_time: Optional[datetime.datetime]) -> str:
        """
        A call event as a chat message: a readable line, then the details.
        """
        summary = self.call_summary(call)
        lines = [f'📞 **{summary[:1].upper()}{summary[1:]}**',
                 self.t('event.when', event=escape(event_type), time=self.timestamp(event_time)),
                 self.t('event.state', state=self.state_name(call.state),
                        personality=escape(enum_str(call.personality)))]
        remote = call.remote_party
        if remote and remote.call_type:
            lines.append(self.t('event.remote', party=self.party(remote), call_type=escape(enum_str(remote.call_type))))
        if call.answered:
            lines.append(self.t('event.answered', time=self.timestamp(call.answered)))
        for redirection in call.redirections or []:
            lines.append(self.t('event.redirected', party=self.party(redirection.redirecting_party),
                           reason=escape(enum_str(redirection.reason))))
        if call.recording_state:
            lines.append(self.t('event.recording', state=escape(enum_str(call.recording_state))))
        lines.append(self.t('event.call_id', call_id=escape(call.call_id)))
        return '\n'.join(lines)

    def dialing(self, destination: str) -> str:
        """Reply to ``/dial``."""
        return self.t('dial.done', destination=escape(destination))

    def hung_up(self, call: TelephonyCall) -> str:
        """Reply to ``/hangup``: says "to" for outgoing and "from" for incoming calls."""
        return self.t(_HUNG_UP[personality(call)], party=self.party(call.remote_party))

    def device_type(self, kind: object) -> str:
        """What a device is, by its type as Webex lists it (``DEVICE``: a phone, ``APPLICATION``: an app)."""
        value = enum_str(kind)
        return self.t(_DEVICE_TYPES[value]) if value in _DEVICE_TYPES else escape(value)

    def caller_id_type(self, kind: object) -> str:
        """What a caller ID is, by its type (``CALL_QUEUE``: a call queue's, ...)."""
        value = enum_str(kind)
        return self.t(_CALLER_ID_TYPES[value]) if value in _CALLER_ID_TYPES else escape(value)

    def history_kind(self, kind: str) -> str:
        """How a history kind (placed, received, missed) is shown."""
        return self.t(_HISTORY_KINDS[kind]) if kind in _HISTORY_KINDS else escape(kind)

    def history_title(self, count: int, kind: Optional[str]) -> str:
        """Heading of the history, e.g. ``Call history: 3 missed calls, newest first``."""
        calls = self.t('word.call') if count == 1 else self.t('word.calls')
        if kind:
            # TRANSLATORS: {kind} is one of history.kind.*, {calls} word.call or word.calls
            return self.t('history.title_kind', count=count, kind=kind, calls=calls)
        # TRANSLATORS: {calls} is word.call or word.calls
        return self.t('history.title', count=count, calls=calls)

    def history_heading(self, count: int, kind: Optional[str]) -> str:
        """The history's title naming the zone of its times, e.g. ``Call history: 3 calls, newest first (UTC)``."""
        return f'{self.history_title(count, kind)} {self.zone_note()}'

    def history(self, records: list[CallHistoryRecord], kind: Optional[str] = None) -> str:
        """
        Call history as a compact table (time in the reader's zone, kind, party), records already sorted and cut
        to size.
        """
        if not records:
            return self.t('history.empty_kind', kind=kind) if kind else self.t('history.empty')
        times = [self.table_time(record.time) for record in records]
        width = max(map(len, times))
        rows = []
        for time, record in zip(times, records):
            record_kind = enum_str(record.call_type)
            who = record.name if record.name and record.name != record.number else ''
            party_text = f'{who} ({record.number})' if who and record.number else (
                who or record.number or self.t('history.private'))
            rows.append(f'{time:<{width}}  {record_kind:<8}  {_code_safe(party_text)}')
        return (f'**{self.history_title(len(records), kind)}** {self.zone_note()}\n```\n' + '\n'.join(rows)
                + '\n```')

    def call_list(self, calls: list[TelephonyCall], now: datetime.datetime) -> str:
        """
        The user's calls, numbered as the commands that take a call number expect.
        """
        if not calls:
            return self.t('calls.none')
        lines = [self.t('calls.title', count=len(calls))]
        for number, call in enumerate(calls, start=1):
            since = call.answered or call.created
            seconds = max(0, int((now - since).total_seconds())) if since else 0
            muted = self.t('calls.muted') if call.muted else ''
            recording = (self.t('calls.recording', state=escape(enum_str(call.recording_state)))
                         if call.recording_state else '')
            lines.append(f'{number}. {self.call_summary(call)} · {duration(seconds)}{muted}{recording}')
        return '\n'.join(lines)

    def voicemail_summary(self, new: int, old: int, urgent: int) -> str:
        """Reply to ``/voicemail``."""
        if not new and not old:
            return self.t('voicemail.empty')
        urgent_text = self.t('voicemail.urgent_count', count=urgent) if urgent else ''
        # TRANSLATORS: {urgent} is voicemail.urgent_count, or empty
        return self.t('voicemail.summary', new=new, urgent=urgent_text, old=old)

    def voicemail_list(self, messages: list[VoiceMessageDetails]) -> str:
        """Reply to ``/voicemail list``: numbered, newest first, with caller, time, duration and read state."""
        if not messages:
            return self.t('voicemail.empty')
        # TRANSLATORS: {zone} names the time zone of the times listed, e.g. Japan Time, or UTC
        lines = [self.t('voicemail.title', count=len(messages), zone=self.clock.zone_name())]
        for number, message in enumerate(messages, start=1):
            state = self.t('voicemail.read') if message.read else self.t('voicemail.new')
            urgent = self.t('voicemail.urgent') if message.urgent else ''
            lines.append(f'{number}. {state} · {self.table_time(message.created)} · '
                         f'{self.party(message.calling_party)} · {duration(message.duration or 0)}{urgent}')
        return '\n'.join(lines)

    def new_voicemail(self, new: int) -> str:
        """Announcement of a new voice message (monitoring on)."""
        return self.t('voicemail.announce', new=new)

    def slow_down(self, limit: int, window: float) -> str:
        """The notice to someone over the rate limit."""
        return self.t('policy.slow_down', limit=limit, seconds=round(window))

    def make_me_moderator(self, title: Optional[str]) -> str:
        """The 1:1 message asking the person who added the bot to an announcement space to promote it."""
        return self.t('policy.moderator', title=escape(title))

    def api_failure(self, action: str, reason: str) -> str:
        """One line telling the user that a Webex request failed, with Webex's reason."""
        # TRANSLATORS: {action} is one of action.* (what could not be done), {reason} Webex's reason or one of reason.*
        return self.t('api_failure', action=action, reason=escape(reason.rstrip('.')))
