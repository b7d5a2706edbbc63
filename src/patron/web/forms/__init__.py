"""The agent UI's forms. They check the shape of the input (choices, lengths, dates) and hand
typed values to the service functions, which own every rule about what may change."""

from patron.web.forms.case import CasePropertiesForm, LogCallForm, NoteForm, ReplyForm, TakeCaseForm
from patron.web.forms.complaints import (
    ComplaintRegimeForm,
    ComplaintStepForm,
    ComplaintTierForm,
    FiveWhysForm,
    RegisterFilterForm,
    RootCauseForm,
)
from patron.web.forms.customers import ContactPointForm, CustomerForm, MergeForm, NewCustomerForm
from patron.web.forms.intake import CustomerPickForm, LogContactForm, NewCaseForm
from patron.web.forms.lists import CustomerSearchForm, InboxFilterForm, SearchForm
from patron.web.forms.reasons import DiscardForm, RestrictedOpeningForm
from patron.web.forms.signin import SignInForm

__all__ = [
    "CasePropertiesForm",
    "ComplaintRegimeForm",
    "ComplaintStepForm",
    "ComplaintTierForm",
    "ContactPointForm",
    "CustomerForm",
    "CustomerPickForm",
    "CustomerSearchForm",
    "DiscardForm",
    "FiveWhysForm",
    "InboxFilterForm",
    "LogCallForm",
    "LogContactForm",
    "MergeForm",
    "NewCaseForm",
    "NewCustomerForm",
    "NoteForm",
    "RegisterFilterForm",
    "ReplyForm",
    "RestrictedOpeningForm",
    "RootCauseForm",
    "SearchForm",
    "SignInForm",
    "TakeCaseForm",
]
