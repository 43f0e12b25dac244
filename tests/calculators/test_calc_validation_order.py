"""An invalid value in a field the request gives is reported before a field the policy needs but
the request lacks — through the Python API, `medpolicy estimate` (also `--jsonl`) and
`POST /api/estimate`. Every request below lacks `tier`, which 重庆 inpatient needs: the error must
still name the invalid field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import calculators
from api.app import create_app
from api.cli import app as cli_app
from api.deps import ModuleCalculators
from api.settings import ServiceSettings
from calculators.errors import CalcError

NO_TIER = {"policy": "cq-resident-2013", "service": "inpatient", "hospital_level": 2, "covered_cost": "10000"}

# (changes to NO_TIER, field the error must name, words the Chinese message must contain)
CASES = [
    ({"covered_cost": "-5"}, "covered_cost", "负数"),
    ({"covered_cost": "NaN"}, "covered_cost", "有限"),
    ({"covered_cost": "Infinity"}, "covered_cost", "有限"),
    ({"covered_cost": 1e12}, "covered_cost", "过大"),
    ({"covered_cost": "1e12"}, "covered_cost", "过大"),
    ({"covered_cost": "一万"}, "covered_cost", "不是有效的金额"),
    ({"uncovered_cost": "-1"}, "uncovered_cost", "负数"),
    ({"ytd_reimbursed": "abc"}, "ytd_reimbursed", "不是有效的金额"),
    ({"hospital_level": 7}, "hospital_level", "无效"),
    ({"hospital_level": 0}, "hospital_level", "无效"),
    ({"hospital_level": "二级"}, "hospital_level", "整数"),
    ({"admission_index": 0}, "admission_index", "从1开始"),
    ({"chronic_disease_count": 99}, "chronic_disease_count", "1到30"),
    ({"local_ratio": "1.5"}, "local_ratio", "0到1"),
    ({"ytd_by_pool": {"annual": "-3"}}, "ytd_by_pool.annual", "负数"),
    ({"policy": "nowhere-2099"}, "policy", "未知的政策"),
    ({"service": "dental"}, "service", "没有可测算"),
    # combinations: the invalid value wins over the missing tier, and over another missing field
    ({"covered_cost": "-5", "hospital_level": None}, "covered_cost", "负数"),
    ({"hospital_level": 9, "covered_cost": None}, "hospital_level", "无效"),
]


def _request(changes: dict) -> dict:
    req = dict(NO_TIER)
    for key, value in changes.items():
        if value is None:
            req.pop(key)
        else:
            req[key] = value
    return req


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize("changes,field,words", CASES, ids=[c[1] + ":" + repr(list(c[0].values())[0]) for c in CASES])
def test_python_api_names_the_invalid_field_first(changes, field, words):
    with pytest.raises(CalcError) as info:
        calculators.estimate(_request(changes))
    assert info.value.field == field
    assert words in info.value.message and _chinese(info.value.message)


def test_missing_field_is_reported_when_nothing_is_invalid():
    with pytest.raises(CalcError) as info:
        calculators.estimate(NO_TIER)
    assert info.value.field == "tier" and "缺少" in info.value.message
    # …and a valid request with the tier computes: (10000 − 300) × 60% = 5820.00
    assert calculators.estimate(dict(NO_TIER, tier=1)).reimbursed == "5820.00"


def test_invalid_tier_wins_over_missing_level():
    req = {"policy": "cq-resident-2013", "service": "inpatient", "tier": 3, "covered_cost": "100"}
    with pytest.raises(CalcError) as info:
        calculators.estimate(req)
    assert info.value.field == "tier" and "1、2" in info.value.message


def test_contribution_invalid_wage_wins_over_missing_average_wage():
    with pytest.raises(CalcError) as info:
        calculators.contribution({"policy": "hubei-employee-1999", "wage": "-1", "person": {"retired": False}})
    assert info.value.field == "wage" and "负数" in info.value.message


# ---- CLI ------------------------------------------------------------------------------------
runner = CliRunner()


@pytest.mark.parametrize("changes,field,words", CASES[:10] + CASES[-2:])
def test_cli_error_object_and_exit_code(changes, field, words):
    res = runner.invoke(cli_app, ["estimate", json.dumps(_request(changes))])
    assert res.exit_code == 2
    body = json.loads(res.output)
    assert set(body) == {"error"} and set(body["error"]) == {"field", "message"}
    assert body["error"]["field"] == field and words in body["error"]["message"]


def test_cli_jsonl_one_error_per_bad_line_others_computed():
    lines = [
        json.dumps(dict(NO_TIER, tier=1)),  # (10000 − 300) × 60% = 5820.00
        json.dumps(_request({"covered_cost": "-5"})),
        json.dumps(_request({"hospital_level": 7})),
        json.dumps(dict(NO_TIER, tier=2, hospital_level=1, covered_cost="5000")),  # (5000 − 100) × 85% = 4165.00
        json.dumps(NO_TIER),
    ]
    res = runner.invoke(cli_app, ["estimate", "--jsonl"], input="\n".join(lines) + "\n")
    assert res.exit_code == 2
    rows = [json.loads(line) for line in res.output.splitlines()]
    assert [r.get("reimbursed") or r["error"]["field"] for r in rows] == [
        "5820.00", "covered_cost", "hospital_level", "4165.00", "tier"]


# ---- HTTP API -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    data = Path(tmp_path_factory.mktemp("calc-api"))
    settings = ServiceSettings(data_dir=data, db_path=data / "service.sqlite3", _env_file=None)  # type: ignore[call-arg]
    app = create_app(settings, calculators=ModuleCalculators(), warm_up=False)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize("changes,field,words", CASES, ids=[c[1] for c in CASES])
def test_api_422_names_the_invalid_field(client, changes, field, words):
    r = client.post("/api/estimate", json=_request(changes))
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["field"] == field and _chinese(error["message"])


def test_api_valid_request(client):
    r = client.post("/api/estimate", json=dict(NO_TIER, tier=1))
    assert r.status_code == 200 and r.json()["reimbursed"] == "5820.00"
