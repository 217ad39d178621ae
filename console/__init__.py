"""The desk console: server-rendered pages for agents, supervisors and admins."""
from __future__ import annotations


def init_app(app) -> None:
    from console.supervisor import bp as supervisor_bp

    app.register_blueprint(supervisor_bp)
