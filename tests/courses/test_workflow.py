"""Publishing goes through a subject-matter review, then a survivor-advisor review."""

import pytest
from django.core.management import call_command
from django.utils import translation
from wagtail.models import WorkflowState

from academy.core.models import User
from academy.courses.models import ModulePage
from academy.courses.workflow import editorial_workflow_ensure

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed_module(modules, course_index):
    editorial_workflow_ensure(catalogue=course_index)
    call_command("seed_demo", verbosity=0)
    return modules[0]


def _people():
    return {
        name: User.objects.get(email=f"{name}@example.org")
        for name in ("editor", "reviewer", "advisor")
    }


def test_a_change_is_published_only_after_both_reviews(client, reviewed_module):
    people = _people()
    with translation.override("en"):
        draft = reviewed_module.get_latest_revision_as_object()
        draft.title_en = "First module, revised"
        revision = draft.save_revision(user=people["editor"])
    workflow = reviewed_module.get_workflow()
    assert [t.name for t in workflow.tasks] == [
        "Subject-matter review",
        "Survivor-advisor review",
    ]
    state = workflow.start(reviewed_module, people["editor"])
    assert state.status == WorkflowState.STATUS_IN_PROGRESS

    def approve(user):
        task_state = state.current_task_state
        task = task_state.task.specific
        actions = [a[0] for a in task.get_actions(reviewed_module, user)]
        if "approve" not in actions:
            return False
        task.on_action(task_state, user, "approve")
        state.refresh_from_db()
        return True

    # The editor and the survivor advisor cannot approve the subject-matter step.
    assert not approve(people["editor"]) and not approve(people["advisor"])
    assert approve(people["reviewer"])
    assert ModulePage.objects.get(pk=reviewed_module.pk).title_en == "First module"
    # Now only the survivor advisor can approve.
    assert not approve(people["reviewer"])
    assert approve(people["advisor"])
    assert state.status == WorkflowState.STATUS_APPROVED
    module = ModulePage.objects.get(pk=reviewed_module.pk)
    assert module.title_en == "First module, revised" and module.live
    assert module.live_revision_id == revision.pk


def test_the_editor_submits_for_review_from_the_admin(client, reviewed_module):
    people = _people()
    client.force_login(people["editor"])
    edit = client.get(f"/admin/pages/{reviewed_module.pk}/edit/").content.decode()
    assert "Submit to Course review" in edit
    assert "action-publish" not in edit  # no way around the reviews
    client.force_login(people["reviewer"])
    assert client.get("/admin/").status_code == 200


def test_load_content_creates_the_workflow_once(course_index):
    from wagtail.models import Workflow

    editorial_workflow_ensure(catalogue=course_index)
    editorial_workflow_ensure(catalogue=course_index)
    workflow = Workflow.objects.get(name="Course review")
    assert workflow.workflow_tasks.count() == 2
