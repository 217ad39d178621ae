"""A real browser against the real app: the same app object the test drives (its
emulated callers, workers and fake Twilio) served on loopback by werkzeug in a
thread, and Debian's Chromium driven by Playwright.  No browser is downloaded: without
/usr/bin/chromium these tests skip and say to install it."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_ARGS = ["--headless", "--lang=en-GB", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("browser tests need Debian's chromium: apt-get install chromium (python3 dev.py test --browser does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(app):
    """The test's app on http://127.0.0.1:<free port>, in a thread, until the test ends."""
    from werkzeug.serving import make_server

    # The tests' PUBLIC_BASE_URL is https, so the console would set Secure cookies;
    # the loopback server is plain http.  Chromium accepts Secure cookies from
    # 127.0.0.1 (a potentially trustworthy origin), so the flag stays as deployed.
    app.config["CONSOLE_SCREEN_POP_POLL_SECONDS"] = 1
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def page(browser, live_server, request):
    """A fresh browser context (no cookies) per test; a screenshot is left on failure too."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}, locale="en-GB",
                                     timezone_id="Europe/London")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    errors: list[str] = []
    # Script errors, CSP refusals and missing assets; an HTTP error status on a page
    # itself (e.g. 401 for a failed login) is what the test asserts on, not a fault.
    tab.on("console", lambda msg: errors.append(msg.text)
           if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("response", lambda r: errors.append(f"{r.status} {r.url}")
           if r.status == 404 and "/static/" in r.url else None)
    tab.js_errors = errors
    yield tab
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        shoot(tab, f"FAILED-{request.node.name}")
    context.close()


@pytest.fixture
def new_page(browser, live_server):
    """Another browser (own cookies), e.g. for a second member of staff."""
    contexts = []

    def make():
        context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}, locale="en-GB",
                                     timezone_id="Europe/London")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report


def shoot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name.replace('/', '_').replace('[', '-').replace(']', '')}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def browser_login(page, email: str, password: str = "correct horse battery staple", path: str = "/console/"):
    page.goto(path)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


# axe-core, vendored under browser/vendor/ and never served by the app.
AXE = (Path(__file__).parent / "browser" / "vendor" / "axe.min.js").read_text()


def violations(page) -> list[str]:
    """Serious and critical axe-core findings on the page as it is now, one line each."""
    # Evaluated through the DevTools protocol, so the page's CSP does not stop it.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)
    found = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' — ' +
                      v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '));
    }""")
    return found


def violations_at_two_widths(page, name: str, problems: dict) -> None:
    """Add the page's findings at desktop and phone widths to PROBLEMS, under NAME."""
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(100)
        for line in violations(page):
            problems.setdefault(f"{name} at {width} px", []).append(line)
    page.set_viewport_size({"width": 1280, "height": 900})
