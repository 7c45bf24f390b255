from django.urls import URLPattern, URLResolver

app_name = "proxy"
urlpatterns: list[URLPattern | URLResolver] = []
