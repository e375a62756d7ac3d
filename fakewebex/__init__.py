"""
A local fake of the Webex cloud for tests and offline use.

:class:`FakeWebex` serves the part of the Webex REST API the call-control bot uses (OAuth, people, messages,
attachment actions, webhooks, Webex Calling call control, voice messages and the person's own call settings,
devices, call queues and caller IDs) on 127.0.0.1 and delivers signed webhook notifications::

    with FakeWebex() as fake:
        bot = fake.add_bot(email='ccbot@webex.bot', display_name='CC Bot')
        requests.get(f'{fake.base_url}/people/me', headers={'Authorization': f'Bearer {bot.token}'})

Modules: :mod:`~fakewebex.ids` (ids), :mod:`~fakewebex.clock` (timestamps), :mod:`~fakewebex.errors`
(error shape), :mod:`~fakewebex.models` (records), :mod:`~fakewebex.world` (state), :mod:`~fakewebex.auth`,
:mod:`~fakewebex.messaging`, :mod:`~fakewebex.spaces`, :mod:`~fakewebex.attachments`, :mod:`~fakewebex.webhooks`, :mod:`~fakewebex.legs`,
:mod:`~fakewebex.telephony`, :mod:`~fakewebex.callcontrol`, :mod:`~fakewebex.callmoves`,
:mod:`~fakewebex.callsettings`, :mod:`~fakewebex.devices`, :mod:`~fakewebex.callqueues`, :mod:`~fakewebex.callerids`,
:mod:`~fakewebex.voicemail`, :mod:`~fakewebex.inspection` (logic per area),
:mod:`~fakewebex.routes`, :mod:`~fakewebex.calling_routes`, :mod:`~fakewebex.settings_routes`,
:mod:`~fakewebex.space_routes`, :mod:`~fakewebex.consent` (the browser's side of
OAuth) and :mod:`~fakewebex.api` (HTTP), :mod:`~fakewebex.contract` and :mod:`~fakewebex.contract_exceptions`
(Webex's published OpenAPI documents, in ``fakewebex/openapi/``, that every request and response is held to),
:mod:`~fakewebex.delivery` (notifications), :mod:`~fakewebex.httpserver`, :mod:`~fakewebex.server` and
:mod:`~fakewebex.calling_helpers` (the test API), :mod:`~fakewebex.harness` (the real bot under gunicorn against
the emulator), :mod:`~fakewebex.servers` and :mod:`~fakewebex.proxies` (the servers the tests and the benchmark
start, and the benchmark's proxies).
"""
from .errors import WebexError
from .models import Delivery, Person, Recorded
from .server import FakeWebex

__all__ = ['FakeWebex', 'Person', 'Delivery', 'Recorded', 'WebexError']
