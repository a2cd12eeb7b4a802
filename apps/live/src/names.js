// Display names for user ids: events carry ids only; the demo users' names come from the
// dev login, anyone else shows as their id.
import { demoUsers } from "./api.js";

const known = new Map();
let loaded = null;

export function loadNames() {
  loaded ||= demoUsers().then((users) => users.forEach((u) => known.set(u.user_id, u.username)));
  return loaded;
}

// Presence members carry the usernames the notifier knows (user_info.username).
export function learnName(userId, username) {
  if (userId && username) known.set(userId, username);
}

export function nameOf(userId) {
  return known.get(userId) || userId;
}
