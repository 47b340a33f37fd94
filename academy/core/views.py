import sys

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
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
from .selectors import task_queue_health
from .throttle import email_allowed


@never_cache
@require_safe
def healthz(request):
    """For load balancers: 200 when the database answers, else 503. With ?deep=1
    (for monitoring, not every few seconds) the task queue too: 503 when jobs have
    waited longer than ACADEMY_QUEUE_STALL_MINUTES, i.e. no worker takes them."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy", never a 500
        return JsonResponse(
            {"status": "unavailable", "database": "unreachable"}, status=503
        )
    if not request.GET.get("deep"):
        return JsonResponse({"status": "ok", "database": "ok"})
    queue = task_queue_health()
    body: dict = {
        "status": "ok" if queue.ok else "unavailable",
        "database": "ok",
        "queue": {
            "backend": queue.backend,
            "waiting": queue.waiting,
            "stalled": queue.stalled,
            "oldest_waiting_minutes": queue.oldest_minutes,
            "broker": "ok" if queue.reachable else "unreachable",
        },
    }
    if queue.stalled:
        body["detail"] = (
            f"{queue.stalled} background job(s) have waited more than "
            f"{queue.limit_minutes} minutes: is the task worker running?"
        )
    elif not queue.reachable:
        body["detail"] = "The task queue's broker does not answer."
    return JsonResponse(body, status=200 if queue.ok else 503)


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
    """Django calls this inside the `except` that caught the error. A database that
    does not answer (stopped, restarting, failing over) is a 503 with a plain page
    that needs no database, and the visitor can simply try again."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return database_unavailable(request)
    return render(request, "500.html", status=500)


def database_unavailable(request) -> HttpResponse:
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "30"
    return response


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
