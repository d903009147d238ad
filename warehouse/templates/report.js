// docclean review report: filters, pagination and one document at a time.
// Document text only ever enters the page through textContent / text nodes, never innerHTML.
(function () {
  "use strict";
  const PAGE = 50;
  const $ = (id) => document.getElementById(id);
  const index = JSON.parse($("index").textContent);
  const rules = index.rules; // [rule_id, reason]
  const docs = index.docs; // [doc_id, label, site, role, [rule keys], n_removals, reject reason]
  const position = new Map(docs.map((d, i) => [d[0], i]));
  const ruleKey = new Map(rules.map((r, i) => [r[0], i]));
  let shown = null; // [position, payload] of the document on screen

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  function state() {
    return new URLSearchParams(location.hash.slice(1));
  }

  function href(changes) {
    const params = state();
    for (const [key, value] of Object.entries(changes)) {
      if (value === "" || value === null || value === undefined) params.delete(key);
      else params.set(key, String(value));
    }
    return "#" + params.toString();
  }

  function go(changes) {
    location.hash = href(changes);
  }

  function matches(doc, params) {
    const site = params.get("site") || "";
    const rule = params.get("rule") || "";
    const role = params.get("role") || "";
    const q = (params.get("q") || "").toLowerCase();
    if (site === "-" ? doc[2] !== "" : site && doc[2] !== site) return false;
    if (rule && !doc[4].includes(ruleKey.get(rule))) return false;
    if (role && doc[3] !== role) return false;
    if (q && !doc[1].toLowerCase().includes(q) && !doc[0].startsWith(q)) return false;
    return true;
  }

  function swatch(key) {
    return el("span", { class: "swatch k" + key });
  }

  function renderList(params) {
    const hits = docs.filter((d) => matches(d, params));
    const pages = Math.max(1, Math.ceil(hits.length / PAGE));
    const page = Math.min(Math.max(1, parseInt(params.get("page") || "1", 10) || 1), pages);
    const first = (page - 1) * PAGE;
    const current = params.get("doc");
    const items = hits.slice(first, first + PAGE).map((d) => {
      const sub = [d[2] || "no site", d[3], d[5] + " removed"];
      if (d[6]) sub.push(d[6]);
      const link = el("a", { href: href({ doc: d[0] }), "data-doc": d[0] }, d[1], el("span", { class: "sub", text: sub.join(" · ") }));
      return el("li", { class: d[0] === current ? "current" : "" }, link);
    });
    $("doc-list").replaceChildren(...items);
    $("count").textContent = hits.length
      ? `Showing ${first + 1}–${first + items.length} of ${hits.length} documents` + (hits.length < docs.length ? ` (${docs.length} in all)` : "")
      : `No document matches (${docs.length} in all)`;
    $("page").textContent = `page ${page} of ${pages}`;
    $("prev").disabled = page <= 1;
    $("next").disabled = page >= pages;
    $("prev").onclick = () => go({ page: page - 1 });
    $("next").onclick = () => go({ page: page + 1 });
  }

  // Original text: a string, or [rule key, children] for a removed span (spans may nest).
  function buildTree(nodes, parent, used) {
    for (const node of nodes) {
      if (typeof node === "string") {
        parent.append(document.createTextNode(node));
        continue;
      }
      const [key, children] = node;
      used.set(key, (used.get(key) || 0) + 1);
      const mark = el("mark", { class: "rm k" + key, "data-rule": rules[key][0], title: rules[key][0] + ": " + rules[key][1] });
      buildTree(children, mark, used);
      parent.append(mark);
    }
  }

  function metaList(p, label) {
    const m = p.meta;
    const role = p.role ? p.role + (p.sim !== null && p.role !== "canonical" ? ` (similarity ${p.sim})` : "") : null;
    const rows = [
      ["Title", m.title], ["Subtitle", m.subtitle], ["Authors", m.authors.length ? m.authors.join(", ") : null],
      ["Published", m.published_at], ["Site", m.site], ["Language", m.language], ["URL", m.url],
      ["Source", m.source_uri], ["Format", m.input_format], ["Words", p.words], ["Role", role],
      ["Cluster", p.cluster], ["Run", m.run_id], ["Doc id", p.id],
    ];
    const dl = el("dl", { class: "meta", id: "doc-meta" });
    for (const [name, value] of rows) {
      if (p.kind === "reject" && (value === null || value === undefined)) continue;
      dl.append(el("dt", { text: name }), el("dd", { text: value === null || value === undefined ? "—" : String(value), "data-field": name.toLowerCase() }));
    }
    return dl;
  }

  function renderDoc(i) {
    const main = $("doc");
    if (i === undefined) {
      shown = null;
      main.replaceChildren(el("p", { class: "muted", text: "Pick a document on the left to see its original text with every removed span highlighted." }));
      return;
    }
    if (!shown || shown[0] !== i) shown = [i, JSON.parse($("doc-" + i).textContent)];
    const p = shown[1];
    const used = new Map();
    const parts = [el("h2", { text: p.meta.title || docs[i][1] })];
    if (p.reject) parts.push(el("p", { class: "reject", id: "reject" }, el("b", { text: "Rejected: " + p.reject[0] }), " — " + p.reject[1]));
    parts.push(metaList(p));

    const original = el("pre", { class: "text", id: "original" });
    if (p.orig) buildTree(p.orig, original, used);
    for (const u of p.unplaced) used.set(u[0], (used.get(u[0]) || 0) + 1);
    const legend = el("div", { class: "legend", id: "legend" });
    for (const [key, n] of [...used.entries()].sort((a, b) => a[0] - b[0])) {
      legend.append(el("span", { title: rules[key][1] }, swatch(key), el("b", { text: rules[key][0] }), ` ×${n} — ${rules[key][1]}`));
    }
    parts.push(el("h3", { text: "Original text, removed spans highlighted" }));
    if (used.size) parts.push(legend);
    parts.push(p.orig ? original : el("p", { class: "note", text: "The original text cannot be shown: " + p.why + "." }));

    if (p.unplaced.length) {
      parts.push(el("h3", { text: "Removed spans not placed in the text" }));
      const list = el("ul", { class: "unplaced", id: "unplaced" });
      for (const [key, text, why] of p.unplaced) {
        list.append(el("li", { "data-rule": rules[key][0] }, swatch(key), el("b", { text: rules[key][0] }), ` — ${rules[key][1]} (${why})`, el("blockquote", { text: text })));
      }
      parts.push(list);
    }

    // An HTML input's source, as text: the page is never parsed or rendered, so its scripts cannot run.
    if (p.page !== null) {
      const note = p.pageChars > p.page.length ? ` — first ${p.page.length} of ${p.pageChars} characters` : "";
      parts.push(el("details", { class: "page", id: "page" }, el("summary", { text: "Original page (HTML source" + note + ")" }),
        el("pre", { class: "text", id: "page-source", text: p.page })));
    }

    parts.push(el("h3", { text: "Clean text" }));
    parts.push(p.clean !== null ? el("pre", { class: "text", id: "clean" }, p.clean) : el("p", { class: "muted", text: "No clean text: the document was rejected." }));

    if (p.mates.length) {
      parts.push(el("h3", { text: `Duplicate cluster ${p.cluster}` }));
      const list = el("ul", { id: "mates" });
      for (const [id, role, sim, title, inReport] of p.mates) {
        const name = inReport ? el("a", { href: href({ doc: id }), "data-doc": id, text: title }) : el("span", { text: title + " (not in this report)" });
        list.append(el("li", {}, name, el("span", { class: "muted", text: ` — ${role}, similarity ${sim}` })));
      }
      parts.push(list);
    }
    main.replaceChildren(...parts);
  }

  function render() {
    const params = state();
    $("f-q").value = params.get("q") || "";
    $("f-site").value = params.get("site") || "";
    $("f-rule").value = params.get("rule") || "";
    $("f-role").value = params.get("role") || "";
    renderList(params);
    const doc = params.get("doc");
    const i = doc === null ? undefined : position.get(doc);
    if (i === undefined) renderDoc(undefined);
    else if (!shown || shown[0] !== i) {
      renderDoc(i);
      $("doc").scrollTop = 0;
    }
  }

  for (const name of ["site", "rule", "role"]) $("f-" + name).addEventListener("change", (e) => go({ [name]: e.target.value, page: "" }));
  $("f-q").addEventListener("input", (e) => go({ q: e.target.value, page: "" }));
  $("filters").addEventListener("submit", (e) => e.preventDefault());
  $("f-labels").addEventListener("change", (e) => document.body.classList.toggle("labels", e.target.checked));
  window.addEventListener("hashchange", render);
  render();
})();
