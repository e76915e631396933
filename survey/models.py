"""Tables of the survey: rounds, invitations, submitted responses and their answers.

Anonymity lives in the schema: a submitted `Response` has no column that points to its
`Invitation`, an account, an address or an exact time. While a respondent is still answering,
their draft lives apart in `Draft`, encrypted under a handle only the application can compute;
submitting moves it into a `Response` and deletes it, and so does the round's closing.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessment.models import Instrument, Item
from survey.attributes import profile_attributes_problems
from survey.emails import validate_body_template, validate_subject_template
from survey.zones import zone_or_none


class Side(models.TextChoices):
    IT = "it", _("IT")
    SECURITY = "security", _("Security")
    OTHER = "other", _("Other")


class Level(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual contributor")
    MANAGER = "manager", _("Manager")
    EXECUTIVE = "executive", _("Executive")


class Function(models.TextChoices):
    INFRASTRUCTURE = "infrastructure", _("Infrastructure and operations")
    APPLICATIONS = "applications", _("Applications and development")
    SERVICE_DESK = "service_desk", _("Service desk and end-user support")
    ARCHITECTURE = "architecture", _("Architecture and engineering")
    IDENTITY = "identity", _("Identity and access management")
    SECURITY_OPERATIONS = "security_operations", _("Security operations and incident response")
    GOVERNANCE = "governance", _("Governance, risk and compliance")
    LEADERSHIP = "leadership", _("Leadership and management")
    OTHER = "other", _("Other")


def language_codes() -> list[str]:
    """The codes of the languages the app offers (``settings.LANGUAGES``: English, then each
    language with a catalog), e.g. ``["en", "fr", "de", "es"]``."""
    return [code for code, _name in settings.LANGUAGES]


def validate_profile_attributes(value: object) -> None:
    """Refuse a malformed list of declared profile attributes (see survey.attributes); a
    translation may be given in any language the app offers."""
    problems = profile_attributes_problems(value, languages=language_codes())
    if problems:
        raise ValidationError(problems)


# Round slugs share the /reports/<slug>/ URL space with these pages.
RESERVED_ROUND_SLUGS = frozenset({"methodology"})


def validate_round_slug(value: str) -> None:
    """Refuse a slug that names a reports page instead of a round."""
    if value.lower() in RESERVED_ROUND_SLUGS:
        raise ValidationError(
            _("%(slug)r is reserved for a reports page; choose another slug."),
            params={"slug": value},
        )


class SurveyRound(models.Model):
    """One administration of an instrument, open between two aware datetimes."""

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="rounds")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True, validators=[validate_round_slug])
    opens_at = models.DateTimeField(default=timezone.now)
    closes_at = models.DateTimeField(null=True, blank=True)
    timezone = models.CharField(max_length=64, default="UTC")
    # A code of settings.LANGUAGES (no model choices: a new catalog adds a language without
    # a migration); the admin offers them.
    language = models.CharField(
        max_length=10,
        default="en",
        blank=True,
        help_text=_(
            "The language of the round's emails, for invitees whose list gives none "
            "(respondents choose their own on the survey)."
        ),
    )
    min_group_size = models.PositiveSmallIntegerField(
        default=settings.FRICTION_DEFAULT_MIN_GROUP_SIZE,
        validators=[
            MinValueValidator(settings.FRICTION_MIN_GROUP_SIZE_FLOOR),
            MaxValueValidator(settings.FRICTION_MAX_GROUP_SIZE),
        ],
        help_text=_(
            "Anonymity threshold k: smaller groups are shown as 'not enough responses'. Once "
            "the round has responses, k can be raised but never lowered."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Emails to invitees (issue 8). Blank subject/body = the default text in
    # survey.emails; admins edit them on the round page (Django template syntax).
    max_reminders = models.PositiveSmallIntegerField(
        default=2,
        help_text=_("How many reminders an invitee who has not completed may get, at most."),
    )
    invitation_subject = models.CharField(
        max_length=200, blank=True, validators=[validate_subject_template]
    )
    invitation_body = models.TextField(blank=True, validators=[validate_body_template])
    reminder_subject = models.CharField(
        max_length=200, blank=True, validators=[validate_subject_template]
    )
    reminder_body = models.TextField(blank=True, validators=[validate_body_template])
    # Scheduled reminders (issue 16): the hourly beat task reminds, from 09:00 in the round's
    # time zone, those last emailed at least this many days ago; 0 = only on a staff click.
    reminder_after_days = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(60)],
        help_text=_(
            "Remind automatically those who have not completed this many days after their "
            "last email (from 09:00 in the round's time zone); 0 = only when staff click "
            "Send reminders."
        ),
    )
    # Extra profile questions (issue 5): [{"name", "label", "choices"}]; answers are kept in
    # Response.attributes, where imported attributes go too.
    profile_attributes = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_profile_attributes],
        help_text=_(
            "Profile questions asked beyond side, function and level, as a JSON list of "
            '{"name": "region", "label": "Region", "choices": ["EMEA", "Americas"]}.'
        ),
    )

    class Meta:
        ordering = ["-opens_at", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_group_size__gte=settings.FRICTION_MIN_GROUP_SIZE_FLOOR),
                name="round_min_group_size_floor",
            ),
            models.CheckConstraint(
                condition=models.Q(closes_at__isnull=True)
                | models.Q(closes_at__gt=models.F("opens_at")),
                name="round_closes_after_opens",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if zone_or_none(self.timezone) is None:
            raise ValidationError({"timezone": _("Unknown time zone.")})
        if self.closes_at and self.opens_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("A round must close after it opens.")})
        if self.pk is None:
            return
        stored = (
            SurveyRound.objects.filter(pk=self.pk)
            .values_list("min_group_size", "instrument_id")
            .first()
        )
        if stored is None or not self.responses.exists():
            return
        before, instrument_id = stored
        if self.instrument_id is not None and self.instrument_id != instrument_id:
            raise ValidationError(
                {
                    "instrument": _(
                        "This round has responses to its questionnaire, so its instrument "
                        "cannot be changed: its answers would be read against other "
                        "statements. Create a new round for the other version."
                    )
                }
            )
        if self.min_group_size is not None and self.min_group_size < before:
            raise ValidationError(
                {
                    "min_group_size": _(
                        "This round has responses, so its threshold k can be raised but "
                        "never lowered (it is %(k)s): a lower k would show groups its "
                        "respondents were promised would stay hidden."
                    )
                    % {"k": before}
                }
            )

    def is_open(self, at=None) -> bool:
        at = at or timezone.now()
        return self.opens_at <= at and (self.closes_at is None or at < self.closes_at)


class Draft(models.Model):
    """What a respondent has typed but not submitted, kept apart (``survey.drafts``): an
    opaque ``handle`` computed from the invitation with the server's secret, and the draft
    encrypted. Deleted when the response is submitted or the round closes."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="drafts")
    handle = models.CharField(max_length=64, unique=True)
    sealed = models.TextField()

    def __str__(self) -> str:
        return f"draft {self.handle[:8]}…"


