"""The knowledge base's language data (`resources/*.yaml`), validated at load and loaded once.

Each YAML file has a pydantic schema: a bad file fails at load with a `ResourceError` naming the
file, the key and the problem, instead of a `KeyError` deep inside a search. The gazetteer is the
one home of place knowledge for ingest (clause region metadata), search (the region scope check)
and the assistant's NLU (which may import the knowledge base; never the reverse).

Place names match on token boundaries only: a match must start and end where jieba's words do,
or lie inside one word, so 保定 is not a place in 医保定点 (医保|定点) or 医保定额.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

RESOURCES_DIR = Path(__file__).resolve().parent / "resources"

Model = TypeVar("Model", bound=BaseModel)


class ResourceError(ValueError):
    """A language-data file that does not match its schema (file, key and problem in the message)."""


def _location(loc: tuple) -> str:
    return ".".join(str(p) for p in loc) or "(top level)"


def validate_resource(data: object, model: type[Model], source: str) -> Model:
    """`data` checked against `model`; a `ResourceError` naming `source`, key and problem if not."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{_location(e['loc'])}: {e['msg']}" for e in exc.errors())
        raise ResourceError(f"{source}: {problems}") from None


def load_resource(path: Path, model: type[Model]) -> Model:
    """Read a YAML file and validate it (libyaml's C loader when present)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(path.read_text("utf-8"), Loader=loader)
    except yaml.YAMLError as exc:
        raise ResourceError(f"{path}: not valid YAML: {exc}") from None
    return validate_resource(data if data is not None else {}, model, str(path))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- the gazetteer -----------------------------------------------------------------------------

Level = Literal["province", "city", "county"]
_LEVEL_RANK = {"province": 0, "city": 1, "county": 2}


class Place(_Strict):
    name: str
    full: str | None = None  # official full name of a province-level place (四川省)
    aliases: tuple[str, ...] = ()
    parent: str | None = None
    level: Level
    metadata: bool = False  # a region clause metadata may carry

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *((self.full,) if self.full else ()), *self.aliases)


class GazetteerFile(_Strict):
    places: tuple[Place, ...]

    @model_validator(mode="after")
    def _consistent(self) -> GazetteerFile:
        owner: dict[str, str] = {}
        for place in self.places:
            for name in place.names:
                if not name.strip() or name != name.strip():
                    raise ValueError(f"place {place.name!r}: empty or padded name {name!r}")
                if name in owner and owner[name] != place.name:
                    raise ValueError(f"place {place.name!r}: name {name!r} already names {owner[name]!r}")
                owner[name] = place.name
        by_name = {p.name: p for p in self.places}
        for place in self.places:
            if place.parent is None:
                continue
            parent = by_name.get(owner.get(place.parent, ""))
            if parent is None:
                raise ValueError(f"place {place.name!r}: parent {place.parent!r} is not a place of the gazetteer")
            if _LEVEL_RANK[parent.level] >= _LEVEL_RANK[place.level]:
                raise ValueError(f"place {place.name!r} ({place.level}): parent {parent.name!r} is not of a higher level")
            if place.metadata and not parent.metadata:
                raise ValueError(f"place {place.name!r}: a metadata region's parent {parent.name!r} must be one too")
        return self


@dataclass(frozen=True)
class Gazetteer:
    aliases: dict[str, str]  # every name (canonical, full, alias) -> canonical
    parent: dict[str, str]  # canonical -> canonical of the enclosing place
    pattern: re.Pattern[str]  # all names, longest first
    places: dict[str, Place] = field(default_factory=dict)  # canonical -> its entry

    def canonical(self, name: str) -> str:
        return self.aliases.get(name, name)

    def ancestors(self, name: str) -> list[str]:
        """Enclosing places, nearest first ("桂阳县" -> ["郴州市", "湖南"]); [] when unknown."""
        region, out = self.canonical(name), list[str]()
        while region in self.parent and self.parent[region] not in out and len(out) < 6:
            region = self.parent[region]
            out.append(region)
        return out

    def related(self, a: str, b: str) -> bool:
        """Same place (by any of its names), or one encloses the other."""
        a, b = self.canonical(a), self.canonical(b)
        return a == b or a in self.ancestors(b) or b in self.ancestors(a)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, canonical) of every name in the text, leftmost-longest, on token
        boundaries: where the longest name at a position is not a word of the text a shorter one
        may be (岳池 of 岳池县城), and the search goes on inside a rejected span."""
        out: list[tuple[int, int, str]] = []
        m = self.pattern.search(text)
        bounds: frozenset[int] | None = None
        while m is not None:
            start = m.start()
            if bounds is None:
                bounds = _token_bounds(text)
            hit: re.Match[str] | None = m
            while hit is not None and not _on_bounds(bounds, start, hit.end()):
                hit = self.pattern.match(text, start, hit.end() - 1) if hit.end() - 1 > start else None
            if hit is not None:
                out.append((start, hit.end(), self.aliases[hit.group(0)]))
            m = self.pattern.search(text, hit.end() if hit is not None else start + 1)
        return out


