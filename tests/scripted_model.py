"""A chat model that plays back a script: each call returns the next scripted reply, and records
what it was sent (messages, bound tools, response format) so tests can check the prompts."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field


class ScriptedChatModel(BaseChatModel):
    script: list[Any] = Field(default_factory=list)  # AIMessage or plain text replies, or an exception to raise
    calls: list[dict[str, Any]] = Field(default_factory=list)
    chunk_delay: float = 0.0  # seconds before each streamed piece: a model writing at a fixed rate
    chunk_chars: int = 8

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Any:
        return self.bind(tools=[getattr(t, "name", str(t)) for t in tools], **kwargs)

    def _next(self, messages: list[BaseMessage], **kwargs: Any) -> AIMessage:
        self.calls.append({"messages": messages, **kwargs})
        if not self.script:
            raise AssertionError("the scripted model ran out of replies")
        reply = self.script.pop(0)
        if isinstance(reply, BaseException):
            raise reply  # a scripted failure of the model call itself
        return reply if isinstance(reply, AIMessage) else AIMessage(content=reply)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._next(messages, **kwargs))])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return self._generate(messages, stop, None, **kwargs)  # so a subclass overrides one method

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for chunk in self._chunks(self._next(messages, **kwargs)):
            if self.chunk_delay and chunk.text:
                time.sleep(self.chunk_delay)
            if run_manager:
                run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        for chunk in self._chunks(self._next(messages, **kwargs)):
            if self.chunk_delay and chunk.text:
                await asyncio.sleep(self.chunk_delay)
            if run_manager:
                await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk

    def _chunks(self, reply: AIMessage) -> Iterator[ChatGenerationChunk]:
        text = reply.content if isinstance(reply.content, str) else ""
        if reply.tool_calls or not text:
            tool_chunks = [
                {"name": c["name"], "args": json.dumps(c["args"]), "id": c.get("id"), "index": i}
                for i, c in enumerate(reply.tool_calls)
            ]
            message = AIMessageChunk(content=text, tool_call_chunks=tool_chunks, usage_metadata=reply.usage_metadata)
            yield ChatGenerationChunk(message=message)
            return
        size = self.chunk_chars
        pieces = [text[start : start + size] for start in range(0, len(text), size)]
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            yield ChatGenerationChunk(
                message=AIMessageChunk(content=piece, usage_metadata=reply.usage_metadata if last else None)
            )
