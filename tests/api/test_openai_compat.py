"""The OpenAI-compatible facade, driven by the official `openai` client against a real socket."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest
from langchain_core.messages import AIMessage

from core.db import Database
from core.settings import Settings
from tests.agent_fixtures import call
from tests.api.test_runs_api import ANSWER, Api, make_api
from tests.conftest import make_key


@pytest.fixture
def api(settings: Settings, db: Database, world, tmp_path: Path) -> Iterator[Api]:
    store, runtime = world
    yield from make_api(settings, db, runtime, tmp_path, store)


def client_for(api: Api, headers: dict[str, str]) -> openai.OpenAI:
    token = headers["Authorization"].split(" ", 1)[1]
    return openai.OpenAI(base_url=f"{api.live.url}/v1", api_key=token, max_retries=0)


def script(api: Api) -> None:
    api.model.script = [call("search_course_content", {"query": "secret recipe"}), AIMessage(content=""), ANSWER]


def test_a_completion_answers_with_citations_in_text_and_field(api: Api) -> None:
    script(api)
    completion = client_for(api, api.learner).chat.completions.create(
        model="course-assistant/main", messages=[{"role": "user", "content": "What is the secret recipe?"}]
    )
    text = completion.choices[0].message.content or ""
    assert text.startswith(ANSWER) and "Sources:\n[1] Paid" in text
    extra: Any = completion.model_extra
    assert extra["citations"][0]["lesson_id"] == api.store.paid_lesson_id


def test_a_streamed_completion_arrives_in_chunks_and_ends_with_citations(api: Api) -> None:
    script(api)
    stream = client_for(api, api.learner).chat.completions.create(
        model="course-assistant",
        messages=[{"role": "user", "content": "What is the secret recipe?"}],
        stream=True,
        extra_body={"course": "main"},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text.startswith(ANSWER) and len(chunks) > 5
    last: Any = chunks[-1]
    assert last.choices[0].finish_reason == "stop" and last.model_extra["citations"][0]["n"] == 1


def test_earlier_turns_reach_the_model_and_the_thread_stays_off_the_chat_page(api: Api) -> None:
    api.model.script = [AIMessage(content=""), "Yes."]
    messages: Any = [
        {"role": "system", "content": "You are a pirate."},
        {"role": "user", "content": "What is gain staging?"},
        {"role": "assistant", "content": "Setting levels at each stage."},
        {"role": "user", "content": "Every stage?"},
    ]
    client_for(api, api.learner).chat.completions.create(model="course-assistant/main", messages=messages)
    prompt = "\n".join(str(m.content) for m in api.model.calls[-1]["messages"])
    assert "What is gain staging?" in prompt and "Setting levels at each stage." in prompt
    assert "pirate" not in prompt
    assert api.client.get("/v1/threads", headers=api.learner).json() == []


def test_an_api_key_can_use_the_facade(api: Api, db: Database) -> None:
    api.model.script = [AIMessage(content=""), "Hello from the course."]
    completion = client_for(api, make_key(db, api.store)).chat.completions.create(
        model="course-assistant/main", messages=[{"role": "user", "content": "hi"}]
    )
    assert completion.choices[0].message.content == "Hello from the course."


def test_models_lists_one_assistant_per_course(api: Api) -> None:
    ids = [m.id for m in client_for(api, api.learner).models.list()]
    assert ids == ["course-assistant", "course-assistant/main"]


def test_an_unknown_model_or_course_is_a_404(api: Api) -> None:
    client = client_for(api, api.learner)
    for model in ("gpt-4o", "course-assistant/nope"):
        with pytest.raises(openai.NotFoundError):
            client.chat.completions.create(model=model, messages=[{"role": "user", "content": "hi"}])


def test_a_conversation_that_does_not_end_with_the_user_is_a_422(api: Api) -> None:
    with pytest.raises(openai.UnprocessableEntityError, match="last message must be the user"):
        client_for(api, api.learner).chat.completions.create(
            model="course-assistant/main", messages=[{"role": "assistant", "content": "hi"}]
        )


def test_a_failed_run_is_an_error_not_an_empty_answer(api: Api) -> None:
    api.model.script = []  # the scripted model fails on its first call
    with pytest.raises(openai.APIStatusError) as caught:
        client_for(api, api.learner).chat.completions.create(
            model="course-assistant/main", messages=[{"role": "user", "content": "hi"}]
        )
    assert caught.value.status_code == 502 and "agent failed" in str(caught.value)
