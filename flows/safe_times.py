"""Safe call times as sets of minutes in a London day, so several can be combined.

A window is ``"09:00-12:00"`` (end exclusive; ``"21:00-07:00"`` crosses midnight).
Each case lists the windows in which the victim may be called (any of them will do);
when one number is on several cases, only the times every case allows are safe.
"""
from __future__ import annotations

DAY = 24 * 60


def _minutes(text: str) -> int:
    hours, _, minutes = text.strip().partition(":")
    return int(hours) * 60 + int(minutes)


def _spans(window: str) -> list[tuple[int, int]]:
    start, _, end = window.partition("-")
    lo, hi = _minutes(start), _minutes(end)
    if lo < hi:
        return [(lo, hi)]
    return [(lo, DAY), (0, hi)]  # crosses midnight


def _union(windows: list[str]) -> set[int]:
    return {m for w in windows for lo, hi in _spans(w) for m in range(lo, hi)}


def _text(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _windows(minutes: set[int]) -> list[str]:
    runs, start = [], None
    for m in range(DAY + 1):
        inside = m in minutes
        if inside and start is None:
            start = m
        elif not inside and start is not None:
            runs.append(f"{_text(start)}-{_text(m)}")
            start = None
    return runs


def common(per_case: list[list[str]]) -> list[str] | None:
    """The windows every case allows.  A case with no windows sets no limit; None when
    no case sets one, [] when the cases' times do not overlap at all."""
    limits = [_union(windows) for windows in per_case if windows]
    if not limits:
        return None
    return _windows(set.intersection(*limits))


def narrowed(safe: list[str] | None, start: str | None, end: str | None) -> list[str] | None:
    """The caller's own window inside the safe times when the two overlap; otherwise the
    safe times alone (they are what keeps the victim safe; the caller's window is a
    preference, and may not be the victim's at all)."""
    if not start and not end:
        return safe
    own = f"{start or '00:00'}-{end or '24:00'}"
    if safe is None:
        return [own]
    both = common([safe, [own]])
    return both or safe
