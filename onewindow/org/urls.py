from django.urls import path

from onewindow.org import views

app_name = "org"
urlpatterns = [
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/reveal/", views.staff_reveal, name="staff_reveal"),
    path("roster/", views.roster, name="roster"),
    path("roster/<int:centre_id>/duties/add/", views.roster_duty_add, name="roster_duty_add"),
    path("roster/duties/<int:pk>/remove/", views.roster_duty_remove, name="roster_duty_remove"),
    path("residents/", views.resident_list, name="resident_list"),
    path("residents/new/", views.resident_create, name="resident_create"),
    path("residents/lookup/", views.resident_lookup, name="resident_lookup"),
    path("residents/<int:pk>/", views.resident_detail, name="resident_detail"),
    path("residents/<int:pk>/reveal/", views.resident_reveal, name="resident_reveal"),
    path("residents/<int:pk>/contact/", views.resident_contact, name="resident_contact"),
]
