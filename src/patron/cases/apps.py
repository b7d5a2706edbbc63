from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "patron.cases"
    label = "cases"

    def ready(self) -> None:
        from patron.cases.queries import scope_customers
        from patron.customers.visibility import limit_customers_by

        limit_customers_by(scope_customers)
