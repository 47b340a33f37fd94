"""The Achievement a credential names resolves: /achievements/<course>/<version>
answers with the Open Badges Achievement as JSON for software and a page for people,
exactly as the credentials embed it, for every version certificates were issued for."""

import json

import pytest
from jsonschema import Draft201909Validator

from .test_credential import SCHEMA

pytestmark = pytest.mark.django_db


def _achievement_url(client, certificate) -> str:
    credential = client.get(f"/verify/{certificate.code}/credential.json").json()
    url = credential["credentialSubject"]["achievement"]["id"]
    assert url.startswith("https://academy.test/achievements/")
    return url.removeprefix("https://academy.test")


def _validator():
    """The Open Badges schema's own Achievement definition."""
    schema = json.loads(SCHEMA.read_text())
    return Draft201909Validator(
        {
            "$schema": schema["$schema"],
            "$defs": schema["$defs"],
            "$ref": "#/$defs/Achievement",
        }
    )


def test_the_achievement_id_answers_with_json_for_software(client, certificate):
    path = _achievement_url(client, certificate)
    credential = client.get(f"/verify/{certificate.code}/credential.json").json()
    embedded = credential["credentialSubject"]["achievement"]
    for response in (
        client.get(path + ".json"),
        client.get(path, HTTP_ACCEPT="application/ld+json"),
        client.get(path, HTTP_ACCEPT="application/json"),
    ):
        assert response.status_code == 200
        assert "json" in response["Content-Type"]
        achievement = response.json()
        assert achievement["@context"] == credential["@context"]
        assert {k: v for k, v in achievement.items() if k != "@context"} == embedded
        assert not list(_validator().iter_errors(achievement))


def test_the_achievement_id_is_a_readable_page_for_people(client, certificate):
    path = _achievement_url(client, certificate)
    response = client.get(path, HTTP_ACCEPT="text/html,application/xhtml+xml,*/*")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Accept" in response["Vary"]
    page = response.content.decode()
    assert "<h1>Foundations test course</h1>" in page
    credential = client.get(f"/verify/{certificate.code}/credential.json").json()
    narrative = credential["credentialSubject"]["achievement"]["criteria"]["narrative"]
    assert narrative.split(":")[0] in page  # what it takes, as issued
    assert f'href="{path}.json"' in page


def test_the_page_speaks_the_visitors_language(client, certificate):
    path = _achievement_url(client, certificate)
    page = client.get(path + "?lang=ar").content.decode()
    assert 'lang="ar" dir="rtl"' in page
    assert "What it takes" not in page  # translated


def test_an_older_version_still_resolves_from_its_certificates(
    client, certificate, course_page
):
    path = _achievement_url(client, certificate)
    course_page.version_label = "2099.1"
    course_page.save_revision().publish()
    achievement = client.get(path + ".json").json()
    assert achievement["name"] == "Foundations test course"
    # No credential names the new version yet: nothing to resolve.
    assert client.get(path.rsplit("/", 1)[0] + "/2099.1.json").status_code == 404


def test_an_unknown_course_or_version_is_a_clear_404(client, certificate):
    path = _achievement_url(client, certificate)
    assert client.get(path + "-nope.json").status_code == 404
    assert client.get("/achievements/no-such-course/1.0").status_code == 404
    assert client.get("/achievements/no-such-course/1.0.json").status_code == 404
