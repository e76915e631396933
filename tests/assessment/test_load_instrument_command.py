"""Tests of the load_instrument management command: what it prints, and errors of
instrument_load as command errors."""

from __future__ import annotations

import copy
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from assessment.models import Instrument, Item
from assessment.services import instrument_load
from tests.assessment.instrument_files import tiny_data, write
from tests.factories import AnswerFactory, ResponseFactory, SurveyRoundFactory


@pytest.mark.django_db
def test_command_loads_the_default_instrument_then_reports_it_unchanged():
    out = StringIO()

    call_command("load_instrument", stdout=out)
    call_command("load_instrument", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Created instrument it-security-collaboration version 2")
    assert "13 dimensions" in lines[0]
    assert (
        lines[1] == "Unchanged: instrument it-security-collaboration version 2 is already loaded."
    )
    assert Instrument.objects.count() == 1


@pytest.mark.django_db
def test_command_reports_an_update(tmp_path):
    call_command("load_instrument", str(write(tmp_path, tiny_data())), stdout=StringIO())
    data = tiny_data()
    data["title"] = "Renamed"
    out = StringIO()

    call_command("load_instrument", str(write(tmp_path, data)), stdout=out)

    assert out.getvalue().startswith("Updated instrument tiny version 1")


@pytest.mark.django_db
def test_command_turns_an_invalid_file_into_a_command_error(tmp_path):
    data = tiny_data()
    data["scale"]["points"] = 9

    with pytest.raises(CommandError, match=r"scale\.points: must be between 4 and 7, got 9"):
        call_command("load_instrument", str(write(tmp_path, data)), stdout=StringIO())

    assert Instrument.objects.count() == 0


@pytest.mark.django_db
def test_command_refuses_to_change_an_answered_version(tmp_path):
    instrument = instrument_load(path=write(tmp_path, tiny_data())).instrument
    AnswerFactory(
        response=ResponseFactory(round=SurveyRoundFactory(instrument=instrument)),
        item=Item.objects.get(code="a2"),
    )
    data = copy.deepcopy(tiny_data())
    data["dimensions"][1]["guidance"] = "Something else."

    with pytest.raises(CommandError, match="a change needs a new version"):
        call_command("load_instrument", str(write(tmp_path, data)), stdout=StringIO())
