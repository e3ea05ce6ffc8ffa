/**
 * The live page's style sheet: readable on a phone (instances become cards
 * under 40em), visible focus, light and dark.
 *
 * @module
 */

/** `app.css`. */
export const PAGE_CSS: string = `:root { color-scheme: light dark; --fg: #1b1f24; --bg: #fff;
  --muted: #57606a; --line: #d0d7de; --accent: #0969da; --warn-bg: #fff1c2; --warn-fg: #5c3b00; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1;
  --line: #30363d; --accent: #4493f8; --warn-bg: #4b3800; --warn-fg: #ffe08a; } }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header, main { max-width: 64rem; margin: 0 auto; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin: 1rem 0 0; }
#summary { color: var(--muted); margin: .25rem 0 1rem; }
#banner { background: var(--warn-bg); color: var(--warn-fg); padding: .75rem 1rem;
  font-weight: 600; text-align: center; }
label { display: block; font-weight: 600; margin-bottom: .25rem; }
input[type=search] { width: 100%; font: inherit; padding: .5rem .75rem; border: 1px solid var(--line);
  border-radius: .375rem; background: var(--bg); color: var(--fg); }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
details { border: 1px solid var(--line); border-radius: .375rem; margin: 1rem 0; }
summary { cursor: pointer; padding: .6rem .9rem; font-weight: 600; }
summary .count { color: var(--muted); font-weight: 400; }
table { width: 100%; border-collapse: collapse; font-size: .95rem; }
th, td { text-align: left; padding: .4rem .9rem; border-top: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
code { font: .85rem ui-monospace, monospace; word-break: break-all; }
body.stale #services { opacity: .6; }
@media (max-width: 40em) {
  thead { position: absolute; left: -9999px; }
  tr { display: block; border-top: 1px solid var(--line); padding: .4rem 0; }
  td { display: grid; grid-template-columns: 6.5rem 1fr; border: 0; padding: .15rem .9rem; }
  td::before { content: attr(data-label); color: var(--muted); font-weight: 600; }
}
`;
