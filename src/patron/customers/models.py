"""Customers — external people and internal colleagues alike — their organisations and the
ways to reach them, with their preferences and any reasonable adjustments."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import DomainNameValidator
from django.db import models, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from patron.db import TimestampedModel


class CustomerKind(models.TextChoices):
    EXTERNAL = "external", _("External customer")
    INTERNAL = "internal", _("Internal customer (colleague)")


class OrganisationKind(models.TextChoices):
    COMPANY = "company", _("Company or organisation")
    DEPARTMENT = "department", _("Internal department")


class ContactKind(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    POSTAL = "postal", _("Postal address")
    SOCIAL = "social", _("Social media handle")


class PreferredChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    POST = "post", _("Post")
    PORTAL = "portal", _("Web portal")
    FACE_TO_FACE = "face_to_face", _("Face to face")
    TEXT_RELAY = "text_relay", _("Relay UK (text relay)")


class Adjustment(models.TextChoices):
    """Reasonable adjustments a customer has asked for (Equality Act 2010 s.20). Recorded as the
    adjustment needed, never as a diagnosis, and shown to whoever serves the customer."""

    LARGE_PRINT = "large_print", _("Large print")
    BSL_INTERPRETER = "bsl_interpreter", _("British Sign Language interpreter")
    RELAY_UK = "relay_uk", _("Relay UK text calls")
    EASY_READ = "easy_read", _("Easy read")
    CALL_BACK = "call_back", _("Call-back preferred")
    BRAILLE = "braille", _("Braille")
    AUDIO = "audio", _("Audio format")
    EXTRA_TIME = "extra_time", _("Extra time to respond")
    WRITTEN_ONLY = "written_only", _("Written contact only")
    TRUSTED_PERSON = "trusted_person", _("Speak to a trusted person on their behalf")


class ProcessingException(models.TextChoices):
    """What may still be done with a customer's data while they have restricted its processing,
    besides storing it (UK GDPR art. 18(2))."""

    CONSENT = "consent", _("The customer consented to it")
    LEGAL_CLAIMS = "legal_claims", _("Establishing, exercising or defending legal claims")
    OTHERS_RIGHTS = "others_rights", _("Protecting another person's rights")
    PUBLIC_INTEREST = "public_interest", _("An important public interest")


class Organisation(TimestampedModel):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=20, choices=OrganisationKind.choices, default=OrganisationKind.COMPANY
    )
    email_domains = models.CharField(
        _("email domains"),
        max_length=500,
        blank=True,
        help_text=_(
            "Its people's email domains, comma-separated (example.org, staff.example.org). Someone new "
            "writing from one belongs to it; from an internal department's domain, they are a colleague."
        ),
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="organisation_unique_name")]

    @property
    def domains(self) -> list[str]:
        named = (domain.strip().lower().lstrip("@").rstrip(".") for domain in self.email_domains.split(","))
        return list(dict.fromkeys(domain for domain in named if domain))

    def malformed_domains(self) -> list[str]:
        return [domain for domain in self.domains if not _is_domain(domain)]

    def domains_held_elsewhere(self) -> list[OrganisationDomain]:
        claimed = OrganisationDomain.objects.filter(domain__in=self.domains).exclude(organisation_id=self.pk)
        return list(claimed.select_related("organisation").order_by("domain"))

    def clean(self) -> None:
        malformed = self.malformed_domains()
        if malformed:
            raise ValidationError({"email_domains": malformed_domains_message(malformed)})
        taken = self.domains_held_elsewhere()
        if taken:
            raise ValidationError({"email_domains": held_domains_message(taken)})

    def save(self, *args: Any, **kwargs: Any) -> None:
        # One transaction: a domain another organisation holds refuses the whole save.
        with transaction.atomic():
            super().save(*args, **kwargs)
            update_fields = kwargs.get("update_fields")
            if update_fields is None or "email_domains" in update_fields:
                self._index_domains()

    def _index_domains(self) -> None:
        # Kept beside the text agents edit, so a new sender's organisation is one indexed
        # look-up however many organisations the desk serves.
        OrganisationDomain.objects.filter(organisation=self).exclude(domain__in=self.domains).delete()
        indexed = set(OrganisationDomain.objects.filter(organisation=self).values_list("domain", flat=True))
        OrganisationDomain.objects.bulk_create(
            [OrganisationDomain(organisation=self, domain=domain) for domain in self.domains if domain not in indexed]
        )

    def __str__(self) -> str:
        return self.name


def malformed_domains_message(malformed: list[str]) -> str:
    return gettext("Not an email domain: %s. Write them like example.org.") % ", ".join(malformed)


def held_domains_message(taken: list[OrganisationDomain]) -> str:
    held = "; ".join(f"{claim.domain} belongs to {claim.organisation}" for claim in taken)
    return gettext("An email domain has one organisation: %s.") % held


def _is_domain(name: str) -> bool:
    try:
        DomainNameValidator()(name)
    except ValidationError:
        return False
    return True


class OrganisationDomain(models.Model):
    """An email domain of an organisation's people, one row each: someone new writing from it,
    or from a domain below it, belongs to that organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="domain_rows")
    domain = models.CharField(_("domain"), max_length=253, unique=True)

    def __str__(self) -> str:
        return self.domain


