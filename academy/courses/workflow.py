"""The editorial workflow: a course version is published only after a subject-matter
review and a survivor-advisor review, so survivors' voices shape what is taught."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    GroupApprovalTask,
    GroupPagePermission,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

WORKFLOW_NAME = "Course review"
SME_GROUP = "Subject-matter reviewers"
ADVISOR_GROUP = "Survivor advisors"
STEPS = (
    ("Subject-matter review", SME_GROUP),
    ("Survivor-advisor review", ADVISOR_GROUP),
)


@transaction.atomic
def editorial_workflow_ensure(*, catalogue) -> Workflow:
    """Create (or complete) the two-step review for everything under the catalogue."""
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    access = Permission.objects.get(codename="access_admin")
    for order, (task_name, group_name) in enumerate(STEPS):
        group, _ = Group.objects.get_or_create(name=group_name)
        # add() writes (an INSERT that ignores the duplicate) even when present.
        if not group.permissions.filter(pk=access.pk).exists():
            group.permissions.add(access)
        # Reviewers read drafts and previews; they need no right to publish.
        GroupPagePermission.objects.get_or_create(
            group=group,
            page=catalogue,
            permission=Permission.objects.get(
                codename="change_page", content_type__app_label="wagtailcore"
            ),
        )
        task = GroupApprovalTask.objects.filter(name=task_name).first()
        if task is None:
            task = GroupApprovalTask.objects.create(name=task_name)
        if not task.groups.filter(pk=group.pk).exists():
            task.groups.add(group)
        if not WorkflowTask.objects.filter(workflow=workflow, task=task).exists():
            WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=order)
    WorkflowPage.objects.get_or_create(page=catalogue, defaults={"workflow": workflow})
    return workflow
