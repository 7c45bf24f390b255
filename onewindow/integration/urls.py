from django.urls import URLPattern, URLResolver

app_name = "integration"
urlpatterns: list[URLPattern | URLResolver] = []
