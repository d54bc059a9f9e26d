// fhir-kit-client with simple-oauth2, the pairing fhir-kit-client's own SMART launch examples use: the
// client's `smartAuthMetadata()` finds the endpoints, simple-oauth2 (defaults: client secret by HTTP Basic,
// form bodies) runs the code and refresh grants, fhir-kit-client reads and pages. Neither library makes PKCE,
// so this app does (S256), as every app on Blue Button must.
import { createHash, randomBytes } from "node:crypto";

import { Client } from "fhir-kit-client";
import simpleOauth2 from "simple-oauth2";

import { observe, pagesSummary, userinfoUrl } from "../flow.js";

const base64url = (bytes) => Buffer.from(bytes).toString("base64url");

function oauthClient(config, metadata) {
  const authorize = new URL(metadata.authorize_url);
  const token = new URL(metadata.token_url);
  return new simpleOauth2.AuthorizationCode({
    client: { id: config.clientId, secret: config.clientSecret },
    auth: { authorizeHost: authorize.origin, authorizePath: authorize.pathname,
            tokenHost: token.origin, tokenPath: token.pathname },
  });
}

export async function launch(flow, req, res) {
  const { config, report } = flow;
  const fhir = new Client({ baseUrl: config.fhirBase });
  const metadata = await observe(report, "discovery", async () => {
    const found = await fhir.smartAuthMetadata();
    return { authorize_url: found.authorizeUrl?.href, token_url: found.tokenUrl?.href };
  });
  if (!metadata) return;
  const verifier = base64url(randomBytes(32));
  flow.app = { fhir, verifier, oauth: oauthClient(config, metadata), state: base64url(randomBytes(24)) };
  const url = flow.app.oauth.authorizeURL({
    redirect_uri: config.redirectUri, scope: config.scope, state: flow.app.state,
    code_challenge: base64url(createHash("sha256").update(verifier).digest()), code_challenge_method: "S256",
  });
  res.writeHead(302, { location: url }).end();
}

export async function callback(flow, req, res) {
  const { config, report, app } = flow;
  const query = new URL(req.url, "http://app").searchParams;
  let accessToken;
  const token = await observe(report, "token", async () => {
    if (query.get("state") !== app.state) throw new Error(`state mismatch: ${query.get("state")}`);
    accessToken = await app.oauth.getToken({
      code: query.get("code"), redirect_uri: config.redirectUri, code_verifier: app.verifier });
    const { patient, scope, refresh_token: refresh } = accessToken.token;
    return { patient, scope, refresh_token: Boolean(refresh) };
  });
  if (!token) return;
  app.fhir.bearerToken = accessToken.token.access_token;
  await observe(report, "patient_read", async () => ({
    asked: token.patient, id: (await app.fhir.read({ resourceType: "Patient", id: token.patient })).id }));
  await observe(report, "eob_pages", async () => {
    const pages = [];
    let page = await app.fhir.search({ resourceType: "ExplanationOfBenefit", searchParams: { patient: token.patient } });
    while (page) {
      pages.push(page);
      page = await app.fhir.nextPage({ bundle: page });
    }
    return pagesSummary(pages);
  });
  await observe(report, "userinfo", async () => {
    const info = await app.fhir.request(userinfoUrl(config));
    return { sub: info.sub, patient: info.patient };
  });
  await observe(report, "refresh", async () => {
    const refreshed = await accessToken.refresh();
    app.fhir.bearerToken = refreshed.token.access_token;
    return { new_access_token: refreshed.token.access_token !== accessToken.token.access_token,
             patient: refreshed.token.patient,
             read_after: (await app.fhir.read({ resourceType: "Patient", id: token.patient })).id };
  });
}
