from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.static import serve

from onewindow.api.api import api
from onewindow.operations.health import healthz
from onewindow.portal import views as portal_views

admin.site.site_header = "一窗通办 · 系统管理"
admin.site.site_title = "一窗通办"

urlpatterns = [
    path(
        "accounts/login/", auth_views.LoginView.as_view(template_name="registration/login.html"), name="login"
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("open311/v2/", include("onewindow.api.open311")),
    path("manage/catalog/", include("onewindow.catalog.urls")),
    path("manage/org/", include("onewindow.org.urls")),
    path("manage/calendar/", include("onewindow.worktime.urls")),
    path("proxy/", include("onewindow.proxy.urls")),
    path("feedback/", include("onewindow.feedback.urls")),
    path("ledger/", include("onewindow.ledger.urls")),
    path("integration/", include("onewindow.integration.urls")),
    path("security/", include("onewindow.security.urls")),
    path("notify/", include("onewindow.notify.urls")),
    path("dev/", include("onewindow.devtools.urls")),
    path("", include("onewindow.cases.urls")),
    path("", portal_views.home, name="home"),
    path("", include("onewindow.queueing.urls")),
    path("", include("onewindow.portal.urls")),
    path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}),
]
