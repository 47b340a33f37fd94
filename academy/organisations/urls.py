from django.urls import path

from academy.core import ids as _ids  # noqa: F401 - registers the <id:…> URL converter

from . import views

app_name = "coordinate"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("switch/", views.switch, name="switch"),
    path("people/add/", views.person_add, name="person_add"),
    path("people/<id:user_id>/", views.person, name="person"),
    path("people/<id:user_id>/move/", views.person_move, name="person_move"),
    path("people/<id:user_id>/role/", views.person_role, name="person_role"),
    path("people/<id:user_id>/remove/", views.person_remove, name="person_remove"),
    path("people/<id:user_id>/exempt/", views.person_exempt, name="person_exempt"),
    path("people/<id:user_id>/extend/", views.person_extend, name="person_extend"),
    path("import/", views.people_import, name="import"),
    path("import/<id:job_id>/", views.import_job, name="import_job"),
    path(
        "export/certificates.zip", views.export_certificates, name="export_certificates"
    ),
    path("exports/<id:job_id>/", views.export_job, name="export_job"),
    path(
        "exports/<id:job_id>/certificates.zip",
        views.export_job_download,
        name="export_job_download",
    ),
    path(
        "people/<id:user_id>/extra-time/",
        views.person_extra_time,
        name="person_extra_time",
    ),
    path("assignments/", views.assignments, name="assignments"),
    path("invitations/", views.invitations, name="invitations"),
    path("export.<str:fmt>", views.export, name="export"),
]
