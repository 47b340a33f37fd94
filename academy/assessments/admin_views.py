"""Item analysis in the Wagtail admin's Reports: for people who may edit the
assessment (curriculum editors, reviewers, administrators)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from .analysis import analysis_csv, item_analysis
from .models import AssessmentPage


def _editable(user):
    return [
        a
        for a in AssessmentPage.objects.order_by("path")
        if a.permissions_for_user(user).can_edit()
    ]


def item_analysis_index(request):
    assessments = _editable(request.user)
    if not assessments:
        raise PermissionDenied
    return render(
        request, "assessments/admin_analysis_index.html", {"assessments": assessments}
    )


def item_analysis_view(request, pk: int):
    assessment = get_object_or_404(AssessmentPage, pk=pk)
    if not assessment.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    analysis = item_analysis(assessment=assessment)
    if request.GET.get("export") == "csv":
        response = HttpResponse(
            analysis_csv(analysis), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="item-analysis-{assessment.slug}-{pk}.csv"'
        )
        return response
    return render(
        request,
        "assessments/admin_analysis.html",
        {"assessment": assessment, "analysis": analysis},
    )
