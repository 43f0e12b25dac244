"""The imported dialogue annotations load, validate and keep their split discipline."""

from __future__ import annotations

import json

import pytest

from assistant.dialogue_annotations import (
    AnnotatedUtterance,
    load_split,
    project_slots,
    read_jsonl,
    split_of,
)


def test_train_and_dev_splits_load_with_provenance():
    for kind in ("utterances", "conversations"):
        train, dev = load_split(kind, "train"), load_split(kind, "dev")
        assert train and dev
        assert all(i.split == "train" for i in train) and all(i.split == "dev" for i in dev)
        assert all(i.author == "N1" and i.prompt == "dialogue-v1" for i in train + dev)
    utterances = load_split("utterances", "train") + load_split("utterances", "dev")
    assert len(utterances) >= 1300
    assert {u.intent for u in utterances} >= {"statement", "correction"}


def test_no_utterance_text_is_in_both_splits():
    train = {u.text for u in load_split("utterances", "train")}
    dev = {u.text for u in load_split("utterances", "dev")}
    assert not train & dev


def test_split_is_a_stable_hash():
    assert split_of("我在重庆参加的城乡居民医保") == split_of("我在重庆参加的城乡居民医保")
    shares = [split_of(f"问题{i}") for i in range(1000)]
    assert 150 < shares.count("dev") < 250


def test_annotator_slots_map_onto_project_slots():
    assert project_slots({"person_category": "newborn", "amount": "12000", "tier": 2}) == {
        "person_category": "child", "amount": "12000", "tier": 2}


def test_a_bad_line_is_named_by_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    good = {"id": "x", "split": "dev", "author": "N1", "prompt": "dialogue-v1", "text": "二档", "intent": "statement"}
    bad = {**good, "id": "y", "slots": {"tier": 3}}
    path.write_text(json.dumps(good, ensure_ascii=False) + "\n" + json.dumps(bad, ensure_ascii=False) + "\n", "utf-8")
    with pytest.raises(ValueError, match=r"bad.jsonl:2"):
        read_jsonl(path, "utterances")
    path.write_text(json.dumps(good, ensure_ascii=False) + "\n", "utf-8")
    assert [u.text for u in read_jsonl(path, "utterances")] == ["二档"]


def test_money_as_a_float_is_refused():
    with pytest.raises(ValueError):
        AnnotatedUtterance.model_validate({"id": "x", "split": "dev", "author": "N1", "prompt": "p", "text": "花了1.5万",
                                           "intent": "statement", "slots": {"amount": 15000.0}})


def test_a_list_of_slots_to_ask_becomes_the_first_one_asked():
    from assistant.dialogue_annotations import TurnExpectation

    assert TurnExpectation(clarify=["region", "tier"]).clarify == "region"
    assert TurnExpectation(clarify=[]).clarify is None
    assert TurnExpectation(clarify="tier").clarify == "tier"
