"""Which language a translated field really has, so a fallback can be shown as one."""

from django.conf import settings
from django.utils import translation
from modeltranslation.utils import build_localized_fieldname

from .vocab import LANGUAGES


def is_empty(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return len(value) == 0
    except TypeError:
        return False


def field_in_language(obj, field: str, lang: str | None = None):
    """The field's value in `lang` and whether it is that language's own text.

    Returns (value, is_own): when the language has no text, the default language's
    text comes back with is_own False, so templates can say so instead of breaking.
    """
    lang = lang or translation.get_language() or settings.LANGUAGE_CODE
    own = getattr(obj, build_localized_fieldname(field, lang), None)
    if not is_empty(own):
        return own, True
    default = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    return getattr(
        obj, build_localized_fieldname(field, default), None
    ), lang == default


def translation_missing(obj, fields: tuple[str, ...], lang: str | None = None) -> bool:
    """True when the page has text in the default language but not in `lang`."""
    lang = lang or translation.get_language() or settings.LANGUAGE_CODE
    if lang == settings.MODELTRANSLATION_DEFAULT_LANGUAGE:
        return False
    return any(
        not field_in_language(obj, field, lang)[1]
        and not is_empty(field_in_language(obj, field, lang)[0])
        for field in fields
    )


def texts_of(obj, field: str) -> dict[str, str]:
    """{language: text} of a translated field, every language, empty where missing."""
    return {
        lang: getattr(obj, build_localized_fieldname(field, lang)) or ""
        for lang in LANGUAGES
    }


def text(texts: dict | None, lang: str | None = None) -> str:
    """A {language: text} mapping in the page's language, else the default one's."""
    if not texts:
        return ""
    lang = lang or translation.get_language() or settings.LANGUAGE_CODE
    return (
        texts.get(lang) or texts.get(settings.MODELTRANSLATION_DEFAULT_LANGUAGE) or ""
    )
