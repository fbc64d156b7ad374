// The chat page: plain ES module, no build step. It talks to the same API as any client:
// threads and runs over SSE, with the session cookie (EventSource sends it on the same origin).
import { renderAnswer, escapeHtml } from "/static/render.js";
import { api } from "/static/http.js";
import { showPendingActions } from "/static/actions.js";
import { reviewCard } from "/static/review.js";

const $ = (id) => document.getElementById(id);
const state = { me: null, courses: [], threadId: null, stream: null, runId: null, lastId: 0, busy: false, ready: false };
const SLOW_HINT_MS = 2500;

// --- login ----------------------------------------------------------------------------------

async function boot() {
  try {
    state.me = await api("/v1/me");
  } catch {
    return showLogin();
  }
  const next = new URLSearchParams(location.search).get("next");
  if (next && next.startsWith("/courses/")) { location.assign(next); return; }
  await showApp();
}

function showLogin() {
  $("app-view").hidden = true;
  $("login-view").hidden = false;
  $("login-email").focus();
}

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = $("login-error");
  error.hidden = true;
  const body = { email: $("login-email").value.trim(), password: $("login-password").value };
  const store = $("login-store").value.trim();
  if (store) body.store = store;
  try {
    await api("/v1/auth/login", { method: "POST", body });
    await boot();
  } catch (err) {
    error.textContent = err.status === 401 ? "That email and password do not match." : err.message;
    error.hidden = false;
  }
});

$("logout").addEventListener("click", async () => {
  closeStream();
  await api("/v1/auth/logout", { method: "POST" }).catch(() => null);
  state.me = null;
  showLogin();
});

// --- courses and threads --------------------------------------------------------------------

async function showApp() {
  // The composer waits until the courses, the threads and the chat from the address are loaded: a
  // message sent earlier was wiped when the chat named in the address opened over it.
  setReady(false);
  $("login-view").hidden = true;
  $("app-view").hidden = false;
  $("who").textContent = state.me.store ? `${state.me.email} · ${state.me.store.name}` : state.me.email;
  if (!showStores()) return;
  try {
    const [page, agents] = await Promise.all([api("/v1/courses?limit=100"), api("/v1/agents")]);
    state.courses = page.data;
    state.agents = agents;
    $("agent-select").replaceChildren(...agents.map((a) => new Option(a.title, a.name)));
    if (!agents.length) $("agent-select").append(new Option("No agent is offered to you", ""));
    $("course-select").replaceChildren(
      ...state.courses.map((c) => new Option(c.title, c.id)),
    );
    $("course-select").append(new Option(state.courses.length ? "No particular course" : "No courses yet", ""));
    await loadThreads();
    await showPendingActions(state.me);
    const fromHash = new URLSearchParams(location.hash.slice(1)).get("thread");
    if (fromHash) await openThread(fromHash); else newChat();
  } catch (err) {
    showError(`Could not load your chats: ${err.message}`);
  } finally {
    setReady(true);
    $("composer-input").focus();
  }
}

// A person in several stores picks one here; a log-in binds to the last one used, or asks.
function showStores() {
  const stores = state.me.stores || [];
  const picker = $("store-select");
  $("store-field").hidden = stores.length < 2;
  picker.replaceChildren(
    ...(state.me.store ? [] : [new Option("Choose a store…", "")]),
    ...stores.map((s) => new Option(s.name, s.slug)),
  );
  picker.value = state.me.store ? state.me.store.slug : "";
  if (state.me.store) return true;
  const note = document.createElement("p");
  note.className = "empty muted";
  note.textContent = stores.length ? "Choose a store in the sidebar to see its courses." : "You do not belong to a store yet.";
  $("messages").replaceChildren(note);
  $("course-select").replaceChildren();
  $("thread-list").replaceChildren();
  return false;
}

$("store-select").addEventListener("change", async (event) => {
  if (!event.target.value) return;
  try {
    await api("/v1/auth/switch", { method: "POST", body: { store: event.target.value } });
    state.me = await api("/v1/me");
    closeStream();
    state.threadId = null;
    await showApp();
  } catch (err) {
    showError(`Could not open that store: ${err.message}`);
  }
});

