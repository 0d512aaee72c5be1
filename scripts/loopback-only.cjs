// Preloaded into Prism by startMock({ loopbackOnly: true }) (`node --require`): refuses every
// outbound connection to a host other than this machine. Prism POSTs notifications to whatever
// paymentNotifyUrl a pay request names, and the contract's examples name real hosts; in tests and
// benchmarks those must never leave 127.0.0.1.
"use strict";
const net = require("node:net");

const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "::1"]);
const connect = net.Socket.prototype.connect;

net.Socket.prototype.connect = function (...args) {
  // Node passes its own normalised [options, callback] array, or the public forms.
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const options = first !== null && typeof first === "object" ? first : { port: first, host: typeof args[1] === "string" ? args[1] : undefined };
  const host = options.host || "localhost";
  // A Unix socket or pipe (a string path and no port) is local by nature.
  const ipc = typeof options.path === "string" && options.port === undefined;
  if (!ipc && !LOCAL_HOSTS.has(host)) {
    const error = new Error(`connection to ${host} refused: this mock only connects to 127.0.0.1 (loopbackOnly)`);
    error.code = "ECONNREFUSED";
    // Look like a connection under way (writes wait), then fail it after the caller's own
    // next-tick set-up, so its error listeners are in place.
    this.connecting = true;
    setImmediate(() => this.destroy(error));
    return this;
  }
  return connect.apply(this, args);
};
