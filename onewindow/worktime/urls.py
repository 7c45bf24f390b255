from django.urls import URLPattern, URLResolver, path

from onewindow.worktime import views

app_name = "worktime"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.calendar_page, name="calendar"),
    path("confirm/", views.calendar_confirm, name="calendar_confirm"),
]
