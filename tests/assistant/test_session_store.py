import threading

from assistant.session_store import InMemorySessionStore, SqliteSessionStore
from assistant.state import DialogueState


def test_sqlite_store_survives_reopen(tmp_path):
    path = tmp_path / "s.sqlite3"
    store = SqliteSessionStore(path)
    store.save(DialogueState(session_id="a", slots={"region": "重庆", "tier": 2}, last_intent="estimate"))
    store.close()
    again = SqliteSessionStore(path)
    state = again.get("a")
    assert state is not None and state.slots == {"region": "重庆", "tier": 2}
    assert state.last_intent == "estimate"


def test_save_overwrites_and_reset_deletes(tmp_path):
    store = SqliteSessionStore(tmp_path / "s.sqlite3")
    store.save(DialogueState(session_id="a", turns=1))
    store.save(DialogueState(session_id="a", turns=2))
    assert store.get("a").turns == 2
    store.reset("a")
    assert store.get("a") is None
    assert store.get("missing") is None


def test_sqlite_store_is_thread_safe(tmp_path):
    store = SqliteSessionStore(tmp_path / "s.sqlite3")

    def work(i):
        for j in range(20):
            store.save(DialogueState(session_id=f"s{i}", turns=j))
            assert store.get(f"s{i}") is not None

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(store.get(f"s{i}").turns == 19 for i in range(8))


def test_memory_store_roundtrip():
    store = InMemorySessionStore()
    store.save(DialogueState(session_id="x", slots={"amount": "20000"}))
    assert store.get("x").slots["amount"] == "20000"
    store.reset("x")
    assert store.get("x") is None
