"""The agent's own screen: state buttons and the screen pop for the call routed to them."""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from sqlmodel import select

from console.agent import screen_pop
from console.agent.blueprint import bp
from console.audit import REPEAT_VIEW, audit
from console.auth import current_staff, has_role, require_role
from console.security import passive
from console.views import _safe_next
from desk import clock, settings
from models.agents import Agent, AgentOffer, AgentState
from models.callbacks import CallbackAttempt, CallbackRequest
from models.calls import Call
from models.cases import Case
from models.db import session
from services.agent_state import change_state
from services.case_updates import NOT_TEXTED
from services.cases import add_update
from services.routing import request_dispatch

# The states an agent may choose (busy is set by routing when they take a call).
CHOOSABLE = {AgentState.AVAILABLE.value: "Available", AgentState.WRAP_UP.value: "Wrap-up",
             AgentState.OFFLINE.value: "Offline"}


def my_agent() -> Agent | None:
    user = current_staff()
    return session().get(Agent, user.agent_id) if user and user.agent_id else None


@bp.get("/")
@require_role("agent")
def home():
    db = session()
    agent = my_agent()
    pop = None
    if agent is not None:
        offer = screen_pop.current_offer(db, agent.id)
        pop = screen_pop.build(db, offer) if offer else None
        if pop is not None:
            audit("view_screen_pop", pop.subject, phone=pop.phone, case_id=pop.case.id if pop.case else None,
                  once_within=REPEAT_VIEW)
    return render_template("console/agent_home.html", agent=agent, pop=pop, states=CHOOSABLE,
                           current_key=_current_key(agent),
                           poll_ms=1000 * settings.current()["CONSOLE_SCREEN_POP_POLL_SECONDS"])


def _current_key(agent: Agent | None) -> str:
    """What the screen pop shows, as a key: the page reloads when it changes."""
    if agent is None:
        return "none"
    offer = screen_pop.current_offer(session(), agent.id)
    return f"{agent.state}:{offer.id}:{offer.status}" if offer else f"{agent.state}:-"


@bp.get("/current")
@require_role("agent")
@passive
def current():
    """Polled by the screen pop (no victim data here: just whether it changed)."""
    return jsonify({"key": _current_key(my_agent())})


@bp.post("/state")
@require_role("agent")
def set_state():
    agent = my_agent()
    if agent is None:
        abort(409, description="Your account is not linked to a desk agent; ask an admin.")
    state = request.form.get("state", "")
    if state not in CHOOSABLE:
        flash("Choose available, wrap-up or offline.", "error")
        return redirect(url_for("agent.home")), 303
    db = session()
    live = screen_pop.current_offer(db, agent.id)
    if state == AgentState.AVAILABLE.value and (agent.state == AgentState.BUSY.value or (
            live is not None and live.status != "ringing")):
        flash("You are on a call: finish it before going available.", "error")
        return redirect(url_for("agent.home")), 303
    # as `flask agents state` does: back on duty restarts the miss count and asks
    # the router to look for waiting work
    change_state(db, agent, state, clock.now())
    if state == AgentState.AVAILABLE.value:
        agent.missed_in_a_row = 0
    db.add(agent)
    db.commit()
    audit("set_state", f"agent:{agent.id}", state)
    if state == AgentState.AVAILABLE.value:
        request_dispatch()
    flash(f"You are now {CHOOSABLE[state].lower()}.", "status")
    return redirect(url_for("agent.home")), 303


# --- case updates ------------------------------------------------------------------

def may_update_case(case_id: int) -> bool:
    """Supervisors: any case.  Agents: a case verified on a call or callback of theirs."""
    user = current_staff()
    if has_role(user, "supervisor"):
        return True
    agent_id = user.agent_id if user else None
    if not agent_id:
        return False
    db = session()
    on_call = db.exec(select(Call.id).where(Call.verified_case_id == case_id, Call.agent_id == agent_id)).first()
    offered = db.exec(select(AgentOffer.id).join(Call, Call.call_sid == AgentOffer.caller_call_sid).where(
        AgentOffer.agent_id == agent_id, Call.verified_case_id == case_id)).first()
    on_callback = db.exec(select(CallbackRequest.id).join(
        CallbackAttempt, CallbackAttempt.callback_id == CallbackRequest.id, isouter=True).where(
        CallbackRequest.verified_case_id == case_id,
        (CallbackRequest.agent_id == agent_id) | (CallbackAttempt.agent_id == agent_id))).first()
    return any(x is not None for x in (on_call, offered, on_callback))


@bp.post("/cases/<int:case_id>/updates")
@require_role("agent", "supervisor")
def post_case_update(case_id: int):
    db = session()
    case = db.get(Case, case_id)
    back = _back()
    if case is None or not may_update_case(case_id):
        abort(404, description="No such case among your calls and callbacks.")
    message = (request.form.get("message") or "").strip()
    status = (request.form.get("status") or "").strip() or None
    if not message or len(message) > 1000:
        flash("Write the update (1 to 1000 characters).", "error")
        return redirect(back), 303
    if status and len(status) > 50:
        flash("The status can be at most 50 characters.", "error")
        return redirect(back), 303
    update, text = add_update(db, case, message, status)
    audit("post_case_update", f"case:{case.id}", f"update {update.id}", phone=case.victim_phone, case_id=case.id)
    texted = "it will be texted to the victim" if text.queued else f"not texted: {NOT_TEXTED[text.reason]}"
    flash(f"Update posted on {case.crime_reference}; {texted}.", "status")
    return redirect(back), 303


def _back() -> str:
    return _safe_next(request.form.get("next")) or url_for("agent.home")
