// The invitation page: shows what a link offers, then accepts it as the invited address (logging in
// or creating the account first). Nothing joins the store until the person presses a button here.
import { api } from "/static/http.js";

const $ = (id) => document.getElementById(id);
const token = decodeURIComponent(location.pathname.split("/invitations/")[1] || "");
let invitation = null;

function fail(message) {
  $("invite-error").textContent = message;
  $("invite-error").hidden = false;
}

async function accept() {
  try {
    await api("/v1/invitations/accept", { method: "POST", body: { token } });
    location.assign("/");
  } catch (err) {
    fail(err.message);
  }
}

async function boot() {
  try {
    invitation = await api(`/v1/invitations/by-token/${encodeURIComponent(token)}`);
  } catch (err) {
    $("invite-offer").textContent = "This invitation cannot be used.";
    return fail(err.message);
  }
  const what = invitation.course ? `the course “${invitation.course}”` : `as ${invitation.role}`;
  $("invite-offer").textContent = `${invitation.store} invites ${invitation.email} to join ${what}.`;
  const me = await api("/v1/me").catch(() => null);
  if (me && me.email === invitation.email) {
    $("accept").hidden = false;
    return;
  }
  $("invite-email-login").textContent = invitation.email;
  $("invite-login").hidden = false;
  $("invite-signup").hidden = false;
}

$("accept").addEventListener("click", accept);

$("invite-login").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    await api("/v1/auth/login", { method: "POST", body: { email: invitation.email, password: $("login-password").value } });
    await accept();
  } catch (err) {
    fail(err.status === 401 ? "That password does not match this email." : err.message);
  }
});

$("invite-signup").addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = { email: invitation.email, password: $("signup-password").value, invitation: token };
  const name = $("signup-name").value.trim();
  if (name) body.name = name;
  try {
    await api("/v1/auth/signup", { method: "POST", body });
    location.assign("/");
  } catch (err) {
    fail(err.message);
  }
});

boot();
