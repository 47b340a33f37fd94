import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from academy.core.models import AuditEvent, User

from .. import factories

pytestmark = pytest.mark.django_db

REGISTRATION = {
    "email": "Maryam.Haddad@Example.org",
    "full_name": "مريم الحداد",
    "preferred_language": "ar",
    "jurisdiction": "coe_eu",
    "time_zone": "Europe/Madrid",
    "password1": "a-long-test-password-42",
    "password2": "a-long-test-password-42",
}


def _link(message) -> str:
    return re.search(r"https?://[^\s]+", message.body).group(0)


def test_registration_sends_a_verification_link_that_confirms_once(client):
    response = client.post("/en/accounts/register/", REGISTRATION)
    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    user = User.objects.get()
    assert user.email == "maryam.haddad@example.org"  # stored in one case
    assert user.full_name == "مريم الحداد"
    assert not user.is_email_verified
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
    # In the language the person chose, with a link into that language.
    with translation.override("ar"):
        assert mail.outbox[0].subject == translation.gettext(
            "Confirm your email address"
        )
    assert mail.outbox[0].subject != "Confirm your email address"
    assert "/ar/accounts/verify/" in mail.outbox[0].body
    # Before confirming, signing in explains what to do.
    blocked = client.post(
        "/en/accounts/sign-in/",
        {"email": user.email, "password": REGISTRATION["password1"]},
    )
    assert "Confirm your email address first" in blocked.content.decode()
    assert "_auth_user_id" not in client.session
    link = _link(mail.outbox[0])
    response = client.get(link)
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]
    user.refresh_from_db()
    assert user.is_email_verified
    # M2: the link confirms the address and signs nobody in; used once, it is spent.
    assert "_auth_user_id" not in client.session
    again = client.get(link)
    with translation.override("ar"):  # the link speaks the registrant's language
        used = translation.gettext(
            "This link was already used: your address is confirmed. Sign in with "
            "your password."
        )
    assert again.status_code == 400 and used in again.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="user.register", actor=user).exists()


def test_a_verification_link_stops_working_after_a_password_change(client):
    client.post("/en/accounts/register/", REGISTRATION)
    link = _link(mail.outbox[0])
    user = User.objects.get()
    user.set_password("another-long-password-7")
    user.save()
    response = client.get(link)
    assert response.status_code == 400
    assert not User.objects.get().is_email_verified


def test_no_login_form_signs_in_an_unverified_account(client):
    """M1: verification is the backend's rule, so Wagtail's admin login refuses too."""
    client.post("/en/accounts/register/", REGISTRATION)
    response = client.post(
        "/admin/login/",
        {"username": REGISTRATION["email"], "password": REGISTRATION["password1"]},
    )
    assert response.status_code == 200  # the form again, not a redirect
    assert "_auth_user_id" not in client.session
    assert client.get("/en/dashboard/").status_code == 302


def test_tampered_or_expired_link_is_a_clear_400(client, settings):
    client.post("/en/accounts/register/", REGISTRATION)
    link = _link(mail.outbox[0]).replace("/ar/", "/en/")
    response = client.get(link[:-3] + "xyz/")
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    settings.ACADEMY_EMAIL_VERIFICATION_MAX_AGE = -1
    response = client.get(link)
    assert response.status_code == 400 and "expired" in response.content.decode()
    assert not User.objects.get().is_email_verified


def test_registering_an_email_in_use_answers_alike_and_tells_its_owner(client):
    """L10: the page says the same as for a new address; the owner is emailed."""
    factories.make_user(email="taken@example.org")
    response = client.post(
        "/en/accounts/register/", {**REGISTRATION, "email": "TAKEN@example.ORG"}
    )
    new = client.post("/en/accounts/register/", REGISTRATION)
    assert response.status_code == new.status_code == 200
    same = response.content.decode().replace("taken@example.org", "EMAIL")
    other = new.content.decode().replace("maryam.haddad@example.org", "EMAIL")
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub("", same) == strip.sub("", other)
    assert User.objects.count() == 2  # nothing new for the address in use
    owner_mail = [m for m in mail.outbox if m.to == ["taken@example.org"]]
    assert len(owner_mail) == 1 and "already have an account" in owner_mail[0].body


def test_registration_rejects_bad_input_and_writes_nothing(client):
    response = client.post(
        "/en/accounts/register/",
        {
            **REGISTRATION,
            "password2": "different-password-99",
            "time_zone": "Mars/Olympus",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The two passwords differ." in html and "Select a valid choice" in html
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "typed", ["learner@example.org", "LEARNER@EXAMPLE.ORG", " Learner@Example.Org "]
)
def test_sign_in_by_email_in_any_letter_case(client, learner, typed):
    response = client.post(
        "/en/accounts/sign-in/", {"email": typed, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/en/dashboard/"
    assert client.session["_auth_user_id"] == str(learner.pk)


def test_sign_in_goes_to_the_dashboard_in_the_preferred_language(client, learner):
    learner.preferred_language = "fr"
    learner.save()
    response = client.post(
        "/es/accounts/sign-in/",
        {"email": learner.email, "password": factories.PASSWORD},
    )
    assert response["Location"] == "/fr/dashboard/"


def test_sign_in_follows_only_local_next(client, learner):
    data = {"email": learner.email, "password": factories.PASSWORD}
    good = client.post("/en/accounts/sign-in/?next=/en/courses/", data)
    assert good["Location"] == "/en/courses/"
    client.logout()
    evil = client.post("/en/accounts/sign-in/?next=https://evil.example/", data)
    assert evil["Location"] == "/en/dashboard/"


def test_wrong_password_is_refused_plainly(client, learner):
    response = client.post(
        "/en/accounts/sign-in/", {"email": learner.email, "password": "nope"}
    )
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_profile_changes_name_language_jurisdiction_and_time_zone(
    learner_client, learner
):
    response = learner_client.post(
        "/en/accounts/profile/",
        {
            "full_name": "Алексей Ривера",
            "preferred_language": "es",
            "jurisdiction": "us",
            "time_zone": "America/Chicago",
        },
    )
    assert (
        response.status_code == 302 and response["Location"] == "/es/accounts/profile/"
    )
    learner.refresh_from_db()
    assert (
        learner.full_name,
        learner.preferred_language,
        learner.jurisdiction,
        learner.time_zone,
    ) == ("Алексей Ривера", "es", "us", "America/Chicago")


def test_profile_rejects_bad_input(learner_client, learner):
    response = learner_client.post(
        "/en/accounts/profile/",
        {
            "full_name": "",
            "preferred_language": "xx",
            "jurisdiction": "mars",
            "time_zone": "UTC",
        },
    )
    assert response.status_code == 200
    learner.refresh_from_db()
    assert learner.full_name == "Alex Rivera"


def test_profile_needs_sign_in(client):
    response = client.get("/en/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/sign-in/")


def test_password_reset_sends_a_working_link(client, learner):
    client.post("/en/accounts/password/reset/", {"email": "LEARNER@example.org"})
    assert len(mail.outbox) == 1
    link = _link(mail.outbox[0])
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url,
        {
            "new_password1": "another-long-password-7",
            "new_password2": "another-long-password-7",
        },
    )
    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.check_password("another-long-password-7")


def test_sign_out_is_a_post(learner_client):
    assert learner_client.get(reverse("accounts:logout")).status_code == 405
    assert learner_client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in learner_client.session


def test_email_is_unique_in_the_database_whatever_the_case(db):
    from django.db import IntegrityError, transaction

    factories.make_user(email="one@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="ONE@example.org", full_name="Dup")
