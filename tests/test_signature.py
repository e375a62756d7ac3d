"""
Webhook signature verification.
"""
import hashlib
import hmac

import pytest

from wxc_cc.signature import Verdict, derive_secret, sign, verify

pytestmark = pytest.mark.unit


def test_sign_is_webex_hmac_sha1():
    assert sign('secret', b'{"a":1}') == hmac.new(b'secret', b'{"a":1}', hashlib.sha1).hexdigest()


def test_verify():
    body = b'{"id": "x"}'
    assert verify('secret', body, sign('secret', body)) is Verdict.VALID
    assert verify('secret', body, sign('secret', body).upper()) is Verdict.VALID
    assert verify('secret', body, None) is Verdict.MISSING
    assert verify('secret', body, '') is Verdict.MISSING
    assert verify('secret', body + b' ', sign('secret', body)) is Verdict.FORGED
    assert verify('other', body, sign('secret', body)) is Verdict.FORGED
    assert verify('secret', body, 'ünïcødé') is Verdict.FORGED


def test_derived_secrets_differ_per_purpose():
    assert derive_secret('m', 'callevent:a') != derive_secret('m', 'callevent:b')
    assert derive_secret('m', 'callevent:a') == derive_secret('m', 'callevent:a')
    assert derive_secret('m', 'callevent:a') != derive_secret('n', 'callevent:a')
