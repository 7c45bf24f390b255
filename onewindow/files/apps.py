from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "onewindow.files"
    verbose_name = "材料文件"
