"""Golden transcripts: a whole call as the caller experienced it, compared exactly with
tests/ivr/golden/<name>.txt.  UPDATE_GOLDEN=1 rewrites the files after a deliberate
change (then read the git diff: it is what callers will hear)."""
from __future__ import annotations

import difflib
import os
from pathlib import Path

from emulator.caller import Caller

GOLDEN = Path(__file__).resolve().parents[1] / "ivr" / "golden"


def transcript(calls: Caller | list[tuple[str, Caller]], header: str) -> str:
    """The call (or calls, each under a heading) as one text."""
    if isinstance(calls, Caller):
        calls = [("", calls)]
    text = f"# {header}\n"
    for heading, call in calls:
        text += (f"\n## {heading}\n" if heading else "") + "\n".join(call.transcript) + "\n"
    return text


def mismatch(path: Path, expected: str, actual: str) -> str:
    """The failure message: a unified diff of the golden file against this run."""
    diff = difflib.unified_diff(expected.splitlines(keepends=True), actual.splitlines(keepends=True),
                                fromfile=f"{path.name} (golden)", tofile=f"{path.name} (this run)")
    return (f"transcript differs from {path.name}; if the change is deliberate, rewrite it with\n"
            f"    UPDATE_GOLDEN=1 python3 dev.py test tests/ivr\n"
            f"and read the git diff (it is what callers will hear):\n" + "".join(diff))


def assert_golden(name: str, calls: Caller | list[tuple[str, Caller]], header: str) -> None:
    """The whole call (or calls, each under a heading), as the caller experienced it,
    must match the golden file."""
    text = transcript(calls, header)
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"no golden transcript {path.name}; run with UPDATE_GOLDEN=1 to create it"
    expected = path.read_text(encoding="utf-8")
    if text != expected:  # the diff alone: pytest's own comparison would repeat it, truncated
        raise AssertionError(mismatch(path, expected, text))
