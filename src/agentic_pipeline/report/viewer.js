// The trajectory viewer of the report page: filters, search, paging, a record as a conversation.
// Data comes from the page itself (gzip + base64 JSON, inflated by the browser's DecompressionStream);
// every piece of record text is put into the page with textContent, never as HTML.
"use strict";
(function () {
  const PAGE = 50;
  const COLLAPSE_CHARS = 1200;
  const COLLAPSE_LINES = 24;
  const FILTERS = ["kind", "category", "source", "status", "findings"];
  const state = { all: [], shown: [], page: 0, active: null };

  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else node.setAttribute(k, v);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(typeof child === "string" || typeof child === "number" ? String(child) : child);
    }
    return node;
  }

  async function inflate() {
    const text = document.getElementById("records").textContent.trim();
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return JSON.parse(await new Response(stream).text());
  }

  function facetValue(entry, facet) {
    if (facet === "findings") return entry.findings.length ? "with findings" : "no findings";
    return entry[facet];
  }

  function fillFilters() {
    const facets = JSON.parse(document.getElementById("facets").textContent);
    for (const facet of FILTERS) {
      const select = document.getElementById("f-" + facet);
      const here = {};
      for (const e of state.all) here[facetValue(e, facet)] = (here[facetValue(e, facet)] || 0) + 1;
      select.append(h("option", { value: "" }, "all"));
      for (const [value, n] of Object.entries(facets[facet] || {})) {
        const label = `${value} (${n.toLocaleString()} in data, ${(here[value] || 0).toLocaleString()} here)`;
        select.append(h("option", { value }, label));
      }
      select.addEventListener("change", applyFilters);
    }
    let timer = null;
    document.getElementById("f-search").addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(applyFilters, 150);
    });
    document.getElementById("prev").addEventListener("click", () => turn(-1));
    document.getElementById("next").addEventListener("click", () => turn(1));
  }

  function searchable(e) {
    if (e._text === undefined) e._text = JSON.stringify(e.r).toLowerCase() + " " + e.file.toLowerCase();
    return e._text;
  }

  function applyFilters() {
    const wanted = {};
    for (const facet of FILTERS) wanted[facet] = document.getElementById("f-" + facet).value;
    const query = document.getElementById("f-search").value.trim().toLowerCase();
    state.shown = state.all.filter((e) => {
      for (const facet of FILTERS) if (wanted[facet] && facetValue(e, facet) !== wanted[facet]) return false;
      return !query || searchable(e).includes(query);
    });
    state.page = 0;
    renderList();
  }

  function turn(step) {
    const pages = Math.max(1, Math.ceil(state.shown.length / PAGE));
    state.page = Math.min(pages - 1, Math.max(0, state.page + step));
    renderList();
  }

  function renderList() {
    const list = document.getElementById("list");
    list.replaceChildren();
    const start = state.page * PAGE;
    for (const e of state.shown.slice(start, start + PAGE)) {
      const item = h(
        "li",
        { class: "rec-item" + (e === state.active ? " active" : ""), "data-status": e.status },
        h("span", { class: "tag " + e.status }, e.status),
        h("span", { class: "tag" }, e.kind),
        h("span", { class: "tag" }, e.category),
        e.findings.length ? h("span", { class: "tag warn" }, `${e.findings.length} finding(s)`) : null,
        e.steps ? ` ${e.steps} steps` : null,
        e.tokens ? ` · ${e.tokens.toLocaleString()} tok` : null,
        h("span", { class: "id" }, e.r.id || `${e.file}:${e.line}`),
      );
      item.addEventListener("click", () => show(e));
      list.append(item);
    }
    const pages = Math.max(1, Math.ceil(state.shown.length / PAGE));
    document.getElementById("list-count").textContent =
      `${state.shown.length.toLocaleString()} of ${state.all.length.toLocaleString()} records in this page match`;
    document.getElementById("page").textContent = `page ${state.page + 1} of ${pages}`;
  }

  function parseArgs(args) {
    if (typeof args !== "string") return args;
    try { return JSON.parse(args); } catch (err) { return args; }
  }

  function toolCall(call) {
    const fn = call.function || {};
    const args = parseArgs(fn.arguments);
    const keys = args && typeof args === "object" ? Object.keys(args) : [];
    const body = keys.length === 1 && typeof args[keys[0]] === "string"
      ? h("pre", { class: "args" }, args[keys[0]])
      : h("pre", { class: "args" }, typeof args === "string" ? args : JSON.stringify(args, null, 2));
    const label = keys.length === 1 ? ` ${keys[0]}:` : "";
    return h("div", { class: "tool-call" }, h("span", { class: "name" }, `→ ${fn.name}`), label, body);
  }

  function longText(text, cls, what) {
    const lines = text.split("\n").length;
    const pre = h("pre", { class: cls }, text);
    if (text.length <= COLLAPSE_CHARS && lines <= COLLAPSE_LINES) return pre;
    const lines0 = text.split("\n");
    const first = lines0.find((l) => l.trim().length >= 8) || lines0.find((l) => l.trim()) || "";
    return h("details", { class: cls + "-long" },
      h("summary", {}, `${what}: ${lines.toLocaleString()} lines, ${text.length.toLocaleString()} characters — ${first.slice(0, 90)}`),
      pre);
  }

  function message(m) {
    const box = h("div", { class: "msg " + m.role }, h("div", { class: "role" }, m.role + (m.name ? ` · ${m.name}` : "")));
    const content = m.content || "";
    if (m.role === "system") {
      box.append(h("details", {}, h("summary", {}, `system prompt (${content.length.toLocaleString()} characters)`), h("div", { class: "text" }, content)));
      return box;
    }
    if (m.reasoning) box.append(h("details", {}, h("summary", {}, "extended thinking"), h("div", { class: "text" }, m.reasoning)));
    if (m.role === "tool") box.append(longText(content, "observation", "observation"));
    else if (content) box.append(h("div", { class: "text" + (m.role === "assistant" ? " thought" : "") }, content));
    for (const call of m.tool_calls || []) box.append(toolCall(call));
    return box;
  }

  function conversation(messages) {
    const frag = h("div", { class: "conversation" });
    for (const m of messages || []) frag.append(message(m));
    return frag;
  }

  function kv(obj) {
    const table = h("table", {});
    for (const [k, v] of Object.entries(obj || {})) {
      if (v === null || v === undefined || typeof v === "object") continue;
      table.append(h("tr", {}, h("th", {}, k), h("td", {}, String(v))));
    }
    return table;
  }

  function outcome(e) {
    const r = e.r;
    const out = r.outcome;
    const meta = r.metadata || {};
    if (!out && !e.reason) return null;
    const ok = out ? out.verified : false;
    const box = h("div", { class: "outcome " + (ok ? "ok" : "fail") },
      h("b", {}, ok ? "verified" : "not verified"), out ? ` by ${out.verifier}` : "",
      out && out.exit_status ? ` · exit status ${out.exit_status}` : "",
      e.reason ? ` · rejected: ${e.reason}` : "");
    if (out && out.detail) box.append(h("pre", { class: "verifier-detail" }, out.detail));
    if (meta.exit_detail) box.append(h("div", { class: "note" }, "agent's summary: " + meta.exit_detail));
    return box;
  }

  function findings(e) {
    if (!e.findings.length) return h("p", { class: "note" }, "No validation finding on this record.");
    const list = h("ul", { class: "findings" });
    for (const [check, severity, msg] of e.findings) {
      list.append(h("li", {}, h("span", { class: "tag " + (severity === "error" ? "rejected" : "warn") }, `${severity} ${check}`), " ", msg));
    }
    return list;
  }

  function evidence(r) {
    const ev = (r.metadata || {}).evidence || r.evidence;
    if (!ev) return null;
    const box = h("div", { class: "evidence" }, h("h3", {}, "Evidence (measured)"), kv(ev));
    for (const side of ["chosen", "rejected"]) {
      if (ev[side] && typeof ev[side] === "object") box.append(h("details", {}, h("summary", {}, `${side}: measurements`), h("pre", {}, JSON.stringify(ev[side], null, 2))));
    }
    return box;
  }

  function preference(r) {
    return h("div", {},
      h("h3", {}, "Prompt"), conversation(r.prompt),
      h("div", { class: "pair" },
        h("div", { class: "chosen" }, h("h4", {}, "chosen"), conversation(r.chosen)),
        h("div", { class: "rejected-side" }, h("h4", {}, "rejected"), conversation(r.rejected))));
  }

  function lossView(loss) {
    const box = h("div", { class: "loss" });
    let at = 0;
    for (const [a, b] of loss.spans) {
      box.append(loss.text.slice(at, a), h("mark", {}, loss.text.slice(a, b)));
      at = b;
    }
    box.append(loss.text.slice(at));
    return h("details", {}, h("summary", {}, "training view: the rendered text, loss-carrying spans highlighted" + (loss.cut ? ` (first part; ${loss.cut.toLocaleString()} characters more)` : "")), box);
  }

  function show(e) {
    state.active = e;
    const r = e.r;
    const detail = document.getElementById("detail");
    const tokens = e.trainable >= 0 ? `${e.tokens.toLocaleString()} tokens, ${e.trainable.toLocaleString()} carry loss` : `≈ ${e.tokens.toLocaleString()} tokens`;
    detail.replaceChildren(
      h("h3", { class: "record-id" }, r.id || "(no id)"),
      h("p", { class: "note" }, h("span", { class: "tag " + e.status }, e.status), ` ${e.kind} · ${e.category} · source ${e.source} · ${e.file}:${e.line} · ${tokens}`,
        e.tools.length ? ` · tools: ${e.tools.join(", ")}` : ""),
      outcome(e),
      h("h3", {}, "Validation findings"), findings(e),
      r.prompt ? preference(r) : conversation(r.messages),
      evidence(r),
      e.loss ? lossView(e.loss) : null,
      h("details", {}, h("summary", {}, "metadata"), h("pre", {}, JSON.stringify(r.metadata || {}, null, 2))),
    );
    renderList();
  }

  async function main() {
    state.all = await inflate();
    fillFilters();
    applyFilters();
    if (state.shown.length) show(state.shown[0]);
    window.reportReady = performance.now();
  }

  main().catch((err) => {
    document.getElementById("list-count").textContent = "the viewer could not load its records: " + err;
    throw err;
  });
})();
