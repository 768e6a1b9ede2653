"""Forms for signing up, verifying residents and changing national floors."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.text import slugify

from .models import Area, NationalStandard, Postcode, Role, Service, User, plain


class SignUpForm(forms.Form):
    full_name = forms.CharField(
        label="Full name", max_length=150,
        error_messages={"required": "Enter your full name"},
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    email = forms.EmailField(
        label="Email address",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    postcode = forms.CharField(
        label="Postcode", required=False, max_length=10,
        help_text="We use this to find your neighbourhood. For example, TV1 2AB.",
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "class": "govuk-input--width-10"}),
    )
    neighbourhood = forms.ModelChoiceField(
        label="Or choose your neighbourhood", required=False,
        queryset=Area.objects.filter(kind=Area.Kind.NEIGHBOURHOOD).select_related("parent"),
        empty_label="Choose a neighbourhood",
    )
    password = forms.CharField(
        label="Create a password", strip=False,
        help_text="Use at least 8 characters. Avoid common words and passwords.",
        error_messages={"required": "Enter a password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account already uses this email address. Sign in, or use another address"
            )
        return email

    def clean_postcode(self) -> Area | None:
        postcode = self.cleaned_data["postcode"].strip()
        if not postcode:
            return None
        match = Postcode.objects.filter(sector=Postcode.sector_of(postcode)).first()
        if match is None:
            raise forms.ValidationError(
                "Enter a postcode in an area Commonweal serves, like TV1 2AB, "
                "or choose your neighbourhood from the list"
            )
        return match.neighbourhood

    def clean(self) -> dict:
        cleaned = super().clean()
        if "postcode" in cleaned and not cleaned.get("postcode") and not cleaned.get(
            "neighbourhood"
        ):
            self.add_error("postcode", "Enter your postcode or choose your neighbourhood")
        password = cleaned.get("password")
        if password:
            probe = User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password, probe)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned

    def home_area(self) -> Area:
        return self.cleaned_data["postcode"] or self.cleaned_data["neighbourhood"]


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label="Password", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": "Enter the email address and password of an existing account",
        "inactive": "This account has been closed",
    }


class VerifyResidentForm(forms.Form):
    role = forms.ModelChoiceField(queryset=Role.objects.none(), widget=forms.HiddenInput)

    def __init__(self, *args, authority: Area, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = pending_residents(authority)


def pending_residents(authority: Area):
    """Residents of an authority's neighbourhoods who are waiting to be verified."""
    return (
        Role.objects.filter(
            kind=Role.Kind.RESIDENT, verified_at__isnull=True, area__parent=authority
        )
        .select_related("user", "area")
        .order_by("user__full_name")
    )


class FloorChangeForm(forms.Form):
    floor = forms.CharField(
        label="New floor", max_length=20,
        error_messages={"required": "Enter the new floor"},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-5"}),
    )
    reason = forms.CharField(
        label="Why is the floor changing?", max_length=2000,
        help_text="This is published with the change.",
        error_messages={"required": "Enter why the floor is changing"},
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, standard: NationalStandard, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.standard = standard
        self.fields["floor"].help_text = (
            f"In {standard.unit}, between {plain(standard.minimum_value)} and "
            f"{plain(standard.maximum_value)}. The current floor is {plain(standard.floor)}."
        )

    def clean_floor(self) -> Decimal:
        text = self.cleaned_data["floor"].strip().replace(",", "")
        try:
            floor = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError(
                f"Enter the floor as a number, like {plain(self.standard.floor)}"
            ) from None
        low, high = self.standard.minimum_value, self.standard.maximum_value
        if not floor.is_finite() or not low <= floor <= high:
            raise forms.ValidationError(f"Enter a floor between {plain(low)} and {plain(high)}")
        if floor.quantize(Decimal("0.01")) != floor:
            raise forms.ValidationError("Enter the floor with no more than 2 decimal places")
        return floor


class NewStandardForm(forms.ModelForm):
    """A steward sets the national floor for a service that has none yet."""

    service_name = forms.CharField(
        label="Service", max_length=80, error_messages={"required": "Enter the name of the service"}
    )
    field_order = ["service_name", "indicator", "unit", "multiplier", "floor", "higher_is_better"]

    class Meta:
        model = NationalStandard
        fields = ["indicator", "unit", "multiplier", "floor", "higher_is_better", "minimum_value",
                  "maximum_value"]
        labels = {
            "indicator": "Indicator",
            "unit": "Unit",
            "floor": "Floor",
            "higher_is_better": "Higher values are better",
            "minimum_value": "Lowest possible value",
            "maximum_value": "Highest possible value",
        }
        error_messages = {
            "indicator": {"required": "Enter what the indicator measures"},
            "unit": {"required": "Enter the unit, like %"},
            "floor": {"required": "Enter the floor", "invalid": "Enter the floor as a number, like 85"},
            "multiplier": {"invalid": "Enter the multiplier as a whole number, like 100"},
            "minimum_value": {"invalid": "Enter the lowest value as a number, like 0"},
            "maximum_value": {"invalid": "Enter the highest value as a number, like 100"},
        }

    def clean_service_name(self) -> str:
        name = self.cleaned_data["service_name"].strip()
        if Service.objects.filter(name__iexact=name).exists() or Service.objects.filter(
            slug=slugify(name)
        ).exists():
            raise forms.ValidationError(f"{name} already has a national standard: change its floor instead")
        if not slugify(name):
            raise forms.ValidationError("Enter a service name with letters or numbers in it")
        return name

    def clean(self) -> dict:
        cleaned = super().clean()
        low, high, floor = (cleaned.get(k) for k in ("minimum_value", "maximum_value", "floor"))
        if low is not None and high is not None and low >= high:
            self.add_error("maximum_value", "Enter a highest value above the lowest value")
        elif None not in (low, high, floor) and not low <= floor <= high:
            self.add_error("floor", f"Enter a floor between {plain(low)} and {plain(high)}")
        return cleaned

    def save(self, commit: bool = True) -> NationalStandard:
        name = self.cleaned_data["service_name"]
        self.instance.service = Service.objects.create(name=name, slug=slugify(name))
        return super().save(commit)
