/**
 * The live page's HTML: a search box, a banner for stale data, and the list
 * the script fills in. Relative links, so it works under any prefix.
 *
 * @module
 */

/** The page at `/`. */
export const PAGE_HTML: string = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Services</title>
<link rel="stylesheet" href="app.css">
<script type="module" src="app.js"></script>
</head>
<body>
<header>
  <h1>Services</h1>
  <p id="summary" aria-live="polite">Loading…</p>
</header>
<div id="banner" role="alert" hidden></div>
<main>
  <label for="search">Search services and instances</label>
  <input id="search" type="search" placeholder="name, address, port, payload" autocomplete="off">
  <div id="services"></div>
  <p id="empty" hidden>No service matches.</p>
</main>
</body>
</html>
`;
