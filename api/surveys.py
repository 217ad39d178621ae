"""The survey API: engagements in (from the case system), surveys and ratings out (for
supervisors), and the printable QR code an officer hands to a victim."""
from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from typing import Literal

from email_validator import EmailNotValidError, validate_email
from flask import Blueprint, Response, g, jsonify, request
from pydantic import BaseModel, ConfigDict, Field, RootModel, field_validator, model_validator
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from api import boroughs, cursors
from api.base import ApiError, document, not_found, parse_body, parse_query, require_token, sometimes, victim_phone
from api.bounds import in_range
from desk import clock, keyset, settings
from flows import journey
from flows import sms_conversation as conv
from flows.sms_schedule import LONDON
from models.cases import reference_digits
from models.db import session
from models.outbox import OutboundMessage
from models.surveys import Engagement, Survey
from reports import journey as journey_report
from reports import rating_rollups
from services import survey_links as links
from services import surveys

bp = Blueprint("sms_api", __name__, url_prefix="/api/v1")

FUTURE_SLACK = timedelta(hours=1)  # clocks on officers' devices drift


class EngagementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    officer_id: str = Field(min_length=1, max_length=50)
    officer_name: str = Field(min_length=1, max_length=60, description="as the victim knows them, e.g. PC 4521")
    borough: str = Field(min_length=1, max_length=100,
                         description="one of the force's boroughs (FORCE_BOROUGHS), any case; stored as the force spells it")
    victim_phone: str = Field(min_length=1, max_length=40)
    crime_reference: str | None = Field(default=None, max_length=64)
    occurred_at: datetime = Field(description="when the contact happened; without an offset, London time")
    stage: Literal[journey.STAGES] = Field(  # type: ignore[valid-type]
        default=journey.DEFAULT_STAGE, description="the point of the victim's journey the contact was")
    victim_email: str | None = Field(default=None, max_length=254,
                                     description="checked for form only (no look-up); stored in lower case")
    channel_preference: Literal["sms", "email"] = Field(default="sms", description="how the victim wants to be "
                                                                                   "asked; email needs victim_email")
    email_safe: bool = Field(default=False, description="true: the invitation may go by email when the number "
                                                        "cannot take texts (a landline, opted out); never "
                                                        "because texting is unsafe")
    language: Literal["en", "pl"] = Field(default="en", description="the survey's wording")

    @field_validator("victim_email")
    @classmethod
    def _email(cls, value: str | None):
        if value is None:
            return None
        try:
            return validate_email(value.strip(), check_deliverability=False).normalized.lower()
        except EmailNotValidError as exc:
            raise ValueError(f"not an email address: {exc}") from None

    @field_validator("officer_id", "officer_name", "borough")
    @classmethod
    def _not_blank(cls, value: str):
        if not value.strip():
            raise ValueError("must not be blank")
        return " ".join(value.split())

    @field_validator("borough")
    @classmethod
    def _borough(cls, value: str):
        return boroughs.canonical(value)

    @field_validator("crime_reference")
    @classmethod
    def _has_digits(cls, value):
        if value is not None and not reference_digits(value):
            raise ValueError("a crime reference needs digits")
        return value

    @field_validator("occurred_at")
    @classmethod
    def _aware(cls, value: datetime):
        return value if value.tzinfo else value.replace(tzinfo=LONDON)


