from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from academy.core import views as core_views
from academy.courses import views as course_views

handler400 = "academy.core.views.error_400"
handler403 = "academy.core.views.error_403"
handler404 = "academy.core.views.error_404"
handler500 = "academy.core.views.error_500"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", include(wagtailadmin_urls)),
    path("django-admin/", admin.site.urls),
    path("documents/", include(wagtaildocs_urls)),
]

urlpatterns += i18n_patterns(
    path("accounts/", include("academy.core.urls")),
    path("dashboard/", course_views.dashboard, name="dashboard"),
    path(
        "dashboard/enrolments/<int:enrollment_id>/",
        course_views.enrollment_detail,
        name="enrollment_detail",
    ),
    path("support/", core_views.support, name="support"),
    path("glossary/", course_views.glossary, name="glossary"),
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
