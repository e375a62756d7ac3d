"""
The routes of spaces under ``/v1``: ``/rooms`` and ``/memberships`` (see :mod:`~fakewebex.spaces`).
"""
from flask import Response, jsonify, request

from .routes import bp, caller, current_world, items, no_content

__all__ = []


@bp.get('/rooms')
def rooms_list() -> Response:
    return items(current_world().spaces.rooms(caller(), request.args.get('type'), request.args.get('max', type=int)))


@bp.get('/rooms/<room_id>')
def rooms_get(room_id: str) -> Response:
    return jsonify(current_world().spaces.room(caller(), room_id))


@bp.get('/memberships')
def memberships_list() -> Response:
    return items(current_world().spaces.memberships(caller(), request.args.get('roomId'),
                                                    request.args.get('personId')))


@bp.get('/memberships/<membership_id>')
def memberships_get(membership_id: str) -> Response:
    return jsonify(current_world().spaces.membership(caller(), membership_id))


@bp.delete('/memberships/<membership_id>')
def memberships_delete(membership_id: str) -> Response:
    current_world().spaces.leave(caller(), membership_id)
    return no_content()
