// The four APIs behind the gateway (one origin), signed in with the dev login's JWT.

const STORE = "live-page.auth";

export class ApiError extends Error {
  constructor(status, body, headers) {
    // Every service answers errors as RFC 9457 problem details with a machine-readable `reason`.
    const reason = body?.reason || `http_${status}`;
    super(body?.detail || body?.title || reason);
    this.status = status;
    this.reason = reason;
    this.retryAfter = Number(headers?.get("Retry-After")) || 0;
  }
}

export function savedAuth() {
  try {
    return JSON.parse(sessionStorage.getItem(STORE) || "null");
  } catch {
    return null;
  }
}

export function forget() {
  sessionStorage.removeItem(STORE);
}

// A 503 is "not yet" (the stack still setting up this user): asked again after Retry-After,
// as every app treats a 503, instead of failing the sign-in.
export async function login(userId, username = "", { wait = sleep } = {}) {
  for (;;) {
    const r = await fetch("/dev/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ user_id: userId, username }),
    });
    const body = await r.json().catch(() => ({}));
    if (r.ok) {
      sessionStorage.setItem(STORE, JSON.stringify(body));
      return body;
    }
    const error = new ApiError(r.status, body, r.headers);
    if (r.status !== 503) throw error;
    await wait((error.retryAfter || 1) * 1000);
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function demoUsers() {
  const r = await fetch("/dev/users");
  return r.ok ? (await r.json()).users : [];
}

export class Api {
  constructor(auth) {
    this.auth = auth;
  }

  async call(method, path, body, extraHeaders = {}) {
    const headers = { Authorization: `Bearer ${this.auth.token}`, ...extraHeaders };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const data = await r.json().catch(() => ({}));
    if (!r.ok) throw new ApiError(r.status, data, r.headers);
    return data;
  }

  balance() {
    return this.call("GET", `/balances/${encodeURIComponent(this.auth.user_id)}`);
  }
  session(id) {
    return this.call("GET", `/sessions/${encodeURIComponent(id)}`);
  }
  goLive(title, perMinute, durations) {
    const pricing = { exclusive_sd_per_minute: perMinute, exclusive_durations: durations };
    return this.call("POST", "/sessions", { title, pricing });
  }
  endSession(id) {
    return this.call("POST", `/sessions/${encodeURIComponent(id)}/end`);
  }
  openGoal(sessionId, title, target, ticketPrice, exp) {
    return this.call("POST", "/goals", { session_id: sessionId, title, target, ticket_price: ticketPrice, exp });
  }
  endGoal(goalId) {
    return this.call("DELETE", `/goals/${encodeURIComponent(goalId)}`);
  }
  buyTickets(goalId, count, key) {
    return this.call("POST", `/goals/${encodeURIComponent(goalId)}/tickets`, { count }, { "Idempotency-Key": key });
  }
  requestExclusive(sessionId, durationS, exp, key) {
    const path = `/sessions/${encodeURIComponent(sessionId)}/trigger_exclusive`;
    return this.call("POST", path, { exp, duration: durationS }, { "Idempotency-Key": key });
  }
  // Settlement: the streamer answers a request; either side ends the exclusive session.
  answerRequest(sessionId, viewerId, decision) {
    return this.call("POST", `/sessions/${encodeURIComponent(sessionId)}/requests/${encodeURIComponent(viewerId)}/${decision}`);
  }
  show(goalId, action) {
    return this.call("POST", `/goals/${encodeURIComponent(goalId)}/${action}`);
  }
  channelState(streamerId) {
    return this.call("GET", `/channels/${encodeURIComponent(`stream@${streamerId}`)}/state`);
  }
}
