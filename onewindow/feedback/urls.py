from django.urls import URLPattern, URLResolver, path

from onewindow.feedback import padviews, views

app_name = "feedback"
urlpatterns: list[URLPattern | URLResolver] = [
    path("rate/", views.rate, name="rate"),
    path("pad/", padviews.pad, name="pad"),
    path("pad/w/<str:token>/", padviews.pad_window, name="pad_window"),
    path("pad/w/<str:token>/state/", padviews.pad_state, name="pad_state"),
    path("results/", views.results, name="results"),
    path("rectifications/", views.rectification_list, name="rectifications"),
    path("rectifications/<int:pk>/", views.rectification_detail, name="rectification"),
    path("complaints/new/", views.complaint_new, name="complaint_new"),
    path("complaints/follow/", views.complaint_follow, name="complaint_follow"),
    path("complaints/", views.complaint_list, name="complaints"),
    path("complaints/<str:number>/", views.complaint_detail, name="complaint"),
    path("notices/", views.notices, name="notices"),
    path("notices/<int:pk>/withdraw/", views.notice_withdraw, name="notice_withdraw"),
    path("notices/<int:pk>/files/<uuid:file_id>/", views.notice_file, name="notice_file"),
    path("centres/<str:code>/", views.disclosure, name="disclosure"),
]
