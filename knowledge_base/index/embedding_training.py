"""Contrastive fine-tuning of the builtin StaticEmbedding on pairs mined from the corpus itself.

The LSA vectors of `embedding_builder` know which terms share clauses, not which texts answer
which questions. Three kinds of (anchor, positive) pairs come free from the clauses, no labels:

- heading path → clause body: a heading is a short topical phrase, like a question's topic;
- one sentence → the rest of its clause (with the headings): parts of one rule belong together;
- synonym-rewritten sentence → the original: every term of `synonyms.yaml` (and every colloquial
  source of a policy term, 门槛费 for 起付线) is swapped in, so the way people ask moves next to
  the way the policy says it. This is the pair kind the dense side exists for.

They train the token-embedding table with sentence-transformers' MultipleNegativesRankingLoss
(in-batch negatives). A batch never holds two pairs of one clause: those would be negatives of
each other while being about the same thing. Question and function words ([UNK] too) stay frozen
at zero, so the form of a question never pulls its vector.

Measured on the dev questions (docs/BENCHMARKS.md): a low learning rate for few epochs, starting
from the LSA vectors, is what helps; more training overfits the pair tasks and hurts retrieval.
Determinism: fixed seeds, one thread while training, and a stable pair and batch order.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge_base.normalize import normalize_text
from knowledge_base.search.synonyms import SynonymTable

_SENTENCE_END = re.compile(r"(?<=[。;;!?!?\n])")
MIN_SENTENCE_CHARS = 6


@dataclass(frozen=True)
class TrainingSettings:
    epochs: int = 3
    learning_rate: float = 0.005
    batch_size: int = 64
    scale: float = 20.0  # MNRL's inverse temperature (its default)
    rewrites_per_sentence: int = 3
    seed: int = 13


@dataclass(frozen=True)
class Pair:
    anchor: str
    positive: str
    group: int  # the clause it came from: pairs of one group never share a batch


def alternatives(table: SynonymTable) -> dict[str, list[str]]:
    """term → the terms that may replace it: its expansions, plus the colloquial words that
    expand to it (one-way at query time, but a rewrite may use them in either direction)."""
    alts = {term: list(targets) for term, targets in sorted(table.expansions.items())}
    for source, targets in sorted(table.expansions.items()):
        for target in targets:
            bucket = alts.setdefault(target, [])
            if source not in bucket:
                bucket.append(source)
    return alts


def sentences(body: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(body) if len(s.strip()) >= MIN_SENTENCE_CHARS]


def rewrite(sentence: str, terms: Sequence[str], alts: dict[str, list[str]], rng: random.Random) -> str:
    """Every listed term in the sentence (longest first) replaced by a random alternative."""
    out = sentence
    for term in terms:
        if term in out:
            choices = alts[term]
            out = out.replace(term, choices[rng.randrange(len(choices))])
    return out


def mine_pairs(
    sections: Sequence[tuple[str, str]], table: SynonymTable, rewrites: int, rng: random.Random
) -> list[Pair]:
    """Training pairs from (heading path, body) per clause; see the module docstring."""
    alts = alternatives(table)
    terms = sorted((t for t in alts if len(t) >= 2), key=lambda t: (-len(t), t))
    pairs: list[Pair] = []
    for group, (heading, body) in enumerate(sections):
        heading, body = normalize_text(heading), normalize_text(body)
        if heading and body:
            pairs.append(Pair(heading, body, group))
        sents = sentences(body)
        for j, sent in enumerate(sents):
            if len(sents) >= 2:
                rest = "".join(sents[:j] + sents[j + 1 :])
                pairs.append(Pair(sent, f"{heading} {rest}".strip(), group))
            found = [t for t in terms if t in sent]
            for _ in range(rewrites if found else 0):
                alt = rewrite(sent, found, alts, rng)
                if alt != sent:
                    pairs.append(Pair(alt, sent, group))
    return pairs


def batches(pairs: Sequence[Pair], size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches in which no two pairs come from the same clause; a pair that would
    repeat a clause waits for a later batch (keeping its place in the queue).

    A batch is filled from the front of the queue and the scan stops once it is full: scanning
    the whole queue for every batch was quadratic in the pairs (at 100× the library, ~10⁹ steps
    before training began). Same batches as that full scan, which kept skipped pairs in order
    ahead of the rest."""
    from collections import deque

    waiting = list(range(len(pairs)))
    rng.shuffle(waiting)
    queue = deque(waiting)
    out: list[list[int]] = []
    while queue:
        batch: list[int] = []
        groups: set[int] = set()
        skipped: list[int] = []
        while queue and len(batch) < size:
            i = queue.popleft()
            if pairs[i].group not in groups:
                batch.append(i)
                groups.add(pairs[i].group)
            else:
                skipped.append(i)
        if len(batch) < 2:  # a lone pair has no in-batch negative to learn from
            break
        out.append(batch)
        queue.extendleft(reversed(skipped))
    return out


def train_static(model, tokenizer, sections: Sequence[tuple[str, str]], table: SynonymTable,
                 frozen_ids: Sequence[int], settings: TrainingSettings | None = None,
                 questions: Sequence[tuple[str, int]] = ()) -> int:
    """Fine-tune `model` (a SentenceTransformer around one StaticEmbedding) in place; returns
    the number of pairs trained on (0 = nothing to learn from, model unchanged).

    `questions` — annotated (question, section index) pairs — join the mined pairs as (question →
    heading + body): they teach the vocabulary of the way people ask (小孩 near 儿童) that the
    clauses alone cannot."""
    import torch
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    settings = settings or TrainingSettings()
    rng = random.Random(settings.seed)
    pairs = mine_pairs(sections, table, settings.rewrites_per_sentence, rng)
    for question, group in questions:
        heading, body = sections[group]
        pairs.append(Pair(normalize_text(question), normalize_text(f"{heading} {body}".strip()), group))
    if len(pairs) < 2 or settings.epochs <= 0:
        return 0
    texts = sorted({t for p in pairs for t in (p.anchor, p.positive)})
    ids = {t: enc.ids for t, enc in zip(texts, tokenizer.encode_batch(texts, add_special_tokens=False), strict=True)}
    bag = model[0].embedding
    frozen = torch.zeros(bag.weight.shape[0], dtype=torch.bool)
    frozen[list(frozen_ids)] = True
    loss_fn = MultipleNegativesRankingLoss(model, scale=settings.scale)
    optimizer = torch.optim.Adam(bag.parameters(), lr=settings.learning_rate)

    def embed(batch_texts: list[str]):
        flat: list[int] = []
        offsets: list[int] = []
        for t in batch_texts:
            offsets.append(len(flat))
            flat.extend(ids[t] or [0])  # [UNK] (zero) for a text the tokenizer drops entirely
        return bag(torch.tensor(flat, dtype=torch.long), torch.tensor(offsets, dtype=torch.long))

    threads = torch.get_num_threads()
    torch.manual_seed(settings.seed)
    torch.set_num_threads(1)  # float sums in one fixed order: same corpus → same weights
    try:
        model.train()
        for _ in range(settings.epochs):
            for batch in batches(pairs, settings.batch_size, rng):
                anchors = embed([pairs[i].anchor for i in batch])
                positives = embed([pairs[i].positive for i in batch])
                loss = loss_fn.compute_loss_from_embeddings([anchors, positives], None)
                optimizer.zero_grad()
                loss.backward()
                bag.weight.grad[frozen] = 0.0
                optimizer.step()
        model.eval()
    finally:
        torch.set_num_threads(threads)
    return len(pairs)
