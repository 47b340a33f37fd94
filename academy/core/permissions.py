from django.contrib.auth.models import AnonymousUser
from wagtail.permission_policies.base import ModelPermissionPolicy

ADMINISTRATORS_GROUP = "Academy administrators"


def is_academy_administrator(user) -> bool:
    """Superusers and members of the "Academy administrators" group."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return False
    return bool(
        user.is_superuser or user.groups.filter(name=ADMINISTRATORS_GROUP).exists()
    )


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """Learner records are history: the admin may list and export them, never edit."""

    def user_has_permission(self, user, action):
        if action != "view":
            return False
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([a for a in actions if a == "view"])
