"""The round as it really is, for the disclosure audit: each respondent's atom (the cell of
side × function × level × each attribute, blank a value of its own), the domain of atoms
(every combination of the values present, empty ones included), every dimension's and
statement's count and score sum per atom, and how used invitations count respondents."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable

import pandas as pd

from reports.panel import respondent_scores, score_items
from survey.models import Invitation, Response, SurveyRound
from survey.selectors import round_answers_frame, round_items_frame

Atom = tuple[str, ...]
PROFILE_FIELDS = ("side", "function", "level")
UNUSED = "unused invitations"  # first element of the key of an unused-invitations cell


class RoundTruth:
    """The planted (or any) round as it really is: each respondent's atom, the domain of
    atoms, every measure's count and score sum per atom, and the invitations."""

    def __init__(self, survey_round: SurveyRound) -> None:
        responses = list(
            Response.objects.filter(round=survey_round)
            .order_by("pk")
            .values_list("pk", "side", "function", "level", "attributes")
        )
        names = {
            str(entry["name"])
            for entry in survey_round.profile_attributes or []
            if isinstance(entry, dict) and "name" in entry
        }
        names |= {str(name) for *_p, attributes in responses for name in attributes or {}}
        self.fields = (*PROFILE_FIELDS, *sorted(names))
        self.profile: dict[int, Atom] = {
            pk: (
                side or "",
                function or "",
                level or "",
                *(_text((attributes or {}).get(name)) for name in sorted(names)),
            )
            for pk, side, function, level, attributes in responses
        }
        domains = [sorted({atom[i] for atom in self.profile.values()}) for i in self.fields_at]
        counts = Counter(self.profile.values())
        self.atoms: dict[Atom, int] = {
            atom: counts.get(atom, 0) for atom in itertools.product(*domains)
        }
        self._measures(survey_round)
        self.invitations = list(
            Invitation.objects.filter(round=survey_round).values_list("side", "level", "used")
        )

    @property
    def fields_at(self) -> range:
        return range(len(self.fields))

    def _measures(self, survey_round: SurveyRound) -> None:
        items = round_items_frame(round=survey_round)
        likert = items.loc[items["kind"] == "likert"].reset_index(drop=True)
        points = survey_round.instrument.scale_points
        answers = round_answers_frame(round=survey_round)
        scored = score_items(answers, likert, points)
        per_item = pd.DataFrame(
            {
                "response_id": scored["response_id"].to_numpy("int64"),
                "measure": scored["item_code"].astype(str).to_numpy(),
                "score": (scored["score"].to_numpy("float64") - 1) / (points - 1) * 100,
            }
        )
        dimensions = respondent_scores(answers, likert, points)
        per_dimension = pd.DataFrame(
            {
                "response_id": dimensions["response_id"].to_numpy("int64"),
                "measure": dimensions["dimension_code"].astype(str).to_numpy(),
                "score": dimensions["score"].to_numpy("float64"),
            }
        )
        codes = [*likert["dimension_code"].astype(str).unique(), *likert["item_code"].astype(str)]
        if len(set(codes)) != len(codes):
            raise ValueError("A dimension and a statement share a code; measures would mix.")
        self.measure_truth: dict[str, dict[Atom, tuple[int, float]]] = {}
        scores = pd.concat([per_item, per_dimension], ignore_index=True)
        scores["atom"] = scores["response_id"].map(self.profile)
        for measure in codes:
            own = scores.loc[scores["measure"] == measure]
            by_atom = own.groupby("atom")["score"].agg(["size", "sum"])
            self.measure_truth[measure] = {
                atom: (int(by_atom.at[atom, "size"]), float(by_atom.at[atom, "sum"]))
                if atom in by_atom.index
                else (0, 0.0)
                for atom in self.atoms
            }
        respondents = len(self.profile)
        self.incomplete = frozenset(
            measure
            for measure, truth in self.measure_truth.items()
            if sum(n for n, _s in truth.values()) < respondents
        )

    def index(self, name: str) -> int:
        return self.fields.index(name)

    def where(self, **values: str) -> Callable[[Atom], bool]:
        """A predicate: the atom's field ``name`` equals ``values[name]`` for each name."""
        at = {self.index(name): str(value) for name, value in values.items()}
        return lambda atom: all(atom[i] == v for i, v in at.items())

    def atoms_where(self, chosen: Callable[[Atom], bool]) -> frozenset[Atom]:
        return frozenset(atom for atom in self.atoms if chosen(atom))

    def respondents_where(self, chosen: Callable[[Atom], bool]) -> list[int]:
        return [pk for pk, atom in self.profile.items() if chosen(atom)]

    def kept_atoms(
        self, kept: set[int], chosen: Callable[[Atom], bool], attribute: str
    ) -> frozenset[Atom]:
        """The atoms a view keeps: those ``chosen`` (its filter), less every value of the
        compared ``attribute``, then of the side, none of whose selected respondents is
        kept (the product left that group out). Checked against the respondents kept."""
        selected = [self.profile[pk] for pk in self.respondents_where(chosen)]
        kept_profiles = [self.profile[pk] for pk in kept]
        a, s = self.index(attribute), self.index("side")
        removed_a = {p[a] for p in selected} - {p[a] for p in kept_profiles}
        removed_s = {p[s] for p in selected if p[a] not in removed_a} - {
            p[s] for p in kept_profiles
        }
        atoms = self.atoms_where(
            lambda atom: chosen(atom) and atom[a] not in removed_a and atom[s] not in removed_s
        )
        counted = sum(self.atoms[atom] for atom in atoms)
        if counted != len(kept) or any(not chosen(p) for p in kept_profiles):
            raise AssertionError(
                f"The view keeps {len(kept)} respondents, not a union of atoms ({counted})."
            )
        return atoms


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


