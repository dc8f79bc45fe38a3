// Browser test of tiersim's HTML reports (docs/html.md): makes a page of one
// kind with `tiersim run|compare|sweep --html` and the same page again with
// `tiersim report` from the saved JSON/CSV, opens both in headless chromium
// and fails on any console error or uncaught exception, any network request
// beyond the page itself, an empty chart (no data, or none of its series'
// colour on the canvas), the key numbers of the JSON missing from the page's
// text, or a page wider than a phone's screen.
//
//   node tests/html/test_html.mjs run|compare|sweep [--screenshot FILE.png]
//
// Environment: TIERSIM_BIN (the binary), TIERSIM_SOURCE_ROOT (for
// scenarios/), CHROMIUM (default: chromium). --screenshot keeps a 1280x800
// picture of the command's page (docs/screenshots/).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Browser } from "./cdp.mjs";

const kind = process.argv[2];
const shotAt = process.argv.indexOf("--screenshot");
const screenshot = shotAt > 0 ? resolve(process.argv[shotAt + 1]) : null;
const bin = process.env.TIERSIM_BIN;
const root = process.env.TIERSIM_SOURCE_ROOT;
if (!["run", "compare", "sweep"].includes(kind) || !bin || !root) {
  console.error("usage: TIERSIM_BIN=... TIERSIM_SOURCE_ROOT=... node test_html.mjs run|compare|sweep [--screenshot F]");
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), "tiersim-html-"));
const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); };

// The page's number formats (report/html/page.js), written out again here so
// that a change of either is caught.
function ms(v) {
  const step = v * 0.0078125;
  return v.toFixed(step > 0 ? Math.min(3, Math.max(0, -Math.floor(Math.log10(step)))) : 3);
}
function pct(v) {
  return v >= 1 ? "100.000%" : (Math.min(99999, Math.floor(v * 1e5 + 1e-6)) / 1000).toFixed(3) + "%";
}
const value = (x) => (x !== null && typeof x === "object" ? x.value : x);

function tiersim(args) {
  const done = spawnSync(bin, args, { cwd: root, timeout: 240000, encoding: "utf8", maxBuffer: 64 << 20 });
  if (done.status !== 0) throw new Error("tiersim " + args.join(" ") + " failed (" + done.status + "): " + done.stderr);
  return done;
}

// What the page shows, read in the page.
const PROBE = `(() => {
  const r = window.tiersimReport;
  const hex = (c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
  const charts = (r ? r.charts : []).map((c) => {
    const canvas = c.target.querySelector("canvas");
    const colors = c.uplot.series.slice(1).map((s) => s._stroke || s.stroke).filter((s) => typeof s === "string" && s.startsWith("#") && s.toLowerCase() !== "#000000").map(hex);
    let inked = 0;
    if (canvas && canvas.width > 0 && canvas.height > 0) {
      const px = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
      const skip = c.markerColumns();
      for (let i = 0; i < px.length; i += 4) {
        if (px[i + 3] < 200) continue;
        const x = (i / 4) % canvas.width;
        if (skip.some((m) => Math.abs(x - m) <= 4)) continue;
        if (colors.some(([r2, g, b]) => Math.abs(px[i] - r2) < 40 && Math.abs(px[i + 1] - g) < 40 && Math.abs(px[i + 2] - b) < 40)) inked++;
      }
    }
    return { title: c.title, points: c.points, values: c.values, inked, width: canvas ? canvas.width : 0 };
  });
  // The topology drawing shown at this width.
  const nodes = [...document.querySelectorAll("svg g.node")].filter((g) => g.getBoundingClientRect().width > 0).map((g) => ({ name: g.dataset.node, failed: g.dataset.failed === "true" }));
  return { kind: r && r.kind, text: document.body.innerText, charts, nodes,
           scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth };
})()`;

