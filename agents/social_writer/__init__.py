"""The social writer: posts for X, LinkedIn, Instagram and TikTok/Reels that promote a course, each
with a virality score that explains itself, the weak ones revised, every promise checked."""

from agents.registry import AgentDefinition
from agents.social_writer.graph import compile_graph, prepare

TOOLS = ("get_course_outline", "read_lesson", "check_claims", "save_social_posts")

DEFINITION = AgentDefinition(
    name="social_writer",
    title="Social writer",
    description="Writes social posts for a course with a virality score and its reasons, and checks their promises.",
    tools=TOOLS,
    compile=compile_graph,
    prepare=prepare,
)
