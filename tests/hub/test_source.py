"""The Hub source: the real huggingface_hub client against the local server.

Recorded answers from ../shared/fixtures/hf, small ones of ours, and scripted faults.
"""

from __future__ import annotations

import json
import logging

import pytest

from tests.hub.conftest import NOW, hf, info_body, listing_item, serve_listing
from tests.support.server import Reply
from tracker.errors import GatedModelError, SourceQueryError, SourceUnavailableError
from tracker.sources.hub import HubSource, RateWindow, rate_limit_wait
from tracker.sources.hub_records import parse_number


def source(env, **kwargs):
    return HubSource(env.config().hub, **kwargs)


def test_listing_pages_follow_the_link_cursor(env, server):
    pages = [
        [listing_item(f"org/m{i}", arxiv=["1706.03762"]) for i in range(3)],
        [listing_item(f"org/m{i}") for i in range(3, 5)],
    ]
    serve_listing(server, pages)
    hub = source(env)
    got = list(hub.model_pages())
    assert [[r.repo_id for r in page] for page in got] == [
        ["org/m0", "org/m1", "org/m2"],
        ["org/m3", "org/m4"],
    ]
    assert got[0][0].arxiv_ids == ["1706.03762"]
    assert got[0][0].license == "apache-2.0"
    assert hub.requests == 2
    first = server.requests[0]
    assert "sort=lastModified" in first and "limit=1000" in first and "expand=tags" in first
    assert server.requests[1] == "/api/models?cursor=c1"


def test_stopping_early_requests_no_further_page(env, server):
    serve_listing(server, [[listing_item("org/a")]])
    server.add("/api/models", Reply.json([listing_item("org/b")]), params={"cursor": "never"})
    server.routes[0].replies[0].headers["Link"] = (
        f'<{server.url}/api/models?cursor=never>; rel="next"'
    )
    hub = source(env)
    pages = hub.model_pages()
    assert [r.repo_id for r in next(pages)] == ["org/a"]
    pages.close()
    assert hub.requests == 1
    server.routes.pop()  # the page a stopped walk never asks for


def test_recorded_listing_items_with_and_without_expand(env, server, shared):
    server.add(
        "/api/models", Reply.json_file(hf(shared, "models_list_trending_3items_2026-04.json"))
    )
    plain = next(source(env).model_pages())
    assert [r.repo_id for r in plain][:1] == ["deepseek-ai/DeepSeek-V4-Pro"]
    kimi = next(r for r in plain if r.repo_id == "moonshotai/Kimi-K2.6")
    assert kimi.arxiv_ids == ["2602.02276"]
    assert kimi.last_modified is None and kimi.safetensors is None  # not in a plain listing
    server.add(
        "/api/models", Reply.json_file(hf(shared, "models_search_gguf_expand-cardData_4items.json"))
    )
    expanded = {r.repo_id: r for r in next(source(env).model_pages())}
    assert expanded["google/gemma-3-4b-it-qat-q4_0-gguf"].gated == "manual"
    assert expanded["bartowski/Qwen2.5-Coder-1.5B-Instruct-GGUF"].gated == ""
    assert expanded["bartowski/Qwen2.5-Coder-1.5B-Instruct-GGUF"].last_modified is not None


def test_model_info_with_eight_results(env, server, shared):
    name = "model_info_deepset_roberta-base-squad2_2025-01.json"
    server.add("/api/models/deepset/roberta-base-squad2", Reply.json_file(hf(shared, name)))
    record = source(env).model_info("deepset/roberta-base-squad2")
    raw = json.loads(hf(shared, name).read_text())
    assert len(raw["model-index"][0]["results"]) == 8
    assert record is not None and record.detailed
    assert len(record.results) == 17  # 8 results, 2-3 metrics each
    assert {(r.dataset_id, r.dataset_split) for r in record.results} >= {
        ("squad_v2", "validation"),
        ("squad", "validation"),
    }
    first = record.results[0]
    assert (first.task_id, first.metric_type, first.value, first.verified) == (
        "question-answering",
        "exact_match",
        79.9309,
        True,
    )
    assert record.pipeline_tag == "question-answering"
    assert record.parameters == 124057092 and record.safetensors is True
    assert record.base_model == "FacebookAI/roberta-base"
    assert record.datasets == ["squad_v2"]