function setReady(ready) {
  state.ready = ready;
  $("composer-input").disabled = !ready;
  setBusy(state.busy);
}

async function loadThreads() {
  const threads = await api("/v1/threads");
  const list = $("thread-list");
  list.replaceChildren(...threads.map((t) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "thread" + (t.id === state.threadId ? " current" : "");
    button.textContent = t.title || "Untitled chat";
    button.dataset.thread = t.id;
    if (t.id === state.threadId) button.setAttribute("aria-current", "true");
    button.addEventListener("click", () => openThread(t.id));
    item.append(button);
    return item;
  }));
  if (!threads.length) list.innerHTML = '<li class="muted small">No chats yet.</li>';
}

function newChat() {
  closeStream();
  state.threadId = null;
  history.replaceState(null, "", location.pathname);
  $("chat-title").textContent = "New chat";
  $("messages").replaceChildren($("empty") || emptyNote());
  setBusy(false);
  loadThreads();
}

function emptyNote() {
  const note = document.createElement("p");
  note.id = "empty";
  note.className = "empty muted";
  note.textContent = "Ask anything about the course. Answers cite the lessons they come from.";
  return note;
}

$("new-thread").addEventListener("click", () => { newChat(); $("composer-input").focus(); });

async function openThread(threadId) {
  closeStream();
  let thread, turns;
  try {
    [thread, turns] = await Promise.all([api(`/v1/threads/${threadId}`), api(`/v1/threads/${threadId}/runs`)]);
  } catch (err) {
    showError(`Could not open that chat: ${err.message}`);
    return;
  }
  state.threadId = thread.id;
  history.replaceState(null, "", `#thread=${thread.id}`);
  $("chat-title").textContent = thread.title || "Chat";
  if (thread.course_id) $("course-select").value = thread.course_id;
  if (state.agents && state.agents.some((a) => a.name === thread.agent)) $("agent-select").value = thread.agent;
  $("messages").replaceChildren();
  for (const turn of turns) {
    addUserMessage(turn.message);
    if (["queued", "running"].includes(turn.status)) {
      follow(turn.id, 0, addAssistantMessage());
      continue;
    }
    const bubble = addAssistantMessage();
    if (turn.answer) finishAnswer(bubble, turn.answer, turn.citations);
    else bubble.body.textContent = "";
    if (turn.error) bubble.body.append(errorLine(turn.error));
    if (turn.status === "interrupted" && turn.approval) {
      state.lastId = turn.last_event_id;
      showApproval(bubble, turn.id, turn.approval);
    }
    if (turn.status === "cancelled") bubble.body.append(note("Stopped."));
    bubble.root.setAttribute("aria-busy", "false");
  }
  await loadThreads();
}

// --- sending --------------------------------------------------------------------------------

$("composer-input").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $("composer").requestSubmit();
  }
  if (event.key === "Escape" && state.busy) stopRun();
});

$("composer").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = $("composer-input");
  const message = input.value.trim();
  if (!message || state.busy || !state.ready) return;
  setBusy(true);
  try {
    if (!state.threadId) {
      const agent = (state.agents || []).find((a) => a.name === $("agent-select").value);
      const body = { agent: $("agent-select").value || null, course_id: agent && !agent.wants_course ? null : $("course-select").value || null };
      const thread = await api("/v1/threads", { method: "POST", body });
      state.threadId = thread.id;
      history.replaceState(null, "", `#thread=${thread.id}`);
      $("chat-title").textContent = message.slice(0, 80);
    }
    const run = await api(`/v1/threads/${state.threadId}/runs`, { method: "POST", body: { message } });
    $("empty")?.remove();
    input.value = "";
    addUserMessage(message);
    follow(run.id, 0, addAssistantMessage());
    loadThreads();
  } catch (err) {
    setBusy(false);
    showError(err.status === 409 ? "The assistant is still answering in this chat. Wait for it, or press Stop." : err.message);
  }
});

$("stop").addEventListener("click", stopRun);

async function stopRun() {
  if (!state.runId) return;
  try { await api(`/v1/runs/${state.runId}/cancel`, { method: "POST" }); } catch (err) { showError(err.message); }
}

