"""The home page's three-step quick start: shell (curl) and Python SDK snippets filled in for this server.

Each snippet is a `Snippet` (a title and its code) built from the base URL the browser used and the demo
app's credentials, so it runs as shown; the one thing to paste in is the authorization code, where the
code says `PASTE_CODE_HERE`. tests/portal/test_quickstart.py runs every snippet against a live server.
"""
from __future__ import annotations

from dataclasses import dataclass

CODE_PLACEHOLDER = "PASTE_CODE_HERE"
SDK_LOCAL_URL = "http://localhost:8000"  # what cms-bluebutton-sdk calls environment LOCAL


@dataclass(frozen=True)
class Snippet:
    title: str
    language: str  # "shell" or "python"
    code: str


def shell_snippets(base_url: str, app: dict) -> list[Snippet]:
    """Authorize with PKCE from a shell, then exchange the code and call the API with curl."""
    redirect = app["redirect_uris"][0]
    authorize = Snippet("2. Authorize (shell)", "shell", f'''BASE={base_url}
CLIENT_ID={app["client_id"]}
CLIENT_SECRET={app["client_secret"]}
REDIRECT_URI={redirect}
VERIFIER=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')
CHALLENGE=$(python3 -c 'import base64, hashlib, sys; print(base64.urlsafe_b64encode(hashlib.sha256(sys.argv[1].encode()).digest()).rstrip(b"=").decode())' "$VERIFIER")
STATE=$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')
echo "$BASE/v2/o/authorize/?response_type=code&client_id=$CLIENT_ID&redirect_uri=$REDIRECT_URI&state=$STATE&code_challenge=$CHALLENGE&code_challenge_method=S256"''')
    call = Snippet("3. Get a token and call the API (shell)", "shell", f'''CODE={CODE_PLACEHOLDER}
TOKEN=$(curl -s -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=authorization_code -d code="$CODE" \\
  -d redirect_uri="$REDIRECT_URI" -d code_verifier="$VERIFIER" "$BASE/v2/o/token/" \\
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
curl -s -H "Authorization: Bearer $TOKEN" "$BASE/v2/fhir/ExplanationOfBenefit/?type=inpatient,carrier&_count=5"''')
    return [authorize, call]


def python_snippets(base_url: str, app: dict) -> list[Snippet]:
    """The same two steps with CMS's official Python SDK (`pip install cms-bluebutton-sdk`)."""
    retarget = "" if base_url == SDK_LOCAL_URL else f'''
# This sandbox is not on {SDK_LOCAL_URL} (the SDK's LOCAL): point the SDK at it.
bb.base_url = "{base_url}"
bb.auth_base_url = "{base_url}/v2/o/authorize"
bb.auth_token_url = "{base_url}/v2/o/token/"'''
    authorize = Snippet("2. Authorize (Python SDK)", "python", f'''from cms_bluebutton import BlueButton

bb = BlueButton({{"environment": "LOCAL", "version": 2,
                 "client_id": "{app["client_id"]}",
                 "client_secret": "{app["client_secret"]}",
                 "callback_url": "{app["redirect_uris"][0]}"}}){retarget}
auth = bb.generate_auth_data()
print(bb.generate_authorize_url(auth))''')
    call = Snippet("3. Get a token and call the API (Python SDK)", "python", f'''token = bb.get_authorization_token(auth, "{CODE_PLACEHOLDER}", auth["state"])
config = {{"auth_token": token, "params": {{}}}}
print(bb.get_patient_data(config)["response"].json())
eobs = bb.get_pages(bb.get_explaination_of_benefit_data(config)["response"].json(), config)
print(sum(len(page.get("entry", [])) for page in eobs["pages"]), "claims")''')
    return [authorize, call]
