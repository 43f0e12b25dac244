"""Dated parameters: the engine uses the values in force on the date of care and says so when no
period of the rule file covers it; regions are the gazetteer's; chunk ids are derived, not stored."""

from __future__ import annotations

import textwrap
from datetime import date

import pytest

import calculators
from calculators.errors import CalcError, RuleFileError
from calculators.registry import compile_series, load_series

ADULT = {"category": "adult", "low_income": False, "no_support": False}


def test_series_id_takes_the_values_in_force_on_the_date():
    # 岳池: 2009 adult contribution 85元, from 2010-01-01 170元 ("2009个人缴费85元,2010个人缴费170元").
    assert calculators.contribution({"policy": "yuechi-urban-resident", "date": "2009-06-30", "person": ADULT}).individual == "85.00"
    assert calculators.contribution({"policy": "yuechi-urban-resident", "date": "2010-03-01", "person": ADULT}).individual == "170.00"


def test_benefits_end_with_their_period_and_the_gap_says_why():
    req = {"policy": "yuechi-urban-resident", "service": "inpatient", "covered_cost": "10000", "hospital_level": 2,
           "person": ADULT}
    # (10000 − 350) × 60% = 5790 in 2009
    assert calculators.estimate(dict(req, date="2009-05-01")).reimbursed == "5790.00"
    with pytest.raises(CalcError) as info:
        calculators.estimate(dict(req, date="2010-05-01"))
    assert info.value.field == "service" and "2009" in info.value.message


def test_no_period_covers_the_date():
    with pytest.raises(CalcError) as info:
        calculators.estimate({"policy": "cq-resident", "service": "inpatient", "covered_cost": "1000",
                              "hospital_level": 1, "tier": 1, "date": "2020-01-01"})
    assert info.value.field == "date"
    assert "2020-01-01" in info.value.message and "2013-01-01至2013-12-31" in info.value.message


def test_today_is_the_default_date_of_a_series_id():
    covered = any(p.start <= date.today() <= p.end for p in load_series()["cq-resident"].periods)
    req = {"policy": "cq-resident", "service": "inpatient", "covered_cost": "1000", "hospital_level": 1, "tier": 1}
    if covered:  # pragma: no cover - only when the rule file reaches today
        assert calculators.estimate(req).defaults["date"] == date.today().isoformat()
    else:
        with pytest.raises(CalcError) as info:
            calculators.estimate(req)
        assert info.value.field == "date" and date.today().isoformat() in info.value.message


def test_period_id_with_a_date_outside_it_is_refused():
    with pytest.raises(CalcError) as info:
        calculators.estimate({"policy": "cq-resident-2013", "service": "inpatient", "covered_cost": "1000",
                              "hospital_level": 1, "tier": 1, "date": "2014-02-01"})
    assert info.value.field == "date"


def test_regions_are_the_gazetteers_names():
    regions = {s.region for s in load_series().values()}
    assert regions == {"重庆", "岳池县", "桂阳县", "湖北"}


def test_chunk_id_and_citation_are_derived_from_the_quote():
    cell = calculators.registry.get_policy("cq-resident-2013").params["inpatient.deductible"].cells[(1,)]
    assert cell.source.chunk_id.startswith("004_02e12ab9ff262432-")
    assert cell.source.citation.endswith("(三)住院补偿标准")


FILE = """
id: t
title: 测试
region: {region}
scheme: 城乡居民
document: 004_02e12ab9ff262432.txt
periods:
  - {{id: t-2020, title: 测试2020, year: 2020, start: 2020-01-01, end: 2020-12-31}}
parameters:
  d:
    label: 起付线
    unit: CNY
    values:
      - {{from: 2020-01-01, value: "100", source: {{quote: "起付线100元"{extra}}}}}
      - {{from: 2020-07-01, value: "200", source: {{quote: "起付线200元"}}}}
  r: {{label: 比例, unit: ratio, values: [{{value: "0.5", source: {{quote: "报销50%"}}}}]}}
services:
  inpatient: {{kind: deductible_ratio_cap, label: 住院, deductible: d, ratio: r}}
"""


def test_a_value_changing_inside_a_period_splits_it(tmp_path):
    series = compile_series(tmp_path / "t.yaml", textwrap.dedent(FILE.format(region="岳池", extra="")))
    assert series.region == "岳池县"  # an alias is stored by its canonical name
    assert series.policy_on(date(2020, 3, 1)).params["d"].cells[()].value == 100
    assert series.policy_on(date(2020, 8, 1)).params["d"].cells[()].value == 200
    with pytest.raises(CalcError):
        series.policy_on(date(2021, 1, 1))


def test_unknown_region_and_stored_chunk_ids_are_refused(tmp_path):
    with pytest.raises(RuleFileError, match="gazetteer"):
        compile_series(tmp_path / "t.yaml", textwrap.dedent(FILE.format(region="某县", extra="")))
    with pytest.raises(RuleFileError, match="chunk_id"):
        compile_series(tmp_path / "t.yaml", textwrap.dedent(FILE.format(region="岳池县", extra=', chunk_id: "x-1"')))


def test_engine_holds_no_policy_wording():
    from pathlib import Path

    engine = (Path(calculators.__file__).parent / "engine.py").read_text(encoding="utf-8")
    assert "建档立卡" not in engine and "定额报销" not in engine
