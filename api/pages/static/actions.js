// Pending actions: what outside agents (store API keys, over MCP or HTTP) asked to send, spend or
// publish, waiting for the store owner. Shown above the chat for the owner, one card each.
import { api } from "/static/http.js";

const $ = (id) => document.getElementById(id);

export async function showPendingActions(me) {
  const panel = $("pending-actions");
  panel.replaceChildren();
  panel.hidden = true;
  if (!me.store || me.role !== "owner") return;
  let page;
  try {
    page = await api("/v1/actions?status=pending&limit=20");
  } catch {
    return; // the chat works without this panel
  }
  if (!page.data.length) return;
  const heading = document.createElement("h2");
  heading.className = "small";
  heading.textContent = `Waiting for your approval (${page.data.length})`;
  panel.append(heading, ...page.data.map(actionCard));
  panel.hidden = false;
}

function actionCard(action) {
  const card = $("action-template").content.firstElementChild.cloneNode(true);
  const title = card.querySelector(".approval-title");
  title.id = `action-${action.id}`;
  card.setAttribute("aria-labelledby", title.id);
  card.dataset.action = action.id;
  title.textContent = `An outside agent wants to run ${action.tool} (${action.side_effect}).`;
  card.querySelector(".args").textContent = JSON.stringify(action.arguments, null, 2);
  card.querySelector(".preview").textContent = JSON.stringify(action.result, null, 2);
  const error = card.querySelector(".error");
  card.querySelectorAll("button").forEach((button) => button.addEventListener("click", async () => {
    const decision = button.dataset.decision;
    let decided;
    try {
      decided = await api(`/v1/actions/${action.id}/${decision}`, { method: "POST" });
    } catch (err) {
      error.textContent = err.message; error.hidden = false; return;
    }
    card.querySelectorAll("button").forEach((b) => { b.disabled = true; });
    card.classList.add("decided");
    const outcome = { done: "Approved and done", rejected: "Rejected", failed: "Approved, but it failed" }[decided.status] || decided.status;
    title.textContent = `${outcome}: ${action.tool}`;
    if (decided.status === "failed" && decided.error) { error.textContent = decided.error.detail; error.hidden = false; }
  }));
  return card;
}
