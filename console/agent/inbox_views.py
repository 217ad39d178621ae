"""The desk inbox: what victims text, for agents to read, answer and finish.

Opening a message is a view of a victim's words, so it is audited; so are every
reply, call-back and "done".  Replies go through the outbox (services/inbox.py says
what may be texted); a call-back is booked by the same rule as any other.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from console.agent.blueprint import bp
from console.audit import audit
from console.auth import current_staff, require_role
from desk import clock
from models.db import session
from models.inbox import DONE, InboxMessage
from services import inbox, routing

LABELS = {"new": "New", "mine": "Assigned to me", "done": "Done"}
REASONS = {"free_text": "Text", "after_survey": "After a survey", "survey_unclear": "Unclear survey reply",
           "survey_comment": "Survey comment", "stop_mentioned": "Mentions stopping"}


def _message_or_404(message_id: int) -> InboxMessage:
    message = session().get(InboxMessage, message_id)
    if message is None:
        abort(404, description="No such message.")
    return message


def _staff_id() -> int | None:
    user = current_staff()
    return user.id if user else None


@bp.get("/inbox")
@require_role("agent", "supervisor")
def inbox_list():
    db = session()
    view = request.args.get("view", "new")
    if view not in LABELS:
        view = "new"
    rows = inbox.listing(db, view, _staff_id())
    audit("view_inbox", "inbox", f"{view}: {len(rows)}")
    return render_template("console/agent_inbox.html", rows=rows, view=view, labels=LABELS, reasons=REASONS,
                           counts=inbox.counts(db, _staff_id()))


@bp.get("/inbox/<int:message_id>")
@require_role("agent", "supervisor")
def inbox_message(message_id: int):
    db = session()
    message = _message_or_404(message_id)
    inbox.opened(db, message, _staff_id(), clock.now())
    db.commit()
    audit("view_inbox_message", f"inbox:{message.id}")
    return render_template("console/agent_inbox_message.html", message=message, reasons=REASONS,
                           thread=inbox.thread(db, message), no_text=inbox.why_no_text(db, message))


@bp.post("/inbox/<int:message_id>/reply")
@require_role("agent", "supervisor")
def inbox_reply(message_id: int):
    db = session()
    message = _message_or_404(message_id)
    back = url_for("agent.inbox_message", message_id=message.id)
    queued, problem = inbox.reply(db, message, request.form.get("body", ""), _staff_id(), clock.now())
    if problem:
        db.rollback()
        flash(problem, "error")
        return redirect(back), 303
    db.commit()
    audit("reply_inbox_message", f"inbox:{message.id}", f"outbox:{queued.id}")
    flash("Your reply is on its way.", "status")
    return redirect(back), 303


@bp.post("/inbox/<int:message_id>/callback")
@require_role("agent", "supervisor")
def inbox_callback(message_id: int):
    db = session()
    message = _message_or_404(message_id)
    back = url_for("agent.inbox_message", message_id=message.id)
    booking, problem = inbox.book_callback(db, message, clock.now())
    if problem:
        db.rollback()
        flash(problem, "error")
        return redirect(back), 303
    inbox.opened(db, message, _staff_id(), clock.now())
    db.commit()
    if booking.outcome == "requested":
        routing.schedule_callbacks()
    audit("book_callback_from_inbox", f"inbox:{message.id}", f"callback:{booking.callback.id}")
    flash("A call back is booked." if booking.outcome == "requested"
          else "This number already has a call back booked; it keeps its place.", "status")
    return redirect(back), 303


@bp.post("/inbox/<int:message_id>/done")
@require_role("agent", "supervisor")
def inbox_done(message_id: int):
    db = session()
    message = _message_or_404(message_id)
    if message.status != DONE:
        inbox.mark_done(db, message, _staff_id(), clock.now())
        db.commit()
        audit("inbox_done", f"inbox:{message.id}")
    flash("Marked done.", "status")
    return redirect(url_for("agent.inbox_list")), 303
