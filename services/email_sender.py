"""Handing one survey email to the mail server (the outbox, services/outbox.py, decides
when and records the outcome; this only builds and delivers).

The message has a plain-text body (what the outbox row holds) and an HTML alternative
made from it, a List-Unsubscribe link with RFC 8058 one-click POST, and a Message-ID
named after the outbox row.

Delivery with SMTP_HOST set is SMTP with STARTTLS (and a login if SMTP_USERNAME is
set).  What can go wrong is sorted by whether the server can have the message:
- refused before the message text was sent (connection errors, a 4xx reply to the
  greeting, MAIL or RCPT, a 4xx to DATA): ``Temporary``, sent again later; a 5xx:
  ``Permanent``, never sent;
- the text was sent and the server then said 4xx or 5xx: it refused it, so the same;
- the text was sent and no answer came: ``Uncertain``.  The server may have queued it,
  and SMTP has no way to ask, so it is not sent again (a second email is worse than a
  missed survey).
Without SMTP_HOST (development) each email is written as ``instance/mail/<row>.eml``,
once: a file that exists is never rewritten.
"""
from __future__ import annotations

import html
import os
import re
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from pathlib import Path
from typing import Any

from services.survey_links import unsubscribe_url

SMTP_TIMEOUT_SECONDS = 20  # well inside the send job's timeout
_LINK = re.compile(r"(https?://[^\s<>\"]+)")


class Temporary(Exception):
    """The server did not take the message; sending it again later is safe."""


class Permanent(Exception):
    """The server refused the message for good (a 5xx reply)."""

    def __init__(self, code: int, why: str):
        super().__init__(why)
        self.code = code


class Uncertain(Exception):
    """The message text was sent and no reply came: the server may have it."""


def build(*, row_id: int, to: str, subject: str, body: str, config: Mapping[str, Any]) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config["EMAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    domain = parseaddr(config["EMAIL_FROM"])[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = f"<outbox-{row_id}@{domain}>"
    unsubscribe = unsubscribe_url(to)
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies to us
    message.set_content(body)
    message.add_alternative(as_html(body), subtype="html")
    return message


def as_html(body: str) -> str:
    """The plain text as simple HTML: paragraphs, links made clickable, nothing remote."""
    paragraphs = []
    for block in body.strip().split("\n\n"):
        escaped = html.escape(block)
        linked = _LINK.sub(lambda m: f'<a href="{m.group(1)}">{m.group(1)}</a>', escaped)
        paragraphs.append("<p>" + linked.replace("\n", "<br>\n") + "</p>")
    return ('<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head>\n'
            '<body style="font-family: sans-serif; font-size: 16px; line-height: 1.5">\n'
            + "\n".join(paragraphs) + "\n</body></html>\n")


def deliver(message: EmailMessage, config: Mapping[str, Any]) -> None:
    """Hand MESSAGE over, or raise Temporary, Permanent or Uncertain."""
    if not config.get("SMTP_HOST"):
        _write_eml(message, config)
        return
    sender, recipient = parseaddr(message["From"])[1], message["To"]
    try:
        smtp = smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=SMTP_TIMEOUT_SECONDS)
    except (OSError, smtplib.SMTPException) as exc:
        raise Temporary(f"could not reach the mail server ({type(exc).__name__})") from exc
    try:
        try:
            smtp.ehlo()
            if config.get("SMTP_STARTTLS"):
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if config.get("SMTP_USERNAME"):
                smtp.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
            _check(*smtp.mail(sender), "MAIL")
            _check(*smtp.rcpt(recipient), "RCPT")
        except smtplib.SMTPAuthenticationError as exc:  # configuration, not this message: keep it owed
            raise Temporary(f"mail server refused the login ({exc.smtp_code}): check SMTP_USERNAME and "
                            "SMTP_PASSWORD") from exc
        except smtplib.SMTPResponseException as exc:  # greeting or STARTTLS refused
            _check(exc.smtp_code, exc.smtp_error, "session")
            raise Temporary(f"mail server: {exc.smtp_code}") from exc  # a 2xx/3xx where it should not be
        except (OSError, smtplib.SMTPException) as exc:
            raise Temporary(f"mail server connection failed ({type(exc).__name__})") from exc
        try:
            code, reply = smtp.data(as_wire_bytes(message))
        except smtplib.SMTPDataError as exc:  # refused DATA itself: the text was never sent
            _check(exc.smtp_code, exc.smtp_error, "DATA")
            raise Temporary(f"mail server: DATA {exc.smtp_code}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise Uncertain(f"no reply after the message was sent ({type(exc).__name__})") from exc
        _check(code, reply, "end of data")
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def as_wire_bytes(message: EmailMessage) -> bytes:
    """The message with CRLF line ends: smtplib sends bytes as they are, and a server
    reads bare LF lines as one over-long line."""
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def _check(code: int, reply: bytes | str, step: str) -> None:
    if 200 <= code < 400:
        return
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    why = f"mail server refused at {step}: {code} {text}"[:200]
    if code >= 500:
        raise Permanent(code, why)
    raise Temporary(why)


def _write_eml(message: EmailMessage, config: Mapping[str, Any]) -> None:
    folder = Path(config["INSTANCE_PATH"]) / "mail"
    folder.mkdir(parents=True, exist_ok=True)
    name = message["Message-ID"].strip("<>").partition("@")[0] + ".eml"
    path = folder / name
    if path.exists():  # written by an earlier attempt: never twice
        return
    partial = folder / (name + ".part")
    partial.write_bytes(as_wire_bytes(message))
    os.chmod(partial, 0o600)  # holds a victim's address
    os.replace(partial, path)
