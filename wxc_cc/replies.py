"""
Everything the bot says, formatted in one place: chat replies (markdown), call events, the pages shown at the
end of an OAuth flow.

Text that comes from outside (names, numbers, echoed input) goes through :func:`escape` before it is placed in
markdown; :func:`split_message` keeps each message within Webex's size limit.
"""
import datetime
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Optional

from wxc_sdk.telephony.calls import CallHistoryRecord, TelephonyCall, TelephonyParty
from wxc_sdk.telephony.voice_messaging.members import VoiceMessageDetails
from wxc_sdk.tokens import Tokens

__all__ = ['escape', 'split_message', 'html_page', 'Reply', 'MAX_MESSAGE_BYTES']

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


def timestamp(moment: Optional[datetime.datetime]) -> str:
    """
    A time as the bot shows it: UTC, to the second.
    """
    if moment is None:
        return 'unknown time'
    return moment.astimezone(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M:%S UTC')


def party(remote: Optional[TelephonyParty]) -> str:
    """
    A remote party as ``Name (number)``, escaped.
    """
    return party_of(remote and remote.name, remote and remote.number, remote and remote.privacy_enabled)


def party_of(name: Optional[str], number: Optional[str], private: Optional[bool] = False) -> str:
    """
    ``Name (number)`` from parts, escaped; a private or unknown party says so.
    """
    if name and number and name != number:
        return f'{escape(name)} ({escape(number)})'
    if name or number:
        return escape(name or number)
    return 'a private number' if private else 'an unknown party'


# --- authentication

FLOW_UNKNOWN = ('This sign-in link is unknown, expired or was already used. '
                'Send /auth to the bot for a new one.')
AUTH_DECLINED = 'Authorization was not granted, so I cannot control your phone. Send /auth to try again.'
AUTH_PAGE_SUCCESS = 'Done: the bot can now control your Webex Calling phone. You can close this window.'


def not_authenticated(email: Optional[str]) -> str:
    """Reply to a command that needs tokens the user has not granted."""
    if not email:
        return 'You are not authenticated. Use /auth command first'
    return f'User {escape(email)} not authenticated. Use /auth command first'


def auth_link(url: str, minutes: int) -> str:
    """The message carrying the link that starts the OAuth flow."""
    return (f'Click this [link]({url}) to authorize me to control your Webex Calling phone. '
            f'The link is valid for {minutes} minutes and works once.')


def auth_state(email: Optional[str], tokens: Tokens) -> str:
    """Reply to ``/auth`` for an authorized user. Expiry times only, never a token."""
    return (f'You are authenticated as {escape(email)}.  \n'
            f'Access token valid until {timestamp(tokens.expires_at)}, '
            f'refresh token until {timestamp(tokens.refresh_token_expires_at)}.  \n'
            'Use /auth force to authorize again or /auth clear to forget your tokens.')


def auth_success(email: Optional[str], tokens: Tokens) -> str:
    """Chat message after a successful authorization."""
    return (f'Authorized as {escape(email)}: I can now control your phone (access token valid until '
            f'{timestamp(tokens.expires_at)}). Try /dial, /monitor on or /help.')


def _outside(text: Optional[str], markdown: bool) -> str:
    return escape(text) if markdown else ' '.join((text or '').split())


def auth_failed(reason: str, markdown: bool = True) -> str:
    """Chat message (or, with ``markdown=False``, page text) when the token exchange fails."""
    return f'Authorization failed: {_outside(reason.rstrip("."), markdown)}. Send /auth to try again.'


def auth_wrong_person(email: Optional[str], markdown: bool = True) -> str:
    """Chat message (or, with ``markdown=False``, page text) when someone else consented."""
    who = f'as {_outside(email, markdown)}' if email else 'with another account'
    return (f'Authorization refused: the sign-in was done {who}, not by the person who sent /auth. '
            'Nothing was stored. Send /auth again and sign in with your own account.')


# --- calls

_DIRECTION = {'originator': ('outgoing', 'to'), 'terminator': ('incoming', 'from'),
              'clickToDial': ('click-to-dial', 'to')}


def direction(call: TelephonyCall) -> tuple[str, str]:
    """
    ``('incoming', 'from')``, ``('outgoing', 'to')`` or ``('click-to-dial', 'to')`` for a call.
    """
    return _DIRECTION.get(str(getattr(call.personality, 'value', call.personality)), ('', 'with'))


def _value(enum_or_str: object) -> str:
    return str(getattr(enum_or_str, 'value', enum_or_str))


def call_summary(call: TelephonyCall) -> str:
    """
    One line for a call: state, direction and remote party, e.g. ``alerting incoming call from Ann (1001)``.
    """
    kind, preposition = direction(call)
    return f'{_value(call.state)} {kind} call {preposition} {party(call.remote_party)}'.replace('  ', ' ')


def call_event(call: TelephonyCall, event_type: str, event_time: Optional[datetime.datetime]) -> str:
    """
    A call event as a chat message: a readable line, then the details.
    """
    summary = call_summary(call)
    lines = [f'📞 **{summary[:1].upper()}{summary[1:]}**',
             f'- event: {escape(event_type)} at {timestamp(event_time)}',
             f'- state: {escape(_value(call.state))}, personality: {escape(_value(call.personality))}']
    remote = call.remote_party
    if remote and remote.call_type:
        lines.append(f'- remote party: {party(remote)}, call type {escape(_value(remote.call_type))}')
    if call.answered:
        lines.append(f'- answered: {timestamp(call.answered)}')
    for redirection in call.redirections or []:
        lines.append(f'- redirected by {party(redirection.redirecting_party)} '
                     f'({escape(_value(redirection.reason))})')
    if call.recording_state:
        lines.append(f'- recording: {escape(_value(call.recording_state))}')
    lines.append(f'- call id: `{escape(call.call_id)}`')
    return '\n'.join(lines)


def dialing(destination: str) -> str:
    """Reply to ``/dial``."""
    return (f'Dialing {escape(destination)}: your phone rings first; the call to {escape(destination)} '
            'starts when you answer it.')


def answered(call: TelephonyCall) -> str:
    """Reply to ``/answer``."""
    return f'Answered the call from {party(call.remote_party)}.'


def hung_up(call: TelephonyCall) -> str:
    """Reply to ``/hangup``: says "to" for outgoing and "from" for incoming calls."""
    return f'Hung up the call {direction(call)[1]} {party(call.remote_party)}.'


#: how history kinds are shown
HISTORY_KINDS = {'placed': '↗️ placed', 'received': '↙️ received', 'missed': '⚠️ missed'}


def short_time(moment: Optional[datetime.datetime]) -> str:
    """A time in a table: UTC, to the minute."""
    if moment is None:
        return '?'
    return moment.astimezone(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M')


def _code_safe(value: Optional[str]) -> str:
    """Outside text for a code block: on one line, and unable to end the block."""
    return ' '.join((value or '').replace('`', "'").split())


def newest_first(records: Iterable[CallHistoryRecord]) -> list[CallHistoryRecord]:
    """History records, newest first."""
    epoch = datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)
    return sorted(records, key=lambda record: record.time or epoch, reverse=True)


def history_title(count: int, kind: Optional[str]) -> str:
    """Heading of the history, e.g. ``Call history: 3 missed calls, newest first``."""
    what = f'{kind} call' if kind else 'call'
    return f'Call history: {count} {what}{"" if count == 1 else "s"}, newest first'


def history(records: list[CallHistoryRecord], kind: Optional[str] = None) -> str:
    """
    Call history as a compact table (time UTC, kind, party), records already sorted and cut to size.
    """
    if not records:
        return f'No {kind} calls in your history.' if kind else 'Your call history is empty.'
    rows = []
    for record in records:
        record_kind = _value(record.call_type)
        who = record.name if record.name and record.name != record.number else ''
        party_text = f'{who} ({record.number})' if who and record.number else (who or record.number or 'private')
        rows.append(f'{short_time(record.time)}  {record_kind:<8}  {_code_safe(party_text)}')
    return f'**{history_title(len(records), kind)}** (UTC)\n```\n' + '\n'.join(rows) + '\n```'


def call_list(calls: list[TelephonyCall], now: datetime.datetime) -> str:
    """
    The user's calls, numbered as the commands that take a call number expect.
    """
    if not calls:
        return 'You have no active calls.'
    lines = [f'**Your calls** ({len(calls)})']
    for number, call in enumerate(calls, start=1):
        since = call.answered or call.created
        seconds = max(0, int((now - since).total_seconds())) if since else 0
        muted = ', muted' if call.muted else ''
        recording = f', recording {_value(call.recording_state)}' if call.recording_state else ''
        lines.append(f'{number}. {call_summary(call)} · {seconds // 60}:{seconds % 60:02d}{muted}{recording}')
    return '\n'.join(lines)


def voicemail_summary(new: int, old: int, urgent: int) -> str:
    """Reply to ``/voicemail``."""
    if not new and not old:
        return 'Your voicemail is empty.'
    urgent_text = f' ({urgent} urgent)' if urgent else ''
    return f'You have {new} new{urgent_text} and {old} old voice message(s). /voicemail list shows them.'


def newest_messages(messages: Iterable[VoiceMessageDetails]) -> list[VoiceMessageDetails]:
    """Voice messages newest first, as /voicemail numbers them."""
    epoch = datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)
    return sorted(messages, key=lambda message: message.created or epoch, reverse=True)


