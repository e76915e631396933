"""Tables of the instrument: instruments, their dimensions and items."""

from __future__ import annotations

from typing import TypeVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from assessment.languages import translated

T = TypeVar("T")

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
    translations = models.JSONField(
        default=dict,
        blank=True,
        help_text=_(
            "{language code: {needs_review, title, description, scale_labels, "
            "dont_know_label, meta_prompts}}: the instrument's own strings in other languages."
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

    # Each ``*_in`` method returns the text in ``language`` (a code such as "fr" or "fr-ca",
    # matched to "fr"; default: the active language), or the English text when there is no
    # translation for it.

    def title_in(self, language: str | None = None) -> str:
        return _text(self.translations, language, "title", self.title)

    def description_in(self, language: str | None = None) -> str:
        return _text(self.translations, language, "description", self.description)

    def scale_labels_in(self, language: str | None = None) -> list[str]:
        """One label per point, lowest first."""
        return _text(self.translations, language, "scale_labels", list(self.scale_labels or []))

    def dont_know_label_in(self, language: str | None = None) -> str:
        """The "don't know" answer; "" when the instrument offers none."""
        if not (self.dont_know_label or "").strip():
            return ""
        return _text(self.translations, language, "dont_know_label", self.dont_know_label)

    def meta_prompts_in(self, language: str | None = None) -> dict[str, str]:
        """``{side: question}``, each side in ``language`` where translated."""
        prompts = self.meta_prompts or {}
        translated_prompts = _text(self.translations, language, "meta_prompts", {})
        return {side: translated_prompts.get(side) or text for side, text in prompts.items()}

    @property
    def languages(self) -> list[str]:
        """English, then the codes of the languages the instrument is translated into."""
        return ["en", *sorted(self.translations or {})]

    def needs_review(self, language: str) -> bool:
        """True when the texts in ``language`` are not vouched for by a native speaker (and
        for a language without texts); False for English."""
        if language == "en":
            return False
        texts = (self.translations or {}).get(language) or {}
        return texts.get("needs_review", True) is not False


class Dimension(models.Model):
    """A facet of collaboration friction, scored from its Likert items."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="dimensions")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    guidance = models.TextField(blank=True, help_text=_("What leaders can do when it breaks down."))
    order = models.PositiveSmallIntegerField()
    translations = models.JSONField(
        default=dict,
        blank=True,
        help_text=_("{language code: {name, description, guidance}}"),
    )

    class Meta:
        ordering = ["instrument", "order"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="dimension_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def name_in(self, language: str | None = None) -> str:
        """The name in ``language`` (default: the active one), else in English."""
        return _text(self.translations, language, "name", self.name)

    def description_in(self, language: str | None = None) -> str:
        return _text(self.translations, language, "description", self.description)

    def guidance_in(self, language: str | None = None) -> str:
        return _text(self.translations, language, "guidance", self.guidance)


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
    translations = models.JSONField(
        default=dict, blank=True, help_text=_("{language code: {text}}")
    )

    class Meta:
        ordering = ["dimension__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["dimension", "code"], name="item_code_unique"),
        ]

    def __str__(self) -> str:
        return self.code

    def text_in(self, language: str | None = None) -> str:
        """The statement or question in ``language`` (default: the active one), else in
        English."""
        return _text(self.translations, language, "text", self.text)


def _text(translations: dict | None, language: str | None, key: str, english: T) -> T:
    """``key`` from ``translations`` in ``language`` or the active language, else ``english``."""
    return translated(translations, language or translation.get_language(), key, english)
