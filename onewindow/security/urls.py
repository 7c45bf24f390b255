from django.urls import URLPattern, URLResolver

app_name = "security"
urlpatterns: list[URLPattern | URLResolver] = []
