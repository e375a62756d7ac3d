"""
The REST routes under ``/v1``: parse the request, call the world, answer JSON.

This module holds the blueprint, the request helpers and the messaging side (OAuth token endpoint, people,
messages, attachment actions, webhooks); :mod:`~fakewebex.calling_routes` adds Webex Calling (calls and voice
messages), :mod:`~fakewebex.consent` the browser's side of OAuth (``/authorize``).
"""
import html
import logging
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request

from .errors import WebexError
from .models import Person
from .world import World

__all__ = ['bp', 'WORLD_KEY', 'current_world', 'caller', 'scoped_user', 'calling_user', 'json_body', 'items',
           'no_content', 'html_page']

log = logging.getLogger(__name__)

#: key of the world in ``app.extensions``
WORLD_KEY = 'fakewebex.world'

bp = Blueprint('webex_v1', __name__, url_prefix='/v1')


# --- request helpers

def current_world() -> World:
    """
    :return: the world the app serves
    """
    return current_app.extensions[WORLD_KEY]


def caller() -> Person:
    """
    :return: owner of the request's valid bearer token
    :raises WebexError: 401 without one
    """
    person = g.get('person')
    if person is None:
        raise WebexError(401)
    return person


def scoped_user(scope: str) -> Person:
    """
    :param scope: the scope the operation needs, e.g. ``spark:telephony_config_read``
    :return: the caller, a user (not a bot) whose token carries ``scope`` (a token issued without scopes carries
        every scope)
    :raises WebexError: 401 without token, 403 for bots or tokens without the scope
    """
    person = caller()
    if person.is_bot:
        raise WebexError(403, description='Webex Calling APIs are not available with a bot token')
    granted = g.token.scope.split()
    if granted and scope not in granted:
        raise WebexError(403, description=f'The access token is missing the scope {scope}')
    return person


def calling_user(write: bool) -> Person:
    """
    :param write: True for actions (``spark:calls_write``), False for reading (``spark:calls_read``)
    :return: the caller, a user with a token allowed to use Webex Calling
    :raises WebexError: 401 without token, 403 for bots or tokens without the calling scope
    """
    return scoped_user('spark:calls_write' if write else 'spark:calls_read')


def json_body(optional: bool = False) -> dict[str, Any]:
    """
    :param optional: True: a missing or empty body counts as ``{}``
    :return: the request's JSON object
    :raises WebexError: 400 if the body is not a JSON object
    """
    body = request.get_json(silent=True)
    if body is None and optional and not request.get_data():
        return {}
    if not isinstance(body, dict):
        raise WebexError(400, description='The request body must be a JSON object')
    return body


def items(found: list) -> Response:
    """
    :return: ``{"items": [...]}``
    """
    return jsonify({'items': found})


def no_content() -> Response:
    """
    :return: an empty 204 response
    """
    return Response(status=204)


def html_page(status: int, text: str) -> Response:
    """
    :return: the error page Webex shows in the browser, with ``text`` escaped
    """
    page = f'<!doctype html><html><head><title>Webex</title></head><body><h1>Error</h1><p>{html.escape(text)}</p>' \
           f'</body></html>'
    return Response(page, status=status, mimetype='text/html')


# --- OAuth (the browser's side, /authorize, is in fakewebex.consent)

@bp.post('/access_token')
def access_token() -> Response:
    form = request.form.to_dict() or request.get_json(silent=True)
    return jsonify(current_world().auth.grant(form if isinstance(form, dict) else {}))


# --- people

@bp.get('/people/me')
def people_me() -> Response:
    return jsonify(World.person_json(caller(), request.args.get('callingData') == 'true'))


@bp.get('/people/<person_id>')
def people_get(person_id: str) -> Response:
    caller()
    return jsonify(World.person_json(current_world().person(person_id), request.args.get('callingData') == 'true'))


@bp.get('/people')
def people_list() -> Response:
    caller()
    email, name, ids = request.args.get('email'), request.args.get('displayName'), request.args.get('id')
    if not (email or name or ids):
        raise WebexError(400, description='One of email, displayName or id is required')
    found = [p for p in current_world().people()
             if (not email or p.email.lower() == email.lower())
             and (not name or p.display_name.lower().startswith(name.lower()))
             and (not ids or p.id in ids.split(','))]
    limit = request.args.get('max', type=int)
    calling_data = request.args.get('callingData') == 'true'
    return items([World.person_json(p, calling_data) for p in found[:limit if limit and limit > 0 else None]])


# --- messages

@bp.get('/messages')
def messages_list() -> Response:
    room_id = request.args.get('roomId')
    if not room_id:
        raise WebexError(400, description='roomId is required')
    max_items = request.args.get('max', type=int)
    return items(current_world().messaging.list_room(caller(), room_id, max_items))


@bp.get('/messages/direct')
def messages_direct() -> Response:
    peer = request.args.get('personId') or request.args.get('personEmail')
    if not peer:
        raise WebexError(400, description='personId or personEmail is required')
    return items(current_world().messaging.list_direct(caller(), peer))


@bp.post('/messages')
def messages_create() -> Response:
    return jsonify(current_world().messaging.post(caller(), json_body()))


@bp.get('/messages/<message_id>')
def messages_get(message_id: str) -> Response:
    return jsonify(current_world().messaging.get(caller(), message_id))


@bp.delete('/messages/<message_id>')
def messages_delete(message_id: str) -> Response:
    current_world().messaging.delete(caller(), message_id)
    return no_content()


# --- webhooks

@bp.get('/webhooks')
def webhooks_list() -> Response:
    return items(current_world().hooks.list(caller()))


@bp.post('/webhooks')
def webhooks_create() -> Response:
    return jsonify(current_world().hooks.create(caller(), g.token.app_id, json_body()))


@bp.get('/webhooks/<webhook_id>')
def webhooks_get(webhook_id: str) -> Response:
    return jsonify(current_world().hooks.get(caller(), webhook_id))


@bp.put('/webhooks/<webhook_id>')
def webhooks_update(webhook_id: str) -> Response:
    return jsonify(current_world().hooks.update(caller(), webhook_id, json_body()))


@bp.delete('/webhooks/<webhook_id>')
def webhooks_delete(webhook_id: str) -> Response:
    current_world().hooks.delete(caller(), webhook_id)
    return no_content()


# --- attachment actions

@bp.post('/attachment/actions')
def attachment_actions_create() -> Response:
    return jsonify(current_world().cards.create(caller(), json_body())), 202


@bp.get('/attachment/actions/<action_id>')
def attachment_actions_get(action_id: str) -> Response:
    return jsonify(current_world().cards.get(caller(), action_id))
