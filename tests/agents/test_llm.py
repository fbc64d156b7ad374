"""The model factory's declared capabilities and the bounded gate in front of the local model."""

import asyncio
import threading
import time

import pytest
from pydantic import SecretStr

from agents.llm import ModelBusy, _Gate, make_chat_model
from core.errors import ConfigurationError
from core.settings import Settings


def test_gate_lets_one_run_and_a_bounded_number_wait() -> None:
    gate = _Gate(running=1, waiting=1)
    gate.enter(timeout=1)  # the one running request
    waiter_entered = threading.Event()

    def waiter() -> None:
        gate.enter(timeout=5)
        waiter_entered.set()
        gate.leave()

    thread = threading.Thread(target=waiter)
    thread.start()
    time.sleep(0.2)  # the waiter is now queued
    with pytest.raises(ModelBusy, match="already waiting"):
        gate.enter(timeout=1)
    gate.leave()
    thread.join(timeout=5)
    assert waiter_entered.is_set()


def test_gate_times_out_with_a_clear_error() -> None:
    gate = _Gate(running=1, waiting=4)
    gate.enter(timeout=1)
    with pytest.raises(ModelBusy, match="timed out"):
        gate.enter(timeout=0.1)


def test_a_run_on_the_event_loop_waits_for_the_gate_without_blocking_the_loop() -> None:
    gate = _Gate(running=1, waiting=2)
    gate.enter(timeout=1)  # a request of the sync path holds the model
    ticks: list[int] = []

    async def scenario() -> None:
        async def ticker() -> None:
            for n in range(5):
                ticks.append(n)
                await asyncio.sleep(0.01)

        waiting = asyncio.create_task(gate.aenter(timeout=10))
        await ticker()  # the loop keeps running other work while the run waits
        assert not waiting.done()
        gate.leave()
        await waiting
        gate.leave()

    asyncio.run(scenario())
    assert ticks == [0, 1, 2, 3, 4]


def test_the_async_gate_refuses_beyond_the_queue_and_times_out() -> None:
    gate = _Gate(running=1, waiting=1)
    gate.enter(timeout=1)  # the model is busy

    async def scenario() -> None:
        first = asyncio.create_task(gate.aenter(timeout=0.3))
        await asyncio.sleep(0.05)  # the first run now waits
        with pytest.raises(ModelBusy, match="already waiting"):
            await gate.aenter(timeout=1)
        with pytest.raises(ModelBusy, match="timed out"):
            await first

    asyncio.run(scenario())


def test_openai_provider_declares_its_capabilities(tmp_path) -> None:
    settings = Settings(
        data_dir=tmp_path, llm_provider="openai", llm_base_url="http://127.0.0.1:9/v1",
        llm_api_key=SecretStr("k"), llm_native_tools=False, llm_context_tokens=32000, llm_model="m",
    )  # fmt: skip
    model = make_chat_model(settings)
    assert (model.capabilities.native_tool_calls, model.capabilities.context_tokens, model.capabilities.local) == (
        False,
        32000,
        False,
    )
    assert getattr(model.chat, "model_name", None) == "m"


def test_openai_provider_needs_an_endpoint(tmp_path) -> None:
    with pytest.raises(ConfigurationError, match="ACADEMY_LLM_API_KEY"):
        make_chat_model(Settings(data_dir=tmp_path, llm_provider="openai"))


def test_missing_local_model_is_a_clear_error(tmp_path) -> None:
    from agents import model_files

    with pytest.raises(ConfigurationError, match="scripts/install"):
        model_files.locate(tmp_path / "absent.gguf")