function setBusy(busy) {
  state.busy = busy;
  $("send").disabled = busy || !state.ready;
  $("stop").hidden = !busy;
  $("composer").setAttribute("aria-busy", String(busy));
}

// --- the stream -----------------------------------------------------------------------------

function follow(runId, after, bubble) {
  closeStream();
  state.runId = runId;
  state.lastId = after;
  setBusy(true);
  const started = Date.now();
  let gotText = false;
  let text = "";
  const citations = [];
  const thinking = setInterval(() => {
    if (gotText) return;
    const seconds = Math.round((Date.now() - started) / 1000);
    if (Date.now() - started > SLOW_HINT_MS) {
      bubble.status.textContent = `Thinking… ${seconds} s (the local model takes a few seconds to start)`;
    }
  }, 1000);
  bubble.status.textContent = "Thinking…";

  const source = new EventSource(`/v1/runs/${runId}/events${after ? `?after=${after}` : ""}`);
  state.stream = { source, thinking };

  const fresh = (event) => {
    const id = Number(event.lastEventId);
    if (id && id <= state.lastId) return false; // already shown (a replay after reconnecting)
    if (id) state.lastId = id;
    return true;
  };
  const on = (type, handler) => source.addEventListener(type, (event) => {
    if (event.data === undefined) return; // the browser's own "error" (a dropped connection), not the run's
    if (!fresh(event)) return;
    handler(JSON.parse(event.data));
  });

  source.onopen = () => setConnection("");
  source.onerror = () => {
    if (source.readyState === EventSource.CLOSED) {
      // The server refused the reconnect (e.g. it restarted): retry with our position.
      setConnection("Connection lost. Reconnecting…");
      clearInterval(thinking);
      setTimeout(() => { if (state.runId === runId && state.stream?.source === source) follow(runId, state.lastId, bubble); }, 1500);
    } else {
      setConnection("Connection lost. Reconnecting…");
    }
  };

  on("run.started", () => {});
  on("message.delta", (data) => {
    gotText = true;
    bubble.status.textContent = "";
    text += data.text;
    bubble.body.innerHTML = renderAnswer(text, []);
  });
  on("tool.call", (data) => bubble.tools.append(toolCard(data)));
  on("tool.result", (data) => {
    const card = bubble.tools.querySelector(`[data-call="${CSS.escape(data.id)}"]`);
    if (card) {
      card.classList.add(data.ok ? "ok" : "failed");
      card.querySelector(".tool-state").textContent = data.rejected ? "rejected" : data.ok ? "done" : `failed: ${data.error?.detail || ""}`;
    }
  });
  on("approval.required", (data) => showApproval(bubble, runId, data));
  on("message.completed", (data) => { gotText = true; text = data.text; });
  on("citation", (data) => citations.push(data));
  on("artifact", (data) => bubble.tools.append(artifactCard(data)));
  on("progress", (data) => showProgress(bubble, data));
  on("usage", () => {});
  on("error", (data) => bubble.body.append(errorLine(data.message)));
  on("run.completed", (data) => {
    clearInterval(thinking);
    source.close();
    state.stream = null;
    bubble.status.textContent = "";
    if (text) finishAnswer(bubble, text, citations);
    if (data.status === "cancelled") bubble.body.append(note("Stopped."));
    bubble.root.setAttribute("aria-busy", "false");
    setConnection("");
    state.runId = null;
    setBusy(false);
    $("composer-input").focus();
  });
}

function closeStream() {
  if (state.stream) {
    state.stream.source.close();
    clearInterval(state.stream.thinking);
    state.stream = null;
  }
  state.runId = null;
}

function setConnection(message) {
  const el = $("connection");
  el.textContent = message;
  el.hidden = !message;
}

// --- messages -------------------------------------------------------------------------------

function addUserMessage(text) {
  const root = document.createElement("article");
  root.className = "message user";
  root.setAttribute("aria-label", "You");
  const body = document.createElement("div");
  body.className = "body";
  body.textContent = text;
  root.append(body);
  $("messages").append(root);
  root.scrollIntoView({ block: "end" });
}

