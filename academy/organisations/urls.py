from django.urls import path

from . import views

app_name = "coordinate"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("switch/", views.switch, name="switch"),
    path("people/add/", views.person_add, name="person_add"),
    path("people/<int:user_id>/", views.person, name="person"),
    path(
        "people/<int:user_id>/<slug:action>/", views.person_update, name="person_update"
    ),
    path("import/", views.people_import, name="import"),
    path("import/<int:job_id>/", views.import_job, name="import_job"),
    path("assignments/", views.assignments, name="assignments"),
    path("invitations/", views.invitations, name="invitations"),
    path("export.<str:fmt>", views.export, name="export"),
]
