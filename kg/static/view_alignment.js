// policy-kg alignment view: an overview of the documents and one document pair at a time,
// drawn as plain SVG from the JSON kg/present/view_alignment.py embeds. Document text only
// ever enters the page through textContent, never as HTML.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var NS = "http://www.w3.org/2000/svg";
  var LEVEL = { national: "#c62828", provincial: "#1565c0", municipal: "#2e7d32", county: "#6a1b9a" };
  var LEVEL_ZH = { national: "国家", provincial: "省级", municipal: "市级", county: "县级" };
  var STATUS = { aligned: "#2e7d32", weak: "#ef6c00", curated: "#1565c0" };
  var STATUS_ZH = { aligned: "对齐", weak: "弱对齐 待确认", curated: "人工确认" };
  var svg = document.getElementById("kg-svg");
  var select = document.getElementById("kg-pair");
  var panel = document.getElementById("kg-panel"), body = document.getElementById("kg-panel-body");
  var docs = {};
  data.documents.forEach(function (d) { docs[d.id] = d; });
  var pairs = {};
  data.pairs.forEach(function (p) { pairs[p.id] = p; });

  function node(name, attrs, parent, text) {
    var el = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    if (text !== undefined) el.textContent = text;
    if (parent) parent.appendChild(el);
    return el;
  }
  function html(name, attrs, parent, text) {
    var el = document.createElement(name);
    Object.keys(attrs || {}).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) el.textContent = text;
    if (parent) parent.appendChild(el);
    return el;
  }
  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); }
  function pct(a, b) { return b ? Math.round(100 * a / b) + "%" : "–"; }
  function docName(d) { return (d.region || LEVEL_ZH[d.level] || "") + (d.year ? " " + d.year : ""); }
  function status(link) { return link.method === "curated" ? "curated" : link.status; }
  // shorten a text element's last tspan (or itself) until the whole label fits in `max` pixels
  function fit(textEl, part, full, max) {
    part.textContent = full;
    if (textEl.getComputedTextLength() <= max) return;
    var lo = 0, hi = full.length;
    while (lo < hi) {
      var mid = Math.ceil((lo + hi) / 2);
      part.textContent = full.slice(0, mid) + "…";
      if (textEl.getComputedTextLength() <= max) lo = mid; else hi = mid - 1;
    }
    part.textContent = full.slice(0, lo) + "…";
  }
  // wrap `text` into at most `lines` lines of `max` pixels under (x, y)
  function wrap(parent, text, x, y, max, lines, cls) {
    var out = [], rest = text;
    for (var i = 0; i < lines && rest; i++) {
      var t = node("text", { x: x, y: y + i * 16, "class": cls }, parent);
      if (i === lines - 1) { fit(t, t, rest, max); rest = ""; break; }
      var n = rest.length;
      t.textContent = rest;
      while (n > 1 && t.getComputedTextLength() > max) { n--; t.textContent = rest.slice(0, n); }
      rest = rest.slice(n);
      out.push(t);
    }
  }
  function size(w, h) { svg.setAttribute("width", w); svg.setAttribute("height", h); svg.setAttribute("viewBox", "0 0 " + w + " " + h); }

  // ------------------------------------------------------------------ overview
  function overview() {
    clear(svg);
    document.body.setAttribute("data-mode", "overview");
    var W = 250, H = 92, GAP = 36, ROWGAP = 120, TOP = 24;
    var levels = data.levels.filter(function (lv) { return data.documents.some(function (d) { return d.level === lv; }); });
    var rows = levels.map(function (lv) { return data.documents.filter(function (d) { return d.level === lv; }); });
    var width = Math.max(900, Math.max.apply(null, rows.map(function (r) { return r.length * (W + GAP) + GAP; })));
    size(width, TOP + rows.length * (H + ROWGAP));
    var at = {}, edges = node("g", {}, svg), boxes = node("g", {}, svg), labels = node("g", {}, svg);
    rows.forEach(function (row, r) {
      var x0 = (width - row.length * (W + GAP) + GAP) / 2, y = TOP + r * (H + ROWGAP);
      row.forEach(function (d, i) {
        var x = x0 + i * (W + GAP);
        at[d.id] = { x: x, y: y, out: 0, in: 0 };
        var g = node("g", { "class": "kg-doc", "data-doc": d.id }, boxes);
        node("title", {}, g, d.title + (d.number ? "（" + d.number + "）" : ""));
        node("rect", { x: x, y: y, width: W, height: H, rx: 5, fill: "#fff", stroke: LEVEL[d.level] || "#757575", "stroke-width": 2 }, g);
        node("text", { x: x + 8, y: y + 17, "class": "kg-box-head kg-label", fill: LEVEL[d.level] || "#757575" }, g,
          docName(d) + " · " + (LEVEL_ZH[d.level] || d.level));
        wrap(g, d.title, x + 8, y + 35, W - 16, 2, "kg-box-title kg-label");
        node("text", { x: x + 8, y: y + H - 8, "class": "kg-small" }, g,
          (d.has_text ? d.measures + " 项措施" : "未收录文本 no text") + (d.number ? " · " + d.number : ""));
      });
    });
    var outs = {}, ins = {};
    data.pairs.forEach(function (p) { (outs[p.child] = outs[p.child] || []).push(p); (ins[p.parent] = ins[p.parent] || []).push(p); });
    data.pairs.forEach(function (p) {
      var c = at[p.child], q = at[p.parent];
      if (!c || !q) return;
      var co = outs[p.child], pi = ins[p.parent];
      var x1 = c.x + W * (co.indexOf(p) + 1) / (co.length + 1), y1 = c.y;
      var x2 = q.x + W * (pi.indexOf(p) + 1) / (pi.length + 1), y2 = q.y + H;
      if (y2 > y1) { y1 = c.y + H; y2 = q.y; }
      var g = node("g", { "class": "kg-pair-edge", "data-pair": p.id }, edges);
      var share = p.parent_measures ? p.implemented / p.parent_measures : 0;
      var colour = p.openable ? "#00695c" : "#9e9e9e";
      var my = (y1 + y2) / 2;
      node("path", { d: "M" + x1 + "," + y1 + " C" + x1 + "," + my + " " + x2 + "," + my + " " + x2 + "," + y2,
        fill: "none", stroke: colour, "stroke-width": p.openable ? 1.5 + 5 * share : 1.5,
        "stroke-dasharray": p.openable ? "" : "5 4", "marker-end": "" }, g);
      node("title", {}, g, docName(docs[p.child]) + " → " + docName(docs[p.parent]));
      var lx = x1 + (x2 - x1) * 0.22, ly = y1 + (y2 - y1) * 0.22;
      var lg = node("g", { "class": "kg-pair-edge", "data-pair": p.id }, labels);
      var text = p.openable ? "落实 " + p.implemented + "/" + p.parent_measures + " · " + pct(p.implemented, p.parent_measures)
        : "上级未收录文本";
      var t = node("text", { x: lx, y: ly + 4, "text-anchor": "middle", "class": "kg-cov kg-label", fill: colour }, lg, text);
      var b = t.getBBox();
      lg.insertBefore(node("rect", { x: b.x - 4, y: b.y - 2, width: b.width + 8, height: b.height + 4, rx: 3,
        fill: "#fff", stroke: colour }), t);
      if (p.openable) [g, lg].forEach(function (el) { el.addEventListener("click", function () { open(p.id); }); });
    });
    var openable = data.pairs.filter(function (p) { return p.openable; }).length;
    document.getElementById("kg-summary").textContent = data.documents.length + " 份文件 · " + data.pairs.length +
      " 组上下级关系（" + openable + " 组可展开）· 点击连线或在左侧选择文件对 click a link to open a pair";
  }

  // ---------------------------------------------------------------- one pair
  var current = null;
  function pairView(id) {
    var pair = data.pair[id], meta = pairs[id];
    clear(svg);
    document.body.setAttribute("data-mode", "pair");
    var ROW = 30, TOP = 64, LABEL = 320, GAP = 200, PAD = 12;
    var LX = PAD + LABEL, RX = LX + GAP, width = RX + LABEL + PAD;
    var rows = Math.max(pair.parents.length, pair.children.length);
    size(width, TOP + rows * ROW + 20);
    var P = docs[pair.parent], C = docs[pair.child];
    node("text", { x: LX, y: 22, "text-anchor": "end", "class": "kg-head", fill: LEVEL[P.level] }, svg, "上级 " + docName(P));
    node("text", { x: RX, y: 22, "class": "kg-head", fill: LEVEL[C.level] }, svg, "下级 " + docName(C));
    node("text", { x: LX, y: 42, "text-anchor": "end", "class": "kg-small" }, svg,
      meta.implemented + "/" + pair.parents.length + " 项被落实 · " + pair.parents.filter(function (m) { return !m.implemented; }).length + " 项未落实");
    node("text", { x: RX, y: 42, "class": "kg-small" }, svg,
      (pair.children.length - pair.children.filter(function (m) { return m.innovation; }).length) + "/" + pair.children.length +
      " 项有上级措施 · " + pair.children.filter(function (m) { return m.innovation; }).length + " 项地方创新");
    var ys = { parent: {}, child: {} };
    pair.parents.forEach(function (m, i) { ys.parent[m.key] = TOP + i * ROW; });
    pair.children.forEach(function (m, i) { ys.child[m.key] = TOP + i * ROW; });
    var linkLayer = node("g", {}, svg);
    pair.links.forEach(function (l, i) {
      var y1 = ys.parent[l.parent], y2 = ys.child[l.child];
      if (y1 === undefined || y2 === undefined) return;
      var s = status(l), mx = (LX + RX) / 2;
      var d = "M" + (LX + 8) + "," + y1 + " C" + mx + "," + y1 + " " + mx + "," + y2 + " " + (RX - 8) + "," + y2;
      var g = node("g", { "class": "kg-link", "data-link": i, "data-status": s }, linkLayer);
      node("title", {}, g, STATUS_ZH[s] + " · " + l.score.toFixed(3));
      node("path", { d: d, fill: "none", stroke: "transparent", "stroke-width": 12 }, g);
      node("path", { d: d, fill: "none", stroke: STATUS[s], "class": "kg-line", "stroke-width": 1.5 + 3 * l.score,
        "stroke-dasharray": s === "weak" ? "6 4" : s === "curated" ? "2 3" : "" }, g);
      g.addEventListener("click", function () { showLink(pair, i); });
    });
    function measure(m, side) {
      var x = side === "parent" ? LX : RX, y = ys[side][m.key];
      var g = node("g", { "class": "kg-measure", "data-side": side, "data-key": m.key }, svg);
      var fill = LEVEL[(side === "parent" ? P : C).level];
      if (m.lost) node("rect", { x: x - 6, y: y - 6, width: 12, height: 12, transform: "rotate(45 " + x + " " + y + ")",
        fill: "#e0e0e0", stroke: "#616161", "stroke-dasharray": "3 2" }, g);
      else if (side === "parent" && !m.implemented) node("circle", { cx: x, cy: y, r: 6, fill: "#fff", stroke: "#c62828", "stroke-width": 2.5 }, g);
      else if (side === "child" && m.innovation) node("rect", { x: x - 6, y: y - 6, width: 12, height: 12, fill: "#ef6c00" }, g);
      else node("circle", { cx: x, cy: y, r: 6, fill: fill }, g);
      var anchor = side === "parent" ? "end" : "start", lx = side === "parent" ? x - 12 : x + 12;
      var t = node("text", { x: lx, y: y + 4.5, "text-anchor": anchor, "class": "kg-label" }, g);
      var title = m.title || (m.lost ? "〔标题缺失〕" + (m.text || "") : (m.text || ""));
      var full = "（" + m.number + "）" + title.replace(/\s+/g, " ");
      var main;
      if (side === "parent") {
        if (!m.implemented) node("tspan", { "class": "kg-tag-missing" }, t, "未落实 ");
        main = node("tspan", {}, t);
      } else {
        main = node("tspan", {}, t);
        if (m.innovation) node("tspan", { "class": "kg-tag-new" }, t, " 地方创新");
      }
      node("title", {}, g, full);
      fit(t, main, full, LABEL - 24);
      g.addEventListener("click", function () { showMeasure(pair, m, side); });
    }
    pair.parents.forEach(function (m) { measure(m, "parent"); });
    pair.children.forEach(function (m) { measure(m, "child"); });
    document.getElementById("kg-summary").textContent = docName(C) + " → " + docName(P) + " · 落实 " +
      pct(meta.implemented, meta.parent_measures) + (meta.copy_rate !== null ? " · 平均照搬 " + Math.round(100 * meta.copy_rate) + "%" : "") +
      " · 点击连线或措施查看原文对照 click a link or a measure for the texts";
  }

  // --------------------------------------------------------------- side panel
  function marked(parent, text, marks) {
    var div = html("div", { "class": "kg-text" }, parent), at = 0;
    (marks || []).slice().sort(function (a, b) { return a[0] - b[0]; }).forEach(function (m) {
      if (m[0] < at) return;
      if (m[0] > at) div.appendChild(document.createTextNode(text.slice(at, m[0])));
      html("mark", { "class": m[2], title: m[2] }, div, text.slice(m[0], m[1]));
      at = m[1];
    });
    div.appendChild(document.createTextNode(text.slice(at)));
    return div;
  }
  function position(m) {
    var s = m.sentences || [];
    if (!s.length) return "原文位置未知 no position";
    var pages = s.map(function (x) { return x[3]; }).filter(function (p) { return p; });
    return "字符 " + s[0][1] + "–" + s[s.length - 1][2] + (pages.length ? " · 第 " + Array.from(new Set(pages)).join("、") + " 页" : "");
  }
  function sideBox(parent, label, doc, m, marks) {
    var box = html("div", { "class": "kg-side" }, parent);
    html("h3", {}, box, label + " " + docName(doc) + "（" + m.number + "）" + (m.title || (m.lost ? "〔标题缺失〕" : "")));
    html("div", { "class": "kg-pos" }, box, position(m));
    if (m.agencies && m.agencies.length) html("div", { "class": "kg-ag" }, box, "责任单位：" + m.agencies.join("、"));
    if (m.text) marked(box, m.text, marks);
    else html("div", { "class": "kg-note" }, box, "原文未收录此措施的正文 (no text collected)");
    return box;
  }
  function openPanel(heading) {
    clear(body);
    panel.hidden = false;
    html("h2", {}, body, heading);
  }
  function find(list, key) { return list.filter(function (m) { return m.key === key; })[0]; }
  function showLink(pair, i) {
    var l = pair.links[i], P = docs[pair.parent], C = docs[pair.child], s = status(l);
    var pm = find(pair.parents, l.parent), cm = find(pair.children, l.child);
    svg.querySelectorAll(".kg-link").forEach(function (g) { g.classList.toggle("kg-on", g.getAttribute("data-link") === String(i)); });
    openPanel(docName(C) + "（" + cm.number + "）→ " + docName(P) + "（" + pm.number + "）");
    var facts = html("div", { "class": "kg-facts" }, body);
    html("span", { "class": "kg-status", style: "background:" + STATUS[s] }, facts, s + " " + STATUS_ZH[s]);
    html("span", {}, facts, "得分 score " + l.score.toFixed(3));
    html("span", {}, facts, "领先次优 margin " + (l.margin === null ? "–" : l.margin.toFixed(3)));
    html("span", {}, facts, "方法 method " + l.method);
    var sides = html("div", { "class": "kg-sides" }, body);
    sideBox(sides, "上级", P, pm, l.parent_marks);
    sideBox(sides, "下级", C, cm, l.child_marks);
    html("p", { "class": "kg-pos" }, body, "黄色：照搬的文字 copied · 红色：改动的数字、年份或单位 changed · 紫色：增减的单位 added/dropped");
    if (l.pairs && l.pairs.length) {
      html("h3", {}, body, "匹配的句子 matched sentences (" + l.pairs.length + ")");
      var table = html("table", { "class": "kg-pairs" }, body);
      l.pairs.forEach(function (p) {
        var tr = html("tr", {}, table);
        html("td", {}, tr, p[1]);
        html("td", {}, tr, p[0]);
      });
    } else html("p", { "class": "kg-note" }, body, "没有匹配的句子：此链接没有文字证据 (no matched sentences)");
  }
  function showMeasure(pair, m, side) {
    var P = docs[pair.parent], C = docs[pair.child], doc = side === "parent" ? P : C;
    openPanel((side === "parent" ? "上级 " : "下级 ") + docName(doc) + "（" + m.number + "）");
    var links = [];
    pair.links.forEach(function (l, i) { if ((side === "parent" ? l.parent : l.child) === m.key) links.push(i); });
    if (side === "parent" && !m.implemented) html("p", { "class": "kg-note" }, body, "未落实：下级文件没有对齐到这项措施 (no aligned child measure)");
    if (side === "child" && m.innovation) html("p", { "class": "kg-note" }, body, "地方创新：上级文件中没有对齐的措施 (no aligned parent measure)");
    sideBox(body, side === "parent" ? "上级" : "下级", doc, m, []);
    if (links.length) {
      html("h3", {}, body, "链接 links");
      links.forEach(function (i) {
        var l = pair.links[i], other = side === "parent" ? find(pair.children, l.child) : find(pair.parents, l.parent);
        var b = html("button", { "class": "kg-linkbtn" }, body,
          "（" + other.number + "）" + (other.title || "") + " · " + status(l) + " " + l.score.toFixed(2));
        b.addEventListener("click", function () { showLink(pair, i); });
      });
    }
  }
  document.getElementById("kg-close").addEventListener("click", function () { panel.hidden = true; });

  // ------------------------------------------------------------------ routing
  function open(id) { location.hash = id ? "pair=" + encodeURIComponent(id) : ""; }
  function route() {
    var m = /^#pair=(.+)$/.exec(location.hash), id = m ? decodeURIComponent(m[1]) : "";
    if (id && !data.pair[id]) id = "";
    select.value = id;
    panel.hidden = true;
    current = id;
    if (id) pairView(id); else overview();
    document.body.setAttribute("data-ready", "true");
  }
  select.addEventListener("change", function () { open(select.value); });
  window.addEventListener("hashchange", route);
  window.kgAlignment = { open: open, current: function () { return current; } };
  route();
})();
