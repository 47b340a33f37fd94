from django.conf import settings
from django.utils import translation


def _is_coordinator(request) -> bool:
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return False
    from academy.organisations.models import Membership

    return Membership.objects.coordinators().filter(user=user).exists()


def academy(request):
    from django.utils.functional import SimpleLazyObject

    lang = translation.get_language() or settings.LANGUAGE_CODE
    return {
        "LANGUAGE_DIR": "rtl" if translation.get_language_bidi() else "ltr",
        "SITE_NAME": settings.WAGTAIL_SITE_NAME,
        "CURRENT_LANGUAGE": lang,
        "PUBLIC_URL": settings.ACADEMY_PUBLIC_URL.rstrip("/"),
        "IS_COORDINATOR": SimpleLazyObject(lambda: _is_coordinator(request)),
    }