async function openPage(browser, file, label, shot) {
  const { targetId } = await browser.send("Target.createTarget", { url: "about:blank" });
  const { sessionId } = await browser.send("Target.attachToTarget", { targetId, flatten: true });
  const errors = [];
  const requests = [];
  const url = pathToFileURL(file).href;
  browser.on((m) => {
    if (m.sessionId !== sessionId) return;
    if (m.method === "Runtime.exceptionThrown") errors.push("exception: " + JSON.stringify(m.params.exceptionDetails));
    if (m.method === "Runtime.consoleAPICalled" && ["error", "assert", "warning"].includes(m.params.type)) {
      errors.push("console." + m.params.type + ": " + m.params.args.map((a) => a.value ?? a.description).join(" "));
    }
    if (m.method === "Log.entryAdded" && m.params.entry.level === "error") errors.push("log: " + m.params.entry.text);
    if (m.method === "Network.requestWillBeSent" && m.params.request.url !== url) requests.push(m.params.request.url);
  });
  for (const domain of ["Runtime", "Log", "Page", "Network"]) await browser.send(domain + ".enable", {}, sessionId);
  const metrics = (width, height, mobile) =>
    browser.send("Emulation.setDeviceMetricsOverride", { width, height, deviceScaleFactor: 1, mobile }, sessionId);
  const probe = async () => (await browser.send("Runtime.evaluate", { expression: PROBE, returnByValue: true }, sessionId)).result.value;
  const settle = (ms) => new Promise((r) => setTimeout(r, ms));

  await metrics(1280, 800, false);
  const loaded = browser.waitFor("Page.loadEventFired", sessionId);
  await browser.send("Page.navigate", { url }, sessionId);
  await loaded;
  await settle(300);
  const wide = await probe();
  if (shot) {
    const { data } = await browser.send("Page.captureScreenshot", { format: "png" }, sessionId);
    writeFileSync(shot, Buffer.from(data, "base64"));
    // A run's charts are below the fold: a second picture, FILE-charts.png, from the first chart grid on.
    if (kind === "run") {
      const top = await browser.send("Runtime.evaluate", { returnByValue: true,
        expression: "document.querySelector('.charts').closest('section').getBoundingClientRect().top + scrollY" }, sessionId);
      const clip = { x: 0, y: Math.max(0, top.result.value - 10), width: 1280, height: 800, scale: 1 };
      const charts = await browser.send("Page.captureScreenshot", { format: "png", clip, captureBeyondViewport: true }, sessionId);
      writeFileSync(shot.replace(/\.png$/, "-charts.png"), Buffer.from(charts.data, "base64"));
    }
  }
  // Hovering over the first chart's first marker shows its timeline line under the chart.
  let hover = null;
  if (kind === "run" && wide && wide.charts.length && (await browser.send("Runtime.evaluate", { returnByValue: true,
      expression: "window.tiersimReport.charts[0].markers.length" }, sessionId)).result.value > 0) {
    const at = (await browser.send("Runtime.evaluate", { returnByValue: true, expression: `(() => {
      const c = window.tiersimReport.charts[0];
      c.target.scrollIntoView({ block: "center" });
      const r = c.target.querySelector(".u-over").getBoundingClientRect();
      return { x: r.left + c.uplot.valToPos(c.markers[0].x, "x"), y: r.top + r.height / 2, text: c.markers[0].text };
    })()` }, sessionId)).result.value;
    await browser.send("Input.dispatchMouseEvent", { type: "mouseMoved", x: at.x, y: at.y }, sessionId);
    await settle(200);
    const note = (await browser.send("Runtime.evaluate", { returnByValue: true,
      expression: "window.tiersimReport.charts[0].note.textContent" }, sessionId)).result.value;
    hover = { expected: at.text, note };
  }
  // A phone: 390 px wide; the charts redraw on resize.
  // Not emulated as mobile: a mobile viewport would zoom out to fit an overflowing page and hide the overflow.
  await metrics(390, 844, false);
  // The charts redraw 100 ms after the last resize event: wait until they
  // fit (a loaded machine may take longer), at most 10 s, then look.
  for (let waited = 0; waited < 10000; waited += 100) {
    await settle(100);
    const fits = await browser.send("Runtime.evaluate", { returnByValue: true, expression:
      "document.documentElement.scrollWidth <= innerWidth + 1 && (window.tiersimReport ? window.tiersimReport.charts : []).every((c) => c.target.getBoundingClientRect().width <= innerWidth && c.uplot.width <= innerWidth)" }, sessionId);
    if (fits.result.value) break;
  }
  await settle(200);
  const narrow = await probe();
  if (kind === "run" && wide && narrow) {
    check(narrow.nodes.length === wide.nodes.length, label + " at 390 px: the topology shows " + narrow.nodes.length + " nodes, at 1280 " + wide.nodes.length);
  }
  await browser.send("Target.closeTarget", { targetId });

  check(errors.length === 0, label + ": console errors: " + errors.join("; "));
  check(requests.length === 0, label + ": the page fetched " + requests.join(", "));
  check(wide && wide.kind === kind, label + ": the page's script did not run (kind " + (wide && wide.kind) + ")");
  if (hover) check(hover.note.includes(hover.expected), label + ": hovering over a marker shows " + JSON.stringify(hover.note) +
                   ", not " + JSON.stringify(hover.expected));
  if (kind === "run") check(hover !== null, label + ": no chart with timeline markers to hover over");
  for (const [when, p] of [["1280x800", wide], ["390 px", narrow]]) {
    if (!p) continue;
    check(p.charts.length > 0, label + " at " + when + ": no chart");
    for (const c of p.charts) {
      check(c.points > 0 && c.values > 0, label + " at " + when + ": chart '" + c.title + "' has no data");
      check(c.inked >= 10, label + " at " + when + ": chart '" + c.title + "' draws none of its series (" + c.inked + " pixels)");
    }
    check(p.scrollWidth <= p.innerWidth + 1, label + " at " + when + ": the page is " + p.scrollWidth + " px wide in a " + p.innerWidth + " px window");
  }
  return wide;
}

