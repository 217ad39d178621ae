"""The Victim Focus Desk phone line, as data.

Read it top to bottom as the caller hears it.  Prompt names refer to the catalog
(flows/prompts_*.json); conditions, effects and queries are named in flows/engine.py.
``flows.validate.validate`` checks this graph when the app starts.

Main-menu keys are fixed: 1 case update, 2 the desk, 3 callback, 4 rights and
support (leaflet by text), 8 the other language, 9 repeat; when closed, also 7 the
24-hour helplines.  Every "back to the menu"
goes through ``menu``, which picks the open or closed menu by the time *then*.

A caller who leaves the queue for the callback questions keeps their place
(``hold_queue_place``): silence or an unusable answer anywhere in those questions
puts them back in the queue (``back_to_queue``), and every callback offer they hear
says "to keep holding, press star".  Choosing the main menu gives the place up.

Before joining the queue (``desk``, ``distress``) the flow checks staffing (the
``staffing`` query): with no agent on duty the caller hears that nobody is free and is
offered a callback at once, rather than holding until the queue's time limit.

Words of danger or distress (flows.speech.DISTRESS) said at any menu go to
``distress``: the 999 notice again, then the desk queue marked urgent, or the 24-hour
helplines and a callback offer when the desk is closed or nobody is on duty.
"""
from __future__ import annotations

from flows.hours import CALLBACK_WINDOWS, span_text
from flows.model import Act, Ask, Branch, End, Entry, Flow, Menu, Message, Queue, Settings, to

MAIN_KEYS = {"1": to("case_start"), "2": to("desk"), "3": to("cb_start"), "4": to("rights"),
             "8": to("switch_language"), "9": to("menu")}

