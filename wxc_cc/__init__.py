"""
The logic behind the Webex Calling call-control bot.

The top-level modules :mod:`wxc_cc_bot`, :mod:`user_context` and :mod:`ngrokhelper` are the public entry
points; this package holds what they are made of:

* :mod:`wxc_cc.config` -- the settings, read once from the environment
* :mod:`wxc_cc.webex` -- the one place that builds Webex API clients
* :mod:`wxc_cc.stores` -- per-user tokens and OAuth flows, one module per backend
* :mod:`wxc_cc.oauth` -- the OAuth authorization-code flow
* :mod:`wxc_cc.signature` -- webhook signature verification
* :mod:`wxc_cc.notifications` -- parsing webhook notifications
* :mod:`wxc_cc.commands` -- the chat commands, one module each
* :mod:`wxc_cc.replies` -- formatting of everything the bot says
* :mod:`wxc_cc.core` -- the framework-free bot that ties them together
"""
