"""The callback worklist, one callback's page, 'call now' and recording an outcome."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlmodel import select

from console.agent import screen_pop, worklist
from console.agent.blueprint import bp
from console.agent.views import my_agent
from console.audit import audit
from console.auth import current_staff, has_role, require_role
from desk import clock
from models.callbacks import CallbackAttempt, CallbackRequest, CallbackStatus
from models.cases import Case
from models.db import session
from models.staff import CallbackNote, StaffUser
from services import call_now as placing

# What an agent can record; the status a *pending* callback moves to (None: unchanged).
OUTCOMES = {
    "spoke_to_victim": ("Spoke to the victim", "completed"),
    "no_answer": ("No answer", None),
    "voicemail_left": ("Left a voicemail", None),
    "unsafe_to_talk": ("Victim could not talk safely", None),
    "wrong_number": ("Wrong number", "cancelled"),
    "no_longer_needed": ("No longer needed", "cancelled"),
}


def _everything() -> bool:
    return has_role(current_staff(), "supervisor")


def _callback_or_404(callback_id: int) -> CallbackRequest:
    """The callback, if this user may see it (agents: theirs, unassigned, or attempted by them)."""
    db = session()
    cb = db.get(CallbackRequest, callback_id)
    if cb is None:
        abort(404, description="No such callback.")
    if _everything():
        return cb
    agent = my_agent()
    if agent is None:
        abort(404, description="No such callback.")
    attempted = db.exec(select(CallbackAttempt.id).where(CallbackAttempt.callback_id == cb.id,
                                                         CallbackAttempt.agent_id == agent.id)).first()
    if cb.agent_id not in (None, agent.id) and attempted is None:
        abort(404, description="No such callback among yours.")
    return cb


@bp.get("/callbacks")
@require_role("agent", "supervisor")
def callbacks():
    db = session()
    agent = my_agent()
    everything = _everything()
    if agent is None and not everything:
        return render_template("console/agent_callbacks.html", rows=[], recent=[], agent=None,
                               unlinked=True, outcomes=OUTCOMES)
    rows = worklist.open_rows(db, agent.id if agent else None, everything)
    recent = worklist.recent_for_agent(db, agent.id) if agent else []
    audit("view_callbacks", "callbacks", f"{len(rows)} open")
    return render_template("console/agent_callbacks.html", rows=rows, recent=recent, agent=agent,
                           unlinked=False, outcomes=OUTCOMES)


@bp.get("/callbacks/<int:callback_id>")
@require_role("agent", "supervisor")
def callback_detail(callback_id: int):
    db = session()
    cb = _callback_or_404(callback_id)
    row = worklist.mark(db, cb, clock.now())
    case = db.get(Case, cb.verified_case_id) if cb.verified_case_id else None
    notes = db.exec(select(CallbackNote, StaffUser.email).join(StaffUser, isouter=True)
                    .where(CallbackNote.callback_id == cb.id).order_by(CallbackNote.at.desc())).all()
    audit("view_callback", f"callback:{cb.id}", phone=cb.phone, case_id=cb.verified_case_id)
    return render_template("console/agent_callback.html", cb=cb, row=row, case=case, notes=notes,
                           attempts=screen_pop.attempts_for(db, cb.id), outcomes=OUTCOMES,
                           can_place=my_agent() is not None)


@bp.post("/callbacks/<int:callback_id>/call")
@require_role("agent")
def call_now(callback_id: int):
    db = session()
    cb = _callback_or_404(callback_id)
    agent = my_agent()
    if agent is None:
        abort(409, description="Your account is not linked to a desk agent; ask an admin.")
    problem = placing.why_not(db, cb.id, agent.id)
    if problem:
        flash(problem, "error")
        return redirect(url_for("agent.callback_detail", callback_id=cb.id)), 303
    placing.request(cb.id, agent.id)
    audit("call_now", f"callback:{cb.id}", phone=cb.phone, case_id=cb.verified_case_id)
    flash("Your phone will ring now: press 1 to place the callback.", "status")
    return redirect(url_for("agent.callback_detail", callback_id=cb.id)), 303


@bp.post("/callbacks/<int:callback_id>/outcome")
@require_role("agent", "supervisor")
def record_outcome(callback_id: int):
    db = session()
    cb = _callback_or_404(callback_id)
    outcome = request.form.get("outcome", "")
    note = (request.form.get("note") or "").strip()
    back = url_for("agent.callback_detail", callback_id=cb.id)
    if outcome not in OUTCOMES:
        flash("Choose an outcome.", "error")
        return redirect(back), 303
    if len(note) > 2000:
        flash("Keep the note to 2000 characters.", "error")
        return redirect(back), 303
    user = current_staff()
    db.add(CallbackNote(callback_id=cb.id, staff_id=user.id, outcome=outcome, note=note, at=clock.now()))
    new_status = OUTCOMES[outcome][1]
    # A callback being placed right now belongs to the callback workers; only a
    # waiting one is closed from here.
    if new_status and cb.status == CallbackStatus.PENDING:
        cb.status, cb.next_attempt_at, cb.last_outcome = new_status, None, f"agent: {outcome}"
        db.add(cb)
    db.commit()
    audit("record_callback_outcome", f"callback:{cb.id}", outcome, phone=cb.phone,
          case_id=cb.verified_case_id)
    flash(f"Recorded: {OUTCOMES[outcome][0].lower()}.", "status")
    return redirect(back), 303
