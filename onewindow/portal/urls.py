from django.urls import path

from onewindow.portal import views

app_name = "portal"
urlpatterns = [
    path("guide/", views.item_list, name="item_list"),
    path("guide/<str:code>.pdf", views.item_pdf, name="item_pdf"),
    path("guide/<str:code>/", views.item_detail, name="item_detail"),
    path("guide/<str:code>/print/", views.item_print, name="item_print"),
    path("bundles/", views.bundle_list, name="bundle_list"),
    path("bundles/<str:code>/", views.bundle_detail, name="bundle_detail"),
    path("centres/", views.centre_list, name="centre_list"),
    path("centres/<str:code>/", views.centre_detail, name="centre_detail"),
    path("text-size/", views.text_size, name="text_size"),
]
