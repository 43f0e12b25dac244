"""What the routes depend on, resolved through FastAPI dependency injection.

`Services` holds the assistant, knowledge base, calculators and database. Anything passed to
`create_app` is used as is (tests inject fakes or the real objects); anything missing is built
from the settings on first use, and a background warm-up loads it at start so /readyz turns green
without waiting for a first request.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

from fastapi import Request
from pydantic_core import to_jsonable_python

from api.db import ServiceDatabase, open_service_db
from api.errors import ApiError
from api.sessions import load_or_create_secret
from api.settings import ServiceSettings

log = logging.getLogger("medpolicy.api")
T = TypeVar("T")


class AssistantPort(Protocol):
    def ask(self, message: str, session_id: str | None = None, channel: str = "web") -> Any: ...


class KnowledgeBasePort(Protocol):
    def search(self, query: str, top_k: int = 5, filters: Any = None) -> Any: ...
    def get(self, chunk_id: str) -> Any: ...
    def facets(self) -> Any: ...
    def ingest(self, paths: Any, isolated: bool = False) -> Any: ...


class CalculatorsPort(Protocol):
    def estimate(self, request: Any) -> Any: ...
    def contribution(self, request: Any) -> Any: ...
    def policies(self) -> list[Any]: ...
    def policy(self, policy_id: str) -> Any | None: ...


class ModuleCalculators:
    """Adapter over the `calculators` package (its functions and its policy registry)."""

    def __init__(self) -> None:
        import calculators
        from calculators import registry

        self._calc = calculators
        self._policies = registry.load_policies()  # dict: id -> Policy (parameters with citations)

    def estimate(self, request: Any) -> Any:
        return self._calc.estimate(request)

    def contribution(self, request: Any) -> Any:
        return self._calc.contribution(request)

    def policies(self) -> list[Any]:
        return list(self._calc.list_policies())

    def policy(self, policy_id: str) -> Any | None:
        return self._policies.get(policy_id)


class Services:
    """Lazily built, thread-safe holder of everything the routes need."""

    def __init__(
        self,
        settings: ServiceSettings,
        *,
        assistant: AssistantPort | None = None,
        kb: KnowledgeBasePort | None = None,
        calculators: CalculatorsPort | None = None,
        db: ServiceDatabase | None = None,
    ) -> None:
        self.settings = settings
        self._objects: dict[str, Any] = {"assistant": assistant, "kb": kb, "calculators": calculators, "db": db}
        self._injected = {name: obj is not None for name, obj in self._objects.items()}
        self._errors: dict[str, str] = {}
        self._lock = threading.RLock()
        self.executor = ThreadPoolExecutor(max_workers=settings.assistant_workers, thread_name_prefix="assistant")
        self._session_secret: bytes | None = None

    @property
    def session_secret(self) -> bytes:
        """The server secret keying WeChat session ids (configured, or generated and persisted)."""
        if self._session_secret is None:
            with self._lock:
                if self._session_secret is None:
                    self._session_secret = load_or_create_secret(
                        self.settings.session_secret, self.settings.data_dir
                    )
        return self._session_secret

    def _build(self, name: str) -> Any:
        if name == "db":
            return open_service_db(self.settings)
        if name == "kb":
            # Share the assistant's knowledge base when it has one: one index in memory, and an
            # admin re-ingest is then seen by both.
            shared = getattr(self.assistant, "kb", None) if self._can_share_kb() else None
            if shared is not None:
                return shared
            from knowledge_base.service import KnowledgeBase

            return KnowledgeBase.open(self.settings)
        if name == "assistant":
            from assistant.service import Assistant

            return Assistant.create_default(self.settings, store=self._session_store())
        if name == "calculators":
            return ModuleCalculators()
        raise KeyError(name)

    # Typed accessors: what routes and the WeChat handler use (built on first use).
    @property
    def db(self) -> ServiceDatabase:
        return self._component("db")  # type: ignore[no-any-return]

    @property
    def assistant(self) -> AssistantPort:
        return self._component("assistant")  # type: ignore[no-any-return]

    @property
    def kb(self) -> KnowledgeBasePort:
        return self._component("kb")  # type: ignore[no-any-return]

    @property
    def calculators(self) -> CalculatorsPort:
        return self._component("calculators")  # type: ignore[no-any-return]

    def _component(self, name: str) -> Any:
        obj = self._objects.get(name)
        if obj is not None:
            return obj
        with self._lock:
            if self._objects.get(name) is None:
                try:
                    built = self._build(name)
                    if name in ("assistant", "kb"):
                        # the clauses' question-independent work, before readiness reports it
                        kb = built if name == "kb" else getattr(built, "kb", None)
                        warm = getattr(kb, "warm_up", None)
                        if callable(warm):
                            warm()
                    self._objects[name] = built
                    self._errors.pop(name, None)
                except Exception as exc:  # reported by /readyz; the route answers 503
                    log.exception("could not load %s", name)
                    self._errors[name] = f"{type(exc).__name__}: {exc}"
                    raise ApiError(503, "not_ready", _NOT_READY.get(name, "服务尚未就绪，请稍后再试。")) from exc
            return self._objects[name]

    def _session_store(self) -> Any:
        """The assistant's dialogue states next to the service's: in PostgreSQL when configured
        (every worker then sees a session's state), else the assistant's own SQLite default."""
        if not self.settings.database_url:
            return None
        from api.db_postgres import PostgresServiceDB, PostgresSessionStore

        db = self.db
        return PostgresSessionStore(db.pool) if isinstance(db, PostgresServiceDB) else None

    def _can_share_kb(self) -> bool:
        """Only a real assistant built here is known to carry the real knowledge base."""
        return self._injected["assistant"] is False

    def loaded(self, name: str) -> bool:
        return self._objects.get(name) is not None

    def error(self, name: str) -> str | None:
        return self._errors.get(name)

    def warm_up(self) -> None:
        for name in ("db", "calculators", "assistant", "kb"):
            try:
                self._component(name)
            except ApiError:
                pass

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        db = self._objects.get("db")
        if db is not None:
            db.close()


_NOT_READY = {
    "kb": "知识库尚未建立或无法加载，请先运行 medpolicy ingest。",
    "assistant": "问答服务尚未就绪，请稍后再试。",
    "calculators": "测算规则尚未加载，请稍后再试。",
    "db": "数据库无法打开，请检查 MEDPOLICY_DB_PATH。",
}


def get_services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


def get_settings(request: Request) -> ServiceSettings:
    return get_services(request).settings


def get_db(request: Request) -> ServiceDatabase:
    return get_services(request).db


def get_kb(request: Request) -> KnowledgeBasePort:
    return get_services(request).kb


def get_assistant(request: Request) -> AssistantPort:
    return get_services(request).assistant


def get_calculators(request: Request) -> CalculatorsPort:
    return get_services(request).calculators


def to_jsonable(obj: Any) -> Any:
    """Pydantic models and plain values alike as JSON-ready data, by pydantic's rules (Decimal as
    an exact string, never a float)."""
    return to_jsonable_python(obj)
