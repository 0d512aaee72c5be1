// Preloaded into Prism by startMock({ loopbackOnly: true }) (`node --require`): refuses every
// outbound connection to a host other than this machine. Prism POSTs notifications to whatever
// paymentNotifyUrl a pay request names, and the contract's examples name real hosts; in tests and
// benchmarks those must never leave 127.0.0.1.
//
// The refusal is cheap: an https URL is refused in tls.connect, before any TLS context is built
// (building one per callback cost Prism about a sixth of its time on pay). Every refusal message
// carries REFUSAL_MARK so the launcher can show it once per host instead of on every request.
"use strict";
const net = require("node:net");
const tls = require("node:tls");

const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "::1"]);
const REFUSAL_MARK = "this mock only connects to 127.0.0.1 (loopbackOnly)";

function refusal(host) {
  const error = new Error(`connection to ${host} refused: ${REFUSAL_MARK}`);
  error.code = "ECONNREFUSED";
  return error;
}

/** A socket that looks like a connection under way (writes wait), then fails after the caller's own set-up. */
function refusedSocket(socket, host) {
  socket.connecting = true;
  setImmediate(() => socket.destroy(refusal(host)));
  return socket;
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  // Node passes its own normalised [options, callback] array, or the public forms.
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const options = first !== null && typeof first === "object" ? first : { port: first, host: typeof args[1] === "string" ? args[1] : undefined };
  const host = options.host || "localhost";
  // A Unix socket or pipe (a string path and no port) is local by nature.
  const ipc = typeof options.path === "string" && options.port === undefined;
  if (!ipc && !LOCAL_HOSTS.has(host)) return refusedSocket(this, host);
  return connect.apply(this, args);
};

// ANTOM_LOOPBACK_LATE_REFUSAL=1 keeps the old, late refusal (after TLS set-up), only so that
// `npm run bench` can measure what refusing early saves.
const tlsConnect = tls.connect;
if (process.env.ANTOM_LOOPBACK_LATE_REFUSAL !== "1") tls.connect = function (...args) {
  const options = args.find((a) => a !== null && typeof a === "object") || {};
  const host = options.host || (typeof args[1] === "string" ? args[1] : undefined) || options.servername || "localhost";
  const ipc = typeof options.path === "string" && options.port === undefined;
  if (!ipc && !options.socket && !LOCAL_HOSTS.has(host)) return refusedSocket(new net.Socket(), host);
  return tlsConnect.apply(this, args);
};

module.exports = { REFUSAL_MARK };
