from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "onewindow.documents"
