from django.urls import URLPattern, URLResolver, path

from onewindow.integration import views

app_name = "integration"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.subscription_list, name="subscriptions"),
    path("subscriptions/<int:pk>/toggle/", views.subscription_toggle, name="subscription_toggle"),
    path("subscriptions/<int:pk>/delete/", views.subscription_delete, name="subscription_delete"),
    path("dead-letters/", views.dead_letters, name="dead_letters"),
    path("dead-letters/<int:pk>/retry/", views.dead_letter_retry, name="dead_letter_retry"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("accounts/", views.account_list, name="accounts"),
    path("accounts/<int:pk>/disable/", views.account_disable, name="account_disable"),
]
