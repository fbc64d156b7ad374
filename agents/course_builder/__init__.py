"""The course builder: from a creator's brief, an outline they review and revise, then the draft
course with every lesson written (grounded in a source course where one is chosen), published only
on their approval; and on an existing course, "expand this lesson" or "rewrite this section"."""

from agents.course_builder.graph import compile_graph, prepare
from agents.registry import AgentDefinition

TOOLS = (
    "get_course_outline",
    "read_lesson",
    "search_course_content",
    "create_course_from_outline",
    "update_lesson",
    "publish_course",
    "content_gaps",
)

DEFINITION = AgentDefinition(
    name="course_builder",
    title="Course builder",
    description="Plans a course from your brief, writes its lessons, and edits lessons on request.",
    tools=TOOLS,
    compile=compile_graph,
    prepare=prepare,
)
