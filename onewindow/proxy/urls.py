from django.urls import URLPattern, URLResolver, path

from onewindow.proxy import views

app_name = "proxy"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("entrust/", views.entrust, name="entrust"),
    path("intake/", views.intake, name="intake"),
    path("requests/<int:pk>/", views.detail, name="detail"),
    path("requests/<int:pk>/act/", views.act, name="act"),
    path("files/<str:file_id>/", views.file, name="file"),
    path("entrustments/<int:pk>/document.pdf", views.entrustment_pdf, name="entrustment_pdf"),
    path("queue/", views.queue, name="queue"),
    path("batches/", views.batches, name="batches"),
    path("batches/<int:pk>/", views.batch, name="batch"),
    path("batches/<int:pk>/manifest.pdf", views.manifest, name="manifest"),
    path("alerts/", views.alerts, name="alerts"),
    path("ledger/", views.ledger_page, name="ledger"),
    path("visits/", views.visits, name="visits"),
    path("agents/", views.agents, name="agents"),
]
