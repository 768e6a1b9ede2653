"""Public pages for areas and standards; sign-up; officer and steward pages."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from .forms import (
    FloorChangeForm,
    NewStandardForm,
    SignInForm,
    SignUpForm,
    VerifyResidentForm,
    pending_residents,
)
from .models import Area, NationalStandard, Role, User, plain
from .permissions import Action, allowed, require
from .status import areas_against, floor_statuses


def nation() -> Area:
    """National standards are set for the nation at the top of the tree."""
    return get_object_or_404(Area, kind=Area.Kind.NATION, parent=None)


def home(request: HttpRequest) -> HttpResponse:
    authorities = Area.objects.filter(kind=Area.Kind.AUTHORITY).select_related("parent")
    return render(request, "places/home.html", {"authorities": authorities})


def area_detail(request: HttpRequest, code: str) -> HttpResponse:
    area = get_object_or_404(Area.objects.select_related("parent"), code=code)
    require(request.user, Action.VIEW, area)
    context = {
        "area": area,
        "statuses": floor_statuses(area),
        "children": area.children.order_by("name"),
        "comparators": area.comparators.order_by("name"),
        "can_verify": allowed(request.user, Action.VERIFY_RESIDENTS, area),
    }
    return render(request, "places/area_detail.html", context)


def standard_list(request: HttpRequest) -> HttpResponse:
    standards = NationalStandard.objects.select_related("service")
    can_set = allowed(request.user, Action.SET_STANDARDS, nation())
    return render(request, "places/standard_list.html", {"standards": standards, "can_set": can_set})


@login_required
def standard_new(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.SET_STANDARDS, nation())
    form = NewStandardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            standard = form.save()
        messages.success(request, f"The national floor for {standard.service.name} is set.")
        return redirect("places:standard", slug=standard.service.slug)
    return render(request, "places/standard_new.html", {"form": form})


def standard_detail(request: HttpRequest, slug: str) -> HttpResponse:
    standard = get_object_or_404(NationalStandard.objects.select_related("service"), service__slug=slug)
    context = {
        "standard": standard,
        "authorities": areas_against(standard, Area.Kind.AUTHORITY),
        "changes": standard.changes.select_related("changed_by")[:20],
        "can_change": allowed(request.user, Action.SET_STANDARDS, nation()),
    }
    return render(request, "places/standard_detail.html", context)


@login_required
def standard_change(request: HttpRequest, slug: str) -> HttpResponse:
    require(request.user, Action.SET_STANDARDS, nation())
    standard = get_object_or_404(NationalStandard.objects.select_related("service"), service__slug=slug)
    form = FloorChangeForm(request.POST or None, standard=standard)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            standard.change_floor(form.cleaned_data["floor"], request.user, form.cleaned_data["reason"])
        messages.success(request, f"The floor for {standard.service.name} is now {plain(standard.floor)}.")
        return redirect("places:standard", slug=slug)
    return render(request, "places/standard_change.html", {"standard": standard, "form": form})


def sign_up(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = User.objects.create_user(
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password"],
            )
            Role.objects.create(user=user, kind=Role.Kind.RESIDENT, area=form.home_area())
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Your account has been created.")
        return redirect("places:account")
    return render(request, "places/sign_up.html", {"form": form})


class SignInView(LoginView):
    form_class = SignInForm
    template_name = "places/sign_in.html"
    redirect_authenticated_user = True


@login_required
def account(request: HttpRequest) -> HttpResponse:
    roles = request.user.roles.select_related("area", "area__parent").order_by("kind")
    return render(request, "places/account.html", {"roles": roles})


@login_required
def resident_list(request: HttpRequest, code: str) -> HttpResponse:
    authority = get_object_or_404(Area, code=code, kind=Area.Kind.AUTHORITY)
    require(request.user, Action.VERIFY_RESIDENTS, authority)
    context = {"authority": authority, "pending": pending_residents(authority)}
    return render(request, "places/resident_list.html", context)


@login_required
@require_POST
def resident_verify(request: HttpRequest, code: str) -> HttpResponse:
    authority = get_object_or_404(Area, code=code, kind=Area.Kind.AUTHORITY)
    require(request.user, Action.VERIFY_RESIDENTS, authority)
    form = VerifyResidentForm(request.POST, authority=authority)
    if not form.is_valid():
        messages.error(request, "That resident is not waiting to be verified in this area.")
        return redirect("places:residents", code=code)
    role = form.cleaned_data["role"]
    role.verified_at, role.verified_by = timezone.now(), request.user
    role.save(update_fields=["verified_at", "verified_by"])
    messages.success(request, f"{role.user.full_name} is now a verified resident of {role.area}.")
    return redirect("places:residents", code=code)
