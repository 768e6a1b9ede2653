"""Forms for activities, logging time, confirming it, and giving and spending credits.

Hours and credits are typed as people write them ("1.5", "2") and turned into whole minutes and
hundredths of a credit here, so nothing after a form ever sees a fraction.
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone

from commonweal.places.models import Area, Service, User

from .models import VOUCHER_ALPHABET, Activity
from .services import resident_of

MIN_MINUTES = 15
MAX_MINUTES = 24 * 60
DATE_FORMATS = ["%d/%m/%Y", "%d %m %Y", "%d-%m-%Y", "%Y-%m-%d"]


def minutes_from_hours(text: str) -> int:
    """Whole minutes from hours as typed: "1.5", "2", "0.25"; in quarter hours, 15 minutes or more."""
    cleaned = text.strip().lower().removesuffix("hours").removesuffix("hour").strip()
    try:
        hours = Decimal(cleaned)
    except InvalidOperation:
        raise forms.ValidationError("Enter the hours you gave as a number, like 1.5") from None
    if not hours.is_finite():
        raise forms.ValidationError("Enter the hours you gave as a number, like 1.5")
    if hours <= 0:
        raise forms.ValidationError("The hours you gave must be more than 0")
    minutes = hours * 60
    if minutes < MIN_MINUTES:
        raise forms.ValidationError("Enter at least a quarter of an hour, like 0.25")
    if minutes % MIN_MINUTES:
        raise forms.ValidationError("Enter the hours in quarter hours, like 1.25 or 1.5")
    if minutes > MAX_MINUTES:
        raise forms.ValidationError("Enter no more than 24 hours for one day")
    return int(minutes)


def cents_from_credits(text: str) -> int:
    """Hundredths of a credit from credits as typed: "1.5", "2", "0.25"."""
    cleaned = text.strip().lower().removesuffix("credits").removesuffix("credit").strip()
    if not re.fullmatch(r"-?\d+(\.\d+)?|-?\.\d+", cleaned):
        raise forms.ValidationError("Enter the number of credits, like 1.5")
    credits = Decimal(cleaned)
    if credits <= 0:
        raise forms.ValidationError("The number of credits must be more than 0")
    cents = credits * 100
    if cents != cents.to_integral_value():
        raise forms.ValidationError("Enter credits to no more than 2 decimal places, like 1.25")
    return int(cents)


def request_key_field() -> forms.CharField:
    """The hidden idempotency key: made when the form is shown, so a resubmission reuses it."""
    return forms.CharField(
        widget=forms.HiddenInput,
        initial=lambda: uuid.uuid4().hex,
        max_length=64,
        error_messages={"required": "Your form expired: start again"},
    )


def credits_field(verb: str) -> forms.CharField:
    """An amount of credits as typed, like 1.5; `clean_amount` turns it into hundredths."""
    return forms.CharField(
        label=f"Credits to {verb}",
        max_length=12,
        help_text="For example, 1.5",
        error_messages={"required": f"Enter the number of credits to {verb}, like 1.5"},
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "class": "govuk-input--width-5", "spellcheck": "false"}
        ),
    )


class ActivityForm(forms.ModelForm):
    organiser_email = forms.EmailField(
        label="Organiser's email address",
        help_text="The person who confirms the time residents give.",
        error_messages={
            "required": "Enter the organiser's email address, like name@example.org",
            "invalid": "Enter the organiser's email address in the right format, like name@example.org",
        },
    )

    class Meta:
        model = Activity
        fields = ["title", "service", "area", "involvement", "description", "when", "where"]
        labels = {
            "title": "Name of the activity",
            "service": "Service",
            "area": "Where in the area",
            "involvement": "What do residents do?",
            "description": "Description",
            "when": "When",
            "where": "Where",
        }
        widgets = {"involvement": forms.RadioSelect}
        error_messages = {
            "title": {"required": "Enter the name of the activity, like Reading helpers"},
            "service": {"required": "Select the service the activity is part of"},
            "area": {"required": "Select where in the area the activity happens"},
            "description": {"required": "Enter what residents do in the activity"},
            "when": {"required": "Enter when the activity happens, like Tuesdays, 6pm to 8pm"},
            "where": {"required": "Enter where the activity happens, like Brookside library"},
        }

    def __init__(self, *args, authority: Area, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.authority = authority
        self.fields["service"].queryset = Service.objects.order_by("name")
        self.fields["area"].queryset = Area.objects.filter(pk=authority.pk) | authority.children.all()
        self.fields["area"].empty_label = None

    def clean_organiser_email(self) -> User:
        email = self.cleaned_data["organiser_email"]
        organiser = User.objects.filter(email__iexact=email).first()
        if organiser is None:
            raise forms.ValidationError(
                "There is no account with that email address: ask the organiser to create one first"
            )
        return organiser

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if Activity.objects.filter(
            area__in=[self.authority, *self.authority.children.all()], title__iexact=title
        ).exists():
            raise forms.ValidationError(
                "There is already an activity with this name here: choose another name"
            )
        return title


class LogTimeForm(forms.Form):
    activity = forms.ModelChoiceField(
        label="Activity",
        queryset=Activity.objects.none(),
        empty_label=None,
        error_messages={
            "required": "Select the activity you gave time to",
            "invalid_choice": "Select an activity in this area",
        },
    )
    hours = forms.CharField(
        label="Hours given",
        help_text="In quarter hours, for example 1.5 for an hour and a half.",
        max_length=12,
        error_messages={"required": "Enter the hours you gave, like 1.5"},
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "class": "govuk-input--width-5", "spellcheck": "false"}
        ),
    )
    given_on = forms.DateField(
        label="Date you gave the time",
        help_text="For example, 27/3/2026",
        input_formats=DATE_FORMATS,
        error_messages={
            "required": "Enter the date you gave the time, like 27/3/2026",
            "invalid": "Enter the date you gave the time as a real date, like 27/3/2026",
        },
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"class": "govuk-input--width-10"}),
    )
    note = forms.CharField(
        label="What you did (optional)",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    key = request_key_field()

    def __init__(self, *args, activities, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = activities

    def clean_hours(self) -> int:
        return minutes_from_hours(self.cleaned_data["hours"])

    def clean_given_on(self) -> date:
        given_on = self.cleaned_data["given_on"]
        if given_on > timezone.localdate():
            raise forms.ValidationError("The date you gave the time must be today or in the past")
        return given_on


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Confirm this time?",
        choices=[("confirm", "Yes, confirm it and issue the credits"), ("decline", "No, decline it")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether to confirm or decline this time"},
    )
    reason = forms.CharField(
        label="Reason for declining",
        required=False,
        max_length=500,
        help_text="Only if you decline: the resident will see it.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("decision") == "decline" and not data.get("reason", "").strip():
            self.add_error("reason", "Enter why you are declining this time, so the resident knows")
        return data


class CreditsForm(forms.Form):
    """Credits moved to someone in an authority: the subclass's `amount` field, as typed, in hundredths."""

    key = request_key_field()

    def __init__(self, *args, authority: Area, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.authority = authority

    def clean_amount(self) -> int:
        return cents_from_credits(self.cleaned_data["amount"])


class GiveForm(CreditsForm):
    recipient = forms.ChoiceField(
        label="Who do you want to give credits to?",
        widget=forms.RadioSelect,
        choices=[("person", "Another resident"), ("pot", "The community pot")],
        error_messages={"required": "Select who you want to give credits to"},
    )
    email = forms.EmailField(
        label="Their email address",
        required=False,
        help_text="Only if you are giving to another resident.",
        error_messages={"invalid": "Enter their email address in the right format, like name@example.org"},
    )
    amount = credits_field("give")

    def clean(self) -> dict:
        data = super().clean()
        if data.get("recipient") == "person" and "email" not in self.errors:
            email = data.get("email", "")
            if not email:
                self.add_error("email", "Enter the email address of the resident you are giving credits to")
            else:
                data["person"] = resident_of(self.authority, email)
                if data["person"] is None:
                    self.add_error("email", f"Enter the email address of a resident of {self.authority.name}")
        return data


class GrantForm(CreditsForm):
    email = forms.EmailField(
        label="Email address of the resident",
        error_messages={
            "required": "Enter the email address of the resident you are granting credits to",
            "invalid": "Enter their email address in the right format, like name@example.org",
        },
    )
    amount = credits_field("grant")
    reason = forms.CharField(
        label="Why are you granting these credits?",
        max_length=500,
        help_text="The resident sees this on their statement, with your name.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why you are granting these credits, so the resident knows"},
    )

    def clean_email(self) -> User:
        person = resident_of(self.authority, self.cleaned_data["email"])
        if person is None:
            raise forms.ValidationError(f"Enter the email address of a resident of {self.authority.name}")
        return person


class VoucherForm(forms.Form):
    code = forms.CharField(
        label="Voucher code",
        help_text="The 8 letters and numbers on the resident's voucher, like 7KQ2MXRA.",
        max_length=20,
        error_messages={"required": "Enter the voucher code, like 7KQ2MXRA"},
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-10", "spellcheck": "false", "autocomplete": "off"}
        ),
    )

    def clean_code(self) -> str:
        # Typed at a till: case, spaces and dashes do not matter.
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"]).upper()
        if len(code) != 8 or any(c not in VOUCHER_ALPHABET for c in code):
            raise forms.ValidationError(
                "Enter the voucher code as shown: 8 letters and numbers, like 7KQ2MXRA"
            )
        return code


class SpendForm(forms.Form):
    key = request_key_field()


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label="Why are you reversing this transaction?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why you are reversing this transaction"},
    )
    key = request_key_field()
