// Review cards: what a run waits on (approval.required), drawn for what it is. An outline is an
// editable tree, a lesson edit shows before and after, a publish asks plainly, a study document lists
// its sections; anything else shows its arguments. Every card can approve, edit, ask for changes
// (feedback the agent drafts again with) or reject. `decide(body)` posts the decision and follows the run.

const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
};
let uid = 0;
const field = (labelText, value, { multiline = false, max = 120, cls = "" } = {}) => {
  const id = `f${++uid}`;
  const input = multiline ? el("textarea", { id, rows: 2, value, maxLength: max }) : el("input", { id, type: "text", value, maxLength: max });
  input.className = cls;
  return { wrap: el("label", { htmlFor: id, className: "field" }, el("span", { className: "small muted", textContent: labelText }), input), input };
};

// --- the outline tree -----------------------------------------------------------------------

function lessonRow(lesson) {
  const title = field("Lesson", lesson.title, { cls: "lesson-title" });
  const goals = field("Objectives (one a line)", (lesson.objectives || []).join("\n"), { multiline: true, max: 600, cls: "lesson-objectives" });
  const remove = el("button", { type: "button", className: "link small", textContent: "Remove lesson" });
  const row = el("li", { className: "tree-lesson" }, title.wrap, goals.wrap, remove);
  remove.addEventListener("click", () => row.remove());
  return row;
}

function moduleRow(module) {
  const title = field("Module", module.title, { cls: "module-title" });
  const lessons = el("ol", { className: "tree-lessons" }, ...(module.lessons || []).map(lessonRow));
  const add = el("button", { type: "button", className: "link small", textContent: "Add a lesson" });
  add.addEventListener("click", () => lessons.append(lessonRow({ title: "", objectives: [] })));
  const remove = el("button", { type: "button", className: "link small", textContent: "Remove module" });
  const row = el("li", { className: "tree-module" }, title.wrap, lessons, el("div", { className: "row" }, add, remove));
  remove.addEventListener("click", () => row.remove());
  return row;
}

function outlineTree(outline) {
  const title = field("Course title", outline.title, { cls: "course-title" });
  const description = field("Description", outline.description || "", { multiline: true, max: 600, cls: "course-description" });
  const modules = el("ol", { className: "tree-modules" }, ...outline.modules.map(moduleRow));
  const add = el("button", { type: "button", className: "link small", textContent: "Add a module" });
  add.addEventListener("click", () => modules.append(moduleRow({ title: "", lessons: [{ title: "", objectives: [] }] })));
  const tree = el("div", { className: "outline-tree" }, title.wrap, description.wrap, modules, add);
  // The tree as an outline again: what "Save my edits" sends (the server checks its structure).
  tree.read = () => ({
    ...outline,
    title: title.input.value,
    description: description.input.value,
    modules: [...modules.children].map((m) => ({
      title: m.querySelector(".module-title").value,
      lessons: [...m.querySelectorAll(".tree-lesson")].map((l) => ({
        title: l.querySelector(".lesson-title").value,
        objectives: l.querySelector(".lesson-objectives").value.split("\n").map((s) => s.trim()).filter(Boolean),
      })),
    })),
  });
  return tree;
}

// --- cards by what they review --------------------------------------------------------------

const CHECKED = "Edited: checked again and shown below";
const PLATFORMS = { x_thread: "X thread", linkedin: "LinkedIn", instagram: "Instagram", tiktok: "TikTok / Reels" };

// Promises the claim check could not find in the course: each needs its own box ticked to approve.
function claimFlags(args) {
  const boxes = (args.unsupported || []).map((text) => {
    const input = el("input", { type: "checkbox", value: text });
    return { input, row: el("label", { className: "claim-flag" }, input, ` I stand by this: “${text}” (the course does not show it)`) };
  });
  const nodes = boxes.length ? [el("div", { className: "problems" }, el("p", { textContent: "Promises the course does not hold:" }), ...boxes.map((b) => b.row))] : [];
  return { nodes, confirmed: () => ({ confirmed: boxes.filter((b) => b.input.checked).map((b) => b.input.value) }) };
}

