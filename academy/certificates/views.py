"""Public verification (no account), the signed credential, and a learner's own PDF.

Verification pages are not language-prefixed: short, stable addresses for QR codes.
The language comes from the browser or ?lang=, and the switcher sets it."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from academy.core import anonymous
from academy.core.exceptions import PublicHttp404

from . import bulk, credentials, selectors
from .keys import KeyUnavailable
from .models import Certificate, OrganisationCertificate, Transcript
from .ratelimit import lookup_limited, lookups_charge, too_many
from .services import (
    STATUS_LIST_CACHE_SECONDS,
    certificate_pdf_ensure,
    status_list_cache_key,
)

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
VERIFY_PAGE_SECONDS = 24 * 60 * 60  # an anonymous verification page, kept (`_kept`)


def _language(request) -> str | None:
    chosen = request.GET.get("lang")
    if chosen in LANGUAGE_CODES:
        translation.activate(chosen)
        request.LANGUAGE_CODE = chosen
        return chosen
    return None


def _remember(response, chosen):
    if chosen:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            chosen,
            samesite="Lax",
            max_age=365 * 24 * 3600,
        )
    return response


@require_http_methods(["GET", "POST"])
def verify_index(request):
    chosen = _language(request)
    if request.method == "POST":
        return _remember(_lookup_form(request), chosen)
    return _remember(render(request, "certificates/verify_index.html"), chosen)


@lookup_limited
def _lookup_form(request):
    lookup = selectors.certificate_lookup(typed=request.POST.get("code", ""))
    if lookup.outcome == "found":
        return redirect("verify_detail", code=lookup.code)
    return _not_verified(request, lookup)


def _not_verified(request, lookup):
    status = 404 if lookup.outcome == "not_found" else 400
    return render(
        request,
        "certificates/verify_index.html",
        {"lookup": lookup, "typed": lookup.code},
        status=status,
    )


@require_GET
@lookup_limited
def verify_detail(request, code):
    chosen = _language(request)
    lookup = selectors.certificate_lookup(typed=code)
    if lookup.outcome != "found":
        return _remember(_not_verified(request, lookup), chosen)
    if lookup.code != code:  # a forgiving spelling: send to the canonical address
        return redirect("verify_detail", code=lookup.code)
    certificate = lookup.certificate
    return _remember(_kept(request, certificate), chosen)


def _verification(request, certificate, status):
    if isinstance(certificate, Transcript):
        return render(
            request, "certificates/verify_transcript.html", {"transcript": certificate}
        )
    template = (
        "certificates/verify_organisation.html"
        if isinstance(certificate, OrganisationCertificate)
        else "certificates/verify_detail.html"
    )
    return render(
        request,
        template,
        {
            "certificate": certificate,
            "superseded": request.GET.get("superseded") == "1",
            "status": status,
            "verify_url": credentials.public_url(f"/verify/{certificate.code}/"),
        },
    )


def _kept(request, certificate):
    """The verification page; for a visitor without a session, kept in the shared
    cache (and in this process: the key fixes the page) under the certificate's
    whole row and its status now (core.anonymous):
    a revocation, a re-issue or an expiry makes a new key, so it shows at once.
    Everything the page shows is on the row (its `renews` code never changes)."""
    status = getattr(certificate, "status", None)
    key = None
    if anonymous.is_anonymous(request):
        row = [getattr(certificate, f.attname) for f in certificate._meta.fields]
        key = anonymous.page_key(
            request, "verify", repr([type(certificate).__name__, status, row])
        )
    if key is None:
        return _verification(request, certificate, status)
    kept = anonymous.addressed_get(key)  # the key fixes the page: no shared read
    if kept is not None:
        return kept.response()
    kept = cache.get(key)
    if isinstance(kept, anonymous.KeptPage):
        anonymous.addressed_put(key, kept)
        return kept.response()
    response = _verification(request, certificate, status)
    kept = anonymous.keepable(request, response)
    if kept is not None:
        cache.set(key, kept, VERIFY_PAGE_SECONDS)
        anonymous.addressed_put(key, kept)
    return response


def _upload(request, *, error_key, missing, max_bytes, too_large):
    """The uploaded file, or the page that says plainly why it was refused."""
    upload = request.FILES.get("file")
    if upload is None:
        message, status = missing, 400
    elif upload.size > max_bytes:
        message, status = too_large, 413
    else:
        return upload, None
    return None, render(
        request, "certificates/verify_index.html", {error_key: message}, status=status
    )


@require_http_methods(["POST"])
@lookup_limited
def verify_pdf(request):
    """Was this file issued by us? Compared by SHA-256 with the PDFs we stored."""
    _language(request)
    upload, refusal = _upload(
        request,
        error_key="pdf_error",
        missing=_("Choose a PDF file to check."),
        max_bytes=settings.ACADEMY_VERIFY_UPLOAD_MAX_BYTES,
        too_large=_(
            "That file is larger than 5 MB; our certificates "
            "are far smaller, so it is not one of them."
        ),
    )
    if refusal is not None:
        return refusal
    match = selectors.certificate_by_pdf(data=upload.read())
    if match is None:
        return render(
            request, "certificates/verify_index.html", {"pdf_unknown": True}, status=404
        )
    url = reverse("verify_detail", kwargs={"code": match.code})
    return redirect(url + ("?superseded=1" if match.superseded else ""))


@require_http_methods(["POST"])
def verify_bulk(request):
    """A CSV of codes in, a CSV of statuses out (for HR departments and courts).
    Each code counts as one lookup against the client's limit."""
    _language(request)
    upload, refusal = _upload(
        request,
        error_key="bulk_error",
        missing=_("Choose a CSV file of codes."),
        max_bytes=settings.ACADEMY_VERIFY_BULK_MAX_BYTES,
        too_large=_("That file is too large for %(n)s codes.")
        % {"n": settings.ACADEMY_VERIFY_BULK_MAX_CODES},
    )
    if refusal is not None:
        return refusal
    codes = bulk.codes_from_csv(
        upload.read(), max_codes=settings.ACADEMY_VERIFY_BULK_MAX_CODES
    )
    if isinstance(codes, bulk.BulkProblem):
        return render(
            request,
            "certificates/verify_index.html",
            {"bulk_error": codes.message},
            status=400,
        )
    verdict = lookups_charge(request, cost=len(codes))
    if not verdict.allowed:
        return too_many(request, verdict)
    response = HttpResponse(
        bulk.statuses_csv(codes), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="certificate-statuses.csv"'
    return response


def _found_or_404(code) -> Certificate | OrganisationCertificate:
    lookup = selectors.certificate_lookup(typed=code)
    if (
        lookup.outcome != "found"
        or lookup.code != code
        or isinstance(lookup.certificate, Transcript)  # a record, not a credential
    ):
        raise PublicHttp404(_("No certificate has that code."))
    certificate = lookup.certificate
    assert isinstance(certificate, Certificate | OrganisationCertificate)
    return certificate


@require_GET
@lookup_limited
def credential_json(request, code):
    """The Open Badges credential with its embedded proof, for wallets and
    verifiers; ?download=1 offers it as a file to keep."""
    certificate = _found_or_404(code)
    try:
        document = (
            credentials.credential_sign(
                credentials.organisation_credential_json(certificate)
            )
            if isinstance(certificate, OrganisationCertificate)
            else credentials.credential_signed(certificate)
        )
    except KeyUnavailable:
        return _unavailable(request)
    response = JsonResponse(
        document,
        content_type="application/vc+ld+json",
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    if request.GET.get("download"):
        response["Content-Disposition"] = (
            f'attachment; filename="certificate-{certificate.code}.json"'
        )
    return response


@require_GET
@lookup_limited
def credential_jwt(request, code):
    certificate = _found_or_404(code)
    try:
        token = (
            credentials.organisation_credential_jwt(certificate)
            if isinstance(certificate, OrganisationCertificate)
            else credentials.credential_jwt(certificate)
        )
    except KeyUnavailable:
        return _unavailable(request)
    return HttpResponse(token, content_type="application/vc+jwt")


def _unavailable(request):
    """No signing key yet: an operator's job (README: signing keys), not a 500."""
    response = render(request, "certificates/unavailable.html", status=503)
    response["Retry-After"] = "3600"
    return response


# What a status list request may ask for: the VC-JWT (the default, also for */*),
# or the credential with an embedded proof (JSON-LD verifiers ask for these).
STATUS_LIST_TYPES = [
    "application/vc+jwt",
    "application/vc",
    "application/vc+ld+json",
    "application/ld+json",
    "application/json",
]


@require_GET
@lookup_limited(bucket="public")
def status_list(request, number: int):
    """The revocation list, signed: a VC-JWT, or (when the Accept header prefers
    JSON) the credential with an embedded Data Integrity proof. Verifiers fetch it
    often: each form is kept in the shared cache for a minute and dropped at once
    on a revocation."""
    if number >= selectors.status_list_numbers():
        raise PublicHttp404(_("There is no such status list."))
    wanted = request.get_preferred_type(STATUS_LIST_TYPES) or STATUS_LIST_TYPES[0]
    form = "jwt" if wanted == "application/vc+jwt" else "json"
    key = status_list_cache_key(number, form)
    body = cache.get(key)
    if body is None:
        try:
            if form == "jwt":
                body = credentials.status_list_jwt(number)
            else:
                body = json.dumps(
                    credentials.status_list_signed(number), ensure_ascii=False
                )
        except KeyUnavailable:
            return _unavailable(request)
        cache.set(key, body, STATUS_LIST_CACHE_SECONDS)
    response = HttpResponse(body, content_type=wanted)
    response["Cache-Control"] = f"public, max-age={STATUS_LIST_CACHE_SECONDS}"
    patch_vary_headers(response, ["Accept"])
    return response


@require_GET
@lookup_limited(bucket="public")
def did_document(request):
    try:
        document = credentials.did_document()
    except KeyUnavailable:
        return _unavailable(request)
    response = JsonResponse(
        document, content_type="application/did+json", json_dumps_params={"indent": 2}
    )
    response["Cache-Control"] = "public, max-age=300"
    return response


ACHIEVEMENT_JSON_TYPES = ["application/ld+json", "application/json"]


@require_GET
@lookup_limited(bucket="public")
def achievement(request, course_key: str, version: str, as_json: bool = False):
    """The Open Badges Achievement a credential names: JSON for software (the .json
    address, or an Accept header that prefers JSON), a page for people."""
    chosen = _language(request)
    language = translation.get_language() or settings.LANGUAGE_CODE
    found = selectors.achievement_get(
        course_key=course_key, version=version, language=language
    )
    if found is None:
        raise PublicHttp404(_("There is no such course version."))
    credential = (
        credentials.organisation_credential_json(found.certificate)
        if isinstance(found.certificate, OrganisationCertificate)
        else credentials.credential_json(found.certificate)
    )
    document = credential["credentialSubject"]["achievement"]
    wanted = request.get_preferred_type(["text/html", *ACHIEVEMENT_JSON_TYPES])
    if as_json or wanted in ACHIEVEMENT_JSON_TYPES:
        response = JsonResponse(
            {"@context": credential["@context"], **document},
            content_type=(
                wanted if wanted in ACHIEVEMENT_JSON_TYPES else "application/json"
            ),
            json_dumps_params={"ensure_ascii": False, "indent": 2},
        )
    else:
        course = found.course
        response = render(
            request,
            "certificates/achievement.html",
            {
                "achievement": document,
                "certificate": found.certificate,
                "version": version,
                "contact_hours": getattr(found.certificate, "contact_hours", None),
                "course": course,
                "summary": course.summary if course is not None else "",
                "json_url": request.path + ".json",
            },
        )
    patch_vary_headers(response, ["Accept"])
    response["Cache-Control"] = "public, max-age=300"
    return _remember(response, chosen)


@login_required
def certificate_pdf(request, code):
    """A learner downloads their own certificate; nobody else's. The file lives in
    private storage: this view is the only way to it."""
    certificate = selectors.certificate_for_user(user=request.user, code=code)
    if certificate is None:
        raise PublicHttp404(_("No certificate of yours has that code."))
    if not certificate.pdf_sha256:
        certificate = certificate_pdf_ensure(certificate=certificate)
    return FileResponse(
        certificate.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"certificate-{certificate.code}.pdf",
    )
