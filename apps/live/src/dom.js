// A tiny element builder and the formatting every view shares.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "style") el.style.cssText = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function replace(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined));
  return el;
}

export function coins(n) {
  return `${Number(n || 0).toLocaleString("en-US")} coins`;
}

export function duration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  const rest = s % 60;
  if (m < 60) return rest ? `${m} min ${rest} s` : `${m} min`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const hh = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, "0");
  const ss = String(s % 60).padStart(2, "0");
  return hh ? `${hh}:${mm}:${ss}` : `${mm}:${ss}`;
}

export function toEpochMs(value) {
  if (value === null || value === undefined || value === "") return null;
  if (typeof value === "number") return value < 1e12 ? value * 1000 : value;
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(ms) ? null : ms;
}

// Countdowns tick from the local clock; the deadlines come only from events.
export function countdown(deadlineMs, { done = "ended", prefix = "" } = {}) {
  return h("span", { class: "countdown", "data-deadline": deadlineMs ?? "", "data-done": done, "data-prefix": prefix }, "");
}

export function tickCountdowns(root = document) {
  const now = Date.now();
  for (const el of root.querySelectorAll(".countdown")) {
    const deadline = Number(el.dataset.deadline);
    if (!deadline) {
      el.textContent = "";
      continue;
    }
    const left = (deadline - now) / 1000;
    el.textContent = left > 0 ? `${el.dataset.prefix}${clock(left)}` : el.dataset.done;
    el.classList.toggle("over", left <= 0);
  }
}

export function uuid() {
  return crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}
