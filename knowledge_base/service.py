"""`KnowledgeBase`: the one object callers use — open (load or build), ingest, search, get, facets.

Lifecycle: `open()` loads the persisted index when its manifest matches the current corpus,
embedding model, format and code; otherwise it rebuilds everything from the corpus. `ingest()`
adds sources (remembered in the manifest, so a later ingest of another folder keeps the earlier
ones) and rebuilds; anything that fails before the new index is complete leaves the previous one
in place, in memory and on disk.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from knowledge_base.config import KBSettings
from knowledge_base.index.dense import BUILTIN_STATIC, Encoder, builtin_model_dir, load_encoder
from knowledge_base.index.index_store import (
    Manifest,
    code_version,
    corpus_hash,
    load_index,
    read_manifest,
)
from knowledge_base.models import Clause, SearchFilters, SearchResponse
from knowledge_base.search.search import EmptyQueryError, HybridSearcher, RetrievalConfig
from knowledge_base.learned import word_vectors
from knowledge_base.search.tokenize import warm_up_in_background

__all__ = ["EmptyQueryError", "Facets", "IngestError", "IngestReport", "KnowledgeBase"]

log = logging.getLogger(__name__)


class IngestError(RuntimeError):
    """An ingest produced no usable index; the previous index is still in service."""


class IngestReport(BaseModel):
    """What an ingest did: counts, sources, and every file that could not be read (with why)."""

    n_files: int
    n_clauses: int
    sources: list[str]
    errors: list[dict] = Field(default_factory=list)  # {"file", "reason"} per unreadable file
    rebuilt_embedding: bool = False


class Facets(BaseModel):
    """Metadata values present in the library, most frequent first (clarification options)."""

    regions: list[str]
    years: list[int]
    schemes: list[str]
    kinds: list[str]


def _errors_as_dicts(errors: Iterable) -> list[dict]:
    out = []
    for err in errors or []:
        if isinstance(err, BaseModel):
            out.append(err.model_dump(mode="json"))
        elif isinstance(err, dict):
            out.append({k: str(v) for k, v in err.items()})
        elif isinstance(err, tuple | list) and len(err) == 2:
            out.append({"file": str(err[0]), "reason": str(err[1])})
        else:
            out.append({"file": "", "reason": str(err)})
    return out


def _store(settings: KBSettings):
    from knowledge_base.ingest.store import ClauseStore

    return ClauseStore(settings.store_dir)


def one_blas_thread() -> None:
    """Let numpy's BLAS use one thread in a process that serves questions.

    A question's matrix work is small (a matrix-vector product over the clauses); with two
    OpenBLAS threads each product first wakes the sleeping second thread, which on a busy
    two-core machine waited for a core: at 10× the library the word-vector scores took 44 ms
    per question instead of 0.1–0.2 ms (issue 11, measured). Concurrent requests use the cores."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


# Judges trained in this process, by (clauses + dense model, annotations): see `train_judge`.
_TRAINED_JUDGES: dict[tuple[str, str], tuple[object, object]] = {}


