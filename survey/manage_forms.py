"""Forms of the staff round page: extend, add invitees, edit the emails, confirm a send."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from crispy_forms.helper import FormHelper
from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from survey.emails import DEFAULT_BODIES, DEFAULT_SUBJECTS, INVITATION, REMINDER
from survey.invitees import InviteeListError, InviteeRow, invitees_read_csv, invitees_read_text
from survey.models import SurveyRound
from survey.uploads import FileSizeValidator
from survey.zones import reread_in_zone

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

MAX_PASTED_CHARS = 500_000
MAX_REMINDERS_LIMIT = 10


def _helper() -> FormHelper:
    helper = FormHelper()
    # The template owns the <form> tag, the CSRF token and the buttons.
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class ExtendForm(forms.Form):
    """A new closing time, typed as a wall-clock time in the round's time zone."""

    closes_at = forms.DateTimeField(
        label=_("New closing time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, zone: ZoneInfo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.fields["closes_at"].help_text = _(
            "Date and time in the round's time zone, %(zone)s."
        ) % {"zone": zone.key}
        self.helper = _helper()

    def clean_closes_at(self) -> Any:
        value = self.cleaned_data["closes_at"]
        # Django read the wall clock in the active time zone; read it in the round's zone.
        return reread_in_zone(value, self.zone)


class InviteesForm(forms.Form):
    """An invitee list: a CSV file or pasted addresses (one of the two)."""

    file = forms.FileField(
        label=_("CSV file"),
        required=False,
        help_text=_(
            "A header row with the column names email (required), side, function, level, "
            "language, written in English as here; then one invitee per line."
        ),
        validators=[FileSizeValidator("FRICTION_INVITEE_MAX_BYTES", _("Split it."))],
    )
    addresses = forms.CharField(
        label=_("Or paste addresses"),
        required=False,
        max_length=MAX_PASTED_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One per line, or separated by commas or semicolons."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        if Path(upload.name or "").suffix.lower() not in (".csv", ".txt"):
            raise forms.ValidationError(_("Upload a .csv file."))
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        upload = cleaned.get("file")
        text = (cleaned.get("addresses") or "").strip()
        if self.errors:
            return cleaned
        if upload and text:
            raise forms.ValidationError(_("Upload a file or paste addresses, not both."))
        if not upload and not text:
            raise forms.ValidationError(_("Upload a CSV file or paste addresses."))
        try:
            cleaned["rows"] = (
                invitees_read_csv(upload.read()) if upload else invitees_read_text(text)
            )
        except InviteeListError as exc:
            raise forms.ValidationError(exc.problems) from exc
        return cleaned

    @property
    def rows(self) -> list[InviteeRow]:
        return self.cleaned_data["rows"]


class EmailTemplatesForm(forms.ModelForm):
    """The round's invitation and reminder texts (shown with the default text when blank)
    and how many reminders an invitee may get."""

    class Meta:
        model = SurveyRound
        fields = [
            "invitation_subject",
            "invitation_body",
            "reminder_subject",
            "reminder_body",
            "max_reminders",
            "reminder_after_days",
        ]
        labels = {
            "invitation_subject": _("Invitation subject"),
            "invitation_body": _("Invitation text"),
            "reminder_subject": _("Reminder subject"),
            "reminder_body": _("Reminder text"),
            "max_reminders": _("Reminders per invitee, at most"),
            "reminder_after_days": _("Remind automatically after (days)"),
        }
        help_texts = {
            "invitation_body": _("Must contain {{ link }}, where each invitee's own link goes."),
            "reminder_body": _(
                "Must contain {{ link }}. A reminder's link replaces the earlier one, which "
                "stops working: say so."
            ),
        }
        widgets = {
            "invitation_body": forms.Textarea(attrs={"rows": 12}),
            "reminder_body": forms.Textarea(attrs={"rows": 12}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in (INVITATION, REMINDER):
            for name, defaults in (("subject", DEFAULT_SUBJECTS), ("body", DEFAULT_BODIES)):
                field = f"{kind}_{name}"
                if not getattr(self.instance, field):
                    self.initial[field] = str(defaults[kind])
                self.fields[field].required = True
        self.fields["max_reminders"].widget.attrs["max"] = MAX_REMINDERS_LIMIT
        self.fields["max_reminders"].validators.append(MaxValueValidator(MAX_REMINDERS_LIMIT))
        # Blank (or a form from before the setting existed) keeps reminders manual.
        self.fields["reminder_after_days"].required = False
        self.helper = _helper()

    def clean_reminder_after_days(self) -> int:
        return self.cleaned_data.get("reminder_after_days") or 0


class ConfirmSendForm(forms.Form):
    """A required tick box: an email cannot be called back."""

    confirm = forms.BooleanField(
        label=_("Yes, send these emails now"),
        error_messages={"required": _("Tick the box to confirm: sent emails cannot be undone.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()
