/* The network workbench: vis-network over the case's graph API. Start from a search hit, a trace, a
   gang or a cluster; double-click expands; filters, trace, paths, hide/pin/undo, detail panel. */
"use strict";
(function () {
  const { T, api, toast, el, money } = window.pochuan;
  const cfg = JSON.parse(document.getElementById("wb-config").textContent);
  const $ = (id) => document.getElementById(id);

  // Colours and shapes per entity type, border colours per role (legend built from these).
  const TYPES = {
    person: { color: "#4e79a7", shape: "dot" }, card: { color: "#f28e2b", shape: "square" },
    phone: { color: "#59a14f", shape: "triangle" }, device: { color: "#9c755f", shape: "diamond" },
    report: { color: "#e15759", shape: "star" }, cashpoint: { color: "#76b7b2", shape: "hexagon" },
  };
  const ROLES = {
    "金主": "#7b1fa2", "骨干": "#c62828", "卡商": "#ef6c00", "卡农": "#f9a825", "一级卡": "#d81b60",
    "二级卡": "#8e24aa", "三级卡": "#3949ab", "取现": "#00897b", "受害人": "#2e7d32",
  };
  const RELS = {
    TRANSFER: "#e8743b", CASH: "#19a979", OWNS: "#5899da", HOLDS: "#945ecf", USES: "#6c8893",
    RESERVED: "#13a4b4", FILED: "#bf399e", PAID_FROM: "#ed4a7b", PAID_TO: "#d32f2f",
  };
  const MONEY_RELS = new Set(["TRANSFER", "CASH", "PAID_TO", "PAID_FROM"]);

  const nodes = new vis.DataSet();
  const edges = new vis.DataSet();
  const hidden = new Set();
  const layered = new Set(); // nodes placed by layerGang: held during the layout, free to drag afterwards
  const history = [];
  let timeBounds = null; // [minMs, maxMs] over the loaded edges
  let lastExpand = null; // {type, key, cap} of the last expansion, for "more"
  let stabilizing = false;
  const state = { stabilizedAt: null, lastStabilizeMs: null, pending: 0 };

  // ---------- filters ----------
  function checkedRels() {
    return Array.from(document.querySelectorAll("#rel-filters input:checked")).map((i) => i.value);
  }
  function sliderTimes() {
    if (!timeBounds) return [null, null];
    const [lo, hi] = timeBounds, f = Number($("t-from").value) / 1000, t = Number($("t-to").value) / 1000;
    return [lo + (hi - lo) * f, lo + (hi - lo) * t];
  }
  function sliderNarrowed() { return Number($("t-from").value) > 0 || Number($("t-to").value) < 1000; }
  function parseTime(s) { return s ? Date.parse(String(s).replace(" ", "T") + "Z") : NaN; }
  function fmtTime(ms) { return isNaN(ms) || ms === null ? "—" : new Date(ms).toISOString().slice(0, 16).replace("T", " "); }

  let relOn = new Set(checkedRels());
  function edgeVisible(e) {
    const d = e.data || {};
    if (!relOn.has(d.type)) return false;
    if (hidden.has(e.from) || hidden.has(e.to)) return false;
    const min = Number($("min-amount").value) || 0;
    if (min > 0 && MONEY_RELS.has(d.type) && (d.sum === null || d.sum === undefined || d.sum < min)) return false;
    if (timeBounds && sliderNarrowed() && (d.first || d.last)) {
      const [from, to] = sliderTimes();
      const a = parseTime(d.first || d.last), b = parseTime(d.last || d.first);
      if (b < from || a > to) return false;
    }
    return true;
  }
  const nodesView = new vis.DataView(nodes, { filter: (n) => !hidden.has(n.id) });
  const edgesView = new vis.DataView(edges, { filter: edgeVisible });

  function refreshFilters() {
    relOn = new Set(checkedRels());
    const [from, to] = sliderTimes();
    $("t-from-text").textContent = fmtTime(from);
    $("t-to-text").textContent = fmtTime(to);
    edgesView.refresh();
    nodesView.refresh();
    updateStatus();
  }

  // ---------- the network ----------
  const OPTIONS = {
    autoResize: true,
    layout: { improvedLayout: false, randomSeed: 7 },
    interaction: { multiselect: true, hover: true, navigationButtons: false, keyboard: false, tooltipDelay: 300 },
    nodes: { font: { face: '"Microsoft YaHei","PingFang SC","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif', size: 13 },
      size: 14, borderWidth: 1 },
    edges: { smooth: false, arrows: { to: { enabled: true, scaleFactor: 0.5 } },
      font: { size: 10, align: "middle", face: '"Microsoft YaHei","PingFang SC","Noto Sans CJK SC",sans-serif' } },
    physics: { enabled: true, solver: "barnesHut",
      barnesHut: { gravitationalConstant: -5000, springLength: 150, springConstant: 0.03, damping: 0.3, avoidOverlap: 0.2 },
      stabilization: { enabled: true, iterations: 200, updateInterval: 50, fit: true }, minVelocity: 1.5 },
  };
  const network = new vis.Network($("network"), { nodes: nodesView, edges: edgesView }, OPTIONS);

  /** Run the layout for the current size, then stop physics so the picture stays still.
      Big views start from a radial tree layout (radialLayout) and get fewer, coarser iterations. */
  function stabilize(big) {
    const n = nodes.length;
    const iterations = big ? (n > 1500 ? 25 : 50) : n > 600 ? 120 : 200;
    stabilizing = true;
    state.stabilizeStart = performance.now();
    network.setOptions({ physics: { enabled: true, barnesHut: { theta: n > 600 ? 1.0 : 0.5 }, stabilization: { iterations } } });
    network.stabilize(iterations);
  }

  /** Place many new nodes at once on a radial tree around their roots, so physics only has to polish. */
  function radialLayout(fresh, g) {
    const adj = new Map();
    for (const e of g.edges || []) {
      if (!adj.has(e.from)) adj.set(e.from, []);
      if (!adj.has(e.to)) adj.set(e.to, []);
      adj.get(e.from).push(e.to); adj.get(e.to).push(e.from);
    }
    const placed = new Map(), children = new Map(), order = [];
    const freshIds = new Set(fresh.map((n) => n.id));
    const old = network.getPositions(nodes.getIds().filter((i) => !freshIds.has(i)));
    const roots = Object.keys(old).filter((i) => adj.has(i));
    const byDegree = fresh.map((n) => n.id).sort((a, b) => (adj.get(b) || []).length - (adj.get(a) || []).length);
    const seen = new Set(roots);
    let queue = roots.slice();
    const trees = [];
    const grow = (start) => {
      const tree = [start]; queue = [start]; children.set(start, []);
      while (queue.length) {
        const cur = queue.shift();
        for (const nb of adj.get(cur) || []) {
          if (seen.has(nb) || !freshIds.has(nb)) continue;
          seen.add(nb); children.get(cur).push(nb); children.set(nb, []); queue.push(nb); tree.push(nb);
        }
      }
      return tree;
    };
    for (const r of roots) { trees.push({ root: r, at: old[r] }); grow(r); seen.add(r); }
    for (const id of byDegree) { if (!seen.has(id)) { seen.add(id); trees.push({ root: id, at: null }); grow(id); } }
    const leaves = new Map();
    const countLeaves = (id) => {
      const kids = children.get(id) || [];
      const c = kids.length ? kids.reduce((s, k) => s + countLeaves(k), 0) : 1;
      leaves.set(id, c); return c;
    };
    let offset = 0;
    const total = trees.reduce((s, t) => s + countLeaves(t.root), 0);
    const side = Math.ceil(Math.sqrt(trees.length));
    trees.forEach((t, i) => {
      const center = t.at || { x: (i % side) * 900 - side * 450, y: Math.floor(i / side) * 900 - side * 450 };
      const place = (id, depth, a0, a1) => {
        if (depth > 0 || !t.at) placed.set(id, { x: center.x + Math.cos((a0 + a1) / 2) * depth * 140, y: center.y + Math.sin((a0 + a1) / 2) * depth * 140 });
        let a = a0;
        for (const k of children.get(id) || []) { const span = ((a1 - a0) * leaves.get(k)) / leaves.get(id); place(k, depth + 1, a, a + span); a += span; }
      };
      place(t.root, 0, 0, 2 * Math.PI);
      offset += leaves.get(t.root);
    });
    for (const n of fresh) { const p = placed.get(n.id); if (p) { n.x = p.x; n.y = p.y; } }
    return total;
  }
  network.on("stabilizationIterationsDone", () => {
    network.setOptions({ physics: { enabled: false } });
    if (layered.size) { nodes.update(Array.from(layered).filter((i) => nodes.get(i)).map((i) => ({ id: i, fixed: false }))); layered.clear(); }
    stabilizing = false;
    state.stabilizedAt = performance.now();
    state.lastStabilizeMs = state.stabilizedAt - (state.stabilizeStart || state.stabilizedAt);
    document.body.dataset.stable = String(Date.now());
    network.fit({ animation: false });
  });

  // ---------- adding results ----------
  function shortLabel(n) {
    let text = n.label || n.key || n.id;
    if (text.length > 28) text = text.slice(0, 27) + "…";
    const tags = [];
    if (n.role) tags.push(n.role);
    if (n.traceLayer !== null && n.traceLayer !== undefined) tags.push("L" + n.traceLayer);
    return (tags.length ? "[" + tags.join(" ") + "] " : "") + text;
  }
  function visNode(n, near) {
    const t = TYPES[n.type] || { color: "#999", shape: "dot" };
    const role = n.role && ROLES[n.role];
    const out = {
      id: n.id, label: shortLabel(n), shape: t.shape, data: n, title: (n.label || n.key) + (n.role ? " · " + n.role : ""),
      color: { background: t.color, border: role || t.color, highlight: { background: t.color, border: "#000" } },
      borderWidth: role ? 4 : 1, size: n.amount ? Math.min(30, 12 + Math.log10(1 + n.amount) * 2) : 14,
    };
    if (n._pos) { out.x = n._pos.x; out.y = n._pos.y; out.fixed = true; layered.add(n.id); }
    else if (near) { out.x = near.x + (Math.random() - 0.5) * 160; out.y = near.y + (Math.random() - 0.5) * 160; }
    return out;
  }
  function edgeWidth(d) { return d.sum ? Math.min(12, 1 + Math.log10(1 + d.sum) * 1.2) : 1; }
  function edgeLabel(d) {
    if (MONEY_RELS.has(d.type) && d.sum) return (d.count > 1 ? "×" + d.count + " " : "") + money(d.sum);
    return d.count > 1 ? "×" + d.count : "";
  }
  function edgeKey(d) { return d.from + "|" + d.type + "|" + d.to; }
  function visEdge(d) {
    return {
      id: edgeKey(d), from: d.from, to: d.to, data: d, label: edgeLabel(d), width: edgeWidth(d),
      color: { color: RELS[d.type] || "#888", highlight: "#000" }, dashes: !MONEY_RELS.has(d.type),
      title: T("rel." + d.type) + (d.count ? " ×" + d.count : "") + (d.sum ? " " + money(d.sum) : ""),
    };
  }
  /** Merge two aggregates of the same relationship: parallel transfers stay one edge with count and sum. */
  function mergeEdge(old, d) {
    if (!old) return d;
    const a = old.data;
    if (a.id === d.id || (a.count === d.count && a.sum === d.sum)) return Object.assign({}, a, d);
    return Object.assign({}, a, { count: Math.max(a.count || 0, d.count || 0), sum: Math.max(a.sum || 0, d.sum || 0),
      first: [a.first, d.first].filter(Boolean).sort()[0] || null, last: [a.last, d.last].filter(Boolean).sort().pop() || null });
  }

  function snapshot() {
    history.push({ nodes: nodes.get(), edges: edges.get(), hidden: Array.from(hidden) });
    if (history.length > 30) history.shift();
  }

  /** Add a graph result to the view; returns the number of new nodes. */
  function addGraph(g, origin) {
    const near = origin && network.getPositions([origin])[origin];
    const fresh = [], seen = new Set(nodes.getIds());
    for (const n of g.nodes || []) {
      if (seen.has(n.id)) {
        const cur = nodes.get(n.id).data;
        const merged = Object.assign({}, cur, n, { role: n.role || cur.role, layer: n.layer ?? cur.layer,
          traceLayer: n.traceLayer ?? cur.traceLayer });
        nodes.update(Object.assign(visNode(merged), n._pos ? {} : { x: undefined, y: undefined }));
      } else { fresh.push(visNode(n, near)); seen.add(n.id); }
      hidden.delete(n.id);
    }
    const big = fresh.length > 300;
    if (big) radialLayout(fresh, g);
    nodes.add(fresh);
    const es = [];
    for (const d of g.edges || []) {
      if (!seen.has(d.from) || !seen.has(d.to)) continue;
      es.push(visEdge(mergeEdge(edges.get(edgeKey(d)), d)));
    }
    edges.update(es);
    updateTimeBounds();
    refreshFilters();
    if (fresh.length) stabilize(big);
    return fresh.length;
  }

  function updateTimeBounds() {
    let lo = Infinity, hi = -Infinity;
    edges.forEach((e) => {
      for (const s of [e.data.first, e.data.last]) {
        const t = parseTime(s);
        if (!isNaN(t)) { lo = Math.min(lo, t); hi = Math.max(hi, t); }
      }
    });
    timeBounds = lo <= hi ? [lo, hi === lo ? lo + 60000 : hi] : null;
  }

  function updateStatus(extra) {
    const text = T("nodes") + " " + new Set(nodesView.getIds()).size + " / " + T("edges") + " " + new Set(edgesView.getIds()).size;
    $("wb-status").textContent = extra ? text + " · " + extra : text;
  }
  function truncatedNotice(g, again) {
    const more = $("btn-more");
    if (g.truncated && again) {
      more.hidden = false; more.onclick = again;
      updateStatus(T("truncated"));
    } else { more.hidden = true; updateStatus(); }
  }

  // ---------- API calls ----------
  function qs(params) {
    const u = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) { if (v !== null && v !== undefined && v !== "") u.set(k, v); }
    return u.toString();
  }
  function filterParams() {
    const p = {}, rels = checkedRels();
    if (rels.length && rels.length < document.querySelectorAll("#rel-filters input").length) p.rel = rels.join(",");
    const min = Number($("min-amount").value) || 0;
    if (min > 0) p.min_amount = min;
    if (timeBounds && sliderNarrowed()) {
      const [a, b] = sliderTimes();
      p.since = fmtTime(a) + ":00"; p.until = fmtTime(b) + ":59";
    }
    return p;
  }
  async function run(label, fn) {
    updateStatus(T("loading"));
    state.pending += 1;
    try { return await fn(); } catch (e) { toast(T("error") + ": " + e.message, "error"); updateStatus(); return null; }
    finally { state.pending -= 1; }
  }

  async function expand(id, cap) {
    const n = nodes.get(id);
    if (!n) return;
    const d = n.data, c = cap || 300;
    await run("expand", async () => {
      const g = await api(cfg.api + "/neighbourhood?" + qs(Object.assign({ type: d.type, key: d.key, cap: c }, filterParams())));
      snapshot();
      addGraph(g, id);
      lastExpand = { id, cap: c };
      truncatedNotice(g, c < 5000 ? () => expand(id, Math.min(5000, c * 4)) : null);
    });
  }
  async function startFrom(id) {
    const [type, ...rest] = id.split(":"), key = rest.join(":");
    await run("start", async () => {
      const res = await api(cfg.api + "/entity?" + qs({ type, key }));
      snapshot();
      addGraph({ nodes: [res.entity], edges: [] });
      showNode(res.entity);
      await expand(res.entity.id);
      network.selectNodes([res.entity.id]);
    });
  }
  function selectedCard() {
    const sel = network.getSelectedNodes().map((i) => nodes.get(i)).filter((n) => n && n.data.type === "card");
    return sel.length ? sel[0].data : null;
  }
  async function trace(direction, cardKey) {
    const key = cardKey || (selectedCard() || {}).key;
    if (!key) { toast(T("select_card"), "error"); return; }
    await run("trace", async () => {
      const p = { card: key, direction, hops: Number($("trace-hops").value) || 4, max_delay: Number($("trace-delay").value) || 1440 };
      const min = Number($("min-amount").value) || 0;
      if (min > 0) p.min_amount = min;
      const g = await api(cfg.api + "/trace?" + qs(p));
      for (const n of g.nodes || []) n.traceLayer = n.layer; // layers of the money trail (L1 = first hop)
      snapshot();
      addGraph(g, "card:" + key);
      truncatedNotice(g, null);
    });
  }
  async function paths() {
    const sel = network.getSelectedNodes();
    if (sel.length !== 2) { toast(T("select_two"), "error"); return; }
    await run("paths", async () => {
      const g = await api(cfg.api + "/paths?" + qs({ a: sel[0], b: sel[1], rel: filterParams().rel }));
      if (!(g.nodes || []).length) { toast(T("no_path"), "error"); updateStatus(); return; }
      snapshot();
      addGraph(g, sel[0]);
      network.setSelection({ nodes: g.nodes.map((n) => n.id), edges: g.edges.map(edgeKey) });
    });
  }
  // Rows of the layered gang view: who runs it on top, money from victims down to cash and the boss's cards.
  const TIER = { person: { "金主": 0, "骨干": 0, "卡商": 0, "受害人": 1, "卡农": 6, "取现": 6 },
    card: { "一级卡": 2, "二级卡": 3, "三级卡": 4, "取现": 5 }, report: {} };
  /** Give the gang's members a row by role (y fixed, x free) so the chain reads top to bottom. */
  function layerGang(g) {
    const rows = new Map();
    for (const n of g.nodes || []) {
      let t = (TIER[n.type] || {})[n.role];
      if (n.type === "report") t = 1;
      if (t === undefined) continue;
      if (!rows.has(t)) rows.set(t, []);
      rows.get(t).push(n);
    }
    // order each row by the mean x of its neighbours in the rows above (fewer crossings), then space evenly
    const adj = new Map();
    for (const e of g.edges || []) {
      for (const [a, b] of [[e.from, e.to], [e.to, e.from]]) { if (!adj.has(a)) adj.set(a, []); adj.get(a).push(b); }
    }
    const x = new Map();
    for (const t of Array.from(rows.keys()).sort((a, b) => a - b)) {
      const list = rows.get(t);
      const key = (n) => { const xs = (adj.get(n.id) || []).filter((m) => x.has(m)).map((m) => x.get(m));
        return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0; };
      list.sort((a, b) => key(a) - key(b));
      const gap = Math.max(60, Math.min(150, 2400 / list.length));
      list.forEach((n, i) => { n._pos = { x: (i - (list.length - 1) / 2) * gap, y: t * 170 }; x.set(n.id, n._pos.x); });
    }
  }
  async function openGang(id) {
    await run("gang", async () => {
      const g = await api(cfg.api + "/gangs/" + encodeURIComponent(id));
      layerGang(g);
      snapshot();
      addGraph(g);
      truncatedNotice(g, null);
      showGang(g, id);
      document.body.dataset.gang = id;
    });
  }
  async function openCluster(cl) {
    document.body.dataset.cluster = cl.id;
    await run("cluster", async () => {
      snapshot();
      addGraph({ nodes: [...(cl.devices || []), ...(cl.members || [])], edges: [] });
      for (const dv of (cl.devices || []).slice(0, 20)) {
        const g = await api(cfg.api + "/neighbourhood?" + qs({ type: dv.type, key: dv.key, cap: 200, rel: "USES,HOLDS,OWNS" }));
        addGraph(g, dv.id);
      }
    });
  }

  // ---------- lists ----------
  let gangsCache = null;
  async function gangList() {
    if (!gangsCache) gangsCache = (await api(cfg.api + "/gangs")).gangs || [];
    return gangsCache;
  }
  /** Open the gang a node belongs to (as a member, or as a victim of it). */
  async function openGangOf(id) {
    const gs = await run("gangs", gangList);
    if (!gs) return;
    const g = gs.find((x) => (x.members || []).some((m) => m.id === id)) ||
      gs.find((x) => (x.victims || []).some((m) => m.id === id));
    if (g) await openGang(g.id); else toast(T("not_in_gang"));
  }
  async function loadGangs() {
    const box = $("gang-list");
    box.replaceChildren(el("li", { class: "muted" }, T("loading")));
    const all = await run("gangs", gangList);
    if (!all) { box.replaceChildren(); return; }
    const gs = all.slice().sort((a, b) => (b.total_flow || 0) - (a.total_flow || 0));
    box.replaceChildren(...(gs.length ? gs.map((g) => el("li", {},
      el("a", { href: "#", "data-gang": g.id, onclick: (ev) => { ev.preventDefault(); openGang(g.id); } },
        g.id + " · " + T("size") + " " + (g.size || (g.members || []).length) + " · " + money(g.total_flow))))
      : [el("li", { class: "muted" }, T("gangs_none"))]));
    updateStatus();
  }
  async function loadClusters() {
    const box = $("cluster-list");
    const res = await run("clusters", () => api(cfg.api + "/clusters"));
    if (!res) return;
    const cs = (res.clusters || []).slice(0, 200); // the biggest first, as analytics orders them
    box.replaceChildren(...(cs.length ? cs.map((c) => el("li", {},
      el("a", { href: "#", "data-cluster": c.id, onclick: (ev) => { ev.preventDefault(); openCluster(c); } },
        c.id + " · " + T("size") + " " + (c.size || (c.members || []).length) + " · " + T("devices") + " " + (c.devices || []).length)))
      : [el("li", { class: "muted" }, T("clusters_none"))]));
    updateStatus();
  }
  async function search(text) {
    const box = $("wb-hits");
    const res = await run("search", () => api(cfg.api + "/search?" + qs({ q: text, limit: 30 })));
    if (!res) return;
    const hits = res.results || [];
    box.replaceChildren(...(hits.length ? hits.map((h) => el("li", {},
      el("span", { class: "dot type-" + h.type }), el("a", { href: "#", class: "hit", "data-id": h.id,
        onclick: (ev) => { ev.preventDefault(); startFrom(h.id); } }, T("type." + h.type) + " " + (h.label || h.key))))
      : [el("li", { class: "muted" }, T("no_hits"))]));
    updateStatus();
  }

  // ---------- detail panel ----------
  function table(rows) {
    return el("table", { class: "props" }, rows.map(([k, v]) => el("tr", {}, el("th", {}, k), el("td", {}, v === null || v === undefined ? "" : (typeof v === "object" ? JSON.stringify(v) : String(v))))));
  }
  function showNode(n) {
    const rows = [["id", n.id]];
    if (n.role) rows.push([T("role"), n.role]);
    if (n.traceLayer !== null && n.traceLayer !== undefined) rows.push([T("layer"), n.traceLayer]);
    if (n.amount) rows.push([T("sum"), money(n.amount)]);
    for (const [k, v] of Object.entries(n.props || {})) rows.push([k, v]);
    const prov = n.provenance || [];
    $("detail").replaceChildren(
      el("h3", {}, el("span", { class: "dot type-" + n.type }), T("type." + n.type) + " " + (n.label || n.key)),
      el("p", {}, el("button", { id: "btn-node-gang", onclick: () => openGangOf(n.id) }, T("find_gang")), " ",
        n.type === "card" ? el("button", { id: "btn-node-trace", onclick: () => trace("down", n.key) }, T("trace_down")) : null),
      el("h4", {}, T("props")), table(rows),
      prov.length ? el("h4", {}, T("provenance")) : null,
      prov.length ? el("table", { class: "props prov" }, el("tr", {}, el("th", {}, T("case")), el("th", {}, T("batch")), el("th", {}, T("file")), el("th", {}, T("row"))),
        prov.map((p) => el("tr", {}, el("td", {}, p.case || ""), el("td", {}, String(p.batch || "").slice(0, 10)), el("td", {}, p.file || ""), el("td", {}, p.row ?? "")))) : null);
  }
  async function showNodeFull(id) {
    const n = nodes.get(id);
    if (!n) return;
    showNode(n.data);
    const d = n.data;
    const res = await run("entity", () => api(cfg.api + "/entity?" + qs({ type: d.type, key: d.key })));
    if (res) { showNode(Object.assign({}, d, res.entity, { role: d.role || res.entity.role, layer: d.layer, traceLayer: d.traceLayer })); updateStatus(); }
  }
  function showEdge(id) {
    const e = edges.get(id);
    if (!e) return;
    const d = e.data;
    const rows = [["from", d.from], ["to", d.to], [T("count"), d.count], [T("sum"), money(d.sum)], [T("first"), d.first], [T("last"), d.last]];
    for (const [k, v] of Object.entries(d.props || {})) rows.push([k, v]);
    $("detail").replaceChildren(el("h3", {}, T("rel." + d.type)), table(rows));
  }
  function showGang(g, id) {
    const members = (g.nodes || []).filter((n) => n.role && n.role !== "受害人");
    $("detail").replaceChildren(el("h3", {}, T("members") + " · " + id),
      table(members.map((m) => [m.role, m.label || m.key])));
  }

  // ---------- legend ----------
  function legend() {
    const box = $("legend");
    const shapeChar = { dot: "●", square: "■", triangle: "▲", diamond: "◆", star: "★", hexagon: "⬢" };
    box.append(el("div", { class: "legend-types" }, Object.entries(TYPES).map(([t, s]) =>
      el("div", {}, el("span", { class: "glyph", style: "color:" + s.color }, shapeChar[s.shape] || "●"), " " + T("type." + t)))));
    box.append(el("div", { class: "legend-roles" }, Object.entries(ROLES).map(([r, c]) =>
      el("div", {}, el("span", { class: "ring", style: "border-color:" + c }), " " + T("gangrole." + r)))));
    box.append(el("div", { class: "legend-rels" }, Object.entries(RELS).map(([r, c]) =>
      el("div", {}, el("span", { class: "line" + (MONEY_RELS.has(r) ? "" : " dashed"), style: "border-color:" + c }), " " + T("rel." + r)))));
  }

  // ---------- buttons and events ----------
  function undo() {
    const s = history.pop();
    if (!s) { toast(T("nothing_to_undo")); return; }
    nodes.clear(); edges.clear(); hidden.clear();
    s.hidden.forEach((h) => hidden.add(h));
    nodes.add(s.nodes); edges.add(s.edges);
    updateTimeBounds(); refreshFilters();
  }
  function hideSelected() {
    const sel = network.getSelectedNodes();
    if (!sel.length) { toast(T("select_nodes")); return; }
    snapshot();
    sel.forEach((i) => hidden.add(i));
    refreshFilters();
  }
  function pinSelected() {
    const sel = network.getSelectedNodes();
    if (!sel.length) { toast(T("select_nodes")); return; }
    snapshot();
    const pos = network.getPositions(sel);
    const pinned = !(nodes.get(sel[0]).fixed === true || (nodes.get(sel[0]).fixed || {}).x);
    nodes.update(sel.map((i) => ({ id: i, fixed: pinned, x: pos[i].x, y: pos[i].y,
      shapeProperties: { borderDashes: pinned ? [4, 3] : false } })));
    toast(pinned ? T("pinned") : T("unpinned"));
  }
  function exportUrl(params) { return cfg.api + "/export?" + qs(params); }

  document.querySelectorAll("[data-t]").forEach((e) => { e.textContent = T(e.dataset.t); });
  $("wb-search").addEventListener("submit", (ev) => { ev.preventDefault(); const q = $("wb-q").value.trim(); if (q) search(q); });
  document.querySelectorAll("#rel-filters input").forEach((i) => i.addEventListener("change", refreshFilters));
  ["t-from", "t-to"].forEach((i) => $(i).addEventListener("input", () => {
    if (Number($("t-from").value) > Number($("t-to").value)) $(i === "t-from" ? "t-to" : "t-from").value = $(i).value;
    refreshFilters();
  }));
  $("min-amount").addEventListener("change", refreshFilters);
  $("btn-trace-down").addEventListener("click", () => trace("down"));
  $("btn-trace-up").addEventListener("click", () => trace("up"));
  $("btn-path").addEventListener("click", paths);
  $("btn-expand").addEventListener("click", () => network.getSelectedNodes().forEach((i) => expand(i)));
  $("btn-hide").addEventListener("click", hideSelected);
  $("btn-pin").addEventListener("click", pinSelected);
  $("btn-undo").addEventListener("click", undo);
  $("btn-fit").addEventListener("click", () => network.fit());
  const detailHint = $("detail").innerHTML; // the server-rendered hint, restored when the view is cleared
  $("btn-clear").addEventListener("click", () => {
    snapshot(); nodes.clear(); edges.clear(); hidden.clear(); refreshFilters();
    $("detail").innerHTML = detailHint;
    delete document.body.dataset.gang; delete document.body.dataset.cluster;
  });
  $("btn-gangs").addEventListener("click", loadGangs);
  $("btn-clusters").addEventListener("click", loadClusters);
  /** Download an export: a GET link, or a POST of the selection whose answer becomes a file. */
  async function download(params, body) {
    if (!body) { window.location.href = exportUrl(params); return; }
    await run("export", async () => {
      const resp = await fetch(cfg.api + "/export", { method: "POST", credentials: "same-origin", body: JSON.stringify(body),
        headers: { "Content-Type": "application/json", "X-CSRFToken": document.querySelector('meta[name="csrf-token"]').content } });
      if (!resp.ok) { const e = await resp.json().catch(() => null); throw new Error(e && e.error ? e.error.message : resp.statusText); }
      const name = (/filename\*?=(?:UTF-8'')?"?([^";]+)/i.exec(resp.headers.get("Content-Disposition") || "") || [])[1];
      const a = el("a", { href: URL.createObjectURL(await resp.blob()), download: name ? decodeURIComponent(name) : "export" });
      document.body.append(a); a.click(); a.remove();
      updateStatus();
    });
  }
  if (cfg.export) {
    const fmt = () => $("export-format").value;
    $("btn-export-gang").addEventListener("click", () => {
      const g = document.body.dataset.gang;
      if (!g) { toast(T("open_gang_first"), "error"); return; }
      download({ what: "gang", id: g, format: fmt() });
    });
    $("btn-export-cluster").addEventListener("click", () => {
      const c = document.body.dataset.cluster;
      if (!c) { toast(T("open_cluster_first"), "error"); return; }
      download({ what: "cluster", id: c, format: fmt() });
    });
    $("btn-export-trace").addEventListener("click", () => {
      const c = selectedCard();
      if (!c) { toast(T("select_card"), "error"); return; }
      download({ what: "trace", id: c.key, direction: "down", format: fmt() });
    });
    $("btn-export-selection").addEventListener("click", () => {
      const ids = network.getSelectedNodes();
      if (!ids.length) { toast(T("select_nodes"), "error"); return; }
      download(null, { what: "selection", ids, format: fmt() });
    });
    $("btn-export-freeze").addEventListener("click", () => download({ what: "freeze", format: fmt() === "csv" ? "csv" : "xlsx" }));
    $("btn-export-report").addEventListener("click", () => download({ what: "report" }));
  }
  network.on("doubleClick", (p) => { if (p.nodes.length) expand(p.nodes[0]); });
  network.on("click", (p) => {
    if (p.nodes.length === 1) showNodeFull(p.nodes[0]);
    else if (!p.nodes.length && p.edges.length === 1) showEdge(p.edges[0]);
  });
  legend();
  refreshFilters();

  // Test and benchmark hooks: add a graph directly, read the last layout time.
  window.pochuanWB = { addGraph: (g) => { snapshot(); return addGraph(g); }, state, network, nodes, edges,
    hidden, isStabilizing: () => stabilizing, idle: () => state.pending === 0 && !stabilizing, expand, trace, openGang, startFrom };

  if (cfg.start.start) startFrom(cfg.start.start);
  else if (cfg.start.trace) { addGraph({ nodes: [], edges: [] }); trace("down", cfg.start.trace); }
  else if (cfg.start.gang) openGang(cfg.start.gang);
  else if (cfg.start.cluster) loadClusters();
})();
