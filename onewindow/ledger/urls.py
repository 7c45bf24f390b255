from django.urls import URLPattern, URLResolver, path

from onewindow.ledger import views

app_name = "ledger"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.dashboard, name="dashboard"),
    path("ranking/", views.ranking, name="ranking"),
    path("cases/", views.drill_cases, name="cases"),
    path("cases.xlsx", views.drill_cases_xlsx, name="cases_export"),
    path("metrics/", views.metrics_page, name="metrics"),
    path("export/<slug:table>.xlsx", views.export_xlsx, name="export"),
    path("report/<str:code>.pdf", views.centre_report, name="report"),
]
