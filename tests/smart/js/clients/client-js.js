// SMART's JavaScript client (npm `fhirclient`, client-js) as a Node app: a standalone launch with its default
// options (discovery, PKCE when the server declares S256, client secret by HTTP Basic), then the patient,
// every EOB page, userinfo and a refresh through the client's own methods.
import smart from "fhirclient";

import { observe, pagesSummary, userinfoUrl } from "../flow.js";

/** client-js keeps its launch state in a storage the app provides (express-session in most apps). */
function memoryStorage() {
  const items = new Map();
  return {
    async get(key) { return items.get(key); },
    async set(key, value) { items.set(key, value); return value; },
    async unset(key) { return items.delete(key); },
  };
}

export async function launch(flow, req, res) {
  const { config } = flow;
  flow.storage = memoryStorage();
  // authorize() discovers the endpoints, keeps them in the launch state and redirects to the server.
  await observe(flow.report, "discovery", async () => {
    await smart(req, res, flow.storage).authorize({
      iss: config.fhirBase, clientId: config.clientId, clientSecret: config.clientSecret,
      redirectUri: config.redirectUri, scope: config.scope,
    });
    const state = await flow.storage.get(await flow.storage.get("SMART_KEY"));
    return { authorize_url: state.authorizeUri, token_url: state.tokenUri, pkce_methods: state.codeChallengeMethods };
  });
}

export async function callback(flow, req, res) {
  const { report } = flow;
  let client;
  const token = await observe(report, "token", async () => {
    client = await smart(req, res, flow.storage).ready();
    const response = client.state.tokenResponse;
    return { patient: response.patient, scope: response.scope, refresh_token: Boolean(response.refresh_token) };
  });
  if (!token) return;
  const patientId = client.patient.id;
  await observe(report, "patient_read", async () => ({ asked: patientId, id: (await client.patient.read()).id }));
  await observe(report, "eob_pages", async () => {
    const pages = [];
    await client.request(`ExplanationOfBenefit?patient=${encodeURIComponent(patientId)}`,
      { pageLimit: 0, onPage: (page) => { pages.push(page); } });
    return pagesSummary(pages);
  });
  await observe(report, "userinfo", async () => {
    const info = await client.request(userinfoUrl(flow.config));
    return { sub: info.sub, patient: info.patient };
  });
  await observe(report, "refresh", async () => {
    const before = client.state.tokenResponse.access_token;
    await client.refresh();
    const after = client.state.tokenResponse;
    return { new_access_token: after.access_token !== before, patient: after.patient,
             read_after: (await client.request(`Patient/${patientId}`)).id };
  });
}
