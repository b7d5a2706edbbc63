"""The audit trail of personal data: who viewed, changed, merged or erased what, and when."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """One attributable action on personal data. Rows are only ever added (the database refuses
    changes and removals, but for blanking an entry's personal details when their subject is
    erased), and each is chained to the one before by a SHA-256 hash over its content and its
    predecessor's hash, so removing or altering an entry breaks the chain where it happened."""

    created_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=50)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=50)
    data = models.JSONField(default=dict, blank=True)
    # Free text that may name or identify someone (a reason given, a search, a file name), kept
    # apart so that erasing a person can blank it without breaking the chain: the entry's hash
    # covers the digest of these details, not the details themselves. A random salt among them
    # keeps the digest from confirming a guess once they are gone.
    personal = models.JSONField(default=dict, blank=True)
    personal_digest = models.CharField(max_length=64, default="", blank=True)
    personal_erased_at = models.DateTimeField(null=True, blank=True)
    previous_hash = models.CharField(max_length=64, default="")
    entry_hash = models.CharField(max_length=64, default="")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.action} {self.object_type} {self.object_id}"

    @property
    def personal_details(self) -> dict[str, object]:
        """The personal details as a reader sees them: without the salt."""
        return {key: value for key, value in self.personal.items() if key != PERSONAL_SALT}


# The key of the salt among an entry's personal details.
PERSONAL_SALT = "_salt"


class AuditHead(models.Model):
    """Where the audit chain ends: how many entries were written and the last one's hash, kept
    in one row apart from the chain and moved on in the transaction that adds each entry. A chain
    cut short at its end still links up entry by entry; against its head it comes up short."""

    entries = models.PositiveBigIntegerField(default=0)
    last_entry_id = models.PositiveBigIntegerField(null=True, blank=True)
    last_hash = models.CharField(max_length=64, default="")

    def __str__(self) -> str:
        return f"{self.entries} entries, the last {self.last_entry_id}"


class RequestType(models.TextChoices):
    ACCESS = "access", "Access (subject access request)"
    RECTIFICATION = "rectification", "Rectification"
    ERASURE = "erasure", "Erasure"
    RESTRICTION = "restriction", "Restriction of processing"
    PORTABILITY = "portability", "Data portability"
    OBJECTION = "objection", "Objection"


class RequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    FULFILLED = "fulfilled", "Fulfilled"
    REFUSED = "refused", "Refused, with reasons"
    WITHDRAWN = "withdrawn", "Withdrawn"


class SubjectRequest(models.Model):
    """A person exercising a data protection right, and the clock to answer it. Other apps'
    models are named by string: this module sits at the bottom of the import layers."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="subject_requests")
    type = models.CharField(max_length=20, choices=RequestType.choices)
    received_on = models.DateField()
    # None while the clock is stopped: identity evidence or a fee awaited, or clarification.
    due_on = models.DateField(null=True, blank=True)
    # The day the month runs from: receipt, or of the identity evidence or fee asked for.
    clock_started_on = models.DateField(null=True, blank=True)
    # How due_on was counted, in words, as it was shown when it was set.
    due_rule = models.CharField(max_length=600, blank=True)
    # The other reading of a paused clock: a full period again from the last clarification.
    due_if_restarted = models.DateField(null=True, blank=True)
    # A date set by the privacy officer over the computed one, with the reason; it applies
    # while the clock runs.
    due_override_on = models.DateField(null=True, blank=True)
    due_override_reason = models.CharField(max_length=500, blank=True)
    extended = models.BooleanField(default=False)
    extension_reason = models.CharField(max_length=500, blank=True)
    identity_requested_on = models.DateField(null=True, blank=True)
    identity_asked_for = models.CharField(max_length=500, blank=True)
    identity_received_on = models.DateField(null=True, blank=True)
    identity_verified_at = models.DateTimeField(null=True, blank=True)
    identity_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    identity_method = models.CharField(max_length=500, blank=True)
    fee_requested_on = models.DateField(null=True, blank=True)
    fee_reason = models.CharField(max_length=500, blank=True)
    fee_received_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField()
    # What was done, or why it was refused: the answer the person is given.
    outcome = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The access or portability bundle as it was built, kept so what was released can be shown.
    bundle = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"], name="subject_request_due_idx")]

    def __str__(self) -> str:
        return f"{self.get_type_display()} request {self.pk}"


class ClockPause(models.Model):
    """The clock of a request stopped while clarification of it was sought, until the reply."""

    request = models.ForeignKey(SubjectRequest, on_delete=models.CASCADE, related_name="pauses")
    asked_on = models.DateField()
    what = models.CharField(max_length=500)
    answered_on = models.DateField(null=True, blank=True)
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["asked_on", "id"]

    def __str__(self) -> str:
        return self.what


class Breach(models.Model):
    """A personal data breach: every one is recorded, reportable or not (UK GDPR art. 33(5))."""

    summary = models.CharField(max_length=300)
    what_happened = models.TextField(blank=True)
    occurred_at = models.DateTimeField(null=True, blank=True)
    aware_at = models.DateTimeField()
    data_categories = models.CharField(max_length=500, blank=True)
    people_affected = models.PositiveIntegerField(null=True, blank=True)
    records_affected = models.PositiveIntegerField(null=True, blank=True)
    likely_consequences = models.TextField(blank=True)
    measures_taken = models.TextField(blank=True)
    reportable = models.BooleanField(null=True, blank=True)
    reportable_reason = models.TextField(blank=True)
    reported_to_ico_at = models.DateTimeField(null=True, blank=True)
    ico_reference = models.CharField(max_length=100, blank=True)
    # A report made more than 72 hours after becoming aware must say why (UK GDPR art. 33(1)).
    report_delay_reason = models.TextField(blank=True)
    people_told_at = models.DateTimeField(null=True, blank=True)
    people_told_how = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-aware_at", "-id"]

    def __str__(self) -> str:
        return self.summary


class Purpose(models.TextChoices):
    """What a customer's data may be used for beyond serving their own cases."""

    SURVEYS = "surveys", "Satisfaction surveys"
    MARKETING = "marketing", "Marketing"
    RESEARCH = "research", "Service research and mystery shopping"
    RECORDINGS = "recordings", "Call recordings"
    PROTECTED_CHARACTERISTIC = "protected_characteristic", "A protected characteristic, for an adjustment"


