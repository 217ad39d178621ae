"""A fake texter: sends inbound SMS webhooks to the app as Twilio would and reads the
TwiML reply.

    texter = Texter(client, base_url="https://desk.example.org", auth_token=TOKEN)
    assert texter.send("STOP") == ["You will get no more messages from the Victim Focus Desk."]
    texter.resend()  # the same MessageSid again: Twilio retrying the webhook
"""
from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import KW_ONLY, dataclass, field
from urllib.parse import urljoin

from emulator.caller import API_VERSION, DEFAULT_ACCOUNT_SID, CallLoopError, Exchange
from emulator.signing import absolute_url, country_of, form, new_sid, post_signed, twiml_root

# GSM 03.38 basic character set: messages using only these fit 160 characters a segment.
GSM_CHARS = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€")
MAX_REDIRECTS = 10


@dataclass(frozen=True)
class SentMessage:
    sid: str
    body: str
    media: tuple[str, ...] = ()


@dataclass
class Texter:
    """A phone that texts the desk number."""
    client: object
    _: KW_ONLY
    base_url: str
    auth_token: str
    from_: str = "+447700900123"
    to: str = "+442071230000"
    account_sid: str = DEFAULT_ACCOUNT_SID
    path: str = "/sms/inbound"
    messaging_service_sid: str | None = None
    signature_algorithm: str | None = None
    shared_key: str | None = None
    sent: list[SentMessage] = field(default_factory=list, init=False)
    requests: list[Exchange] = field(default_factory=list, init=False)

    def send(self, body: str, *, media: tuple[str, ...] = (), message_sid: str | None = None) -> list[str]:
        """Text ``body`` to the app; returns the bodies of the <Message> replies."""
        message = SentMessage(message_sid or new_sid("SM"), body, tuple(media))
        self.sent.append(message)
        return self._deliver(message)

    def resend(self) -> list[str]:
        """Deliver the last message again with the same MessageSid (a Twilio retry)."""
        if not self.sent:
            raise AssertionError("resend(): nothing has been sent yet")
        return self._deliver(self.sent[-1])

    def params(self, message: SentMessage) -> dict:
        """The inbound-message webhook parameters Twilio documents."""
        params = {
            "MessageSid": message.sid, "SmsSid": message.sid, "SmsMessageSid": message.sid,
            "AccountSid": self.account_sid, "MessagingServiceSid": self.messaging_service_sid,
            "From": self.from_, "To": self.to, "Body": message.body,
            "NumMedia": len(message.media), "NumSegments": segments(message.body),
            "SmsStatus": "received", "ApiVersion": API_VERSION,
            "FromCountry": country_of(self.from_), "ToCountry": country_of(self.to),
            "FromCity": "", "FromState": "", "FromZip": "", "ToCity": "", "ToState": "", "ToZip": "",
        }
        for i, url in enumerate(message.media):
            params[f"MediaUrl{i}"] = url
            params[f"MediaContentType{i}"] = "image/jpeg"
        return params

    def _deliver(self, message: SentMessage) -> list[str]:
        url = absolute_url(self.base_url, self.path)
        for _ in range(MAX_REDIRECTS):
            root = self._post(url, self.params(message))
            redirect = root.find("Redirect")
            if redirect is None:
                return replies(root)
            url = urljoin(url, (redirect.text or "").strip())
        raise CallLoopError(f"more than {MAX_REDIRECTS} <Redirect>s answering one message")

    def _post(self, url: str, params: dict) -> ET.Element:
        response = post_signed(self.client, self.base_url, url, params, self.auth_token,
                               algorithm=self.signature_algorithm, shared_key=self.shared_key)
        self.requests.append(Exchange("POST", url, form(params), response.status_code))
        return twiml_root(response, url)


def replies(root: ET.Element) -> list[str]:
    """Message bodies in a messaging <Response>: <Message>text</Message> or with <Body>."""
    bodies = []
    for message in root.iter("Message"):
        body = message.find("Body")
        bodies.append(((body.text if body is not None else message.text) or "").strip())
    return bodies


def segments(body: str) -> int:
    """How many SMS segments Twilio would count for ``body``."""
    single, multi = (160, 153) if set(body) <= GSM_CHARS else (70, 67)
    return 1 if len(body) <= single else math.ceil(len(body) / multi)