def test_model_info_with_null_or_empty_model_index(env, server, shared):
    bert = "model_info_google-bert_bert-base-uncased_2025-01.json"
    wav = "model_info_alefiury_wav2vec2-large-xlsr-53-gender-recognition-librispeech_2025-03.json"
    server.add("/api/models/google-bert/bert-base-uncased", Reply.json_file(hf(shared, bert)))
    server.add(
        "/api/models/alefiury/wav2vec2-large-xlsr-53-gender-recognition-librispeech",
        Reply.json_file(hf(shared, wav)),
    )
    hub = source(env)
    record = hub.model_info("google-bert/bert-base-uncased")
    assert record is not None and record.results == []
    assert record.arxiv_ids == ["1810.04805"]
    assert record.datasets == ["bookcorpus", "wikipedia"]
    other = hub.model_info("alefiury/wav2vec2-large-xlsr-53-gender-recognition-librispeech")
    assert other is not None and other.results == []
    assert other.pipeline_tag == "audio-classification"


def test_model_info_without_a_card(env, server):
    body = listing_item("org/bare", task=None)
    server.add("/api/models/org/bare", Reply.json(body))
    record = source(env).model_info("org/bare")
    assert record is not None
    assert (record.results, record.base_model, record.pipeline_tag) == ([], None, None)
    assert record.safetensors is False and record.parameters is None


def test_gated_model_is_data_not_an_error(env, server, shared):
    name = "model_info_meta-llama_Llama-3.1-8B-Instruct_gated_2025-03.json"
    server.add("/api/models/meta-llama/Llama-3.1-8B-Instruct", Reply.json_file(hf(shared, name)))
    record = source(env).model_info("meta-llama/Llama-3.1-8B-Instruct")
    assert record is not None
    assert record.gated == "manual"
    assert record.license == "llama3.1"
    assert record.arxiv_ids == ["2204.05149"]


def test_gated_answer_becomes_gated_model_error(env, server):
    server.add(
        "/api/models/org/locked",
        Reply.json({"error": "gated"}, status=403, headers={"X-Error-Code": "GatedRepo"}),
    )
    with pytest.raises(GatedModelError) as caught:
        source(env).model_info("org/locked")
    assert (
        caught.value.message == "model org/locked is gated: its files need a logged-in Hub account."
    )
    assert caught.value.hint == (
        "Run `hf auth login` (or set HF_TOKEN), then accept its licence at "
        f"{server.url}/org/locked."
    )


def test_renamed_repo_307_is_followed(env, server, shared):
    redirect = hf(shared, "redirect_307_bert-base-uncased_2025-01.txt")
    server.add(
        "/api/models/bert-base-uncased",
        Reply.file(
            redirect,
            status=307,
            content_type="text/plain; charset=utf-8",
            headers={"Location": "/api/models/google-bert/bert-base-uncased"},
        ),
    )
    server.add(
        "/api/models/google-bert/bert-base-uncased",
        Reply.json_file(hf(shared, "model_info_google-bert_bert-base-uncased_2025-01.json")),
    )
    hub = source(env)
    record = hub.model_info("bert-base-uncased")
    assert record is not None
    assert record.repo_id == "google-bert/bert-base-uncased"
    assert record.renamed_from == "bert-base-uncased"
    assert hub.requests == 2


@pytest.mark.parametrize("headers", [{"X-Error-Code": "RepoNotFound"}, {}])
def test_missing_model_is_none(env, server, headers):
    server.add("/api/models/org/gone", Reply.json({"error": "nope"}, status=404, headers=headers))
    assert source(env).model_info("org/gone") is None


def test_429_with_retry_after_waits_then_succeeds(env, server, no_sleep):
    body = listing_item("org/m")
    server.add(
        "/api/models/org/m",
        Reply.json({"error": "slow down"}, status=429, headers={"Retry-After": "7"}),
        Reply.json(body),
    )
    hub = source(env)
    record = hub.model_info("org/m")
    assert record is not None and record.repo_id == "org/m"
    assert no_sleep == [7.0]
    assert hub.requests == 2


def test_429_with_ratelimit_header_waits_for_the_reset(env, server, no_sleep):
    limited = {
        "RateLimit": '"api";r=0;t=42',
        "RateLimit-Policy": '"fixed window";"api";q=500;w=300',
    }
    serve_listing(server, [[listing_item("org/a")]])
    server.routes[0].replies.insert(
        0, Reply.json({"error": "limited"}, status=429, headers=limited)
    )
    hub = source(env)
    assert [r.repo_id for r in next(hub.model_pages())] == ["org/a"]
    # The 429 wait, then the pause its RateLimit header asked for before the next request.
    assert no_sleep[0] == 42.0
    assert hub.requests == 2


