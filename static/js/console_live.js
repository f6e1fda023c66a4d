/* The console's live attendance section: bridge check-in, headcount, roll-call QR, roster ticks.
 *
 * The roster: a tick can be undone for a few minutes (the server says until when, `undo_until`; a tick
 * still waiting in the queue is simply dropped from it), and teachers' own QR check-ins appear as they
 * come ("roster.changed" pushed over the console's websocket; re-read from the API on every reconnect).
 * The QR goes full screen for a projector (Fullscreen API, else a fixed overlay).
 *
 * Every write goes through the console's ONE offline queue (static/js/offline_queue.js, shared with the
 * school reports): it survives a reload or a lost connection, is sent in order (here over the websocket
 * when it is open, else by fetch), and an item leaves the queue only when the server answered it. The
 * server dedupes by nonce, so a resend after a lost answer never counts twice.
 *
 * Reads and writes over HTTP go to the console's API (/api/console/<token>/..., the URLs the page
 * lists in #console-urls); an unknown or rotated link answers 404 with code "invalid_link".
 *
 * Other scripts of the console page may use the same websocket:
 *   document.addEventListener("diemcau:console-message", e => e.detail)   every message received
 *   window.diemcauConsole.send({type: ...})                               false when not connected
 *   window.diemcauConsole.serverNow()                                     ms, corrected by the clock offset
 */
