from django.urls import path

from onewindow.portal import desk, resident_views, views

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
    path("favicon.ico", views.favicon, name="favicon"),
    path("privacy/", views.privacy_notice, name="privacy_notice"),
    path("desk/messages/", desk.messages, name="desk_messages"),
    path("desk/messages/read/", desk.messages_read, name="desk_messages_read"),
    # resident portal (一网通办)
    path("my/login/", resident_views.login_view, name="login"),
    path("my/realname/", resident_views.realname, name="realname"),
    path("my/contact/", resident_views.contact, name="contact"),
    path("my/", resident_views.my_cases, name="my_cases"),
    path("my/inbox/", resident_views.inbox, name="inbox"),
    path("my/notifications/", resident_views.notify_settings, name="notify_settings"),
    path("my/cases/<str:number>/", resident_views.my_case, name="my_case"),
    path("my/cases/<str:number>/supplement/", resident_views.supplement, name="supplement"),
    path("my/cases/<str:number>/documents/<str:kind>.pdf", resident_views.my_document, name="my_document"),
    path("my/files/<int:upload_id>/", resident_views.my_file, name="my_file"),
    path("staff/uploads/<int:upload_id>/", resident_views.staff_upload, name="staff_upload"),
    path("staff/residents/<int:pk>/bind/", resident_views.window_bind, name="window_bind"),
    path("apply/", resident_views.apply_list, name="apply_list"),
    path("apply/<str:code>/", resident_views.apply, name="apply"),
]
