"""Which customers an agent may see. Customers sit below cases, yet who may see a customer
depends on the cases they are on: apps above register their rule here once, at start-up, and
every read of customers for an agent goes through `visible_customers`."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet

from patron.accounts.models import Agent
from patron.customers.models import Customer

CustomerScope = Callable[[Agent, QuerySet[Customer]], QuerySet[Customer]]
_scopes: list[CustomerScope] = []


def limit_customers_by(scope: CustomerScope) -> None:
    if scope not in _scopes:
        _scopes.append(scope)


def visible_customers(agent: Agent) -> QuerySet[Customer]:
    customers = Customer.objects.all()
    for scope in _scopes:
        customers = scope(agent, customers)
    return customers