class Invitation(models.Model):
    """A single-use link. Only the SHA-256 of its token is stored.

    The in-progress profile and answers are not here but in :class:`Draft`, under a handle
    only the application can compute, so no column ties them to the invitation or its
    email address; once the response is submitted, `used` is all that remains.
    """

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    side = models.CharField(max_length=20, choices=Side.choices, blank=True)
    function = models.CharField(max_length=40, choices=Function.choices, blank=True)
    level = models.CharField(max_length=20, choices=Level.choices, blank=True)
    # The language of this invitee's emails (blank: the round's).
    language = models.CharField(max_length=10, blank=True)
    used = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Kept only to send the link and the reminders: never exported, never shown beside
    # answers. Stored lower-case; unique per round when given.
    email = models.EmailField(blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_sent_on = models.DateField(
        null=True, blank=True, help_text=_("Day the last email went out; empty = never sent.")
    )

    class Meta:
        indexes = [models.Index(fields=["round", "used"], name="invitation_round_used")]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "email"],
                condition=~models.Q(email=""),
                name="invitation_email_once_per_round",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation {self.pk} to {self.round}"


class ImportBatch(models.Model):
    """One file of responses imported into a round: where they came from and when.

    The SHA-256 of the file's bytes is unique per round, so the same file is not imported
    twice by mistake; replacing a batch deletes it, and its responses with it.
    """

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="import_batches")
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    imported_at = models.DateTimeField(default=timezone.now)
    response_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-imported_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "sha256"], name="import_batch_once_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.response_count} responses)"


