from django.urls import URLPattern, URLResolver, path

from onewindow.security import views

app_name = "security"
urlpatterns: list[URLPattern | URLResolver] = [
    path("otp/verify/", views.otp_verify, name="otp_verify"),
    path("otp/setup/", views.otp_setup, name="otp_setup"),
    path("account/", views.login_history, name="login_history"),
    path("account/password/", views.password_change, name="password_change"),
    path("accounts/", views.accounts, name="accounts"),
    path("accounts/<str:username>/unlock/", views.unlock, name="unlock"),
    path("accounts/<str:username>/otp-reset/", views.otp_reset, name="otp_reset"),
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/export.xlsx", views.audit_export, name="audit_export"),
]
