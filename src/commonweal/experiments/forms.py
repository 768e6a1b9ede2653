"""Forms for registering, adopting and evaluating experiments, and for the innovation fund."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from commonweal.places.models import Area, Measurement, NationalStandard

from .models import Application, Award, ChallengeRound, Criterion, Experiment
from .services import ExperimentError, parse_criteria


def measured_periods(standard: NationalStandard, area: Area) -> list[str]:
    return sorted(
        Measurement.objects.filter(standard=standard, area=area).values_list("period", flat=True).distinct()
    )


class PeriodsMixin:
    """The first period of the change must be one the area was measured in, with two before it."""

    def check_periods(self, standard: NationalStandard | None, area: Area) -> None:
        starts, evaluate_after = self.cleaned_data.get("starts"), self.cleaned_data.get("evaluate_after")
        if standard is None or not starts or not evaluate_after:
            return
        periods = measured_periods(standard, area)
        if periods and starts not in periods:
            shown = ", ".join(periods[-6:])
            self.add_error("starts", f"Enter a period {area.name} was measured in, like one of {shown}")
        elif periods and len([p for p in periods if p < starts]) < 2:
            self.add_error(
                "starts", f"Choose a later first period: {area.name} needs two measured periods before it"
            )
        if evaluate_after < starts:
            self.add_error(
                "evaluate_after", "The evaluation period must be the first period of the change or later"
            )


class ExperimentForm(PeriodsMixin, forms.ModelForm):
    class Meta:
        model = Experiment
        fields = [
            "title",
            "standard",
            "what_changed",
            "hypothesis",
            "starts",
            "evaluate_after",
            "comparison",
            "method",
        ]
        labels = {
            "title": "Name of the experiment",
            "standard": "Standard it should move",
            "what_changed": "What changed",
            "hypothesis": "What you expect to happen, and why",
            "starts": "First period under the change",
            "evaluate_after": "Evaluate once this period is measured",
            "comparison": "Compare with",
            "method": "How to estimate the effect",
        }
        widgets = {"comparison": forms.RadioSelect, "method": forms.RadioSelect}
        error_messages = {
            "title": {"required": "Enter a name for the experiment"},
            "standard": {"required": "Choose the standard the change should move"},
            "what_changed": {"required": "Describe what changed"},
            "hypothesis": {"required": "Say what you expect to happen"},
            "starts": {"required": "Enter the first period under the change, like 2021-22"},
            "evaluate_after": {"required": "Enter when to evaluate it, like 2024-25"},
        }

    def __init__(self, *args, area: Area, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.area = area
        self.fields["standard"].queryset = NationalStandard.objects.select_related("service")
        self.fields["standard"].empty_label = "Choose a standard"

    def clean(self):
        data = super().clean()
        for name in ("starts", "evaluate_after"):
            if data.get(name):
                data[name] = data[name].strip()
        self.check_periods(data.get("standard"), self.area)
        return data


class AdoptForm(PeriodsMixin, forms.Form):
    area = forms.ModelChoiceField(
        queryset=Area.objects.none(),
        label="Area adopting it",
        error_messages={"required": "Choose the area that will try it"},
    )
    starts = forms.CharField(
        label="First period under the change",
        max_length=16,
        error_messages={"required": "Enter the first period, like 2023-24"},
    )
    evaluate_after = forms.CharField(
        label="Evaluate once this period is measured",
        max_length=16,
        error_messages={"required": "Enter when to evaluate it, like 2024-25"},
    )

    def __init__(self, *args, areas, standard: NationalStandard, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.standard = standard
        self.fields["area"].queryset = areas

    def clean(self):
        data = super().clean()
        if data.get("area"):
            self.check_periods(self.standard, data["area"])
        return data


class RoundForm(forms.ModelForm):
    criteria = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Criteria and their weights",
        help_text="One a line, a name and a weight out of 100, like 'Evidence of need: 30'.",
        error_messages={"required": "Enter the criteria, like 'Evidence of need: 30'"},
    )

    class Meta:
        model = ChallengeRound
        fields = ["title", "challenge", "pot", "deadline"]
        labels = {
            "title": "Name of the round",
            "challenge": "The challenge",
            "pot": "Pot in pounds",
            "deadline": "Deadline for applications",
        }
        help_texts = {"pot": "In whole pounds, like 250000.", "deadline": "For example, 2026-03-31."}
        error_messages = {
            "title": {"required": "Enter a name for the round"},
            "challenge": {"required": "Describe the challenge"},
            "pot": {
                "required": "Enter the pot in pounds, like 250000",
                "invalid": "Enter the pot in whole pounds, like 250000",
            },
            "deadline": {
                "required": "Enter the deadline, like 2026-03-31",
                "invalid": "Enter the deadline as a date, like 2026-03-31",
            },
        }

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise forms.ValidationError("The deadline must be today or later")
        return deadline

    def clean_criteria(self):
        try:
            return parse_criteria(self.cleaned_data["criteria"])
        except ExperimentError as error:
            raise forms.ValidationError(str(error)) from None


class ApplicationForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = ["area", "organisation", "kind", "title", "summary", "amount", "experiment"]
        labels = {
            "area": "Where it would run",
            "organisation": "Organisation applying",
            "kind": "Kind of organisation",
            "title": "Name of the idea",
            "summary": "What you would do",
            "amount": "Amount asked for, in pounds",
            "experiment": "Registered experiment it tests",
        }
        widgets = {"kind": forms.RadioSelect}
        error_messages = {
            "area": {"required": "Choose where it would run"},
            "organisation": {"required": "Enter the name of the organisation applying"},
            "kind": {"required": "Choose the kind of organisation"},
            "title": {"required": "Enter a name for the idea"},
            "summary": {"required": "Describe what you would do"},
            "amount": {
                "required": "Enter the amount in pounds, like 40000",
                "invalid": "Enter the amount in whole pounds, like 40000",
            },
        }

    def __init__(self, *args, round_: ChallengeRound, areas, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.round = round_
        self.fields["area"].queryset = areas
        self.fields["experiment"].queryset = Experiment.objects.filter(area__in=areas)
        self.fields["experiment"].required = False

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError("Enter an amount of more than £0")
        if amount > self.round.pot:
            raise forms.ValidationError(f"Ask for no more than the pot of £{self.round.pot:,}")
        return amount


SCORES = [(str(n), f"{n}") for n in range(6)]


class ScoreForm(forms.Form):
    """One 0 to 5 score, and a comment, for each of the round's criteria."""

    def __init__(self, *args, criteria: list[Criterion], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                choices=SCORES,
                coerce=int,
                widget=forms.RadioSelect,
                label=f"{criterion.name} (weight {criterion.weight})",
                help_text="0 means not met at all, 5 fully met.",
                error_messages={"required": f"Choose a score for {criterion.name}"},
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                required=False, widget=forms.Textarea(attrs={"rows": 2}), label=f"Why, for {criterion.name}"
            )

    def scores(self) -> dict[Criterion, tuple[int, str]]:
        return {
            c: (self.cleaned_data[f"score_{c.pk}"], self.cleaned_data[f"comment_{c.pk}"])
            for c in self.criteria
        }


class ModerationForm(forms.Form):
    criterion = forms.ModelChoiceField(
        queryset=Criterion.objects.none(),
        label="Criterion",
        error_messages={"required": "Choose the criterion to moderate"},
    )
    score = forms.TypedChoiceField(
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
        label="Agreed score",
        error_messages={"required": "Choose the agreed score"},
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why the panel agreed this score",
        error_messages={"required": "Say why the panel agreed this score"},
    )

    def __init__(self, *args, criteria, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["criterion"].queryset = criteria


class AwardForm(forms.Form):
    kind = forms.ChoiceField(
        choices=Award.Kind.choices,
        widget=forms.RadioSelect,
        label="Kind of award",
        error_messages={"required": "Choose a grant or a prize"},
    )
    amount = forms.IntegerField(
        min_value=1,
        label="Amount in pounds",
        error_messages={
            "required": "Enter the amount in pounds, like 40000",
            "invalid": "Enter the amount in whole pounds, like 40000",
            "min_value": "Enter an amount of more than £0",
        },
    )
