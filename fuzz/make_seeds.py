#!/usr/bin/env python3
"""Writes the seed corpora in fuzz/corpus/<target>/ from the tests' data and the knowledge base.
Run from fuzz/: python3 make_seeds.py (the output is committed; rerun after the data changes)."""
import hashlib, json, os, pathlib

root = pathlib.Path(__file__).resolve().parent
repo = root.parent

def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = root / "corpus" / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)

# answer: byte 0 picks the emergency contact (0 default, 1 DE, 2 custom), the rest is the text.
questions = []
for name in ("questions.jsonl", "forum-style.jsonl"):
    for line in open(repo / "tests/data" / name, encoding="utf-8"):
        if line.strip():
            questions.append(json.loads(line)["q"])
for line in open(repo / "tests/data/safety.tsv", encoding="utf-8"):
    if line.strip() and not line.startswith("#"):
        cols = line.rstrip("\n").split("\t")
        if len(cols) >= 3:
            questions.append(cols[2])
for i, q in enumerate(questions):
    put("answer", bytes([i % 3]) + q.encode())

# kb_load: byte 0 = file (the order of kb_files::embedded_files), byte 1 even = replace the text.
files = ["topics.toml", "lexicon.toml", "redflags.toml", "messages.toml", "questions.toml",
         "common_words.txt", "emergency.toml"]
for i, name in enumerate(files):
    text = (repo / "knowledge" / name).read_bytes()
    if len(text) > 20000:  # keep inputs small: the head of a long file
        text = text[:20000]
    put("kb_load", bytes([i, 0]) + text)
    # A few odd-mode seeds: insert a snippet at the start, the middle and the end.
    for at, snippet in ((0, b"[[topic]]\nid = \"x\"\n"), (0x8000, b"\n= \"\n"), (0xffff, b"\nkeywords = [1]\n")):
        put("kb_load", bytes([i, 1, at >> 8, at & 0xff]) + snippet)

# webhook: header lines ("s" = the right secret), a blank line, the body.
def message(update_id, chat, text, **extra):
    m = {"message_id": update_id, "date": 1700000000, "chat": chat,
         "from": {"id": 42, "is_bot": False, "first_name": "Zed"}, "text": text}
    m.update(extra)
    return {"update_id": update_id, "message": m}
private = {"id": 42, "type": "private", "first_name": "Zed"}
group = {"id": -100123, "type": "supergroup", "title": "Sciatica support"}
updates = [
    message(1, private, "my back hurts down to my knee"),
    message(2, group, "/check", entities=[{"type": "bot_command", "offset": 0, "length": 6}]),
    message(3, group, "@backleg_bot numb saddle area", message_thread_id=7, is_topic_message=True),
    {"update_id": 4, "callback_query": {"id": "q1", "from": {"id": 42, "is_bot": False, "first_name": "Zed"},
                                         "chat_instance": "c", "data": "c:0:y",
                                         "message": {"message_id": 9, "date": 1700000000, "chat": private, "text": "?"}}},
    {"update_id": 5, "edited_message": message(5, private, "edited")["message"]},
    {"update_id": 6},
]
for u in updates:
    body = json.dumps(u).encode()
    put("webhook", b"s\ncontent-type: application/json\n\n" + body)
put("webhook", b"x-telegram-bot-api-secret-token: wrong\n\n" + json.dumps(updates[0]).encode())
put("webhook", b"s\n\n{\"update_id\": 7, \"message\": ")
put("webhook", b"s\n\nnot json at all, but long")

# callbacks: callback data and command lines.
for data in ["t:sciatica", "t:overview", "c:0:y", "c:3:n", "c:99:y", "e:o", "e:p:2", "e:c:DE", "e:c:de",
             "/emergency DE", "/emergency 112", "/emergency off", "/emergency@backleg_bot FR",
             "/card", "/card pin", "/alerts on", "/alerts off", "/redflags on", "/redflags off",
             "/check", "/start check", "/ask@backleg_bot numb leg", "/urgent", "/topics"]:
    put("callbacks", data)

# config: config files.
configs = [
    'token = "123456:ABC-def_ghi"\n',
    'token = "123456:ABC-def_ghi"\nwebhook_url = "https://example.org/hook"\nlisten = "0.0.0.0:8443"\n'
    'webhook_secret = "s3cret_token"\nwebhook_max_connections = 40\n',
    'token = "123456:ABC-def_ghi"\nstorage = "redis://127.0.0.1:6379/0"\nred_flag_cooldown_seconds = 600\n'
    'flood_control = "on"\nmessages_per_second = 25\nmax_updates_in_flight = 64\n',
    'data = "x"\nunknown_key = 1\n',
    'api_url = "http://127.0.0.1:8081"\nknowledge = "knowledge"\nemergency_number = "112"\n'
    'metrics_listen = "127.0.0.1:9000"\ndrop_pending = true\n',
]
for c in configs:
    put("config", c)
