// Small building blocks both views share.
import { h, replace } from "./dom.js";

export function section(title, ...children) {
  return h("section", { class: "panel" }, h("h2", {}, title), ...children);
}

export function field(label, input) {
  return h("label", { class: "field" }, h("span", {}, label), input);
}

export function activityLog(id, limit = 30) {
  const el = h("ul", { class: "log", id });
  const items = [];
  return {
    el,
    add(kind, text, attrs = {}) {
      items.unshift(h("li", { class: kind, "data-kind": kind, ...attrs }, h("time", {}, new Date().toLocaleTimeString()), ` ${text}`));
      replace(el, items.slice(0, limit));
    },
  };
}
