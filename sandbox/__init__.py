"""
Try the bot without a Webex account: an offline sandbox with a chat page, a phone and an API trace.

``python -m sandbox`` (or ``make demo``) starts the real bot (``wxc_cc_bot.create_app()``, configuration only)
against the local Webex emulator (:mod:`fakewebex`) and serves ``http://localhost:6001/sandbox``: chat with the
bot as Alice, Bob or Carol (cards with working buttons), ring their phones and act as the far end, and see every
Webex REST request the bot makes.

Modules: :mod:`~sandbox.cast` (who is there), :mod:`~sandbox.markdown` (safe rendering of the bot's markdown),
:mod:`~sandbox.views` (what the page shows), :mod:`~sandbox.app` (the page and its JSON API),
:mod:`~sandbox.runner` (starting it all), ``static/`` (the page).
"""
from .runner import Sandbox, start_sandbox

__all__ = ['Sandbox', 'start_sandbox']
