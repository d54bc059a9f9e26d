// Starts Swagger UI on /docs/ with the settings the page put in #swagger-ui's data attributes:
// the sandbox's OpenAPI document, and OAuth (authorization code + PKCE) as the built-in Swagger UI app.
(function () {
  var el = document.getElementById("swagger-ui");
  var ui = SwaggerUIBundle({
    url: el.dataset.specUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: true,
    oauth2RedirectUrl: window.location.origin + el.dataset.redirectUrl,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
  ui.initOAuth({
    clientId: el.dataset.clientId,
    clientSecret: el.dataset.clientSecret,
    scopes: el.dataset.scopes.split(" "),
    usePkceWithAuthorizationCodeGrant: true
  });
})();
