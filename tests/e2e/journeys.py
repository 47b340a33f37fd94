"""What a learner does in the browser, step by step, shared by the journeys: sign in,
read a course's modules, take its certifying assessment. Answers are chosen from the
attempt's snapshot (the test knows the key; the learner clicks)."""

from academy.assessments.models import Attempt
from academy.core.models import User
from academy.demo.seed import DEMO_PASSWORD


def sign_in(page, base: str, email: str, lang: str = "en") -> None:
    page.goto(f"{base}/{lang}/accounts/sign-in/")
    page.fill("#id_email", email)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/{lang}/dashboard/")


def make_learner(email: str, name: str, *, role: str, lang: str) -> User:
    from django.utils import timezone

    user = User.objects.create_user(
        email=email,
        password=DEMO_PASSWORD,
        full_name=name,
        preferred_language=lang,
        work_role=role,
        email_verified_at=timezone.now(),
    )
    return user


def enrol_and_read(page, base: str, slug: str, lang: str) -> int:
    """Enrol from the course page and mark every module done, one page after
    another, as the learner would; returns how many modules were read."""
    page.goto(f"{base}/{lang}/courses/{slug}/")
    page.locator("main form[action$='/enrol/'] button").click()
    page.wait_for_load_state()  # enrolling opens the first module
    read = 0
    while page.locator("main form[action$='/complete/'] button").count():
        page.locator("main form[action$='/complete/'] button").click()
        page.wait_for_load_state()
        read += 1
    return read


def start_assessment(page, base: str, slug: str, lang: str) -> None:
    page.goto(f"{base}/{lang}/courses/{slug}/assessment/")
    page.check("input[name=own_work]")
    page.locator("main form button[type=submit]").first.click()


def play(page, *, well: bool, shot=None) -> Attempt:
    """Answer until the result page; well: the right options and the best-scoring
    choices; otherwise the wrong ones and any critical choice."""
    for _ in range(300):
        if "/result/" in page.url:
            return Attempt.objects.order_by("-pk").first()
        attempt = Attempt.objects.order_by("-pk").first()
        if page.locator("main form[action$='/continue/']").count():
            page.locator("main form[action$='/continue/'] button").click()
            continue
        item = page.locator("form input[name=item]").first.get_attribute("value")
        if item.startswith("q:"):
            question = next(
                q for q in attempt.snapshot["questions"] if q["key"] == item[2:]
            )
            keys = [o["key"] for o in question["options"] if o["correct"] == well]
            for key in keys[: (len(keys) if question["multiple"] else 1)]:
                page.locator(f"input[name=answer][value='{key}']").check()
        else:
            _, scenario_key, step_key = item.split(":", 2)
            scenario = next(
                s for s in attempt.snapshot["scenarios"] if s["key"] == scenario_key
            )
            step = next(s for s in scenario["steps"] if s["key"] == step_key)
            ranked = sorted(
                step["choices"], key=lambda c: sum(c["points"].values()), reverse=well
            )
            if well:
                ranked = [c for c in ranked if c["grade"] == "best"] + ranked
            else:
                ranked = [c for c in ranked if c["grade"] == "critical"] + ranked
            if shot is not None and not shot.exists():
                page.screenshot(path=str(shot), full_page=True)
            page.locator(f"input[name=answer][value='{ranked[0]['key']}']").check()
        page.locator("main form button[type=submit]").first.click()
    raise AssertionError("The assessment never reached its result page.")
