from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from academy.certificates import views as cert_views
from academy.core import ids as _ids  # noqa: F401 - registers the <id:…> URL converter
from academy.core import views as core_views
from academy.learning import views as learning_views
from academy.organisations import views as organisation_views
from academy.workplace import views as workplace_views

handler400 = "academy.core.views.error_400"
handler403 = "academy.core.views.error_403"
handler404 = "academy.core.views.error_404"
handler500 = "academy.core.views.error_500"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path(".well-known/did.json", cert_views.did_document, name="did_document"),
    path("verify/", cert_views.verify_index, name="verify"),
    path("verify/file/", cert_views.verify_pdf, name="verify_pdf"),
    path("verify/bulk/", cert_views.verify_bulk, name="verify_bulk"),
    path("verify/status/<id:number>/", cert_views.status_list, name="status_list"),
    path("verify/<str:code>/", cert_views.verify_detail, name="verify_detail"),
    path(
        "verify/<str:code>/credential.json",
        cert_views.credential_json,
        name="credential_json",
    ),
    path(
        "verify/<str:code>/credential.jwt",
        cert_views.credential_jwt,
        name="credential_jwt",
    ),
    # The Achievement a credential names (its `id`): JSON at .json, or by Accept.
    path(
        "achievements/<slug:course_key>/<str:version>.json",
        cert_views.achievement,
        {"as_json": True},
        name="achievement_json",
    ),
    path(
        "achievements/<slug:course_key>/<str:version>",
        cert_views.achievement,
        name="achievement",
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

urlpatterns += i18n_patterns(
    path("accounts/", include("academy.core.urls")),
    path(
        "accounts/invitation/<str:token>/",
        organisation_views.invitation,
        name="invitation",
    ),
    path(
        "dashboard/memberships/<id:membership_id>/",
        organisation_views.membership_answer,
        name="membership_answer",
    ),
    path("dashboard/", learning_views.dashboard, name="dashboard"),
    path("coordinate/", include("academy.organisations.urls")),
    path("workplace/", include("academy.workplace.urls")),
    path(
        "employers/register/",
        workplace_views.public_register,
        name="employer_register",
    ),
    path(
        "dashboard/enrolments/<id:enrollment_id>/",
        learning_views.enrollment_detail,
        name="enrollment_detail",
    ),
    path("dashboard/name/", learning_views.name_change, name="name_change"),
    path(
        "dashboard/transcript.pdf", learning_views.transcript_pdf, name="transcript_pdf"
    ),
    path("support/", core_views.support, name="support"),
    path("glossary/", learning_views.glossary, name="glossary"),
    path(
        "dashboard/certificates/<str:code>.pdf",
        cert_views.certificate_pdf,
        name="certificate_pdf",
    ),
    path("", include(wagtail_urls)),
    prefix_default_language=True,
)

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns = (
        staticfiles_urlpatterns()
        + static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
        + urlpatterns
    )