class SurveyFilters(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    from_: date | None = Field(default=None, alias="from", description="first contact date (London), inclusive")
    to: date | None = Field(default=None, description="last contact date (London), inclusive")
    borough: str | None = Field(default=None, max_length=100,
                                description="one of the force's boroughs, matched case-insensitively")
    officer_id: str | None = Field(default=None, max_length=50)

    @field_validator("borough")
    @classmethod
    def _borough(cls, value: str | None):
        return None if value is None else boroughs.for_filter(value)

    @field_validator("from_", "to")
    @classmethod
    def _sane(cls, value: date | None):
        return value if value is None else in_range(value)

    @model_validator(mode="after")
    def _range(self):
        if self.from_ and self.to and self.from_ > self.to:
            raise ValueError("'from' is after 'to'")
        return self


class ListFilters(SurveyFilters):
    limit: int = Field(default=100, ge=1, le=1000)
    cursor: str | None = Field(default=None, description="next_cursor from the previous page")
    count: bool = Field(default=False, description="also count every matching survey (a scan: slower)")

    @field_validator("cursor")
    @classmethod
    def _cursor(cls, value):
        return cursors.checked("surveys", value)


# ------------------------------------------------------------------ answers (the OpenAPI document's)

Stage = Literal[journey.STAGES]  # type: ignore[valid-type]
Channel = Literal["sms", "email"]
# the invitation as services/surveys.invitation_status reports it
Invitation = Literal["scheduled", "sent", "delivered", "undelivered", "failed", "suppressed", "opted_out",
                     "invalid_number", "skipped"]
Reason = Literal[tuple(surveys.SUPPRESSION_REASONS)]  # type: ignore[valid-type]
SurveyStatus = Literal[conv.AWAITING_RATING, conv.AWAITING_COMMENT, conv.COMPLETED, conv.UNANSWERED, conv.EXPIRED]


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")  # the document says no other key comes back


class _EngagementBase(Answer):
    id: int
    survey_id: int
    stage: Stage
    channel: Channel | None = Field(description="how the invitation goes (or would have); "
                                                 "null when no channel may be used")
    survey_link: str = Field(description="the survey's web link, for handing over in person")
    qr_code: str = Field(description="path of the printable QR code of survey_link (also .png)")


class EngagementScheduled(_EngagementBase):
    invitation: Literal["scheduled", "sent", "delivered", "undelivered", "failed", "suppressed", "opted_out",
                        "invalid_number"] = Field(description="what has happened to the invitation so far")
    send_at: datetime = Field(description="when the invitation goes (or went) out")


class EngagementNotSent(_EngagementBase):
    invitation: Literal["suppressed", "skipped"]
    reason: Reason = Field(description="why no invitation is sent")  # type: ignore[valid-type]
    explanation: str = Field(description="the reason in words, for the officer")


class EngagementSaved(RootModel[EngagementScheduled | EngagementNotSent]):
    """The engagement recorded (or found again): send_at when the invitation is scheduled,
    reason and explanation when none will be sent."""


class ResponseRateOut(Answer):
    delivered: int = Field(description="invitations that reached the victim")
    answered: int = Field(description="of those, rated")
    rate: float | None = Field(description="answered / delivered, to 4 places; null when none delivered")


class SurveyOut(Answer):
    id: int
    engagement_id: int
    officer_id: str
    officer_name: str
    borough: str
    occurred_at: datetime
    stage: Stage
    channel: Channel | None
    invitation: Invitation
    suppressed_reason: Reason | None = Field(  # type: ignore[valid-type]
        description="set when the invitation is suppressed or skipped")
    invited_at: datetime | None
    expires_at: datetime | None
    status: SurveyStatus
    rating: int | None = Field(ge=1, le=5)
    rated_at: datetime | None
    rated_via: Literal["sms", "web"] | None
    comment: str | None


class SurveyPage(Answer):
    limit: int
    next_cursor: str | None = Field(description="pass as cursor for the next page; null: no more")
    total: int = sometimes("the number of matching surveys; only with count=true")
    response_rate: ResponseRateOut = sometimes("over the matching surveys' delivered invitations; "
                                               "only with count=true")
    surveys: list[SurveyOut] = Field(description="newest contact first")


class Distribution(Answer):
    one: int = Field(alias="1")
    two: int = Field(alias="2")
    three: int = Field(alias="3")
    four: int = Field(alias="4")
    five: int = Field(alias="5")


class RatingSummary(Answer):
    count: int
    mean: float | None = Field(description="to 2 places; null when nothing is rated")
    distribution: Distribution = Field(description="how many of each rating, 1 to 5")


class StageSummary(RatingSummary):
    stage: Stage


class StageResponseRate(ResponseRateOut):
    stage: Stage
    channel: Channel


class BoroughSummary(RatingSummary):
    borough: str


class OfficerSummary(RatingSummary):
    officer_id: str
    officer_name: str


class RatingsSummaryOut(RatingSummary):
    stages: list[StageSummary] = Field(description="every stage, in journey order")
    response_rate: ResponseRateOut
    response_rates: list[StageResponseRate] = Field(description="per stage and channel with any invitation "
                                                                "delivered")
    boroughs: list[BoroughSummary]
    officers: list[OfficerSummary]


def _query_args(model: type[BaseModel]):
    return parse_query(model)


# ------------------------------------------------------------------ intake


@bp.post("/engagements")
@require_token("engagements:write")
def create_engagement():
    data = parse_body(EngagementIn)
    phone = victim_phone(data.victim_phone)
    if data.occurred_at > clock.now() + FUTURE_SLACK:
        raise ApiError(422, "occurred_at: is in the future",
                       [{"field": "occurred_at", "problem": "is in the future"}])
    if data.channel_preference == "email" and not data.victim_email:
        raise ApiError(422, "channel_preference: email needs victim_email",
                       [{"field": "channel_preference", "problem": "email needs victim_email"}])
    max_age = settings.current()["SURVEY_CONTACT_MAX_AGE_DAYS"]
    if data.occurred_at < clock.now() - timedelta(days=max_age):
        problem = f"is more than {max_age:g} days ago (SURVEY_CONTACT_MAX_AGE_DAYS): too late to ask about it"
        raise ApiError(422, f"occurred_at: {problem}", [{"field": "occurred_at", "problem": problem}])
    key = (request.headers.get("Idempotency-Key") or "").strip() or None
    if key and len(key) > 100:
        raise ApiError(422, "Idempotency-Key: at most 100 characters",
                       [{"field": "Idempotency-Key", "problem": "at most 100 characters"}])
    db = session()
    fields = dict(officer_id=data.officer_id, officer_name=data.officer_name, borough=data.borough,
                  victim_phone=phone, crime_reference=data.crime_reference, occurred_at=data.occurred_at,
                  stage=data.stage, victim_email=data.victim_email, channel_preference=data.channel_preference,
                  email_safe=data.email_safe, language=data.language)
    existing = _existing(db, key, fields)
    if existing is not None:
        return jsonify(_engagement_json(db, existing)), 200
    engagement = Engagement(client_key=key, created_at=clock.now(), **fields)
    try:
        db.add(engagement)
        db.flush()
        surveys.invite(db, engagement)
        db.commit()
    except IntegrityError:  # the same engagement, posted twice at once
        db.rollback()
        existing = _existing(db, key, fields)
        if existing is None:
            raise
        return jsonify(_engagement_json(db, existing)), 200
    return jsonify(_engagement_json(db, engagement)), 201


def _existing(db, key: str | None, fields: dict) -> Engagement | None:
    if key:
        found = db.exec(select(Engagement).where(Engagement.client_key == key)).first()
        # datetimes compare as instants, so 09:30Z and 09:30+00:00 are the same engagement
        if found is not None and any(getattr(found, name) != value for name, value in fields.items()):
            raise ApiError(409, "this Idempotency-Key was used for a different engagement")
        if found is not None:
            return found
    return db.exec(select(Engagement).where(
        Engagement.officer_id == fields["officer_id"], Engagement.victim_phone == fields["victim_phone"],
        Engagement.occurred_at == fields["occurred_at"])).first()


def _engagement_json(db, engagement: Engagement) -> dict:
    g.audit_subject = f"engagement:{engagement.id}"  # the row this request wrote or found
    survey = db.exec(select(Survey).where(Survey.engagement_id == engagement.id)).one()
    message = surveys.invitation_message(db, survey)
    body = {"id": engagement.id, "survey_id": survey.id, "stage": engagement.stage,
            "invitation": surveys.invitation_status(survey, message.status if message else None),
            "channel": survey.channel, "survey_link": links.survey_url(survey.id, survey.expires_at),
            "qr_code": f"/api/v1/surveys/{survey.id}/qr.svg"}
    if survey.invitation in ("suppressed", "skipped"):
        body["reason"] = survey.suppressed_reason
        body["explanation"] = ("no invitation will be sent: " + surveys.SUPPRESSION_REASONS.get(
            survey.suppressed_reason or "", "contacting this victim is not allowed")
            + "; the QR code and link still work if handed over in person")
    else:
        body["send_at"] = survey.invited_at.isoformat()
    return body


# ------------------------------------------------------------------ reporting


def _filtered(query, filters: SurveyFilters):
    if filters.from_:
        query = query.where(Engagement.occurred_at >= datetime.combine(filters.from_, time(), LONDON))
    if filters.to:
        query = query.where(Engagement.occurred_at < datetime.combine(filters.to + timedelta(days=1), time(), LONDON))
    if filters.borough:
        query = query.where(Engagement.borough == filters.borough)
    if filters.officer_id:
        query = query.where(Engagement.officer_id == filters.officer_id)
    return query


def _status(survey: Survey, now: datetime) -> str:
    if survey.status in conv.OPEN and conv.is_expired(surveys.state_of(survey), now):
        return conv.EXPIRED
    return survey.status


@bp.get("/surveys")
@require_token("surveys:read")
def list_surveys():
    filters = _query_args(ListFilters)
    db, now = session(), clock.now()
    query = _filtered(select(Survey, Engagement, OutboundMessage.status).join(
        Engagement, Survey.engagement_id == Engagement.id).outerjoin(
        OutboundMessage, journey_report.invitation_join()), filters)
    query = keyset.before(query, Engagement.occurred_at, Survey.id,
                          cursors.decode("surveys", filters.cursor) if filters.cursor else None)
    rows = db.exec(query.order_by(Engagement.occurred_at.desc(), Survey.id.desc()).limit(filters.limit + 1)).all()
    more, rows = len(rows) > filters.limit, rows[:filters.limit]
    rows = [(survey, engagement, status) for survey, engagement, status in rows]
    page: dict = {"limit": filters.limit,
                  "next_cursor": cursors.encode("surveys", rows[-1][1].occurred_at, rows[-1][0].id) if more else None}
    if filters.count:  # every matching row is read: only when the client asks
        page["total"] = db.exec(_filtered(select(func.count(Survey.id)).join(
            Engagement, Survey.engagement_id == Engagement.id), filters)).one()
        page["response_rate"] = _rate_json(journey_report.overall_response(_rates(db, filters)))
    return jsonify({**page, "surveys": [{
        "id": survey.id, "engagement_id": engagement.id, "officer_id": engagement.officer_id,
        "officer_name": engagement.officer_name, "borough": engagement.borough,
        "occurred_at": engagement.occurred_at.isoformat(), "stage": engagement.stage,
        "channel": survey.channel, "invitation": surveys.invitation_status(survey, status),
        "suppressed_reason": survey.suppressed_reason,
        "invited_at": survey.invited_at.isoformat() if survey.invited_at else None,
        "expires_at": survey.expires_at.isoformat() if survey.expires_at else None,
        "status": _status(survey, now), "rating": survey.rating,
        "rated_at": survey.rated_at.isoformat() if survey.rated_at else None, "rated_via": survey.rated_via,
        "comment": survey.comment,
    } for survey, engagement, status in rows]})


def _rates(db, filters: SurveyFilters) -> list[journey_report.ResponseRate]:
    """Response rates for contacts in FILTERS' days: kept counts where settled, live for the rest."""
    return journey_report.rates_from(rating_rollups.response_counts(
        db, filters.from_, filters.to, now=clock.now(), borough=filters.borough, officer_id=filters.officer_id))


def _rate_json(rate: journey_report.ResponseRate) -> dict:
    return {"delivered": rate.delivered, "answered": rate.answered,
            "rate": round(rate.rate, 4) if rate.rate is not None else None}


def _summary(counts: dict[int, int]) -> dict:
    total = sum(counts.values())
    mean = round(sum(r * n for r, n in counts.items()) / total, 2) if total else None
    return {"count": total, "mean": mean, "distribution": {str(r): counts.get(r, 0) for r in range(1, 6)}}


@bp.get("/ratings/summary")
@require_token("ratings:read")
def ratings_summary():
    filters = _query_args(SurveyFilters)
    # kept days and months where no rating can be added any more, live for the rest
    db = session()
    cells = rating_rollups.counts(db, rating_rollups.CONTACT, filters.from_, filters.to, now=clock.now(),
                                  borough=filters.borough, officer_id=filters.officer_id)
    overall: dict[int, int] = {}
    boroughs: dict[str, dict[int, int]] = {}
    officers: dict[str, dict] = {}
    for (borough, officer_id, officer_name, _stage, rating), count in cells.items():
        overall[rating] = overall.get(rating, 0) + count
        by_borough = boroughs.setdefault(borough, {})
        by_borough[rating] = by_borough.get(rating, 0) + count
        officer = officers.setdefault(officer_id, {"names": set(), "counts": {}})
        officer["names"].add(officer_name)
        officer["counts"][rating] = officer["counts"].get(rating, 0) + count
    rates = _rates(db, filters)
    return jsonify({
        **_summary(overall),
        "stages": [{"stage": s.stage, **_summary(s.counts)} for s in journey_report.stage_ratings(cells)],
        "response_rate": _rate_json(journey_report.overall_response(rates)),
        "response_rates": [{"stage": r.stage, "channel": r.channel, **_rate_json(r)} for r in rates],
        "boroughs": [{"borough": name, **_summary(counts)} for name, counts in sorted(boroughs.items())],
        "officers": [{"officer_id": oid, "officer_name": sorted(o["names"])[0], **_summary(o["counts"])}
                     for oid, o in sorted(officers.items())],
    })


@bp.get("/surveys/<int:survey_id>/qr.<fmt>")
@require_token("surveys:read")
def survey_qr(survey_id: int, fmt: str):
    g.audit_subject = f"survey:{survey_id}"
    if fmt not in ("svg", "png"):
        not_found("QR format (use .svg or .png)")
    survey = session().get(Survey, survey_id) or not_found("survey")
    code = links.qr(links.survey_url(survey.id, survey.expires_at))
    out = io.BytesIO()
    if fmt == "svg":
        code.save(out, kind="svg", scale=10, border=4, title="Rate the service you received")
        mimetype = "image/svg+xml"
    else:
        code.save(out, kind="png", scale=12, border=4)
        mimetype = "image/png"
    return Response(out.getvalue(), mimetype=mimetype, headers={"Cache-Control": "no-store"})


_FILTER_PARAMS = [
    {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"},
     "description": "first contact date (Europe/London), inclusive"},
    {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"},
     "description": "last contact date (Europe/London), inclusive"},
    {"name": "borough", "in": "query", "schema": {"type": "string"}},
    {"name": "officer_id", "in": "query", "schema": {"type": "string"}},
]
document("/engagements", "post",
         "Record an officer's contact with a victim and schedule the rating survey (send an "
         "Idempotency-Key header to make retries safe)", body=EngagementIn,
         params=[{"name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string"}}],
         responses={201: "created: {id, survey_id, stage, channel (sms | email | null), invitation, survey_link, "
                         "qr_code} with send_at when scheduled, or reason and explanation when suppressed "
                         "(opted_out, email_opted_out, sms_unsafe, not_a_mobile, invalid_number) or skipped "
                         "(survey_open: the same number or email has a survey open; asked_recently: asked "
                         "within SURVEY_NO_REPEAT_DAYS)",
                    200: "already recorded (same key, or same officer, phone and time)",
                    409: "Idempotency-Key reused for a different engagement",
                    422: "invalid fields (details name each), including occurred_at more than "
                         "SURVEY_CONTACT_MAX_AGE_DAYS ago and channel_preference email without victim_email"},
         scope="engagements:write", bodies={201: EngagementSaved, 200: EngagementSaved})