class InvitationLink:
    """How used invitations count respondents, when the truth shows it: by side and level
    (every used invitation's side and level are its respondent's), or by side alone (every
    used invitation has a side and no level), else not at all."""

    def __init__(self, truth: RoundTruth) -> None:
        self.truth = truth
        used = Counter((side, level) for side, level, was_used in truth.invitations if was_used)
        s, lv = truth.index("side"), truth.index("level")
        by_profile = Counter((p[s], p[lv]) for p in truth.profile.values())
        by_side = Counter(p[s] for p in truth.profile.values())
        used_by_side = Counter()
        for (side, _level), n in used.items():
            used_by_side[side] += n
        if +used == +by_profile:
            self.mode = "side and level"
        elif +used_by_side == +by_side and all(level == "" for _side, level in used):
            self.mode = "side"
        else:
            self.mode = "none"
        sides = sorted({side for side, _l, _u in truth.invitations})
        levels = sorted({level for _s, level, _u in truth.invitations})
        unused = Counter(
            (side, level) for side, level, was_used in truth.invitations if not was_used
        )
        self.unused = {
            (UNUSED, side, level): unused.get((side, level), 0)
            for side in sides
            for level in levels
        }

    def used(self, side: str | None = None, level: str | None = None) -> frozenset | None:
        """The atoms of the respondents behind the used invitations of ``side`` and
        ``level`` (None: any), or None when the link is unknown."""
        if self.mode == "none":
            return None
        if side == "" or (self.mode == "side" and level not in (None, "")):
            return frozenset()  # every used invitation has a side; by side alone, no level
        values = {} if side is None else {"side": side}
        if self.mode == "side and level" and level is not None:
            values["level"] = level
        return self.truth.atoms_where(self.truth.where(**values))

    def unused_cells(self, side: str | None = None, level: str | None = None) -> frozenset:
        return frozenset(
            key
            for key in self.unused
            if (side is None or key[1] == side) and (level is None or key[2] == level)
        )
