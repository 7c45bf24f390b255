from django.urls import URLPattern, URLResolver, path

from onewindow.notify import views

app_name = "notify"
urlpatterns: list[URLPattern | URLResolver] = [
    path("residents/<int:pk>/preferences/", views.resident_preferences, name="resident_preferences"),
]