document("/surveys", "get", "Surveys with their ratings and comments, newest contact first",
         params=_FILTER_PARAMS + [
             {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
             {"name": "cursor", "in": "query", "schema": {"type": "string"},
              "description": "next_cursor from the previous page"},
             {"name": "count", "in": "query", "schema": {"type": "boolean"},
              "description": "true: also return total, the number of matching surveys, and response_rate "
                             "{delivered, answered, rate} over delivered invitations (costs a scan)"}],
         scope="surveys:read", responses={200: "the surveys and next_cursor (null on the last page); each "
                                               "survey has stage, channel and invitation: scheduled, sent, "
                                               "delivered, undelivered, failed, opted_out, invalid_number, "
                                               "suppressed (with suppressed_reason) or skipped (with "
                                               "suppressed_reason survey_open or asked_recently)"},
         bodies={200: SurveyPage})
document("/ratings/summary", "get", "Count, mean and distribution of ratings, overall, per borough, per officer "
         "and per stage of the journey; response rates per stage and channel",
         params=_FILTER_PARAMS, scope="ratings:read",
         responses={200: "the summary: count, mean, distribution, boroughs, officers, stages (every stage, in "
                         "journey order), response_rate and response_rates [{stage, channel, delivered, answered, "
                         "rate}], counted only over invitations that reached the victim (a text delivered, an "
                         "email accepted by the mail server)"},
         bodies={200: RatingsSummaryOut})
document("/surveys/{survey_id}/qr.svg", "get", "Printable QR code of the survey's web link (also .png)",
         params=[{"name": "survey_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
         scope="surveys:read", responses={200: "an SVG image", 404: "no such survey"},
         media={200: "image/svg+xml"})
