// /api/docs/: Swagger UI on the schema whose URL the page gives (templates/api/docs.html). A file, not an inline
// script, for the site's CSP (script-src 'self').
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: root.dataset.schemaUrl,
    domNode: root,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    // Swagger UI would otherwise ask validator.swagger.io about the schema: no call leaves this site.
    validatorUrl: null,
    docExpansion: "list",
    defaultModelsExpandDepth: 0,
  });
});
