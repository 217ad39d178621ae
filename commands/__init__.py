"""The `flask --app wsgi …` commands for operators and developers."""
from __future__ import annotations

from commands import agents, check, emulator, operations, staff


def init_app(app) -> None:
    for command in (operations.db_cli, operations.token_cli, operations.announcement_cli, operations.worker, operations.retention_cli,
                    agents.agents_cli, staff.staff, emulator.call, emulator.sms, check.check):
        app.cli.add_command(command)
