"""The audit trail's one table: every entry says who did what, when, and to which round.

An entry never holds an answer, a comment, an invitation token or link, or an invitee's
address: only names of pages, files and fields, numbers, and the settings of rounds
(``docs/security.md``, "Audit trail"). Entries are written by :mod:`audit.services` and
never edited; the retention purge deletes them (``survey.services.retention``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The labels of a round's recorded settings, for the summaries (RoundChange's, folded in).
ROUND_FIELD_LABELS = {
    "min_group_size": _("Threshold k"),
    "opens_at": _("Opens"),
    "closes_at": _("Closes"),
    "profile_attributes": _("Profile questions"),
}

# The keys of ``Entry.detail`` in the order a summary names them; others follow by name.
SUMMARY_ORDER = (
    "responses",
    "replaced",
    "replaced_files",
    "invitations",
    "addresses",
    "drafts",
    "entries",
    "comparison",
    "backend",
)


class Entry(models.Model):
    """One recorded action. ``actor`` is the account (kept null once it is deleted);
    ``actor_name`` what the trail shows: the user name then, the user name *tried* for a
    failed sign-in, "command line (<OS user>)", or blank for the system. ``round`` is null
    for actions on no round and once the round is deleted (``round_name`` stays);
    ``subject`` names what was acted on (a page, a file, a field); ``detail`` holds numbers
    and values as plain JSON."""

    class Action(models.TextChoices):
        SIGNED_IN = "signed_in", _("Signed in")
        SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
        SIGNED_OUT = "signed_out", _("Signed out")
        REPORT_VIEWED = "report_viewed", _("Viewed a report")
        EXPORT_DOWNLOADED = "export_downloaded", _("Downloaded an export")
        ROUND_CREATED = "round_created", _("Created a round")
        ROUND_CHANGED = "round_changed", _("Changed a round")
        ROUND_DELETED = "round_deleted", _("Deleted a round")
        RESPONSES_IMPORTED = "responses_imported", _("Imported responses")
        RESPONSES_REPLACED = "responses_replaced", _("Replaced imported responses")
        RESPONSES_DELETED = "responses_deleted", _("Deleted responses")
        ADDRESSES_ERASED = "addresses_erased", _("Erased invitee addresses")
        EXPIRED_PURGED = "expired_purged", _("Purged expired data")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("account"),
    )
    actor_name = models.CharField(_("who"), max_length=150, blank=True)
    # A string reference: the trail imports no app (docs/architecture.md); deleting a round
    # keeps its entries, which then age out like entries of no round.
    round = models.ForeignKey(
        "survey.SurveyRound",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("round"),
    )
    round_name = models.CharField(_("round name"), max_length=200, blank=True)
    subject = models.CharField(_("what"), max_length=255, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["round", "at"], name="audit_entry_round_at"),
            models.Index(fields=["action", "at"], name="audit_entry_action_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or '-'} {self.action}"

    def summary(self) -> str:
        """The entry in a few words, e.g. "Threshold k: 5 → 8" or "survey.csv: 120
        responses", from ``subject`` and ``detail`` (the admin's list and the CSV)."""
        detail = self.detail if isinstance(self.detail, dict) else {}
        if self.action == self.Action.ROUND_CHANGED:
            label = ROUND_FIELD_LABELS.get(self.subject, self.subject)
            before, after = detail.get("from") or "–", detail.get("to") or "–"
            return f"{label}: {before} → {after}"
        parts = [self.subject] if self.subject else []
        # In a fixed order: PostgreSQL's jsonb keeps keys in an order of its own.
        order = {key: n for n, key in enumerate(SUMMARY_ORDER)}
        for key, value in sorted(detail.items(), key=lambda kv: (order.get(kv[0], 99), kv[0])):
            shown = ", ".join(map(str, value)) if isinstance(value, list) else value
            parts.append(f"{key.replace('_', ' ')}: {shown}")
        return "; ".join(str(part) for part in parts)
