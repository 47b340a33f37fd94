from django import forms
from django.contrib.auth import authenticate, get_user_model, password_validation
from django.utils.translation import gettext_lazy as _

from .models import User, time_zone_choices


class TimeZoneMixin(forms.Form):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)


class RegistrationForm(TimeZoneMixin, forms.ModelForm):
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters; not only numbers; not a common password."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = User
        fields = [
            "email",
            "full_name",
            "preferred_language",
            "work_role",
            "jurisdiction",
            "time_zone",
        ]
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
        }

    def clean_email(self):
        # Whether the address has an account is not said here (no enumeration):
        # the view answers alike and emails the owner instead.
        return get_user_model().objects.normalize_email(self.cleaned_data["email"])

    def _get_validation_exclusions(self):
        # Not the model's unique-email check either (see clean_email); the
        # database constraint still guards the table.
        return super()._get_validation_exclusions() | {"email"}

    def clean_full_name(self):
        name = self.cleaned_data["full_name"]
        _no_control_characters(name)
        return name

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            user = User(
                email=cleaned.get("email", ""), full_name=cleaned.get("full_name", "")
            )
            try:
                password_validation.validate_password(p1, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


def _no_control_characters(value: str) -> None:
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise forms.ValidationError(_("Write the name on one line."))


class SignInForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user = None
        self.unverified_user = None
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        email, password = cleaned.get("email"), cleaned.get("password")
        if email and password:
            user = authenticate(self.request, email=email, password=password)
            if user is None:
                unverified = _unverified_with(email, password)
                if unverified is not None:
                    self.unverified_user = unverified
                    raise forms.ValidationError(
                        _(
                            "Confirm your email address first: follow the link we "
                            "sent you."
                        )
                    )
                raise forms.ValidationError(
                    _(
                        "That email and password do not match an account. "
                        "Check both, or reset your password."
                    )
                )
            self.user = user
        return cleaned


def _unverified_with(email: str, password: str):
    """The account, when the password is right but the address not yet confirmed
    (the backend refuses it; this says why, to the person who knows the password)."""
    user = get_user_model().objects.filter(email__iexact=email.strip()).first()
    if (
        user is not None
        and not user.is_email_verified
        and user.is_active
        and user.check_password(password)
    ):
        return user
    return None


class ResendVerificationForm(forms.Form):
    email = forms.EmailField(label=_("Email"))


class ProfileForm(TimeZoneMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = [
            "full_name",
            "preferred_language",
            "work_role",
            "jurisdiction",
            "time_zone",
            "reminder_emails",
        ]
        widgets = {"full_name": forms.TextInput(attrs={"autocomplete": "name"})}

    def clean_full_name(self):
        name = self.cleaned_data["full_name"]
        _no_control_characters(name)
        return name
