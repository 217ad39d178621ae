"""Reading the supervisors' filters from the query string.  Every problem is
collected as a sentence the page shows beside the form (with a 400), never a 500."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from console.timefmt import british, parse_day
from models.calls import OUTCOMES
from reports.london import DayRange

LANGUAGES = ("en", "pl")
MAX_RANGE_DAYS = 731


@dataclass
class Form:
    """The raw values (to refill the form) and the problems found."""
    args: dict
    errors: list[str] = field(default_factory=list)

    def text(self, name: str, max_length: int = 100) -> str | None:
        value = (self.args.get(name) or "").strip()
        if len(value) > max_length:
            self.errors.append(f"{name.replace('_', ' ').capitalize()} is too long.")
            return None
        return value or None

    def date(self, name: str, label: str) -> date | None:
        value = self.text(name, 10)
        if value is None:
            return None
        try:
            return parse_day(value)
        except ValueError:
            self.errors.append(f"{label} must be a date like 23/11/2026.")
            return None

    def integer(self, name: str, label: str, minimum: int = 0, maximum: int = 10**9) -> int | None:
        value = self.text(name, 12)
        if value is None:
            return None
        try:
            number = int(value)
        except ValueError:
            self.errors.append(f"{label} must be a whole number.")
            return None
        if not minimum <= number <= maximum:
            self.errors.append(f"{label} must be between {minimum} and {maximum}.")
            return None
        return number

    def choice(self, name: str, label: str, choices) -> str | None:
        value = self.text(name)
        if value is not None and value not in choices:
            self.errors.append(f"{label} must be one of: {', '.join(choices)}.")
            return None
        return value

    def shows_period(self, days: DayRange) -> None:
        """The date fields show the period the page reports, default or widened."""
        self.args["from"], self.args["to"] = british(days.first), british(days.last)

    def day_range(self, today: date, default_days: int | None) -> DayRange | None:
        """From/to London dates.  One side missing: the default length up to today,
        or from the given start; both missing and no default: None (all time)."""
        first, last = self.date("from", "From"), self.date("to", "To")
        if self.errors:
            return None
        if first is None and last is None:
            if default_days is None:
                return None
            return DayRange(today - timedelta(days=default_days - 1), today)
        if last is None:
            last = max(first, today)
        if first is None:
            first = last - timedelta(days=(default_days or 28) - 1)
        if first > last:
            self.errors.append("From must be on or before To.")
            return None
        if (last - first).days + 1 > MAX_RANGE_DAYS:
            self.errors.append(f"Choose at most {MAX_RANGE_DAYS} days.")
            return None
        return DayRange(first, last)


def outcome_choices() -> tuple[str, ...]:
    return OUTCOMES
