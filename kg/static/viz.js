// policy-kg `kg viz`: filters, search and a layout that stops once it has settled.
// Tooltips arrive as HTML built (and escaped) by kg/viz.py; vis-network shows a string
// title as plain text, so each is turned into an element here.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  function tip(html) {
    var el = document.createElement("div");
    el.innerHTML = html;
    return el.firstElementChild || el;
  }
  data.nodes.forEach(function (n) { if (typeof n.title === "string") n.title = tip(n.title); });
  data.edges.forEach(function (e, i) {
    e.id = "e" + i;
    if (typeof e.title === "string") e.title = tip(e.title);
  });
  var nodes = new vis.DataSet(data.nodes), edges = new vis.DataSet(data.edges);

  function checked(name) {
    var out = {};
    document.querySelectorAll('input[name="' + name + '"]').forEach(function (box) { out[box.value] = box.checked; });
    return out;
  }
  var levels = checked("level"), statuses = checked("status"), doc = "";
  function nodeShown(n) {
    if (n.kg_level && levels[n.kg_level] === false) return false;
    return !doc || (n.kg_docs || []).indexOf(doc) >= 0;
  }
  var nodeView = new vis.DataView(nodes, { filter: nodeShown });
  var edgeView = new vis.DataView(edges, {
    filter: function (e) {
      var kind = e.kg_kind || e.kg_status;
      if (kind && statuses[kind] === false) return false;
      var a = nodes.get(e.from), b = nodes.get(e.to);
      return a && b && nodeShown(a) && nodeShown(b);
    }
  });
  var container = document.getElementById("kg-network");
  var network = new vis.Network(container, { nodes: nodeView, edges: edgeView }, data.options);
  window.kgNetwork = network;
  if (data.options.physics && data.options.physics.enabled === false) {
    // placed in columns by kg/viz.py: open at a readable scale on the top rows, not fitted to a strip
    var xs = data.nodes.map(function (n) { return n.x; }), ys = data.nodes.map(function (n) { return n.y; });
    var left = Math.min.apply(null, xs), right = Math.max.apply(null, xs), top = Math.min.apply(null, ys);
    var scale = Math.min(1, container.clientWidth / (right - left + 420));
    network.moveTo({ position: { x: (left + right) / 2, y: top - 30 + container.clientHeight / 2 / scale }, scale: scale });
    document.body.setAttribute("data-stabilized", "true");
  } else {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      network.fit();
      document.body.setAttribute("data-stabilized", "true");
    });
  }

  function refresh() {
    levels = checked("level");
    statuses = checked("status");
    doc = document.getElementById("kg-doc").value;
    nodeView.refresh();
    edgeView.refresh();
    document.getElementById("kg-counts").textContent =
      nodeView.length + " / " + nodes.length + " nodes · " + edgeView.length + " / " + edges.length + " edges";
  }
  document.querySelectorAll('#kg-bar input[type="checkbox"]').forEach(function (box) {
    box.addEventListener("change", refresh);
  });
  document.getElementById("kg-doc").addEventListener("change", function () { refresh(); network.fit(); });

  var search = document.getElementById("kg-search");
  function find() {
    var q = search.value.trim().toLowerCase();
    var found = q ? nodeView.getIds({
      filter: function (n) {
        return (String(n.label || "") + " " + String(n.kg_search || "")).toLowerCase().indexOf(q) >= 0;
      }
    }) : [];
    network.selectNodes(found);
    document.getElementById("kg-found").textContent = q ? found.length + " found" : "";
    if (found.length) network.fit({ nodes: found, animation: false });
  }
  search.addEventListener("input", find);
  search.addEventListener("keydown", function (ev) { if (ev.key === "Enter") find(); });
})();
