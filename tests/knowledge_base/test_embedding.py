import numpy as np
import pytest

from knowledge_base.index.dense import EmbeddingModelError, StaticEncoder, load_encoder
from knowledge_base.index.embedding_builder import build_static_embedding

TEXTS = [
    "住院起付线 一级医院100元 二级医院300元 三级医院800元",
    "起付标准 一级医疗机构150元 二级医疗机构350元",
    "孕产妇 住院分娩定额补助400元 产前检查100元",
    "住院分娩 孕产妇 补助",
    "学生个人缴费10元 低保对象个人不缴费",
    "中小学生缴费标准 学生缴费",
    "定点药店购药 医保卡结算",
    "定点零售药店 购药 处方药登记表",
]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return build_static_embedding(TEXTS, tmp_path_factory.mktemp("models") / "static-zh", dim=8)


def test_build_is_deterministic(model_dir, tmp_path):
    again = build_static_embedding(TEXTS, tmp_path / "static-zh", dim=8)
    a, b = StaticEncoder(model_dir), StaticEncoder(again)
    assert a.model_id == b.model_id
    probe = ["生孩子补多少", "学生交多少钱"]
    assert np.array_equal(a.encode(probe), b.encode(probe))


def test_saved_model_is_a_real_sentence_transformer(model_dir):
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    texts = ["住院分娩补助", "药店购药"]
    ours = StaticEncoder(model_dir).encode(texts)
    theirs = st.encode(texts, normalize_embeddings=True)
    assert np.allclose(ours, theirs, atol=1e-5)


def test_related_texts_are_closer_than_unrelated(model_dir):
    enc = StaticEncoder(model_dir)
    q, same, other = enc.encode(["孕产妇住院分娩", "住院分娩 孕产妇 补助", "定点药店购药 医保卡结算"])
    assert q @ same > q @ other


def test_colloquial_synonym_gets_the_vector_of_its_targets(model_dir):
    # 门槛费 never occurs in TEXTS; synonyms.yaml maps it to 起付线/起付标准
    enc = StaticEncoder(model_dir)
    q, fee, shop = enc.encode(["门槛费", "起付线 起付标准", "定点药店购药"])
    assert q @ fee > 0.5 and q @ fee > q @ shop


def test_unknown_text_encodes_to_zero_similarity(model_dir):
    v = StaticEncoder(model_dir).encode(["ZZZ"])
    assert np.allclose(v, 0.0)


def test_missing_models_give_clear_errors(tmp_path):
    with pytest.raises(EmbeddingModelError, match="build-embedding"):
        load_encoder("builtin:static-zh", tmp_path)
    with pytest.raises(EmbeddingModelError, match="不会联网下载"):
        load_encoder(str(tmp_path / "no-such-bge-model"), tmp_path)


def test_empty_corpus_is_refused(tmp_path):
    with pytest.raises(ValueError, match="没有可用于训练"):
        build_static_embedding([], tmp_path / "m")


def test_configured_model_path_loads_offline_through_sentence_transformers(model_dir, tmp_path):
    # MEDPOLICY_EMBEDDING_MODEL may name any local sentence-transformers model; our own saved
    # model stands in for e.g. a BGE checkout here (nothing may be downloaded in tests).
    from knowledge_base.index.dense import SentenceTransformerEncoder

    enc = load_encoder(str(model_dir), tmp_path)
    assert isinstance(enc, SentenceTransformerEncoder) and enc.model_id == str(model_dir)
    texts = ["住院分娩补助", "学生缴费"]
    assert np.allclose(enc.encode(texts), StaticEncoder(model_dir).encode(texts), atol=1e-5)


def test_mined_pairs_tie_colloquial_rewrites_to_the_policy_sentence():
    import random

    from knowledge_base.index.embedding_training import alternatives, batches, mine_pairs
    from knowledge_base.search.synonyms import parse_synonyms

    table = parse_synonyms({"equivalent": [["起付线", "起付标准"]], "colloquial": {"门槛费": ["起付线"]}})
    assert set(alternatives(table)["起付线"]) == {"起付标准", "门槛费"}
    sections = [("住院待遇 › 起付线", "一级医院起付线100元。二级医院起付线300元。"), ("药店", "定点药店购药刷卡结算。")]
    pairs = mine_pairs(sections, table, rewrites=3, rng=random.Random(1))
    kinds = {(p.anchor, p.positive) for p in pairs}
    assert ("住院待遇 › 起付线", "一级医院起付线100元。二级医院起付线300元。") in kinds  # heading → body
    assert any(a == "一级医院起付线100元。" and "二级医院" in b for a, b in kinds)  # sentence → rest
    assert {a for a, b in kinds if b == "一级医院起付线100元。"} <= {"一级医院起付标准100元。", "一级医院门槛费100元。"}
    assert all(len({pairs[i].group for i in b}) == len(b) for b in batches(pairs, 4, random.Random(2)))


def test_contrastive_stage_changes_the_vectors_and_keeps_the_model_id(tmp_path):
    from knowledge_base.index.embedding_training import TrainingSettings

    untrained = StaticEncoder(build_static_embedding(TEXTS, tmp_path / "a", dim=8, training=TrainingSettings(epochs=0)))
    trained = StaticEncoder(build_static_embedding(TEXTS, tmp_path / "b", dim=8))
    assert untrained.model_id == trained.model_id  # same corpus, same builder
    probe = ["学生交多少钱", "中小学生缴费标准 学生缴费"]
    a, b = untrained.encode(probe), trained.encode(probe)
    assert not np.array_equal(a, b)  # the contrastive stage changed the vectors


def test_several_models_of_one_corpus_are_each_the_model_built_alone(tmp_path):
    """`build_static_embeddings` shares the vocabulary and LSA vectors between models: each model
    must still be exactly what `build_static_embedding` builds from its own pairs (an earlier
    model's fine-tune must not leak into the next one's start)."""
    from knowledge_base.index.embedding_builder import build_static_embeddings

    with_pairs = [("生孩子能补多少钱", 2), ("学生一年交多少", 4)]
    together = build_static_embeddings(TEXTS, [(tmp_path / "a", with_pairs), (tmp_path / "b", [])], dim=8)
    alone = [build_static_embedding(TEXTS, tmp_path / "c", dim=8, questions=with_pairs),
             build_static_embedding(TEXTS, tmp_path / "d", dim=8)]
    probe = ["生孩子补多少", "学生交多少钱", "药店买药"]
    for t, a in zip(together, alone, strict=True):
        assert StaticEncoder(t).model_id == StaticEncoder(a).model_id
        assert np.array_equal(StaticEncoder(t).encode(probe), StaticEncoder(a).encode(probe))
    assert not np.array_equal(StaticEncoder(together[0]).encode(probe), StaticEncoder(together[1]).encode(probe))
