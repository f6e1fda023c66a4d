/* How long a page waits before trying again: an exponential backoff with a cap and jitter.
 *
 * When a server restarts, 200 boards and 600 consoles lose their sockets at the same moment; with fixed
 * delays they would all come back at the same moments too, attempt after attempt. Each delay is drawn at
 * random between 0.5× and 1.5× of min(cap, base · 2^attempt), so they spread out and stay spread.
 * The attempt count goes back to 0 only when the caller says the server really answered (a socket's
 * "hello", a snapshot read), not when a socket merely opened: a server that accepts and closes at once
 * is still backed off.
 *
 *   var backoff = new DiemcauBackoff.Backoff({ base: 1000, cap: 15000 });
 *   setTimeout(connect, backoff.next());   // 0.5–1.5 s, then 1–3 s, 2–6 s, ... at most 7.5–22.5 s
 *   backoff.reset();                       // after the server's hello
 *
 * Loaded before the scripts that use it (the board, the console's live section, the launch socket,
 * the console's offline queue); under the CSP every page has (no inline script) it is a plain file.
 */
(function () {
  "use strict";
  if (window.DiemcauBackoff) return;  // several sections of one console page load it: once is enough

  var SPREAD = 0.5;  // each delay lies within (1 ± SPREAD) × the attempt's middle

  // The middle of the attempt-th delay: base · 2^attempt, at most cap.
  function middle(base, cap, attempt) {
    return Math.min(cap, base * Math.pow(2, Math.min(attempt, 30)));
  }

  // The attempt-th delay in ms; random() returns [0, 1) (Math.random unless given).
  function delay(base, cap, attempt, random) {
    var r = (random || Math.random)();
    return Math.round(middle(base, cap, attempt) * (1 - SPREAD + 2 * SPREAD * r));
  }

  function Backoff(options) {
    options = options || {};
    this.base = options.base || 1000;
    this.cap = options.cap || 15000;
    this.attempt = 0;
  }
  Backoff.prototype.next = function () {
    var ms = delay(this.base, this.cap, this.attempt);
    this.attempt += 1;
    return ms;
  };
  Backoff.prototype.reset = function () { this.attempt = 0; };

  window.DiemcauBackoff = { Backoff: Backoff, delay: delay, middle: middle, SPREAD: SPREAD };
})();
