"""Ratings and response rates by stage of the victim's journey and by channel.

Ratings by stage come from the kept rating counts (rating_rollups: per borough,
officer and stage), and response rates from the kept response counts beside them
(reports/response_counts).  A response rate counts only invitations that reached the
victim (``Survey.reached_at``: a text Twilio reported delivered, or an email the mail
server accepted, since email has no delivery receipt, before the survey expired);
answered means a rating was given, whichever way (text, web link or QR code).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import String, and_, case, cast, func
from sqlmodel import Session, select

from flows.journey import STAGE_LABELS, STAGES
from models.outbox import OutboundMessage
from models.surveys import INVITE_PURPOSES, Engagement, Survey


@dataclass(frozen=True)
class Scope:
    """Engagements (or ratings) between START and END, optionally in one borough or for one officer."""
    start: datetime | None = None
    end: datetime | None = None
    borough: str | None = None
    officer_id: str | None = None
    by_rated_at: bool = False  # the console counts ratings on the day given; the API on the contact's day


@dataclass
class StageRatings:
    stage: str
    counts: dict[int, int] = field(default_factory=lambda: {n: 0 for n in range(1, 6)})

    @property
    def label(self) -> str:
        return STAGE_LABELS.get(self.stage, self.stage)

    @property
    def key(self) -> str:
        return self.stage

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def mean(self) -> float | None:
        return sum(n * c for n, c in self.counts.items()) / self.total if self.total else None


@dataclass(frozen=True)
class ResponseRate:
    stage: str
    channel: str
    delivered: int
    answered: int

    @property
    def label(self) -> str:
        return STAGE_LABELS.get(self.stage, self.stage)

    @property
    def rate(self) -> float | None:
        return self.answered / self.delivered if self.delivered else None


def _scoped(query, scope: Scope):
    column = Survey.rated_at if scope.by_rated_at else Engagement.occurred_at
    if scope.start is not None:
        query = query.where(column >= scope.start)
    if scope.end is not None:
        query = query.where(column < scope.end)
    if scope.borough:
        query = query.where(Engagement.borough == scope.borough)
    if scope.officer_id:
        query = query.where(Engagement.officer_id == scope.officer_id)
    return query


def stage_ratings(cells) -> list[StageRatings]:
    """Every stage (in journey order) with its ratings, from rating_rollups.counts()'s
    cells ((borough, officer_id, officer_name, stage, rating) -> count): the pages read
    them from the kept days and months with every other rating figure."""
    found = {stage: StageRatings(stage) for stage in STAGES}
    for (_borough, _officer, _name, stage, rating), count in cells.items():
        counts = found.setdefault(stage, StageRatings(stage)).counts
        counts[rating] = counts.get(rating, 0) + count
    return list(found.values())


def ratings_by_stage(db: Session, scope: Scope) -> list[StageRatings]:
    """Every stage (in journey order), with its ratings in scope (none: zeros), counted
    live (the pages use stage_ratings, from the kept counts)."""
    query = _scoped(select(Engagement.stage, Survey.rating, func.count()).select_from(Survey)
                    .join(Engagement, Engagement.id == Survey.engagement_id)
                    .where(Survey.rating.is_not(None)), scope)
    found = {stage: StageRatings(stage) for stage in STAGES}
    for stage, rating, count in db.exec(query.group_by(Engagement.stage, Survey.rating)).all():
        found.setdefault(stage, StageRatings(stage)).counts[rating] = int(count)
    return list(found.values())


def response_rates(db: Session, scope: Scope) -> list[ResponseRate]:
    """Per stage and channel with any invitation that reached the victim in scope:
    delivered, answered; counted live (the pages use rates_from, from the kept counts)."""
    answered = func.sum(case((Survey.rating.is_not(None), 1), else_=0))
    query = _scoped(select(Engagement.stage, Survey.channel, func.count(), answered).select_from(Survey)
                    .join(Engagement, Engagement.id == Survey.engagement_id)
                    .where(Survey.reached_at.is_not(None)), scope)
    rows = db.exec(query.group_by(Engagement.stage, Survey.channel)).all()
    return _ordered(ResponseRate(stage, channel or "unknown", int(count), int(done or 0))
                    for stage, channel, count, done in rows)


def rates_from(tally) -> list[ResponseRate]:
    """Per stage and channel, from rating_rollups.response_counts()'s tally
    ((borough, officer_id, stage, channel, "reached" | "answered") -> count)."""
    found: dict[tuple[str, str], list[int]] = {}
    for (_borough, _officer, stage, channel, kind), count in tally.items():
        pair = found.setdefault((stage, channel), [0, 0])
        pair[kind != "reached"] += count
    return _ordered(ResponseRate(stage, channel, reached, answered)
                    for (stage, channel), (reached, answered) in found.items() if reached)


def _ordered(rates) -> list[ResponseRate]:
    order = {stage: n for n, stage in enumerate(STAGES)}
    return sorted(rates, key=lambda r: (order.get(r.stage, 99), r.channel))


def overall_response(rates: list[ResponseRate]) -> ResponseRate:
    return ResponseRate("all", "all", sum(r.delivered for r in rates), sum(r.answered for r in rates))


def invitation_join():
    """The survey's invitation in the outbox (the survey list shows what happened to it)."""
    return and_(OutboundMessage.dedupe_key == cast(Survey.id, String),
                OutboundMessage.purpose.in_(list(INVITE_PURPOSES.values())))
