"""The video scripter: from a course (and a brief), a scene-by-scene script the creator reviews, with
every promise checked against the course, then a narrated, captioned video with its poster."""

from agents.registry import AgentDefinition
from agents.video_scripter.graph import compile_graph, prepare

TOOLS = ("get_course_outline", "read_lesson", "check_claims", "render_video")

DEFINITION = AgentDefinition(
    name="video_scripter",
    title="Video scripter",
    description="Scripts a short video of a course, checks its promises, and renders it with voice and captions.",
    tools=TOOLS,
    compile=compile_graph,
    prepare=prepare,
)
