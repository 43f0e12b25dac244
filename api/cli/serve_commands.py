"""`medpolicy serve` — the web service (JSON API, WeChat webhook, web pages) on one port."""

from __future__ import annotations

import logging

import typer


def register(app: typer.Typer) -> None:
    """Attach this area's commands to the main app."""

    @app.command()
    def serve(
        host: str = typer.Option(None, help="监听地址（默认 MEDPOLICY_HOST 或 127.0.0.1）"),
        port: int = typer.Option(None, help="端口（默认 MEDPOLICY_PORT 或 8000）"),
        log_level: str = typer.Option("info", help="日志级别"),
    ) -> None:
        """启动服务：问答与检索 API、微信公众号接口、网页（/、/estimate、/console、/docs）。"""
        import uvicorn

        from api.app import create_app
        from api.pii import install_log_masking
        from api.settings import ServiceSettings

        settings = ServiceSettings()
        logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        install_log_masking()
        config = uvicorn.Config(
            create_app(settings),
            host=host or settings.host,
            port=port or settings.port,
            log_level=log_level,
            proxy_headers=False,
        )
        server = uvicorn.Server(config)
        # uvicorn configures its own handlers at start-up; mask personal data in them too.
        config.load()
        install_log_masking()
        typer.echo(f"medpolicy: http://{config.host}:{config.port}/  (API 文档 /docs)")
        server.run()
