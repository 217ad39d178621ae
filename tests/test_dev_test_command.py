"""`python3 dev.py test` needs only Python: Chromium is installed, and the browser tests
run, only with --browser (which CI always passes); otherwise they are skipped and the
run says how many and how to run them."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import dev

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def runs(monkeypatch):
    """What dev.test would run, with nothing installed or run."""
    calls = {"browser": 0, "pytest": []}

    def browser():
        calls["browser"] += 1
        return calls.get("chromium", True)

    def run(command, **_kwargs):
        calls["pytest"].append([str(part) for part in command])
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(dev, "ensure_installed", lambda extras: None)
    monkeypatch.setattr(dev, "ensure_browser", browser)
    monkeypatch.setattr(dev.subprocess, "run", run)
    return calls


def test_a_plain_run_installs_no_browser_and_skips_the_browser_tests(runs):
    assert dev.test(["-q"]) == 0
    assert runs["browser"] == 0
    [command] = runs["pytest"]
    assert "tests.browser_gate" in command


def test_browser_installs_chromium_and_runs_them(runs):
    assert dev.test(["--browser", "--fast", "-q"]) == 0
    assert runs["browser"] == 1
    [command] = runs["pytest"]
    assert "tests.browser_gate" not in command and "--browser" not in command
    assert command[command.index("not fleet") - 1] == "-m"  # --fast leaves out only the fleet tests


def test_browser_without_chromium_fails_instead_of_skipping(runs):
    runs["chromium"] = False
    assert dev.test(["--browser"]) == 1
    assert runs["pytest"] == []


def test_ci_runs_the_browser_tests():
    command = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if "dev.py test" in line]
    assert command and all("--browser" in line.split("#")[0] for line in command)


@pytest.mark.fleet
def test_the_skipped_browser_tests_are_counted_in_one_line(tmp_path):
    (tmp_path / "test_some.py").write_text(
        "import pytest\n\n"
        "@pytest.mark.browser\ndef test_in_chromium(): pass\n\n"
        "@pytest.mark.browser\ndef test_in_chromium_too(): pass\n\n"
        "def test_plain(): pass\n")
    run = subprocess.run([sys.executable, "-m", "pytest", *dev.pytest_args(["-q", "-c", str(ROOT / "pyproject.toml"),
                          "--rootdir", str(tmp_path), str(tmp_path)])],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = [line for line in run.stdout.splitlines() if "browser tests skipped" in line]
    assert lines == ["2 browser tests skipped: `python3 dev.py test --browser` runs them "
                     "(and installs Debian's chromium when run as root)"], run.stdout
