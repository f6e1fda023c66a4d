/* The console's one offline queue, shared by every section that writes (static/js/console_live.js: check-in,
 * headcount, ticks; static/js/console_reports.js: school-report submissions).
 *
 * One queue per console (localStorage key "diemcau.console-queue.<bridge id>"), items {nonce, kind, payload,
 * client_time}: it survives a reload or a lost connection, items are sent in order, each by the handler its
 * section registered for its kind, and an item leaves the queue only on a definitive answer (any status
 * but none, 429 or 5xx). The server dedupes by nonce, so a resend after a lost answer never counts twice.
 * Items of a kind whose section is not on this page wait until it is.
 *
 *   var queue = window.diemcauQueue.get(bridgeId);
 *   queue.handle(kind, {send(item) -> Promise<{status, body}>, answered(item, answer), failed(item)?,
 *                       ready()? (false: wait and retry), stops(answer)? (true: the link is dead, stop)});
 *   queue.onChange(function (items) {...});   queue.add(kind, payload, {replace(item)?, clientTime?});
 *   queue.items(), queue.save(items), queue.has(kind), queue.isSending(nonce), queue.flush(), queue.stop()
 */
(function () {
  "use strict";
  if (window.diemcauQueue) return;  // each section's template loads this script: once is enough
  var Backoff = window.DiemcauBackoff.Backoff;  // static/js/backoff.js: after a restart, not all at once
  var queues = {};

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    // randomUUID needs a secure context; getRandomValues does not (a console on plain http in a LAN).
    var b = crypto.getRandomValues(new Uint8Array(16)), h = "";
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    for (var i = 0; i < 16; i++) h += ("0" + b[i].toString(16)).slice(-2);
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function Queue(key) {
    this.key = key;
    this.memory = null;  // when storage is full or forbidden: at least kept in memory
    this.handlers = {};
    this.listeners = [];
    this.sending = null;  // the nonce being sent
    this.backoff = new Backoff({ base: 1000, cap: 30000 });
    this.retryTimer = null;
    this.stopped = false;
  }
  Queue.prototype.items = function () {
    if (this.memory) return this.memory.slice();
    try { return JSON.parse(localStorage.getItem(this.key) || "[]"); } catch (e) { return []; }
  };
  Queue.prototype.save = function (items) {
    try { localStorage.setItem(this.key, JSON.stringify(items)); this.memory = null; }
    catch (e) { this.memory = items.slice(); }
    this.listeners.forEach(function (listener) { listener(items); });
  };
  Queue.prototype.onChange = function (listener) { this.listeners.push(listener); };
  Queue.prototype.handle = function (kind, handler) { this.handlers[kind] = handler; this.flush(); };
  Queue.prototype.has = function (kind) { return this.items().some(function (item) { return item.kind === kind; }); };
  Queue.prototype.isSending = function (nonce) { return this.sending !== null && this.sending === nonce; };
  Queue.prototype.add = function (kind, payload, options) {
    options = options || {};
    var items = this.items(), replaced = false;
    if (options.replace) {
      // A newer version of a waiting item takes its place and keeps its nonce (a lost answer is not doubled).
      items.forEach(function (item) {
        if (!replaced && item.kind === kind && options.replace(item)) { item.payload = payload; replaced = true; }
      });
    }
    if (!replaced) {
      items.push({ nonce: uuid(), kind: kind, payload: payload,
                   client_time: options.clientTime || new Date().toISOString() });
    }
    this.save(items);
    this.flush();
  };
  Queue.prototype.remove = function (nonce) {
    this.save(this.items().filter(function (item) { return item.nonce !== nonce; }));
  };
  Queue.prototype.stop = function () { this.stopped = true; };
  Queue.prototype.retrySoon = function () {
    this.backoff.reset();
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.flush();
  };
  Queue.prototype.scheduleRetry = function () {
    var self = this;
    if (self.retryTimer) return;
    self.retryTimer = setTimeout(function () { self.retryTimer = null; self.flush(); }, self.backoff.next());
  };
  Queue.prototype.flush = function () {
    var self = this;
    if (self.sending !== null || self.stopped) return;
    var handlers = self.handlers;
    var item = self.items().filter(function (each) { return handlers[each.kind]; })[0];
    if (!item) return;
    var handler = handlers[item.kind];
    if (handler.ready && !handler.ready()) { self.scheduleRetry(); return; }
    self.sending = item.nonce;
    Promise.resolve().then(function () { return handler.send(item); }).then(function (answer) {
      self.sending = null;
      if (handler.stops && handler.stops(answer)) { self.stop(); return; }
      if (!answer || !answer.status || answer.status >= 500 || answer.status === 429) { self.scheduleRetry(); return; }
      // A definitive answer (accepted, duplicate or refused): the item is done.
      self.remove(item.nonce);
      self.backoff.reset();
      handler.answered(item, answer);
      self.flush();
    }, function (error) {
      self.sending = null;
      if (handler.failed) handler.failed(item, error);
      self.scheduleRetry();
    });
  };

  window.diemcauQueue = {
    get: function (bridgeId) {
      var key = "diemcau.console-queue." + bridgeId;
      if (!queues[key]) queues[key] = new Queue(key);
      return queues[key];
    },
    uuid: uuid
  };
  window.addEventListener("online", function () {
    Object.keys(queues).forEach(function (key) { queues[key].retrySoon(); });
  });
})();
