"""The study-guide agent: cheat sheets and reference guides of a course, as PDFs, for its creators."""

from agents.registry import AgentDefinition
from agents.study_guides.graph import compile_graph, prepare

TOOLS = ("get_course_outline", "read_lesson", "save_study_document")

DEFINITION = AgentDefinition(
    name="study_guides",
    title="Cheat sheets & guides",
    description="Makes a cheat sheet or a reference guide of a course as a PDF, every entry citing its lesson.",
    tools=TOOLS,
    compile=compile_graph,
    prepare=prepare,
)
