// Funded shows (ShowGoal): the streamer starts, ends (escrow released) or cancels (refunded).
import { countdown, h, toEpochMs } from "./dom.js";
import { title } from "./goals.js";

export const SHOW = "ShowGoal";

function showState({ goal, ended, outcome, started }) {
  if (ended) return outcome || "over";
  return started || goal.started || goal.started_at ? "on air" : "waiting to start";
}

export function showCard(entry, act) {
  const { goal, ended } = entry;
  const state = showState(entry);
  const id = goal.goal_id;
  const buttons = ended
    ? []
    : [
        state === "on air"
          ? h("button", { class: "end-show", onclick: () => act("end", id) }, "End show (get paid)")
          : h("button", { class: "start-show", onclick: () => act("start", id) }, "Start show"),
        h("button", { class: "danger cancel-show", onclick: () => act("cancel", id) }, "Cancel (refund)"),
      ];
  return h(
    "article",
    { class: `card show ${ended ? "ended" : ""}`, "data-goal-id": id },
    h("header", {}, h("h3", {}, `Show: ${title(goal) === "Goal" ? "funded show" : title(goal)}`), h("span", { class: `badge ${state === "on air" ? "live" : state}` }, state)),
    ended || state === "on air" ? null : h("p", { class: "figures" }, "start within ", countdown(toEpochMs(goal.exp), { done: "deadline passed" })),
    h("div", { class: "actions" }, buttons),
  );
}
