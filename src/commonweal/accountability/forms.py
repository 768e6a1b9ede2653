"""Forms for officers' updates, residents' comments, moderation and review responses."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from .models import Result


class UpdateForm(forms.Form):
    text = forms.CharField(
        label="What has happened",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter what has happened since the last update"},
    )
    status = forms.ChoiceField(
        label="Status",
        choices=Result.Status.choices,
        error_messages={
            "required": "Choose the status",
            "invalid_choice": "Choose one of the statuses listed",
        },
    )
    progress = forms.IntegerField(
        label="Progress, per cent complete",
        min_value=0,
        max_value=100,
        help_text="A whole number from 0 to 100",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Enter progress as a whole number from 0 to 100, like 40",
            "invalid": "Enter progress as a whole number from 0 to 100, like 40",
            "min_value": "Progress must be 0 or more",
            "max_value": "Progress must be 100 or less",
        },
    )
    spent = forms.DecimalField(
        label="Money paid out since the last update, in pounds (optional)",
        required=False,
        min_value=Decimal("0.01"),
        max_digits=14,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={
            "invalid": "Enter the amount in pounds, like 25000",
            "min_value": "Enter an amount above zero, or leave it blank",
            "max_digits": "Enter an amount below £1 trillion",
            "max_decimal_places": "Enter the amount in pounds and pence, like 2500.50",
        },
    )
    spent_on = forms.DateField(
        label="Date paid (optional)",
        required=False,
        help_text="For example, 2026-03-31",
        error_messages={"invalid": "Enter the date paid as year-month-day, like 2026-03-31"},
    )
    spent_on_what = forms.CharField(
        label="What the money paid for (optional)", required=False, max_length=200
    )

    def __init__(self, *args, result: Result | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if result is not None and not self.is_bound:
            self.initial.update(status=result.status, progress=result.progress)

    def clean(self):
        data = super().clean()
        if data.get("spent_on") and not data.get("spent"):
            self.add_error("spent", "Enter the amount paid, or clear the date paid")
        return data


class CommentForm(forms.Form):
    text = forms.CharField(
        label="Your comment",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Shown publicly with your neighbourhood, not your name.",
        error_messages={
            "required": "Enter your comment",
            "max_length": "Comment must be 2,000 characters or fewer",
        },
    )


class HideForm(forms.Form):
    reason = forms.CharField(
        label="Why hide this comment",
        max_length=200,
        help_text="Shown publicly in place of the comment, for example: names a member of staff.",
        error_messages={"required": "Enter why the comment is hidden, so readers can see the reason"},
    )


class ResponseForm(forms.Form):
    response = forms.CharField(
        label="The council's response",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What the council found and what it will do about the shortfall.",
        error_messages={"required": "Enter the council's response to the review"},
    )
