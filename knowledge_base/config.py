"""Knowledge-base settings, read from MEDPOLICY_* environment variables (or .env).

Lives here rather than in the API so the knowledge base never imports the API.
"""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_CORPUS_DIR = PACKAGE_DIR / "corpus"
PROJECT_DIR = PACKAGE_DIR.parent


class KBSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MEDPOLICY_", env_file=".env", extra="ignore")

    data_dir: Path = PROJECT_DIR / "var"  # store, indexes, built models
    corpus_dirs: list[Path] = [DEFAULT_CORPUS_DIR]
    # "builtin:static-zh" = the StaticEmbedding the project trains on its corpus (no download);
    # anything else is a sentence-transformers model name or local path, e.g. a BGE Chinese model.
    embedding_model: str = "builtin:static-zh"
    dense_weight: float = 0.5  # weight of the dense ranking in fusion (measured: docs/BENCHMARKS.md); 0 disables it
    # The learned components (knowledge_base.learned): annotated pairs in the dense side's
    # training, the learned ranker and answerability in search. False = the hand-set pipeline.
    learned: bool = True

    @property
    def store_dir(self) -> Path:
        return self.data_dir / "kb"
