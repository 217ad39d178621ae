"""The example alert rules (ops/alerts.yml) are valid Prometheus rules and watch only
metrics that /metrics serves."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from tests.ops.scraping import samples

RULES = Path(__file__).resolve().parents[2] / "ops" / "alerts.yml"
WANTED = ("texts failing", "owed text", "scheduler", "callbacks overdue", "readiness")

# PromQL words that are not metric names
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless",
            "offset", "inf", "nan"}


def rules() -> list[dict]:
    document = yaml.safe_load(RULES.read_text())
    assert set(document) == {"groups"}
    found = []
    for group in document["groups"]:
        assert set(group) <= {"name", "interval", "rules"} and group["name"] and group["rules"]
        found.extend(group["rules"])
    return found


def metric_names(expr: str) -> set[str]:
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)                     # strings (label values)
    expr = re.sub(r"\{[^}]*\}|\[[^\]]*\]", "", expr)                  # selectors' labels, ranges
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expr)  # label lists
    words = [m.group() for m in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", expr)
             if not expr[m.end():].lstrip().startswith("(")]  # a name followed by "(" is a function
    return {word for word in words if word.lower() not in KEYWORDS}


def test_every_rule_has_an_alert_expr_for_labels_and_annotations():
    names = []
    for rule in rules():
        assert set(rule) == {"alert", "expr", "for", "labels", "annotations"}, rule
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", rule["alert"])
        assert re.fullmatch(r"\d+[smh]", rule["for"]), rule["for"]
        assert rule["labels"].get("severity") in ("page", "ticket")
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]
        assert rule["expr"].count("(") == rule["expr"].count(")")
        names.append(rule["alert"])
    assert len(names) == len(set(names))


def test_the_rules_cover_what_operations_asked_for():
    text = " ".join(f"{r['alert']} {r['annotations']['summary']} {r['annotations']['description']}"
                    for r in rules()).lower()
    exprs = " ".join(r["expr"] for r in rules())
    assert 'desk_sms_outbound_total{status="failed"}' in exprs
    assert "max(desk_sms_oldest_owed_age_seconds) > 600" in exprs
    for metric in ("desk_rq_scheduler_locked", "desk_callbacks_overdue", "desk_ready"):
        assert metric in exprs
    assert "readiness" in text and "scheduler" in text


def test_every_metric_a_rule_uses_is_served_by_metrics(app, client):
    client.post("/ivr/voice")  # a request, so the per-route series exist
    served = {name for name, _labels in samples(app)}
    for rule in rules():
        used = metric_names(rule["expr"])
        assert used, rule["expr"]
        assert used <= served, (rule["alert"], used - served)


def test_the_name_finder_finds_names_not_functions_or_labels():
    assert metric_names('max by (queue) (delta(desk_rq_failed_jobs[15m])) > 0') == {"desk_rq_failed_jobs"}
    assert metric_names('sum(rate(a_total{status=~"5.."}[5m])) / ignoring(x) b') == {"a_total", "b"}
