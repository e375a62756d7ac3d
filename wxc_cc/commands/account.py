"""
The account commands' handlers: ``/help``, ``/auth``, ``/broadcast`` and ``/redis``.
"""
import logging

from wxc_sdk.rest import RestError

from ..errors import BotError, webex_reason
from ..replies import Reply, escape
from .context import Context, Services
from .registry import GROUP_TITLES

__all__ = ['help_reply', 'show_help', 'auth', 'broadcast', 'redis', 'forget_user']

log = logging.getLogger(__name__)


def help_reply(services: Services) -> Reply:
    """
    The help: markdown listing every available command by group, and the same as a card.
    """
    t = services.catalogue.t
    groups = [(t(GROUP_TITLES[group]), [(command.usage, command.help(services.catalogue)) for command in commands
                                        if not command.unavailable(services)])
              for group, commands in services.commands.groups()]
    groups = [(title, commands) for title, commands in groups if commands]
    lines = [t('help.intro')]
    for title, commands in groups:
        lines.append(f'**{title}**')
        lines.extend(f'- **{usage}**: {description}' for usage, description in commands)
    return Reply('\n'.join(lines), services.cards.help_card(groups))


def show_help(context: Context) -> Reply:
    """``/help``; also the answer to anything the bot does not understand."""
    return help_reply(context.services)


def forget_user(context: Context, user_id: str) -> int:
    """
    Delete a person's call-event webhooks (best effort: with tokens that still work) and their stored context.

    :return: number of webhooks deleted
    """
    services = context.services
    tokens = services.stores.tokens
    user = tokens.get_user_context_and_refresh(user_id)
    deleted = 0
    if user is not None:
        try:
            deleted = services.call_webhooks.disable(services.user_api(user).webhooks)
        except RestError as error:
            log.warning('could not delete webhooks of user %s: %s', user_id, webex_reason(error))
    tokens.clear_user_context(user_id)
    return deleted


def auth(context: Context) -> str:
    """
    ``/auth``: a sign-in link, or the state of the person's authorization; ``clear`` forgets their tokens,
    ``force`` signs in again, ``maintenance`` (admins) removes expired sign-in links.
    """
    words = [word.lower() for word in context.request.words]
    sub = words[0] if words else ''
    if len(words) > 1 or sub not in ('', 'clear', 'force', 'maintenance'):
        raise context.usage_error()
    request, stores = context.request, context.services.stores
    if sub == 'clear':
        deleted = forget_user(context, request.person_id)
        log.info('user %s cleared, %d webhooks deleted', request.person_id, deleted)
        return context.t('auth.cleared')
    if sub == 'maintenance':
        context.require_admin('/auth maintenance')
        removed = stores.flows.maintenance()
        return context.t('auth.maintenance', removed=removed, pending=stores.flows.pending())
    if sub == '':
        user = stores.tokens.get_user_context_and_refresh(request.person_id)
        if user is not None:
            return context.services.replies.in_zone(user.timezone).auth_state(user.email, user.tokens)
    flow_id = stores.flows.start(request.person_id)
    return context.replies.auth_link(context.services.oauth.auth_url(flow_id), int(stores.flows.lifetime // 60))


def broadcast(context: Context) -> str:
    """
    ``/broadcast <message>``: the message (and its first file) to the spaces the policy chooses; for the
    policy's admins and broadcast senders.
    """
    request, services = context.request, context.services
    if not services.policy.may_broadcast(request.person_email):
        log.warning('refused /broadcast from %s (%s): not a broadcast sender', request.person_email,
                    request.person_id)
        raise BotError(context.t('broadcast.not_allowed'), '/broadcast refused: not a broadcast sender')
    if not request.argument and not request.files:
        raise BotError(context.t('broadcast.usage'), 'nothing to broadcast')
    result = services.broadcaster.run(sender_id=request.person_id, sender_email=request.person_email,
                                      markdown=request.markdown or request.argument, files=request.files)
    if not (result.sent or result.skipped or result.failed):
        return context.t('broadcast.no_spaces')
    return result.summary(context.services.catalogue)


#: the newest dead letters /redis info lists
DEAD_LETTERS_SHOWN = 10


def redis(context: Context) -> str:
    """
    ``/redis info|clear`` (admins): the users in the Redis token store, or empty it.
    """
    context.require_admin('/redis')
    words = [word.lower() for word in context.request.words]
    if words not in (['info'], ['clear']):
        raise context.usage_error()
    stores = context.services.stores
    users = stores.tokens.user_contexts()
    if words == ['clear']:
        for user in users:
            forget_user(context, user.user_id)
        removed = stores.tokens.clear() + stores.flows.clear()
        log.info('redis store cleared by %s: %d users, %d entries', context.request.person_id, len(users), removed)
        return context.t('redis.cleared', count=len(users))
    queue = stores.queue
    dead, long = queue.dead_letters(), queue.long_running()
    # the times in the zone of the admin who asked
    reader = next((user for user in users if user.user_id == context.request.person_id), None)
    replies = context.services.replies.in_zone(reader.timezone if reader else None)
    lines = [context.t('redis.title', users=len(users), flows=stores.flows.pending()),
             context.t('redis.queue', waiting=queue.depth(), dead=len(dead))]
    # the dead letters as the queue keeps them, their records unread: an unreadable one shows like any other
    lines += [context.t('redis.dead', id=escape(item['id']), kind=escape(item['kind'] or '?'),
                        attempts=item['attempts'], reason=escape(item['reason']))
              for item in dead[-DEAD_LETTERS_SHOWN:]]
    lines += [context.t('redis.long', id=escape(item['id']), kind=escape(item['kind'] or '?'),
                        minutes=int(item['seconds'] // 60), worker=escape(item['consumer'])) for item in long]
    for user in sorted(users, key=lambda u: u.email or ''):
        lines.append(context.t('redis.user', email=escape(user.email) or '?', user_id=escape(user.user_id),
                               access=replies.timestamp(user.tokens.expires_at),
                               refresh=replies.timestamp(user.tokens.refresh_token_expires_at)))
    return '\n'.join(lines)
