"""Tables of the instrument: instruments, their dimensions and items."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

MIN_SCALE_POINTS = 4
MAX_SCALE_POINTS = 7


class Instrument(models.Model):
    """One version of a questionnaire, loaded from a YAML file; immutable once answered."""

    slug = models.SlugField(max_length=80)
    version = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    scale_points = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(MIN_SCALE_POINTS), MaxValueValidator(MAX_SCALE_POINTS)]
    )
    scale_labels = models.JSONField(help_text=_("One label per scale point, lowest first."))
    dont_know_label = models.CharField(
        max_length=100,
        blank=True,
        help_text=_("The answer kept apart from the scale (never scored); blank: not offered."),
    )
    meta_prompts = models.JSONField(
        default=dict,
        blank=True,
        help_text=_(
            "{side: question} asked after a meta-perception statement, e.g. {'it': 'How do "
            "you think security staff would answer?'}."
        ),
    )
    source_sha256 = models.CharField(max_length=64, blank=True)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug", "-loaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="instrument_slug_version"),
            models.CheckConstraint(
                condition=models.Q(scale_points__gte=MIN_SCALE_POINTS)
                & models.Q(scale_points__lte=MAX_SCALE_POINTS),
                name="instrument_scale_points_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.slug} v{self.version})"


class Dimension(models.Model):
    """A facet of collaboration friction, scored from its Likert items."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="dimensions")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    guidance = models.TextField(blank=True, help_text=_("What leaders can do when it breaks down."))
    order = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["instrument", "order"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="dimension_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    """One question: a Likert statement or an optional free-text comment."""

    class Kind(models.TextChoices):
        LIKERT = "likert", _("Likert")
        TEXT = "text", _("Free text")
        OUTCOME = "outcome", _("Outcome (Likert, never in a dimension's score)")

    class About(models.TextChoices):
        IT = "it", _("IT's behaviour")
        SECURITY = "security", _("Security's behaviour")

    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="items")
    code = models.SlugField(max_length=40)
    text = models.TextField()
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.LIKERT)
    reverse_scored = models.BooleanField(default=False)
    mirror_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="mirrored_by"
    )
    about = models.CharField(
        max_length=10,
        choices=About.choices,
        blank=True,
        help_text=_("Whose behaviour a mirror statement describes."),
    )
    meta_perception = models.BooleanField(
        default=False,
        help_text=_("Each side also answers how it thinks the other side would answer."),
    )
    order = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["dimension__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["dimension", "code"], name="item_code_unique"),
        ]

    def __str__(self) -> str:
        return self.code
