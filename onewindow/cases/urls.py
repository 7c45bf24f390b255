from django.urls import path

from onewindow.cases import views

app_name = "cases"
urlpatterns = [
    path("cases/", views.case_list, name="list"),
    path("cases/new/", views.workbench, name="workbench"),
    path("cases/new/person/", views.person_lookup, name="person_lookup"),
    path("cases/queue/", views.queue, name="queue"),
    path("cases/output/", views.output, name="output"),
    path("cases/warnings/", views.warnings, name="warnings"),
    path("cases/<str:number>/", views.detail, name="detail"),
    path("cases/<str:number>/outcome/", views.outcome, name="outcome"),
    path("cases/<str:number>/actions/", views.act, name="act"),
    path("cases/<str:number>/applicant/", views.applicant_correct, name="applicant_correct"),
    path("cases/<str:number>/<str:kind>.pdf", views.document, name="document"),
    path("progress/", views.progress, name="progress"),
]
