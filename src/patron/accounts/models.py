"""Agents (the people who work the desk), their roles and teams, and API tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from patron.db import TimestampedModel


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    TEAM_LEAD = "team_lead", _("Team lead")
    SERVICE_MANAGER = "service_manager", _("Service manager")
    PRIVACY_OFFICER = "privacy_officer", _("Privacy officer")
    ADMIN = "admin", _("Administrator")


# Roles that see every case, not only those of their own teams.
ROLES_SEEING_ALL = frozenset({Role.SERVICE_MANAGER, Role.PRIVACY_OFFICER, Role.ADMIN})
# Roles that may hand work to others and change any visible case's team.
ROLES_ASSIGNING = frozenset({Role.TEAM_LEAD, Role.SERVICE_MANAGER, Role.ADMIN})
# Order used to cap an API token's role at its owner's.
ROLE_RANK = {
    Role.AGENT: 1,
    Role.TEAM_LEAD: 2,
    Role.PRIVACY_OFFICER: 3,
    Role.SERVICE_MANAGER: 3,
    Role.ADMIN: 4,
}


class Team(TimestampedModel):
    """A group of agents that owns cases: a contact-centre team, a shop, an internal desk."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("short name"), max_length=50, unique=True)
    is_internal_desk = models.BooleanField(
        _("internal service desk"),
        default=False,
        help_text=_("Serves colleagues and departments rather than external customers."),
    )
    email = models.EmailField(_("team email address"), blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Agent(AbstractUser):
    """A person who works in Patron. Their role decides what they may see and do."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AGENT)
    teams = models.ManyToManyField(Team, related_name="members", blank=True, verbose_name=_("teams"))

    class Meta:
        ordering = ["first_name", "last_name", "username"]
        verbose_name = _("agent")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def sees_all_cases(self) -> bool:
        return self.role in ROLES_SEEING_ALL or self.is_superuser

    @property
    def can_assign(self) -> bool:
        return self.role in ROLES_ASSIGNING or self.is_superuser

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser


class ApiToken(TimestampedModel):
    """A bearer token for an integration. Only a SHA-256 digest is stored; the token itself is
    shown once, when it is created. It acts as its agent, capped at its own role."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, help_text=_("The first characters, to recognise a token."))
    digest = models.CharField(max_length=64, unique=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_by = models.ForeignKey(Agent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
