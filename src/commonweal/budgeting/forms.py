"""Forms for budgets, proposals, reviews, ballots, paper batches and receipt look-ups.

Each one validates with a GOV.UK-worded message naming its field; ballot rules are checked by
`ballots.check_choices`, so a form and the ballot store can never disagree about them.
"""

from __future__ import annotations

import re

from django import forms

from commonweal.budgeting import engine
from commonweal.places.models import Area, Service
from commonweal.places.status import floor_statuses

from .ballots import BallotError, check_choices
from .models import Ballot, Process, Proposal
from .money import money
from .services import neighbourhoods_of

DATE_FORMATS = ["%d/%m/%Y", "%d %m %Y", "%d-%m-%Y", "%Y-%m-%d"]


def pounds(text: str, label: str, example: str = "25000") -> int:
    """Whole pounds from what a person types: "25000", "25,000" or "£25,000"; never "£25k"."""
    cleaned = text.strip().replace(",", "").removeprefix("£").strip()
    if re.fullmatch(r"-\s*\d+(\.\d+)?", cleaned):
        raise forms.ValidationError(f"The {label} must be £1 or more")
    if re.fullmatch(r"\d+\.\d+", cleaned):
        raise forms.ValidationError(f"Enter the {label} in whole pounds, like {example}")
    if not re.fullmatch(r"\d+", cleaned):
        raise forms.ValidationError(f"Enter the {label} in pounds, like {example}")
    amount = int(cleaned)
    if amount < 1:
        raise forms.ValidationError(f"The {label} must be £1 or more")
    return amount


def money_field(label: str, hint: str, example: str, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label, help_text=hint, max_length=20, required=required,
        error_messages={"required": f"Enter the {label.lower()} in pounds, like {example}"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-10",
                                      "spellcheck": "false"}),
    )


def date_field(label: str, hint: str) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, input_formats=DATE_FORMATS, help_text=hint,
        error_messages={"invalid": f"Enter the {label.lower()} as a real date, like 31/3/2026"},
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"class": "govuk-input--width-10"}),
    )


def services_below_floor(area: Area) -> list[Service]:
    """Services measured below their national floor in the area: the only ones money can be
    ring-fenced for, since ring-fencing exists to bring a place up to the floor."""
    return [s.standard.service for s in floor_statuses(area) if s.meets_floor is False]


