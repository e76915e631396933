"""Tests of assessment.services.instrument_load: loading the default instrument, loading a
file twice, and changing a version with or without answers (invalid files:
test_services_invalid.py; the load_instrument command: test_load_instrument_command.py)."""

from __future__ import annotations

import importlib
import re

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from assessment import services
from assessment.models import Dimension, Instrument, Item
from assessment.services import (
    DEFAULT_INSTRUMENT_PATH,
    V1_INSTRUMENT_PATH,
    InstrumentError,
    instrument_load,
)
from assessment.validation import instrument_file_parse
from tests.assessment.instrument_files import snapshot, tiny_data, write
from tests.factories import AnswerFactory, ResponseFactory, SurveyRoundFactory

WRITE_SQL = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


# ---- loading the default instrument ---------------------------------------------------------


@pytest.mark.django_db
def test_default_instrument_is_v2_and_loads_every_dimension_and_item():
    result = instrument_load()

    instrument = result.instrument
    assert result.created is True
    assert result.changed is False
    assert instrument.slug == "it-security-collaboration"
    assert instrument.version == "2"
    assert instrument.scale_points == 5
    assert instrument.scale_labels[0] == "Strongly disagree"
    assert instrument.dont_know_label == "Don't know / not applicable"
    assert instrument.meta_prompts == {
        "it": "How do you think security staff would answer?",
        "security": "How do you think IT staff would answer?",
    }
    assert instrument.source_sha256 == instrument_file_parse(path=DEFAULT_INSTRUMENT_PATH).sha256()
    dimensions = list(instrument.dimensions.order_by("order"))
    assert [d.code for d in dimensions][:3] == ["overall", "speed_control", "early_involvement"]
    assert len(dimensions) == 13
    assert all(d.guidance for d in dimensions)
    outcome = Item.objects.get(dimension__instrument=instrument, kind=Item.Kind.OUTCOME)
    assert outcome.code == "ov1"
    assert outcome.text == "Overall, IT and security work well together here."
    assert outcome.dimension.code == "overall"
    assert outcome.reverse_scored is False
    for dimension in dimensions[1:]:
        items = list(dimension.items.all())
        assert 4 <= sum(i.kind == "likert" for i in items) <= 6
        assert sum(i.kind == "text" for i in items) == 1
        assert any(i.reverse_scored for i in items)
        assert [i.order for i in items] == list(range(1, len(items) + 1))
    items = Item.objects.filter(dimension__instrument=instrument)
    assert items.filter(kind=Item.Kind.LIKERT).count() == 59
    assert set(items.filter(meta_perception=True).values_list("code", flat=True)) == {
        "sc2",
        "ei1",
        "so2",
        "ct10",
        "dr6",
        "ir4",
        "ia3",
        "nt6",
        "ai3",
    }


@pytest.mark.django_db
def test_v1_still_loads_beside_v2_with_about_on_its_mirror_pairs():
    v2 = instrument_load().instrument
    result = instrument_load(path=V1_INSTRUMENT_PATH)

    v1 = result.instrument
    assert result.created is True
    assert (v1.slug, v1.version) == ("it-security-collaboration", "1")
    assert v1.pk != v2.pk
    assert v1.dont_know_label == ""
    assert v1.meta_prompts == {}
    assert v1.dimensions.count() == 7
    items = Item.objects.filter(dimension__instrument=v1)
    assert not items.filter(kind=Item.Kind.OUTCOME).exists()
    assert not items.filter(meta_perception=True).exists()
    assert dict(items.exclude(about="").values_list("code", "about")) == {
        "sc4": "security",
        "sc5": "it",
        "ei1": "it",
        "ei2": "security",
        "so2": "security",
        "so3": "it",
        "ct1": "it",
        "ct2": "security",
        "ir4": "it",
        "ir5": "security",
    }
    assert instrument_load(path=V1_INSTRUMENT_PATH).changed is False


