"""flows/ imports nothing of the project but itself, so it can be tested, reviewed and
moved on its own."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROJECT = {path.parent.name for path in ROOT.glob("*/__init__.py")} | {"wsgi", "dev"}


def test_every_flows_module_imports_no_other_project_package():
    modules = sorted(f"flows.{path.stem}" for path in (ROOT / "flows").glob("*.py") if path.stem != "__init__")
    code = ("import json, sys\n" + "".join(f"import {m}\n" for m in modules)
            + "print(json.dumps(sorted({n.split('.')[0] for n in sys.modules})))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout))
    assert "flows" in loaded and "desk" in PROJECT
    assert loaded & PROJECT == {"flows"}, sorted(loaded & PROJECT - {"flows"})
