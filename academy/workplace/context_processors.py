from django.utils.functional import SimpleLazyObject

from academy.organisations.models import Membership, Organisation
from academy.organisations.selectors import memberships_for_request


def _roles(request) -> dict[str, bool]:
    """Only when a template asks: does the person coordinate anywhere, and do they
    manage an employer's certification? From the person's memberships, read once per
    request (organisations.selectors.memberships_for_request)."""
    if not getattr(getattr(request, "user", None), "is_authenticated", False):
        return {"coordinator": False, "employer": False}
    current = [m for m in memberships_for_request(request) if m.is_current]
    return {
        "coordinator": any(m.role == Membership.Role.COORDINATOR for m in current),
        "employer": any(
            m.organisation.kind == Organisation.Kind.EMPLOYER
            for m in current
            if m.role == Membership.Role.COORDINATOR or m.is_manager
        ),
    }


def navigation(request):
    """IS_COORDINATOR and IS_EMPLOYER_MANAGER for the navigation."""
    roles = SimpleLazyObject(lambda: _roles(request))
    return {
        "IS_COORDINATOR": SimpleLazyObject(lambda: roles["coordinator"]),
        "IS_EMPLOYER_MANAGER": SimpleLazyObject(lambda: roles["employer"]),
    }
