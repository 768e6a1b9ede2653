"""Forms for the supplier register, tenders, bids, evaluation, moderation, delivery, LM3 and OCDS import.

Money and scores are typed as people write them ("£125,000", "72.5") and checked here, with a
message that names the field and shows an example; the services check the rules again.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone

from commonweal.places.models import Area, Service

from .models import Commitment, Criterion, Lot, ProcurementPolicy, SocialValueMeasure, Supplier, Tender
from .scoring import NATIONAL_SOCIAL_VALUE_FLOOR, PriceMethod, ScoringError, Weights, check_weights
from .services import ProcurementError, measures_for, parse_sample, social_value_floor

DATE_FORMATS = ["%d/%m/%Y", "%d %m %Y", "%d-%m-%Y", "%Y-%m-%d"]
MAX_MONEY = Decimal("999999999999.99")


def parse_pounds(text: str, what: str, example: str = "125000", allow_zero: bool = False) -> Decimal:
    """Pounds as typed ("£1,250.50") as a Decimal with at most 2 decimal places."""
    cleaned = text.strip().replace("£", "").replace(",", "").replace(" ", "")
    message = f"Enter {what} in pounds as a number, like {example}"
    if not re.fullmatch(r"-?\d+(\.\d+)?|-?\.\d+", cleaned):
        raise forms.ValidationError(message)
    amount = Decimal(cleaned)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise forms.ValidationError(f"Enter {what} in pounds, more than 0, like {example}")
    if amount != amount.quantize(Decimal("0.01")):
        raise forms.ValidationError(f"Enter {what} to the nearest penny, like {example}")
    if amount > MAX_MONEY:
        raise forms.ValidationError(f"Enter {what} below £1 trillion")
    return amount


def parse_score(text: str, what: str = "the score") -> Decimal:
    try:
        score = Decimal(text.strip())
    except InvalidOperation:
        raise forms.ValidationError(f"Enter {what} as a number from 0 to 100, like 65") from None
    if not score.is_finite() or not 0 <= score <= 100:
        raise forms.ValidationError(f"Enter {what} as a number from 0 to 100, like 65")
    if score != score.quantize(Decimal("0.01")):
        raise forms.ValidationError(f"Enter {what} with no more than 2 decimal places")
    return score


def text_field(label: str, required_message: str, **kwargs) -> forms.CharField:
    return forms.CharField(label=label, error_messages={"required": required_message}, **kwargs)


class SupplierForm(forms.ModelForm):
    class Meta:
        model = Supplier
        fields = ["name", "legal_form", "locality", "size", "identifier"]
        labels = {
            "name": "Name of the organisation",
            "legal_form": "Legal form",
            "locality": "Where is it based?",
            "size": "Size",
            "identifier": "Register number (optional)",
        }
        widgets = {"legal_form": forms.RadioSelect, "locality": forms.RadioSelect, "size": forms.RadioSelect}
        error_messages = {
            "name": {"required": "Enter the name of the organisation"},
            "legal_form": {"required": "Select the organisation's legal form"},
            "locality": {"required": "Select where the organisation is based"},
            "size": {"required": "Select the organisation's size"},
        }

    def __init__(self, *args, area: Area, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.area = area

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if Supplier.objects.filter(area=self.area, name__iexact=name).exists():
            raise forms.ValidationError("This organisation is already on the register")
        return name


def any_of(choices) -> list[tuple[str, str]]:
    return [("", "Any"), *choices]


class SupplierFilterForm(forms.Form):
    legal_form = forms.ChoiceField(
        label="Legal form", required=False, choices=any_of(Supplier.LegalForm.choices)
    )
    locality = forms.ChoiceField(label="Based", required=False, choices=any_of(Supplier.Locality.choices))
    size = forms.ChoiceField(label="Size", required=False, choices=any_of(Supplier.Size.choices))

    def apply(self, suppliers):
        if not self.is_valid():
            return suppliers
        chosen = {k: v for k, v in self.cleaned_data.items() if v}
        return suppliers.filter(**chosen)


class TenderForm(forms.Form):
    title = text_field("Title", "Enter the tender's title", max_length=200)
    description = text_field(
        "What is being bought", "Enter what is being bought", widget=forms.Textarea(attrs={"rows": 4})
    )
    service = forms.ModelChoiceField(
        label="Service (optional)",
        queryset=Service.objects.none(),
        required=False,
        empty_label="Not one service",
    )
    budget = text_field(
        "Budget",
        "Enter the budget",
        help_text="In pounds, for the whole tender. For example, 250000.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "decimal"}),
    )
    price_weight = text_field(
        "Price weight (%)",
        "Enter the price weight",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
    )
    quality_weight = text_field(
        "Quality weight (%)",
        "Enter the quality weight",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
    )
    social_value_weight = text_field(
        "Social value weight (%)",
        "Enter the social value weight",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
    )
    price_method = forms.ChoiceField(
        label="How is price scored?",
        widget=forms.RadioSelect,
        initial=PriceMethod.LOWEST,
        choices=[
            (PriceMethod.LOWEST, "Relative to the lowest price: lowest price ÷ this price"),
            (PriceMethod.BUDGET, "Relative to the budget: half marks at the budget, none at twice it"),
        ],
        error_messages={"required": "Select how price is scored"},
    )
    proxy_share = forms.IntegerField(
        label="Share of the social value score from proxy values (%)",
        min_value=0,
        max_value=100,
        initial=50,
        help_text="The rest comes from evaluators' scores of the social value proposal.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter the share from proxy values, 0 to 100",
            "invalid": "Enter the share from proxy values as a whole number, 0 to 100",
            "min_value": "Enter the share from proxy values, 0 to 100",
            "max_value": "Enter the share from proxy values, 0 to 100",
        },
    )
    measures = forms.ModelMultipleChoiceField(
        label="Social value measures bidders may commit to",
        queryset=SocialValueMeasure.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one social value measure"},
    )
    deadline_date = forms.DateField(
        label="Deadline for bids",
        input_formats=DATE_FORMATS,
        help_text="For example, 27/3/2027",
        error_messages={
            "required": "Enter the deadline for bids",
            "invalid": "Enter the deadline as a real date, like 27/3/2027",
        },
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )
    deadline_time = text_field(
        "Time of the deadline",
        "Enter the time of the deadline",
        initial="17:00",
        help_text="24-hour clock, for example 17:00",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
    )
    lots = text_field(
        "Lots",
        "Enter at least one lot",
        help_text="One lot a line: its title, and optionally a comma and its budget. "
        "For example: North of the borough, 150000",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, area: Area, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.area = area
        self.floor = social_value_floor(area)
        self.fields["social_value_weight"].help_text = f"At least {self.floor}% in {area.name}."
        self.fields["service"].queryset = Service.objects.order_by("name")
        self.fields["measures"].queryset = measures_for(area)
        self.fields["measures"].label_from_instance = lambda m: (
            f"{m.code} {m.name} – {m.proxy_text} per unit ({m.unit})"
        )

    def clean_budget(self) -> Decimal:
        return parse_pounds(self.cleaned_data["budget"], "the budget", "250000")

    def _weight(self, name: str, what: str) -> int:
        text = self.cleaned_data[name].strip().removesuffix("%").strip()
        if not text.isdigit() or int(text) > 100:
            raise forms.ValidationError(f"Enter the {what} weight as a whole number from 0 to 100, like 40")
        return int(text)

    def clean_price_weight(self) -> int:
        return self._weight("price_weight", "price")

    def clean_quality_weight(self) -> int:
        return self._weight("quality_weight", "quality")

    def clean_social_value_weight(self) -> int:
        return self._weight("social_value_weight", "social value")

    def clean_deadline_time(self) -> time:
        text = self.cleaned_data["deadline_time"].strip()
        match = re.fullmatch(r"(\d{1,2})[:.](\d{2})", text)
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise forms.ValidationError("Enter the time on the 24-hour clock, like 17:00")
        return time(int(match[1]), int(match[2]))

    def clean_lots(self) -> list[tuple[str, Decimal | None]]:
        lots = []
        for number, line in enumerate(self.cleaned_data["lots"].splitlines(), start=1):
            if not line.strip():
                continue
            title, _, budget = line.partition(",")
            if not title.strip():
                raise forms.ValidationError(f"Lots, line {number}: enter the lot's title before the comma")
            amount = None
            if budget.strip():
                try:
                    amount = parse_pounds(budget, "the lot's budget", "150000")
                except forms.ValidationError as error:
                    raise forms.ValidationError(f"Lots, line {number}: {error.messages[0]}") from None
            lots.append((title.strip()[:200], amount))
        if not lots:
            raise forms.ValidationError("Enter at least one lot")
        return lots

    def clean(self) -> dict:
        cleaned = super().clean()
        names = ("price_weight", "quality_weight", "social_value_weight")
        if all(name in cleaned for name in names):
            try:
                check_weights(Weights(*(cleaned[n] for n in names)), self.floor)
            except ScoringError as error:
                self.add_error(error.field, str(error))
        if "deadline_date" in cleaned and "deadline_time" in cleaned:
            deadline = timezone.make_aware(
                datetime.combine(cleaned["deadline_date"], cleaned["deadline_time"])
            )
            if deadline <= timezone.now():
                self.add_error("deadline_date", "Enter a deadline in the future")
            cleaned["deadline"] = deadline
        return cleaned


class BidForm(forms.Form):
    lot = forms.ModelChoiceField(
        label="Lot",
        queryset=Lot.objects.none(),
        empty_label=None,
        error_messages={
            "required": "Select the lot the bid is for",
            "invalid_choice": "Select one of this tender's lots",
        },
    )
    supplier = forms.ModelChoiceField(
        label="Supplier",
        queryset=Supplier.objects.none(),
        empty_label="Choose the supplier",
        error_messages={
            "required": "Select the supplier who bid",
            "invalid_choice": "Select a supplier on the register",
        },
    )
    price = text_field(
        "Price",
        "Enter the bid's price",
        help_text="In pounds, for the whole lot. For example, 142000.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "decimal"}),
    )

    def __init__(self, *args, tender: Tender, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.tender = tender
        self.fields["lot"].queryset = tender.lots.all()
        self.fields["supplier"].queryset = Supplier.objects.filter(area=tender.area)
        self.measures = list(tender.measures.all())
        for measure in self.measures:
            self.fields[f"measure_{measure.pk}"] = forms.CharField(
                label=f"{measure.code} {measure.name} ({measure.unit})",
                required=False,
                help_text=f"Optional. Worth {measure.proxy_text}.",
                widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "decimal"}),
            )

    def clean_price(self) -> Decimal:
        return parse_pounds(self.cleaned_data["price"], "the price", "142000")

    def clean(self) -> dict:
        cleaned = super().clean()
        commitments = {}
        for measure in self.measures:
            name = f"measure_{measure.pk}"
            text = (cleaned.get(name) or "").strip().replace(",", "")
            if not text:
                continue
            try:
                quantity = Decimal(text)
            except InvalidOperation:
                quantity = Decimal("NaN")
            if not quantity.is_finite() or quantity <= 0 or quantity != quantity.quantize(Decimal("0.01")):
                self.add_error(
                    name,
                    f"Enter the {measure.unit} committed for {measure.code} as a number above 0, like 12",
                )
                continue
            commitments[measure] = quantity
        cleaned["commitments"] = commitments
        return cleaned


class EvaluationForm(forms.Form):
    criterion = forms.ChoiceField(
        label="What are you scoring?",
        choices=Criterion.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select quality or social value"},
    )
    score = text_field(
        "Score out of 100",
        "Enter your score",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-3", "inputmode": "decimal"}),
    )
    note = forms.CharField(
        label="Reasons (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_score(self) -> Decimal:
        return parse_score(self.cleaned_data["score"], "your score")


class ModerationForm(EvaluationForm):
    reason = text_field(
        "Why the evaluators agreed this score",
        "Enter why the evaluators agreed this score",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["note"]
        self.fields["score"].label = "Moderated score out of 100"


class DeliveryForm(forms.Form):
    def __init__(self, *args, commitments: list[Commitment], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.commitments = commitments
        for c in commitments:
            self.fields[f"delivered_{c.pk}"] = forms.CharField(
                label=f"{c.measure.code} {c.measure.name}: delivered so far ({c.measure.unit})",
                required=False,
                initial="" if c.delivered is None else c.delivered.normalize(),
                help_text=f"Committed: {c.quantity_text}.",
                widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "decimal"}),
            )

    def clean(self) -> dict:
        cleaned = super().clean()
        delivered = {}
        for c in self.commitments:
            name = f"delivered_{c.pk}"
            text = (cleaned.get(name) or "").strip().replace(",", "")
            if not text:
                continue
            try:
                amount = Decimal(text)
            except InvalidOperation:
                amount = Decimal("NaN")
            if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
                self.add_error(
                    name,
                    f"Enter the {c.measure.unit} delivered for {c.measure.code} as a number, "
                    "0 or more, like 12",
                )
                continue
            delivered[c] = amount
        cleaned["delivered"] = delivered
        return cleaned


class SurveyForm(forms.Form):
    local_supplier_spend = text_field(
        "Spent with local suppliers",
        "Enter what the supplier spent with local suppliers",
        help_text="Round 2: in pounds, from the contract's money. For example, 30000.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "decimal"}),
    )
    local_staff_spend = text_field(
        "Paid to staff who live locally",
        "Enter what the supplier paid staff who live locally",
        help_text="Round 2: in pounds, after tax. For example, 20000.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "decimal"}),
    )
    surveyed_on = forms.DateField(
        label="Date of the survey",
        input_formats=DATE_FORMATS,
        help_text="For example, 27/3/2027",
        error_messages={
            "required": "Enter the date of the survey",
            "invalid": "Enter the date of the survey as a real date, like 27/3/2027",
        },
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )
    sample = forms.CharField(
        label="Round 3 sample (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One local supplier or member of staff a line: who, what they received, what they spent "
        "locally. For example: Vale Bakery, 12000, 5000",
    )

    def clean_local_supplier_spend(self) -> Decimal:
        return parse_pounds(self.cleaned_data["local_supplier_spend"], "local supplier spend", "30000", True)

    def clean_local_staff_spend(self) -> Decimal:
        return parse_pounds(self.cleaned_data["local_staff_spend"], "local staff spend", "20000", True)

    def clean_sample(self) -> list[tuple[str, Decimal, Decimal]]:
        try:
            return parse_sample(self.cleaned_data["sample"])
        except ProcurementError as error:
            raise forms.ValidationError(str(error)) from None


class OcdsImportForm(forms.Form):
    package = forms.FileField(
        label="OCDS release package (JSON)",
        help_text="A release package published by another authority, in OCDS 1.1.",
        error_messages={
            "required": "Choose a release package file to import",
            "empty": "The file is empty: choose a release package",
        },
    )


class PolicyForm(forms.ModelForm):
    """An area raises its own floor for the social-value weight; never below the national one."""

    class Meta:
        model = ProcurementPolicy
        fields = ["social_value_floor"]
        labels = {"social_value_floor": "Lowest weight for social value, in per cent"}
        error_messages = {
            "social_value_floor": {
                "required": "Enter the lowest weight for social value",
                "invalid": "Enter the weight as a whole number, like 20",
            }
        }

    def clean_social_value_floor(self) -> int:
        floor = self.cleaned_data["social_value_floor"]
        if not NATIONAL_SOCIAL_VALUE_FLOOR <= floor <= 100:
            raise forms.ValidationError(
                f"Enter a weight between {NATIONAL_SOCIAL_VALUE_FLOOR} (the national floor) and 100"
            )
        return floor
