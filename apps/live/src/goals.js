// Goal snapshots from events and channel state: newest version wins, an ended goal stays ended.
import { coins, countdown, duration, h, toEpochMs } from "./dom.js";

export const FUNDING = "ShowFundingGoal";
export const TRIGGER = "TriggerExclusiveGoal";

export class GoalStore {
  constructor() {
    this.goals = new Map();
  }

  apply(goal, { ended = false, outcome = null } = {}) {
    if (!goal || !goal.goal_id) return false;
    const current = this.goals.get(goal.goal_id);
    if (current) {
      if (current.ended && !ended) return false; // a late progress event never revives a goal
      if (current.ended && outcome && !current.outcome) {
        current.outcome = outcome; // the end first, how it ended told later (show.ended)
        return true;
      }
      const newer = (goal.version ?? 0) > (current.goal.version ?? 0);
      if (!newer && !(ended && !current.ended)) return false;
    }
    this.goals.set(goal.goal_id, { goal: { ...(current?.goal || {}), ...goal }, ended, outcome: outcome || goal.outcome || current?.outcome || null });
    return true;
  }

  // GET /channels/stream@{id}/state: {goals: {id: snapshot}, recent_ended: [snapshot...]}
  applyState(state) {
    let changed = false;
    for (const goal of Object.values(state.goals || {})) changed = this.apply(goal) || changed;
    for (const goal of state.recent_ended || []) changed = this.apply(goal, { ended: true }) || changed;
    return changed;
  }

  of(cls) {
    return [...this.goals.values()].filter((e) => classOf(e.goal) === cls);
  }
}

export function classOf(goal) {
  return goal._cls || goal.cls || "";
}

export function target(goal) {
  return (goal.levels && goal.levels[0] && goal.levels[0].target) || 0;
}

export function title(goal) {
  return (goal.levels && goal.levels[0] && goal.levels[0].title) || "Goal";
}

// `top` (a ranked list) when the event carries it, else the per-user `breakdown` map.
export function leaderboard(goal) {
  if (Array.isArray(goal.top)) return goal.top.map((e) => ({ user_id: e.user_id, progress: e.progress || 0, cost: e.cost || 0 }));
  const rows = Object.entries(goal.breakdown || {}).map(([user_id, e]) => ({ user_id, progress: e.progress || 0, cost: e.cost || 0 }));
  return rows.sort((a, b) => b.progress - a.progress || b.cost - a.cost || a.user_id.localeCompare(b.user_id));
}

export function coinsCounted(goal) {
  if (typeof goal.cost === "number") return goal.cost;
  return leaderboard(goal).reduce((sum, e) => sum + e.cost, 0);
}

function stateBadge(entry) {
  const { goal, ended, outcome } = entry;
  if (!ended) return h("span", { class: "badge live" }, "funding");
  const reached = (goal.progress || 0) >= target(goal);
  const word = outcome || (reached ? "funded" : "failed");
  return h("span", { class: `badge ${word}` }, word);
}

function escrowWord({ ended, outcome, goal }) {
  if (!ended) return "in escrow";
  const funded = outcome ? outcome === "funded" : (goal.progress || 0) >= target(goal);
  return funded ? "held for the show" : "refunded";
}

export function fundingCard(entry, { names, actions }) {
  const { goal, ended } = entry;
  const goalTarget = target(goal);
  const pct = goalTarget ? Math.min(100, Math.round(((goal.progress || 0) * 100) / goalTarget)) : 0;
  const price = goal.metadata?.ticket_price;
  const rows = leaderboard(goal);
  return h(
    "article",
    { class: `card goal ${ended ? "ended" : ""}`, "data-goal-id": goal.goal_id, "data-progress": goal.progress || 0 },
    h("header", {}, h("h3", {}, title(goal)), stateBadge(entry)),
    h(
      "div",
      { class: "progress", role: "progressbar", "aria-valuemin": 0, "aria-valuemax": goalTarget, "aria-valuenow": goal.progress || 0 },
      h("div", { class: "bar", style: `width:${pct}%` }),
    ),
    h(
      "p",
      { class: "figures" },
      h("strong", { class: "count" }, `${goal.progress || 0} / ${goalTarget} tickets`),
      h("span", {}, price ? ` · ${coins(price)} each · ${coins(coinsCounted(goal))} ${escrowWord(entry)}` : ""),
      ended ? null : h("span", { class: "right" }, "ends in ", countdown(toEpochMs(goal.exp), { done: "ending…" })),
    ),
    rows.length
      ? h(
          "ol",
          { class: "leaderboard" },
          rows.map((e, i) =>
            h("li", { "data-user-id": e.user_id }, h("span", { class: "rank" }, `#${i + 1}`), h("span", { class: "who" }, names(e.user_id)), h("span", { class: "num" }, `${e.progress} ${e.progress === 1 ? "ticket" : "tickets"}`), h("span", { class: "num muted" }, coins(e.cost))),
          ),
        )
      : h("p", { class: "muted small" }, "No tickets yet."),
    actions ? actions(entry) : null,
  );
}

export function requestFacts(goal, pricing) {
  const viewer = goal.context?.exclusive_to || goal.conditions?.exclusive_to || "";
  const seconds = goal.metadata?.prepaid_duration || 0;
  const paid = leaderboard(goal).find((e) => e.user_id === viewer)?.cost;
  const listed = pricing && seconds ? Math.floor((pricing.exclusive_sd_per_minute * seconds) / 60) : null;
  return { viewer, seconds, price: paid || listed, paid: (goal.progress || 0) > 0, durationText: duration(seconds) };
}
