"""`medpolicy estimate / contribution / simulate-year / policies` through the real typer app."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from api.cli import app

runner = CliRunner()
REQ = {"policy": "yuechi-urban-resident-2009", "service": "inpatient", "hospital_level": 3,
       "covered_cost": "10000", "person": {"category": "adult"}}


def test_estimate_json_argument():
    res = runner.invoke(app, ["estimate", json.dumps(REQ)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["reimbursed"] == "5197.50" and out["out_of_pocket"] == "4802.50"
    assert out["steps"] and all({"label", "formula", "amount"} <= set(s) for s in out["steps"])


def test_estimate_stdin_and_table():
    res = runner.invoke(app, ["estimate", "--table"], input=json.dumps(REQ))
    assert res.exit_code == 0
    assert "9450.00 × 55% = 5197.50" in res.output
    assert "以当地医保部门核定为准" in res.output


def test_estimate_error_is_json_with_nonzero_exit():
    res = runner.invoke(app, ["estimate", json.dumps(dict(REQ, covered_cost="-3"))])
    assert res.exit_code == 2
    err = json.loads(res.output)["error"]
    assert err["field"] == "covered_cost" and "负数" in err["message"]
    res = runner.invoke(app, ["estimate", "{not json"])
    assert res.exit_code == 2 and json.loads(res.output)["error"]["field"] == "request"


def test_estimate_jsonl():
    lines = [json.dumps(REQ), json.dumps(dict(REQ, hospital_level=7)), "", json.dumps(dict(REQ, hospital_level=1))]
    res = runner.invoke(app, ["estimate", "--jsonl"], input="\n".join(lines) + "\n")
    rows = [json.loads(line) for line in res.output.splitlines()]
    assert len(rows) == 3
    assert rows[0]["reimbursed"] == "5197.50"
    assert rows[1]["error"]["field"] == "hospital_level"
    assert rows[2]["reimbursed"] == "6895.00"  # (10000-150)*70%
    assert res.exit_code == 2


def test_contribution_and_simulate():
    res = runner.invoke(app, ["contribution", json.dumps({"policy": "cq-resident-2013", "tier": 2})])
    assert res.exit_code == 0 and json.loads(res.output)["individual"] == "150.00"
    year = {"policy": "cq-resident-2013", "tier": 1, "events": [{"service": "general_outpatient", "covered_cost": "70"}]}
    res = runner.invoke(app, ["simulate-year", json.dumps(year)])
    assert res.exit_code == 0 and json.loads(res.output)["reimbursed"] == "60.00"


def test_policies_json_shape():
    res = runner.invoke(app, ["policies", "--json"])
    assert res.exit_code == 0
    rows = json.loads(res.output)
    assert all(set(r) == {"id", "title", "region", "year", "scheme", "services"} for r in rows)
    cq = next(r for r in rows if r["id"] == "cq-resident-2013")
    assert cq["year"] == 2013 and "maternity" in cq["services"]
