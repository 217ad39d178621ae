"""A call's row as the voice webhooks use it: read with one SELECT and written with one
INSERT, or one UPDATE of the columns that changed, as Core statements.

The webhooks only ever touch a call's row by CallSid or id inside one request, so they
need neither the ORM's identity map nor its unit of work, which cost more CPU than the
rest of a webhook together (bench/README.md, webhooks).  Everything else (workers,
consoles, reports) keeps using ``models.calls.Call``.
"""
from __future__ import annotations

from sqlalchemy import bindparam, insert, select, update
from sqlmodel import Session

from models.calls import Call
from models.db import core

TABLE = Call.__table__
# built once: a statement's SQL is cached, but building its expression costs each time
_BY_SID = select(TABLE).where(TABLE.c.call_sid == bindparam("sid"))
_BY_ID = update(TABLE).where(TABLE.c.id == bindparam("call_id"))


class CallRow:
    """The row's values as attributes (``call.status``); what is assigned is remembered
    until ``save`` writes it."""

    __slots__ = ("_values", "_changed")

    def __init__(self, values: dict):
        object.__setattr__(self, "_values", values)
        object.__setattr__(self, "_changed", set())

    def __getattr__(self, name: str):
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"calls has no column {name!r}") from None

    def __setattr__(self, name: str, value) -> None:
        if name not in self._values:
            raise AttributeError(f"calls has no column {name!r}")
        if self._values[name] != value:
            self._values[name] = value
            self._changed.add(name)

    def saved(self, **values) -> None:
        """VALUES were written to the row by a statement of the caller's own."""
        self._values.update(values)
        self._changed.difference_update(values)


def load(db: Session, call_sid: str) -> CallRow | None:
    row = core(db).execute(_BY_SID, {"sid": call_sid}).mappings().first()
    return None if row is None else CallRow(dict(row))


def _default(name: str):
    """A function giving column NAME's default for a new call, from the model's field."""
    field = Call.model_fields[name]
    if field.default_factory is not None:
        return field.default_factory
    if field.is_required():
        return None  # the caller must give it (call_sid)
    return lambda: field.default


# Made once: building a Call model for its defaults inspects every field's factory
# again, and cost more than the rest of a new call's webhook.
_DEFAULTS = {column.name: _default(column.name) for column in TABLE.columns}


def new(**values) -> CallRow:
    """A call not yet stored, with the model's defaults (``save`` inserts it)."""
    missing = [name for name, make in _DEFAULTS.items() if make is None and name not in values]
    if missing:
        raise TypeError(f"a new call needs {', '.join(missing)}")
    return CallRow({name: values[name] if name in values else make() for name, make in _DEFAULTS.items()})


def save(db: Session, call: CallRow) -> None:
    """Insert a new call, or update what changed on a stored one, in DB's transaction.
    A new call whose CallSid another request stored first raises IntegrityError."""
    values = call._values
    if values["id"] is None:
        result = core(db).execute(insert(TABLE), {k: v for k, v in values.items() if k != "id"})
        call.saved(id=result.inserted_primary_key[0])
    elif call._changed:
        core(db).execute(_BY_ID, {"call_id": values["id"], **{name: values[name] for name in call._changed}})
    call._changed.clear()


def set_if_unchanged(db: Session, call: CallRow, watched: tuple[str, ...], **values) -> bool:
    """Set VALUES on CALL's stored row only if its WATCHED columns still hold what CALL
    read (a compare-and-set, for writers that race); True if the row took them."""
    columns = TABLE.c
    same = [columns[name].is_(None) if getattr(call, name) is None else columns[name] == getattr(call, name)
            for name in watched]
    if core(db).execute(update(TABLE).where(columns.id == call.id, *same), values).rowcount != 1:
        return False
    call.saved(**values)
    return True
