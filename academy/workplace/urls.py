from django.urls import path

from academy.core import ids as _ids  # noqa: F401 - registers the <id:…> URL converter

from . import views

app_name = "workplace"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("start/", views.start, name="start"),
    path("submit/", views.submit, name="submit"),
    path("people/", views.people, name="people"),
    path("attest/", views.attest, name="attest"),
    path("register/", views.register, name="register"),
    path("certificate.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("criteria/<slug:key>/", views.criterion, name="criterion"),
    path("criteria/<slug:key>/evidence/", views.evidence_add, name="evidence_add"),
    path("evidence/<id:evidence_id>/", views.evidence_file, name="evidence_file"),
    path(
        "evidence/<id:evidence_id>/remove/",
        views.evidence_remove,
        name="evidence_remove",
    ),
]
