// Signing in asks again after a 503's Retry-After, as for every other 503; other errors fail.
import assert from "node:assert/strict";
import { test } from "node:test";
import { login } from "../src/api.js";

function answers(...replies) {
  const sent = [];
  globalThis.sessionStorage = { setItem: (key, value) => sent.push(["stored", key, value]) };
  globalThis.fetch = async (path, init) => {
    sent.push(["POST", path, JSON.parse(init.body).user_id]);
    const [status, body, retryAfter] = replies.shift();
    return new Response(JSON.stringify(body), { status, headers: retryAfter ? { "Retry-After": retryAfter } : {} });
  };
  return sent;
}

test("a 503 is asked again after its Retry-After until the sign-in answers", async () => {
  const sent = answers([503, { reason: "stack_not_ready" }, "5"], [503, { reason: "stack_not_ready" }], [200, { token: "t", user_id: "leo" }]);
  const waits = [];
  const auth = await login("leo", "Leo", { wait: async (ms) => waits.push(ms) });
  assert.deepEqual(auth, { token: "t", user_id: "leo" });
  assert.deepEqual(waits, [5000, 1000]);
  assert.equal(sent.filter(([kind]) => kind === "POST").length, 3);
  assert.equal(sent.at(-1)[0], "stored");
});

test("any other error fails the sign-in at once", async () => {
  answers([422, { reason: "invalid_request", detail: "bad user id" }]);
  await assert.rejects(login("Bad Id", "", { wait: async () => assert.fail("no wait") }), { status: 422, reason: "invalid_request" });
});