function addAssistantMessage() {
  const root = document.createElement("article");
  root.className = "message assistant";
  root.setAttribute("aria-label", "Assistant");
  root.setAttribute("aria-busy", "true");
  const tools = document.createElement("div");
  tools.className = "tools";
  const status = document.createElement("p");
  status.className = "status muted";
  status.setAttribute("role", "status");
  const body = document.createElement("div");
  body.className = "body";
  const sources = document.createElement("ol");
  sources.className = "sources";
  sources.setAttribute("aria-label", "Sources");
  root.append(tools, status, body, sources);
  $("messages").append(root);
  root.scrollIntoView({ block: "end" });
  return { root, tools, status, body, sources };
}

function finishAnswer(bubble, text, citations) {
  bubble.body.innerHTML = renderAnswer(text, citations);
  bubble.sources.replaceChildren(...citations.map((c) => {
    const item = document.createElement("li");
    item.value = c.n;
    const link = document.createElement("a");
    link.href = c.url;
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = c.heading && c.heading !== c.lesson_title ? `${c.lesson_title} › ${c.heading}` : c.lesson_title;
    item.append(link);
    return item;
  }));
  bubble.root.scrollIntoView({ block: "end" });
}

function toolCard(data) {
  const card = document.createElement("div");
  card.className = "tool card";
  card.dataset.call = data.id;
  const labels = { search_course_content: "Searching the course", get_course_outline: "Reading the outline", get_my_progress: "Checking your progress" };
  const query = data.arguments?.query ? `: “${data.arguments.query}”` : "";
  card.innerHTML = `<span class="tool-name">${escapeHtml(labels[data.name] || data.name)}${escapeHtml(query)}</span> <span class="tool-state muted">running…</span>`;
  return card;
}

function artifactCard(data) {
  const card = document.createElement("div");
  card.className = "card artifact";
  const name = document.createElement("span");
  name.className = "artifact-title";
  name.textContent = data.version ? `${data.title} · version ${data.version}` : data.title;
  const save = document.createElement("a");
  save.href = data.url; save.download = ""; save.textContent = "Download";
  // Media plays in the card; a poster or captions file of a video is kept, but the video card shows it.
  if (data.kind === "video" || data.kind === "audio") {
    const player = document.createElement(data.kind);
    player.controls = true; player.preload = "metadata"; player.src = data.url;
    player.className = `artifact-${data.kind}`;
    card.append(name, " ", save, player);
    return card;
  }
  const open = document.createElement("a");
  open.href = data.url; open.target = "_blank"; open.rel = "noopener";
  open.textContent = { image: "Open image", captions: "Open captions" }[data.kind] || "Open PDF";
  card.append(name, " ", open, " · ", save);
  return card;
}

function showApproval(bubble, runId, data) {
  const card = reviewCard(data, async (body) => {
    await api(`/v1/runs/${runId}/resume`, { method: "POST", body });
    follow(runId, state.lastId || 0, bubble);
  }, { runId });
  bubble.tools.append(card);
  card.querySelector("input, button")?.focus();
}

// Long work (lessons being written) as one bar per step, updated in place.
function showProgress(bubble, data) {
  let bar = bubble.tools.querySelector(`[data-step="${CSS.escape(data.step)}"]`);
  if (!bar) {
    bar = document.createElement("div");
    bar.className = "card progress";
    bar.dataset.step = data.step;
    bar.innerHTML = '<span class="progress-label"></span> <progress></progress>';
    bubble.tools.append(bar);
  }
  const meter = bar.querySelector("progress");
  meter.max = data.total; meter.value = data.done;
  const label = data.done === 0 ? `Writing ${data.total} lesson(s) of ${data.label}…` : data.done === data.total ? `Wrote ${data.total} lesson(s).` : `Wrote ${data.done} of ${data.total}: ${data.label}`;
  bar.querySelector(".progress-label").textContent = label;
  meter.setAttribute("aria-label", label);
}

function errorLine(message) {
  const p = document.createElement("p");
  p.className = "error";
  p.setAttribute("role", "alert");
  p.textContent = message;
  return p;
}

function note(text) {
  const p = document.createElement("p");
  p.className = "muted small";
  p.textContent = text;
  return p;
}

function showError(message) {
  $("empty")?.remove();
  $("messages").append(errorLine(message));
}

boot();
