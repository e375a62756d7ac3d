"""
The Flask app of the fake: request hooks (auth, latency, faults, logging), error rendering, the routes.
"""
import logging
import time
from typing import Any

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from . import calling_routes  # noqa: F401  (adds the Webex Calling routes to the blueprint)
from . import consent  # noqa: F401  (adds the consent form's route to the blueprint)
from . import space_routes  # noqa: F401  (adds the rooms and memberships routes to the blueprint)
from .errors import WebexError, error_body
from .ids import new_tracking_id
from .inspection import mask
from .models import Recorded
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


def create_app(world: World) -> Flask:
    """
    Build the WSGI app serving ``world``.

    :param world: the state to serve
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
        if world.faults.latency > 0:
            time.sleep(world.faults.latency)
        fault = world.faults.take(request.method, request.path.removeprefix(API_PREFIX))
        return error_response(fault) if fault is not None else None

    @app.after_request
    def _after(response: Response) -> Response:
        response.headers.setdefault('trackingid', new_tracking_id())
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