@pytest.mark.django_db
def test_new_keys_are_stored_and_reloading_them_changes_nothing(tmp_path):
    data = tiny_data()
    data["dont_know_label"] = "Not sure"
    data["meta_prompts"] = {"it": "What would security say?", "security": "What would IT say?"}
    data["dimensions"][0]["items"][0]["meta_perception"] = True
    data["dimensions"].insert(
        0,
        {
            "code": "overall",
            "name": "Overall",
            "description": "All in all.",
            "guidance": "Read the drivers.",
            "items": [{"code": "ov1", "text": "It works.", "kind": "outcome"}],
        },
    )
    path = write(tmp_path, data)

    instrument = instrument_load(path=path).instrument

    assert instrument.dont_know_label == "Not sure"
    assert instrument.meta_prompts["security"] == "What would IT say?"
    a1 = Item.objects.get(code="a1")
    assert (a1.about, a1.meta_perception) == ("it", True)
    assert Item.objects.get(code="a2").about == "security"
    ov1 = Item.objects.get(code="ov1")
    assert (ov1.kind, ov1.dimension.code, ov1.reverse_scored) == ("outcome", "overall", False)
    assert instrument_load(path=path).changed is False


@pytest.mark.django_db
def test_an_unanswered_version_updates_the_new_keys_in_place(tmp_path):
    data = tiny_data()
    instrument_load(path=write(tmp_path, data))
    data["dont_know_label"] = "Not sure"
    data["meta_prompts"] = {"it": "What would security say?", "security": "What would IT say?"}
    data["dimensions"][0]["items"][0]["about"] = "security"
    data["dimensions"][0]["items"][1]["about"] = "it"
    data["dimensions"][0]["items"][1]["meta_perception"] = True

    result = instrument_load(path=write(tmp_path, data))

    assert result.changed is True
    result.instrument.refresh_from_db()
    assert result.instrument.dont_know_label == "Not sure"
    assert result.instrument.meta_prompts == data["meta_prompts"]
    a1, a2 = Item.objects.get(code="a1"), Item.objects.get(code="a2")
    assert (a1.about, a1.meta_perception) == ("security", False)
    assert (a2.about, a2.meta_perception) == ("it", True)
    assert instrument_load(path=tmp_path / "instrument.yaml").changed is False


@pytest.mark.django_db
def test_marking_meta_perception_on_an_answered_version_is_refused(tmp_path):
    instrument = instrument_load(path=write(tmp_path, tiny_data())).instrument
    AnswerFactory(
        response=ResponseFactory(round=SurveyRoundFactory(instrument=instrument)),
        item=Item.objects.get(code="a1"),
    )
    data = tiny_data()
    data["meta_prompts"] = {"it": "What would security say?", "security": "What would IT say?"}
    data["dimensions"][0]["items"][0]["meta_perception"] = True

    with pytest.raises(InstrumentError, match="a change needs a new version"):
        instrument_load(path=write(tmp_path, data))

    assert Item.objects.get(code="a1").meta_perception is False


@pytest.mark.django_db
def test_mirror_pairs_resolve_both_ways_in_the_database():
    instrument = instrument_load().instrument

    mirrored = Item.objects.filter(dimension__instrument=instrument, mirror_of__isnull=False)

    assert mirrored.count() >= 6
    for item in mirrored.select_related("mirror_of"):
        assert item.mirror_of.mirror_of_id == item.pk
        assert item in item.mirror_of.mirrored_by.all()
        assert item.mirror_of.dimension.instrument_id == instrument.pk


@pytest.mark.django_db
def test_path_may_be_a_string(tmp_path):
    result = instrument_load(path=str(write(tmp_path, tiny_data())))

    assert result.instrument.slug == "tiny"
    assert Item.objects.get(code="a1").mirror_of.code == "a2"


# ---- idempotency --------------------------------------------------------------------------