class ProcessForm(forms.ModelForm):
    budget = money_field("Budget", "The money residents will decide on, in pounds.", "250000")
    proposals_close = date_field("Proposals close", "For example, 31/1/2026")
    voting_opens = date_field("Voting opens", "For example, 1/3/2026")
    voting_closes = date_field("Voting closes", "For example, 31/3/2026")

    class Meta:
        model = Process
        fields = [
            "title", "slug", "description", "budget", "ballot_type", "max_choices", "rule",
            "ring_fenced_services", "parent", "proposals_close", "voting_opens", "voting_closes",
        ]
        labels = {
            "title": "Title",
            "slug": "Web address",
            "description": "Description",
            "ballot_type": "How do residents vote?",
            "max_choices": "Limit on the ballot (optional)",
            "rule": "How are the votes counted?",
            "ring_fenced_services": "Ring-fence money for a service below its national floor",
            "parent": "Held alongside which budget? (optional)",
        }
        help_texts = {
            "slug": "Lower-case letters, numbers and hyphens, like 2026 or parks-2026.",
            "description": "What the money is for and who can take part.",
            "max_choices": "Choose up to a number of projects: the most a voter may choose. "
            "Share out points: the points each voter shares. Rank: how many to rank.",
        }
        error_messages = {
            "title": {"required": "Enter a title"},
            "slug": {
                "required": "Enter a web address, like 2026",
                "invalid": "Enter a web address using only lower-case letters, numbers and hyphens",
            },
            "max_choices": {"invalid": "Enter the limit as a whole number, like 5"},
        }
        widgets = {
            "ballot_type": forms.RadioSelect,
            "rule": forms.RadioSelect,
            "ring_fenced_services": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 4}),
            "max_choices": forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
        }

    def __init__(self, *args, area: Area, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.area = area
        below = services_below_floor(area)
        fenced = self.fields["ring_fenced_services"]
        fenced.queryset = Service.objects.filter(pk__in=[s.pk for s in below])
        fenced.help_text = (
            f"Only services measured below their national floor in {area.name} can be chosen. "
            "Feasible projects for them are funded first and their cost comes off the budget."
            if below else
            f"No service in {area.name} is measured below its national floor, so none can be ring-fenced."
        )
        if not below:
            del self.fields["ring_fenced_services"]
        parents = Process.objects.filter(area__in=area.lineage()[1:])
        if parents.exists():
            self.fields["parent"].queryset = parents
            self.fields["parent"].empty_label = "Not held alongside another budget"
        else:
            del self.fields["parent"]
        self.fields["ballot_type"].choices = Process.BallotType.choices
        # Offer only rules the engine can count, so a budget can never be started uncountable.
        self.fields["rule"].choices = [(key, label) for key, label in Process.RULES if key in engine.RULES]

    def clean_budget(self) -> int:
        return pounds(self.cleaned_data["budget"], "budget", "250000")

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if slug == "new":
            raise forms.ValidationError("Choose another web address: \"new\" is used for starting a budget")
        if Process.objects.filter(area=self.area, slug=slug).exists():
            raise forms.ValidationError(f"A budget in {self.area.name} already uses this web address")
        return slug

    def clean(self) -> dict:
        cleaned = super().clean()
        opens, closes = cleaned.get("voting_opens"), cleaned.get("voting_closes")
        if opens and closes and closes < opens:
            self.add_error("voting_closes", "Voting must close on or after the day it opens")
        kind = cleaned.get("ballot_type")
        if kind in (Process.BallotType.CUMULATIVE, Process.BallotType.ORDINAL) and not cleaned.get(
            "max_choices"
        ):
            self.add_error("max_choices", "Enter the points to share or how many projects to rank, like 5")
        return cleaned


class IdeaForm(forms.Form):
    title = forms.CharField(
        label="Give your project a short name", max_length=120,
        error_messages={"required": "Enter a name for your project",
                        "max_length": "Project names must be 120 characters or fewer"},
    )
    description = forms.CharField(
        label="Describe your project", max_length=5000,
        help_text="What would change, where, and who would benefit.",
        error_messages={"required": "Describe your project"},
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class PlaceForm(forms.Form):
    neighbourhood = forms.ModelChoiceField(
        label="Which neighbourhood is it in?", queryset=Area.objects.none(), widget=forms.RadioSelect,
        error_messages={"required": "Choose the neighbourhood your project is in"},
    )
    service = forms.ModelChoiceField(
        label="Which service is it part of? (optional)", queryset=Service.objects.all(), required=False,
        empty_label="Not part of one service",
        help_text="Projects for a service below its national floor may be funded first.",
    )

    def __init__(self, *args, process: Process, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["neighbourhood"].queryset = neighbourhoods_of(process)


class CostForm(forms.Form):
    estimated_cost = money_field(
        "Estimated cost", "Enter the estimated cost in pounds, like 25000. Officers will check it.", "25000"
    )

    def __init__(self, *args, process: Process, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.process = process

    def clean_estimated_cost(self) -> int:
        cost = pounds(self.cleaned_data["estimated_cost"], "estimated cost")
        if cost > self.process.budget:
            raise forms.ValidationError(
                "The estimated cost must be no more than the "
                f"{money(self.process.budget, self.process.currency)} budget"
            )
        return cost


class ReviewForm(forms.Form):
    feasible = forms.TypedChoiceField(
        label="Is this project feasible?", widget=forms.RadioSelect,
        choices=[("yes", "Yes, it can go on the ballot"), ("no", "No")],
        coerce=lambda answer: answer == "yes",
        error_messages={"required": "Select yes if the project is feasible"},
    )
    reason = forms.CharField(
        label="Reason (published)", required=False, max_length=2000,
        help_text="Residents see this. Required when the project is not feasible.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    final_cost = money_field(
        "Final cost", "Leave blank to keep the proposer's estimate.", "25000", required=False
    )

    def clean_final_cost(self) -> int | None:
        text = self.cleaned_data["final_cost"]
        return pounds(text, "final cost") if text.strip() else None

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("feasible") is False and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Enter the reason the project is not feasible")
        return cleaned


class BallotForm(forms.Form):
    """A ballot: checkboxes named `project` for approval and knapsack, `points-<id>` otherwise."""

    receipt_code = forms.CharField(
        label="Your receipt code", required=False, max_length=20,
        help_text="You have already voted. Enter the receipt code you were given, like K7QM-2XDA-9PLR, "
        "to change your ballot.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false",
                                      "autocomplete": "off"}),
    )

    # What checking a ballot reads of each proposal: see check_choices and spending.
    CHECKED_FIELDS = ("id", "process", "status", "title", "estimated_cost", "final_cost")

    def __init__(self, *args, process: Process, ask_receipt: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.process = process
        # A submitted ballot is checked, then stored and the voter sent on: it needs only the
        # proposals it names, and only these fields of them. A proposal it does not name is
        # refused as not on the ballot either way. If the page is shown, for_display() reads all.
        feasible = process.proposals.filter(status=Proposal.Status.FEASIBLE)
        if self.is_bound:
            self.proposals = list(feasible.filter(pk__in=self._named()).only(*self.CHECKED_FIELDS))
        else:
            self.proposals = list(self._shown(feasible))
        self._displayable = not self.is_bound
        if not ask_receipt:
            del self.fields["receipt_code"]
        self._add_ballot_fields()

    def _named(self) -> set[int]:
        """The ids of the proposals the submitted form names: ticked boxes, or points fields."""
        if self.uses_checkboxes:
            values = self.data.getlist("project")
        else:
            values = [name.removeprefix("points-") for name in self.data if name.startswith("points-")]
        return {int(v) for v in values if v.isdigit() and len(v) < 19}  # within a bigint

    def _add_ballot_fields(self) -> None:
        process = self.process
        if self.uses_checkboxes:
            self.fields["project"] = forms.TypedMultipleChoiceField(
                label="Projects", required=False, coerce=int, widget=forms.CheckboxSelectMultiple,
                choices=[(p.pk, p.title) for p in self.proposals],
                error_messages={"invalid_choice": "Project %(value)s is not on this ballot: "
                                "choose from the projects listed"},
            )
        else:
            what = "rank" if process.ballot_type == Process.BallotType.ORDINAL else "points"
            for p in self.proposals:
                self.fields[f"points-{p.pk}"] = forms.IntegerField(
                    label=p.title, required=False, min_value=0, max_value=1000,
                    error_messages={
                        "invalid": f"Enter the {what} for {p.title} as a whole number, like 2",
                        "min_value": f"Enter the {what} for {p.title} as 0 or more",
                        "max_value": f"Enter the {what} for {p.title} as 1000 or less",
                    },
                    widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
                )

    @property
    def uses_checkboxes(self) -> bool:
        return self.process.ballot_type in (Process.BallotType.APPROVAL, Process.BallotType.KNAPSACK)

    @staticmethod
    def _shown(proposals):
        return proposals.select_related("neighbourhood")

    def for_display(self) -> BallotForm:
        """The form, with every field of its proposals that the ballot page shows."""
        if self.is_bound and not self._displayable:
            # Every proposal on the ballot, read whole; errors already found stay on their fields.
            feasible = self.process.proposals.filter(status=Proposal.Status.FEASIBLE)
            self.proposals = list(self._shown(feasible))
            self._add_ballot_fields()
            self._bound_fields_cache.clear()
            self._displayable = True
        return self

    def point_rows(self) -> list[tuple[Proposal, forms.BoundField]]:
        return [(p, self[f"points-{p.pk}"]) for p in self.proposals]

    @property
    def first_field(self) -> str:
        if self.uses_checkboxes:
            return "project"
        return f"points-{self.proposals[0].pk}" if self.proposals else ""

    def choices(self) -> dict[int, int]:
        """Proposal id -> points, from whatever the form holds (clean or not)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        if self.uses_checkboxes:
            return dict.fromkeys(data.get("project") or [], 1)
        return {p.pk: data[f"points-{p.pk}"] for p in self.proposals if data.get(f"points-{p.pk}")}

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            check_choices(self.process, self.choices(), self.proposals)
        except BallotError as error:
            self.add_error(self.first_field or None, str(error))
        return cleaned


def chosen_from_data(form: BallotForm) -> set[int]:
    """The proposal ids a submitted (perhaps invalid) form had chosen, to show them ticked again."""
    if not form.is_bound:
        return set()
    if form.uses_checkboxes:
        return {int(v) for v in form.data.getlist("project") if str(v).isdigit()}
    return {p.pk for p in form.proposals if str(form.data.get(f"points-{p.pk}", "")).strip() not in ("", "0")}


class PaperBatchForm(forms.Form):
    label = forms.CharField(
        label="Batch label", max_length=80, help_text="As written on the tally sheet, like Brookside box 3.",
        error_messages={"required": "Enter the batch label from the tally sheet"},
    )
    tally_total = forms.IntegerField(
        label="Ballots in the batch", min_value=1, max_value=100_000,
        help_text="The total written on the tally sheet.",
        error_messages={"required": "Enter the number of ballots on the tally sheet, like 120",
                        "invalid": "Enter the number of ballots as a whole number, like 120",
                        "min_value": "Enter the number of ballots as 1 or more",
                        "max_value": "Enter the number of ballots as 100,000 or fewer"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-5"}),
    )
    ballots = forms.CharField(
        label="Ballots, one per line",
        help_text="The voter's neighbourhood code, a colon, then the projects chosen, like "
        "E02999001: P001, P003 — or with points or ranks, like E02999001: P001=3, P002=2.",
        error_messages={"required": "Enter the ballots, one per line"},
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
    )

    def __init__(self, *args, process: Process, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.process = process

    def clean_ballots(self) -> list[tuple[Area, dict[int, int]]]:
        places = {a.code: a for a in neighbourhoods_of(self.process)}
        codes = dict(
            self.process.proposals.filter(status=Proposal.Status.FEASIBLE).values_list("code", "pk")
        )
        ballots = []
        for number, line in enumerate(self.cleaned_data["ballots"].splitlines(), start=1):
            if not line.strip():
                continue
            ballots.append(self._ballot(number, line, places, codes))
        return ballots

    def _ballot(self, number: int, line: str, places: dict, codes: dict) -> tuple[Area, dict[int, int]]:
        where, colon, chosen = line.partition(":")
        if not colon:
            raise forms.ValidationError(
                f"Line {number}: start with the neighbourhood code and a colon, like E02999001: P001, P003"
            )
        place = places.get(where.strip().upper())
        if place is None:
            raise forms.ValidationError(
                f"Line {number}: {where.strip()!r} is not a neighbourhood in {self.process.area.name}"
            )
        choices: dict[int, int] = {}
        for item in filter(None, (part.strip() for part in chosen.split(","))):
            code, equals, given = (s.strip() for s in item.partition("="))
            pk = codes.get(code.upper())
            if pk is None:
                raise forms.ValidationError(f"Line {number}: project {code!r} is not on this ballot")
            if equals and not given.isdigit():
                raise forms.ValidationError(
                    f"Line {number}: enter the points for {code} as a whole number, like {code}=2"
                )
            if pk in choices:
                raise forms.ValidationError(f"Line {number}: project {code} is listed twice")
            choices[pk] = int(given) if equals else 1
        try:
            check_choices(self.process, choices)
        except BallotError as error:
            raise forms.ValidationError(f"Line {number}: {error}") from None
        return place, choices

    def clean(self) -> dict:
        cleaned = super().clean()
        ballots, total = cleaned.get("ballots"), cleaned.get("tally_total")
        if ballots is not None and total is not None and len(ballots) != total:
            self.add_error(
                "tally_total",
                f"The tally sheet says {total} ballots but {len(ballots)} were entered: "
                "count the batch again",
            )
        label = cleaned.get("label")
        if label and self.process.paper_batches.filter(label=label).exists():
            self.add_error("label", f"Batch {label!r} has already been entered")
        return cleaned


class IssuePaperForm(forms.Form):
    email = forms.EmailField(
        label="Resident's email address",
        help_text="As on the printed roll of verified residents.",
        error_messages={"required": "Enter the resident's email address",
                        "invalid": "Enter an email address in the correct format, like name@example.com"},
        widget=forms.EmailInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )


class ReceiptForm(forms.Form):
    code = forms.CharField(
        label="Receipt code", max_length=20, help_text="As printed on your receipt, like K7QM-2XDA-9PLR.",
        error_messages={"required": "Enter your receipt code, like K7QM-2XDA-9PLR"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
    )

    def __init__(self, *args, process: Process, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.process = process

    def clean_code(self) -> Ballot:
        code = self.cleaned_data["code"].strip().upper()
        ballot = self.process.ballots.filter(receipt_code=code).first()
        if ballot is None:
            raise forms.ValidationError("No ballot has that receipt code: check it and try again")
        return ballot
