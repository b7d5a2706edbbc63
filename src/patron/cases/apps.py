from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "patron.cases"
    label = "cases"
