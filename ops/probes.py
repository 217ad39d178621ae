"""/healthz: the process answers.  /readyz: it can serve (database, Redis, schema).

Both are cheap enough for a load balancer to call every few seconds, need no login,
and touch nothing a victim's data is in, so they are not audited."""
from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, current_app, jsonify

from services import readiness

bp = Blueprint("ops_probes", __name__)


@bp.get("/healthz")
def healthz():
    # no database or Redis: a restart would not cure their absence, so liveness must not depend on them
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@bp.get("/readyz")
def readyz():
    checks = readiness.run(current_app.config)
    failed = [check.name for check in checks if not check.ok]
    body = {"ready": not failed, "failed": failed, "checks": [asdict(check) for check in checks]}
    response = jsonify(body)
    response.status_code = 503 if failed else 200
    response.headers["Cache-Control"] = "no-store"
    return response
