// The store page's Buy buttons: open a checkout for the chosen price, or say why not.
for (const form of document.querySelectorAll("form.buy")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = form.querySelector(".status");
    const body = Object.fromEntries(new FormData(form));
    if (body.amount) body.amount = Math.round(Number(body.amount) * 100); else delete body.amount;
    const answer = await fetch("/v1/checkout", {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
    if (answer.status === 401) { location.href = "/?next=" + encodeURIComponent(location.pathname); return; }
    const reply = await answer.json();
    if (answer.ok) { location.href = reply.url; return; }
    status.textContent = reply.detail || "This cannot be bought right now.";
  });
}

// The orders page's Cancel buttons: a membership ends at the end of the period paid for.
for (const button of document.querySelectorAll("button.cancel-membership")) {
  button.addEventListener("click", async () => {
    if (!confirm("Cancel this membership? You keep it until the end of the period you paid for.")) return;
    const status = button.nextElementSibling;
    button.disabled = true;
    const answer = await fetch(`/v1/subscriptions/${button.dataset.id}/cancel`, {method: "POST",
      credentials: "same-origin", headers: {"Content-Type": "application/json"}});
    if (answer.ok) { location.reload(); return; }
    const reply = await answer.json().catch(() => ({}));
    status.textContent = reply.detail || "This membership cannot be cancelled right now.";
    button.disabled = false;
  });
}