class LawfulBasis(models.TextChoices):
    """UK GDPR article 6(1)."""

    CONSENT = "consent", "Consent"
    CONTRACT = "contract", "Contract"
    LEGAL_OBLIGATION = "legal_obligation", "Legal obligation"
    VITAL_INTERESTS = "vital_interests", "Vital interests"
    PUBLIC_TASK = "public_task", "Public task"
    LEGITIMATE_INTERESTS = "legitimate_interests", "Legitimate interests"


class SpecialCondition(models.TextChoices):
    """UK GDPR article 9(2): the conditions under which special category data (health, religion,
    sexual orientation, ethnic origin…) may be held, on top of an article 6 basis. Those a service
    desk can meet; (g) is met through a DPA 2018 Schedule 1 condition, such as support for people
    with a disability or medical condition, and needs the appropriate policy document."""

    EXPLICIT_CONSENT = "explicit_consent", "Explicit consent, naming the data (art. 9(2)(a))"
    EMPLOYMENT = "employment", "Employment and social security obligations (art. 9(2)(b))"
    VITAL_INTERESTS = "vital_interests", "Vital interests of someone unable to consent (art. 9(2)(c))"
    LEGAL_CLAIMS = "legal_claims", "Legal claims (art. 9(2)(f))"
    SUBSTANTIAL_PUBLIC_INTEREST = (
        "substantial_public_interest",
        "Substantial public interest under DPA 2018 Schedule 1 (art. 9(2)(g))",
    )


class ConsentRecord(models.Model):
    """The basis on which one customer's data is used for one purpose, from when, and until it
    was withdrawn. A withdrawn record is kept: it is the evidence the withdrawal was honoured."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    basis = models.CharField(max_length=30, choices=LawfulBasis.choices)
    detail = models.CharField(max_length=500, blank=True)
    special_condition = models.CharField(max_length=30, choices=SpecialCondition.choices, blank=True)
    given_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["purpose", "-given_at", "-id"]
        indexes = [models.Index(fields=["customer", "purpose"], name="consent_customer_idx")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.get_basis_display()})"


class LegalHold(models.Model):
    """A reason the customer's records must be kept even if they ask for erasure: a claim, an
    investigation, a regulator's request. Lifted, not deleted."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="legal_holds")
    reason = models.CharField(max_length=500)
    placed_at = models.DateTimeField()
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]

    def __str__(self) -> str:
        return self.reason


class DataCategory(models.TextChoices):
    CLOSED_CASES = "closed_cases", "Closed cases other than complaints"
    CLOSED_COMPLAINTS = "closed_complaints", "Closed complaints"
    RAW_EMAILS = "raw_emails", "Emails as they arrived"
    SURVEY_ANSWERS = "survey_answers", "Survey answers"
    FORMER_CUSTOMERS = "former_customers", "Customer records with nothing left to serve"


class RetentionAction(models.TextChoices):
    ANONYMISE = "anonymise", "Anonymise (counts and dates kept)"
    DELETE = "delete", "Delete"


class RetentionRule(models.Model):
    """How long one category of data is kept after it stops being needed, and what happens
    then. Admin-managed; the built-in schedule is loaded by a migration."""

    category = models.CharField(max_length=30, choices=DataCategory.choices, unique=True)
    keep_months = models.PositiveSmallIntegerField(null=True, blank=True)
    keep_days = models.PositiveSmallIntegerField(null=True, blank=True)
    action = models.CharField(max_length=10, choices=RetentionAction.choices)
    why = models.CharField(max_length=500, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["category"]

    def __str__(self) -> str:
        return self.get_category_display()
