// What every JavaScript client flow shares: recording one observation per step, and describing errors.
//
// A step's observation is what the client got back (ids, counts, URLs), or `{error}` with the client's own
// error and, when the error came from an HTTP response, its status and body. The Python side of the harness
// (tests/smart/checks.py) decides whether an observation passes; the flows here only run the clients.

const STEP_TIMEOUT_MS = 30_000;
const BODY_CHARS = 400;

function bodyText(body) {
  if (body === undefined || body === null || body === "") return "";
  if (body instanceof Buffer) body = body.toString();
  const text = (typeof body === "string" ? body : JSON.stringify(body)).split(/\s+/).join(" ");
  return text.length > BODY_CHARS ? `${text.slice(0, BODY_CHARS)}…` : text;
}

/** The error as one line: its message, plus the request and response it came from, when it names them. */
export function describe(error) {
  const message = String(error?.message ?? error).split("\n")[0];
  // axios (cms-bluebutton-sdk), fhir-kit-client, client-js's HttpError, @hapi/boom (simple-oauth2)
  const response = error?.response;
  const status = response?.status ?? error?.status ?? error?.output?.statusCode;
  const url = response?.config?.url ?? error?.config?.url ?? error?.url;
  const body = bodyText(response?.data ?? error?.data?.payload ?? error?.body);
  if (!status) return message;
  const request = url && !message.includes(url) ? `${(response?.config?.method ?? "GET").toUpperCase()} ${url} → ` : "";
  return `${message} — ${request}${status}${body && !message.includes(body) ? `: ${body}` : ""}`;
}

function withTimeout(promise, step) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${step} did not finish within ${STEP_TIMEOUT_MS / 1000} s`)),
      STEP_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Run one step; its observation (or `{error}`) goes into `report[step]`. Returns the observation, or
 * `undefined` when the step failed, so that a flow can stop where nothing after it can run. */
export async function observe(report, step, run) {
  try {
    report[step] = await withTimeout(Promise.resolve().then(run), step);
    return report[step];
  } catch (error) {
    report[step] = { error: describe(error) };
    return undefined;
  }
}

/** An HTTP response the SDK hands back without throwing: its JSON body, or an error naming its status. */
export function okBody(response) {
  if (!response) throw new Error("no response");
  if (response.status !== 200) {
    const error = new Error(`HTTP ${response.status}`);
    error.response = response;
    throw error;
  }
  return response.data;
}

/** What a walk through every page of a searchset tells: pages, the first page's total, ids, patients. */
export function pagesSummary(pages) {
  const resources = pages.flatMap((page) => (page?.entry ?? []).map((entry) => entry.resource));
  return {
    pages: pages.length,
    total: pages[0]?.total ?? null,
    ids: resources.map((r) => r.id),
    patients: [...new Set(resources.map((r) => r.patient?.reference))],
  };
}

export function entryIds(bundle) {
  return (bundle?.entry ?? []).map((entry) => [entry.resource.resourceType, entry.resource.id]);
}

/** The userinfo endpoint of a flow's API version (`/v2/connect/userinfo`, as BB2 documents it). */
export function userinfoUrl(config) {
  return `${config.base}/v${config.version}/connect/userinfo`;
}