const KINDS = {
  create_course_from_outline: (args) => {
    const tree = outlineTree(args.outline);
    const parts = [tree];
    if (args.problems?.length) parts.unshift(el("ul", { className: "problems" }, ...args.problems.map((p) => el("li", { textContent: p }))));
    if (args.sources?.length) parts.push(el("p", { className: "small muted", textContent: `Built on ${args.sources.length} lesson(s) of the chosen course.` }));
    return { title: "Review the outline", body: parts, labels: { approve: "Create the course", edit: "Create it as edited", reject: "Discard" }, edited: () => ({ outline: tree.read() }) };
  },
  publish_course: (args) => {
    if (args.lessons === undefined) return null; // a plain publish_course tool call: the generic card
    const text = `“${args.title}” is ready as a draft: ${args.lessons} lesson(s), ${args.grounded} from your sources (${args.citations} citation(s)), ${args.own} from general knowledge and marked for you to check.`;
    const link = el("a", { href: args.url, target: "_blank", rel: "noopener", textContent: "Read the draft" });
    return { title: "Publish the course?", body: [el("p", { textContent: text }), link], labels: { approve: "Publish", reject: "Keep as draft" }, noEdit: true, noRevise: true };
  },
  update_lesson: (args) => {
    if (args.after === undefined) return null;
    const after = field("New text", args.after, { multiline: true, max: 200000, cls: "after" });
    after.input.rows = 10;
    const before = el("details", {}, el("summary", { textContent: "Before" }), el("pre", { className: "args", textContent: args.before }));
    const what = args.section ? `the section “${args.section}” of “${args.title}”` : `“${args.title}”`;
    return { title: `Review the new text of ${what}`, body: [before, after.wrap], labels: { approve: "Save it", edit: "Save my version", reject: "Keep the old text" }, edited: () => ({ after: after.input.value }) };
  },
  save_study_document: (args) => {
    const list = el("ol", {}, ...args.sections.map((s) => el("li", { textContent: s })));
    const counts = el("p", { textContent: `${args.claims} entries, each citing its lesson${args.left_out ? `; ${args.left_out} claim(s) the lessons do not state were left out` : ""}.` });
    return { title: `Save “${args.title}”?`, body: [counts, list], labels: { approve: "Save the PDF", reject: "Discard" }, json: { document: args.document } };
  },
  create_workflow: (args, ctx) => {
    if (args.emails === undefined) return null; // a plain workflow tool call: the generic card
    const mails = el("ol", { className: "emails" }, ...args.emails.map((m, i) => el("li", { className: "email-preview" },
      el("p", { className: "small muted", textContent: `Day ${m.day} · ${m.kind}` }),
      el("p", { className: "email-subject", textContent: m.subject }),
      el("p", { className: "small muted", textContent: m.preview }),
      m.html && ctx.runId
        ? el("iframe", { className: "email-frame", sandbox: "", loading: "lazy", title: `Email ${i + 1} as its recipient sees it`, src: `/v1/runs/${ctx.runId}/emails/${i}/preview` })
        : el("div", {}, ...String(m.body).split("\n").filter((x) => x.trim()).map((x) => el("p", { textContent: x })), el("span", { className: "email-cta", textContent: m.cta })),
      m.render_error ? el("p", { className: "error", textContent: `It cannot be rendered yet: ${m.render_error}` }) : null)));
    const flags = claimFlags(args);
    const body = [el("p", { textContent: `Starts when a contact is tagged “${args.trigger_tag}”. Saved as a draft: nothing is sent until you activate it. Shown for a sample recipient, Sam.` }), mails, ...flags.nodes];
    if (args.note) body.unshift(el("p", { className: "error", textContent: args.note }));
    const fields = ["subject", "preview", "body", "cta", "send_after_days", "kind"];
    return {
      title: `Save the sequence “${args.name}”?`, body, labels: { approve: "Save as draft", reject: "Discard" }, editDone: CHECKED,
      json: { name: args.name, emails: args.emails.map((m) => Object.fromEntries(fields.map((f) => [f, m[f]]))) },
      approved: flags.confirmed,
    };
  },
  save_social_posts: (args) => {
    if (args.posts?.[0]?.score === undefined) return null; // a plain tool call: the generic card
    const posts = args.posts.map((p) => {
      const parts = p.parts.map((text, i) => field(p.parts.length > 1 ? `Post ${i + 1} of ${p.parts.length}` : "Text", text, { multiline: true, max: 1300, cls: "post-part" }));
      parts.forEach((f) => { f.input.rows = Math.min(8, 2 + Math.ceil(f.input.value.length / 90)); });
      const change = p.first_score !== p.score ? ` (first draft ${p.first_score}, revised)` : "";
      const why = el("details", {}, el("summary", { textContent: "Why this score" }), el("ul", {}, ...p.reasons.map((r) => el("li", { textContent: r }))));
      return { platform: p.platform, parts, node: el("li", { className: "post" },
        el("p", { className: "post-head", textContent: `${PLATFORMS[p.platform] || p.platform} · virality ${p.score}/100${change}` }), ...parts.map((f) => f.wrap), why) };
    });
    const flags = claimFlags(args);
    const body = [el("p", { textContent: "Change any words and press “Score my edit” to see the new score, or save them as they are." }), el("ol", { className: "posts" }, ...posts.map((p) => p.node)), ...flags.nodes];
    if (args.note) body.unshift(el("p", { className: "error", textContent: args.note }));
    return {
      title: `Save “${args.title}”?`, body, labels: { approve: "Save the posts", edit: "Score my edit", reject: "Discard" }, editDone: CHECKED,
      edited: () => ({ posts: posts.map((p) => ({ platform: p.platform, parts: p.parts.map((f) => f.input.value) })) }),
      approved: flags.confirmed,
    };
  },
  render_video: (args) => {
    if (args.scenes === undefined) return null;
    const scenes = el("ol", { className: "scenes" }, ...args.scenes.map((sc) => el("li", {},
      el("strong", { textContent: `${sc.on_screen} · ${sc.seconds} s` }), el("p", { textContent: sc.narration }))));
    const summary = el("p", { textContent: `About ${args.seconds} seconds (${args.seconds_asked} asked), ${args.words} spoken words.` });
    const flags = claimFlags(args);
    const body = [summary, scenes, ...flags.nodes];
    if (args.note) body.unshift(el("p", { className: "error", textContent: args.note }));
    return {
      title: `Make the video “${args.title}”?`, body, labels: { approve: "Make the video", reject: "Discard" }, editDone: CHECKED,
      json: { script: { title: args.title, scenes: args.scenes } },
      approved: flags.confirmed,
    };
  },
};

