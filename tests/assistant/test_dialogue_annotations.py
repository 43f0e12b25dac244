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
        assert all(i.author.startswith("N") and i.prompt == "dialogue-v1" for i in train + dev)
        assert {i.author for i in train + dev} >= {"N1", "N6"}  # a second annotator, imported alongside
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


def test_importing_an_author_keeps_the_other_authors(tmp_path):
    """Re-importing one annotator's grown file replaces only that annotator's items."""
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "scripts" / "import_dialogue_annotations.py"
    spec = importlib.util.spec_from_file_location("import_dialogue_annotations", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]

    def files(author: str, texts: list[str]) -> tuple[Path, Path]:
        utt, conv = tmp_path / f"{author}_utt.jsonl", tmp_path / f"{author}_conv.jsonl"
        utt.write_text("".join(json.dumps({"text": t, "intent": "statement"}, ensure_ascii=False) + "\n" for t in texts)
                       + '{"done": true}\n', "utf-8")
        conv.write_text(json.dumps({"id": f"{author}-c1", "turns": [{"say": texts[0]}, {"say": "能报多少"}]},
                                   ensure_ascii=False) + "\n", "utf-8")
        return utt, conv

    out = tmp_path / "annotations"
    texts_a = [f"甲说的第{i}句" for i in range(20)]
    module.main(["--author", "NA", *map(str, files("NA", texts_a)), "--out", str(out)])
    module.main(["--author", "NB", *map(str, files("NB", ["乙说的话", "乙又说"])), "--out", str(out)])
    module.main(["--author", "NB", *map(str, files("NB", ["乙说的话", "乙又说", "乙第三句"])), "--out", str(out)])
    items = load_split("utterances", "train", out) + load_split("utterances", "dev", out)
    assert sorted(u.text for u in items if u.author == "NA") == sorted(texts_a)
    assert sorted(u.text for u in items if u.author == "NB") == sorted(["乙说的话", "乙又说", "乙第三句"])
    convs = load_split("conversations", "train", out) + load_split("conversations", "dev", out)
    assert sorted(c.id for c in convs) == ["NA-c1", "NB-c1"]
