// The viewer's screen: balance, tickets for the stream's funding goals, an exclusive
// request priced per duration, the cooldown after a refusal, and private notices.
import { Api } from "./api.js";
import { coins, countdown, duration, h, replace, toEpochMs, uuid } from "./dom.js";
import { FUNDING, GoalStore, TRIGGER, fundingCard, leaderboard, requestFacts, title } from "./goals.js";
import { Live } from "./live.js";
import { loadNames, nameOf } from "./names.js";
import { activityLog, field, section } from "./widgets.js";
import { noticeFor } from "./notices.js";

// How long the streamer has to answer; 15 s lets a demo show an expiry and its refund.
const ANSWER_WINDOWS = [15, 60, 120, 300];

export function mountViewer(auth, ui, params) {
  const api = new Api(auth);
  const me = auth.user_id;
  const store = new GoalStore();
  const notices = activityLog("notices", 50);
  const sessionBox = h("div", { id: "stream" });
  const goalsBox = h("div", { class: "cards", id: "goals" });
  const exclusiveBox = h("div", { id: "exclusive" });
  const status = h("p", { class: "status", id: "viewer-status" });
  let session = null;
  let live = null;
  let cooldownUntil = 0;
  // Inputs are rebuilt on every event; what the viewer typed or chose survives that.
  let answerWithin = 60;
  const buyCounts = new Map();

  replace(
    ui.body,
    h("div", { class: "col" }, section("Stream", sessionBox), section("Tickets", goalsBox)),
    h("div", { class: "col" }, section("Exclusive 1-to-1 session", exclusiveBox, status), section("Your notices", notices.el)),
  );
  const refreshBalance = () => api.balance().then((b) => (ui.balance.textContent = coins(b.balance)), () => {});

  function say(kind, text) {
    status.textContent = text;
    status.className = `status ${kind}`;
  }

  async function join(sessionId) {
    try {
      session = await api.session(sessionId);
    } catch (err) {
      replace(sessionBox, h("p", { class: "error" }, `No session ${sessionId}: ${err.message}`), joinForm());
      return;
    }
    live.follow(`presence-stream@${session.user_id}`);
    render();
  }

  function joinForm() {
    const input = h("input", { name: "session", placeholder: "session id" });
    const submit = (e) => (e.preventDefault(), (location.hash = `#/viewer?session=${input.value.trim()}`));
    return h("form", { class: "row", onsubmit: submit }, field("Join a live session", input), h("button", { type: "submit" }, "Join"));
  }

  function render() {
    if (!session) return;
    // The streamer's name arrives with the presence channel's members.
    replace(sessionBox, h("p", {}, h("span", { class: `badge ${session.active ? "live" : "ended"}` }, session.active ? "LIVE" : "ended"), " ", h("strong", {}, session.title || "Live session"), ` by ${nameOf(session.user_id)}`));
    const mine = (e) => e.goal.conditions?.session_id === session.session_id;
    const funding = store.of(FUNDING).filter(mine).sort((a, b) => a.ended - b.ended || String(b.goal.goal_id).localeCompare(a.goal.goal_id));
    replace(goalsBox, funding.length ? funding.map((e) => fundingCard(e, { names: nameOf, actions: buyForm })) : h("p", { class: "muted" }, "No funding goal open on this stream."));
    renderExclusive(store.of(TRIGGER).filter((e) => mine(e) && requestFacts(e.goal).viewer === me));
  }

  function buyForm(entry) {
    if (entry.ended) return null;
    const id = entry.goal.goal_id;
    const count = h("input", { name: "count", type: "number", min: 1, max: 100, value: buyCounts.get(id) || 1, oninput: (e) => buyCounts.set(id, e.target.value) });
    const buy = async (e) => {
      e.preventDefault();
      try {
        await api.buyTickets(id, Number(count.value), uuid());
        say("ok", `Buying ${count.value} ticket(s)…`);
      } catch (err) {
        say("error", `${err.reason}: ${err.message}`);
      }
    };
    return h("form", { class: "actions buy", onsubmit: buy }, count, h("button", { type: "submit" }, "Buy tickets"));
  }

  function renderExclusive(requests) {
    const open = requests.find((e) => !e.ended);
    const p = session.pricing;
    if (!session.active) return replace(exclusiveBox, h("p", { class: "muted" }, "The session has ended."));
    if (session.status?.exclusive_to) return replace(exclusiveBox, exclusiveRunning());
    if (open) {
      const f = requestFacts(open.goal, p);
      return replace(exclusiveBox, h("div", { class: "card request mine", "data-goal-id": open.goal.goal_id }, h("p", {}, `Your ${f.durationText} request (${coins(f.price)}) is ${f.paid ? "paid and waiting" : "awaiting payment"}.`), h("p", {}, `${nameOf(session.user_id)} can answer for `, countdown(toEpochMs(open.goal.exp), { done: "expiring…" }))));
    }
    const choose = (e) => (answerWithin = Number(e.target.value));
    const window = h("select", { name: "answer_window", onchange: choose }, ANSWER_WINDOWS.map((s) => h("option", { value: s, selected: s === answerWithin }, duration(s))));
    const buttons = p.exclusive_durations.map((d) => h("button", { class: "price-option", "data-duration": d, onclick: () => request(d, answerWithin) }, h("strong", {}, duration(d)), h("span", {}, coins(Math.floor((p.exclusive_sd_per_minute * d) / 60)))));
    const cooling = cooldownUntil > Date.now();
    replace(
      exclusiveBox,
      h("p", {}, `${coins(p.exclusive_sd_per_minute)} per minute, paid up front into escrow; refunded if ${nameOf(session.user_id)} does not accept.`),
      h("div", { class: `prices ${cooling ? "disabled" : ""}` }, buttons),
      field("Streamer may answer within", window),
      cooling ? h("p", { class: "cooldown", id: "cooldown" }, "Cooldown after a refusal: ask again in ", countdown(cooldownUntil, { done: "now" })) : null,
    );
  }

  function exclusiveRunning() {
    if (session.status.exclusive_to !== me) return h("p", { class: "muted" }, `${nameOf(session.user_id)} is in an exclusive session.`);
    const end = () => api.answerRequest(session.session_id, me, "end").then(() => say("ok", "Ending your exclusive session…"), (err) => say("error", `${err.reason}: ${err.message}`));
    return h("div", { class: "card request mine" }, h("p", {}, h("span", { class: "badge live" }, "on air"), ` Your exclusive session with ${nameOf(session.user_id)} is running.`), h("div", { class: "actions" }, h("button", { class: "secondary", onclick: end }, "End it now (unused minutes refunded)")));
  }

  async function request(durationS, answerWithin) {
    try {
      const exp = Math.floor(Date.now() / 1000) + answerWithin;
      await api.requestExclusive(session.session_id, durationS, exp, uuid());
      say("ok", `Requested ${duration(durationS)}; paying into escrow…`);
    } catch (err) {
      if (err.status === 429 && err.retryAfter) {
        cooldownUntil = Date.now() + err.retryAfter * 1000;
        setTimeout(render, err.retryAfter * 1000 + 200);
      }
      say("error", `${err.reason}: ${err.message}`);
      render();
    }
  }

  function onEvent(channel, event, data) {
    if (event.startsWith("goal.")) store.apply(data.goal, { ended: event === "goal.ended", outcome: data.outcome || data.goal?.outcome });
    // The session's status (exclusive or not) changes with these; read it again.
    if (event.startsWith("exclusive.") && channel.startsWith("presence-")) api.session(session.session_id).then((s) => ((session = s), render()), () => {});
    if (event.startsWith("show.") && channel.startsWith("presence-")) showNotice(event, data);
    if (channel === `private-user@${me}`) {
      if (event === "balance.changed") refreshBalance();
      const notice = noticeFor(event, data);
      if (notice) notices.add(notice.kind, notice.text, { "data-event": event, "data-transaction-id": data.transaction_id, "data-goal-id": data.goal_id || data.goal?.goal_id });
      if (notice?.kind === "refused") say("error", "Refused: the cooldown starts now; a new request answers with how long is left.");
    }
    render();
  }

  // Shows are told on the stream channel; what they mean for me comes from my tickets.
  function showNotice(event, data) {
    const funding = store.goals.get(data.funding_goal || data.goal?.conditions?.funding_goal);
    const mine = funding && leaderboard(funding.goal).find((e) => e.user_id === me);
    if (!mine) return;
    const name = title(funding.goal);
    if (event === "show.started") notices.add("ok", `"${name}" is on air`, { "data-event": event });
    if (event === "show.ended") notices.add("spent", `${coins(mine.cost)} spent on "${name}"`, { "data-event": event, "data-goal-id": funding.goal.goal_id });
    if (event === "show.cancelled") notices.add("refused", `"${name}" was cancelled: your tickets are refunded`, { "data-event": event });
  }

  function onResync(channel) {
    if (channel.startsWith("presence-stream@")) api.channelState(session.user_id).then((s) => (store.applyState(s), render()), () => {});
    else refreshBalance();
  }

  live = new Live(auth, { onEvent, onState: ui.setConn, onResync });
  live.follow(`private-user@${me}`);
  const sessionId = params.get("session");
  loadNames().then(() => (sessionId ? join(sessionId) : replace(sessionBox, joinForm())));
  replace(exclusiveBox, h("p", { class: "muted" }, "Join a session to request an exclusive."));
  return () => live.disconnect();
}
