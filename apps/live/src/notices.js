// What a viewer is told on their own channel (private-user@{viewer}), in plain words.
import { coins } from "./dom.js";

const HELD = { show_ticket: "for tickets", exclusive_request: "for your exclusive request" };
const ENDED = {
  agreed: "was accepted",
  declined: "was declined",
  expired: "expired unanswered",
  payment_failed: "could not be paid",
};

export function noticeFor(event, data) {
  const amount = coins(data.amount);
  switch (event) {
    case "balance.changed":
      if (data.direction === "debit") return { kind: "held", text: `${amount} held in escrow ${HELD[data.reason] || ""}`.trim() };
      if (data.reason === "release") return { kind: "credit", text: `${amount} paid out to you` };
      return null; // refunds are told by escrow.refunded
    case "escrow.refunded":
      return { kind: "refunded", text: `${amount} refunded from escrow` };
    case "escrow.released":
      return { kind: "spent", text: `${amount} spent (released from escrow)` };
    case "transfer.failed":
      return { kind: "error", text: `payment of ${amount} failed: ${data.reason}` };
    case "goal.ended": {
      const outcome = data.outcome || data.goal?.outcome;
      if (outcome === "agreed") return { kind: "ok", text: "Your exclusive request was accepted" };
      return { kind: "refused", text: `Your exclusive request ${ENDED[outcome] || "ended without an answer"}` };
    }
    case "exclusive.started":
      return { kind: "ok", text: "Your exclusive session started" };
    case "exclusive.ended":
      return { kind: "spent", text: `Exclusive session over${data.released !== undefined ? `: ${coins(data.released)} spent, ${coins(data.refunded)} refunded` : ""}` };
    case "show.started":
    case "show.ended":
    case "show.cancelled":
      return { kind: event === "show.cancelled" ? "refunded" : "ok", text: event.replace(".", " ") };
    default:
      return null;
  }
}
