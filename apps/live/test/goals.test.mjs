// GoalStore keeps what the screen shows right when events arrive twice, late or out of order.
import assert from "node:assert/strict";
import { test } from "node:test";
import { FUNDING, GoalStore, leaderboard } from "../src/goals.js";

const goal = (version, progress, extra = {}) => ({ goal_id: "g1", _cls: FUNDING, version, progress, ...extra });

test("a newer version replaces the snapshot, an older or equal one does not", () => {
  const store = new GoalStore();
  assert.equal(store.apply(goal(2, 3)), true);
  assert.equal(store.apply(goal(1, 1)), false);
  assert.equal(store.apply(goal(2, 3)), false);
  assert.equal(store.goals.get("g1").goal.progress, 3);
});

test("an ended goal is never revived by a late progress event", () => {
  const store = new GoalStore();
  store.apply(goal(3, 5), { ended: true, outcome: "funded" });
  assert.equal(store.apply(goal(4, 6)), false);
  assert.equal(store.goals.get("g1").ended, true);
  assert.equal(store.goals.get("g1").outcome, "funded");
});

test("the end is applied even when it carries the same version as the last progress", () => {
  const store = new GoalStore();
  store.apply(goal(3, 5));
  assert.equal(store.apply(goal(3, 5), { ended: true }), true);
  assert.equal(store.goals.get("g1").ended, true);
});

test("the channel state fills in what a dropped socket missed", () => {
  const store = new GoalStore();
  store.apply(goal(1, 0));
  const changed = store.applyState({ goals: { g1: goal(4, 4) }, recent_ended: [{ ...goal(2, 1), goal_id: "g0" }] });
  assert.equal(changed, true);
  assert.equal(store.goals.get("g1").goal.progress, 4);
  assert.equal(store.goals.get("g0").ended, true);
});

test("the leaderboard ranks by tickets, then coins, from a breakdown or a top list", () => {
  const breakdown = { a: { progress: 2, cost: 80 }, b: { progress: 3, cost: 120 }, c: { progress: 2, cost: 90 } };
  assert.deepEqual(leaderboard({ breakdown }).map((e) => e.user_id), ["b", "c", "a"]);
  const top = [{ user_id: "x", progress: 9, cost: 1 }];
  assert.deepEqual(leaderboard({ top, breakdown }).map((e) => e.user_id), ["x"]);
});
