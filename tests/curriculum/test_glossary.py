import pytest

from academy.courses.models import GlossaryTerm
from academy.curriculum.glossary import link_terms

TERMS = [
    {"key": "t-visa", "match": ["T visas", "T visa"]},
    {"key": "continued-presence", "match": ["Continued Presence"]},
    {"key": "trauma", "match": ["trauma"]},
    {"key": "trauma-informed", "match": ["trauma-informed"]},
]


def test_each_term_is_linked_once_where_it_first_appears():
    linked: set[str] = set()
    first = link_terms(
        "<h3>T visa</h3><p>A T visa, then T visas, and Continued\nPresence.</p>",
        terms=TERMS,
        linked=linked,
        lang="es",
    )
    assert first == (
        '<h3>T visa</h3><p>A <a href="/es/glossary/#t-visa">T visa</a>, then T visas, '
        'and <a href="/es/glossary/#continued-presence">Continued\nPresence</a>.</p>'
    )
    later = link_terms(
        "<p>T visa and trauma-informed trauma.</p>",
        terms=TERMS,
        linked=linked,
        lang="es",
    )
    assert later == (
        '<p>T visa and <a href="/es/glossary/#trauma-informed">trauma-informed</a> '
        '<a href="/es/glossary/#trauma">trauma</a>.</p>'
    )


def test_text_inside_an_existing_link_is_left_alone():
    html = '<p><a href="https://example.org">T visa guide</a> and trauma</p>'
    out = link_terms(html, terms=TERMS, linked=set(), lang="en")
    assert (
        out.count("<a ") == 2 and 'href="https://example.org">T visa guide</a>' in out
    )


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["en", "es", "fr", "ar"])
def test_the_glossary_page_in_every_language(client, learner, lang):
    GlossaryTerm.objects.create(
        key="non-punishment",
        term_en="Non-punishment principle",
        term_es="Principio de no punición",
        term_fr="Principe de non-sanction",
        term_ar="مبدأ عدم المعاقبة",
        definition_en="Victims are not punished for crimes they were forced into.",
        us_en="US: record relief differs by state.",
        coe_eu_en="Europe: CoE Art. 26.",
    )
    html = client.get(f"/{lang}/glossary/").content.decode()
    assert '<dt id="non-punishment">' in html
    expected = {
        "en": "Non-punishment principle",
        "es": "Principio de no punición",
        "fr": "Principe de non-sanction",
        "ar": "مبدأ عدم المعاقبة",
    }[lang]
    assert expected in html
    assert "Victims are not punished" in html  # English, as the fallback
    learner.jurisdiction = "coe_eu"
    learner.save()
    client.force_login(learner)
    html = client.get("/en/glossary/").content.decode()
    assert html.index("Europe: CoE Art. 26.") < html.index("Other jurisdictions")
    assert html.index("Other jurisdictions") < html.index("US: record relief")


def test_arabic_terms_are_found_with_their_joined_prefixes():
    terms = [
        {"key": "tb", "match": ["الترابط الصدمي"]},
        {"key": "int", "match": ["مترجم شفوي"]},
    ]
    out = link_terms(
        "<p>بسبب للترابط الصدمي، وبمترجم شفوي.</p>",
        terms=terms,
        linked=set(),
        lang="ar",
    )
    assert '<a href="/ar/glossary/#tb">للترابط الصدمي</a>' in out
    assert '<a href="/ar/glossary/#int">وبمترجم شفوي</a>' in out
