"""The console's settings (defaults and meanings: desk/config.py) as it needs them."""
from __future__ import annotations

from desk import config


def setting(name: str, app=None) -> str:
    return str(config.setting(name, app))


def int_setting(name: str, app=None) -> int:
    return int(setting(name, app))


def float_setting(name: str, app=None) -> float:
    return float(setting(name, app))
