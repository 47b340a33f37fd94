from django.utils.functional import SimpleLazyObject

from .selectors import is_coordinator


def coordinator(request):
    """IS_COORDINATOR for the navigation, asked only when a template reads it."""
    return {
        "IS_COORDINATOR": SimpleLazyObject(
            lambda: is_coordinator(user=getattr(request, "user", None))
        )
    }
