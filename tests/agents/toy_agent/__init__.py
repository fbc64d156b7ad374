"""A toy agent, added by one package and one registry entry, to prove the runtime needs no edit
for a new agent: creators ask it about a course's outline."""

from agents.registry import AgentDefinition
from core.principal import COURSES_READ
from tests.agents.toy_agent.graph import compile_graph, prepare

DEFINITION = AgentDefinition(
    name="toy_outliner",
    title="Toy outliner",
    description="Reads a course's outline back to its creator.",
    tools=("get_course_outline",),
    compile=compile_graph,
    prepare=prepare,
    scopes=(COURSES_READ,),
    answer_nodes=frozenset({"respond"}),
    wants_course=False,
)
