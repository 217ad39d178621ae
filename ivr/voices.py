"""The one voice table: the text-to-speech voice and language tag each language is
spoken in, on every leg (caller, victim on a callback, agent) and in the fallback,
from the IVR_VOICE_EN and IVR_VOICE_PL settings; and how a sentence's numbers and
foreign names (flows.spoken) are read: SSML inside <Say>, built with twilio's builders.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from twilio.twiml import TwiML

from desk import settings
from desk.settings import Settings
from flows import spoken
from flows.model import Say

LOCALES = {"en": "en-GB", "pl": "pl-PL"}
# what the static fallback document (built without a running app) is read in
DEFAULT_VOICES = {name: Settings.model_fields[name].default for name in ("IVR_VOICE_EN", "IVR_VOICE_PL")}


def voice(language: str | None, config: Mapping[str, Any] | None = None) -> dict[str, str]:
    """Keyword arguments for ``say``: the voice and language tag for LANGUAGE
    (English for anything unknown), from CONFIG or the running settings."""
    lang = language if language in LOCALES else "en"
    config = settings.current() if config is None else config
    return {"voice": config[f"IVR_VOICE_{lang.upper()}"], "language": LOCALES[lang]}


def add_say(parent: TwiML, said: Say, config: Mapping[str, Any] | None = None) -> None:
    """SAID as a <Say> in PARENT: numbers to act on read digit by digit (<say-as
    interpret-as="digits">), phone numbers digit by digit in their groups with a pause
    between, names in another language inside <lang>.  Plain words stay plain text."""
    parts = said.parts or spoken.text(said.text)
    element = parent.say(**voice(said.language, config))
    pending = ""  # twilio's builder keeps one text per gap between children: join first

    def flush() -> None:
        nonlocal pending
        if pending:
            element.append(pending)
            pending = ""

    for part in parts:
        if part.kind == spoken.TEXT:
            pending += part.value
        elif part.kind == spoken.DIGITS:
            flush()
            element.say_as(part.value, interpret_as="digits")
        elif part.kind == spoken.PHONE:
            groups = part.value.split()
            if groups[0] == "+":
                pending += "plus "
                groups = groups[1:]
            for i, group in enumerate(groups):
                if i:
                    pending += ", "
                flush()
                element.say_as(" ".join(group), interpret_as="digits")
        elif part.kind == spoken.FOREIGN:
            flush()
            element.lang(part.value, xml_lang=LOCALES[part.language])
        else:  # pragma: no cover - flows.spoken makes only these
            raise ValueError(f"unknown part {part.kind!r}")
    flush()
