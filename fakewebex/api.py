"""
The Flask app of the fake: request hooks (Webex's contract, auth, latency, faults, logging), error rendering, the
routes.

Every request is checked against Webex's published documents (:mod:`fakewebex.contract`) before it is handled: one
that leaves them is recorded and refused as Webex refuses it (404 for an undocumented path, 405 for an undocumented
method, 400 for a parameter or body field, each with the Webex error shape naming the violation). Every response
is checked after it is made: one that leaves the documents is the fake's own bug, recorded and logged. Requests
outside ``/v1`` (a browser's ``/favicon.ico`` on the consent page) are not the API: they are answered 404 unchecked.
"""
import logging
import time
from typing import Any

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from . import calling_routes  # noqa: F401  (adds the Webex Calling routes to the blueprint)
from . import consent  # noqa: F401  (adds the consent form's route to the blueprint)
from . import settings_routes  # noqa: F401  (adds the "call settings for me" routes to the blueprint)
from . import space_routes  # noqa: F401  (adds the rooms and memberships routes to the blueprint)
from .contract import UNDOCUMENTED, WRONG_METHOD, Contract
from .errors import WebexError, error_body
from .ids import new_tracking_id
from .inspection import mask
from .models import Recorded, Violation
from .routes import WORLD_KEY, bp
from .world import World

__all__ = ['API_PREFIX', 'create_app', 'error_response']

log = logging.getLogger(__name__)

API_PREFIX = '/v1'


def error_response(error: WebexError) -> Response:
    """
    Render an error the way Webex does: JSON body plus ``trackingid`` header.

    :param error: what went wrong
    :return: the response
    """
    tracking_id = new_tracking_id()
    response = jsonify(error_body(error, tracking_id))
    response.status_code = error.status
    response.headers['trackingid'] = tracking_id
    response.headers.update(error.headers)
    return response


def _bearer() -> str:
    scheme, _, value = request.headers.get('Authorization', '').partition(' ')
    return value.strip() if scheme.lower() == 'bearer' else ''


def _request_body() -> Any:
    if request.is_json:
        return mask(request.get_json(silent=True))
    if request.form:
        return mask(request.form.to_dict())
    return None


def _refusal(details: list[str]) -> WebexError:
    status = {UNDOCUMENTED: 404, WRONG_METHOD: 405}.get(details[0], 400)
    return WebexError(status, description=f'Not in the Webex API documents: {"; ".join(details)}')


def _check_request(world: World, contract: Contract, path: str) -> Response | None:
    details = contract.check_request(request.method, path, request.args, request.content_type or '',
                                     request.get_data(), request.headers.get('Authorization', ''))
    if not details:
        return None
    for detail in details:
        world.violations.add(Violation('request', request.method, path, detail))
    log.warning('request outside the Webex API documents: %s %s: %s', request.method, path, '; '.join(details))
    g.refused = True
    return error_response(_refusal(details))


def _check_response(world: World, contract: Contract, path: str, response: Response) -> None:
    details = contract.check_response(request.method, path, response.status_code, response.content_type or '',
                                      response.get_data())
    for detail in details:
        world.violations.add(Violation('response', request.method, path, detail))
    if details:
        log.error('fake Webex answered outside the Webex API documents: %s %s -> %d: %s', request.method, path,
                  response.status_code, '; '.join(details))


def create_app(world: World, contract: Contract) -> Flask:
    """
    Build the WSGI app serving ``world``.

    :param world: the state to serve
    :param contract: Webex's documents every request and response is checked against
    :return: Flask app with all routes under ``/v1``
    """
    app = Flask('fakewebex')
    app.json.sort_keys = False
    app.extensions[WORLD_KEY] = world
    app.register_blueprint(bp)

    @app.before_request
    def _before() -> Response | None:
        g.at, g.started = time.time(), time.monotonic()
        world.requests.begin()
        bearer = _bearer()
        g.token = world.auth.resolve(bearer) if bearer else None
        g.person = world.find_person(g.token.person_id) if g.token else None
        g.checked = request.path.startswith(f'{API_PREFIX}/')
        refused = _check_request(world, contract, request.path.removeprefix(API_PREFIX)) if g.checked else None
        if refused is not None:
            return refused
        if world.faults.latency > 0:
            time.sleep(world.faults.latency)
        if (hold := world.faults.hold_for(request.method, request.path.removeprefix(API_PREFIX))) is not None:
            hold.wait()
        fault = world.faults.take(request.method, request.path.removeprefix(API_PREFIX))
        return error_response(fault) if fault is not None else None

    @app.after_request
    def _after(response: Response) -> Response:
        response.headers.setdefault('trackingid', new_tracking_id())
        if g.get('checked') and not g.get('refused'):
            _check_response(world, contract, request.path.removeprefix(API_PREFIX), response)
        person = g.get('person')
        world.requests.add(Recorded(
            method=request.method, path=request.path.removeprefix(API_PREFIX), query=request.args.to_dict(),
            body=_request_body(), status=response.status_code,
            identity=person.email if person is not None else 'anonymous',
            duration_ms=(time.monotonic() - g.get('started', time.monotonic())) * 1000,
            at=g.get('at', time.time())))
        return response

    @app.errorhandler(WebexError)
    def _webex_error(error: WebexError) -> Response:
        return error_response(error)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        if error.code is not None and error.code < 400:
            return error.get_response()
        return error_response(WebexError(error.code or 500, description=error.description))

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception('unhandled error in fake Webex')
        return error_response(WebexError(500, description=f'{type(error).__name__}: {error}'))

    return app
