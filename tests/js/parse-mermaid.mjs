// Parses Mermaid diagrams with mermaid's own parser and prints what it understood, so the Rust
// tests can check both that a diagram parses and that every label reads back as the original
// text. @mermaid-js/parser does not cover flowcharts (it answers "Unknown diagram type"), so this
// uses the `mermaid` package itself; its sanitizer needs a DOM, which jsdom provides.
//
// stdin: JSON [{"name": ..., "text": ...}, ...]
// stdout: JSON [{"name", "ok", "error"?, "type"?, "config"?, "vertices"?, "edges"?, "subgraphs"?, "classes"?}]

import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });

// Mermaid stores `#name;` / `#123;` entity codes as placeholders and turns them into HTML
// entities when it draws (its decodeEntities); the browser then decodes those. Lines are split
// at <br> first, so a decoded `<br>` inside a name cannot pass for a line break.
function lines(text) {
  if (text === undefined || text === null || text === '') return [];
  return String(text)
    .split(/<br\s*\/?>/)
    .map((part) => {
      const html = part.replace(/ﬂ°°/g, '&#').replace(/ﬂ°/g, '&').replace(/¶ß/g, ';');
      const area = document.createElement('textarea');
      area.innerHTML = html;
      return area.value;
    });
}

async function inspect({ name, text }) {
  try {
    const parsed = await mermaid.parse(text);
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
    const db = diagram.db;
    return {
      name,
      ok: true,
      type: parsed.diagramType,
      config: parsed.config ?? {},
      vertices: [...db.getVertices().values()].map((v) => ({
        id: v.id,
        shape: v.type ?? null,
        lines: lines(v.text),
        classes: v.classes ?? [],
      })),
      edges: db.getEdges().map((e) => ({
        start: e.start,
        end: e.end,
        stroke: e.stroke ?? null,
        lines: lines(e.text),
        style: e.style ?? [],
      })),
      subgraphs: db.getSubGraphs().map((s) => ({
        id: s.id,
        lines: lines(s.title),
        nodes: [...s.nodes].sort(),
      })),
      classes: [...db.getClasses().keys()].sort(),
    };
  } catch (e) {
    return { name, ok: false, error: String(e && e.message ? e.message : e) };
  }
}

let input = '';
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const item of JSON.parse(input)) results.push(await inspect(item));
process.stdout.write(JSON.stringify(results, null, 1) + '\n');
