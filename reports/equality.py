"""Satisfaction by community, from the web survey's optional equality monitoring.

Only aggregates, and only of at least ``MIN_CELL`` answers: a smaller cell's figures are
withheld, and so is the next smallest in the same table when only one would be
(otherwise the total minus the others gives it away).  No total is shown for the same
reason.  What is stored is already counts by month (models/forum.py), with no survey,
officer or time finer than the month, so nothing here can be traced to a person.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from flows.equality import AGE_BANDS, ETHNIC_GROUP_OF, ETHNICITIES, MIN_CELL
from models.forum import EqualityResponse


@dataclass(frozen=True)
class Cell:
    label: str
    count: int | None  # None: withheld
    mean: float | None

    @property
    def withheld(self) -> bool:
        return self.count is None


def _suppress(raw: list[tuple[str, int, float]]) -> list[Cell]:
    small = [label for label, count, _ in raw if 0 < count < MIN_CELL]
    if len(small) == 1:  # one withheld cell could be worked out from the others: withhold another
        shown = sorted((count, label) for label, count, _ in raw if count >= MIN_CELL)
        if shown:
            small.append(shown[0][1])
    return [Cell(label, None, None) if label in small or count == 0 else Cell(label, count, round(mean, 2))
            for label, count, mean in raw if count > 0 or label in small]


def _grouped(db: Session, column, where: list) -> dict[str, tuple[int, float]]:
    answers = func.sum(EqualityResponse.count)
    rows = db.exec(select(column, answers, func.sum(EqualityResponse.rating * EqualityResponse.count))
                   .where(*where).group_by(column)).all()
    return {key: (int(count or 0), float(total or 0) / int(count) if count else 0.0) for key, count, total in rows}


def _filters(first_month: str | None, last_month: str | None, borough: str | None) -> list:
    where = []
    if first_month:
        where.append(EqualityResponse.month >= first_month)
    if last_month:
        where.append(EqualityResponse.month <= last_month)
    if borough:
        where.append(EqualityResponse.borough == borough)
    return where


def by_age(db: Session, first_month=None, last_month=None, borough=None) -> list[Cell]:
    found = _grouped(db, EqualityResponse.age_band, _filters(first_month, last_month, borough))
    return _suppress([(label, *found.get(key, (0, 0.0))) for key, label in AGE_BANDS.items()])


def by_ethnic_group(db: Session, first_month=None, last_month=None, borough=None) -> list[Cell]:
    found = _grouped(db, EqualityResponse.ethnicity, _filters(first_month, last_month, borough))
    groups: dict[str, list[float]] = {}
    for key, (count, mean) in found.items():
        acc = groups.setdefault(ETHNIC_GROUP_OF.get(key, key), [0, 0.0])
        acc[0] += count
        acc[1] += mean * count
    order = list(dict.fromkeys(ETHNIC_GROUP_OF.values()))
    return _suppress([(group, int(groups.get(group, [0, 0])[0]),
                       groups[group][1] / groups[group][0] if groups.get(group, [0])[0] else 0.0)
                      for group in order])


def by_ethnicity(db: Session, first_month=None, last_month=None, borough=None) -> list[Cell]:
    found = _grouped(db, EqualityResponse.ethnicity, _filters(first_month, last_month, borough))
    return _suppress([(label, *found.get(key, (0, 0.0))) for key, label in ETHNICITIES.items()])
