"""One way to render a form: GOV.UK Frontend markup, error summary included, for every form."""

from typing import Any

from django.forms import BoundField, Widget
from django.forms.renderers import TemplatesSetting

# GOV.UK Frontend's class for each kind of Django widget (see widget.template_name).
WIDGET_CLASSES = {
    "input": "govuk-input",
    "select": "govuk-select",
    "textarea": "govuk-textarea",
}


class GovukBoundField(BoundField):
    """A field whose widget carries GOV.UK classes and points at its hint and error."""

    def build_widget_attrs(self, attrs: dict[str, Any], widget: Widget | None = None) -> dict:
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        kind = widget.template_name.rsplit("/", 1)[-1].removesuffix(".html")
        kind = "input" if kind in {"text", "email", "password", "number", "date"} else kind
        css = WIDGET_CLASSES.get(kind)
        if css:
            error_css = f" {css}--error" if self.errors else ""
            attrs["class"] = f"{css}{error_css} {attrs.get('class', '')}".strip()
        described_by = [f"{self.auto_id}-hint"] if self.help_text else []
        if self.errors:
            described_by.append(f"{self.auto_id}-error")
        if described_by:
            attrs["aria-describedby"] = " ".join(described_by)
        else:
            attrs.pop("aria-describedby", None)
        return attrs


class GovukFormRenderer(TemplatesSetting):
    """Renders every Django form and field with the GOV.UK Frontend templates in forms/."""

    form_template_name = "forms/govuk_form.html"
    field_template_name = "forms/govuk_field.html"
    bound_field_class = GovukBoundField
