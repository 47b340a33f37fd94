from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import accounts
from .exceptions import PublicHttp404
from .forms import ProfileForm, RegistrationForm, ResendVerificationForm, SignInForm
from .http import client_address
from .throttle import email_allowed


@never_cache
@require_safe
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


def bench_bare(request):
    """The yardstick of `make bench-http`: nothing but the middleware. Routed only
    when ACADEMY_BENCH_BARE_VIEW is set (academy.settings.bench)."""
    return HttpResponse("ok")


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


def register(request):
    if request.user.is_authenticated:
        return redirect("dashboard")
    initial = {"preferred_language": translation.get_language()}
    form = RegistrationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        existing = accounts.user_by_email(email=data["email"])
        if existing is not None:
            # The same answer as for a new address; the owner is told instead.
            if email_allowed(request, existing.email):
                accounts.send_already_registered_email(
                    user=existing, base_url=_base_url(request)
                )
            return render(
                request, "accounts/register_done.html", {"email": data["email"]}
            )
        user = accounts.user_register(
            email=data["email"],
            password=data["password1"],
            full_name=data["full_name"],
            preferred_language=data["preferred_language"],
            jurisdiction=data["jurisdiction"],
            time_zone=data["time_zone"],
            work_role=data["work_role"],
            client_address=client_address(request),
        )
        if email_allowed(request, user.email):
            accounts.send_verification_email(user=user, base_url=_base_url(request))
        return render(request, "accounts/register_done.html", {"email": user.email})
    return render(request, "accounts/register.html", {"form": form})


def verify_email(request, token):
    """Confirms the address once; signs nobody in (the person signs in next)."""
    try:
        accounts.user_verify_email(token=token)
    except accounts.VerificationFailed as failed:
        return render(
            request,
            "accounts/verify_failed.html",
            {"reason": failed.reason},
            status=400,
        )
    messages.success(
        request, _("Your email address is confirmed. You can sign in now.")
    )
    return redirect("accounts:login")


def resend_verification(request):
    form = ResendVerificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = (
            get_user_model()
            .objects.filter(email__iexact=form.cleaned_data["email"].strip())
            .first()
        )
        if (
            user is not None
            and not user.is_email_verified
            and email_allowed(request, user.email)
        ):
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
            work_role=data["work_role"],
        )
        with translation.override(data["preferred_language"]):
            messages.success(request, _("Your profile is saved."))
            return redirect(reverse("accounts:profile"))
    return render(request, "accounts/profile.html", {"form": form})


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, with the emails it sends limited per address and per client; over
    the limit the visitor sees the same "sent" page and nothing goes out."""

    def form_valid(self, form):
        if not email_allowed(self.request, form.cleaned_data["email"]):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


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
    """Only messages written for visitors are shown; Django's and Wagtail's own 404
    and 403 messages are for developers."""
    if isinstance(exception, PublicHttp404 | PermissionDenied) and str(exception):
        text = str(exception)
        return "" if text.startswith(("{", "Resolver404")) else text
    return ""
