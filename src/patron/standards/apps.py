from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "patron.standards"
    label = "standards"
