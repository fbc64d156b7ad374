"""The master assistant for creators: one chat that hands a message to the specialist it asks for
(`specialists.py`: the course builder, the study-guide agent, the video scripter, the social and email
writers), and answers the rest itself with the
tools (the store's courses, what learners ask that the course does not answer, fact-checks by web
search when it is on)."""

from agents.master.graph import ASSISTANT_TOOLS, compile_graph, prepare
from agents.master.specialists import SPECIALISTS
from agents.registry import AgentDefinition

TOOLS = tuple(dict.fromkeys((*ASSISTANT_TOOLS, *(tool for s in SPECIALISTS for tool in s.definition.tools))))

DEFINITION = AgentDefinition(
    name="master",
    title="Creator assistant",
    description="One chat for your store: drafts courses, makes cheat sheets, reports what learners ask, checks facts.",
    tools=TOOLS,
    compile=compile_graph,
    prepare=prepare,
    answer_nodes=frozenset({"respond"}),
)