(function () {
  "use strict";
  var root = document.getElementById("attendance-live");
  var configNode = document.getElementById("attendance-live-config");
  if (!root || !configNode) return;
  var config = JSON.parse(configNode.textContent);
  var urlsNode = document.getElementById("console-urls");
  var consoleUrls = urlsNode ? JSON.parse(urlsNode.textContent) : { api: {}, files: {} };
  config.urls = { live: consoleUrls.api.live, roster: consoleUrls.api.roster, checkin: consoleUrls.api.checkin,
                  headcount: consoleUrls.api.headcount, tick: consoleUrls.api.tick, untick: consoleUrls.api.untick };
  var S = config.strings;
  var queue = window.diemcauQueue.get(config.bridgeId);
  var KINDS = ["checkin", "headcount", "tick", "untick"];
  // The API negotiates its language: answers in the page's (Vietnamese unless the school switched).
  var LANGUAGE = document.documentElement.lang || "vi";
  var HEARTBEAT_MS = 15000, ACK_TIMEOUT_MS = 10000;
  // Reconnect delays (static/js/backoff.js): jittered, growing to ~30 s; reset by the server's hello.
  var reconnectBackoff = new window.DiemcauBackoff.Backoff({ base: 1000, cap: 30000 });

  var state = {
    ws: null, wsOpen: false, heartbeat: null,
    invalid: false, offset: 0, rollCall: null, qrWindow: null, waiters: {}, reconnectTimer: null, lastHeard: 0
  };

  function $(id) { return document.getElementById(id); }
  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_m, key) { return values[key] === undefined ? "" : values[key]; });
  }
  function hhmm(iso) {
    // In the event's time zone, like the times the server renders, whatever the console's clock setting.
    try {
      return new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23",
                                                timeZone: config.timeZone }).format(new Date(iso));
    } catch (e) {
      var d = new Date(iso);
      return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
    }
  }
  function serverNow() { return Date.now() + state.offset; }
  function learnOffset(iso) {
    var t = Date.parse(iso);
    if (!isNaN(t)) state.offset = t - Date.now();
  }
  function say(text, bad) {
    var node = $("live-message");
    if (!node) return;
    node.textContent = text || "";
    node.classList.toggle("hidden", !text);
    node.classList.toggle("error", !!bad);
  }

  // --- the queue (offline_queue.js) -------------------------------------------------------------
  function loadQueue() { return queue.items(); }
  function saveQueue(items) { queue.save(items); }
  // The live counter counts the live section's writes (the school reports show their own).
  function ours(items) { return items.filter(function (item) { return KINDS.indexOf(item.kind) >= 0; }); }
  queue.onChange(function (items) { showPending(ours(items)); });
  function showPending(queue) {
    var node = $("pending-count");
    if (!node) return;
    node.dataset.count = String(queue.length);
    node.textContent = fill(S.pending, { count: queue.length });
    node.classList.toggle("hidden", queue.length === 0);
    var waiting = {};
    queue.forEach(function (item) {
      if (item.kind === "tick" || item.kind === "untick") waiting[item.payload.person_id] = item.kind;
    });
    document.querySelectorAll("#live-roster [data-person-id]").forEach(function (row) {
      var pending = waiting[row.dataset.personId];
      if (pending) row.dataset.pending = pending === "tick" ? "1" : "undo"; else delete row.dataset.pending;
      showRow(row);
    });
  }
  // One roster row from its data: ticked or not, when and how, waiting to be sent, "Undo" while it may.
  function showRow(row) {
    var label = row.querySelector(".tick-state"), undo = row.querySelector(".undo-button");
    var pending = row.dataset.pending, ticked = row.dataset.ticked === "1" && pending !== "undo";
    var text = "";
    if (pending) text = S.waiting;
    else if (ticked && row.dataset.at) text = row.dataset.method === "self_qr" ? fill(S.scannedAt, { time: hhmm(row.dataset.at) }) : hhmm(row.dataset.at);
    if (label) label.textContent = text;
    var until = Date.parse(row.dataset.undoUntil || "");
    var undoable = pending === "1" || (ticked && !pending && !isNaN(until) && serverNow() < until);
    if (undo) undo.hidden = !undoable;
  }
  function setRow(row, person) {
    row.dataset.ticked = person.ticked ? "1" : "0";
    row.dataset.at = person.at || "";
    row.dataset.method = person.method || "";
    row.dataset.undoUntil = person.undo_until || "";
    showRow(row);
  }
  function refreshUndo() {
    document.querySelectorAll("#live-roster [data-undo-until]:not([data-undo-until=''])").forEach(showRow);
  }
  function enqueue(kind, payload) {
    queue.add(kind, payload, { clientTime: new Date(serverNow()).toISOString() });
  }
  function flush() { queue.flush(); }
  function body(item) {
    var data = { nonce: item.nonce, client_time: item.client_time, event_id: config.eventId };
    for (var key in item.payload) data[key] = item.payload[key];
    return data;
  }
  function sendOverSocket(item) {
    return new Promise(function (resolve, reject) {
      var message = body(item);
      message.type = item.kind;
      var timer = setTimeout(function () { delete state.waiters[item.nonce]; reject(new Error("timeout")); }, ACK_TIMEOUT_MS);
      state.waiters[item.nonce] = {
        resolve: function (ack) { clearTimeout(timer); resolve({ status: ack.status, body: ack.result || {} }); },
        reject: function (err) { clearTimeout(timer); reject(err); }
      };
      state.ws.send(JSON.stringify(message));
    });
  }
  function sendOverHttp(item) {
    return fetch(config.urls[item.kind], {
      method: "POST", headers: { "Content-Type": "application/json", "Accept-Language": LANGUAGE },
      body: JSON.stringify(body(item)),
      credentials: "omit", cache: "no-store"
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        return { status: response.status, body: json };
      });
    });
  }
  KINDS.forEach(function (kind) {
    queue.handle(kind, {
      // Offline with no socket open: wait (the retry, or the browser's "online", sends it).
      ready: function () { return !(navigator.onLine === false && !state.wsOpen); },
      send: function (item) { return state.wsOpen ? sendOverSocket(item) : sendOverHttp(item); },
      stops: function (answer) {
        if (answer && answer.body && answer.body.code === "invalid_link") { linkInvalid(answer.body.detail); return true; }
        return false;
      },
      answered: function (item, answer) { applyAnswer(item, answer); }
    });
  });

  // --- answers and state -------------------------------------------------------------------------
  function showCheckin(data) {
    var button = $("checkin-button"), label = $("checkin-state");
    if (!button || !label) return;
    if (data.checked_in) {
      button.dataset.checkedIn = "1";
      label.textContent = fill(S.checkedIn, { time: hhmm(data.checked_in_at) });
    }
    var input = $("headcount-input");
    if (input && data.headcount !== undefined && document.activeElement !== input && !hasQueued("headcount")) {
      input.value = data.headcount;
    }
  }
  function hasQueued(kind) { return queue.has(kind); }
  function rowOf(personId) { return document.querySelector('#live-roster [data-person-id="' + personId + '"]'); }
  function applyAnswer(item, answer) {
    var data = answer.body || {};
    if (item.kind === "tick") {
      var row = rowOf(item.payload.person_id);
      if (row && data.ok) setRow(row, { ticked: true, at: data.at, method: "tick", undo_until: data.undo_until });
      if (!data.ok) say(data.message, true);
    } else if (item.kind === "untick") {
      var undone = rowOf(item.payload.person_id);
      if (data.ok) {
        if (undone) setRow(undone, { ticked: false });
        say(fill(S.undone, { name: data.person_name || "" }));
      } else {
        say(data.message, true);
        refreshRoster();
      }
    } else {
      if (data.ok === false) { say(data.message, true); return; }
      showCheckin(data);
      if (item.kind === "headcount" && data.outcome === "accepted") say(fill(S.headcountSaved, { count: data.headcount }));
    }
  }
  function showRollCall(rollCall) {
    var box = $("rollcall"), none = $("rollcall-none"), qr = $("rollcall-qr");
    if (!box) return;
    var changed = (state.rollCall && state.rollCall.id) !== (rollCall && rollCall.id);
    state.rollCall = rollCall;
    box.classList.toggle("hidden", !rollCall);
    if (none) none.classList.toggle("hidden", !!rollCall);
    document.querySelectorAll("#live-roster .tick-button").forEach(function (b) { b.disabled = !rollCall; });
    if (!rollCall) { if (qr) qr.removeAttribute("src"); state.qrWindow = null; return; }
    box.dataset.rollCallId = rollCall.id;
    $("rollcall-label").textContent = rollCall.label;
    $("rollcall-closes").textContent = fill(S.closesAt, { time: hhmm(rollCall.closes_at) });
    var code = $("rollcall-code");
    // The live API sends this bridge's code; a broadcast roll call has none, the last one shown stays.
    if (code && rollCall.screen_code !== undefined) {
      $("rollcall-code-value").textContent = rollCall.screen_code || "";
      code.classList.toggle("hidden", !rollCall.screen_code);
    }
    if (changed) { state.qrWindow = null; refreshRoster(); }
    rotateQr();
  }
  function rotateQr() {
    var rollCall = state.rollCall, qr = $("rollcall-qr");
    if (!rollCall || !qr) return;
    var now = serverNow();
    if (now >= Date.parse(rollCall.closes_at)) { showRollCall(null); refresh(); return; }
    var windowIndex = Math.floor(now / 1000 / rollCall.window_seconds);
    if (windowIndex === state.qrWindow) return;
    state.qrWindow = windowIndex;
    var base = rollCall.qr_url || (consoleUrls.files.rollcall_qr + "?event=" + rollCall.event_id);
    var url = base + (base.indexOf("?") < 0 ? "?" : "&") + "w=" + windowIndex;
    // Swap only once the new image arrived: offline, the last code stays on screen.
    var next = new Image();
    next.onload = function () { if (state.qrWindow === windowIndex) qr.src = url; };
    next.onerror = function () { if (state.qrWindow === windowIndex) state.qrWindow = null; };
    next.src = url;
  }
  function refresh() {
    var url = config.urls.live + (config.eventId ? "?event=" + config.eventId : "");
    var options = { credentials: "omit", cache: "no-store", headers: { "Accept-Language": LANGUAGE } };
    return fetch(url, options).then(function (response) {
      return response.json().then(function (data) {
        if (data.code === "invalid_link") { linkInvalid(data.detail); return; }
        learnOffset(data.server_time);
        showCheckin(data);
        showRollCall(data.roll_call);
      });
    }).catch(function () { /* offline: the screen keeps what it had */ });
  }
  function refreshRoster() {
    if (!state.rollCall) return;
    fetch(config.urls.roster + "?roll_call=" + state.rollCall.id,
          { credentials: "omit", cache: "no-store", headers: { "Accept-Language": LANGUAGE } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        (data.people || []).forEach(function (person) {
          var row = rowOf(person.id);
          if (row) setRow(row, person);
        });
        showPending(ours(loadQueue()));
      }).catch(function () {});
  }
  function linkInvalid(message) {
    state.invalid = true;
    queue.stop();
    say(message || S.invalidLink, true);
    setConnection(false);
  }
  function setConnection(online) {
    var node = $("connection-state");
    if (!node) return;
    node.dataset.state = online ? "online" : "offline";
    node.textContent = online ? S.online : S.offline;
  }

  // --- websocket ---------------------------------------------------------------------------------
  function emit(message) {
    document.dispatchEvent(new CustomEvent("diemcau:console-message", { detail: message }));
  }
  function onMessage(event) {
    var message;
    try { message = JSON.parse(event.data); } catch (e) { return; }
    if (message.server_time) learnOffset(message.server_time);
    if (message.type === "ack" && state.waiters[message.nonce]) {
      var waiter = state.waiters[message.nonce];
      delete state.waiters[message.nonce];
      waiter.resolve(message);
    } else if (message.type === "error") {
      if (message.code === "invalid_link") linkInvalid(message.message);
      else if (message.nonce && state.waiters[message.nonce]) {
        var failed = state.waiters[message.nonce];
        delete state.waiters[message.nonce];
        failed.reject(new Error(message.message));
      }
    } else if (message.type === "hello") {
      reconnectBackoff.reset();
      // Pushes may have been lost while the socket was away: read the roster again too.
      refresh().then(refreshRoster);
    } else if (message.type === "roster.changed") {
      if (state.rollCall && message.roll_call_id === state.rollCall.id) {
        (message.people || []).forEach(function (person) {
          var row = rowOf(person.id);
          if (row && !row.dataset.pending) setRow(row, person);
        });
      }
    } else if (message.type === "rollcall.opened" || message.type === "rollcall.closed") {
      var eventId = message.roll_call && message.roll_call.event_id;
      if (!config.eventId || eventId === config.eventId) refresh();
    }
    emit(message);
  }
  function reconnectIn(ms) {
    clearTimeout(state.reconnectTimer);
    state.reconnectTimer = setTimeout(connect, ms);
  }
  function connect() {
    if (state.invalid) return;
    if (state.ws && state.ws.readyState <= 1) return;  // CONNECTING or OPEN already
    var ws;
    try { ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + config.wsPath); }
    catch (e) { reconnectIn(reconnectBackoff.next()); return; }
    state.ws = ws;
    ws.onopen = function () {
      state.wsOpen = true;
      state.lastHeard = Date.now();
      setConnection(true);
      clearInterval(state.heartbeat);
      state.heartbeat = setInterval(function () {
        // A half-open connection (cable pulled, NAT timeout) never closes by itself: give up on silence.
        if (Date.now() - state.lastHeard > 2 * HEARTBEAT_MS + 5000) { ws.close(); return; }
        if (state.wsOpen) ws.send(JSON.stringify({ type: "heartbeat" }));
      }, HEARTBEAT_MS);
      flush();
    };
    ws.onmessage = function (event) { state.lastHeard = Date.now(); onMessage(event); };
    ws.onclose = function (event) {
      if (state.ws !== ws) return;
      var wasOpen = state.wsOpen;
      state.wsOpen = false;
      state.ws = null;
      clearInterval(state.heartbeat);
      Object.keys(state.waiters).forEach(function (nonce) { state.waiters[nonce].reject(new Error("closed")); });
      state.waiters = {};
      if (event.code === 4403) { linkInvalid(); return; }
      setConnection(false);
      if (wasOpen) flush();  // over HTTP, if only the socket is blocked
      reconnectIn(reconnectBackoff.next());
    };
  }
  function wentOffline() {
    // The browser knows before the socket does; an open socket may even survive offline emulation.
    if (state.ws) state.ws.close();
    setConnection(false);
  }
  function cameOnline() {
    reconnectBackoff.reset();
    reconnectIn(0);  // this device's own network came back: not in step with anyone
    queue.retrySoon();
  }

  // --- what the coordinator does -----------------------------------------------------------------
  var checkinButton = $("checkin-button");
  if (checkinButton) checkinButton.addEventListener("click", function () { enqueue("checkin", { method: "button" }); });
  var headcountForm = $("headcount-form");
  if (headcountForm) headcountForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var value = parseInt($("headcount-input").value, 10);
    if (isNaN(value) || value < 0) return;
    enqueue("headcount", { headcount: value });
  });
  var roster = $("live-roster");
  if (roster) roster.addEventListener("click", function (event) {
    var undo = event.target.closest(".undo-button");
    if (undo) { undoTick(undo.closest("[data-person-id]")); return; }
    var button = event.target.closest(".tick-button");
    if (!button || !state.rollCall) return;
    var row = button.closest("[data-person-id]");
    if (row.dataset.ticked === "1" || row.dataset.pending) return;
    enqueue("tick", { person_id: parseInt(row.dataset.personId, 10), roll_call_id: state.rollCall.id });
  });
  function undoTick(row) {
    var personId = parseInt(row.dataset.personId, 10);
    var items = loadQueue();
    var waiting = items.filter(function (item) { return item.kind === "tick" && item.payload.person_id === personId; });
    // Not sent yet (and not being sent): the tick never happened.
    if (waiting.length && !queue.isSending(waiting[0].nonce)) {
      saveQueue(items.filter(function (item) { return waiting.indexOf(item) < 0; }));
      return;
    }
    var rollCallId = waiting.length ? waiting[0].payload.roll_call_id
      : (state.rollCall && state.rollCall.id) || parseInt($("rollcall").dataset.rollCallId, 10);
    if (!rollCallId) return;
    if (!state.wsOpen && navigator.onLine === false) say(S.undoOffline);
    enqueue("untick", { person_id: personId, roll_call_id: rollCallId });
  }

  // --- the QR on the projector -----------------------------------------------------------------------
  var fullButton = $("rollcall-fullscreen");
  function isFull() {
    var box = $("rollcall");
    return !!box && (document.fullscreenElement === box || document.webkitFullscreenElement === box ||
                     box.classList.contains("pseudo-fullscreen"));
  }
  function showFull() {
    var full = isFull();
    if (!fullButton) return;
    fullButton.textContent = full ? S.exitFullscreen : S.fullscreen;
    fullButton.setAttribute("aria-pressed", full ? "true" : "false");
  }
  if (fullButton) fullButton.addEventListener("click", function () {
    var box = $("rollcall");
    if (isFull()) {
      if (box.classList.contains("pseudo-fullscreen")) box.classList.remove("pseudo-fullscreen");
      else if (document.exitFullscreen) document.exitFullscreen();
      else if (document.webkitExitFullscreen) document.webkitExitFullscreen();
      showFull();
      return;
    }
    var request = box.requestFullscreen || box.webkitRequestFullscreen;
    var done = request ? request.call(box) : null;
    // Refused (an iPhone, a policy) or absent: fill the window instead; Escape or the button leaves.
    if (!request) box.classList.add("pseudo-fullscreen");
    else if (done && done.catch) done.catch(function () { box.classList.add("pseudo-fullscreen"); showFull(); });
    showFull();
  });
  document.addEventListener("fullscreenchange", showFull);
  document.addEventListener("webkitfullscreenchange", showFull);
  document.addEventListener("keydown", function (event) {
    var box = $("rollcall");
    if (event.key === "Escape" && box && box.classList.contains("pseudo-fullscreen")) {
      box.classList.remove("pseudo-fullscreen");
      showFull();
    }
  });

  window.diemcauConsole = {
    send: function (message) {
      if (!state.wsOpen) return false;
      state.ws.send(JSON.stringify(message));
      return true;
    },
    serverNow: serverNow,
    pending: function () { return ours(loadQueue()).length; }
  };

  // Initial state from the page, then live.
  if (config.rollCall) showRollCall(config.rollCall);
  showPending(ours(loadQueue()));
  refresh().then(function () {
    // Opened from the bridge QR (…?checkin=qr): checking in is what the coordinator came for.
    if (/[?&]checkin=qr\b/.test(location.search) && checkinButton && checkinButton.dataset.checkedIn !== "1" &&
        !hasQueued("checkin")) {
      enqueue("checkin", { method: "qr" });
    }
  });
  setInterval(function () { rotateQr(); refreshUndo(); }, 1000);
  window.addEventListener("online", cameOnline);
  window.addEventListener("offline", wentOffline);
  connect();
  flush();
})();
