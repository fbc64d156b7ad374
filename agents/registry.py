"""The agent registry: what the runtime, the threads API, the chat page's picker, `academy chat
--agent` and the OpenAI facade's `/v1/models` know about agents, so that none of them names one.

An agent is a package (`agents/<name>/`: `graph.py`, `state.py`, `prompts.py`, `configuration.py`)
that exposes one `DEFINITION`. The runtime compiles its graph once per checkpointer, asks it to
`prepare` each run (bindings for the run's config), streams the tokens of its `answer_nodes` as
`message.delta`, and writes the events its `finish` derives from the final state.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel

from agents.event_models import MODELS, MessageCompleted, RunEventModel
from agents.toolloop import ToolEvent
from core.errors import Forbidden, invalid
from core.principal import COURSES_WRITE, Principal, Role
from tools.base import Registry, ToolContext


@dataclass(frozen=True)
class RunSetup:
    """What the runtime hands an agent for one run."""

    run_id: str
    thread_id: str
    course_id: str | None
    principal: Principal
    chat: BaseChatModel
    native_tools: bool
    registry: Registry
    tools: ToolContext
    agent_tools: tuple[str, ...]  # the definition's tool list (the registry offers the caller's share)
    on_event: Callable[[RunEventModel], object]


@dataclass
class PreparedRun:
    """One run's bindings (merged into its config's `configurable`) and how its final state becomes
    events (by default, the last answer as `message.completed`)."""

    configurable: dict[str, Any]
    finish: Callable[[dict[str, Any]], list[RunEventModel]] | None = None


CREATORS: frozenset[Role] = frozenset({"owner", "staff"})


@dataclass(frozen=True)
class AgentDefinition:
    """An agent as the runtime knows it. The defaults are a creator's agent that works on one course and
    streams no tokens (its result is a review card or an artifact)."""

    name: str
    title: str
    description: str
    tools: tuple[str, ...]  # every name must be a registered tool (checked when the registry is built)
    compile: Callable[[Any], Any]  # checkpointer -> compiled graph
    prepare: Callable[[RunSetup], PreparedRun]
    roles: frozenset[Role] = CREATORS  # who may start it
    scopes: tuple[str, ...] = (COURSES_WRITE,)  # and holding at least one of these
    answer_nodes: frozenset[str] = frozenset()  # the nodes whose tokens stream as message.delta
    wants_course: bool = True  # the picker asks which course

    def allowed_for(self, principal: Principal) -> bool:
        return principal.role in self.roles and any(principal.has(s) for s in self.scopes)


def last_answer(values: dict[str, Any]) -> str:
    from langchain_core.messages import AIMessage

    answer = next(
        (m.content for m in reversed(values.get("messages", [])) if isinstance(m, AIMessage) and m.content), ""
    )
    return answer if isinstance(answer, str) else ""


def tool_event(event: ToolEvent) -> RunEventModel:
    """The tool loop's event as the typed run event it is."""
    return MODELS[event.kind].model_validate(event.data)


def default_finish(values: dict[str, Any]) -> list[RunEventModel]:
    return [MessageCompleted(text=last_answer(values))]


@dataclass
class AgentRegistry:
    definitions: dict[str, AgentDefinition] = field(default_factory=dict)
    _graphs: dict[str, weakref.WeakKeyDictionary[Any, Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, definitions: Iterable[AgentDefinition], tools: Registry | None = None) -> AgentRegistry:
        """The registry of these agents; with the tool registry, every tool they name must exist."""
        registry = cls()
        for definition in definitions:
            registry.register(definition)
        if tools is not None:
            registry.check_tools(tools)
        return registry

    def check_tools(self, tools: Registry) -> None:
        """A misspelt or removed tool name is an error at start-up, not a tool silently never offered."""
        for definition in self.definitions.values():
            missing = [name for name in definition.tools if name not in tools.tools]
            if missing:
                raise ValueError(f"agent '{definition.name}' names tools that do not exist: {', '.join(missing)}")

    def register(self, definition: AgentDefinition) -> None:
        if definition.name in self.definitions:
            raise ValueError(f"agent '{definition.name}' is registered twice")
        self.definitions[definition.name] = definition

    def names(self) -> list[str]:
        return sorted(self.definitions)

    def get(self, name: str) -> AgentDefinition:
        definition = self.definitions.get(name)
        if definition is None:
            raise invalid("agent", f"unknown agent '{name}'; choose one of {', '.join(self.names())}")
        return definition

    def for_principal(self, principal: Principal) -> list[AgentDefinition]:
        return [d for d in self.definitions.values() if d.allowed_for(principal)]

    def default_for(self, principal: Principal) -> AgentDefinition:
        offered = self.for_principal(principal)
        if not offered:
            raise Forbidden("no agent is offered to this account")
        return offered[0]

    def graph(self, definition: AgentDefinition, checkpointer: Any) -> Any:
        """One compiled graph per agent and checkpointer (compiling costs ~24 ms)."""
        graphs = self._graphs.setdefault(definition.name, weakref.WeakKeyDictionary())
        graph = graphs.get(checkpointer)
        if graph is None:
            graph = graphs[checkpointer] = definition.compile(checkpointer)
        return graph
