/**
 * The gateway's page: its HTML with the first view in it, its script, its
 * style and its icon, each under a strict content security policy.
 *
 * @module
 */

import type { GatewayCore } from "./gateway_core.ts";
import { PAGE_CSS } from "./page_css.ts";
import { FAVICON_SVG, pageHtml } from "./page_html.ts";
import { PAGE_JS } from "./page_js.ts";
import { COMMON_HEADERS } from "./respond.ts";
import type { RouteHandler, Router } from "./router.ts";

const PAGE_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; " +
  "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function asset(body: string, type: string): RouteHandler {
  const headers = {
    ...COMMON_HEADERS,
    "content-type": type,
    "content-security-policy": PAGE_POLICY,
  };
  return () => new Response(body, { headers });
}

/**
 * Adds the page's routes to a router.
 *
 * @param router The gateway's router.
 * @param core What the routes share.
 */
export function addPageRoutes(router: Router<RouteHandler>, core: GatewayCore): void {
  router
    .add("GET", "/", async (ctx) => {
      // The first view is in the HTML; the script's event stream takes over.
      await core.started();
      const html = pageHtml(core.catalog.view(), core.clock.wallNow());
      return asset(html, "text/html; charset=utf-8")(ctx);
    })
    .add("GET", "/favicon.svg", asset(FAVICON_SVG, "image/svg+xml"))
    .add("GET", "/app.js", asset(PAGE_JS, "text/javascript; charset=utf-8"))
    .add("GET", "/app.css", asset(PAGE_CSS, "text/css; charset=utf-8"));
}
