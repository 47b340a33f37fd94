import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
OUTPUT = Path(
    os.environ.get(
        "ACADEMY_TEST_OUTPUT", Path(__file__).resolve().parents[2] / "test-output"
    )
)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.exit(
            f"Browser tests need Chromium at {CHROMIUM}: "
            "install Debian's 'chromium' package "
            "(apt-get install chromium) or set CHROMIUM_PATH.",
            returncode=3,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def csp_violations(page) -> list[str]:
    """Collects every Content-Security-Policy refusal Chromium reports on the page."""
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return found


def _after_load(page, read):
    def loaded(*args, **kwargs):
        page.wait_for_load_state()
        return read(*args, **kwargs)

    return loaded


@pytest.fixture
def page(browser):
    """A fresh browser tab. Every browser test also checks that nothing on the pages
    it visits was refused by the Content-Security-Policy (security review I1)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    violations = csp_violations(page)
    # A click that navigates returns once the next document is committed, before it
    # has loaded: content() read in between returns "" and screenshot() fails with
    # "Unable to capture screenshot" (two CI runs failed on them). Every read of the
    # page's HTML and every picture of it waits for the document to load first.
    for name in ("content", "screenshot"):
        setattr(page, name, _after_load(page, getattr(page, name)))
    yield page
    context.close()
    assert not violations, "Refused by the Content-Security-Policy:\n" + "\n".join(
        violations
    )


@pytest.fixture
def output_dir(request) -> Path:
    folder = OUTPUT / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    return folder