// Each text must appear; a number as a whole number ("71.8" is not in "71.80" or "171.8").
function expectText(page, label, texts) {
  for (const t of texts) {
    const escaped = t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const found = /^[0-9.,%]+$/.test(t) ? new RegExp("(^|[^0-9.])" + escaped + "(?![0-9])").test(page.text) : page.text.includes(t);
    check(found, label + ": the page does not show " + JSON.stringify(t));
  }
}

async function main() {
  const browser = new Browser();
  try {
    const f = (name) => join(work, name);
    if (kind === "run") {
      // A web server's crash and the active balancer's (a VRRP failover), each repaired, at a third of the load.
      const args = ["run", "scenarios/drills/3-scale-up-drills.yaml", "--duration", "4m", "--set",
                    "faults=[{at: 1m, crash: web1, repair_after: 1m}, {at: 2m30s, crash: lb1, repair_after: 1m}]",
                    "--set", "workload.arrivals=poisson(200/s)", "--set", "run.warmup=20s", "--analyze",
                    "--format", "json", "-o", f("run.json"), "--timeseries", f("ts.csv"), "--html", f("run.html"),
                    "--trace-faults"];
      // The --trace-faults timeline is on stderr.
      const done = tiersim(args);
      writeFileSync(f("trace.txt"), done.stderr);
      tiersim(["report", f("run.json"), f("ts.csv"), f("trace.txt"), "--html", f("report.html")]);
      const run = JSON.parse(readFileSync(f("run.json"), "utf8"));
      const firstTrace = done.stderr.split("\n")[0].trim();
      for (const [file, label] of [[f("run.html"), "run --html"], [f("report.html"), "report"]]) {
        const page = await openPage(browser, file, label, file === f("run.html") ? screenshot : null);
        expectText(page, label, [run.scenario, ms(value(run.latency_ms.p99)), ms(value(run.latency_ms.p50)),
                                 pct(value(run.availability)), firstTrace]);
        check(page.nodes.length === Object.keys(run.nodes).length,
              label + ": the topology has " + page.nodes.length + " nodes, the run " + Object.keys(run.nodes).length);
        for (const name of ["web1", "lb1"]) {
          check(page.nodes.some((n) => n.name === name && n.failed), label + ": " + name + "'s crash is not marked");
        }
        check(page.nodes.some((n) => !n.failed), label + ": every node is marked failed");
        check(page.charts.length >= 4, label + ": " + page.charts.length + " charts, expected throughput, latency, failures, in flight");
        check(page.text.includes("Analytic values"), label + ": no analytic values (--analyze)");
      }
      // With replications every number is an estimate with its interval.
      tiersim(args.slice(0, 8).concat(["--replications", "2", "--format", "json", "-o", f("reps.json"),
                                       "--html", f("reps.html")]));
      const reps = JSON.parse(readFileSync(f("reps.json"), "utf8"));
      const page = await openPage(browser, f("reps.html"), "run --replications 2", null);
      const p99 = reps.latency_ms.p99;
      expectText(page, "run --replications 2", [ms(p99.value), ms(p99.ci95[0]), ms(p99.ci95[1]), pct(reps.availability.value)]);
    } else if (kind === "compare") {
      // At 1500 requests/s stage 0 is past its knee (README): its p99 over all finished requests is 'fail'.
      const common = ["compare", "scenarios/0-simple-web-stack.yaml", "scenarios/1-distributed.yaml", "--duration", "40s",
                      "--set", "run.warmup=5s", "--set", "workload.arrivals=poisson(1500/s)", "--replications", "3"];
      tiersim(common.concat(["--format", "json", "-o", f("cmp.json"), "--html", f("cmp.html")]));
      tiersim(common.concat(["--format", "csv", "-o", f("cmp.csv")]));
      tiersim(["report", f("cmp.csv"), "--html", f("report.html")]);
      const cmp = JSON.parse(readFileSync(f("cmp.json"), "utf8"));
      for (const [file, label] of [[f("cmp.html"), "compare --html"], [f("report.html"), "report"]]) {
        const page = await openPage(browser, file, label, file === f("cmp.html") ? screenshot : null);
        for (const s of cmp.scenarios) {
          expectText(page, label, [s.scenario, ms(value(s.metrics["latency_ms.p99"])), pct(value(s.metrics.availability))]);
        }
        const headline = Object.keys(cmp.scenarios[0].metrics).filter((m) => !m.startsWith("nodes."));
        // A value chart and a difference chart per headline metric, but where
        // nothing has a value: the baseline's 'fail' percentiles have no difference.
        const noDifference = headline.filter((m) => cmp.scenarios.slice(1).every((s) => !s.difference[m] || s.difference[m].value === null)).length;
        check(noDifference > 0, label + ": expected a 'fail' percentile at 1500/s");
        check(page.charts.length === 2 * headline.length - noDifference,
              label + ": " + page.charts.length + " charts for " + headline.length + " metrics, " + noDifference + " without a difference");
        expectText(page, label, ["fail", "No paired difference: " + cmp.scenarios[0].scenario + "'s is 'fail'."]);
        if (cmp.scenarios[0].metrics["slo.attainment"]) {
          check(page.charts[0].title.startsWith("SLO attainment"), label + ": the first chart is " + page.charts[0].title);
        }
      }
    } else {
      tiersim(["sweep", "scenarios/0-simple-web-stack.yaml", "--vary", "workload.arrivals=poisson({300,900,1800,3600}/s)",
               "--duration", "20s", "--set", "run.warmup=4s", "--replications", "2", "-o", f("sweep.csv"), "--html", f("sweep.html")]);
      tiersim(["report", f("sweep.csv"), "--html", f("report.html")]);
      const lines = readFileSync(f("sweep.csv"), "utf8").trim().split("\n");
      const header = lines[0].split(",");
      const p99 = header.indexOf("latency_ms.p99");
      for (const [file, label] of [[f("sweep.html"), "sweep --html"], [f("report.html"), "report"]]) {
        const page = await openPage(browser, file, label, file === f("sweep.html") ? screenshot : null);
        for (const line of lines.slice(1)) expectText(page, label, [ms(Number(line.split(",")[p99]))]);
        check(page.charts.length >= 8, label + ": " + page.charts.length + " charts");
        check(page.text.includes("Knees"), label + ": no knee table");
      }
      // The unit of the varied key shows where the command knows its template.
      const page = await openPage(browser, f("sweep.html"), "sweep --html", null);
      expectText(page, "sweep --html", ["poisson(x/s)"]);
      // Two keys, as JSONL: the rate on the x axis, a line per seed, each with its knee.
      tiersim(["sweep", "scenarios/0-simple-web-stack.yaml", "--vary", "workload.arrivals=poisson({300,900,1800,3600}/s)",
               "--vary", "run.seed=1,2", "--format", "jsonl", "--duration", "10s", "--set", "run.warmup=2s",
               "--replications", "2", "-o", f("grid.jsonl"), "--html", f("grid.html")]);
      tiersim(["report", f("grid.jsonl"), "--html", f("grid-report.html")]);
      const rows = readFileSync(f("grid.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
      for (const [file, label] of [[f("grid.html"), "sweep --vary x2"], [f("grid-report.html"), "report grid.jsonl"]]) {
        const grid = await openPage(browser, file, label, null);
        expectText(grid, label, ["run.seed=1", "run.seed=2"].concat(rows.map((r) => ms(r["latency_ms.p99"]))));
      }
    }
  } finally {
    await browser.close();
    rmSync(work, { recursive: true, force: true });
  }
  if (failures.length) {
    console.error(failures.join("\n"));
    process.exit(1);
  }
  console.log("ok: " + kind + " pages");
}

main().catch((e) => {
  console.error(e.stack || String(e));
  rmSync(work, { recursive: true, force: true });
  process.exit(1);
});
