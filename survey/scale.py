"""What an answer on the instrument's scale may be: a point, or "don't know" (pure, no Django).

Shared by every way answers come in (survey pages, drafts, bulk writes, imports), so they
agree on one spelling.
"""

from __future__ import annotations

# Item kinds answered on the instrument's scale (``assessment.Item.Kind`` values): the Likert
# statements and the outcome statement. Every other kind is a comment.
SCALE_KINDS = frozenset({"likert", "outcome"})

# The answer "don't know / not applicable" to a statement on the scale, in every answers dict
# (drafts, bulk, imports): never a point of the scale, stored as ``Answer.dont_know`` with no
# value, so it is never scored and never read as the midpoint.
DONT_KNOW = "dont_know"

# The import column, and the page field, of a meta-perception statement's follow-up
# question: "<item code>__predicted_other".
PREDICTED_SUFFIX = "__predicted_other"
