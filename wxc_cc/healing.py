"""
Webhooks that look after themselves.

At start, and then every ``WXC_CC_WEBHOOK_CHECK_INTERVAL`` seconds, the bot's own webhooks are checked under
a lock shared by all workers and instances: inactive ones are re-activated, stale ones re-pointed, missing ones
created. When the public URL or the webhook secret changed (a new ngrok URL, a new WXC_CC_WEBHOOK_SECRET), the
call-event webhooks of monitored users are brought up to date too, once per change for the whole deployment.
"""
import logging
import threading
from collections.abc import Callable
from typing import Optional

import requests
from wxc_sdk.rest import RestError

from .errors import StoreUnavailable, webex_reason
from .stores import Stores, UserContext
from .webex import BotApi, UserApi
from .webhooks import BotWebhooks, CallEventWebhooks

__all__ = ['WebhookHealer']

log = logging.getLogger(__name__)

#: how long "the user webhooks were re-pointed to this URL" is remembered, seconds
URL_MEMORY = 30 * 86400


class WebhookHealer:
    """
    Keeps the bot's webhooks (and, after a URL change, the users' call-event webhooks) as they should be.

    :param stores: the tokens (users) and coordination (the deployment-wide lock, once-per-change claims)
    :param bot: the bot's API clients
    :param bot_webhooks: the bot's webhooks
    :param call_webhooks: the users' call-event webhooks
    :param user_api: builds API clients for a user
    :param interval: seconds between checks; 0 for none after the start
    """

    def __init__(self, *, stores: Stores, bot: BotApi, bot_webhooks: BotWebhooks,
                 call_webhooks: CallEventWebhooks, user_api: Callable[[UserContext], UserApi], interval: float):
        self.tokens = stores.tokens
        self.coordination = stores.coordination
        self.bot = bot
        self.bot_webhooks = bot_webhooks
        self.call_webhooks = call_webhooks
        self.user_api = user_api
        self.interval = interval
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        #: set once the check at start (the users' webhooks) is done
        self.started = threading.Event()

    def heal_bot_webhooks(self) -> dict[str, str]:
        """
        Check the bot's webhooks now, under the deployment-wide lock so that workers starting together do not
        create one each. Without the store (Redis down) the check runs unlocked: it is idempotent.

        :return: outcome per webhook name
        :raises RestError: Webex refused
        """
        try:
            with self.coordination.lock('webhooks', timeout=30):
                return self.bot_webhooks.ensure(self.bot.webhooks)
        except StoreUnavailable as error:
            log.warning('checking webhooks without lock: %s', error.log_message)
            return self.bot_webhooks.ensure(self.bot.webhooks)

    def heal_user_webhooks(self) -> int:
        """
        Bring monitored users' call-event webhooks up to date after a change of the public URL or of the webhook
        secret, once per change.

        :return: number of users whose webhooks were updated
        """
        if not self.coordination.first_time(f'user-webhooks:{self.call_webhooks.fingerprint()}', URL_MEMORY):
            return 0
        updated = 0
        for user in self.tokens.user_contexts():
            try:
                user = self.tokens.get_user_context_and_refresh(user.user_id)
                if user is None:
                    continue
                if self.call_webhooks.enable(self.user_api(user).webhooks, user.user_id,
                                             only_existing=True) != 'unchanged':
                    updated += 1
            except (RestError, requests.RequestException) as error:
                log.warning('call-event webhook of %s not checked: %s', user.user_id, webex_reason(error))
        if updated:
            log.info('re-pointed the call-event webhooks of %d user(s) to %s', updated, self.call_webhooks.public_url)
        return updated

    def start(self) -> None:
        """
        Check the users' webhooks and then, periodically, the bot's, in a background thread.
        """
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name='wxc-cc-webhooks', daemon=True)
            self._thread.start()

    @property
    def running(self) -> bool:
        """True while the background checks run."""
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout: float = 5.0) -> None:
        """
        End the background checks, and wait (bounded) for the thread to end.
        """
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        self._safely(self.heal_user_webhooks)
        self.started.set()
        while self.interval and not self._stop.wait(self.interval):
            # one worker of the deployment checks per interval
            if self._safely(lambda: self.coordination.first_time('webhook-check', self.interval * 0.9)):
                self._safely(self.heal_bot_webhooks)

    @staticmethod
    def _safely(check: Callable[[], object]) -> object:
        try:
            return check()
        except StoreUnavailable as error:
            log.warning('webhook check skipped: %s', error.log_message)
        except (RestError, requests.RequestException) as error:
            log.warning('webhook check failed: %s', webex_reason(error))
        except Exception:
            log.exception('webhook check failed')
        return None
