"""What a valid reply to a Twilio webhook looks like, and which app URLs it sends
Twilio to next.  Used by the fuzzing and route-inventory tests."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urljoin, urlsplit

# The verbs Twilio accepts at the top of a <Response> (twilio-python's VoiceResponse
# and MessagingResponse), and what each may hold.
VOICE_VERBS = {"Say", "Play", "Pause", "Gather", "Redirect", "Enqueue", "Leave", "Dial", "Hangup", "Record",
               "Reject", "Sms", "Connect", "Refer", "Start", "Stop", "Pay", "Prompt", "Echo"}
MESSAGING_VERBS = {"Message", "Redirect"}
CHILDREN = {
    "Gather": {"Say", "Play", "Pause"},
    "Dial": {"Number", "Client", "Queue", "Sip", "Conference", "Sim", "Application"},
    "Enqueue": {"Task"},
    "Message": {"Body", "Media"},
    # SSML inside <Say> (twilio-python's Say builders; Amazon Polly voices read it)
    "Say": {"say-as", "lang", "break", "emphasis", "p", "phoneme", "prosody", "s", "sub", "w"},
}
SSML = CHILDREN["Say"]
# Verbs a person on the line notices: anything else alone (a bare <Hangup/>) is
# silence, or a call dropped without a word.
AUDIBLE = {"Say", "Play", "Gather", "Enqueue", "Dial", "Record", "Pay", "Connect"}
# Attributes that hold a URL Twilio will request.
URL_ATTRIBUTES = ("action", "waitUrl", "url", "statusCallback", "recordingStatusCallback",
                  "transcribeCallback", "partialResultCallback", "amdStatusCallback")
TWIML_TYPES = ("text/xml", "application/xml")


class InvalidTwiML(AssertionError):
    pass


def parse(body: str | bytes, *, messaging: bool) -> ET.Element:
    """The <Response> of a TwiML reply; InvalidTwiML unless it is well formed XML
    made only of TwiML verbs (with the children each verb allows)."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise InvalidTwiML(f"not well-formed XML ({exc}): {body[:300]!r}") from None
    if root.tag != "Response":
        raise InvalidTwiML(f"root element is <{root.tag}>, not <Response>")
    if (root.text or "").strip():
        raise InvalidTwiML(f"stray text in <Response>: {root.text[:100]!r}")
    allowed = MESSAGING_VERBS if messaging else VOICE_VERBS
    for verb in root:
        if verb.tag not in allowed:
            raise InvalidTwiML(f"<{verb.tag}> is not a {'messaging' if messaging else 'voice'} TwiML verb")
        _check_children(verb)
    for say in root.iter("Say"):
        if not "".join(say.itertext()).strip():
            raise InvalidTwiML("an empty <Say>: the caller hears nothing")
    return root


def _check_children(verb: ET.Element) -> None:
    allowed = CHILDREN.get(verb.tag, set())
    for child in verb:
        if verb.tag == "Body" or child.tag not in allowed:
            raise InvalidTwiML(f"<{child.tag}> inside <{verb.tag}>")
        if child.tag in SSML:
            _check_ssml(child)
        elif child.tag in CHILDREN:
            _check_children(child)


def _check_ssml(element: ET.Element) -> None:
    """SSML holds words and other SSML only."""
    for child in element:
        if child.tag not in SSML:
            raise InvalidTwiML(f"<{child.tag}> inside <{element.tag}>")
        _check_ssml(child)


def is_twiml(response) -> bool:
    return response.mimetype in TWIML_TYPES


def audible(root: ET.Element) -> bool:
    return any(verb.tag in AUDIBLE for verb in root)


def next_urls(root: ET.Element, request_url: str) -> list[tuple[str, str]]:
    """(method, absolute URL) of every request this TwiML tells Twilio to make."""
    found = []
    for el in root.iter():
        for name in URL_ATTRIBUTES:
            if el.get(name):
                method = el.get(f"{name}Method" if name != "action" and name != "url" else "method") or "POST"
                found.append((method.upper(), urljoin(request_url, el.get(name))))
        if el.tag == "Redirect" and (el.text or "").strip():
            found.append(((el.get("method") or "POST").upper(), urljoin(request_url, el.text.strip())))
    return found


def app_path(public_base_url: str, url: str) -> str | None:
    """Path and query of URL if it points into the app, else None (hold music etc.)."""
    base = urlsplit(public_base_url)
    parts = urlsplit(url)
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")