def build_gazetteer(places: tuple[Place, ...] | list[Place]) -> Gazetteer:
    aliases = {name: p.name for p in places for name in p.names}
    parent = {p.name: aliases.get(p.parent, p.parent) for p in places if p.parent}
    pattern = re.compile("|".join(sorted(map(re.escape, aliases), key=len, reverse=True)))
    return Gazetteer(aliases, parent, pattern, {p.name: p for p in places})


@lru_cache(maxsize=1)
def gazetteer_file() -> GazetteerFile:
    return load_resource(RESOURCES_DIR / "gazetteer.yaml", GazetteerFile)


@lru_cache(maxsize=1)
def metadata_gazetteer() -> Gazetteer:
    """The regions clause metadata may carry (entries with `metadata: true`)."""
    return build_gazetteer([p for p in gazetteer_file().places if p.metadata])


@lru_cache(maxsize=1)
def place_gazetteer() -> Gazetteer:
    """Every place of the gazetteer (what a question may name)."""
    return build_gazetteer(gazetteer_file().places)


def _token_bounds(text: str) -> frozenset[int]:
    from knowledge_base.search.tokenize import token_bounds  # jieba: loaded only when needed

    return token_bounds(text)


def _on_bounds(bounds: frozenset[int], start: int, end: int) -> bool:
    return (start in bounds and end in bounds) or not any(start < b < end for b in bounds)


def on_word_boundaries(text: str, start: int, end: int) -> bool:
    """A name is a word of the text: it starts and ends where jieba's words do, or lies inside
    one word. 保定 in 医保定点 straddles 医保|定点 and is no place; 岳池 in 岳池县 is."""
    return _on_bounds(_token_bounds(text), start, end)


# --- synonyms and special cases -----------------------------------------------------------------


class SynonymsFile(_Strict):
    """equivalent: groups of interchangeable terms (at least two each); colloquial: one-way
    term -> the policy terms it expands to (at least one)."""

    equivalent: tuple[Annotated[tuple[str, ...], Field(min_length=2)], ...] = ()
    colloquial: dict[str, Annotated[tuple[str, ...], Field(min_length=1)]] = {}


class Condition(_Strict):
    policy: tuple[str, ...]
    asked: tuple[str, ...]


class ConditionsFile(BaseModel):
    model_config = ConfigDict(frozen=True)
    cases: dict[str, Condition]

    @model_validator(mode="before")
    @classmethod
    def _wrap(cls, data: object) -> object:
        return {"cases": data}  # the file is the mapping itself: case name -> its words


# --- word lists -----------------------------------------------------------------------------------

Word = Annotated[str, Field(min_length=1, pattern=r"^\S(?:.*\S)?$")]  # no blank or padded entry


class QuestionWordsFile(_Strict):
    """question_words.yaml: the form of a question (怎么, 多少…) and spoken fillers, not its topic;
    `money`: words that ask for a sum of money (多少钱, 好多钱, 钱) — an amount is their answer."""

    words: tuple[Word, ...]
    money: tuple[Word, ...] = ()


class ForeignTopicsFile(_Strict):
    """foreign_topics.yaml: must-cover topics (养老金, 公积金, 种植牙…)."""

    topics: tuple[Word, ...]


@lru_cache(maxsize=1)
def question_words() -> tuple[str, ...]:
    return load_resource(RESOURCES_DIR / "question_words.yaml", QuestionWordsFile).words


@lru_cache(maxsize=1)
def money_words() -> frozenset[str]:
    return frozenset(load_resource(RESOURCES_DIR / "question_words.yaml", QuestionWordsFile).money)


def foreign_topics(path: Path | None = None) -> tuple[str, ...]:
    return _foreign_topics(path or RESOURCES_DIR / "foreign_topics.yaml")


@lru_cache(maxsize=4)
def _foreign_topics(path: Path) -> tuple[str, ...]:
    return load_resource(path, ForeignTopicsFile).topics
