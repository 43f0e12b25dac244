"""`medpolicy serve` — the web service (JSON API, WeChat webhook, web pages), one or more workers."""

from __future__ import annotations

import os
import tempfile

import typer


def register(app: typer.Typer) -> None:
    """Attach this area's commands to the main app."""

    @app.command()
    def serve(
        host: str = typer.Option(None, help="监听地址（默认 MEDPOLICY_HOST 或 127.0.0.1）"),
        port: int = typer.Option(None, help="端口（默认 MEDPOLICY_PORT 或 8000）"),
        workers: int = typer.Option(None, min=1, max=64, help="工作进程数（默认 MEDPOLICY_WORKERS 或 1；多于 1 个时请配置 PostgreSQL 与 Redis）"),
        log_level: str = typer.Option(None, help="日志级别 debug/info/warning/error（默认 MEDPOLICY_LOG_LEVEL 或 info）"),
    ) -> None:
        """启动服务：问答与检索 API、微信公众号接口、网页（/、/estimate、/console、/docs）、/metrics。"""
        import uvicorn

        from api.observability import configure_logging
        from api.settings import ServiceSettings

        # Workers are separate processes that read their settings from the environment.
        if log_level:
            os.environ["MEDPOLICY_LOG_LEVEL"] = log_level.lower()
        settings = ServiceSettings()
        n = workers or settings.workers
        configure_logging(settings.log_level, json_lines=settings.log_format == "json")
        if n > 1:
            if not (settings.database_url and settings.redis_url):
                typer.echo(
                    "提示：多个工作进程时，微信去重、限流和访问令牌只有在配置 MEDPOLICY_REDIS_URL 后才在进程间共享；"
                    "SQLite 可多进程共用，但建议配置 MEDPOLICY_DATABASE_URL（PostgreSQL）。",
                    err=True,
                )
            # prometheus-client's multiprocess mode: each worker writes here, /metrics sums them.
            os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="medpolicy-metrics-"))
        bind_host, bind_port = host or settings.host, port or settings.port
        typer.echo(f"medpolicy: http://{bind_host}:{bind_port}/  (API 文档 /docs，{n} 个工作进程)")
        uvicorn.run(
            "api.app:create_service_app",
            factory=True,
            host=bind_host,
            port=bind_port,
            workers=n,
            log_level=settings.log_level,
            log_config=None,  # the worker's factory sets up JSON logging with masking
            proxy_headers=False,
        )
