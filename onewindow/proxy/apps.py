from django.apps import AppConfig


class ProxyConfig(AppConfig):
    name = "onewindow.proxy"
    verbose_name = "帮办代办"
