from typing import Any

from agents.event_models import MessageCompleted, RunEventModel
from agents.registry import PreparedRun, RunSetup, last_answer, tool_event
from agents.toolloop import AgentSpec, bind, compiled
from tests.agents.toy_agent.configuration import Configuration
from tests.agents.toy_agent.prompts import SYSTEM_PROMPT


def compile_graph(checkpointer: Any) -> Any:
    return compiled(checkpointer)


def prepare(setup: RunSetup) -> PreparedRun:
    spec = AgentSpec(name="toy_outliner", system_prompt=SYSTEM_PROMPT, tool_names=list(setup.agent_tools))
    spec.on_tool_event = lambda event: setup.on_event(tool_event(event))

    def finish(values: dict[str, Any]) -> list[RunEventModel]:
        return [MessageCompleted(text=f"{Configuration().greeting} {last_answer(values)}")]

    return PreparedRun(bind(spec, setup.chat, setup.native_tools, setup.registry, setup.tools), finish)