NODES = {
    # --- greeting: safety first, the other language next, then the menu --------------
    # The greeting, the safety notice and the other-language choice play inside the
    # menu's Gather (barge_in): a key pressed, or a word of distress said, during them
    # counts.  Asked again, a menu repeats the other-language choice, not the greeting.
    # An admin's announcement (message of the day), while in force, right after safety.
    "greeting": Message(("greeting", "safety"), next="announcement_check", barge_in=True),
    "announcement_check": Branch("announcement", if_true="announcement", if_false="opening_check"),
    "announcement": Message(("announcement",), next="opening_check", barge_in=True),
    "opening_check": Branch("desk_open", if_true="open_intro", if_false="closed_intro"),
    "open_intro": Message(("menu_other_language",), next="main_menu", barge_in=True),
    # Closed all day with a reason ("Christmas Day"): say so, not the weekly hours.
    "closed_intro": Branch("closed_for_reason", if_true="closed_today_intro", if_false="closed_usual_intro"),
    "closed_usual_intro": Message(("menu_other_language", "closed", "hours", "next_opening"), next="closed_menu",
                                  barge_in=True),
    "closed_today_intro": Message(("menu_other_language", "closed_today", "next_opening"), next="closed_menu",
                                  barge_in=True),
    # back to the menu later in the call: the hours are not read out again
    "menu": Act("drop_queue_place", next="menu_now"),
    "menu_now": Branch("desk_open", if_true="open_intro", if_false="closed_again"),
    "closed_again": Message(("menu_other_language",), next="closed_menu", barge_in=True),
    # A caller who says and presses nothing may be unable to speak: after one silence
    # they go to the desk (the queue when open), not round the menu again.
    "main_menu": Menu(("menu_open",), options=MAIN_KEYS, retry_prompts=("menu_other_language", "menu_open"),
                      vocabulary="main_menu", on_no_input="desk", max_silence=1),
    # Same keys when closed; 2 explains the desk is closed and offers a callback, and
    # 7 reads the 24-hour helplines (a key of its own, not behind the rights message).
    "closed_menu": Menu(("menu_closed",), options={**MAIN_KEYS, "7": to("closed_helplines")},
                        retry_prompts=("menu_other_language", "menu_closed"),
                        vocabulary="closed_menu", on_no_input="desk", max_silence=1),
    "closed_helplines": Message(("helplines",), next="menu", outcome="information"),
    "switch_language": Act("toggle_language", next="language_safety"),
    "language_safety": Message(("safety",), next="announcement_check", barge_in=True),

    # --- the desk: the queue when open, a callback offer when closed ----------------
    "desk": Branch("desk_open", if_true="desk_staffing", if_false="closed_desk"),
    "closed_desk": Branch("closed_for_reason", if_true="closed_desk_today", if_false="closed_desk_usual"),
    "closed_desk_usual": Message(("desk_closed", "hours", "next_opening"), next="callback_offer"),
    "closed_desk_today": Message(("closed_today", "next_opening"), next="callback_offer"),
    # Check staffing before the queue: with nobody on duty (every agent offline) the
    # caller would only hold until the queue's limit, so they hear so and get the
    # callback offer at once.
    "desk_staffing": Ask("staffing", answers={"staffed": "queue_intro", "unstaffed": "desk_unstaffed"}),
    "desk_unstaffed": Message(("nobody_free",), next="callback_offer"),
    "queue_intro": Message(("queue_connecting",), next="queue"),
    "queue": Queue("desk", on_key="queue_keep_place", on_timeout="queue_long_wait",
                   on_full="queue_busy", on_bridged="after_agent", on_error="queue_problem",
                   on_hangup="hung_up_in_queue", on_closed="queue_closed"),
    # The queue follows the desk: at closing time, or when the last agent goes offline,
    # callers still waiting hear so in the wait music (press 1 for a callback that keeps
    # their place, or hold for the grace period); after it, the safe ending.
    "queue_closed": Branch("desk_open", if_true="queue_unstaffed_end", if_false="queue_closed_end"),
    "queue_closed_end": Message(("queue_closed", "next_opening", "helplines"), next="callback_offer"),
    "queue_unstaffed_end": Message(("nobody_free", "helplines"), next="callback_offer"),
    "queue_keep_place": Message(("queue_keep_place",), next="queue_held_callback"),
    "queue_held_callback": Act("hold_queue_place", next="cb_start"),
    "queue_long_wait": Message(("queue_long_wait",), next="queue_held_offer"),
    "queue_held_offer": Act("hold_queue_place", next="queue_callback_offer"),
    "queue_busy": Message(("queue_busy",), next="callback_offer"),
    "queue_problem": Message(("sorry_trouble",), next="callback_offer"),
    "after_agent": End(("thanks", "goodbye"), outcome="connected"),
    "hung_up_in_queue": End((), outcome="abandoned"),
    # Back to the place the caller kept (routing serves by first join time): star, or
    # no usable answer to a callback question that began in the queue.
    "queue_back": Message(("queue_kept_place",), next="queue_return"),
    "queue_not_heard": Message(("queue_not_heard", "queue_kept_place"), next="queue_return"),
    # Back in the queue while it is open, or closing within this caller's grace period.
    "queue_return": Branch("queue_open", if_true="queue", if_false="closed_desk"),

    # --- callback offer (closed desk, long wait, full queue, silence) ---------------
    "callback_offer": Menu(("callback_offer",), options={"1": to("cb_start"), "9": to("menu")},
                           vocabulary="callback_offer", on_no_input="goodbye"),
    "queue_callback_offer": Menu(("callback_offer", "keep_holding"), options={
        "1": to("cb_start"), "9": to("menu"), "*": to("queue_back")},
        vocabulary="callback_offer", dtmf_only=("*",), on_no_input="cb_offer_gave_up"),
    # No usable answer: back to the queue if the questions began there, else as before.
    "cb_offer_gave_up": Branch("back_to_queue", if_true="queue_not_heard", if_false="goodbye"),
    "cb_gave_up": Branch("back_to_queue", if_true="queue_not_heard", if_false="cb_not_booked"),

    # --- callback request -------------------------------------------------------------
    "cb_start": Act("reset_callback", next="cb_has_number"),
    "cb_has_number": Branch("has_caller_number", if_true="cb_which_number", if_false="cb_enter_number"),
    "cb_which_number": Branch("back_to_queue", if_true="cb_number_held", if_false="cb_number"),
    "cb_number": Menu(("cb_this_number",), options={
        "1": to("cb_callable", cb_use_caller=True), "2": to("cb_enter_number"), "9": to("menu")},
        vocabulary="callback_number", on_no_input="goodbye"),
    # The same question for a caller who left the queue: star keeps holding.
    "cb_number_held": Menu(("cb_this_number", "keep_holding"), options={
        "1": to("cb_callable", cb_use_caller=True), "2": to("cb_enter_number"), "9": to("menu"),
        "*": to("queue_back")},
        vocabulary="callback_number", dtmf_only=("*",), on_no_input="cb_offer_gave_up"),
    # A UK number from 0, or one abroad from 00 and its country code (flows/phone.py).
    "cb_enter_number": Entry(("cb_enter_number",), store="cb_typed", next="cb_check_number",
                             on_no_input="cb_number_failed", max_length=17),
    "cb_check_number": Act("take_typed_number", next="cb_number_ok"),
    "cb_number_ok": Branch("callback_number_valid", if_true="cb_callable", if_false="cb_number_retry"),
    "cb_number_retry": Branch("callback_number_attempts_left", if_true="cb_number_invalid",
                              if_false="cb_number_failed"),
    "cb_number_invalid": Message(("cb_number_invalid",), next="cb_enter_number"),
    "cb_number_failed": Message(("cb_number_failed",), next="cb_number_gave_up"),
    "cb_number_gave_up": Branch("back_to_queue", if_true="queue_not_heard", if_false="menu"),
    # Every case registered to the number must allow a call (services/callback_safety.py).
    # The caller hears only that we cannot call it: never which case, or why.
    # One callback per victim: the caller's own number with a callback waiting hears
    # when it is due and may keep, change (the same request, its place kept) or cancel
    # it.  A typed number is never told whether it has one (ivr/effects.py).
    "cb_callable": Ask("callback_number", answers={"ok": "cb_safe", "refused": "cb_number_refused",
                                                   "booked": "cb_existing"}),
    "cb_existing": Menu(("cb_existing",), options={
        "1": to("cb_kept"), "2": to("cb_safe"), "3": to("cb_cancel")},
        vocabulary="callback_existing", on_no_input="cb_kept"),
    "cb_kept": End(("cb_kept", "safety", "goodbye"), outcome="callback_requested"),
    "cb_cancel": Ask("cancel_callback", answers={"cancelled": "cb_cancelled", "gone": "cb_cancelled"}),
    "cb_cancelled": End(("cb_cancelled", "safety", "goodbye")),
    "cb_number_refused": Message(("cb_number_refused", "hours"), next="cb_unsafe_now",
                                 outcome="callback_unsafe"),
    "cb_safe": Menu(("cb_safe",), options={
        "1": to("cb_voicemail", cb_safe=True), "2": to("cb_unsafe_options", cb_safe=False)},
        vocabulary="safe", on_no_input="cb_gave_up"),
    # Not safe: before giving up, another number, or a time of day when it is safe.
    "cb_unsafe_options": Menu(("cb_unsafe_options",), options={
        "1": to("cb_enter_number", cb_use_caller=False), "2": to("cb_safer_window"), "9": to("menu")},
        vocabulary="callback_unsafe", on_no_input="cb_unsafe_gave_up", outcome="callback_unsafe"),
    # A safer time: no voicemail (someone else may hear it).
    "cb_safer_window": Menu(("cb_safer_window",), options={
        "2": to("cb_confirm", cb_safe=True, cb_voicemail=False, cb_window=span_text(CALLBACK_WINDOWS["morning"])),
        "3": to("cb_confirm", cb_safe=True, cb_voicemail=False,
                cb_window=span_text(CALLBACK_WINDOWS["afternoon"])),
        "4": to("cb_confirm", cb_safe=True, cb_voicemail=False,
                cb_window=span_text(CALLBACK_WINDOWS["evening"]))},
        vocabulary="callback_safer_window", on_no_input="cb_unsafe_gave_up"),
    # Silence here: a caller who came from the queue goes back to it, place kept.
    "cb_unsafe_gave_up": Branch("back_to_queue", if_true="queue_not_heard", if_false="cb_unsafe"),
    # Still not safe: nothing callable is stored (see ivr/effects.py); say how to reach us.
    "cb_unsafe": Message(("cb_unsafe", "hours"), next="cb_unsafe_now", outcome="callback_unsafe"),
    "cb_unsafe_now": Branch("desk_open", if_true="cb_unsafe_open", if_false="cb_unsafe_closed"),
    "cb_unsafe_open": Menu(("cb_unsafe_speak_now",), options={"2": to("desk"), "9": to("menu")},
                           vocabulary="desk_or_menu", on_no_input="cb_offer_gave_up"),
    "cb_unsafe_closed": End(("safety", "goodbye")),
    "cb_voicemail": Menu(("cb_voicemail",), options={
        "1": to("cb_window", cb_voicemail=True), "2": to("cb_window", cb_voicemail=False)},
        vocabulary="yes_no", on_no_input="cb_gave_up"),
    "cb_window": Menu(("cb_window",), options={
        "1": to("cb_confirm", cb_window=None),
        "2": to("cb_confirm", cb_window=span_text(CALLBACK_WINDOWS["morning"])),
        "3": to("cb_confirm", cb_window=span_text(CALLBACK_WINDOWS["afternoon"])),
        "4": to("cb_confirm", cb_window=span_text(CALLBACK_WINDOWS["evening"]))},
        vocabulary="callback_window", on_no_input="cb_gave_up"),
    "cb_confirm": Menu(("cb_read_back", "cb_confirm"), options={
        "1": to("cb_record"), "2": to("cb_start"), "9": to("menu")},
        vocabulary="confirm", on_no_input="cb_gave_up", max_visits=4),
    "cb_record": Act("record_callback", next="cb_booked"),
    "cb_booked": End(("cb_booked", "safety", "goodbye"), outcome="callback_requested"),
    # Without a confirmation nothing is booked: we never call someone who did not agree.
    "cb_not_booked": End(("cb_not_booked", "safety", "goodbye")),

    # --- case update ------------------------------------------------------------------
    # No lockout check before the reference: a number locked out for unknown references
    # (someone spoofing it, perhaps) must still reach its own case.
    "case_start": Branch("case_attempts_left", if_true="case_entry", if_false="case_gave_up"),
    "case_entry": Entry(("case_enter_reference",), store="reference", next="case_lookup",
                        on_no_input="case_no_reference"),
    "case_no_reference": Message(("case_no_reference",), next="desk"),
    # The lookup says nothing about a case unless the caller's number is registered on
    # it; "refused" covers unknown references and unregistered numbers alike.  Caller ID
    # can be spoofed, so a full update also needs the case's PIN ("pin"); a full-update
    # case with no PIN set gets the minimal update.
    "case_lookup": Ask("case_lookup", consume=("reference",), answers={
        "pin": "case_pin_entry", "minimal": "case_minimal", "no_updates": "case_no_updates",
        "refused": "case_refused", "locked": "case_locked", "pin_locked": "case_pin_locked",
        "ambiguous": "case_ambiguous"}),
    # Two of the caller's references share the digits typed: never read the wrong one.
    "case_ambiguous": Message(("case_ambiguous",), next="desk"),
    "case_pin_entry": Entry(("case_enter_pin",), store="pin", next="case_pin_check",
                            on_no_input="case_no_pin", max_length=8, speech=False),
    "case_no_pin": Message(("case_no_pin",), next="desk"),
    # Wrong PINs count against the case for the London day, whichever number calls.
    "case_pin_check": Ask("case_pin", consume=("pin", "pin_case"), answers={
        "full": "case_private", "no_updates": "case_no_updates", "wrong": "case_pin_wrong",
        "locked": "case_pin_locked"}),
    "case_pin_wrong": Act("count_case_failure", next="case_pin_wrong_check"),
    "case_pin_wrong_check": Branch("case_attempts_left", if_true="case_pin_retry", if_false="case_gave_up"),
    "case_pin_retry": Message(("case_pin_wrong",), next="case_pin_entry"),
    # A full update is read only once the caller says they can listen privately;
    # silence reads nothing (the caller hears how to hear it later).  The update is
    # read again from the case (``case_again``): nothing of it is kept with the call.
    "case_private": Menu(("case_private",), options={"1": to("case_read")}, vocabulary="case_private",
                         on_no_input="case_not_read", timeout=15),
    "case_not_read": Message(("case_not_read",), next="menu"),
    "case_read": Ask("case_again", answers={"full": "case_full", "minimal": "case_minimal",
                                            "no_updates": "case_no_updates", "gone": "case_gone"}),
    "case_gone": Message(("sorry_trouble",), next="desk"),
    "case_full": Message(("case_status", "case_latest_full"), next="case_after", outcome="case_update"),
    "case_minimal": Message(("case_status", "case_latest_minimal"), next="case_after",
                            outcome="case_update"),
    "case_no_updates": Message(("case_status", "case_none_yet"), next="case_after",
                               outcome="case_update"),
    "case_after": Menu(("case_again", "case_after"), options={"1": to("case_read"), "2": to("desk"),
                                                              "9": to("menu")},
                       vocabulary="case_after", on_no_input="goodbye"),
    "case_refused": Act("count_case_failure", next="case_refused_check"),
    "case_refused_check": Branch("case_attempts_left", if_true="case_retry", if_false="case_gave_up"),
    "case_retry": Menu(("case_refused", "case_retry"), options={
        "1": to("case_start"), "2": to("desk"), "9": to("menu")},
        vocabulary="case_retry", on_no_input="desk"),
    "case_gave_up": Menu(("case_gave_up", "desk_or_menu"), options={"2": to("desk"), "9": to("menu")},
                         vocabulary="desk_or_menu", on_no_input="desk"),
    "case_locked": Menu(("case_locked", "desk_or_menu"), options={"2": to("desk"), "9": to("menu")},
                        vocabulary="desk_or_menu", on_no_input="desk", outcome="locked_out"),
    "case_pin_locked": Menu(("case_pin_locked", "desk_or_menu"), options={"2": to("desk"), "9": to("menu")},
                            vocabulary="desk_or_menu", on_no_input="desk", outcome="locked_out"),

    # --- rights and support, leaflet by text -----------------------------------------
    # Said inside a Gather: 9 goes back to the menu at once; any other key, or the end
    # of the words, goes on to the leaflet offer (no key here sends anything).
    "rights": Menu(("rights", "support"), options={"9": to("menu")}, vocabulary="rights",
                   on_no_input="leaflet_offer", max_silence=1, max_invalid=1, timeout=1, outcome="information"),
    "leaflet_offer": Menu(("leaflet_offer",), options={"1": to("leaflet_send"), "9": to("menu")},
                          vocabulary="leaflet", on_no_input="menu"),
    "leaflet_send": Ask("send_leaflet", answers={
        "sent": "leaflet_sent", "no_number": "leaflet_no_number", "refused": "leaflet_not_sent",
        "unavailable": "leaflet_not_sent"}),
    "leaflet_sent": Message(("leaflet_sent",), next="menu"),
    "leaflet_no_number": Message(("leaflet_no_number",), next="menu"),
    "leaflet_not_sent": Message(("leaflet_not_sent",), next="menu"),

    # --- danger or distress, said at any menu (flows.speech.DISTRESS) ------------------
    "distress": Message(("safety",), next="distress_desk"),
    "distress_desk": Branch("desk_open", if_true="distress_staffing", if_false="distress_closed"),
    # Urgent callers get the staffing check too: with nobody on duty, the 24-hour
    # helplines before the callback offer.
    "distress_staffing": Ask("staffing", answers={"staffed": "distress_urgent",
                                                  "unstaffed": "distress_unstaffed"}),
    "distress_urgent": Act("mark_urgent", next="queue_intro"),  # the router serves urgent callers first
    "distress_unstaffed": Message(("nobody_free", "helplines"), next="callback_offer"),
    "distress_closed": Message(("helplines",), next="callback_offer"),

    # --- endings ------------------------------------------------------------------------
    "goodbye": End(("safety", "goodbye")),
    "too_many_inputs": End(("sorry_trouble", "safety", "goodbye")),
}

# Where a call goes when it has used up Settings.max_inputs (a caller stuck in menus).
INPUT_LIMIT_NODE = "too_many_inputs"
# Where a caller goes who says a word of danger or distress at any menu.
DISTRESS_NODE = "distress"

# Saved with each call's state.  Change it with any change to NODES that renames or
# removes a node a call can wait at, or changes what such a node does: calls in
# progress then resume where they wait if that node is still there, else go to
# VERSION_CHANGE_NODE (the queue when the desk is open, the callback offer when closed).
VERSION = "4"  # 2: the queue place kept through the callback questions; distress words
# 3: the greeting inside the first menu's Gather, the other language first; the queue
# closes with the desk; closures with a reason; the announcement
# 4: one silence at the main menu goes to the desk; the rights can be skipped with 9
VERSION_CHANGE_NODE = "desk"


def call_flow(settings: Settings | None = None) -> Flow:
    return Flow(nodes=NODES, start="greeting", settings=settings or Settings(),
                on_input_limit=INPUT_LIMIT_NODE, version=VERSION, on_version_change=VERSION_CHANGE_NODE,
                on_distress=DISTRESS_NODE)
