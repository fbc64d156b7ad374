"""The email writer: nurture and pitch sequences for a course, every promise checked against the
course, saved into the mail service as templates and a draft sequence that sends nothing until the
creator activates it."""

from agents.email_writer.graph import compile_graph, prepare
from agents.registry import AgentDefinition
from core.principal import CONTACTS_WRITE

TOOLS = (
    "get_course_outline",
    "read_lesson",
    "check_claims",
    "render_mail_draft",
    "create_mail_template",
    "create_workflow",
)

DEFINITION = AgentDefinition(
    name="email_writer",
    title="Email writer",
    description="Writes a nurture-and-pitch email sequence for a course, checks its promises, and saves it as a draft.",
    scopes=(CONTACTS_WRITE,),
    tools=TOOLS,
    compile=compile_graph,
    prepare=prepare,
)
