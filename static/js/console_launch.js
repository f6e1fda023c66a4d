/* The launch moment on consoles and boards.
 *
 * ClockSync estimates how far this device's clock is from the server's over a websocket
 * (NTP-style: send our time t0, the server answers with its time, we note when the answer came
 * back at t1; offset = server - (t0 + t1) / 2, good to within half the round trip). The samples
 * with the shortest round trips are the least disturbed, so the estimate is the median offset of
 * the fastest few. Overlay counts down to the launch instant in server time, so every screen
 * starts together whatever its clock says.
 *
 * On a console page (#launch-console present) this file also wires itself to the console's
 * websocket, shows the launch button on the host bridge's console, and asks the console's API
 * (/api/console/<token>/launch) for the launch state on load, so a console opened after the launch
 * still shows the launch screen while it lasts.
 */
(function () {
  "use strict";

  function estimateOffset(samples, keep) {
    if (!samples.length) return 0;
    const best = samples.slice().sort((a, b) => a.rtt - b.rtt).slice(0, Math.max(1, keep || 3));
    const offsets = best.map((s) => s.offset).sort((a, b) => a - b);
    const mid = Math.floor(offsets.length / 2);
    return offsets.length % 2 ? offsets[mid] : (offsets[mid - 1] + offsets[mid]) / 2;
  }

  class ClockSync {
    constructor(send, options) {
      this.send = send;
      this.samples = [];
      this.offset = 0;
      this.synced = false;
      this.rounds = (options && options.rounds) || 8;
      this.gap = (options && options.gap) || 150;
      this.timer = null;
      this.listeners = [];
    }
    start() {
      this.samples = [];
      let sent = 0;
      clearInterval(this.timer);
      const probe = () => {
        if (sent >= this.rounds) { clearInterval(this.timer); return; }
        sent += 1;
        this.send({ type: "clock", t0: Date.now() });
      };
      probe();
      this.timer = setInterval(probe, this.gap);
    }
    stop() { clearInterval(this.timer); }
    onReply(message) {
      const t1 = Date.now();
      if (typeof message.t0 !== "number" || typeof message.server !== "number") return;
      const rtt = t1 - message.t0;
      if (rtt < 0 || rtt > 10000) return;
      this.samples.push({ rtt: rtt, offset: message.server - (message.t0 + t1) / 2 });
      if (this.samples.length > 32) this.samples.shift();
      this.offset = estimateOffset(this.samples, 3);
      this.synced = true;
      this.listeners.forEach((fn) => fn(this.offset));
    }
    onChange(fn) { this.listeners.push(fn); }
    serverNow() { return Date.now() + this.offset; }
  }

  class Overlay {
    constructor(element, clock) {
      this.el = element;
      this.clock = clock;
      this.launch = null;
      this.timer = null;
      this.count = element.querySelector("[data-launch-count]");
      this.countdown = element.querySelector("[data-launch-countdown]");
      this.screen = element.querySelector("[data-launch-screen]");
      const close = element.querySelector("[data-launch-close]");
      if (close) close.addEventListener("click", () => { this.dismissed = true; this.hide(); });
      clock.onChange(() => { if (this.launch) this.tick(); });
    }
    show(launch) {
      if (!launch || typeof launch.at !== "number") return;
      if (this.launch && this.launch.at === launch.at) return;
      this.launch = launch;
      this.dismissed = false;
      this.tick();
    }
    hide() {
      this.el.classList.add("hidden");
      this.el.dataset.phase = "idle";
    }
    tick() {
      clearTimeout(this.timer);
      if (!this.launch || this.dismissed) return;
      const left = this.launch.at - this.clock.serverNow();
      const duration = this.launch.duration_ms || 180000;
      if (left <= -duration) { this.hide(); return; }
      this.el.classList.remove("hidden");
      if (left > 0) {
        this.el.dataset.phase = "countdown";
        this.countdown.classList.remove("hidden");
        this.screen.classList.add("hidden");
        this.count.textContent = String(Math.ceil(left / 1000));
        // Wake exactly at the next whole second before the launch, and exactly at the launch.
        const next = left % 1000 || 1000;
        this.timer = setTimeout(() => this.tick(), Math.min(next, left));
        return;
      }
      if (this.el.dataset.phase !== "launched") {
        this.el.dataset.phase = "launched";
        this.countdown.classList.add("hidden");
        this.screen.classList.remove("hidden");
        this.el.dispatchEvent(new CustomEvent("launch:start", { bubbles: true, detail: { at: this.launch.at } }));
      }
      this.timer = setTimeout(() => this.tick(), Math.min(duration + left, 5000));
    }
  }

  function csrfToken(scope) {
    const input = (scope || document).querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    const match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // The board's button posts with its session (and CSRF token); a console's with its link's token only.
  // `early`: the organizer confirmed a launch before the event's start. A refusal throws an Error whose
  // `body` is the server's answer (detail, code), when it sent one.
  async function press(url, scope, { session = true, early = false } = {}) {
    const headers = { Accept: "application/json", "Accept-Language": document.documentElement.lang || "vi" };
    if (session) headers["X-CSRFToken"] = csrfToken(scope);
    const options = { method: "POST", credentials: session ? "same-origin" : "omit", headers };
    if (early) {
      options.body = new URLSearchParams({ early: "1" });
      headers["Content-Type"] = "application/x-www-form-urlencoded";
    }
    const response = await fetch(url, options);
    if (!response.ok) {
      const error = new Error("HTTP " + response.status);
      error.body = await response.json().catch(() => null);
      throw error;
    }
    return response.json();
  }

  /* A console: its own websocket to the console endpoint is shared through window.DiemcauConsoleSocket
   * when the console page provides one; otherwise this opens the launch socket itself. */
  function consolePage() {
    const panel = document.getElementById("launch-console");
    const overlayEl = document.getElementById("launch-overlay");
    if (!panel || !overlayEl) return;
    let socket = null;
    // static/js/backoff.js; reset by the server's first answer (a clock reply), not by the socket opening.
    const reconnectBackoff = new window.DiemcauBackoff.Backoff({ base: 1000, cap: 15000 });
    const clock = new ClockSync((message) => {
      if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
    });
    const overlay = new Overlay(overlayEl, clock);
    const button = panel.querySelector("[data-launch-press]");
    const error = panel.querySelector("[data-launch-error]");
    const opensNote = panel.querySelector("[data-launch-opens]");
    const genericError = error ? error.textContent : "";
    let opensAt = null, launched = false;

    // Before the event's start the host console's button waits (an early launch is an organizer's, from
    // the board); it comes alive at the start, in server time.
    function gate() {
      if (!button || launched) return;
      const waiting = opensAt !== null && clock.serverNow() < opensAt;
      button.disabled = waiting;
      if (opensNote) opensNote.classList.toggle("hidden", !waiting);
    }

    async function loadState() {
      try {
        const response = await fetch(panel.dataset.stateUrl, {
          credentials: "omit", cache: "no-store", headers: { "Accept-Language": document.documentElement.lang || "vi" },
        });
        if (!response.ok) return;
        const body = await response.json();
        if (body.can_press && button) panel.classList.remove("hidden");
        const title = overlayEl.querySelector("[data-launch-title]");
        if (title && !title.textContent && body.title) title.textContent = body.title;
        opensAt = typeof body.opens_at === "number" ? body.opens_at : null;
        if (body.launch) {
          launched = true;
          overlay.show(body.launch);
          if (button) button.disabled = true;
        }
        gate();
      } catch (e) { /* offline: the websocket push or the next load will tell */ }
    }

    function connect() {
      const scheme = location.protocol === "https:" ? "wss://" : "ws://";
      socket = new WebSocket(scheme + location.host + panel.dataset.wsPath);
      socket.addEventListener("open", () => { clock.start(); loadState(); });
      socket.addEventListener("message", (event) => {
        let message;
        try { message = JSON.parse(event.data); } catch (e) { return; }
        reconnectBackoff.reset();
        if (message.type === "clock") clock.onReply(message);
        else if (message.type === "launch") {
          launched = true;
          overlay.show(message);
          if (button) button.disabled = true;
          if (opensNote) opensNote.classList.add("hidden");
        }
      });
      socket.addEventListener("close", () => {
        clock.stop();
        setTimeout(connect, reconnectBackoff.next());
      });
    }

    if (button) {
      button.addEventListener("click", async () => {
        if (!window.confirm(panel.dataset.confirm)) return;
        button.disabled = true;
        if (error) error.classList.add("hidden");
        try {
          const body = await press(panel.dataset.pressUrl, panel, { session: false });
          launched = true;
          overlay.show(body.launch);
        } catch (e) {
          button.disabled = false;
          if (error) {
            // The server's reason when it gave one (e.g. not before the start), else "check the connection".
            error.textContent = (e.body && e.body.detail) || genericError;
            error.classList.remove("hidden");
            error.focus();
          }
          gate();
        }
      });
    }
    // Re-measure now and then: laptop clocks drift and networks change.
    setInterval(() => clock.start(), 60000);
    setInterval(gate, 1000);
    connect();
  }

  window.DiemcauLaunch = { ClockSync: ClockSync, Overlay: Overlay, estimateOffset: estimateOffset, press: press };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", consolePage);
  else consolePage();
})();
