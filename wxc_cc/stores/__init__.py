"""
Token stores, one module per backend, and the choice between them.
"""
from typing import Optional

from ..config import Settings
from .base import FLOW_LIFETIME, REFRESH_MARGIN, Refresher, TokenManager, UserContext
from .redis_store import RedisTokenManager, redis_from_settings
from .yaml_store import YAMLTokenManager

__all__ = ['UserContext', 'TokenManager', 'YAMLTokenManager', 'RedisTokenManager', 'build_token_manager',
           'redis_from_settings', 'FLOW_LIFETIME', 'REFRESH_MARGIN', 'Refresher']


def build_token_manager(settings: Settings, refresher: Optional[Refresher] = None) -> TokenManager:
    """
    The token store the settings select: Redis when any Redis variable is set, else the YAML file.

    :param settings: the bot's settings
    :param refresher: how to refresh tokens
    :return: the store; no connection is made yet
    """
    if settings.uses_redis:
        return RedisTokenManager(redis_from_settings(settings), refresher=refresher, token_key=settings.token_key)
    return YAMLTokenManager(settings.token_file, refresher=refresher, token_key=settings.token_key)
