// Display names for user ids: events carry ids only; the demo users' names come from the
// dev login, anyone else shows as their id.
import { demoUsers } from "./api.js";

const known = new Map();
let loaded = null;

export function loadNames() {
  loaded ||= demoUsers().then((users) => users.forEach((u) => known.set(u.user_id, u.username)));
  return loaded;
}

export function nameOf(userId) {
  return known.get(userId) || userId;
}
