"""The master assistant for creators: one chat that hands a course to the course builder, a cheat
sheet to the study-guide agent, a video to the video scripter, posts to the social writer, an email
sequence to the email writer, and answers the rest itself with the
tools (the store's courses, what learners ask that the course does not answer, fact-checks by web
search when it is on)."""

from agents import course_builder, email_writer, social_writer, study_guides, video_scripter
from agents.master.graph import ASSISTANT_TOOLS, compile_graph, prepare
from agents.registry import AgentDefinition
from core.principal import COURSES_WRITE

TOOLS = tuple(
    dict.fromkeys(
        (
            *ASSISTANT_TOOLS,
            *course_builder.TOOLS,
            *study_guides.TOOLS,
            *video_scripter.TOOLS,
            *email_writer.TOOLS,
            *social_writer.TOOLS,
        )
    )
)

DEFINITION = AgentDefinition(
    name="master",
    title="Creator assistant",
    description="One chat for your store: drafts courses, makes cheat sheets, reports what learners ask, checks facts.",
    roles=frozenset({"owner", "staff"}),
    scopes=(COURSES_WRITE,),
    tools=TOOLS,
    compile=compile_graph,
    prepare=prepare,
    answer_nodes=frozenset({"respond"}),
    wants_course=True,
)
