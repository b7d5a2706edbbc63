"""The agent UI's addresses, in the `web` namespace."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path, register_converter

from patron.web import (
    complaint_views,
    corrective_action_views,
    forms,
    letter_views,
    mail_views,
    privacy_forms_views,
    privacy_views,
    remedy_views,
    survey_views,
    views,
)


class RecordId:
    """A record number of at most 12 digits: a longer one cannot exist, and would overflow
    SQLite's integers instead of giving a plain 404."""

    regex = "[0-9]{1,12}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(RecordId, "record")

app_name = "web"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path(
        "login",
        auth_views.LoginView.as_view(
            template_name="web/login.html", authentication_form=forms.SignInForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout", auth_views.LogoutView.as_view(), name="logout"),
    path("search", views.search, name="search"),
    path("cases/new", views.case_new, name="case_new"),
    path("cases/export", views.inbox_export, name="inbox_export"),
    path("cases/<str:reference>", views.case_detail, name="case"),
    path("cases/<str:reference>/open", views.case_open_restricted, name="case_open_restricted"),
    path("cases/<str:reference>/reply", views.case_reply, name="case_reply"),
    path("cases/<str:reference>/complaint/step", views.case_complaint_step, name="case_complaint_step"),
    path("cases/<str:reference>/complaint/tier", views.case_complaint_tier, name="case_complaint_tier"),
    path("cases/<str:reference>/complaint/regime", views.case_complaint_regime, name="case_complaint_regime"),
    path(
        "cases/<str:reference>/complaint/root-cause",
        views.case_complaint_root_cause,
        name="case_complaint_root_cause",
    ),
    path(
        "cases/<str:reference>/complaint/five-whys",
        views.case_complaint_five_whys,
        name="case_complaint_five_whys",
    ),
    path(
        "cases/<str:reference>/complaint/purchase", remedy_views.case_complaint_purchase, name="case_complaint_purchase"
    ),
    path(
        "cases/<str:reference>/complaint/remedies",
        remedy_views.case_complaint_remedy_step,
        name="case_complaint_remedy_step",
    ),
    path("cases/<str:reference>/note", views.case_note, name="case_note"),
    path("cases/<str:reference>/properties", views.case_properties, name="case_properties"),
    path("cases/<str:reference>/take", views.case_take, name="case_take"),
    path("cases/<str:reference>/log", views.case_log_call, name="case_log_call"),
    path("cases/<str:reference>/emails/<int:email_id>/retry", views.case_email_retry, name="case_email_retry"),
    path("cases/<str:reference>/emails/<int:email_id>/original", views.case_email_original, name="case_email_original"),
    path("cases/<str:reference>/attachments/<int:attachment_id>", views.case_attachment, name="case_attachment"),
    path("contacts/log", views.contact_log, name="contact_log"),
    path("privacy", privacy_views.privacy_dashboard, name="privacy"),
    path("privacy/requests/new", privacy_forms_views.new_request, name="privacy_request_new"),
    path("privacy/requests/<int:request_id>", privacy_forms_views.request_page, name="privacy_request"),
    path(
        "privacy/requests/<int:request_id>/steps/<str:step>",
        privacy_forms_views.request_step,
        name="privacy_request_step",
    ),
    path("privacy/breaches/new", privacy_forms_views.new_breach, name="privacy_breach_new"),
    path("privacy/breaches/<int:breach_id>", privacy_forms_views.breach_page, name="privacy_breach"),
    path("privacy/holds", privacy_forms_views.legal_holds, name="privacy_holds"),
    path("privacy/holds/<int:hold_id>/lift", privacy_forms_views.lift_legal_hold, name="privacy_hold_lift"),
    path("privacy/requests/<int:request_id>/fulfil", privacy_views.fulfil_request, name="privacy_fulfil"),
    path("privacy/requests/<int:request_id>/refuse", privacy_views.refuse_request, name="privacy_refuse"),
    path(
        "privacy/requests/<int:request_id>/copy.<str:format>",
        privacy_views.request_bundle,
        name="privacy_bundle",
    ),
    path("privacy/retention", privacy_views.apply_retention, name="privacy_retention"),
    path("privacy/audit", privacy_views.audit_trail, name="privacy_audit"),
    path(
        "cases/<str:reference>/complaint/letters/<str:kind>.pdf",
        letter_views.complaint_letter_pdf,
        name="complaint_letter_pdf",
    ),
    path(
        "cases/<str:reference>/complaint/letters/<str:kind>/send",
        letter_views.send_complaint_letter,
        name="send_complaint_letter",
    ),
    path("cases/<str:reference>/complaint/letters/<str:kind>", letter_views.complaint_letter, name="complaint_letter"),
    path("complaints/register", complaint_views.complaints_register, name="complaints_register"),
    path("complaints/register/export", complaint_views.complaints_register_export, name="complaints_register_export"),
    path("complaints/corrective-actions", corrective_action_views.corrective_actions, name="corrective_actions"),
    path(
        "complaints/corrective-actions/new",
        corrective_action_views.corrective_action_new,
        name="corrective_action_new",
    ),
    path(
        "complaints/corrective-actions/<record:pk>",
        corrective_action_views.corrective_action,
        name="corrective_action",
    ),
    path("quarantine", mail_views.quarantine, name="quarantine"),
    path("quarantine/<int:email_id>/original", mail_views.quarantine_original, name="quarantine_original"),
    path("quarantine/<int:email_id>/reprocess", mail_views.quarantine_reprocess, name="quarantine_reprocess"),
    path("quarantine/<int:email_id>/discard", mail_views.quarantine_discard, name="quarantine_discard"),
    path("survey/<str:token>", survey_views.survey, name="survey"),
    path("survey/<str:token>/stop", survey_views.survey_stop, name="survey_stop"),
    path("customers", views.customers, name="customers"),
    path("customers/new", views.customer_new, name="customer_new"),
    path("customers/<record:pk>", views.customer_detail, name="customer"),
    path("customers/<record:pk>/edit", views.customer_edit, name="customer_edit"),
    path("customers/<record:pk>/consents", views.customer_consent, name="customer_consent"),
    path("customers/<record:pk>/contact-points", views.customer_add_contact_point, name="customer_contact_point"),
    path("customers/<record:pk>/merge", views.customer_merge, name="customer_merge"),
]
