"""What agents hear (English only: desk staff) and the few things the desk says to a
victim on a callback (in the victim's language).  Plain data and string building.

Nothing here may carry case details: a whisper says only how long a caller waited,
whether they were verified and what language they speak; a voicemail says only that
we called back and how to reach us.
"""
from __future__ import annotations

from flows import spoken
from flows.dispatch import LANGUAGE_NAMES
from flows.model import Say

AGENT = {
    "queue_whisper": "Victim Focus Desk caller. {waited}. {verified}. Language: {language}.{vawg}",
    "callback_whisper": ("Callback to a victim, attempt {attempt} of {max_attempts}. {verified}. "
                         "Language: {language}. {voicemail}"),
    "press_to_take": "Press 1 to take the call.",
    "press_to_place": "Press 1 to place the callback.",
    "no_key": "No key pressed. The call will go to another agent.",
    "declined": "Call declined. It will go to another agent.",
    "gone": "The caller is no longer waiting. Thank you, you stay available.",
    "not_due": "This callback is no longer due. Thank you, you stay available.",
    "connecting": "Connecting you now.",
    "call_ended": "Call ended. You have {wrap} seconds of wrap-up before the next call.",
    "call_ended_no_wrap_up": "Call ended. You stay available.",
    "calling_victim": "Calling the victim now. {machine}",
    "machine_message": "If a machine answers, a short message without details will be left.",
    "machine_silent": "If a machine answers, leave no message: just hang up.",
    "cb_connected": "Callback finished.",
    "cb_voicemail_left": "An answering machine answered. A short message without details was left.",
    "cb_machine_no_message": "An answering machine answered. No message was left, as agreed with the victim.",
    "cb_no_answer": "There was no answer.",
    "cb_busy": "The line was busy.",
    "cb_failed": "The call could not be connected.",
    "cb_canceled": "The call was stopped before the victim answered.",
    "cb_retry": "The desk will try again at {at}.",
    "cb_gave_up": "That was the last attempt. The callback is marked as failed for a supervisor to review.",
    "no_longer_needed": "This call is no longer needed. Thank you.",
}

VERIFIED = {True: "Verified on a case", False: "Not verified"}
VAWG_FLAG = " Flagged violence against women and girls."

# Said to whoever answers the victim's phone.  No name, no service name on a machine,
# nothing about a case: the phone may be shared with the person who caused harm.
VICTIM = {
    "en": {
        "voicemail": ("Hello. This is the return call you asked for. Sorry we missed you. "
                      "We will try again, or you can call us back on {number}. Goodbye."),
        # the last attempt: no promise of another call
        "voicemail_last": ("Hello. This is the return call you asked for. Sorry we missed you. "
                           "Please call us back on {number}. Goodbye."),
        "connecting": "Hello, connecting you now.",
    },
    "pl": {
        "voicemail": ("Dzień dobry. Oddzwaniamy zgodnie z prośbą. Przepraszamy, że nie udało się "
                      "porozmawiać. Spróbujemy ponownie albo prosimy oddzwonić pod numer {number}. "
                      "Do widzenia."),
        "voicemail_last": ("Dzień dobry. Oddzwaniamy zgodnie z prośbą. Przepraszamy, że nie udało się "
                           "porozmawiać. Prosimy oddzwonić pod numer {number}. Do widzenia."),
        "connecting": "Dzień dobry, łączymy.",
    },
}

def waited_phrase(seconds: int) -> str:
    minutes = max(0, seconds) // 60
    if minutes < 1:
        return "Waited less than a minute"
    return f"Waited {minutes} minute" + ("" if minutes == 1 else "s")


def language_name(code: str | None) -> str:
    return LANGUAGE_NAMES.get(code or "en", code or "English")


def queue_whisper(*, waited_seconds: int, verified: bool, language: str | None, vawg: bool) -> str:
    return AGENT["queue_whisper"].format(waited=waited_phrase(waited_seconds), verified=VERIFIED[bool(verified)],
                                         language=language_name(language), vawg=VAWG_FLAG if vawg else "")


def callback_whisper(*, attempt: int, max_attempts: int, verified: bool, language: str | None,
                     voicemail: bool) -> str:
    return AGENT["callback_whisper"].format(
        attempt=attempt, max_attempts=max_attempts, verified=VERIFIED[bool(verified)],
        language=language_name(language),
        voicemail="Voicemail allowed." if voicemail else "No voicemail.")


def victim_text(language: str | None, key: str, **values) -> tuple[str, str]:
    """(text, the language it is in) for something said to the victim's phone."""
    said = victim_say(language, key, **values)
    return said.text, said.language


def victim_say(language: str | None, key: str, **values) -> Say:
    """Something said to the victim's phone, in their language (English if unknown);
    VALUES may be phrases (a phone number read in groups: flows.phone.spoken_phone)."""
    lang = language if language in VICTIM else "en"
    parts = spoken.fill(VICTIM[lang][key], values)
    return Say(key=key, text=parts.plain, language=lang, parts=tuple(parts))
