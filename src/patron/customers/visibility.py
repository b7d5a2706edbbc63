"""Which customers an agent may see. Customers sit below cases, yet who may see a customer
depends on the cases they are on: apps above register their rule here once, at start-up, and
every read of customers for an agent goes through `visible_customers`."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q, QuerySet

from patron.accounts.models import Agent, Role
from patron.customers.models import Customer, CustomerAccess

CustomerScope = Callable[[Agent, QuerySet[Customer]], QuerySet[Customer]]
_scopes: list[CustomerScope] = []


def limit_customers_by(scope: CustomerScope) -> None:
    if scope not in _scopes:
        _scopes.append(scope)


def visible_customers(agent: Agent) -> QuerySet[Customer]:
    customers = Customer.objects.all()
    if not may_see_restricted_customers(agent):
        named = CustomerAccess.objects.filter(agent_id=agent.pk).values("customer_id")
        customers = customers.filter(Q(is_restricted=False) | Q(pk__in=named))
    for scope in _scopes:
        customers = scope(agent, customers)
    return customers


def may_see_restricted_customers(agent: Agent) -> bool:
    """Privacy officers and administrators answer for every record (subject requests, breaches);
    every other role sees a restricted customer only when named on them."""
    return agent.role in (Role.PRIVACY_OFFICER, Role.ADMIN) or agent.is_superuser
