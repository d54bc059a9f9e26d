// The app side of the real-client acceptance harness (tests/smart): one loopback HTTP server that plays the
// app for each JavaScript client. The Python tests drive it:
//
//   POST /flows/<id>           {client, version, base, fhirBase, clientId, clientSecret, redirectUri, scope}
//   GET  /flows/<id>/launch    the client starts its launch: a 302 to the sandbox's authorize URL, or a 502
//                              with the report when the client could not get that far
//   GET  /flows/<id>/callback  the redirect back from the sandbox: the client finishes every step; the report
//   GET  /flows/<id>/report    the steps recorded so far
//
// A report maps each step the client ran to its observation or `{error}` (flow.js). It prints
// `listening <url>` once ready and runs until it is stopped.
import http from "node:http";

import * as bluebuttonSdk from "./clients/cms-bluebutton-sdk.js";
import * as clientJs from "./clients/client-js.js";
import * as fhirKitClient from "./clients/fhir-kit-client.js";
import { describe } from "./flow.js";

const CLIENTS = { "client-js": clientJs, "fhir-kit-client": fhirKitClient, "bluebutton-sdk-node": bluebuttonSdk };
const flows = new Map();

function sendJson(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString() || "{}");
}

async function route(req, res) {
  const [, prefix, id, action] = new URL(req.url, "http://app").pathname.split("/");
  if (prefix !== "flows" || !id) return sendJson(res, 404, { error: `no route ${req.method} ${req.url}` });
  if (req.method === "POST" && !action) {
    const config = await readJson(req);
    if (!CLIENTS[config.client]) return sendJson(res, 400, { error: `unknown client ${config.client}` });
    flows.set(id, { config, report: {} });
    return sendJson(res, 201, { id });
  }
  const flow = flows.get(id);
  if (!flow) return sendJson(res, 404, { error: `no flow ${id}` });
  if (action === "report") return sendJson(res, 200, flow.report);
  if (action !== "launch" && action !== "callback") return sendJson(res, 404, { error: `no action ${action}` });
  await CLIENTS[flow.config.client][action](flow, req, res);
  if (!res.headersSent) sendJson(res, action === "launch" ? 502 : 200, flow.report);
}

const server = http.createServer((req, res) => {
  route(req, res).catch((error) => {
    if (!res.headersSent) sendJson(res, 500, { error: describe(error) });
  });
});
server.listen(0, "127.0.0.1", () => {
  console.log(`listening http://127.0.0.1:${server.address().port}`);
});
