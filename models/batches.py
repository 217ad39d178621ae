"""Working through a large table a batch at a time, in id order, so a backlog of
millions never loads at once or holds a long lock."""
from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlmodel import Session


def id_batches(db: Session, model: type, where: list, size: int) -> Iterator[list[int]]:
    """The ids of MODEL's rows matching WHERE, SIZE at a time, in id order.  Each batch
    starts after the last id of the one before, so what the caller did to a batch
    (changed it, or left it, as a dry run does) is never read again."""
    last_id = 0
    while True:
        ids = db.execute(select(model.id).where(model.id > last_id, *where)
                         .order_by(model.id).limit(size)).scalars().all()
        if not ids:
            return
        yield list(ids)
        last_id = ids[-1]
