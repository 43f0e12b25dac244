"""Mixed load for several workers: citizens' chat lookups, front-desk estimates, WeChat messages.

Run by benchmarks/bench_workers.py (headless, loopback only, bounded by --run-time and by
MEDPOLICY_BENCH_MAX_REQUESTS, after which the run stops itself).
"""

from __future__ import annotations

import hashlib
import itertools
import os
import secrets
import time

from locust import HttpUser, between, events, task

QUESTIONS = ["住院起付线是多少", "在县外住院少报多少", "门槛费多少", "生孩子补多少", "慢性病门诊能报多少",
             "三甲医院住院报销比例", "转诊怎么报销", "大病保险怎么报", "封顶线是多少", "普通门诊报销比例"]
ESTIMATE = {"policy": "cq-resident-2013", "service": "inpatient", "tier": 1, "hospital_level": 2, "covered_cost": "10000"}
TOKEN = os.environ.get("MEDPOLICY_WECHAT_TOKEN", "benchtoken")
MAX_REQUESTS = int(os.environ.get("MEDPOLICY_BENCH_MAX_REQUESTS", "3000"))
_ids = itertools.count(1)
_count = itertools.count(1)


@events.request.add_listener
def _bound(**_: object) -> None:
    if next(_count) >= MAX_REQUESTS:
        from locust.runners import STATE_STOPPING, STATE_STOPPED

        runner = _env.runner if _env else None
        if runner is not None and runner.state not in (STATE_STOPPING, STATE_STOPPED):
            runner.quit()


_env = None


@events.init.add_listener
def _keep(environment, **_: object) -> None:  # type: ignore[no-untyped-def]
    global _env
    _env = environment


class Visitor(HttpUser):
    wait_time = between(0, 0.05)

    @task(3)
    def chat(self) -> None:
        self.client.post("/api/chat", json={"message": QUESTIONS[next(_ids) % len(QUESTIONS)]}, name="/api/chat")

    @task(2)
    def estimate(self) -> None:
        self.client.post("/api/estimate", json=ESTIMATE, name="/api/estimate")

    @task(1)
    def wechat(self) -> None:
        n = next(_ids)
        timestamp, nonce = str(int(time.time())), secrets.token_hex(8)
        signature = hashlib.sha1("".join(sorted([TOKEN, timestamp, nonce])).encode()).hexdigest()
        body = (f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[o-bench-{n % 500}]]>"
                f"</FromUserName><CreateTime>{timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
                f"<Content><![CDATA[{QUESTIONS[n % len(QUESTIONS)]}]]></Content><MsgId>{n}</MsgId></xml>")
        self.client.post("/wechat", params={"signature": signature, "timestamp": timestamp, "nonce": nonce},
                         data=body.encode(), headers={"Content-Type": "text/xml"}, name="/wechat")
