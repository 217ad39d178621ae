"""How the supervisors' pages write times, shares and waits (all times Europe/London)."""
from __future__ import annotations

import csv
import io
from datetime import datetime

import phonenumbers
from flask import Response, stream_with_context

from console.supervisor.blueprint import bp
from desk.clock import LONDON, london_now


@bp.app_template_filter("sv_london")
def london(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    return value.astimezone(LONDON).strftime(fmt) if value else ""


@bp.app_template_filter("sv_pct")
def pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


@bp.app_template_filter("sv_secs")
def secs(value: float | None) -> str:
    if value is None:
        return "–"
    value = round(value)
    return f"{value // 60}m {value % 60:02d}s" if value >= 60 else f"{value}s"


@bp.app_template_filter("sv_mask")
def mask(phone: str | None) -> str:
    """A caller's number on list pages: enough to tell calls apart, no more."""
    return f"…{phone[-3:]}" if phone else "withheld"


def csv_cell(value) -> str:
    """A spreadsheet must not run what a caller or victim typed: text that would be
    read as a formula gets a leading apostrophe (E.164 numbers are left alone)."""
    if value is None:
        return ""
    text = str(value)
    if text[:1] in ("=", "@", "\t", "\r") or (text[:1] in ("+", "-") and not text[1:].isdigit()):
        return "'" + text
    return text


def spreadsheet_phone(phone: str | None) -> str:
    """A number a spreadsheet keeps as text: a UK one as dialled here, "07911 123456"
    (the space keeps it text and its leading 0); any other "+48 …" behind the
    apostrophe csv_cell puts before a leading +.  The E.164 form alone is read as a
    number and shown as 4.47911E+11."""
    if not phone:
        return "withheld"
    try:
        number = phonenumbers.parse(phone, "GB")
    except phonenumbers.NumberParseException:
        return phone
    if number.country_code == 44:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def csv_line(values) -> str:
    out = io.StringIO()
    csv.writer(out).writerow([csv_cell(v) for v in values])
    return out.getvalue()


def csv_download(name: str, header, lines) -> Response:
    """LINES (an iterable of value tuples, read as the file streams, so memory stays
    flat) as NAME-<London time>.csv under HEADER."""
    def body():
        yield csv_line(header)
        for values in lines:
            yield csv_line(values)

    stamp = london_now().strftime("%Y%m%d-%H%M")
    return Response(stream_with_context(body()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}-{stamp}.csv"'})
