"""Thin views: check who is asking, call a service or selector, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from academy.core.exceptions import ApplicationError
from academy.core.views import client_address

from . import selectors, services


def _post_only(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"], _("Use the button on the page."))
    return None


def course_enrol(request, *, course):
    if (response := _post_only(request)) is not None:
        return response
    if not request.user.is_authenticated:
        return redirect_to_login(course.url)
    try:
        services.enrollment_create(user=request.user, course=course)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(course.url)
    status = selectors.course_status_for_user(user=request.user, course=course)
    messages.success(request, _("You are enrolled. Take it at your own pace."))
    return redirect(status.next_module.url if status.next_module else course.url)


def module_complete(request, *, module):
    if (response := _post_only(request)) is not None:
        return response
    if not request.user.is_authenticated:
        return redirect_to_login(module.url)
    try:
        services.module_progress_mark_complete(
            user=request.user, module=module, client_address=client_address(request)
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(module.url)
    status = selectors.course_status_for_user(
        user=request.user, course=module.get_parent().specific
    )
    if status.next_module is not None:
        messages.success(request, _("Module done. The next one is ready when you are."))
        return redirect(status.next_module.url)
    messages.success(request, _("You have finished every module in this course."))
    return redirect(status.course.url)


def knowledge_check_answer(request, *, module, key):
    """Keep a practice answer in the session and show every option's rationale."""
    if (response := _post_only(request)) is not None:
        return response
    block = next(
        (b for b in module.body if b.block_type == "knowledge_check" and b.id == key),
        None,
    )
    if block is None:
        raise Http404(_("There is no such practice question on this page."))
    options = block.value["options"]
    try:
        chosen = sorted({int(v) for v in request.POST.getlist("option")})
    except ValueError:
        chosen = []
    if not chosen or any(i < 0 or i >= len(options) for i in chosen):
        messages.error(request, _("Choose an answer first."))
        return redirect(f"{module.url}#check-{key}")
    if not block.value["multiple"] and len(chosen) > 1:
        messages.error(request, _("Choose one answer."))
        return redirect(f"{module.url}#check-{key}")
    store_key = f"kc:{module.pk}"
    answers = dict(request.session.get(store_key, {}))
    answers[key] = chosen
    request.session[store_key] = answers
    return redirect(f"{module.url}#check-{key}")


@login_required
def dashboard(request):
    from academy.organisations.selectors import duties_for_user

    return render(
        request,
        "courses/dashboard.html",
        {
            "duties": duties_for_user(user=request.user),
            "rows": selectors.dashboard_for_user(user=request.user),
        },
    )


@login_required
def enrollment_detail(request, enrollment_id: int):
    enrollment = selectors.enrollment_get_for_user(
        user=request.user, enrollment_id=enrollment_id
    )
    if enrollment is None:
        raise Http404(_("No such record among yours."))
    status = selectors.course_status_for_user(
        user=request.user, course=enrollment.course
    )
    return render(
        request,
        "courses/enrollment_detail.html",
        {"enrollment": enrollment, "status": status},
    )


def glossary(request):
    return render(
        request,
        "courses/glossary.html",
        {
            "terms": selectors.glossary_terms(),
            "jurisdiction": selectors.user_jurisdiction(request.user),
        },
    )
