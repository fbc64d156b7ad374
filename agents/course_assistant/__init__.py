"""The course assistant agent: answers a learner from the lessons they may read, with citations."""

from agents.course_assistant.graph import compile_graph, prepare
from agents.registry import AgentDefinition
from core.principal import COURSES_READ, LEARN

TOOLS = (
    "search_course_content",
    "get_course_outline",
    "get_my_progress",
    "mark_lesson_complete",
    "recommend_next_lesson",
    "web_search",
)


DEFINITION = AgentDefinition(
    name="course_assistant",
    title="Course assistant",
    description="Answers questions from the lessons you may read, with citations; tracks your progress.",
    tools=TOOLS,
    compile=compile_graph,
    prepare=prepare,
    roles=frozenset({"learner", "owner", "staff"}),
    scopes=(LEARN, COURSES_READ),
    answer_nodes=frozenset({"respond"}),
)
