"""Open311 GeoReport v2 facade (items as services, cases as requests)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