@pytest.mark.django_db
def test_loading_the_same_file_twice_changes_nothing():
    first = instrument_load()
    before = snapshot(first.instrument)
    dimension_ids = list(Dimension.objects.values_list("pk", flat=True).order_by("pk"))

    with CaptureQueriesContext(connection) as queries:
        second = instrument_load()

    assert second.created is False
    assert second.changed is False
    assert second.instrument.pk == first.instrument.pk
    assert second.instrument.loaded_at == first.instrument.loaded_at
    assert snapshot(second.instrument) == before
    assert list(Dimension.objects.values_list("pk", flat=True).order_by("pk")) == dimension_ids
    assert Instrument.objects.count() == 1
    writes = [q["sql"] for q in queries.captured_queries if WRITE_SQL.match(q["sql"])]
    assert writes == []


@pytest.mark.django_db
def test_comments_and_layout_in_the_file_do_not_count_as_a_change(tmp_path):
    instrument_load(path=write(tmp_path, tiny_data()))
    path = tmp_path / "instrument.yaml"
    path.write_text("# a new comment\n" + path.read_text(encoding="utf-8") + "\n\n")

    result = instrument_load(path=path)

    assert (result.created, result.changed) == (False, False)


# ---- changing a version -------------------------------------------------------------------


@pytest.mark.django_db
def test_changed_version_without_answers_is_updated_in_place_keeping_ids(tmp_path):
    first = instrument_load(path=write(tmp_path, tiny_data()))
    ids = dict(Item.objects.values_list("code", "pk"))
    d2_id = Dimension.objects.get(code="d2").pk
    data = tiny_data()
    data["title"] = "Tiny, renamed"
    data["dimensions"][0]["items"][0]["text"] = "IT does A, reworded."
    a3 = data["dimensions"][0]["items"].pop(2)  # a3 moves to d2
    data["dimensions"][1]["items"].insert(0, a3)
    data["dimensions"][1]["items"].pop()  # b2 is dropped
    data["dimensions"][1]["items"].append(
        {"code": "b3", "text": "B is new.", "kind": "likert", "reverse_scored": True}
    )
    del data["dimensions"][0]["items"][0]["mirror_of"]
    data["dimensions"][0]["items"][1]["mirror_of"] = "b1"
    data["dimensions"][1]["items"][1]["about"] = "it"  # b1, a2's new partner

    result = instrument_load(path=write(tmp_path, data))

    assert (result.created, result.changed) == (False, True)
    assert result.instrument.pk == first.instrument.pk
    result.instrument.refresh_from_db()
    assert result.instrument.title == "Tiny, renamed"
    items = {i.code: i for i in Item.objects.select_related("dimension", "mirror_of")}
    assert set(items) == {"a1", "a2", "a_comment", "a3", "b1", "b3"}
    for code in ("a1", "a2", "a_comment", "a3", "b1"):
        assert items[code].pk == ids[code]
    assert items["a1"].text == "IT does A, reworded."
    assert items["a1"].mirror_of is None
    assert items["a2"].mirror_of.code == "b1"
    assert items["a3"].dimension.pk == d2_id
    assert [i.code for i in Item.objects.filter(dimension_id=d2_id)] == ["a3", "b1", "b3"]
    assert result.instrument.source_sha256 != first.instrument.source_sha256
    again = instrument_load(path=tmp_path / "instrument.yaml")
    assert (again.created, again.changed) == (False, False)


@pytest.mark.django_db
def test_changed_version_without_answers_can_drop_a_dimension(tmp_path):
    instrument_load(path=write(tmp_path, tiny_data()))
    data = tiny_data()
    data["dimensions"].pop()

    result = instrument_load(path=write(tmp_path, data))

    assert result.changed is True
    assert list(result.instrument.dimensions.values_list("code", flat=True)) == ["d1"]
    assert not Item.objects.filter(code__in=["b1", "b2"]).exists()


