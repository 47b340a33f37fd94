from django.db.models import Q
from django.utils.functional import SimpleLazyObject

from academy.organisations.models import Membership, Organisation


def _roles(user) -> dict[str, bool]:
    """One query, only when a template asks: does the person coordinate anywhere,
    and do they manage an employer's certification?"""
    if not getattr(user, "is_authenticated", False):
        return {"coordinator": False, "employer": False}
    rows = list(
        Membership.objects.current()
        .filter(Q(role=Membership.Role.COORDINATOR) | Q(is_manager=True), user=user)
        .values_list("role", "organisation__kind")
    )
    return {
        "coordinator": any(r == Membership.Role.COORDINATOR for r, _k in rows),
        "employer": any(k == Organisation.Kind.EMPLOYER for _r, k in rows),
    }


def navigation(request):
    """IS_COORDINATOR and IS_EMPLOYER_MANAGER for the navigation."""
    roles = SimpleLazyObject(lambda: _roles(getattr(request, "user", None)))
    return {
        "IS_COORDINATOR": SimpleLazyObject(lambda: roles["coordinator"]),
        "IS_EMPLOYER_MANAGER": SimpleLazyObject(lambda: roles["employer"]),
    }
