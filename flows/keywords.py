"""Keywords a texter can send at any point, and opt-outs in the texter's own words.

``keyword``: a keyword is the whole message — "stop", " STOP. ", "Help?" — never a
word inside a sentence.  The opt-out and opt-in words are the ones Twilio's own
Advanced Opt-Out recognises, so what we record agrees with what Twilio enforces.

``opt_out_intent``: people also write "please stop", "Stop texting me", "no more
texts", "nie pisz".  STOP or UNSUBSCRIBE as the first or last word of a short message,
or a short message made only of stop phrases, opts out; a negation never does ("please
don't stop"), nor CANCEL, END or QUIT inside a sentence ("cancel my callback").  A
longer message that merely contains "stop" is told how to opt out instead.
"""
from __future__ import annotations

import re

OPT_OUT = "opt_out"
OPT_IN = "opt_in"
HELP = "help"
CALLBACK = "callback"
UPDATE = "update"
# the message mentions stopping but does not clearly ask it: tell them how
STOP_MENTIONED = "stop_mentioned"

KEYWORDS: dict[str, str] = {
    **dict.fromkeys(("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"), OPT_OUT),
    **dict.fromkeys(("START", "YES", "UNSTOP"), OPT_IN),
    **dict.fromkeys(("HELP", "INFO"), HELP),
    "CALL": CALLBACK,
    "UPDATE": UPDATE,
}

# Words that may only open or close a short opt-out: "stop please", "unsubscribe me"
STOP_WORDS = {"stop", "unsubscribe", "stopall", "optout"}
# The longest message (in words) whose first or last word can opt it out
SHORT = 8
# Phrases a whole message may be made of (after the courtesies below are dropped)
STOP_PHRASES = (
    "stop texting me", "stop texting", "stop messaging me", "stop messaging", "stop sending me texts",
    "stop sending texts", "stop sending me messages", "stop the texts", "stop these texts", "stop texts",
    "stop sms", "stop contacting me", "no more texts", "no more messages", "no more text messages",
    "no more sms", "unsubscribe me", "take me off your list", "take me off the list",
    "remove me from your list", "remove my number", "opt me out", "opt out",
    # Polish
    "nie pisz", "nie piszcie", "nie pisz do mnie", "nie piszcie do mnie", "nie pisać", "nie pisac",
    "nie wysyłaj", "nie wysylaj", "nie wysyłajcie", "nie wysylajcie", "nie wysyłać sms", "nie wysylac sms",
    "nie chcę sms", "nie chce sms", "nie chcę wiadomości", "nie chce wiadomosci", "wypisz mnie",
    "wypiszcie mnie", "koniec sms", "stop sms",
)
COURTESIES = ("please", "pls", "plz", "just", "now", "thanks", "thank you", "thankyou", "ok", "okay",
              "can you", "could you", "i want you to", "i want to", "i'd like to", "i would like to",
              "proszę", "prosze", "dziękuję", "dziekuje", "już", "juz", "więcej", "wiecej", "sms", "smsów",
              "smsow", "do mnie")
# "don't", "do not", "never", "not": the sentence is about not stopping
NEGATIONS = {"don't", "dont", "do", "not", "never", "didn't", "didnt", "won't", "wont", "shouldn't", "no"}


def keyword(text: str | None) -> str | None:
    """The action the whole message asks for, or None when it is not a keyword."""
    return KEYWORDS.get(keyword_word(text))


def keyword_word(text: str | None) -> str:
    """The whole message as a keyword would be written: " Yes! " is "YES"."""
    return re.sub(r"[\s.!?,;:'\"]+$", "", (text or "").strip()).strip().upper()


# "ok", "thanks": a courtesy after a conversation ends, which needs no answer
COURTESY_MESSAGES = {"ok", "okay", "k", "kk", "thanks", "thank you", "thankyou", "thank u", "thanks a lot",
                     "thanks very much", "thank you very much", "thx", "ty", "ta", "cheers", "great",
                     "lovely", "brilliant", "fine", "ok thanks", "ok thank you", "okay thanks", "will do",
                     "noted", "got it", "dziękuję", "dziekuje", "dzięki", "dzieki", "ok dzięki", "ok dziękuję"}


def is_courtesy(text: str | None) -> bool:
    """"ok", "Thanks!", "👍", "🙏🙏": nothing asked, nothing to tell the desk."""
    words = " ".join(_words(text))
    return words in COURTESY_MESSAGES or (not words and bool((text or "").strip()))


def _words(text: str) -> list[str]:
    text = (text or "").lower().replace("\u2019", "'")
    return re.sub(r"[^\w\s']", " ", text).split()


# FORUM STOP (or STOP FORUM), with courtesies: withdraw the consent to hear about the
# Victim Voice Forum, and nothing else (it is read before an opt-out in own words, which
# "forum stop" would otherwise be).  The forum's confirmation text tells the victim of it.
FORUM_STOP_WORDS = (["forum", "stop"], ["stop", "forum"])


def is_forum_stop(text: str | None) -> bool:
    said = f" {' '.join(_words(text))} "
    for courtesy in sorted(COURTESIES, key=len, reverse=True):
        said = said.replace(f" {courtesy} ", " ")
    return said.split() in FORUM_STOP_WORDS


def opt_out_intent(text: str | None) -> str | None:
    """OPT_OUT when the message asks in so many words to stop the texts, STOP_MENTIONED
    when it only mentions stopping, else None (a whole-message keyword is ``keyword``'s)."""
    words = _words(text)
    if not words:
        return None
    if _only_stop_phrases(" ".join(words)):
        return OPT_OUT
    if any(w in NEGATIONS for w in words):
        # "please don't stop", "do not stop the investigation"; "stop, don't text me" is
        # told how to opt out rather than guessed at
        return STOP_MENTIONED if words[0] in STOP_WORDS else None
    if len(words) <= SHORT and (words[0] in STOP_WORDS or words[-1] in STOP_WORDS):
        return OPT_OUT
    if any(w in STOP_WORDS for w in words):
        return STOP_MENTIONED
    return None


def _only_stop_phrases(said: str) -> bool:
    """Is the message nothing but stop phrases and courtesies?"""
    rest = f" {said} "
    found = False
    for phrase in sorted(STOP_PHRASES, key=len, reverse=True):
        if f" {phrase} " in rest:
            rest, found = rest.replace(f" {phrase} ", " "), True
    if not found:
        return False
    for courtesy in sorted(COURTESIES, key=len, reverse=True):
        rest = rest.replace(f" {courtesy} ", " ")
    return not rest.strip()
