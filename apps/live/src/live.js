// One Pusher connection per page, through the gateway's origin, authorised by the notifier.
// Every change on screen comes from an event here; after a (re)subscription the stream's
// channel state fills in whatever was missed while the socket was down.
import Pusher from "pusher-js";
import { learnName } from "./names.js";

export class Live {
  constructor(auth, { onEvent, onState, onResync }) {
    this.onEvent = onEvent;
    this.onState = onState;
    this.onResync = onResync;
    this.seen = new Set();
    const secure = location.protocol === "https:";
    const port = Number(location.port) || (secure ? 443 : 80);
    this.pusher = new Pusher(auth.pusher.key, {
      cluster: "local",
      wsHost: location.hostname,
      wsPort: port,
      wssPort: port,
      forceTLS: secure,
      enabledTransports: ["ws", "wss"],
      disableStats: true,
      channelAuthorization: {
        endpoint: "/pusher/auth",
        transport: "ajax",
        headers: { Authorization: `Bearer ${auth.token}` },
      },
    });
    this.pusher.connection.bind("state_change", ({ current }) => this.onState(current));
    // For a developer (and the browser test) to drop and restore the socket by hand.
    window.livePage = { disconnect: () => this.pusher.disconnect(), connect: () => this.pusher.connect() };
  }

  // Subscribe; `resync` runs after every successful (re)subscription.
  follow(channelName) {
    const channel = this.pusher.subscribe(channelName);
    channel.bind("pusher:subscription_succeeded", (members) => {
      if (members && members.each) members.each((m) => learnName(m.id, m.info?.username));
      this.onResync(channelName);
    });
    channel.bind("pusher:member_added", (m) => learnName(m.id, m.info?.username));
    channel.bind("pusher:subscription_error", (err) => this.onEvent(channelName, "subscription.error", err || {}));
    channel.bind_global((event, data) => {
      if (event.startsWith("pusher")) return;
      // At-least-once delivery: the same event twice on a channel is one event. One cause
      // may go to several channels (stream and user), and one Kafka event may become two
      // Pusher events (escrow.refunded and balance.changed share an event id).
      const id = data && data.event_id && `${channelName} ${event} ${data.event_id}`;
      if (id && this.seen.has(id)) return;
      if (id) this.seen.add(id);
      this.onEvent(channelName, event, data || {});
    });
    return channel;
  }

  disconnect() {
    this.pusher.disconnect();
  }
}
