"""
Webex-style identifiers, tracking ids and opaque secrets.

A Webex id is the base64 encoding (standard alphabet, ``=`` padding stripped) of
``ciscospark://us/{KIND}/{uuid}``. The ASCII alphabet of that URI never produces ``+`` or
``/`` in the encoding, so the ids are safe in URL paths.
"""
import base64
import logging
import secrets
import uuid

__all__ = ['KINDS', 'new_id', 'decode_id', 'kind_of', 'new_tracking_id', 'new_secret', 'new_session_id']

log = logging.getLogger(__name__)

#: kinds of objects the fake hands out ids for
KINDS = frozenset({'PEOPLE', 'ROOM', 'MESSAGE', 'WEBHOOK', 'CALL', 'ORGANIZATION', 'APPLICATION',
                   'ATTACHMENT_ACTION', 'VOICEMAIL', 'LOCATION', 'CALLING_DEVICE', 'CALL_QUEUE', 'HUNT_GROUP'})

_PREFIX = 'ciscospark://us/'


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode().rstrip('=')


def new_id(kind: str) -> str:
    """
    A new, unique Webex-style id.

    :param kind: one of :data:`KINDS`, e.g. ``'PEOPLE'``
    :return: base64 of ``ciscospark://us/{kind}/{uuid4}`` without padding
    :raises ValueError: for an unknown kind
    """
    if kind not in KINDS:
        raise ValueError(f'unknown id kind {kind!r}')
    return _b64(f'{_PREFIX}{kind}/{uuid.uuid4()}')


def decode_id(webex_id: str) -> tuple[str, str]:
    """
    Split a Webex-style id into its kind and uuid.

    :param webex_id: an id as produced by :func:`new_id`
    :return: ``(kind, uuid)``
    :raises ValueError: if the id is not a Webex-style id
    """
    try:
        raw = base64.b64decode(webex_id + '=' * (-len(webex_id) % 4), validate=True).decode()
    except (ValueError, UnicodeDecodeError) as e:
        raise ValueError(f'not a Webex id: {webex_id!r}') from e
    if not raw.startswith(_PREFIX) or raw.count('/') != 4:
        raise ValueError(f'not a Webex id: {webex_id!r}')
    kind, ident = raw[len(_PREFIX):].split('/')
    return kind, ident


def kind_of(webex_id: str) -> str | None:
    """
    The kind of Webex-style id, None if it is not one.

    :param webex_id: any string
    :return: kind like ``'ROOM'`` or None
    """
    try:
        return decode_id(webex_id)[0]
    except ValueError:
        return None


def new_tracking_id() -> str:
    """
    :return: a tracking id as sent in error bodies and the ``trackingid`` header
    """
    return f'FAKE_{uuid.uuid4()}'


def new_secret(nbytes: int = 32) -> str:
    """
    An unguessable URL-safe string for access/refresh tokens and authorization codes.

    :param nbytes: bytes of randomness
    :return: the secret
    """
    return secrets.token_urlsafe(nbytes)


def new_session_id() -> str:
    """
    :return: a call session id (opaque base64 like the ones Webex Calling uses)
    """
    return _b64(str(uuid.uuid4()))
