"""URL map. Citizen pages are Vietnamese at unprefixed URLs and English under /en/."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from apps.core import views as core_views
from apps.reports import views as reports_views

urlpatterns = [
    # Answered by apps.core.middleware.HealthCheckMiddleware before any other middleware; named here for reverse().
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("zalo/webhook/", reports_views.zalo_webhook, name="zalo-webhook"),
    # Public media (news images) from the default storage, local or S3, with DEBUG on or off.
    path(f"{settings.MEDIA_URL.strip('/')}/<path:name>", core_views.public_media, name="public-media"),
]

urlpatterns += i18n_patterns(
    path("", include("apps.core.urls")),
    path("lien-he/", include("apps.units.urls")),
    path("", include("apps.notifications.urls")),
    path("", include("apps.filings.urls")),
    path("", include("apps.declarations.urls")),  # before procedures: /thu-tuc/cap-cccd/ is the journey
    path("thu-tuc/", include("apps.procedures.urls")),
    path("tin-tuc/", include("apps.news.urls")),
    path("phan-anh/", include("apps.reports.urls")),
    path(f"{settings.ADMIN_URL}quay/", include("apps.backoffice.urls")),
    path(f"{settings.ADMIN_URL}du-lieu-ca-nhan/", include("apps.privacy.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
    prefix_default_language=False,
)


handler400 = "apps.core.views.bad_request"
handler403 = "apps.core.views.permission_denied"
handler404 = "apps.core.views.page_not_found"
handler500 = "apps.core.views.server_error"