class Response(models.Model):
    """One respondent's submitted questionnaire: their profile, kept apart from any identity."""

    class Source(models.TextChoices):
        COLLECTED = "collected", _("Collected in the browser")
        IMPORTED = "imported", _("Imported from a file")

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="responses")
    side = models.CharField(max_length=20, choices=Side.choices)
    function = models.CharField(max_length=40, blank=True)
    level = models.CharField(max_length=20, blank=True)
    submitted_on = models.DateField(help_text=_("Kept to the day, never the exact time."))
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.COLLECTED)
    import_batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="responses",
        help_text=_("The imported file this response came from; empty when collected."),
    )
    attributes = models.JSONField(
        default=dict,
        blank=True,
        help_text=_("Profile attributes beyond side, function and level, e.g. region."),
    )
    # A copy of this response's Likert Answer rows, written with them in one transaction by
    # survey.services.responses.responses_write, so responses.csv reads one row per respondent
    # instead of one per answer (docs/performance.md). Answers are never edited afterwards,
    # and an instrument version is immutable once answered, so the positions stay valid.
    likert_answers = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text=_(
            "The raw Likert values (1..k, 0 = don't know, null = not answered), one per Likert "
            "item of the instrument in instrument order; empty when none was answered."
        ),
    )

    class Meta:
        indexes = [models.Index(fields=["round", "side"], name="response_round_side")]

    def __str__(self) -> str:
        return f"Response {self.pk} ({self.get_side_display()})"


class Answer(models.Model):
    """One answer to one item: a Likert value (1..points), "don't know" (``dont_know``, value
    blank: never scored), or a comment; for a meta-perception statement also the respondent's
    guess of the other side's answer (``predicted_other``, 1..points)."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="answers")
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    # db_default too: bulk loaders writing SQL (bench/generate.py, COPY) need not name it.
    dont_know = models.BooleanField(default=False, db_default=False)
    predicted_other = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="answer_once_per_item"),
        ]
        indexes = [models.Index(fields=["item", "value"], name="answer_item_value")]

    def __str__(self) -> str:
        return f"{self.item_id}={self.value if self.value is not None else self.text[:20]}"


class SendJob(models.Model):
    """One send of invitations or reminders to a round (a click, a command, a schedule): the
    invitees it emails are its :class:`SendItem` rows. At most one is under way per round.

    Written only by ``survey.services.sending``; a worker or the request itself sends it.
    """

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitations")
        REMINDER = "reminder", _("Reminders")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Sending")
        DONE = "done", _("Done")
        STOPPED = "stopped", _("Stopped")

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="send_jobs")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Last time a sender claimed work: a job quiet for longer is resumed (its worker died).
    active_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Temporary mail server failures in a row (reset by a sent email), and the last error.
    retries = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round"],
                condition=models.Q(status__in=["queued", "running"]),
                name="send_job_one_under_way_per_round",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.round} ({self.status})"

    @property
    def under_way(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class SendItem(models.Model):
    """One invitee's email within a :class:`SendJob`, moved through its states by
    ``survey.services.sending``: pending -> claimed (a sender took it, nothing changed yet)
    -> sending (fresh link stored, handed to the mail server) -> sent; or failed (not sent,
    invitee unchanged), skipped (completed meanwhile), unknown (its sender died while handing
    it to the server: it may have gone out, so it is not sent again automatically).

    No address here: it stays on the invitation. ``previous_*`` keep what the invitation had
    before the fresh link, to put back if the server refuses the email.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        CLAIMED = "claimed", _("Claimed")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")
        UNKNOWN = "unknown", _("Unknown")

    job = models.ForeignKey(SendJob, on_delete=models.CASCADE, related_name="items")
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    # Which sender holds the claim; a sender changes only the rows of its own lease.
    lease = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    previous_token_hash = models.CharField(max_length=64, blank=True)
    previous_last_sent_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "invitation"], name="send_item_once_per_job"),
        ]
        indexes = [models.Index(fields=["job", "state"], name="send_item_job_state")]

    def __str__(self) -> str:
        return f"{self.job_id}/{self.invitation_id}: {self.state}"
