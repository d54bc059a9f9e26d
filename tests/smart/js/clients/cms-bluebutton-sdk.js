// CMS's official Node SDK (npm `cms-bluebutton-sdk`), environment LOCAL with its base URL pointed at the live
// server, and no retries (a 5xx would otherwise wait 2.5 + 5 + 10 s); every method of the SDK on the way.
import { BlueButton } from "cms-bluebutton-sdk";

import { entryIds, observe, okBody, pagesSummary } from "../flow.js";

export async function launch(flow, req, res) {
  const { config } = flow;
  const bb = new BlueButton({ environment: "LOCAL", clientId: config.clientId, clientSecret: config.clientSecret,
                              callbackUrl: config.redirectUri, version: String(config.version),
                              retrySettings: { total: 0 } });
  bb.baseUrl = config.base;
  flow.app = { bb, authData: bb.generateAuthData() };
  res.writeHead(302, { location: bb.generateAuthorizeUrl(flow.app.authData) }).end();
}

export async function callback(flow, req, res) {
  const { report, app: { bb, authData } } = flow;
  const query = new URL(req.url, "http://app").searchParams;
  let authToken;
  const token = await observe(report, "token", async () => {
    authToken = await bb.getAuthorizationToken(authData, query.get("code"), query.get("state"), query.get("error"));
    return { patient: authToken.patient, scope: authToken.scope, refresh_token: Boolean(authToken.refreshToken) };
  });
  if (!token) return;
  const patientPath = `fhir/Patient/${token.patient}`;
  await observe(report, "patient_read", async () => ({
    asked: token.patient, id: okBody((await bb.getCustomData(patientPath, authToken)).response).id }));
  await observe(report, "eob_pages", async () => {
    const first = okBody((await bb.getExplanationOfBenefitData(authToken)).response);
    return pagesSummary((await bb.getPages(first, authToken)).pages);
  });
  await observe(report, "userinfo", async () => {
    const info = okBody((await bb.getProfileData(authToken)).response);
    return { sub: info.sub, patient: info.patient };
  });
  await observe(report, "patient_search", async () => ({
    entries: entryIds(okBody((await bb.getPatientData(authToken)).response)) }));
  const coverage = await observe(report, "coverage", async () => {
    const bundle = okBody((await bb.getCoverageData(authToken)).response);
    return { total: bundle.total, entries: entryIds(bundle),
             beneficiaries: [...new Set((bundle.entry ?? []).map((e) => e.resource.beneficiary?.reference))] };
  });
  if (coverage?.entries.length) {
    await observe(report, "custom_data", async () => {
      const asked = coverage.entries[0][1];
      return { asked, id: okBody((await bb.getCustomData(`fhir/Coverage/${asked}`, authToken)).response).id };
    });
  }
  if (flow.config.version === 3) {
    await observe(report, "insurance_card", async () => ({
      entries: entryIds(okBody((await bb.getInsuranceCardData(authToken)).response)) }));
  }
  await observe(report, "refresh", async () => {
    const refreshed = await bb.refreshAuthToken(authToken);
    return { new_access_token: refreshed.accessToken !== authToken.accessToken, patient: refreshed.patient,
             read_after: okBody((await bb.getCustomData(patientPath, refreshed)).response).id };
  });
}
