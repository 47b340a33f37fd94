"""A learner keeps their certificate in a wallet: on "My learning" they download the
signed credential (no JavaScript involved) and see the link a wallet can fetch; the
Achievement the credential names is a page anyone can read, in English and in Arabic,
that passes axe (WCAG 2.2 AA) under the strict Content-Security-Policy."""

import json
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings

from ..assessments.conftest import Taker, assessment, ready_learner, taker  # noqa: F401
from ..certificates.conftest import certificate  # noqa: F401
from ..factories import PASSWORD
from .test_accessibility import AXE_OPTIONS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_wallet_offer_and_the_achievement_page(
    live_server,
    page,
    certificate,  # noqa: F811
    output_dir,
):
    base = live_server.url
    page.goto(f"{base}/en/accounts/sign-in/")
    page.fill("#id_email", certificate.user.email)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.goto(f"{base}/en/dashboard/")
    link = page.locator(f"#wallet-{certificate.code}")
    assert link.input_value() == (
        f"{settings.ACADEMY_PUBLIC_URL}/verify/{certificate.code}/credential.json"
    )
    with page.expect_download() as download:
        page.click("text=Download the credential file")
    assert download.value.suggested_filename == f"certificate-{certificate.code}.json"
    credential = json.loads(Path(download.value.path()).read_text())
    assert credential["proof"][0]["type"] == "DataIntegrityProof"
    page.screenshot(path=str(output_dir / "dashboard-wallet.png"), full_page=True)

    achievement = credential["credentialSubject"]["achievement"]["id"]
    achievement = achievement.replace(settings.ACADEMY_PUBLIC_URL, base)
    for lang in ("en", "ar"):
        page.goto(f"{achievement}?lang={lang}")
        assert page.locator("html").get_attribute("lang") == lang
        assert page.locator("h1").inner_text().strip()
        shot = output_dir / f"achievement-{lang}.png"
        page.screenshot(path=str(shot), full_page=True)
        results = Axe().run(page, options=AXE_OPTIONS)
        assert not results.violations_count, results.generate_report()
