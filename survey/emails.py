"""Invitation and reminder emails: default texts, checking admins' templates, rendering them.

Admins edit a round's subject and body in Django template syntax with three placeholders,
``{{ link }}``, ``{{ round_name }}`` and ``{{ closes }}``. A template is compiled by a
sandboxed engine (no template loading, no custom tag libraries) and may hold only text, those
placeholders (with filters) and ``{% if %}``; a body must contain ``{{ link }}``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import Node, TextNode, VariableNode
from django.template.defaulttags import CommentNode, IfNode
from django.utils import translation
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from survey.models import SurveyRound

PLACEHOLDERS = ("link", "round_name", "closes")
INVITATION = "invitation"
REMINDER = "reminder"
KINDS = (INVITATION, REMINDER)

DEFAULT_SUBJECTS = {
    INVITATION: _("Your invitation: {{ round_name }}"),
    REMINDER: _("Reminder: {{ round_name }}"),
}
DEFAULT_BODIES = {
    INVITATION: _(
        "Hello,\n\n"
        "You are invited to take part in {{ round_name }}, a short anonymous survey on how IT "
        "and security work together in our organisation. It takes about 10 minutes.\n\n"
        "Your personal link (please do not forward it; it works once):\n"
        "{{ link }}\n\n"
        "{% if closes %}The survey closes on {{ closes }}.\n\n{% endif %}"
        "Your answers are stored without any link to this email or to your name.\n\n"
        "Thank you.\n"
    ),
    REMINDER: _(
        "Hello,\n\n"
        "A reminder: {{ round_name }} is still open and we would value your answers. "
        "It takes about 10 minutes.\n\n"
        "Your new personal link:\n"
        "{{ link }}\n\n"
        "This link replaces the one in our earlier email, which no longer works. If you have "
        "already started, your answers so far are kept and the link takes you back to where "
        "you left off.\n\n"
        "{% if closes %}The survey closes on {{ closes }}.\n\n{% endif %}"
        "Your answers are stored without any link to this email or to your name.\n\n"
        "Thank you.\n"
    ),
}

# No loaders and no libraries: {% include %}, {% extends %} and {% load %} cannot reach files
# or code; only the node types below are accepted anyway.
_ENGINE = Engine(dirs=[], app_dirs=False, loaders=[], libraries={}, autoescape=False)
_ALLOWED_NODES = (TextNode, VariableNode, IfNode, CommentNode)
_LINK_RE = re.compile(r"{{\s*link\s*}}")


def email_template_check(text: str, *, require_link: bool = False) -> None:
    """Check an email template typed by an admin.

    Raises django ``ValidationError`` when the text is not valid template syntax, uses a tag
    other than ``{% if %}`` or a placeholder other than ``link``, ``round_name``, ``closes``,
    or (with ``require_link``) has no ``{{ link }}``.
    """
    try:
        template = _ENGINE.from_string(text or "")
    except TemplateSyntaxError as exc:
        raise ValidationError(
            _("This is not valid template syntax: %(error)s"), params={"error": exc}
        ) from exc
    allowed = ", ".join(f"{{{{ {name} }}}}" for name in PLACEHOLDERS)
    has_link = False
    for node in template.nodelist.get_nodes_by_type(Node):
        if not isinstance(node, _ALLOWED_NODES):
            raise ValidationError(
                _("Only the placeholders %(allowed)s and {%% if %%} may be used."),
                params={"allowed": allowed},
            )
        if isinstance(node, VariableNode):
            variable = node.filter_expression.var
            lookups = getattr(variable, "lookups", None)
            if not lookups or lookups[0] not in PLACEHOLDERS:
                raise ValidationError(
                    _("Unknown placeholder %(name)s: use %(allowed)s."),
                    params={"name": node.filter_expression.token, "allowed": allowed},
                )
            has_link = has_link or tuple(lookups) == ("link",)
    if require_link and not (has_link and _LINK_RE.search(text)):
        raise ValidationError(
            _("The email body must contain {{ link }}: it is where each invitee's link goes.")
        )


def validate_subject_template(value: str) -> None:
    """Field validator: a subject template (placeholders allowed, link not required)."""
    email_template_check(value)


def validate_body_template(value: str) -> None:
    """Field validator: a body template; blank means the default text, else it needs
    ``{{ link }}``."""
    if value:
        email_template_check(value, require_link=True)


def email_render(text: str, context: dict[str, Any]) -> str:
    """Render a checked template with ``context`` (plain text, no HTML escaping)."""
    return _ENGINE.from_string(str(text)).render(Context(context, autoescape=False))


def email_subject_render(text: str, context: dict[str, Any]) -> str:
    """Render a subject on one line (a newline in a mail header is refused by Django)."""
    return " ".join(email_render(text, context).split())[:250]


def round_email_templates(
    survey_round: SurveyRound, kind: str, language: str = ""
) -> tuple[str, str]:
    """The ``(subject, body)`` templates of a round for ``kind`` (``invitation`` or
    ``reminder``): the round's own text, or the default where it is blank, the default in
    ``language`` (an invitee's), else in the round's language."""
    if kind not in KINDS:
        raise ValueError(f"Unknown email kind {kind!r}.")
    with translation.override(language or survey_round.language or "en"):
        subject = getattr(survey_round, f"{kind}_subject") or str(DEFAULT_SUBJECTS[kind])
        body = getattr(survey_round, f"{kind}_body") or str(DEFAULT_BODIES[kind])
    return subject, body
