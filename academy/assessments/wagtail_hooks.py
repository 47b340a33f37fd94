from wagtail.permissions import register_permission_policy

from academy.core.permissions import ReadOnlyPermissionPolicy

from .models import Attempt

# Learner records are history: the admin lists and exports them, never edits them.
register_permission_policy(Attempt, ReadOnlyPermissionPolicy(Attempt))