class KnowledgeBase:
    def __init__(self, settings: KBSettings, searcher: HybridSearcher, manifest: Manifest) -> None:
        self.settings = settings
        self._searcher = searcher
        self._manifest = manifest
        self._by_id = {c.chunk_id: c for c in searcher.clauses}
        self.last_ingest: IngestReport | None = None
        self.loaded_from_disk = False  # True when open() reused the persisted index
        one_blas_thread()
        self._on_disk = None  # where the library is on disk (library.OnDisk), for one-document changes
        warm_up_in_background()  # the tokenizer dictionary loads while the caller carries on
        if settings.learned:
            word_vectors.warm_up_in_background()  # the learned ranker's general word vectors too

    # -- construction --------------------------------------------------------------------------

    @staticmethod
    def index_dir(settings: KBSettings) -> Path:
        return settings.data_dir / "index"

    @staticmethod
    def retrieval_config(settings: KBSettings) -> RetrievalConfig:
        return RetrievalConfig(dense_weight=max(0.0, settings.dense_weight))

    @classmethod
    def open(cls, settings: KBSettings | None = None) -> KnowledgeBase:
        """Load the persisted index if it is current, else build it from the corpus."""
        settings = settings or KBSettings()
        manifest = read_manifest(cls.index_dir(settings))
        sources = cls._sources(settings, manifest, ())
        if manifest is not None and cls._is_current(settings, manifest, sources):
            try:
                from knowledge_base.index.library import current_generation, generation_encoder, load_generation

                gen = current_generation(cls.index_dir(settings))
                own = generation_encoder(gen) if gen is not None and settings.dense_weight > 0 else None
                encoder = own or cls._encoder(settings, build_if_missing=False)
                if encoder is None or encoder.model_id == manifest.model_id:
                    on_disk = None
                    if gen is not None:  # clauses and index are one generation: they agree
                        searcher, on_disk = load_generation(gen, manifest, encoder, cls.retrieval_config(settings))
                    else:  # a legacy flat index
                        stored = _store(settings).load()
                        clauses = list(getattr(stored, "clauses", stored))
                        searcher = load_index(cls.index_dir(settings), manifest, clauses, encoder, cls.retrieval_config(settings))
                    kb = cls(settings, searcher, manifest)
                    kb._on_disk = on_disk
                    kb.loaded_from_disk = True
                    kb._attach_judge()
                    return kb
            except Exception as exc:  # a damaged index is rebuilt, not fatal
                log.warning("persisted index unusable, rebuilding: %s", exc)
        kb, _report = cls._build(settings, sources, manifest.withdrawn if manifest else ())
        return kb

    @classmethod
    def index_is_current(cls, settings: KBSettings | None = None) -> bool:
        """Whether `open` would load the persisted index rather than rebuild it (same format, code,
        embedding family and corpus). `medpolicy train` asks before opening: when the library must
        be rebuilt anyway, one rebuild retrains the dense side and the judge; opening first would
        build (and train the judge) once more."""
        settings = settings or KBSettings()
        manifest = read_manifest(cls.index_dir(settings))
        return manifest is not None and cls._is_current(settings, manifest, cls._sources(settings, manifest, ()))

    @staticmethod
    def _sources(settings: KBSettings, manifest: Manifest | None, extra: Sequence[Path]) -> list[Path]:
        """Configured corpus dirs, then sources ingested earlier, then the new ones; no repeats."""
        seen: dict[str, Path] = {}
        previous = [Path(s) for s in manifest.sources] if manifest else []
        for p in [*settings.corpus_dirs, *previous, *extra]:
            p = Path(p).expanduser().resolve()
            seen.setdefault(str(p), p)
        return list(seen.values())

    @classmethod
    def _model_name(cls, settings: KBSettings) -> str:
        return settings.embedding_model if settings.dense_weight > 0 else "none"

    @classmethod
    def _is_current(cls, settings: KBSettings, manifest: Manifest, sources: Sequence[Path]) -> bool:
        return (
            manifest.format_version == Manifest.model_fields["format_version"].default
            and manifest.pipeline_version == code_version()
            and manifest.model_id.split("@")[0] == cls._model_name(settings)
            and manifest.corpus_hash == corpus_hash(sources)
        )

    @staticmethod
    def _encoder(
        settings: KBSettings,
        build_if_missing: bool,
        texts: Sequence[str] = (),
        sections: Sequence[tuple[str, str]] | None = None,
        questions: Sequence[tuple[str, int]] = (),
    ) -> Encoder | None:
        if settings.dense_weight <= 0:
            return None
        if settings.embedding_model == BUILTIN_STATIC and build_if_missing:
            from knowledge_base.index.embedding_builder import corpus_fingerprint
            from knowledge_base.index.isolated import build_static_embedding_isolated

            model_dir = builtin_model_dir(settings.data_dir)
            meta = model_dir / "medpolicy_model.json"
            wanted = f"{BUILTIN_STATIC}@{corpus_fingerprint(texts, questions)}"
            if not meta.exists() or json.loads(meta.read_text("utf-8")).get("model_id") != wanted:
                # in a child process: torch and its buffers leave with it (knowledge_base.index.isolated)
                build_static_embedding_isolated(texts, model_dir, sections, questions)
        return load_encoder(settings.embedding_model, settings.data_dir)

    @classmethod
    def _build(
        cls, settings: KBSettings, sources: Sequence[Path], withdrawn: Sequence[str] = ()
    ) -> tuple[KnowledgeBase, IngestReport]:
        from knowledge_base.index.index_store import corpus_files
        from knowledge_base.index.library import Tokens, build_searcher, write_generation
        from knowledge_base.ingest.loaders import iter_candidate_files
        from knowledge_base.ingest.pipeline import build_clauses

        paths = list(sources)
        if withdrawn:  # documents withdrawn one by one stay out of a full rebuild
            paths = [f for f in iter_candidate_files([p for p in paths if Path(p).exists()]) if f.name not in set(withdrawn)]
        result = build_clauses(paths=paths)
        errors = _errors_as_dicts(getattr(result, "errors", []))
        clauses: list[Clause] = list(result.clauses)
        if not clauses:
            raise IngestError(f"没有从语料中得到任何条款(来源: {', '.join(map(str, sources))}),已保留原有索引")
        texts = [c.index_text for c in clauses]
        sections = [(" ".join(c.heading_path), c.text) for c in clauses]
        questions = cls._annotated_pairs(settings, clauses)
        encoder = cls._encoder(settings, build_if_missing=True, texts=texts, sections=sections, questions=questions)
        config = cls.retrieval_config(settings)
        tokens = Tokens.of(clauses, config.fine_tokens)
        from knowledge_base.normalize import normalize_text

        vectors = encoder.encode([normalize_text(t) for t in texts]) if encoder is not None and clauses else None
        searcher = build_searcher(clauses, tokens, vectors, encoder, config)
        manifest = Manifest(
            corpus_hash=corpus_hash(sources),
            model_id=encoder.model_id if encoder is not None else "none",
            pipeline_version=code_version(),
            n_clauses=len(clauses),
            sources=[str(s) for s in sources],
            fine_tokens=config.fine_tokens,
            withdrawn=list(withdrawn),
        )
        # one atomic generation: clauses and indexes switch together (library.py)
        on_disk = write_generation(cls.index_dir(settings), searcher, result, manifest)
        try:
            _store(settings).save(result)  # the flat clause store, for tools that read it
        except OSError as exc:
            log.warning("clause store not updated: %s", exc)
        documents = getattr(result, "documents", None)
        n_files = len(documents) if documents is not None else len(corpus_files(sources))
        report = IngestReport(n_files=n_files, n_clauses=len(clauses), sources=manifest.sources, errors=errors)
        kb = cls(settings, searcher, read_manifest(cls.index_dir(settings)) or manifest)
        kb._on_disk = on_disk
        kb.last_ingest = report
        kb.train_judge()  # documents changed: the learned ranker and answerability follow them
        return kb, report

    # -- the learned answer judge (knowledge_base.learned) ---------------------------------------

    @staticmethod
    def _annotated_pairs(settings: KBSettings, clauses: Sequence[Clause]) -> list[tuple[str, int]]:
        """Annotated (question, clause) training pairs for the dense side; none when the learned
        components are switched off."""
        if not settings.learned:
            return []
        from knowledge_base.learned.dense_folds import question_pairs
        from knowledge_base.learned.train import default_train_items

        return question_pairs(clauses, default_train_items())

    def train_judge(self) -> object | None:
        """Train the answer judge on the annotated train split (thresholds from dev), write it
        beside the index and put it in service; returns the training report (None when the
        learned components are off or there is no annotated data)."""
        if not self.settings.learned:
            self._searcher.judge = None
            return None
        from knowledge_base.learned.model import AnswerJudge
        from knowledge_base.learned.train import NotEnoughData, train

        key = self._judge_key()
        cached = _TRAINED_JUDGES.get(key)
        if cached is not None:
            # Training is deterministic: the same clauses, dense model and annotations give the same
            # judge, so a second library built from them (tests, a rebuild) reuses it.
            from knowledge_base.learned.train import save

            judge, report = cached
            save(judge, judge.manifest.get("ranker_kind", ""), self.settings.data_dir)
            self._searcher.judge = judge
            return report
        try:
            judge, report = train(self._searcher, self.settings.data_dir)
        except NotEnoughData as exc:
            # A library without the annotated documents: a judge trained earlier still serves (its
            # features describe question–clause relations); with none, the hand-set pipeline does.
            log.info("answer judge not retrained: %s", exc)
            self._searcher.judge = AnswerJudge.load(self.settings.data_dir)
            return None
        self._searcher.judge = judge
        _TRAINED_JUDGES[key] = (judge, report)
        return report

    def _judge_key(self) -> tuple[str, str]:
        import hashlib

        from knowledge_base.learned.train import data_fingerprint, default_train_items

        h = hashlib.sha1()
        for c in self._searcher.clauses:
            h.update(c.chunk_id.encode())
        h.update(self._manifest.model_id.encode())
        return h.hexdigest(), data_fingerprint(default_train_items())

    def dense_is_current(self) -> bool:
        """The built-in dense model was trained on today's clauses and today's annotated pairs."""
        if self.settings.embedding_model != BUILTIN_STATIC or self.settings.dense_weight <= 0:
            return True
        from knowledge_base.index.embedding_builder import corpus_fingerprint

        clauses = self._searcher.clauses
        wanted = f"{BUILTIN_STATIC}@{corpus_fingerprint([c.index_text for c in clauses], self._annotated_pairs(self.settings, clauses))}"
        return self._manifest.model_id == wanted

    def _attach_judge(self) -> None:
        """The trained judge from disk; trained now when there is none yet (first start after
        an upgrade). Its features describe question–clause relations, not clauses, so a judge
        trained before documents were added still serves them."""
        if not self.settings.learned:
            return
        from knowledge_base.learned.model import AnswerJudge

        self._searcher.judge = AnswerJudge.load(self.settings.data_dir)
        if self._searcher.judge is None:
            self.train_judge()  # first start after an upgrade

    @classmethod
    def rebuild(
        cls, settings: KBSettings | None = None, paths: Sequence[Path | str] | None = None
    ) -> tuple[KnowledgeBase, IngestReport]:
        """Build from scratch without loading the current index first (the CLI's `ingest`):
        sources = configured corpus + previously ingested sources + `paths`."""
        settings = settings or KBSettings()
        for p in paths or []:
            if not Path(p).exists():
                raise IngestError(f"找不到要导入的路径: {p}")
        manifest = read_manifest(cls.index_dir(settings))
        withdrawn = manifest.withdrawn if manifest else []
        return cls._build(settings, cls._sources(settings, manifest, [Path(p) for p in paths or []]), withdrawn)

    def ingest(self, paths: Sequence[Path | str] | None = None, isolated: bool = False) -> IngestReport:
        """Add `paths` (files or folders) to the library's sources and rebuild store and indexes.

        `isolated`: the rebuild runs in a child process and this one loads its result (the
        service: no GIL-bound rebuild beside the requests, and its memory leaves with the child;
        knowledge_base.index.isolated). On failure the previous index stays in service and on disk,
        and the error propagates."""
        if isolated:
            from knowledge_base.index.isolated import rebuild_isolated

            for p in paths or []:
                if not Path(p).exists():
                    raise IngestError(f"找不到要导入的路径: {p}")
            rebuild_isolated(self.settings, paths)
            kb = self.open(self.settings)
            if not kb.loaded_from_disk:
                log.warning("the isolated rebuild's library did not load as current; it was rebuilt here")
            stored = json.loads((kb._on_disk.gen / "documents.json").read_text("utf-8")) if kb._on_disk else {}
            report = IngestReport(n_files=len(stored.get("documents", [])), n_clauses=len(kb.clauses),
                                  sources=kb.manifest.sources, errors=stored.get("errors", []))
        else:
            kb, report = self.rebuild(self.settings, paths)
        self._searcher, self._manifest, self._by_id = kb._searcher, kb._manifest, kb._by_id
        self._on_disk = kb._on_disk
        self.last_ingest = report
        return report

    # -- one document at a time (knowledge_base.index.library) ---------------------------------------

    def add_document(self, path: Path | str) -> IngestReport:
        """Add one new file without rebuilding the rest; raises LibraryError (Chinese) when a
        file of that name is already in the library or the file cannot be read."""
        return self._change(adds=[Path(path)], drop=None)

    def add_documents(self, paths: Sequence[Path | str]) -> IngestReport:
        """Add several new files as one change (one generation: all or none)."""
        return self._change(adds=[Path(p) for p in paths], drop=None)

    def replace_document(self, path: Path | str) -> IngestReport:
        """Swap the library's copy of the file of this name for the file's current content."""
        return self._change(adds=[Path(path)], drop=Path(path).name)

    def withdraw_document(self, file: str) -> IngestReport:
        """Take one file out of the library (it stays out of later full rebuilds)."""
        return self._change(adds=[], drop=file)

    def _change(self, adds: list[Path], drop: str | None) -> IngestReport:
        """Apply one change and publish it as a new generation; on any failure the library in
        memory and on disk is the previous one (library.py)."""
        import threading

        from knowledge_base.index.library import (
            LibraryError, Live, NoGenerationError, current_generation, dense_vectors, file_sources,
            kept_overrides, merged_layout, new_segment, with_document, without_file, write_generation,
        )
        from knowledge_base.ingest.pipeline import DocumentSummary, FileError, IngestResult, build_clauses
        from knowledge_base.ingest.versions import apply_versions

        lock = self.__dict__.setdefault("_change_lock", threading.Lock())
        with lock:
            root = self.index_dir(self.settings)
            gen = current_generation(root)
            on_disk = self._on_disk
            if gen is None or on_disk is None:
                raise NoGenerationError("政策库尚未以分代方式保存,请先运行一次完整导入(medpolicy ingest)")
            if on_disk.gen != gen:
                raise LibraryError("内存中的政策库与磁盘不一致,请先运行完整导入")
            before = list(self._searcher.clauses)
            docs = json.loads((gen / "documents.json").read_text("utf-8"))  # small: one line per file
            documents = [DocumentSummary.model_validate(d) for d in docs["documents"]]
            errors = [FileError.model_validate(e) for e in docs["errors"]]
            live = Live(before, self._searcher.body, self._searcher.heading, dense_vectors(self._searcher),
                        list(on_disk.row_segments), {})
            present = file_sources(before)
            manifest = self._manifest
            withdrawn = [w for w in manifest.withdrawn if w not in {a.name for a in adds}]
            if drop is not None:
                if drop not in present:
                    raise LibraryError(f"政策库中没有文件“{drop}”")
                live = without_file(live, drop)
                documents = [d for d in documents if d.file != drop]
                if not adds:
                    withdrawn.append(drop)
            sources = [Path(s) for s in manifest.sources]
            if len({a.name for a in adds}) != len(adds):
                raise LibraryError("一次导入的文件中有重名文件")
            for add in adds:
                if drop is None and add.name in present:
                    raise LibraryError(f"同名文件“{add.name}”已在政策库中(要更新请用替换)")
                new = build_clauses([add])
                if new.errors:
                    raise LibraryError(f"“{add.name}”未导入: {new.errors[0].reason}")
                if not new.clauses:
                    raise LibraryError(f"“{add.name}”中没有得到任何条款")
                live = with_document(live, new.clauses, self._searcher.encoder, self._searcher.config.fine_tokens)
                documents += new.documents
                resolved = add.expanduser().resolve()
                if not any(resolved == s or s in resolved.parents for s in sources):
                    sources.append(resolved)
            live.clauses = apply_versions(live.clauses)
            from knowledge_base.index.dense import DenseIndex

            dense = DenseIndex.build(live.vectors) if live.vectors is not None and live.clauses else None
            searcher = HybridSearcher(live.clauses, live.body, live.heading, dense, self._searcher.encoder,
                                      self._searcher.config)
            searcher.judge = self._searcher.judge  # clause-independent features: still valid
            manifest = manifest.model_copy(
                update={"corpus_hash": corpus_hash(sources), "sources": [str(s) for s in sources], "withdrawn": withdrawn}
            )
            result = IngestResult(clauses=[], documents=documents, errors=errors)
            self._on_disk = write_generation(
                root, searcher, result, manifest, new=new_segment(live), previous=gen,
                layout=merged_layout(on_disk.layout, live.removed),
                overrides=kept_overrides(live, before, on_disk.overrides), rows=live.rows,
            )
            self._searcher = searcher
            self._manifest = read_manifest(root) or manifest
            self._by_id = {c.chunk_id: c for c in live.clauses}
            report = IngestReport(n_files=len(documents), n_clauses=len(live.clauses), sources=self._manifest.sources)
            self.last_ingest = report
            return report

    # -- queries -------------------------------------------------------------------------------

    @property
    def manifest(self) -> Manifest:
        return self._manifest

    @property
    def clauses(self) -> list[Clause]:
        return list(self._searcher.clauses)

    @property
    def searcher(self) -> HybridSearcher:
        return self._searcher

    def warm_up(self) -> None:
        """Prepare the question-independent per-clause work now (`HybridSearcher.warm_up`)."""
        self._searcher.warm_up()

    @property
    def judged(self) -> bool:
        """A learned answer judge ranks and decides (search results carry `decision`)."""
        return self._searcher.judge is not None

    def search(self, query: str, top_k: int = 5, filters: SearchFilters | None = None) -> SearchResponse:
        """Hybrid search; raises EmptyQueryError (Chinese message) for an empty query.

        With dated versions in the library (knowledge_base.ingest.versions) the current version comes
        first for a question about now and the version in force in a named year ("2013年") for a
        question about then; each such hit says its period, in `period` and in its citation."""
        if not self._versioned:
            return self._searcher.search(query, top_k=top_k, filters=filters)
        from knowledge_base.search.scope import named_years
        from knowledge_base.ingest.versions import order_for_period, period_label

        response = self._searcher.search(query, top_k=top_k * 2, filters=filters)
        years = named_years(query)
        year = years[0] if years else (filters.year if filters and filters.year else None)
        hits = order_for_period(response.results, self._by_id, year)[:top_k]
        for h in hits:
            clause = self._by_id.get(h.chunk_id)
            if clause is not None and (label := period_label(clause)):
                h.period = label
                h.citation = f"{h.citation}〔{label}〕"
        return response.model_copy(update={"results": hits})

    @property
    def _versioned(self) -> bool:
        """Whether any clause is dated (memoised per clause map: searches must not scan it)."""
        memo = getattr(self, "_versioned_memo", None)
        if memo is None or memo[0] is not self._by_id:
            memo = (self._by_id, any(c.effective_from for c in self._by_id.values()))
            self._versioned_memo = memo
        return memo[1]

    def get(self, chunk_id: str) -> Clause | None:
        return self._by_id.get(chunk_id)

    def facets(self) -> Facets:
        clauses = self._searcher.clauses

        def ranked(values: Iterable) -> list:
            counts = Counter(v for v in values if v is not None)
            return [v for v, _ in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))]

        return Facets(
            regions=ranked(c.region for c in clauses),
            years=sorted({c.year for c in clauses if c.year is not None}, reverse=True),
            schemes=ranked(c.scheme for c in clauses),
            kinds=ranked(c.kind for c in clauses),
        )
