from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import accounts
from .exceptions import ApplicationError
from .forms import ProfileForm, RegistrationForm, ResendVerificationForm, SignInForm
from .http import client_address


@never_cache
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy", never a 500
        return JsonResponse(
            {"status": "unavailable", "database": "unreachable"}, status=503
        )
    return JsonResponse({"status": "ok", "database": "ok"})


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


def register(request):
    if request.user.is_authenticated:
        return redirect("dashboard")
    initial = {"preferred_language": translation.get_language()}
    form = RegistrationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = accounts.user_register(
            email=data["email"],
            password=data["password1"],
            full_name=data["full_name"],
            preferred_language=data["preferred_language"],
            jurisdiction=data["jurisdiction"],
            time_zone=data["time_zone"],
            client_address=client_address(request),
        )
        accounts.send_verification_email(user=user, base_url=_base_url(request))
        return render(request, "accounts/register_done.html", {"email": user.email})
    return render(request, "accounts/register.html", {"form": form})


def verify_email(request, token):
    try:
        user = accounts.user_verify_email(token=token)
    except ApplicationError as error:
        expired = error.message == "expired"
        return render(
            request, "accounts/verify_failed.html", {"expired": expired}, status=400
        )
    login(request, user, backend="academy.core.backends.EmailBackend")
    messages.success(request, _("Your email address is confirmed. Welcome."))
    return redirect("dashboard")


def resend_verification(request):
    form = ResendVerificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = (
            get_user_model()
            .objects.filter(email__iexact=form.cleaned_data["email"].strip())
            .first()
        )
        if user is not None and not user.is_email_verified:
            accounts.send_verification_email(user=user, base_url=_base_url(request))
        # The same answer either way: this page must not reveal who has an account.
        return render(
            request,
            "accounts/register_done.html",
            {"email": form.cleaned_data["email"]},
        )
    return render(request, "accounts/resend.html", {"form": form})


def sign_in(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    form = SignInForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.user
        login(request, user, backend="academy.core.backends.EmailBackend")
        if next_url:
            return HttpResponseRedirect(next_url)
        with translation.override(user.preferred_language):
            return redirect(reverse("dashboard"))
    return render(
        request,
        "accounts/sign_in.html",
        {
            "form": form,
            "next": next_url,
            "unverified": form.unverified_user is not None,
        },
    )


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        accounts.user_update_profile(
            user=request.user,
            full_name=data["full_name"],
            preferred_language=data["preferred_language"],
            jurisdiction=data["jurisdiction"],
            time_zone=data["time_zone"],
            reminder_emails=data["reminder_emails"],
        )
        with translation.override(data["preferred_language"]):
            messages.success(request, _("Your profile is saved."))
            return redirect(reverse("accounts:profile"))
    return render(request, "accounts/profile.html", {"form": form})


def support(request):
    return render(request, "core/support.html")


def error_404(request, exception=None):
    return render(request, "404.html", {"message": _message(exception)}, status=404)


def error_500(request):
    return render(request, "500.html", status=500)


def error_403(request, exception=None):
    return render(request, "403.html", {"message": _message(exception)}, status=403)


def error_400(request, exception=None):
    return render(request, "400.html", status=400)


def _message(exception) -> str:
    if exception is None:
        return ""
    text = str(exception)
    # Django's own resolver messages are for developers, not for visitors.
    if (
        not text
        or text.startswith(("{", "No ", "Resolver404"))
        or "Page matching" in text
    ):
        return ""
    return text
