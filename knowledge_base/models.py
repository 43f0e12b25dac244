"""Data model of the knowledge base: what a clause is, where it came from, what a hit returns.

These pydantic models are the contract between the knowledge base and its callers (assistant,
calculators' quote validator, API). Field names match the JSON the CLI and API print.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field, model_serializer

Scheme = Literal["职工", "城镇居民", "城乡居民", "新农合", "大病保险", "医疗救助"]
Kind = Literal["rule", "publicity", "report"]  # binding rule, publicity text, work report


@dataclass(frozen=True)
class CleanLine:
    """One line of a document after cleaning (knowledge_base.ingest.clean, linejoin, segment). It lives
    here, not in clean.py, so the cleaning steps and the line-joining rules share it without
    importing each other (the former clean ↔ linejoin cycle)."""

    text: str
    line: int  # 1-based line number in the loaded text
    # "" or the kind of boundary that precedes this line: "excerpt" (a "查看全文" terminator) or
    # "paper" (a "关键词:" header of a reprinted paper).
    boundary: str = ""


class SourceLocation(BaseModel):
    """One place a clause appears: corpus file name and 1-based line of its first line.

    PDF, scans and DOCX add where that line sits in the original (optional, omitted from JSON
    when unset so text formats keep the `{"file", "line"}` shape): `page` (1-based), `page_line`
    (line on the page; the paragraph number in a DOCX) and `cell` of a table ("表1第3行第2列")."""

    file: str
    line: int
    page: int | None = None
    page_line: int | None = None
    cell: str | None = None

    @model_serializer(mode="wrap")
    def _omit_unset(self, handler):
        data = handler(self)
        for key in ("page", "page_line", "cell"):
            if isinstance(data, dict) and data.get(key) is None:
                data.pop(key, None)
        return data

    def label(self) -> str:
        """"第2页第5行", "第2页 表1第3行第2列", "第4段" — '' for text formats."""
        parts = [f"第{self.page}页"] if self.page is not None else []
        if self.cell:
            parts.append(self.cell)
        elif self.page_line is not None:
            parts.append(f"第{self.page_line}{'行' if self.page is not None else '段'}")
        return " ".join(parts)


class Evidence(BaseModel):
    """Why a metadata value was assigned: the matched text and where it was found."""

    field: str
    value: str
    match: str
    origin: Literal["clause", "heading", "document"]


class Clause(BaseModel):
    """A citable unit of policy text after cleaning, segmentation and deduplication."""

    chunk_id: str
    doc_id: str
    doc_title: str
    heading_path: list[str] = Field(default_factory=list)  # article/section headings, outermost first
    citation: str  # "doc title › 第2篇 › 四、医保待遇 › (三)住院补偿标准"
    text: str  # clause text as shown to users (normalised, without its headings)
    region: str | None = None
    year: int | None = None
    scheme: Scheme | None = None
    kind: Kind = "report"
    sources: list[SourceLocation] = Field(default_factory=list)  # every location, canonical first
    evidence: list[Evidence] = Field(default_factory=list)
    # Optional additions (ingestion): every scheme the clause is about, `scheme` first (a hospital
    # notice covering the employee and the resident scheme); the region's enclosing regions,
    # outermost first and ending with `region` (["湖南", "郴州市", "桂阳县"]), for hierarchical filters.
    schemes: list[Scheme] = Field(default_factory=list)
    region_path: list[str] = Field(default_factory=list)
    # Versions over time (knowledge_base.ingest.versions; optional): ISO date the clause's document takes
    # effect ("自2015年1月1日起施行", a "2013年度" title, or given at upload); when a later document of
    # the same region and scheme replaces it, the last day in force and that document's title.
    effective_from: str | None = None
    effective_to: str | None = None
    superseded_by: str | None = None

    @property
    def index_text(self) -> str:
        """Headings travel with the clause text for indexing."""
        return " ".join([*self.heading_path, self.text])


class SearchFilters(BaseModel):
    region: str | None = None
    year: int | None = None
    scheme: str | None = None
    kind: str | None = None


class SearchHit(BaseModel):
    """One search result, shaped as `medpolicy search --json` prints it."""

    chunk_id: str
    doc_title: str
    citation: str
    text: str
    region: str | None
    year: int | None
    scheme: str | None
    kind: str
    score: float
    sources: list[SourceLocation]
    schemes: list[str] = Field(default_factory=list)  # every scheme the clause is about (ingest's `Clause.schemes`)
    # The sentences of the clause that answer the query, in text order (the learned sentence
    # chooser, knowledge_base.learned.sentences); empty without a trained judge.
    highlights: list[str] = Field(default_factory=list)
    # Which period the rule is from ("2015年1月1日起施行", "…至…有效,已由《…》取代"); only for
    # clauses whose document states an effective date (omitted from JSON otherwise).
    period: str | None = None

    @property
    def about_schemes(self) -> list[str]:
        """Every scheme the clause is about; a hit built by hand with only `scheme` (tests, older
        stores) stands for that one scheme."""
        return self.schemes or ([self.scheme] if self.scheme else [])

    @model_serializer(mode="wrap")
    def _omit_unset_period(self, handler):
        data = handler(self)
        if isinstance(data, dict) and data.get("period") is None:
            data.pop("period", None)
        return data


class SearchResponse(BaseModel):
    results: list[SearchHit]
    no_basis: bool = False  # True when nothing cleared the score floor: say so, do not guess
    # Why, when the library is out of scope rather than weakly matched (optional, round 5):
    # the place the question names that no clause covers ("政策库中没有成都的政策"), and a year
    # named that is newer than every clause of the topic (hits, if any, are from earlier years).
    out_of_scope_region: str | None = None
    out_of_scope_year: int | None = None
    # The learned answer judge's verdict (knowledge_base.learned), when one is trained: "answer" =
    # the first hit answers the question; "related" = the hits are relevant but none is known to
    # answer it (offer them as 相关规定); "none" = no basis. `answerability` = its probability that
    # the first hit answers.
    decision: Literal["answer", "related", "none"] | None = None
    answerability: float | None = None
    # With the judge, where the question names no region: whether its answer is a matter of the
    # region (`learned.region_dependence`), so the caller lists each region's rule, not the first.
    region_dependent: bool | None = None

    @model_serializer(mode="wrap")
    def _omit_unset_scope(self, handler):
        """The optional fields appear in JSON only when set, so the documented shape
        `{"results", "no_basis"}` is unchanged for every in-scope answer."""
        data = handler(self)
        for key in ("out_of_scope_region", "out_of_scope_year", "decision", "answerability", "region_dependent"):
            if isinstance(data, dict) and data.get(key) is None:
                data.pop(key, None)
        return data
