from django.urls import URLPattern, URLResolver, path

from onewindow.devtools import views

app_name = "devtools"
urlpatterns: list[URLPattern | URLResolver] = [
    path("outbox/", views.outbox, name="outbox"),
]
