from django.urls import path

from onewindow.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.manage_list, name="manage_list"),
    path("new/", views.item_create, name="item_create"),
    path("export/", views.export, name="export"),
    path("import/", views.import_, name="import"),
    path("items/<str:code>/", views.item_detail, name="item_detail"),
    path("items/<str:code>/new-version/", views.version_new_draft, name="version_new_draft"),
    path("items/<str:code>/retire/", views.item_retire, name="item_retire"),
    path("items/<str:code>/v<int:number>/edit/", views.version_edit, name="version_edit"),
    path("items/<str:code>/v<int:number>/publish/", views.version_publish, name="version_publish"),
]
