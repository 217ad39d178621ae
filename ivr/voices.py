"""The one voice table: the text-to-speech voice and language tag each language is
spoken in, on every leg (caller, victim on a callback, agent) and in the fallback,
from the IVR_VOICE_EN and IVR_VOICE_PL settings."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from desk import settings
from desk.settings import Settings

LOCALES = {"en": "en-GB", "pl": "pl-PL"}
# what the static fallback document (built without a running app) is read in
DEFAULT_VOICES = {name: Settings.model_fields[name].default for name in ("IVR_VOICE_EN", "IVR_VOICE_PL")}


def voice(language: str | None, config: Mapping[str, Any] | None = None) -> dict[str, str]:
    """Keyword arguments for ``say``: the voice and language tag for LANGUAGE
    (English for anything unknown), from CONFIG or the running settings."""
    lang = language if language in LOCALES else "en"
    config = settings.current() if config is None else config
    return {"voice": config[f"IVR_VOICE_{lang.upper()}"], "language": LOCALES[lang]}
