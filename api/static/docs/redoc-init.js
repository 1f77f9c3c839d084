// Starts ReDoc on the service's own OpenAPI document (no CDN, no inline script, no fonts).
Redoc.init("/openapi.json", { hideDownloadButton: false }, document.getElementById("redoc"));
