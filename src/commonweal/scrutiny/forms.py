"""Forms for choosing what a scrutiny page shows, and for uploading a file of measurements."""

from __future__ import annotations

from django import forms

from commonweal.places.models import Area, NationalStandard

from .importing import MeasurementFileError, Row, read_measurements

# A national file of every authority for ten years is well under this; anything larger is a mistake.
LARGEST_UPLOAD = 20 * 1024 * 1024


class StandardViewForm(forms.Form):
    """Which period to analyse and which authority to pick out on the funnel plot (a GET form)."""

    period = forms.ChoiceField(
        label="Period", required=False, error_messages={"invalid_choice": "Choose a period from the list"}
    )
    area = forms.ChoiceField(
        label="Highlight an authority",
        required=False,
        error_messages={"invalid_choice": "Choose an authority from the list"},
    )

    def __init__(self, data, *, periods: list[str], areas: list[Area]) -> None:
        super().__init__(data)
        self.fields["period"].choices = [(p, p) for p in reversed(periods)]
        self.fields["area"].choices = [("", "No authority highlighted")] + [(a.code, a.name) for a in areas]

    def chosen(self, name: str) -> str | None:
        self.is_valid()  # a bad choice in one field still leaves the other's
        return self.cleaned_data.get(name) or None


class MeasurementUploadForm(forms.Form):
    """A CSV of one standard's measurements; every problem in the file becomes an error on the file field."""

    standard = forms.ChoiceField(
        label="Which national standard are these measurements of?",
        error_messages={
            "required": "Choose the national standard the file measures",
            "invalid_choice": "Choose the national standard the file measures",
        },
    )
    file = forms.FileField(
        label="Upload a CSV file",
        help_text=(
            "Columns: area_code, period, numerator, denominator, and optionally value and "
            "deprivation_decile. "
            "Periods look like 2024-25, 2024 or 2025-Q1. Save the file as CSV UTF-8."
        ),
        error_messages={
            "required": "Select a CSV file of measurements",
            "empty": "The selected file is empty",
        },
        widget=forms.ClearableFileInput(attrs={"class": "govuk-file-upload", "accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, scope: Area, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.rows: list[Row] = []
        self.fields["standard"].choices = [("", "Choose a standard")] + [
            (s.service.slug, s.service.name) for s in NationalStandard.objects.select_related("service")
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        upload, slug = cleaned.get("file"), cleaned.get("standard")
        if upload is None or not slug:
            return cleaned
        if upload.size > LARGEST_UPLOAD:
            self.add_error("file", "The selected file must be smaller than 20 MB")
            return cleaned
        standard = NationalStandard.objects.select_related("service").get(service__slug=slug)
        try:
            self.rows = read_measurements(
                upload.read(), file_name=upload.name, standard=standard, scope=self.scope
            )
        except MeasurementFileError as error:
            self.add_error("file", error.lines())
        cleaned["standard"] = standard
        return cleaned
