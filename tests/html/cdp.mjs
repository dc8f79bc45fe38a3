// A minimal client of the Chrome DevTools Protocol over chromium's
// --remote-debugging-pipe (JSON messages ended by NUL on file descriptors 3
// and 4). Node's standard library is all it needs: no Puppeteer or
// Playwright, which would download a browser of their own; Debian's
// chromium is the browser under test.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export class Browser {
  // Starts headless chromium with a throw-away profile; `timeoutMs` bounds
  // every command, so a hung browser fails the test instead of hanging it.
  constructor(binary = process.env.CHROMIUM || "chromium", timeoutMs = 30000) {
    this.profile = mkdtempSync(join(tmpdir(), "tiersim-chromium-"));
    this.timeoutMs = timeoutMs;
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = [];
    this.buffer = "";
    this.stderr = "";
    this.proc = spawn(binary, [
      "--headless=new", "--no-sandbox", "--remote-debugging-pipe", "--user-data-dir=" + this.profile,
      "--disable-gpu", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
      "--disable-background-networking", "--disable-sync", "--disable-component-update", "--mute-audio",
      "--hide-scrollbars", "--font-render-hinting=none", "about:blank",
    ], { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] });
    this.proc.stderr.on("data", (d) => { this.stderr = (this.stderr + d).slice(-4000); });
    this.exited = new Promise((resolve) => this.proc.on("exit", resolve));
    this.proc.on("error", (e) => this.failAll(new Error("cannot start " + binary + ": " + e.message +
                                                         " (install it with .ci/install-deps)")));
    this.proc.on("exit", (code) => this.failAll(new Error("chromium exited (" + code + "): " + this.stderr)));
    this.proc.stdio[4].on("data", (chunk) => this.receive(chunk));
  }

  failAll(error) {
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
    this.dead = error;
  }

  receive(chunk) {
    this.buffer += chunk.toString("utf8");
    let end;
    while ((end = this.buffer.indexOf("\0")) >= 0) {
      const message = JSON.parse(this.buffer.slice(0, end));
      this.buffer = this.buffer.slice(end + 1);
      if (message.id !== undefined && this.pending.has(message.id)) {
        const { resolve, reject, method } = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error) reject(new Error(method + ": " + message.error.message));
        else resolve(message.result);
      } else if (message.method) {
        for (const l of this.listeners) l(message);
      }
    }
  }

  send(method, params = {}, sessionId) {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    const message = { id, method, params };
    if (sessionId) message.sessionId = sessionId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(method + ": no answer within " + this.timeoutMs + " ms"));
      }, this.timeoutMs);
      this.pending.set(id, {
        method,
        resolve: (r) => { clearTimeout(timer); resolve(r); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.proc.stdio[3].write(JSON.stringify(message) + "\0");
    });
  }

  on(listener) {
    this.listeners.push(listener);
  }

  // Resolves on the first event `method` of `sessionId`.
  waitFor(method, sessionId) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no " + method + " within " + this.timeoutMs + " ms")),
                               this.timeoutMs);
      this.on((m) => {
        if (m.method === method && m.sessionId === sessionId) {
          clearTimeout(timer);
          resolve(m.params);
        }
      });
    });
  }

  async close() {
    try {
      if (!this.dead) await this.send("Browser.close");
    } catch (e) {
      // It is going away either way.
    }
    const killer = setTimeout(() => this.proc.kill("SIGKILL"), 5000);
    await this.exited;
    clearTimeout(killer);
    rmSync(this.profile, { recursive: true, force: true });
  }
}
