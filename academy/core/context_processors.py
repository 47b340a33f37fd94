from django.conf import settings
from django.utils import translation


def academy(request):
    lang = translation.get_language() or settings.LANGUAGE_CODE
    return {
        "LANGUAGE_DIR": "rtl" if translation.get_language_bidi() else "ltr",
        "SITE_NAME": settings.WAGTAIL_SITE_NAME,
        "CURRENT_LANGUAGE": lang,
        "PUBLIC_URL": settings.ACADEMY_PUBLIC_URL.rstrip("/"),
    }