function generic(data) {
  return { title: `The assistant wants to run ${data.name}. Allow it?`, short: data.name, body: [el("pre", { className: "args", textContent: JSON.stringify(data.arguments, null, 2) })], labels: {}, json: data.arguments };
}

export function reviewCard(data, decide, ctx = {}) {
  const spec = KINDS[data.name]?.(data.arguments, ctx) || generic(data);
  const titleId = `approval-${data.id}-${++uid}`;
  const title = el("p", { className: "approval-title", id: titleId, textContent: spec.title });
  const card = el("div", { className: "card approval", role: "group" }, title, ...spec.body);
  card.setAttribute("aria-labelledby", titleId);
  let editor = null;
  if (spec.json && !spec.noEdit) {
    const id = `edit-${titleId}`;
    editor = el("textarea", { id, className: "edit-args", rows: 6, hidden: true, value: JSON.stringify(spec.json, null, 2) });
    card.append(el("label", { htmlFor: id, className: "visually-hidden", textContent: "Edited arguments (JSON)" }), editor);
  }
  const feedbackId = `feedback-${titleId}`;
  const feedback = el("textarea", { id: feedbackId, className: "feedback", rows: 2, maxLength: 4000, hidden: true, placeholder: "What should change?" });
  if (!spec.noRevise) card.append(el("label", { htmlFor: feedbackId, className: "visually-hidden", textContent: "What should change" }), feedback);
  const error = el("p", { className: "error", role: "alert", hidden: true });
  const labels = { approve: "Approve", edit: "Edit", revise: "Ask for changes", reject: "Reject", ...spec.labels };
  const decisions = ["approve", ...(spec.noEdit || (!spec.edited && !editor) ? [] : ["edit"]), ...(spec.noRevise ? [] : ["revise"]), "reject"];
  const buttons = decisions.map((d) => el("button", { type: "button", className: d === "approve" ? "primary" : "", textContent: labels[d] }));
  buttons.forEach((b, i) => { b.dataset.decision = decisions[i]; });
  card.append(error, el("div", { className: "actions" }, ...buttons));

  const fail = (message) => { error.textContent = message; error.hidden = false; };
  buttons.forEach((button) => button.addEventListener("click", async () => {
    const decision = button.dataset.decision;
    const body = { decision };
    if (decision === "edit" && editor && !spec.edited) {
      if (editor.hidden) { editor.hidden = false; editor.focus(); button.textContent = "Send edit"; return; }
      try { body.arguments = JSON.parse(editor.value); } catch { fail("The edited arguments are not valid JSON."); return; }
    } else if (decision === "edit") {
      body.arguments = spec.edited();
    }
    if (decision === "approve" && spec.approved) body.arguments = spec.approved();
    if (decision === "revise") {
      if (feedback.hidden) { feedback.hidden = false; feedback.focus(); button.textContent = "Send"; return; }
      if (!feedback.value.trim()) { fail("Say what should change."); feedback.focus(); return; }
      body.feedback = feedback.value.trim();
    }
    try {
      await decide(body);
    } catch (err) {
      fail(err.message); return;
    }
    card.querySelectorAll("button, input, textarea").forEach((b) => { b.disabled = true; });
    card.classList.add("decided");
    spec.body.forEach((node) => { node.hidden = true; }); // a decided card folds to its title
    const done = { approve: "Approved", edit: spec.editDone || "Edited and approved", revise: "Asked for changes", reject: "Rejected" }[decision];
    title.textContent = `${done}: ${spec.short || spec.title}`;
  }));
  return card;
}
