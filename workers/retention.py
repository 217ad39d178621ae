"""The daily retention job: anonymise what is past RETENTION_DAYS."""
from __future__ import annotations

from services import retention
from workers.runtime import job


@job
def anonymise_old_records(dry_run: bool = False) -> dict[str, int]:
    return retention.anonymise_old_records(dry_run=dry_run)
