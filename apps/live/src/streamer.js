// The streamer's screen: go live, open funding goals, watch goals and exclusive requests
// fill live, see the balance and payouts as they arrive.
import { Api } from "./api.js";
import { coins, countdown, h, replace, toEpochMs } from "./dom.js";
import { FUNDING, GoalStore, TRIGGER, classOf, fundingCard, requestFacts, title } from "./goals.js";
import { Live } from "./live.js";
import { SHOW, showCard } from "./shows.js";
import { loadNames, nameOf } from "./names.js";
import { activityLog, field, section } from "./widgets.js";

const DURATIONS = [60, 120, 300];

export function mountStreamer(auth, ui, params) {
  const api = new Api(auth);
  const me = auth.user_id;
  const store = new GoalStore();
  const log = activityLog("streamer-activity");
  const payouts = [];
  const saved = `live-page.session.${me}`;
  let session = null;
  // Accept/decline need the settlement routes; the page offers them once the session
  // service answers GET /sessions/{id}/requests (one read when the session is set).
  let canAnswer = false;
  const logged = new Set();

  const sessionBox = h("div", { id: "session" });
  const goalsBox = h("div", { class: "cards", id: "goals" });
  const requestsBox = h("div", { class: "cards", id: "requests" });
  const payoutsBox = h("ul", { class: "payouts", id: "payouts" });
  replace(
    ui.body,
    h("div", { class: "col" }, section("Live session", sessionBox), section("Funding goals", goalForm(), goalsBox)),
    h("div", { class: "col" }, section("Exclusive requests", requestsBox), section("Balance and payouts", payoutsBox), section("Activity", log.el)),
  );

  const refreshBalance = () =>
    api.balance().then((b) => (ui.balance.textContent = coins(b.balance)), (e) => log.add("error", `balance: ${e.message}`));

  function ours(entry) {
    return session && entry.goal.conditions?.session_id === session.session_id;
  }

  function renderGoals() {
    const funding = store.of(FUNDING).filter(ours).sort(newestFirst);
    const shows = store.of(SHOW).filter(ours).sort(newestFirst).map((e) => showCard(e, showAction));
    const cards = funding.map((e) => fundingCard(e, { names: nameOf, actions: endFundingButton }));
    replace(goalsBox, shows, cards.length ? cards : h("p", { class: "muted" }, session ? "No funding goal yet." : "Go live first."));
    const requests = store.of(TRIGGER).filter(ours).sort((a, b) => a.ended - b.ended || newestFirst(a, b)).slice(0, 8);
    replace(requestsBox, requests.length ? requests.map(requestCard) : h("p", { class: "muted" }, "No requests yet."));
  }

  function endFundingButton(entry) {
    if (entry.ended) return null;
    return h("div", { class: "actions" }, h("button", { class: "secondary", onclick: () => act(() => api.endGoal(entry.goal.goal_id), "funding ended") }, "End funding"));
  }

  function showAction(action, goalId) {
    return act(() => api.show(goalId, action), `show: ${action}`);
  }

  function answerButtons(entry, viewer) {
    if (!canAnswer || entry.ended || !(entry.goal.progress > 0)) return null;
    const answer = (decision) => act(() => api.answerRequest(session.session_id, viewer, decision), `request ${decision}ed`);
    return h("div", { class: "actions" }, h("button", { class: "accept", onclick: () => answer("accept") }, "Accept"), h("button", { class: "secondary decline", onclick: () => answer("decline") }, "Decline"));
  }

  function requestCard(entry) {
    const { goal, ended, outcome } = entry;
    const f = requestFacts(goal, session?.pricing);
    const status = ended ? outcome || "ended" : f.paid ? "paid · in escrow" : "awaiting payment";
    return h(
      "article",
      { class: `card request ${ended ? "ended" : ""}`, "data-goal-id": goal.goal_id, "data-viewer": f.viewer },
      h("header", {}, h("h3", {}, nameOf(f.viewer)), h("span", { class: `badge ${ended ? outcome || "ended" : "live"}` }, status)),
      h("p", { class: "figures" }, h("strong", {}, f.durationText), " 1-to-1 · ", h("strong", { class: "price" }, f.price ? coins(f.price) : "—"), ended ? null : h("span", { class: "right" }, "answer within ", countdown(toEpochMs(goal.exp), { done: "expiring…" }))),
      answerButtons(entry, f.viewer),
    );
  }

  function renderSession() {
    if (!session || !session.active) {
      replace(sessionBox, goLiveForm());
      return;
    }
    const link = `${location.origin}/#/viewer?session=${session.session_id}`;
    const p = session.pricing;
    replace(
      sessionBox,
      h("p", {}, h("span", { class: "badge live" }, "LIVE"), " ", h("strong", {}, session.title || "Live session"), h("span", { class: "muted small" }, ` · ${session.session_id}`)),
      h("p", {}, "Exclusive: ", h("strong", {}, `${coins(p.exclusive_sd_per_minute)}/min`), ` for ${p.exclusive_durations.map((d) => `${d / 60} min`).join(", ")}`),
      h("p", {}, "Mode: ", h("strong", { id: "session-mode" }, session.status?.exclusive_to ? `exclusive with ${nameOf(session.status.exclusive_to)}` : "public show")),
      h("p", { class: "small" }, "Viewers join at ", h("a", { id: "viewer-link", href: link, target: "_blank" }, link)),
      h(
        "div",
        { class: "actions" },
        session.status?.exclusive_to ? h("button", { class: "secondary", onclick: endExclusive }, "End exclusive session") : null,
        h("button", { class: "danger", onclick: endSession }, "End session"),
      ),
    );
  }

  function goLiveForm() {
    const title = h("input", { name: "title", value: `${auth.username || me} live` });
    const perMinute = h("input", { name: "per_minute", type: "number", min: 1, value: 100 });
    const boxes = DURATIONS.map((d) => h("label", { class: "check" }, h("input", { type: "checkbox", value: d, checked: true }), `${d / 60} min`));
    const submit = async (e) => {
      e.preventDefault();
      const durations = boxes.map((b) => b.querySelector("input")).filter((i) => i.checked).map((i) => Number(i.value));
      await act(async () => setSession(await api.goLive(title.value, Number(perMinute.value), durations)), "went live");
    };
    return h("form", { id: "go-live", onsubmit: submit }, field("Title", title), field("Exclusive price per minute", perMinute), h("div", { class: "row" }, boxes), h("button", { type: "submit" }, "Go live"));
  }

  function goalForm() {
    const title = h("input", { name: "goal_title", value: "Friday night show" });
    const target = h("input", { name: "target", type: "number", min: 1, value: 10 });
    const price = h("input", { name: "ticket_price", type: "number", min: 1, value: 40 });
    const minutes = h("input", { name: "minutes", type: "number", min: 1, value: 30 });
    const submit = async (e) => {
      e.preventDefault();
      if (!session) return log.add("error", "go live first");
      const exp = Math.floor(Date.now() / 1000) + Number(minutes.value) * 60;
      await act(() => api.openGoal(session.session_id, title.value, Number(target.value), Number(price.value), exp), "funding goal opened");
    };
    return h("form", { id: "open-goal", class: "grid", onsubmit: submit }, field("Title", title), field("Target tickets", target), field("Ticket price", price), field("Open for (min)", minutes), h("button", { type: "submit" }, "Open funding goal"));
  }

  async function act(work, done) {
    try {
      await work();
      log.add("ok", done);
    } catch (err) {
      log.add("error", `${err.reason || "error"}: ${err.message}`);
    }
  }

  function setSession(s) {
    if (s?.active && s.session_id !== session?.session_id) {
      api.call("GET", `/sessions/${encodeURIComponent(s.session_id)}/requests`).then(() => ((canAnswer = true), renderGoals()), () => (canAnswer = false));
    }
    session = s;
    if (s?.active) sessionStorage.setItem(saved, s.session_id);
    else sessionStorage.removeItem(saved);
    renderSession();
    renderGoals();
  }

  async function endExclusive() {
    await act(() => api.answerRequest(session.session_id, session.status.exclusive_to, "end"), "exclusive session ended");
  }

  async function endSession() {
    await act(async () => setSession(await api.endSession(session.session_id)), "session ended");
  }

  function onEvent(channel, event, data) {
    if (event.startsWith("goal.")) {
      // The same goal event reaches two of our channels; the store keeps the newest once.
      if (!store.apply(data.goal, { ended: event === "goal.ended", outcome: data.outcome || data.goal?.outcome })) return;
      renderGoals();
      log.add("event", goalLine(event, data.goal));
    } else if (event === "balance.changed") {
      refreshBalance();
      log.add("event", `balance ${data.direction} ${coins(data.amount)} (${data.reason})`);
    } else if (event.startsWith("exclusive.") || event.startsWith("show.")) {
      // Told on two of our channels: act once.
      if (logged.has(data.event_id)) return;
      logged.add(data.event_id);
      if (event.startsWith("show.") && data.goal) {
        const over = event !== "show.started";
        store.apply({ ...data.goal, started: true }, { ended: over, outcome: over ? data.outcome || event.slice(5) : null });
        renderGoals();
      }
      if (session) api.session(session.session_id).then(setSession, () => {});
      log.add("event", event);
    } else if (event === "escrow.released") {
      addPayout(data.amount, "released from escrow");
      log.add("event", `escrow released ${coins(data.amount)}`);
    } else log.add("event", event);
  }

  function addPayout(amount, what) {
    payouts.unshift(h("li", { class: "payout" }, h("strong", {}, `+${coins(amount)}`), ` ${what} · ${new Date().toLocaleTimeString()}`));
    replace(payoutsBox, payouts.slice(0, 10));
  }

  function onResync(channel) {
    if (channel.startsWith("presence-stream@")) {
      api.channelState(me).then((state) => store.applyState(state) && renderGoals(), (e) => log.add("error", `state: ${e.message}`));
    } else refreshBalance();
  }

  const live = new Live(auth, { onEvent, onState: ui.setConn, onResync });
  live.follow(`presence-stream@${me}`);
  live.follow(`private-user@${me}`);
  replace(payoutsBox, h("li", { class: "muted" }, "Payouts appear here as escrow is released to you."));
  loadNames().then(renderGoals);
  const restore = params.get("session") || sessionStorage.getItem(saved);
  if (restore) api.session(restore).then((s) => setSession(s.user_id === me ? s : null), () => setSession(null));
  else setSession(null);
  return () => live.disconnect();
}

function goalLine(event, goal) {
  const kind = { [TRIGGER]: "exclusive request", [SHOW]: "show" }[classOf(goal)];
  const what = kind || `"${title(goal)}"`;
  const verb = { "goal.added": "opened", "goal.progress.updated": `now ${goal.progress}`, "goal.ended": "ended" }[event] || event;
  return `${what} ${verb}`;
}

function newestFirst(a, b) {
  return String(b.goal.goal_id).localeCompare(String(a.goal.goal_id));
}