def test_ratelimit_header_on_a_success_pauses_before_the_next_request(env, server, no_sleep):
    nearly_spent = {"RateLimit": '"api";r=1;t=30'}
    serve_listing(server, [[listing_item("org/a")], [listing_item("org/b")]])
    server.routes[0].replies[0].headers.update(nearly_spent)
    hub = source(env)
    pages = hub.model_pages()
    next(pages)
    assert no_sleep == []
    next(pages)
    assert len(no_sleep) == 1 and 29 <= no_sleep[0] <= 30


def test_5xx_is_retried_with_backoff(env, server, no_sleep):
    server.add(
        "/api/models/org/m",
        Reply(status=503, body=b"busy"),
        Reply(status=502, body=b"busy"),
        Reply.json(listing_item("org/m")),
    )
    assert source(env).model_info("org/m") is not None
    assert no_sleep == [1.0, 2.0]


def test_5xx_for_ever_is_source_unavailable(env, server, no_sleep):
    server.add("/api/models/org/m", Reply(status=500, body=b"down"), repeat=True)
    with pytest.raises(SourceUnavailableError) as caught:
        source(env, max_retries=2).model_info("org/m")
    assert caught.value.message == "the Hub did not answer for model org/m after 3 tries: HTTP 500"
    assert len(no_sleep) == 2


def test_other_4xx_is_not_retried(env, server, no_sleep):
    server.add("/api/models", Reply.json({"error": "bad"}, status=400))
    with pytest.raises(SourceQueryError) as caught:
        next(source(env).model_pages())
    assert caught.value.message == "the Hub rejected the request for the models listing: HTTP 400."
    assert no_sleep == []


def test_unreachable_hub_is_source_unavailable(env, no_sleep):
    env.configure(hub={"endpoint": "http://127.0.0.1:9"})
    with pytest.raises(SourceUnavailableError) as caught:
        source(env, max_retries=1).model_info("org/m")
    assert caught.value.message.startswith("the Hub did not answer for model org/m after 2 tries: ")
    assert no_sleep == [1.0]


def test_offline_mode_is_named(env, monkeypatch):
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", True)
    with pytest.raises(SourceUnavailableError) as caught:
        source(env).model_info("org/m")
    assert caught.value.message == "cannot reach the Hub for model org/m: HF_HUB_OFFLINE is set."


def test_token_is_sent_but_never_logged(env, server, monkeypatch, caplog):
    secret = "hf_" + "s3cr3t" * 6
    monkeypatch.setenv("HF_TOKEN", secret)
    server.add("/api/models/org/m", Reply.json(listing_item("org/m")))
    caplog.set_level(logging.DEBUG)
    hub = source(env)
    assert hub.window.calls == 1000  # a logged-in budget
    hub.model_info("org/m")
    assert secret not in caplog.text


def test_daily_papers_feed(env, server, shared):
    server.add(
        "/api/daily_papers",
        Reply.json_file(hf(shared, "daily_papers_2026-06-12_30items.json")),
        params={"week": "2026-W24"},
    )
    records = source(env).daily_papers("2026-W24")
    assert len(records) == 30
    by_id = {r.arxiv_id: r for r in records}
    assert by_id["2606.12730"].upvotes == 5
    assert by_id["2606.12730"].github_repo == (
        "https://github.com/psychology-of-AI/Rethinking-Pyschometric-Eval-LLMs"
    )
    assert sum(1 for r in records if r.github_repo) == 16


def test_rate_window_keeps_to_the_budget():
    clock = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock[0] += seconds

    window = RateWindow(3, window=10, sleep=sleep, clock=lambda: clock[0])
    for _ in range(3):
        window.acquire()
    assert waits == []
    window.acquire()
    assert waits == [10.0]


def test_rate_limit_wait_reads_both_headers():
    assert rate_limit_wait({"Retry-After": "12"}) == 12.0
    assert rate_limit_wait({"ratelimit": '"api";r=0;t=55'}) == 55.0
    date = (NOW.replace(microsecond=0)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert rate_limit_wait({"Retry-After": date}, now=NOW) == 0.0
    assert rate_limit_wait({}) is None


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (91.3, 91.3),
        ("91.3", 91.3),
        ("91.3%", 91.3),
        ("220k", 220e3),
        ("3.0m", 3e6),
        ("", None),
        (True, None),
        ("n/a", None),
        ("0.91 ± 0.01", 0.91),
    ],
)
def test_parse_number(raw, value):
    assert parse_number(raw) == value


def test_info_body_helper_round_trips(env, server):
    body = info_body(listing_item("org/m"), results=[])
    server.add("/api/models/org/m", Reply.json(body))
    record = source(env).model_info("org/m")
    assert record is not None and record.results == []