class Customer(TimestampedModel):
    """Someone the desk serves. A merged record points at the one it was merged into and
    keeps nothing of its own: its cases and contact points moved there."""

    kind = models.CharField(_("kind"), max_length=20, choices=CustomerKind.choices, default=CustomerKind.EXTERNAL)
    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customers",
        verbose_name=_("organisation"),
    )
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=20, choices=PreferredChannel.choices, blank=True
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=35, blank=True, help_text=_("For example English, Welsh or Polish.")
    )
    adjustments = models.JSONField(_("reasonable adjustments"), default=list, blank=True)
    adjustments_note = models.TextField(_("other adjustments"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_from"
    )
    version = models.PositiveIntegerField(default=1)
    # Set while the customer has asked us to restrict processing (UK GDPR art. 18): their data is
    # stored, and what they send still arrives, but nothing else is done with it.
    processing_restricted_since = models.DateTimeField(_("processing restricted since"), null=True, blank=True)
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)
    # Seen only by the people named (`CustomerAccess`), and privacy officers and administrators:
    # a colleague whose HR matter is handled at the desk, say. Their cases are restricted alike.
    is_restricted = models.BooleanField(_("restricted"), default=False)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name"], name="customer_name_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def adjustment_labels(self) -> list[str]:
        labels = dict(Adjustment.choices)
        return [str(labels.get(code, code)) for code in self.adjustments]

    @property
    def has_adjustments(self) -> bool:
        return bool(self.adjustments or self.adjustments_note)


class ContactPoint(TimestampedModel):
    """One way to reach a customer. `normalised` is what makes two spellings the same point
    (lower-cased email, E.164 phone number) and is unique per kind across all customers."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contact_points")
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind.choices)
    value = models.CharField(_("value"), max_length=320)
    normalised = models.CharField(max_length=320)
    is_primary = models.BooleanField(_("primary"), default=False)
    # Set when email to this address bounced for good; cleared when the customer writes from it.
    undeliverable_since = models.DateTimeField(_("undeliverable since"), null=True, blank=True)
    undeliverable_reason = models.CharField(_("why it is undeliverable"), max_length=300, blank=True)

    class Meta:
        ordering = ["kind", "-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "normalised"], name="contact_point_unique_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class CustomerAccess(models.Model):
    """One person named on a restricted customer."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="access_grants")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="customer_access")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer", "agent"], name="customer_access_once")]
        indexes = [models.Index(fields=["agent", "customer"], name="customer_access_agent_idx")]

    def __str__(self) -> str:
        return f"{self.agent_id} on customer {self.customer_id}"
