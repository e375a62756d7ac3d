"""
Per-user state of the call-control bot: :class:`UserContext` objects (who a user is and the OAuth tokens to act
for them) kept by a :class:`TokenManager`, either in a local YAML file (:class:`YAMLTokenManager`, file
``wxc_cc_bot.yml`` in the working directory) or in Redis (:class:`RedisTokenManager`, selected by
``REDIS_HOST``, ``REDIS_URL``, ``REDIS_TLS_URL`` or ``REDIS_SENTINELS``; see
:func:`wxc_cc.stores.build_stores`).

Access tokens are refreshed by :meth:`TokenManager.get_user_context_and_refresh` when less than
:data:`wxc_cc.stores.REFRESH_MARGIN` seconds remain. Pending OAuth flows are not the token manager's: they are
kept by a :class:`wxc_cc.stores.flows.FlowStore`.

The implementation lives in :mod:`wxc_cc.stores`; this module keeps the names the bot has always had.
"""
from wxc_cc.stores import RedisTokenManager, TokenManager, UserContext, YAMLTokenManager

__all__ = ['UserContext', 'TokenManager', 'YAMLTokenManager', 'RedisTokenManager']
