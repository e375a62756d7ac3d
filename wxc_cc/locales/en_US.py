"""
English (United States): every text the bot shows to people. Placeholders in braces are filled in by
:func:`wxc_cc.locales.t`; markdown is kept; outside text arrives already escaped.
"""

STRINGS = {
    # --- general
    'usage': 'Usage: {usage}',
    'unexpected': 'Sorry, {command} failed unexpectedly. Please try again.',
    'api_failure': 'Could not {action}: {reason}',
    'store_unavailable': 'The token store is unavailable, try again shortly.',
    'reason.timeout': 'Webex did not answer in time',
    'reason.unreachable': 'Webex could not be reached',
    'reason.unexpected': 'unexpected error',
    'reason.failed': 'request failed',
    'time.unknown': 'unknown time',
    'group_pointer': ('I handle call control only in a 1:1 space, where your calls stay private. '
                      'Send me a direct message, for example /help.'),
    'party.private': 'a private number',
    'party.unknown': 'an unknown party',
    'invalid_destination': '{value} is not a number or SIP URI I can dial.',
    'too_old': 'That command is too old to act on (more than a few minutes passed). Please send it again.',

    # --- help
    'help.intro': 'Hello! I control your Webex Calling phone. I understand these commands:',
    'help.card_intro': 'I control your Webex Calling phone. Commands:',
    'group.calls': 'Calls', 'group.monitoring': 'Monitoring', 'group.voicemail': 'Voicemail',
    'group.account': 'Account',
    'help./help': 'Show this list.',
    'help./auth': ('Authorize me to control your phone, or show your authorization; clear forgets your tokens, '
                   'force authorizes again, maintenance removes expired sign-in links.'),
    'help./monitor': ('Watch your calls here: a live card per call with buttons, and new voicemail; verbose adds '
                      'the raw events.'),
    'help./calls': 'List your active calls, numbered: state, direction, who, and how long.',
    'help./dial': 'Call a number: your phone rings first, the call starts when you answer.',
    'help./answer': 'Answer the incoming call that is ringing (or call n of /calls).',
    'help./hangup': 'Hang up your connected call (or your only other call, or call n of /calls).',
    'help./hold': 'Put your connected call (or call n) on hold.',
    'help./resume': 'Resume your held call (or call n).',
    'help./reject': 'Decline the ringing call: busy (default), unavailable, or ignore (it rings on for the caller).',
    'help./divert': 'Send the ringing (or current) call to another number or to your voicemail.',
    'help./transfer': ('Transfer the current call to a number, or, without a number, connect your two calls with '
                       'each other.'),
    'help./mute': 'Mute your microphone on the current call (when the call allows it).',
    'help./unmute': 'Unmute your microphone on the current call.',
    'help./park': 'Park the current call (against your own extension, or the one given) to pick it up elsewhere.',
    'help./retrieve': ('Pick up a parked call (parked against you, or against the extension given); your phone '
                       'rings.'),
    'help./dtmf': 'Send touch tones (0-9 * # A-D, a comma pauses) on the connected call.',
    'help./record': 'Start, stop, pause or resume recording the current call (as your recording settings allow).',
    'help./push': 'As an executive assistant, push the current call to your executive.',
    'help./pickup': ('Pick up a call ringing for someone in your pickup group (or for the number given); your '
                     'phone rings.'),
    'help./barge': "Barge in on another user's answered call; your phone rings.",
    'help./history': ('Show your recent calls, newest first ({count} unless you say how many); missed calls have '
                      'a Call back button.'),
    'help./voicemail': 'Your voicemail: how many new and old messages; list them; mark one read or unread; delete one.',
    'help./redis': 'Show the users in the Redis token store (ids, emails, expiry times), or clear it.',
    'help./broadcast': ('Send a message (and its first file; a JSON card file as a card) to the spaces I am in, '
                        'as the policy allows.'),

    # --- authorization
    'auth.flow_unknown': ('This sign-in link is unknown, expired or was already used. '
                          'Send /auth to the bot for a new one.'),
    'auth.declined': 'Authorization was not granted, so I cannot control your phone. Send /auth to try again.',
    'auth.page_success': 'Done: the bot can now control your Webex Calling phone. You can close this window.',
    'auth.not_authenticated': 'User {email} not authenticated. Use /auth command first',
    'auth.not_authenticated_anonymous': 'You are not authenticated. Use /auth command first',
    'auth.link': ('Click this [link]({url}) to authorize me to control your Webex Calling phone. '
                  'The link is valid for {minutes} minutes and works once.'),
    'auth.state': ('You are authenticated as {email}.  \nAccess token valid until {access}, refresh token until '
                   '{refresh}.  \nUse /auth force to authorize again or /auth clear to forget your tokens.'),
    'auth.success': ('Authorized as {email}: I can now control your phone (access token valid until {access}). '
                     'Try /dial, /monitor on or /help.'),
    'auth.failed': 'Authorization failed: {reason}. Send /auth to try again.',
    'auth.wrong_person_as': 'as {email}',
    'auth.wrong_person_other': 'with another account',
    'auth.wrong_person': ('Authorization refused: the sign-in was done {who}, not by the person who sent /auth. '
                          'Nothing was stored. Send /auth again and sign in with your own account.'),
    'auth.cleared': 'Your tokens are forgotten and call monitoring is off. Use /auth to authorize again.',
    'auth.maintenance': 'Removed {removed} expired sign-in link(s); {pending} pending.',
    'page.expired': 'Link expired', 'page.not_authorized': 'Not authorized', 'page.failed': 'Authorization failed',
    'page.wrong_account': 'Wrong account', 'page.authorized': 'Authorized', 'page.try_later': 'Try again shortly',

    # --- calls
    'state.connecting': 'connecting', 'state.alerting': 'alerting', 'state.connected': 'connected',
    'state.held': 'held', 'state.remoteHeld': 'remoteHeld', 'state.disconnected': 'disconnected',
    'direction.originator': 'outgoing', 'direction.terminator': 'incoming', 'direction.clickToDial': 'click-to-dial',
    'summary.originator': '{state} outgoing call to {party}',
    'summary.terminator': '{state} incoming call from {party}',
    'summary.clickToDial': '{state} click-to-dial call to {party}',
    'summary.other': '{state} call with {party}',
    'event.when': '- event: {event} at {time}',
    'event.state': '- state: {state}, personality: {personality}',
    'event.remote': '- remote party: {party}, call type {call_type}',
    'event.answered': '- answered: {time}',
    'event.redirected': '- redirected by {party} ({reason})',
    'event.recording': '- recording: {state}',
    'event.call_id': '- call id: `{call_id}`',
    'calls.none': 'You have no active calls.',
    'calls.title': '**Your calls** ({count})',
    'calls.muted': ', muted',
    'calls.recording': ', recording {state}',
    'choose.no_number': 'There is no call {number}: you have {count} call(s). See /calls.',
    'choose.wrong_state': 'Call {number} is {state}: it cannot be {what}.',
    'choose.which': 'Which call? You have {count} that can be {what}:  \n{options}  \nSend {command} {first}, '
                    'for example.',
    'choose.none': 'You have no call that can be {what}.',
    'what./answer': 'answered', 'what./hangup': 'hung up', 'what./hold': 'put on hold', 'what./resume': 'resumed',
    'what./reject': 'declined', 'what./divert': 'diverted', 'what./mute': 'muted', 'what./unmute': 'unmuted',
    'what./park': 'parked', 'what./dtmf': 'sent tones', 'what./record': 'recorded', 'what./push': 'pushed',
    'action.dial': 'dial', 'action.list_calls': 'list your calls', 'action.answer': 'answer',
    'action.hangup': 'hang up', 'action.hold': 'hold the call', 'action.resume': 'resume the call',
    'action.reject': 'decline the call', 'action.divert': 'divert the call', 'action.transfer': 'transfer',
    'action.mute': 'mute the call', 'action.unmute': 'unmute the call', 'action.park': 'park the call',
    'action.retrieve': 'retrieve the parked call', 'action.dtmf': 'send the tones',
    'action.record': '{what} recording', 'action.push': 'push the call', 'action.pickup': 'pick up the call',
    'action.barge': 'barge in', 'action.history': 'get your call history', 'action.monitor_on': 'turn monitoring on',
    'action.monitor_off': 'turn monitoring off', 'action.voicemail_summary': 'get your voicemail summary',
    'action.voicemail_list': 'list your voicemail', 'action.voicemail': '{what} the message',
    'action.voicemail_to': 'send the call to voicemail', 'action.callback': 'call back',
    'dial.done': ('Dialing {destination}: your phone rings first; the call to {destination} starts when you '
                  'answer it.'),
    'answer.done': 'Answered the call from {party}.',
    'hangup.done.originator': 'Hung up the call to {party}.',
    'hangup.done.terminator': 'Hung up the call from {party}.',
    'hangup.done.clickToDial': 'Hung up the call to {party}.',
    'hangup.done.other': 'Hung up the call with {party}.',
    'hold.done': 'Put the call with {party} on hold.',
    'resume.done': 'Resumed the call with {party}.',
    'reject.done': 'Declined the call from {party} ({how}).',
    'divert.voicemail': 'Sent the call from {party} to your voicemail.',
    'divert.done': 'Diverted the call with {party} to {destination}.',
    'transfer.connected': 'Connected {first} with {second}.',
    'transfer.done': 'Transferred the call with {party} to {destination}.',
    'transfer.not_two': ('Without a number, /transfer connects two calls, and you have {count} in progress. '
                         'To send one call on: {usage}'),
    'transfer.which': 'Which call? Put the others on hold so that one call is connected, then /transfer again.',
    'transfer.none': 'You have no call in progress to transfer.',
    'mute.not_capable': 'This call cannot be muted from here (its device does not allow it).',
    'mute.done': 'Muted the call with {party}.',
    'unmute.done': 'Unmuted the call with {party}.',
    'park.done': 'Parked the call with {party} against {where}. Get it back with {retrieve}.',
    'retrieve.done': 'Retrieving the call parked against {where}: your phone rings.',
    'retrieve.you': 'you',
    'dtmf.done': 'Sent {digits} to {party}.',
    'record.start': 'Started recording the call with {party}.',
    'record.stop': 'Stopped recording the call with {party}.',
    'record.pause': 'Paused recording the call with {party}.',
    'record.resume': 'Resumed recording the call with {party}.',
    'push.done': 'Pushed the call with {party} to your executive.',
    'pickup.done': 'Picking up the call ringing for {target}: your phone rings.',
    'pickup.group': 'your group',
    'barge.done': 'Barging in on the call of {target}: your phone rings.',

    # --- history
    'history.kind.placed': '↗️ placed', 'history.kind.received': '↙️ received', 'history.kind.missed': '⚠️ missed',
    'history.title': 'Call history: {count} {calls}, newest first',
    'history.title_kind': 'Call history: {count} {kind} {calls}, newest first',
    'word.call': 'call', 'word.calls': 'calls',
    'history.empty': 'Your call history is empty.',
    'history.empty_kind': 'No {kind} calls in your history.',
    'history.private': 'private',
    'card.call_back': 'Call back {who}',

    # --- monitoring and cards
    'monitor.off': 'Monitoring is off.',
    'monitor.was_off': 'Monitoring was not on.',
    'monitor.already': 'Monitoring is already on{mode}.',
    'monitor.on': 'Monitoring is on{mode}: your calls show here as cards with buttons, and new voicemail too.',
    'monitor.verbose': ' with the raw events',
    'card.heading.alerting': '📞 Incoming call', 'card.heading.connecting': '📞 Calling',
    'card.heading.connected': '📞 Connected call', 'card.heading.held': '⏸️ Call on hold',
    'card.heading.remoteHeld': '⏸️ Held by the other side', 'card.heading.other': '📞 Call {state}',
    'card.with.originator': 'To {party}', 'card.with.terminator': 'From {party}',
    'card.with.clickToDial': 'To {party}', 'card.with.other': 'With {party}',
    'card.fact.state': 'State', 'card.fact.direction': 'Direction', 'card.fact.since': 'Since',
    'card.unknown': 'unknown',
    'card.button.answer': 'Answer', 'card.button.decline': 'Decline', 'card.button.voicemail': 'Send to voicemail',
    'card.button.hold': 'Hold', 'card.button.resume': 'Resume', 'card.button.hangup': 'Hang up',
    'card.button.transfer': 'Transfer',
    'card.transfer_label': 'Transfer to', 'card.transfer_placeholder': 'Transfer to (number)',
    'card.transfer_usage': 'type a number into "Transfer to", then press Transfer',
    'card.ended': 'That call has ended.',
    'card.not_yours': 'This card is not yours: only the person it was sent to can use its buttons.',
    'card.unknown_button': 'This button is not one I know.',
    'card.callback_usage': 'Call back needs a number',

    # --- voicemail
    'voicemail.empty': 'Your voicemail is empty.',
    'voicemail.summary': 'You have {new} new{urgent} and {old} old voice message(s). /voicemail list shows them.',
    'voicemail.urgent_count': ' ({count} urgent)',
    'voicemail.title': '**Voice messages** ({count}, newest first)',
    'voicemail.read': 'read', 'voicemail.new': '**new**', 'voicemail.urgent': ' · urgent',
    'voicemail.no_message': 'There is no message {number}: you have {count}. See /voicemail list.',
    'voicemail.marked_read': 'Marked message {number} as read.',
    'voicemail.marked_unread': 'Marked message {number} as unread.',
    'voicemail.deleted': 'Deleted message {number}.',
    'voicemail.verb.read': 'mark as read', 'voicemail.verb.unread': 'mark as unread',
    'voicemail.verb.delete': 'delete',
    'voicemail.announce': '📬 New voice message: you have {new} new. /voicemail list shows them.',

    # --- redis
    'redis.unavailable': 'The bot does not use Redis, so /redis is not available.',
    'redis.cleared': 'Cleared the Redis store: {count} user(s) forgotten, their call monitoring turned off.',
    'redis.title': '**Redis token store**: {users} user(s), {flows} pending sign-in(s)',
    'redis.user': '- {email} (`{user_id}`): access token until {access}, refresh token until {refresh}',

    # --- access policy
    'policy.not_allowed': ("Sorry, I am not allowed to work for you: this bot's organisation has limited who may "
                           'use it. Ask your Webex administrator if you think you should.'),
    'policy.leaving': ('I may only take part in spaces of my own organisation, and this space belongs to another '
                       'one, so I am leaving. Sorry!'),
    'policy.admins_only': "Only the bot's administrators may use {command}.",
    'policy.government': ('{command} is not available here: Webex for Government does not offer the call-control '
                          'API. /voicemail works.'),
    'policy.slow_down': ('Slow down, please: I take {limit} commands per {seconds} seconds from one person. '
                         'Commands sent meanwhile are ignored.'),
    'policy.moderator': ('You added me to the space "{title}", which is in announcement mode. Please make me a '
                         'moderator there, or I cannot post in it.'),

    # --- broadcast
    'broadcast.usage': 'Usage: /broadcast <message> (attach a file to send it along; a JSON card file is sent as '
                       'a card)',
    'broadcast.from': '**Broadcast from {sender}:**',
    'broadcast.summary': 'Broadcast: sent to {sent} space(s), skipped {skipped}, failed {failed}.',
    'broadcast.skipped': '- skipped {space}: {reason}',
    'broadcast.failed': '- failed {space}: {reason}',
    'broadcast.not_moderator': 'announcement mode, and I am not a moderator',
    'broadcast.asked': ' (asked {who} to make me one)',
    'broadcast.not_allowed': 'Only the bot\'s administrators and the configured broadcast senders may use /broadcast.',
    'broadcast.no_spaces': 'There is no space to broadcast to.',
    'broadcast.foreign_file': 'The attached file is not on Webex, so I did not broadcast anything.',
}
