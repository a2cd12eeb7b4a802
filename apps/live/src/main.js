// Routes: #/login, #/streamer, #/viewer?session=<id>. `?as=<user_id>&name=<Name>` signs in
// at once (shareable demo links, the browser test).
import { demoUsers, forget, login, savedAuth } from "./api.js";
import { h, replace, tickCountdowns } from "./dom.js";
import { mountStreamer } from "./streamer.js";
import { mountViewer } from "./viewer.js";

const root = document.getElementById("app");
let unmount = null;

function route() {
  const [path, query] = (location.hash.slice(1) || "/").split("?");
  return { path, params: new URLSearchParams(query || "") };
}

function go(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

async function autoLogin() {
  const params = new URLSearchParams(location.search);
  const as = params.get("as");
  if (!as) return;
  const auth = savedAuth();
  if (auth?.user_id !== as) await login(as, params.get("name") || "");
  history.replaceState(null, "", `/${location.hash}`);
}

async function loginPage() {
  const status = h("p", { class: "muted", id: "login-status" });
  const signIn = async (userId, username, role) => {
    status.textContent = `Signing in as ${username || userId}…`;
    try {
      await login(userId, username);
      const { params } = route();
      go(role === "streamer" ? "#/streamer" : `#/viewer?${params}`);
    } catch (err) {
      status.textContent = `Could not sign in: ${err.message}`;
    }
  };
  const custom = h("input", { name: "user_id", placeholder: "or any user id, e.g. viewer-zoe", pattern: "[a-z0-9][a-z0-9_-]+" });
  const users = await demoUsers();
  const list = users.map((u) =>
    h("button", { class: `user ${u.role}`, "data-user-id": u.user_id, onclick: () => signIn(u.user_id, u.username, u.role) }, h("strong", {}, u.username), h("span", { class: "muted" }, u.role)),
  );
  return h(
    "main",
    { class: "login" },
    h("h1", {}, "Livestream goals"),
    h("p", {}, "Development login (local stack only): pick a demo user. The gateway mints the JWT the API gateway would pass on."),
    h("div", { class: "users" }, list),
    h(
      "form",
      { class: "row", onsubmit: (e) => (e.preventDefault(), signIn(custom.value.trim(), "", "viewer")) },
      custom,
      h("button", { type: "submit" }, "Sign in"),
    ),
    status,
  );
}

function shell(auth, role) {
  const conn = h("span", { class: "conn", id: "connection" }, "connecting");
  const balance = h("span", { class: "balance", id: "balance" }, "…");
  const header = h(
    "header",
    { class: "top" },
    h("h1", {}, "Livestream goals"),
    h("span", { class: `role ${role}` }, role),
    h("span", { class: "who", id: "me", "data-user-id": auth.user_id }, auth.username || auth.user_id),
    h("span", { class: "spacer" }),
    h("span", { class: "muted" }, "balance "),
    balance,
    conn,
    h("button", { class: "link", onclick: () => (forget(), go("#/login")) }, "sign out"),
  );
  const body = h("main", { class: `view ${role}` });
  replace(root, header, body);
  const setConn = (state) => {
    conn.textContent = state;
    conn.className = `conn ${state}`;
  };
  return { body, balance, setConn };
}

async function render() {
  if (unmount) unmount();
  unmount = null;
  try {
    await autoLogin();
  } catch (err) {
    replace(root, h("p", { class: "error" }, `Sign-in failed: ${err.message}`));
    return;
  }
  const { path, params } = route();
  const auth = savedAuth();
  if (!auth || path === "/login" || path === "/") {
    if (auth && path === "/") return go("#/streamer");
    replace(root, await loginPage());
    return;
  }
  if (path === "/streamer") unmount = mountStreamer(auth, shell(auth, "streamer"), params);
  else if (path === "/viewer") unmount = mountViewer(auth, shell(auth, "viewer"), params);
  else go("#/login");
}

window.addEventListener("hashchange", render);
setInterval(() => tickCountdowns(root), 250);
render();
