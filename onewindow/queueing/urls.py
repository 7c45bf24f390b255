from django.urls import path

from onewindow.queueing import views

app_name = "queueing"
urlpatterns = [
    path("queue/console/", views.console, name="console"),
    path("queue/console/<int:window_id>/waiting/", views.console_waiting, name="waiting"),
    path("queue/console/<int:window_id>/call/", views.console_call, name="call"),
    path("queue/console/<int:window_id>/tickets/<int:ticket_id>/", views.console_act, name="act"),
    path("queue/board/<str:code>/", views.board, name="board"),
    path("queue/kiosk/<str:code>/", views.kiosk, name="kiosk"),
    path("queue/kiosk/<str:code>/take/", views.kiosk_take, name="kiosk_take"),
    path("queue/kiosk/<str:code>/check-in/", views.kiosk_check_in, name="kiosk_check_in"),
    path("queue/kiosk/<str:code>/ticket/<int:ticket_id>/", views.kiosk_ticket, name="kiosk_ticket"),
    path("queue/book/<str:code>/", views.book, name="book"),
    path("queue/book/<str:code>/done/<int:appointment_id>/", views.book_done, name="book_done"),
    path("queue/book/<str:code>/cancel/", views.book_cancel, name="book_cancel"),
]
