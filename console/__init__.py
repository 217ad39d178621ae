"""The desk console: server-rendered pages for agents, supervisors and admins."""
from __future__ import annotations

from console import security
from console.admin import bp as admin_bp
from console.agent import bp as agent_bp
from console.forum import bp as forum_bp
from console.supervisor import bp as supervisor_bp
from console.views import bp as console_bp
from console.views import british_day, london_time, nav_context


def init_app(app) -> None:
    security.init_app(app)
    app.register_blueprint(console_bp)
    app.register_blueprint(agent_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(supervisor_bp)
    app.register_blueprint(forum_bp)
    app.context_processor(nav_context)
    app.add_template_filter(london_time, "london")
    app.add_template_filter(british_day, "british_day")
