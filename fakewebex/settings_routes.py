"""
The routes of Webex's "call settings for me" API under ``/v1/telephony/config/people/me``: the person's calling
details, Do Not Disturb and call forwarding (user tokens with ``spark:telephony_config_read`` or ``_write``; a
person without Webex Calling gets 404). The logic is :mod:`fakewebex.callsettings`.
"""
import logging

from flask import Response, jsonify

from .models import Person
from .routes import bp, current_world, json_body, no_content, scoped_user

__all__ = ['ME', 'config_user']

log = logging.getLogger(__name__)

#: the path of the person's own settings
ME = '/telephony/config/people/me'


def config_user(write: bool) -> Person:
    """
    :param write: True for changes (``spark:telephony_config_write``), False for reading
        (``spark:telephony_config_read``)
    :return: the caller, a Webex Calling user with a token allowed to read (or change) their settings
    :raises WebexError: 401 without token, 403 for bots or tokens without the scope, 404 without Webex Calling
    """
    person = scoped_user('spark:telephony_config_write' if write else 'spark:telephony_config_read')
    return current_world().call_settings.require_calling(person)


@bp.get(ME)
def my_details() -> Response:
    return jsonify(current_world().call_settings.details(config_user(write=False)))


@bp.get(f'{ME}/settings/doNotDisturb')
def my_dnd() -> Response:
    return jsonify(current_world().call_settings.dnd(config_user(write=False)))


@bp.put(f'{ME}/settings/doNotDisturb')
def my_dnd_update() -> Response:
    current_world().call_settings.set_dnd(config_user(write=True), json_body())
    return no_content()


@bp.get(f'{ME}/settings/callForwarding')
def my_forwarding() -> Response:
    return jsonify(current_world().call_settings.forwarding(config_user(write=False)))


@bp.put(f'{ME}/settings/callForwarding')
def my_forwarding_update() -> Response:
    current_world().call_settings.set_forwarding(config_user(write=True), json_body())
    return no_content()
