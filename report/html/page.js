// tiersim's HTML report: draws the data in <script id="report-data"> (JSON
// written by report/html_report.cpp) as tables, the topology as SVG and the
// charts with uPlot, all inlined. docs/html.md describes the pages.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const root = document.getElementById("report");
  root.textContent = "";

  // Okabe & Ito's colour-blind-safe palette; yellow last (faint on white).
  const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];
  const DASHES = [[], [6, 3], [2, 3], [8, 3, 2, 3]];
  // Every chart, for resizing and for the browser tests (tests/html/).
  const charts = [];
  window.tiersimReport = { kind: data.kind, charts: charts };

  // ------------------------------------------------------------ helpers

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null) continue;
      if (k === "class") e.className = v;
      else if (k === "style") e.style.cssText = v;
      else e.setAttribute(k, v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined) continue;
      e.append(c instanceof Node ? c : String(c));
    }
    return e;
  }

  const SVGNS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, ...children) {
    const e = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) e.setAttribute(k, v);
    for (const c of children.flat()) {
      if (c === null || c === undefined) continue;
      e.append(c instanceof Node ? c : String(c));
    }
    return e;
  }

  // A number of the report, in either shape: plain, or {value, ci95}.
  function val(x) {
    if (x === null || x === undefined) return null;
    if (typeof x === "object") return x.value === undefined ? null : x.value;
    return typeof x === "number" ? x : null;
  }
  function ci(x) {
    return x && typeof x === "object" && Array.isArray(x.ci95) ? x.ci95 : null;
  }
  function get(obj, path) {
    let o = obj;
    for (const k of path.split(".")) {
      if (o === null || o === undefined || typeof o !== "object") return undefined;
      o = o[k];
    }
    return o;
  }

  const NONE = "–";
  const RESOLUTION = 0.0078125;  // the latency histogram's (latency_resolution)
  // A latency percentile in ms to the digits the histogram resolves, as the
  // tables print it (report/table_report.cpp, percentile_ms).
  function ms(v) {
    if (v === null || v === undefined || !isFinite(v)) return NONE;
    const step = v * RESOLUTION;
    const decimals = step > 0 ? Math.min(3, Math.max(0, -Math.floor(Math.log10(step)))) : 3;
    return v.toFixed(decimals);
  }
  // A share in percent with three decimals, rounded down so that a shortfall
  // never shows as 100.000%.
  function pct(v) {
    if (v === null || v === undefined || !isFinite(v)) return NONE;
    if (v >= 1) return "100.000%";
    const thousandths = Math.min(99999, Math.floor(v * 1e5 + 1e-6));
    return (thousandths / 1000).toFixed(3) + "%";
  }
  // Utilizations and other shares where a percent with one decimal suffices.
  function pct1(v) {
    return v === null || v === undefined || !isFinite(v) ? NONE : (100 * v).toFixed(1) + "%";
  }
  function num(v, digits) {
    if (v === null || v === undefined || !isFinite(v)) return NONE;
    const d = digits === undefined ? (Math.abs(v) >= 100 ? 1 : Math.abs(v) >= 1 ? 2 : 4) : digits;
    return v.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
  }
  function count(v) {
    return v === null || v === undefined || !isFinite(v) ? NONE : Math.round(v).toLocaleString("en-US");
  }
  function withCi(x, format) {
    const interval = ci(x);
    const text = format(val(x));
    return interval ? text + " [" + format(interval[0]) + ", " + format(interval[1]) + "]" : text;
  }

  function section(title, ...children) {
    const s = el("section", {}, el("h2", {}, title), ...children);
    root.append(s);
    return s;
  }
  function table(headers, rows, caption) {
    const head = el("tr", {}, headers.map((h) => el("th", { scope: "col", class: typeof h === "object" ? h.cls : null },
                                                     typeof h === "object" ? h.text : h)));
    const body = rows.map((r) => el("tr", {}, r.map((c, i) => {
      const cell = c !== null && typeof c === "object" && !(c instanceof Node) ? c : { text: c };
      return el(i === 0 ? "th" : "td", { scope: i === 0 ? "row" : null, class: cell.cls, title: cell.title },
                cell.text === null || cell.text === undefined ? NONE : cell.text);
    })));
    // The caption above the box, not inside it, so that it wraps on a phone.
    return el("div", {}, caption ? el("p", { class: "sub" }, caption) : null,
              el("div", { class: "scroll" }, el("table", {}, el("thead", {}, head), el("tbody", {}, body))));
  }
  // A headline number; a trailing unit ("196.5 requests/s") is set smaller.
  function card(label, value, note) {
    const m = /^([^ ]+) (.+)$/.exec(value);
    const shown = m && /[0-9]/.test(m[1]) ? [m[1], el("span", { class: "unit" }, " " + m[2])] : [value];
    return el("div", { class: "card" }, el("div", { class: "label" }, label), el("div", { class: "value" }, shown),
              note ? el("div", { class: "ci" }, note) : null);
  }
  function ciNote(x, format) {
    const interval = ci(x);
    return interval ? "95% interval " + format(interval[0]) + " – " + format(interval[1]) : null;
  }

  // ------------------------------------------------------------ charts

  function chartHeight() {
    return window.innerWidth < 600 ? 220 : 270;
  }

  // A uPlot chart in a titled box. spec: {title, xLabel, yLabel, x: [...],
  // series: [{label, values, color, dash, lo, hi, format}], xFormat,
  // yFormat, xLog, yLog, markers: [{x, color, dash, text}], shade: [x0, x1],
  // categories: [names] (x is 0..n-1), whiskers: true (lo/hi as error bars),
  // points: true, zero: true (a line at y = 0), note}.
  function chart(parent, spec) {
    const box = el("div", { class: "chart-box" }, el("h3", {}, spec.title));
    const target = el("div", { class: "chart", role: "img", "aria-label": spec.title + ": " + spec.yLabel +
                                 " against " + spec.xLabel + " (the numbers are in the tables)" });
    const note = el("div", { class: "chart-note", "aria-live": "polite" }, spec.note || "");
    box.append(target, note);
    parent.append(box);
    const defaultNote = spec.note || "";

    const yFormat = spec.yFormat || ((v) => num(v));
    const series = [{ label: spec.xLabel, value: (u, v) => (v === null || v === undefined ? NONE : (spec.xFormat || num)(v)) }];
    const values = [spec.x];
    spec.series.forEach((s, i) => {
      const color = s.color || PALETTE[i % PALETTE.length];
      series.push({
        label: s.label,
        stroke: color,
        width: s.width || 2,
        dash: s.dash || DASHES[0],
        spanGaps: false,
        paths: spec.whiskers ? () => null : undefined,
        points: { show: spec.points || spec.whiskers || spec.x.length <= 40, size: spec.whiskers ? 10 : 6, fill: color, stroke: color },
        value: (u, v) => (v === null || v === undefined ? NONE : (s.format || yFormat)(v)),
      });
      values.push(s.values);
    });

    function drawExtras(u) {
      const ctx = u.ctx;
      const { left, top, width, height } = u.bbox;
      ctx.save();
      ctx.beginPath();
      ctx.rect(left, top, width, height);
      ctx.clip();
      if (spec.shade) {
        const x0 = u.valToPos(spec.shade[0], "x", true), x1 = u.valToPos(spec.shade[1], "x", true);
        ctx.fillStyle = "rgba(0,0,0,0.07)";
        ctx.fillRect(Math.min(x0, x1), top, Math.abs(x1 - x0), height);
      }
      if (spec.zero) {
        const y = u.valToPos(0, "y", true);
        ctx.strokeStyle = "#777";
        ctx.lineWidth = 1;
        ctx.setLineDash([]);
        ctx.beginPath();
        ctx.moveTo(left, y);
        ctx.lineTo(left + width, y);
        ctx.stroke();
      }
      spec.series.forEach((s, i) => {
        if (!s.lo || !s.hi) return;
        const color = s.color || PALETTE[i % PALETTE.length];
        if (spec.whiskers) {
          ctx.strokeStyle = color;
          ctx.lineWidth = 2 * devicePixelRatio;
          ctx.setLineDash([]);
          spec.x.forEach((xv, k) => {
            if (s.lo[k] === null || s.hi[k] === null || s.lo[k] === undefined) return;
            const x = u.valToPos(xv, "x", true);
            const y0 = u.valToPos(s.lo[k], "y", true), y1 = u.valToPos(s.hi[k], "y", true);
            ctx.beginPath();
            ctx.moveTo(x, y0); ctx.lineTo(x, y1);
            ctx.moveTo(x - 6, y0); ctx.lineTo(x + 6, y0);
            ctx.moveTo(x - 6, y1); ctx.lineTo(x + 6, y1);
            ctx.stroke();
          });
          return;
        }
        // An interval band, split where a point has none.
        ctx.fillStyle = color + "30";
        let run = [];
        const flush = () => {
          if (run.length > 0) {
            ctx.beginPath();
            run.forEach((k, j) => {
              const x = u.valToPos(spec.x[k], "x", true), y = u.valToPos(s.hi[k], "y", true);
              if (j === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
            });
            for (let j = run.length - 1; j >= 0; --j) {
              const k = run[j];
              ctx.lineTo(u.valToPos(spec.x[k], "x", true), u.valToPos(s.lo[k], "y", true));
            }
            ctx.closePath();
            ctx.fill();
          }
          run = [];
        };
        spec.x.forEach((xv, k) => {
          const ok = s.lo[k] !== null && s.hi[k] !== null && s.lo[k] !== undefined && (!spec.yLog || s.lo[k] > 0);
          if (ok) run.push(k); else flush();
        });
        flush();
      });
      for (const m of spec.markers || []) {
        const x = u.valToPos(m.x, "x", true);
        ctx.strokeStyle = m.color;
        ctx.lineWidth = (m.width || 1.5) * devicePixelRatio;
        ctx.setLineDash((m.dash || []).map((d) => d * devicePixelRatio));
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, top + height);
        ctx.stroke();
        if (m.glyph) {
          ctx.setLineDash([]);
          ctx.fillStyle = m.color;
          ctx.font = (12 * devicePixelRatio) + "px sans-serif";
          ctx.textAlign = "center";
          ctx.fillText(m.glyph, x, top + 12 * devicePixelRatio);
        }
      }
      ctx.restore();
    }

    // Hovering near markers shows their text under the chart.
    function onCursor(u) {
      if (!spec.markers || spec.markers.length === 0 || u.cursor.left === undefined || u.cursor.left < 0) {
        note.textContent = defaultNote;
        return;
      }
      const near = spec.markers.filter((m) => m.text && Math.abs(u.valToPos(m.x, "x") - u.cursor.left) <= 5);
      note.textContent = near.length ? near.map((m) => m.text).join("  |  ") : defaultNote;
      if (spec.onMarkers) spec.onMarkers(near);
    }

    const cats = spec.categories;
    const opts = {
      width: Math.max(240, target.clientWidth || parent.clientWidth || 600),
      height: chartHeight(),
      series: series,
      scales: {
        x: cats ? { time: false, range: [-0.5, cats.length - 0.5] }
                : { time: false, distr: spec.xLog ? 3 : 1 },
        y: { distr: spec.yLog ? 3 : 1, range: spec.yLog ? undefined : yRange(spec) },
      },
      axes: [
        cats ? { label: spec.xLabel, splits: () => cats.map((c, i) => i),
                 values: (u, splits) => splits.map((i) => shorten(cats[i] || "", u.bbox.width / devicePixelRatio / cats.length)) }
             : { label: spec.xLabel, values: spec.xTicks },
        { label: spec.yLabel, size: 64,
          values: (u, splits, axis, space, incr) => splits.map((v) => (spec.yLog ? compact(v) : tick(v, incr))) },
      ],
      legend: { show: !cats || spec.series.length > 1, live: !cats },
      cursor: { drag: { x: false, y: false }, points: { show: !cats } },
      hooks: { draw: [drawExtras], setCursor: [onCursor] },
    };
    const u = new uPlot(opts, values, target);
    const points = spec.x.length;
    const drawn = spec.series.reduce((n, s) => n + s.values.filter((v) => v !== null && v !== undefined).length, 0);
    target.dataset.points = String(points);
    target.dataset.values = String(drawn);
    // The markers' canvas columns, which the browser tests leave out when they
    // look for the series' colours (a marker may share one).
    const markerColumns = () => (spec.markers || []).map((m) => u.valToPos(m.x, "x", true));
    charts.push({ title: spec.title, uplot: u, target: target, note: note, points: points, values: drawn,
                  markers: spec.markers || [], markerColumns: markerColumns });
    return u;
  }

  // The y range holds every value and interval end (and 0 with a zero
  // line), padded; a single value gets a band around it rather than uPlot's
  // 0 to twice the value.
  function yRange(spec) {
    const all = spec.series.flatMap((s) => s.values.concat(s.lo || [], s.hi || [])).filter((v) => v !== null && v !== undefined && isFinite(v));
    if (spec.zero) all.push(0);
    if (all.length === 0) return undefined;
    const lo = Math.min(...all), hi = Math.max(...all);
    const pad = hi > lo ? (hi - lo) * 0.08 : Math.abs(hi) * 0.01 || 1;
    // Counts, rates and shares never go below 0: neither does their axis.
    return [lo >= 0 ? Math.max(0, lo - pad) : lo - pad, hi + pad];
  }
  // A tick label with the decimals its step needs (601.25, 601.30, ...).
  function tick(v, incr) {
    if (v === null || v === undefined) return "";
    if (Math.abs(v) >= 1e4 && incr >= 1000) return compact(v);
    const decimals = incr > 0 ? Math.min(6, Math.max(0, -Math.floor(Math.log10(incr) + 1e-9))) : 2;
    return v.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  }

  function shorten(text, px) {
    const chars = Math.max(3, Math.floor(px / 7));
    return text.length <= chars ? text : text.slice(0, chars - 1) + "…";
  }
  // Axis ticks: short, in the axis's own unit.
  function compact(v) {
    if (v === null || v === undefined) return "";
    const a = Math.abs(v);
    const trim = (x) => String(+x.toPrecision(3));
    if (a >= 1e6) return trim(v / 1e6) + "M";
    if (a >= 1e4) return trim(v / 1e3) + "k";
    if (a === 0) return "0";
    return String(+v.toPrecision(4));
  }

  let resizeTimer = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      for (const c of charts) c.uplot.setSize({ width: Math.max(240, c.target.clientWidth), height: chartHeight() });
    }, 100);
  });

  function header(title, subtitle) {
    root.append(el("h1", {}, title));
    if (subtitle) root.append(el("p", { class: "sub" }, subtitle));
  }
  function footer(text) {
    root.append(el("footer", {}, text + " Written by tiersim; everything on this page is inside this one file."));
  }

  // ------------------------------------------------------------ run

  const TRACE_KINDS = [
    { kind: "fault", label: "fault", color: "#D55E00", dash: [], glyph: "✕" },
    { kind: "detect", label: "detection", color: "#E69F00", dash: [5, 3], glyph: "!" },
    { kind: "failover", label: "failover", color: "#CC79A7", dash: [8, 3, 2, 3], glyph: "⇄" },
    { kind: "repair", label: "repair", color: "#009E73", dash: [2, 3], glyph: "✓" },
  ];
  // The timeline's lines by their first word (models/: "fault:", "detect:",
  // "vrrp:", "failover:", "repair:", "router:"), and a node's own "web1 host
  // down" and "web1 up".
  function traceKind(text) {
    const prefix = text.split(":")[0];
    if (prefix === "fault" || / down$/.test(text)) return TRACE_KINDS[0];
    if (prefix === "detect") return / UP$/.test(text) ? TRACE_KINDS[3] : TRACE_KINDS[1];
    if (prefix === "vrrp" || prefix === "failover") return TRACE_KINDS[2];
    return TRACE_KINDS[3];
  }
  function traceLine(t, text) {
    return t.toFixed(3).padStart(14) + "s  " + text;
  }

  // A single-hue sequential scale (ColorBrewer's Blues): lightness alone
  // carries utilization, which every kind of colour vision reads, and an idle
  // node stays pale.
  const BLUES = ["#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b", "#041c40"];
  function utilColor(u) {
    if (u === null || !isFinite(u)) return "#eeeeee";
    return BLUES[Math.min(BLUES.length - 1, Math.max(0, Math.floor(u * BLUES.length)))];
  }
  function inkOn(u) {
    return u !== null && u >= 0.5 ? "#ffffff" : "#1a1a1a";
  }

  function words(text) {
    return new Set(String(text).split(/[^A-Za-z0-9_.-]+/).filter((w) => w));
  }

  // The topology: clients, then each tier (in chain order) as a lane of its
  // nodes, coloured by their host's CPU utilization; a balancer tier of two
  // HAProxy nodes is keepalived's VRRP pair behind one address. Nodes that a
  // fault struck (named by a fault or its host is) are outlined and marked.
  // Two drawings: lanes as columns, left to right, for wide screens, and as
  // rows, top to bottom, for phones; the style sheet shows one.
  function topology(run, trace) {
    const tiers = Object.entries(run.tiers || {}).map(([name, t]) => ({ name: name, kind: t.kind, nodes: [] }));
    const byName = new Map(tiers.map((t) => [t.name, t]));
    for (const [name, n] of Object.entries(run.nodes || {})) {
      let tier = byName.get(n.tier);
      if (!tier) { tier = { name: n.tier, kind: "", nodes: [] }; tiers.push(tier); byName.set(n.tier, tier); }
      tier.nodes.push({ name: name, host: n.host, cpu: val(n.cpu_utilization) });
    }
    const faultTexts = [];
    for (const f of run.faults || []) if (f && f.fault) faultTexts.push(f.fault);
    for (const [, text] of trace || []) if (traceKind(text) === TRACE_KINDS[0]) faultTexts.push(text);
    const struck = (node) => faultTexts.filter((t) => { const w = words(t); return w.has(node.name) || w.has(node.host); });
    const vrrp = tiers.length > 0 && tiers[0].kind === "haproxy" && tiers[0].nodes.length === 2;
    const lanes = [{ title: "clients", boxes: [{ kind: "clients" }] }];
    if (vrrp) lanes.push({ title: "VRRP address", boxes: [{ kind: "vip" }], vrrp: true });
    for (const t of tiers) {
      lanes.push({ title: t.name + (t.kind ? " (" + t.kind + ")" : ""), boxes: t.nodes.map((n) => ({ kind: "node", node: n })) });
    }
    const summary = "Topology: clients, then " + (vrrp ? "a VRRP address, then " : "") +
      tiers.map((t) => t.name + " (" + t.nodes.length + " node" + (t.nodes.length === 1 ? "" : "s") + ")").join(", then ");
    return [el("div", { class: "topology wide" }, topologySvg(lanes, struck, false, summary)),
            el("div", { class: "topology narrow" }, topologySvg(lanes, struck, true, summary))];
  }

  function topologySvg(lanes, struck, narrow, summary) {
    const boxW = narrow ? 104 : 124, boxH = 58, gap = 14, laneW = 150, headingH = 24;
    // Box positions: x, y of the top left corner; entry and exit points of arrows.
    let W, H, mid;
    if (!narrow) {
      const rows = Math.max(1, ...lanes.map((l) => l.boxes.length));
      W = lanes.length * laneW + 10;
      H = 40 + rows * (boxH + gap) + 4;
      mid = 40 + (rows * (boxH + gap) - gap) / 2;
      lanes.forEach((l, c) => {
        l.hx = 5 + c * laneW + laneW / 2;
        l.hy = 18;
        l.boxes.forEach((b, i) => {
          b.x = 5 + c * laneW + (laneW - boxW) / 2;
          b.y = 40 + i * (boxH + gap) + (rows - l.boxes.length) * (boxH + gap) / 2;
          b.in = [b.x, b.y + boxH / 2];
          b.out = [b.x + boxW, b.y + boxH / 2];
        });
      });
    } else {
      W = 360;
      const perLine = Math.floor((W - 10 + gap) / (boxW + gap));
      let y = 4;
      for (const l of lanes) {
        // Headings at the left margin, clear of the arrows down the middle.
        l.hx = 8;
        l.hy = y + 16;
        l.lines = Math.ceil(l.boxes.length / perLine);
        l.boxes.forEach((b, i) => {
          const line = Math.floor(i / perLine), inLine = Math.min(perLine, l.boxes.length - line * perLine);
          b.x = (W - (inLine * boxW + (inLine - 1) * gap)) / 2 + (i % perLine) * (boxW + gap);
          b.y = y + headingH + line * (boxH + gap);
          b.in = [b.x + boxW / 2, b.y];
          b.out = [b.x + boxW / 2, b.y + boxH];
        });
        y += headingH + l.lines * (boxH + gap) + 8;
      }
      H = y;
    }
    const g = svg("svg", { viewBox: "0 0 " + W + " " + H, width: W, height: H, role: "img",
                           "font-family": "sans-serif", "font-size": 12 });
    g.append(svg("title", {}, summary));
    g.append(svg("defs", {}, svg("marker", { id: "arrow" + (narrow ? "-n" : "-w"), viewBox: "0 0 10 10", refX: 9, refY: 5,
                                             markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
                                 svg("path", { d: "M0,0 L10,5 L0,10 z", fill: "#666" }))));
    const arrow = (a, b, dashed) => g.append(svg("line", { x1: a[0], y1: a[1], x2: b[0], y2: b[1], stroke: "#666",
                                                           "stroke-width": 1.5, "marker-end": "url(#arrow" + (narrow ? "-n" : "-w") + ")",
                                                           "stroke-dasharray": dashed ? "5 4" : null }));
    lanes.forEach((l, c) => {
      g.append(svg("text", { x: l.hx, y: l.hy, "text-anchor": narrow ? "start" : "middle", "font-weight": "bold" }, l.title));
      if (c === 0) return;
      // One arrow from each box of the previous lane to each box of this one
      // would be a thicket: arrows go to every node only from a single box,
      // and otherwise once, between the lanes' middles.
      const prev = lanes[c - 1];
      if (prev.boxes.length === 1 && (!narrow || l.lines === 1)) {
        l.boxes.forEach((b, i) => arrow(prev.boxes[0].out, b.in, prev.vrrp && i > 0));
      } else {
        const from = prev.boxes[Math.floor((prev.boxes.length - 1) / 2)].out, to = l.boxes[Math.floor((l.boxes.length - 1) / 2)].in;
        arrow(narrow ? [W / 2, from[1]] : [from[0], mid], narrow ? [W / 2, to[1]] : [to[0], mid]);
      }
    });
    for (const l of lanes) {
      for (const b of l.boxes) {
        const cx = b.x + boxW / 2, cy = b.y + boxH / 2;
        if (b.kind === "clients") {
          g.append(svg("rect", { x: b.x, y: b.y, width: boxW, height: boxH, rx: 8, fill: "#f6f6f4", stroke: "#999" }));
          g.append(svg("text", { x: cx, y: cy + 4, "text-anchor": "middle" }, "clients"));
        } else if (b.kind === "vip") {
          g.append(svg("rect", { x: b.x, y: b.y, width: boxW, height: boxH, rx: 8, fill: "#ffffff", stroke: "#333", "stroke-dasharray": "4 3" }));
          g.append(svg("text", { x: cx, y: cy - 4, "text-anchor": "middle" }, "virtual address"));
          g.append(svg("text", { x: cx, y: cy + 12, "text-anchor": "middle", fill: "#555" }, "keepalived pair"));
        } else {
          const n = b.node, hits = struck(n), ink = inkOn(n.cpu);
          const node = svg("g", { class: "node", "data-node": n.name, "data-failed": hits.length ? "true" : "false" });
          node.append(svg("title", {}, n.name + " on host " + n.host + ", CPU " + pct1(n.cpu) +
                          (hits.length ? "; faults: " + hits.join("; ") : "")));
          node.append(svg("rect", { x: b.x, y: b.y, width: boxW, height: boxH, rx: 6, fill: utilColor(n.cpu),
                                    stroke: hits.length ? "#D55E00" : "#444", "stroke-width": hits.length ? 3 : 1,
                                    "stroke-dasharray": hits.length ? "6 3" : null }));
          node.append(svg("text", { x: b.x + 8, y: b.y + 17, fill: ink, "font-weight": "bold" }, n.name));
          node.append(svg("text", { x: b.x + 8, y: b.y + 33, fill: ink }, "CPU " + pct1(n.cpu)));
          node.append(svg("text", { x: b.x + 8, y: b.y + 49, fill: ink, "font-size": 11 },
                          hits.length ? "✕ fault struck" : n.host !== n.name ? "on " + n.host : ""));
          g.append(node);
        }
      }
    }
    return g;
  }

  function topologyLegend() {
    const legend = el("div", { class: "legend-row" },
      el("span", {}, "CPU utilization of the node's host: "),
      ...[0, 0.25, 0.5, 0.75, 0.95].map((u) => el("span", {}, el("span", { class: "swatch", style: "background:" + utilColor(u) }),
                                                   (100 * u).toFixed(0) + "%")),
      el("span", {}, el("span", { class: "swatch", style: "border:2px dashed #D55E00" }), "a fault struck the node or its host"));
    return legend;
  }

  function runPage() {
    const run = data.run;
    const trace = data.trace;
    const reps = run.replications;
    const analysis = run.analysis;
    header("Run of " + run.scenario,
           "seed " + run.seed + ", " + (reps ? reps + " replications (mean with 95% interval)" : "replication " + run.replication) +
           ", " + num(val(run.duration_s), 0) + " s simulated of which " + num(val(run.warmup_s), 1) + " s warm-up" +
           (data.timeseries ? "; time series and trace from replication 0" : ""));

    const lat = run.latency_ms || {};
    const slo = run.slo || {};
    const sloLatency = val(slo.latency_ms);
    const headline = [
      card("throughput", num(val(run.throughput_rps), 1) + " requests/s", ciNote(run.throughput_rps, (v) => num(v, 1))),
      card("availability", pct(val(run.availability)), ciNote(run.availability, pct)),
      card("p50 latency", ms(val(lat.p50)) + " ms", ciNote(lat.p50, ms)),
      card("p99 latency", ms(val(lat.p99)) + " ms", ciNote(lat.p99, ms)),
      card("p99 over all finished", (get(run, "latency_all_ms.p99") === null && val(run.availability) !== null
                                        ? "fail" : ms(val(get(run, "latency_all_ms.p99"))) + " ms"),
           ciNote(get(run, "latency_all_ms.p99"), ms)),
      card("mean latency", ms(val(lat.mean)) + " ms", ciNote(lat.mean, ms)),
    ];
    if (sloLatency !== null) {
      headline.unshift(card("SLO attainment (within " + num(sloLatency, 0) + " ms)", pct(val(slo.attainment)),
                            ciNote(slo.attainment, pct)),
                       card("goodput", num(val(run.goodput_rps), 1) + " requests/s", ciNote(run.goodput_rps, (v) => num(v, 1))));
    }
    section("Summary", el("div", { class: "cards" }, headline));

    const nines = val(slo.nines);
    section("Availability",
      el("div", { class: "cards" },
        card("availability of requests", pct(val(run.availability)), ciNote(run.availability, pct)),
        card("time availability (SLO " + pct(val(slo.target)) + " per " + num(val(slo.window_s), 0) + " s window)",
             pct(val(slo.time_availability)), ciNote(slo.time_availability, pct)),
        card("nines", nines === null ? "no bad window" : num(nines, 2), ciNote(slo.nines, (v) => num(v, 2))),
        card("downtime", num(val(slo.downtime_min), 2) + " min", ciNote(slo.downtime_min, (v) => num(v, 2))),
        card("error budget consumed", pct1(val(slo.error_budget_consumed)), ciNote(slo.error_budget_consumed, pct1))),
      (run.faults && run.faults.length)
        ? table(["fault", "start (s)", "detected after (s)", "recovered after (s)", "requests failed"],
                run.faults.map((f) => [f.fault || NONE, withCi(f.start_s, (v) => num(v, 3)), withCi(f.detect_s, (v) => num(v, 3)),
                                       withCi(f.recover_s, (v) => num(v, 3)), withCi(f.failed, count)]),
                "Each fault: when it struck, how long until traffic moved, until it was repaired, and what it cost.")
        : el("p", {}, "No fault struck during the measured run."));

    section("Topology", ...topology(run, trace), topologyLegend());

    if (data.timeseries) timeSeries(run, data.timeseries, trace);
    else section("Over time", el("p", {}, "No time series in this report (the page was made from a run JSON without its --timeseries CSV)."));

    const latencyRows = [["over successes"].concat(["mean", "p50", "p90", "p99", "p999", "max"].map((k) => withCi(lat[k], ms)))];
    const all = run.latency_all_ms || {};
    latencyRows.push(["over all finished"].concat([NONE].concat(["p50", "p90", "p99", "p999"].map((k) =>
      all[k] === null && val(run.availability) !== null && val(run.availability) < 1 ? { text: "fail", cls: "bad" } : withCi(all[k], ms))), [NONE]));
    section("Latency (ms)",
      table(["requests", "mean", "p50", "p90", "p99", "p99.9", "max"], latencyRows,
            "Percentiles are within " + (100 * RESOLUTION).toFixed(2) + "% of the exact sample percentile and show only the digits that resolves; 'fail': the percentile falls among the failures."));

    const req = run.requests || {};
    const failedRows = Object.entries(req.failed || {}).filter(([, n]) => val(n) > 0).map(([k, n]) => [k, withCi(n, count)]);
    section("Requests",
      table(["", "requests"], [["offered", withCi(req.offered, count)], ["succeeded", withCi(req.succeeded, count)],
                              ["in flight at the end", withCi(req.in_flight, count)]].concat(
                                run.resilience ? [["retries", withCi(run.resilience.retries, count)]] : [])),
      failedRows.length ? table(["failure reason", "requests"], failedRows) : el("p", {}, "No request failed."));

    const classes = Object.entries(run.classes || {});
    if (classes.length) {
      section("Per class", table(["class", "offered", "availability", "throughput (requests/s)", "mean (ms)", "p50 (ms)", "p99 (ms)", "SLO attainment"],
        classes.map(([name, c]) => [name, withCi(get(c, "requests.offered"), count), withCi(c.availability, pct), withCi(c.throughput_rps, (v) => num(v, 1)),
                                    withCi(get(c, "latency_ms.mean"), ms), withCi(get(c, "latency_ms.p50"), ms),
                                    withCi(get(c, "latency_ms.p99"), ms), withCi(c.slo_attainment, pct)])));
    }
    const tiers = Object.entries(run.tiers || {});
    if (tiers.length) {
      section("Per tier: sojourn (ms)", table(["tier", "kind", "mean", "p50", "p99", "max"],
        tiers.map(([name, t]) => [name, { text: t.kind, cls: "text" }, withCi(get(t, "sojourn_ms.mean"), ms), withCi(get(t, "sojourn_ms.p50"), ms),
                                  withCi(get(t, "sojourn_ms.p99"), ms), withCi(get(t, "sojourn_ms.max"), ms)]),
        "From a request's arrival at a node of the tier to its response leaving it, calls to deeper tiers included."));
    }
    const nodes = Object.entries(run.nodes || {});
    if (nodes.length) {
      section("Per node", table(["node", "tier", "host", "CPU", "NIC", "disk", "mean requests at the node"],
        nodes.map(([name, n]) => [name, { text: n.tier, cls: "text" }, { text: n.host, cls: "text" }, withCi(n.cpu_utilization, pct1),
                                  withCi(n.nic_utilization, pct1), withCi(n.disk_utilization, pct1), withCi(n.queue_mean, (v) => num(v, 2))]),
        "Utilizations are of the node's host: co-located nodes show the same figures."));
    }
    if (analysis && Array.isArray(analysis.rows)) {
      const shown = (row, v) => v === null || v === undefined ? NONE
        : row.unit === "ms" ? num(v, 2) + " ms" : row.unit === "per_s" ? num(v, 1) + "/s" : pct(v);
      section("Analytic values beside the simulated ones",
        el("p", { class: "sub" }, "Method: " + analysis.method + ". Rows marked ! differ beyond the thresholds; the likely reasons follow."),
        table(["", "quantity", "analytic", "simulated", "difference", "likely reasons"],
          analysis.rows.map((r) => [r.name, { text: r.quantity, cls: "text" }, shown(r, r.analytic),
                                    withCi(r.simulated, (v) => shown(r, v)),
                                    { text: (r.highlight ? "! " : "") + (r.difference === null ? NONE : pct1(r.difference)), cls: r.highlight ? "bad" : null },
                                    { text: (r.reasons || []).map((x) => x.cause + ": " + x.detail).join("; ") || "", cls: "text" }])));
    }
    if (trace) {
      const list = el("div", { class: "trace", tabindex: "0", "aria-label": "fault timeline" },
                      trace.length ? trace.map(([t, text]) => el("div", { "data-t": t }, traceLine(t, text))) : "no fault events");
      section("Fault timeline (replication 0)", list);
    }
    footer("Run of " + run.scenario + ".");
  }

  // A logarithmic axis when the positive values span a factor of 20 or more.
  function spread(...lists) {
    const values = lists.flat().filter((v) => isFinite(v) && v > 0);
    return values.length > 0 && Math.max(...values) / Math.min(...values) >= 20;
  }

  function timeSeries(run, ts, trace) {
    const col = {};
    ts.columns.forEach((name, i) => { col[name] = ts.data[i]; });
    const t = col.time_s || [];
    const n = t.length;
    const duration = val(run.duration_s) || (n ? t[n - 1] + (n > 1 ? t[1] - t[0] : 1) : 1);
    const scale = duration > 2 * 86400 ? { div: 86400, unit: "days" } : duration > 1200 ? { div: 60, unit: "min" } : { div: 1, unit: "s" };
    const x = t.map((v) => v / scale.div);
    const widths = t.map((v, i) => (i + 1 < n ? t[i + 1] : duration) - v);
    const rate = (values) => values.map((v, i) => (widths[i] > 0 ? v / widths[i] : null));
    const xLabel = "simulated time (" + scale.unit + ")";
    const warmup = val(run.warmup_s);
    const shade = warmup ? [0, warmup / scale.div] : null;
    const markers = (trace || []).map(([tt, text]) => {
      const k = traceKind(text);
      return { x: tt / scale.div, color: k.color, dash: k.dash, glyph: k.glyph, text: traceLine(tt, text), t: tt };
    });
    const highlight = (near) => {
      // The timeline list, drawn after the charts.
      const list = document.querySelector(".trace");
      if (!list) return;
      for (const line of list.children) {
        line.classList.toggle("hit", near.some((m) => String(m.t) === line.dataset.t));
      }
    };
    const merged = ts.merged > 1 ? " Each point merges " + ts.merged + " windows (counts add up; latency, in flight and CPU show the larger, healthy nodes the fewer)." : "";
    const s = section("Over time",
      el("p", { class: "sub" }, "Per window of replication 0, warm-up shaded." + merged +
         (trace ? " Vertical lines mark the fault timeline; hover near one to read its line." : "")),
      trace ? el("div", { class: "legend-row" }, TRACE_KINDS.map((k) =>
        el("span", {}, el("span", { class: "swatch", style: "background:" + k.color }), k.glyph + " " + k.label))) : null);
    const grid = el("div", { class: "charts" });
    s.append(grid);
    const common = { x: x, xLabel: xLabel, shade: shade, markers: markers, onMarkers: highlight, xFormat: (v) => num(v, scale.div === 1 ? 1 : 2) };
    chart(grid, Object.assign({}, common, {
      title: "Throughput", yLabel: "requests/s",
      series: [{ label: "succeeded/s", values: rate(col.succeeded || []) }, { label: "offered/s", values: rate(col.offered || []), dash: [6, 3] }],
      yFormat: (v) => num(v, 1) }));
    const zeroToNull = (values, ok) => values.map((v, i) => (ok[i] > 0 ? v : null));
    chart(grid, Object.assign({}, common, {
      title: "Latency of the successes ending in each window", yLabel: "ms", yLog: spread(col.p99_ms || [], col.p50_ms || []),
      series: [{ label: "p50", values: zeroToNull(col.p50_ms || [], col.succeeded || []) },
               { label: "p99", values: zeroToNull(col.p99_ms || [], col.succeeded || []), dash: [6, 3] }],
      yFormat: (v) => num(v, 2) + " ms" }));
    const reasons = ts.columns.filter((c) => c.startsWith("failed_") && col[c].some((v) => v > 0));
    if (reasons.length) {
      chart(grid, Object.assign({}, common, {
        title: "Failures by reason", yLabel: "failed requests/s",
        series: reasons.map((r, i) => ({ label: r.slice(7), values: rate(col[r]), dash: DASHES[i % DASHES.length] })),
        yFormat: (v) => num(v, 1) }));
    } else {
      grid.append(el("div", { class: "chart-box" }, el("h3", {}, "Failures by reason"), el("p", {}, "No request failed in any window.")));
    }
    chart(grid, Object.assign({}, common, {
      title: "Requests in flight", yLabel: "requests",
      series: [{ label: "in flight", values: col.in_flight || [] }], yFormat: count }));
    const healthy = ts.columns.filter((c) => c.startsWith("healthy_"));
    if (healthy.length) {
      chart(grid, Object.assign({}, common, {
        title: "Healthy nodes per tier", yLabel: "nodes answering",
        series: healthy.map((h, i) => ({ label: h.slice(8), values: col[h], dash: DASHES[i % DASHES.length] })), yFormat: count }));
    }
  }

  // ------------------------------------------------------------ compare

  const METRIC_NAMES = {
    "latency_ms.mean": "mean latency", "latency_ms.p50": "p50 latency", "latency_ms.p90": "p90 latency",
    "latency_ms.p99": "p99 latency", "latency_ms.p999": "p99.9 latency", "throughput_rps": "throughput",
    "availability": "availability", "slo.time_availability": "time availability",
    "latency_all_ms.p50": "p50 over all finished", "latency_all_ms.p90": "p90 over all finished",
    "latency_all_ms.p99": "p99 over all finished", "latency_all_ms.p999": "p99.9 over all finished",
    "slo.attainment": "SLO attainment", "goodput_rps": "goodput",
  };
  // How a metric shows: its unit, the axis label and the text format.
  function metricStyle(name) {
    if (name.startsWith("latency")) return { unit: "ms", axis: "ms", format: ms, scale: 1 };
    if (name.endsWith("_rps")) return { unit: "requests/s", axis: "requests/s", format: (v) => num(v, 1), scale: 1 };
    if (name.endsWith("utilization")) return { unit: "%", axis: "% busy", format: pct1, scale: 100 };
    if (name === "availability" || name.startsWith("slo.")) return { unit: "%", axis: "%", format: pct, scale: 100 };
    return { unit: "", axis: "value", format: (v) => num(v), scale: 1 };
  }
  function metricTitle(name) {
    if (METRIC_NAMES[name]) return METRIC_NAMES[name];
    const m = /^nodes\.(.+)\.(cpu|nic|disk)_utilization$/.exec(name);
    return m ? m[1] + " " + m[2].toUpperCase() : name;
  }
  function diffText(style, d) {
    if (!d) return NONE;
    const f = style.scale === 100 ? (v) => (v >= 0 ? "+" : "") + (100 * v).toFixed(3) + " points" : (v) => (v >= 0 ? "+" : "") + style.format(v);
    const interval = Array.isArray(d.ci95) ? " [" + f(d.ci95[0]) + ", " + f(d.ci95[1]) + "]" : "";
    return f(d.value) + interval + (d.significant ? " *" : "");
  }

  function comparePage() {
    const cmp = data.compare;
    const scenarios = cmp.scenarios || [];
    const names = scenarios.map((s) => s.scenario);
    header("Comparison of " + names.join(", "),
           (cmp.seed !== undefined ? "seed " + cmp.seed + ", " : "") +
           (cmp.replications !== undefined ? cmp.replications + " replications on the same requests (common random numbers), " : "") +
           (cmp.duration_s !== undefined ? num(cmp.duration_s, 0) + " s simulated, " + num(cmp.warmup_s, 1) + " s warm-up; " : "") +
           "differences against " + (cmp.baseline || names[0]) + " with their 95% intervals, * where significant.");
    const metricNames = [];
    for (const s of scenarios) for (const m of Object.keys(s.metrics || {})) if (!metricNames.includes(m)) metricNames.push(m);
    const headline = metricNames.filter((m) => !m.startsWith("nodes."));
    const nodeMetrics = metricNames.filter((m) => m.startsWith("nodes."));
    const sloFirst = headline[0] === "slo.attainment";
    const s = section(sloFirst ? "Metrics (the latency objective's attainment first)" : "Metrics",
      el("p", { class: "sub" }, "Left: each design's value with its 95% interval. Right: its paired difference from " +
         names[0] + " with the difference's own interval; the line marks no difference."));
    const grid = el("div", { class: "charts" });
    s.append(grid);
    const idx = scenarios.map((_, i) => i);
    // A percentile over all finished requests that falls among the failures
    // has no value: it reads "fail", as in compare's table.
    const failing = (sc, m) => m.startsWith("latency_all") && val(sc.metrics[m]) === null &&
                               val(sc.metrics.availability) !== null && val(sc.metrics.availability) < 1;
    const shown = (sc, m, format) => (failing(sc, m) ? "fail" : withCi(sc.metrics[m], format));
    const textOnly = (box, title, text) => box.append(el("div", { class: "chart-box" }, el("h3", {}, title), el("p", {}, text)));
    for (const m of headline) {
      const style = metricStyle(m);
      const own = scenarios.map((sc) => get(sc, "metrics")[m]);
      const sc = (v) => (v === null || v === undefined ? null : v * style.scale);
      const box = el("div", { class: "chart-box" });
      grid.append(box);
      const values = own.map((x) => sc(val(x)));
      const valueNote = names.map((n, i) => n + ": " + shown(scenarios[i], m, style.format)).join("; ");
      if (values.every((v) => v === null)) {
        textOnly(box, metricTitle(m) + " (" + style.unit + ")", valueNote);
        continue;
      }
      chart(box, { title: metricTitle(m) + " (" + style.unit + ")", xLabel: "design", yLabel: style.axis, x: idx, categories: names,
                   whiskers: true, series: [{ label: metricTitle(m), values: values, lo: own.map((x) => sc(ci(x) ? ci(x)[0] : null)),
                                              hi: own.map((x) => sc(ci(x) ? ci(x)[1] : null)) }],
                   yFormat: (v) => style.format(v / style.scale),
                   note: valueNote });
      if (scenarios.length > 1) {
        const diffs = scenarios.slice(1).map((sc2) => (sc2.difference || {})[m] || null);
        const dv = diffs.map((d) => (d ? sc(d.value) : null));
        const diffTitle = metricTitle(m) + ": difference from " + names[0] + " (" + style.unit + (style.scale === 100 ? " points" : "") + ")";
        if (dv.every((v) => v === null)) {
          textOnly(box, diffTitle, "No paired difference: " + (failing(scenarios[0], m) ? names[0] + "'s is 'fail'." : "a design has no value."));
          continue;
        }
        chart(box, { title: diffTitle,
                     xLabel: "design", yLabel: style.axis, x: idx.slice(1).map((i) => i - 1), categories: names.slice(1), whiskers: true, zero: true,
                     series: [{ label: "difference", values: dv, color: PALETTE[1],
                                lo: diffs.map((d) => (d && d.ci95 ? sc(d.ci95[0]) : null)), hi: diffs.map((d) => (d && d.ci95 ? sc(d.ci95[1]) : null)) }],
                     note: names.slice(1).map((n, i) => n + ": " + diffText(style, diffs[i])).join("; ") });
      }
    }
    const rows = [];
    for (const m of metricNames) {
      const style = metricStyle(m);
      scenarios.forEach((sc, i) => {
        const d = (sc.difference || {})[m];
        rows.push([i === 0 ? metricTitle(m) + (style.unit ? " (" + style.unit + ")" : "") : "", { text: sc.scenario, cls: "text" },
                   failing(sc, m) ? { text: "fail", cls: "bad" } : withCi(sc.metrics[m], style.format), i === 0 ? "baseline" : { text: diffText(style, d), cls: d && d.significant ? "bad" : null }]);
      });
    }
    section("Table", table(["metric", "design", "value [95% interval]", "difference from " + names[0]], rows,
                           nodeMetrics.length ? "Node metrics are in the table only." : null));
    footer("Comparison of " + names.join(", ") + ".");
  }

  // ------------------------------------------------------------ sweep

  function isNumber(v) {
    return typeof v === "number" && isFinite(v);
  }

  // The knee, as notebooks/load_sweep.ipynb defines it: the first point whose
  // p99 over all finished requests is confidently more than twice its value
  // at the lowest point (the interval's lower end above 2x), or is 'fail'.
  function knee(points, metric) {
    if (points.length === 0) return null;
    const base = points[0].m[metric];
    if (!isNumber(base)) return null;
    for (const p of points) {
      const v = p.m[metric], lo = p.m[metric + "_lo"];
      const failing = v === null && isNumber(p.m.availability) && p.m.availability < 1;
      // Without an interval (one replication) the estimate itself decides.
      const confident = isNumber(lo) ? lo : v;
      if (failing || (isNumber(confident) && confident > 2 * base)) return { x: p.x, value: v, failing: failing };
    }
    return null;
  }

  function sweepPage() {
    const sweeps = data.sweeps;
    const first = sweeps[0];
    const keys = first.columns.slice(0, first.columns.indexOf("replications"));
    const metricCols = first.columns.filter((c, i) => i > keys.length + 1 && c !== "settings" && !c.endsWith("_lo") && !c.endsWith("_hi"));
    const records = [];
    for (const sw of sweeps) {
      for (const row of sw.rows) {
        const r = { sweep: sw.name, k: {}, m: {} };
        sw.columns.forEach((c, i) => { if (i < keys.length) r.k[c] = row[i]; else r.m[c] = row[i]; });
        records.push(r);
      }
    }
    const asNumber = (v) => (typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" && isFinite(+v) ? +v : null);
    // The x axis: the numeric key with the most distinct values (the last on a tie).
    let xKey = null, best = 0;
    for (const k of keys) {
      const vs = records.map((r) => asNumber(r.k[k]));
      if (vs.some((v) => v === null)) continue;
      const distinct = new Set(vs).size;
      if (distinct >= best) { best = distinct; xKey = k; }
    }
    const categorical = xKey === null;
    if (categorical) xKey = keys[keys.length - 1];
    const xCats = categorical ? [...new Set(records.map((r) => String(r.k[xKey])))] : null;
    for (const r of records) r.x = categorical ? xCats.indexOf(String(r.k[xKey])) : asNumber(r.k[xKey]);
    const others = keys.filter((k) => k !== xKey);
    const groupOf = (r) => [sweeps.length > 1 ? r.sweep : null].concat(others.map((k) => k + "=" + r.k[k])).filter((g) => g).join(", ") || "sweep";
    const groups = new Map();
    for (const r of records) {
      const g = groupOf(r);
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g).push(r);
    }
    for (const pts of groups.values()) pts.sort((a, b) => a.x - b.x);
    const xs = [...new Set(records.map((r) => r.x))].sort((a, b) => a - b);
    const xLog = !categorical && xs[0] > 0 && xs[xs.length - 1] / xs[0] >= 20;
    const xLabel = (data.xLabels && data.xLabels[xKey]) || xKey;
    header("Sweep of " + keys.join(" × "),
           sweeps.map((s) => s.name).join(", ") + ": " + records.length + " points; " +
           (groups.size > 1 ? "one line per " + [sweeps.length > 1 ? "file" : null].concat(others).filter((x) => x).join(" and ") + " value" : "one line") +
           ", bands are 95% intervals over replications; dotted vertical lines mark each line's knee.");

    const kneeMetric = metricCols.includes("latency_all_ms.p99") ? "latency_all_ms.p99" : "latency_ms.p99";
    const knees = new Map();
    for (const [g, pts] of groups) knees.set(g, knee(pts, kneeMetric));
    const groupNames = [...groups.keys()];
    const kneeMarkers = groupNames.map((g, i) => knees.get(g) ? { x: knees.get(g).x, color: PALETTE[i % PALETTE.length], dash: [2, 3], width: 2,
                                                                    text: g + ": knee at " + (categorical ? xCats[knees.get(g).x] : knees.get(g).x) } : null).filter((m) => m);
    section("Knees",
      el("p", { class: "sub" }, "The knee: the first point whose " + metricTitle(kneeMetric) +
         " is confidently more than twice its value at the lowest point (its interval's lower end above 2×), or is 'fail' (more than 1% of the requests failed)."),
      table(["line", "knee at " + xKey, metricTitle(kneeMetric) + " there (ms)"],
            groupNames.map((g) => {
              const k = knees.get(g);
              return [g, k ? (categorical ? xCats[k.x] : num(k.x, Number.isInteger(k.x) ? 0 : 2)) : "none within the sweep",
                      k ? (k.failing ? { text: "fail", cls: "bad" } : ms(k.value)) : NONE];
            })));
    const s = section("Metrics against " + xKey);
    const grid = el("div", { class: "charts" });
    s.append(grid);
    const headline = metricCols.filter((m) => !m.startsWith("nodes.") && m !== "warmup_s");
    for (const m of headline) {
      const style = metricStyle(m);
      const sc = (v) => (isNumber(v) ? v * style.scale : null);
      const series = groupNames.map((g, i) => {
        const byX = new Map(groups.get(g).map((r) => [r.x, r]));
        const pick = (col) => xs.map((xv) => (byX.has(xv) ? sc(byX.get(xv).m[col]) : null));
        return { label: g, values: pick(m), lo: pick(m + "_lo"), hi: pick(m + "_hi"), dash: DASHES[i % DASHES.length] };
      });
      const flat = series.flatMap((x) => x.values).filter(isNumber);
      if (flat.length === 0) continue;
      const yLog = style.unit === "ms" && Math.min(...flat) > 0 && Math.max(...flat) / Math.min(...flat) >= 20;
      chart(grid, { title: metricTitle(m) + " (" + style.unit + ")", xLabel: xLabel, yLabel: style.axis, x: xs, xLog: xLog, yLog: yLog,
                    categories: categorical ? xCats : null, series: series, markers: kneeMarkers, points: true,
                    yFormat: (v) => style.format(v / style.scale) });
    }
    const cols = [xKey].concat(groups.size > 1 ? ["line"] : []).concat(headline.map((m) => metricTitle(m) + " (" + metricStyle(m).unit + ")"));
    const rows = [];
    for (const g of groupNames) {
      for (const r of groups.get(g)) {
        rows.push([String(r.k[xKey])].concat(groups.size > 1 ? [{ text: g, cls: "text" }] : []).concat(headline.map((m) => {
          const style = metricStyle(m);
          const v = r.m[m];
          if (v === null && m.startsWith("latency_all") && isNumber(r.m.availability) && r.m.availability < 1) return { text: "fail", cls: "bad" };
          const lo = r.m[m + "_lo"], hi = r.m[m + "_hi"];
          return style.format(v) + (isNumber(lo) ? " [" + style.format(lo) + ", " + style.format(hi) + "]" : "");
        })));
      }
    }
    section("Table", table(cols, rows, "Each point's value with its 95% interval; node metrics are in the sweep file."));
    footer("Sweep of " + keys.join(" × ") + ".");
  }

  if (data.kind === "run") runPage();
  else if (data.kind === "compare") comparePage();
  else if (data.kind === "sweep") sweepPage();
  else throw new Error("unknown report kind " + data.kind);
})();
