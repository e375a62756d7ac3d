"""
Timestamps in the Webex wire format.
"""
import datetime
import logging

__all__ = ['iso']

log = logging.getLogger(__name__)


def iso(ts: float) -> str:
    """
    Format a POSIX timestamp as Webex does: ISO 8601, UTC, milliseconds, ``Z`` suffix.

    :param ts: seconds since the epoch
    :return: e.g. ``'2022-03-18T14:53:51.669Z'``
    """
    dt = datetime.datetime.fromtimestamp(ts, tz=datetime.timezone.utc)
    return dt.isoformat(timespec='milliseconds').replace('+00:00', 'Z')
