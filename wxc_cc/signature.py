"""
Webhook signatures: Webex signs each notification with HMAC-SHA1 of the raw body, keyed with the webhook's
secret, in the ``X-Spark-Signature`` header. Pure functions, no I/O.
"""
import hashlib
import hmac
from enum import Enum
from typing import Optional

__all__ = ['sign', 'verify', 'Verdict', 'derive_secret']


class Verdict(Enum):
    """
    Outcome of a signature check.
    """
    #: the signature matches
    VALID = 'valid'
    #: no signature was sent
    MISSING = 'missing'
    #: a signature was sent but does not match
    FORGED = 'forged'


def sign(secret: str, body: bytes) -> str:
    """
    The signature Webex sends for ``body``.

    :param secret: the webhook's secret
    :param body: the raw request body
    :return: hex HMAC-SHA1
    """
    return hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()


def verify(secret: str, body: bytes, signature: Optional[str]) -> Verdict:
    """
    Check a notification's signature in constant time.

    :param secret: the webhook's secret
    :param body: the raw request body, exactly as received
    :param signature: value of the ``X-Spark-Signature`` header, if any
    :return: the verdict
    """
    if not signature:
        return Verdict.MISSING
    expected = sign(secret, body)
    # bytes on both sides: compare_digest refuses non-ASCII str, and a header may carry anything
    if hmac.compare_digest(expected.encode(), signature.strip().lower().encode('utf-8', 'replace')):
        return Verdict.VALID
    return Verdict.FORGED


def derive_secret(master: str, purpose: str) -> str:
    """
    A secret for one purpose derived from the master secret.

    Webhooks created with a user's token are visible to that user, secret included; each user's call-event
    webhook therefore gets its own secret so that nobody can sign notifications for anybody else.

    :param master: the bot's webhook secret
    :param purpose: what the secret is for, e.g. ``'callevent:<person id>'``
    :return: hex secret
    """
    return hmac.new(master.encode(), purpose.encode(), hashlib.sha256).hexdigest()[:48]