def voicemail_list(messages: list[VoiceMessageDetails]) -> str:
    """Reply to ``/voicemail list``: numbered, newest first, with caller, time, duration and read state."""
    if not messages:
        return 'Your voicemail is empty.'
    lines = [f'**Voice messages** ({len(messages)}, newest first)']
    for number, message in enumerate(messages, start=1):
        caller = message.calling_party
        who = party_of(caller and caller.name, caller and caller.number, caller and caller.privacy_enabled)
        seconds = message.duration or 0
        state = 'read' if message.read else '**new**'
        urgent = ' · urgent' if message.urgent else ''
        lines.append(f'{number}. {state} · {short_time(message.created)} · {who} · '
                     f'{seconds // 60}:{seconds % 60:02d}{urgent}')
    return '\n'.join(lines)


def new_voicemail(new: int) -> str:
    """Announcement of a new voice message (monitoring on)."""
    return f'📬 New voice message: you have {new} new. /voicemail list shows them.'


# --- access policy

NOT_ALLOWED = ("Sorry, I am not allowed to work for you: this bot's organisation has limited who may use it. "
               'Ask your Webex administrator if you think you should.')
LEAVING = ('I may only take part in spaces of my own organisation, and this space belongs to another one, so '
           'I am leaving. Sorry!')
ADMINS_ONLY = "Only the bot's administrators may use {command}."
GOVERNMENT = ('{command} is not available here: Webex for Government does not offer the call-control API. '
              '/voicemail works.')


def slow_down(limit: int, window: float) -> str:
    """The notice to someone over the rate limit."""
    return f'Slow down, please: I take {limit} commands per {window:.0f} seconds from one person. ' \
           'Commands sent meanwhile are ignored.'


def make_me_moderator(title: Optional[str]) -> str:
    """The 1:1 message asking the person who added the bot to an announcement space to promote it."""
    return f'You added me to the space "{escape(title)}", which is in announcement mode. Please make me a ' \
           'moderator there, or I cannot post in it.'


def api_failure(action: str, reason: str) -> str:
    """One line telling the user that a Webex request failed, with Webex's reason."""
    return f'Could not {action}: {escape(reason.rstrip("."))}'