@pytest.mark.django_db
def test_changing_a_version_that_has_answers_is_refused(tmp_path):
    instrument = instrument_load(path=write(tmp_path, tiny_data())).instrument
    round_ = SurveyRoundFactory(instrument=instrument)
    AnswerFactory(response=ResponseFactory(round=round_), item=Item.objects.get(code="b1"))
    before = snapshot(instrument)
    data = tiny_data()
    data["dimensions"][0]["items"][0]["text"] = "IT does A, reworded."

    with pytest.raises(InstrumentError, match=r"already has answers.*a change needs a new version"):
        instrument_load(path=write(tmp_path, data))

    assert snapshot(instrument) == before
    instrument.refresh_from_db()
    assert instrument.title == "Tiny instrument"


@pytest.mark.django_db
def test_reloading_an_answered_version_unchanged_is_allowed(tmp_path):
    path = write(tmp_path, tiny_data())
    instrument = instrument_load(path=path).instrument
    AnswerFactory(
        response=ResponseFactory(round=SurveyRoundFactory(instrument=instrument)),
        item=Item.objects.get(code="a1"),
    )

    result = instrument_load(path=path)

    assert (result.created, result.changed) == (False, False)


@pytest.mark.django_db
def test_a_new_version_is_a_new_instrument_beside_the_answered_one(tmp_path):
    old = instrument_load(path=write(tmp_path, tiny_data())).instrument
    AnswerFactory(
        response=ResponseFactory(round=SurveyRoundFactory(instrument=old)),
        item=Item.objects.get(code="a1"),
    )
    data = tiny_data()
    data["version"] = "2"
    data["dimensions"][0]["items"][0]["text"] = "IT does A, reworded."

    result = instrument_load(path=write(tmp_path, data))

    assert result.created is True
    assert result.instrument.pk != old.pk
    assert Item.objects.get(dimension__instrument=old, code="a1").text == "IT does A."
    assert Item.objects.filter(code="a1").count() == 2


@pytest.mark.django_db
def test_a_failure_while_writing_leaves_nothing_behind(tmp_path, monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_mirrors_set", explode)

    with pytest.raises(RuntimeError):
        instrument_load(path=write(tmp_path, tiny_data()))

    assert Instrument.objects.count() == 0
    assert Dimension.objects.count() == 0
    assert Item.objects.count() == 0


@pytest.mark.django_db
def test_a_concurrent_load_of_the_same_version_is_retried(tmp_path, monkeypatch):
    real_write = services._instrument_write
    calls = []

    def collide_once(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise IntegrityError("duplicate key value violates instrument_slug_version")
        return real_write(**kwargs)

    monkeypatch.setattr(services, "_instrument_write", collide_once)

    result = instrument_load(path=write(tmp_path, tiny_data()))

    assert result.created is True
    assert len(calls) == 2


def test_a_repeated_collision_becomes_an_instrument_error(tmp_path, monkeypatch):
    def collide(**kwargs):
        raise IntegrityError("duplicate key")

    monkeypatch.setattr(services, "_instrument_write", collide)

    with pytest.raises(InstrumentError, match="Could not save instrument 'tiny' version '1'"):
        instrument_load(path=write(tmp_path, tiny_data()))


# ---- the migration that set `about` on an answered v1 ---------------------------------------


@pytest.mark.django_db
def test_migration_0003_sets_about_on_an_answered_v1_so_reloading_changes_nothing():
    from django.apps import apps

    migration = importlib.import_module("assessment.migrations.0003_v1_mirror_about")
    v1 = instrument_load(path=V1_INSTRUMENT_PATH).instrument
    AnswerFactory(
        response=ResponseFactory(round=SurveyRoundFactory(instrument=v1)),
        item=Item.objects.get(dimension__instrument=v1, code="sc1"),
    )
    # As loaded before version 2: no `about` anywhere.
    Item.objects.filter(dimension__instrument=v1).update(about="")
    with pytest.raises(InstrumentError, match="a change needs a new version"):
        instrument_load(path=V1_INSTRUMENT_PATH)

    migration.v1_about_set(apps, None)

    about = dict(Item.objects.filter(dimension__instrument=v1).values_list("code", "about"))
    assert {code: side for code, side in about.items() if side} == migration.V1_ABOUT
    assert instrument_load(path=V1_INSTRUMENT_PATH).changed is False
