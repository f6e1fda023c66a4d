/* The live board: renders a snapshot, then applies the server's coalesced deltas.
 *
 * Frames carry a per-connection sequence number. On (re)connect the server says hello with seq 0
 * and the board reloads the snapshot; a gap in the sequence also reloads it. Deltas carry absolute
 * values (tile states, counters), so one computed before the snapshot is simply dropped.
 */
(function () {
  "use strict";
  const root = document.getElementById("board");
  if (!root) return;
  const T = JSON.parse(document.getElementById("board-i18n").textContent);
  const FEED_SIZE = 30;
  const TABLE_ROLL_CALLS = 4;  // the latest ones; an event has about three
  const timeFormat = new Intl.DateTimeFormat("vi-VN", {
    hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false, timeZone: "Asia/Ho_Chi_Minh",
  });

  const model = {
    groups: new Map(), tiles: new Map(), counters: null, rollCalls: [], feed: [], launch: null,
    snapshotAt: 0, lastSeq: null, resyncing: false, buffer: [],
  };
  const $ = (selector) => root.querySelector(selector);
  const el = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  };
  const fmt = (template, values) => template.replace(/\{(\w+)\}/g, (m, key) => (values[key] ?? ""));
  const { num } = window.DiemcauNumbers;  // static/js/numbers.js: 17.878
  const outOf = (part, whole) => `${num(part)}/${num(whole)}`;

  document.querySelectorAll("[data-state-label]").forEach((node) => {
    node.textContent = T.states[node.dataset.stateLabel] || node.dataset.stateLabel;
  });

  // --- rendering -------------------------------------------------------------------------------

  function tileNode(tile) {
    let node = root.querySelector(`[data-bridge-id="${tile.id}"]`);
    if (!node) {
      node = el("li", "tile");
      node.dataset.bridgeId = tile.id;
      node.append(el("span", "tile-code"), el("span", "tile-name"), el("span", "tile-count"));
    }
    node.className = "tile state-" + tile.state + (tile.status === "declined" ? " declined" : "") +
      (tile.flagged ? " flagged" : "");
    node.dataset.flagged = String(tile.flagged || 0);
    node.dataset.state = tile.state;
    // Inside its district's box a school needs only the end of its code (QNG-BSO-007 -> 007).
    const group = model.groups.get(tile.group);
    const prefix = group ? group.code + "-" : null;
    node.querySelector(".tile-code").textContent =
      prefix && tile.code.startsWith(prefix) && tile.code.length > prefix.length ? tile.code.slice(prefix.length) : tile.code;
    node.querySelector(".tile-name").textContent = tile.name;
    const latest = model.rollCalls.length ? tile.present[String(model.rollCalls[model.rollCalls.length - 1].id)] || 0 : null;
    node.querySelector(".tile-count").textContent = latest === null ? "" : outOf(latest, tile.expected);
    const state = T.states[tile.state] + (tile.status === "declined" ? ` (${T.declined})` : "");
    node.title = `${tile.code} – ${tile.name}: ${state}` + (tile.phone ? ` · ${tile.phone}` : "") +
      (tile.flagged ? ` · ${fmt(T.flagged, { count: num(tile.flagged) })}` : "");
    return node;
  }

  function groupSection(group) {
    let section = root.querySelector(`[data-group-id="${group.id}"]`);
    if (!section) {
      section = el("section", "tile-group");
      section.dataset.groupId = group.id;
      const head = el("h3", null, group.name);
      head.append(" ", el("small", "group-count"));
      section.append(head, el("ul", "tile-grid"));
      $("#board-groups").append(section);
    }
    return section;
  }

  function renderTiles(tiles) {
    tiles.forEach((tile) => {
      // Deltas carry only the live fields; name, code, group and phone come from the snapshot.
      if (model.tiles.has(tile.id)) tile = Object.assign(model.tiles.get(tile.id), tile);
      model.tiles.set(tile.id, tile);
      const node = tileNode(tile);
      if (!node.parentNode) {
        const group = model.groups.get(tile.group) || { id: tile.group, name: "" };
        groupSection(group).querySelector(".tile-grid").append(node);
      }
    });
  }

  const tableRollCalls = () => model.rollCalls.slice(-TABLE_ROLL_CALLS);

  function counterCells(row, counter) {
    row.append(el("td", "num", outOf(counter.online, counter.invited)), el("td", "num", num(counter.checked_in)));
    tableRollCalls().forEach((rc) => {
      row.append(el("td", "num", outOf(counter.present[String(rc.id)] || 0, counter.expected)));
    });
    row.append(el("td", "num", num(counter.expected)));
  }

  function renderCounters() {
    const counters = model.counters;
    if (!counters) return;
    const table = $("#group-table");
    const labels = table.dataset;
    const headRow = el("tr");
    headRow.append(el("th", null, labels.district), el("th", "num", labels.online), el("th", "num", labels.checked));
    tableRollCalls().forEach((rc) => {
      const th = el("th", "num", rc.label);
      if (rc.open) th.append(" ", el("span", "badge open", T.rollCallOpen));
      headRow.append(th);
    });
    headRow.append(el("th", "num", labels.expected));
    table.tHead.replaceChildren(headRow);
    const body = counters.groups.map((counter) => {
      const row = el("tr");
      row.dataset.groupId = counter.id;
      row.append(el("td", null, counter.name));
      counterCells(row, counter);
      const section = root.querySelector(`[data-group-id="${counter.id}"] .group-count`);
      if (section) section.textContent = outOf(counter.online, counter.invited);
      return row;
    });
    table.tBodies[0].replaceChildren(...body);
    const total = el("tr", "total-row");
    total.append(el("th", null, T.total));
    counterCells(total, counters.total);
    table.tFoot.replaceChildren(total);
    root.querySelectorAll("[data-total]").forEach((node) => {
      const value = counters.total[node.dataset.total];
      node.textContent = value === undefined || value === null ? "" : num(value);
    });
  }

  function renderMissing() {
    const list = $("#missing-list");
    const missing = Array.from(model.tiles.values()).filter((t) => t.missing);
    missing.sort((a, b) => (a.group - b.group) || a.code.localeCompare(b.code));
    if (!missing.length) {
      list.replaceChildren(el("li", "hint", T.noMissing));
      return;
    }
    list.replaceChildren(...missing.map((tile) => {
      const item = el("li");
      item.dataset.bridgeId = tile.id;
      const group = model.groups.get(tile.group);
      item.append(el("strong", null, tile.name), " ", el("small", null, group ? group.name : ""), " ");
      if (tile.phone) {
        const link = el("a", "phone", tile.phone);
        link.href = "tel:" + tile.phone.replace(/[^\d+]/g, "");
        item.append(link);
        if (tile.phone_checked === false) item.append(" ", el("span", "hint unchecked", T.unchecked));
      }
      return item;
    }));
  }

  // One line per bridge and minute for check-ins ("Trường X: +23 giáo viên"), as the server summarises them.
  const MINUTE_MS = 60000;
  const feedKey = (item) => (item.kind === "checkin" ? `checkin:${item.bridge_id}:${Math.floor(item.at / MINUTE_MS)}` : null);

  function mergeFeed(fresh, feed) {
    // A frame's "+N" for a bridge adds to that bridge's line of the same minute, which moves to the top.
    const merged = [];
    const byKey = new Map();
    fresh.forEach((item) => {
      const key = feedKey(item);
      if (key && byKey.has(key)) { byKey.get(key).count += item.count; return; }
      const line = Object.assign({}, item);
      if (key) byKey.set(key, line);
      merged.push(line);
    });
    feed.forEach((item) => {
      const key = feedKey(item);
      if (key && byKey.has(key)) {
        const line = byKey.get(key);
        line.count += item.count;
        line.at = Math.max(line.at, item.at);
        return;
      }
      merged.push(item);
    });
    return merged;
  }

  function feedText(item) {
    const kind = item.kind === "checkin" && item.count > 1 ? "checkins" : item.kind;
    const template = T.feed[kind] || T.feed.other;
    return fmt(template, { bridge: item.bridge, count: num(item.count), label: item.label, kind: item.kind });
  }

  function renderFeed() {
    const list = $("#feed");
    if (!model.feed.length) {
      list.replaceChildren(el("li", "hint", T.noFeed));
      return;
    }
    list.replaceChildren(...model.feed.map((item) => {
      const li = el("li", "feed-" + item.kind);
      li.append(el("time", null, timeFormat.format(new Date(item.at))), " ", el("span", null, feedText(item)));
      return li;
    }));
  }

  function setRollCalls(rollCalls) {
    const before = JSON.stringify(model.rollCalls.map((rc) => rc.id));
    model.rollCalls = rollCalls || [];
    return before !== JSON.stringify(model.rollCalls.map((rc) => rc.id));
  }

  function applySnapshot(snapshot) {
    model.snapshotAt = snapshot.generated_at;
    model.event = snapshot.event;
    model.groups = new Map(snapshot.groups.map((g) => [g.id, g]));
    setRollCalls(snapshot.roll_calls);
    const keep = new Set(snapshot.tiles.map((t) => t.id));
    model.tiles.forEach((tile, id) => {
      if (!keep.has(id)) {
        model.tiles.delete(id);
        const node = root.querySelector(`[data-bridge-id="${id}"]`);
        if (node) node.remove();
      }
    });
    snapshot.groups.forEach(groupSection);
    renderTiles(snapshot.tiles);
    model.counters = snapshot.counters;
    model.feed = snapshot.feed.slice(0, FEED_SIZE);
    renderCounters();
    renderMissing();
    renderFeed();
    showLaunch(snapshot.launch);
    root.dataset.snapshotAt = String(snapshot.generated_at);
  }

  function applyDelta(delta) {
    if (delta.generated_at < model.snapshotAt) return;
    if (delta.resync || delta.tiles.some((tile) => !model.tiles.has(tile.id))) {
      // A bridge this board does not know yet (newly invited): the snapshot has all of it.
      if (!model.resyncing) resync();
      return;
    }
    if (setRollCalls(delta.roll_calls)) {
      // A new roll call changes every tile's count line.
      model.tiles.forEach((tile) => tileNode(tile));
    }
    renderTiles(delta.tiles);
    model.counters = delta.counters;
    renderCounters();
    if (delta.tiles.length) renderMissing();
    if (delta.feed.length) {
      model.feed = mergeFeed(delta.feed, model.feed).slice(0, FEED_SIZE);
      renderFeed();
    }
    showLaunch(delta.launch);
    root.dataset.seq = String(delta.seq);
  }

  // --- the connection --------------------------------------------------------------------------

  const status = $("#board-connection");
  function setStatus(state) {
    status.dataset.state = state;
    status.textContent = T.connection[state] || state;
    root.dataset.connection = state;
  }

  async function resync() {
    model.resyncing = true;
    try {
      const response = await fetch(root.dataset.snapshotUrl, { credentials: "same-origin", cache: "no-store" });
      if (!response.ok) throw new Error("HTTP " + response.status);
      applySnapshot(await response.json());
      model.buffer.forEach(applyDelta);
    } catch (e) {
      setTimeout(resync, 2000);
      return;
    } finally {
      model.buffer = [];
      model.resyncing = false;
    }
  }

  let socket = null;
  let retry = 1000;
  let clock = null;
  let overlay = null;
  const overlayEl = document.getElementById("launch-overlay");
  if (window.DiemcauLaunch && overlayEl) {
    clock = new window.DiemcauLaunch.ClockSync((message) => {
      if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
    });
    overlay = new window.DiemcauLaunch.Overlay(overlayEl, clock);
  }
  const launchedFormat = new Intl.DateTimeFormat("en-GB", {
    hour: "2-digit", minute: "2-digit", day: "2-digit", month: "2-digit", year: "numeric", hourCycle: "h23",
    timeZone: "Asia/Ho_Chi_Minh",
  });
  function launchedText(ms) {
    // "HH:MM dd/mm/yyyy", as the server writes it.
    const parts = {};
    launchedFormat.formatToParts(new Date(ms)).forEach((part) => { parts[part.type] = part.value; });
    return `${parts.hour}:${parts.minute} ${parts.day}/${parts.month}/${parts.year}`;
  }
  function showLaunch(launch) {
    if (!launch) return;
    if (overlay) overlay.show(launch);
    const button = document.getElementById("launch-button");
    if (button) button.disabled = true;
    const note = document.getElementById("launched-at");
    if (note) {
      note.textContent = fmt(T.launchedAt, { when: launchedText(launch.at) });
      note.classList.remove("hidden");
    }
    const badge = document.getElementById("event-status");
    if (badge && badge.dataset.liveLabel) {
      badge.textContent = badge.dataset.liveLabel;
      badge.className = "badge ev-live";
    }
    const early = document.getElementById("launch-early-hint");
    if (early) early.classList.add("hidden");
  }

  function onMessage(event) {
    let frame;
    try { frame = JSON.parse(event.data); } catch (e) { return; }
    if (frame.type === "hello") {
      model.lastSeq = frame.seq;
      setStatus("live");
      if (clock) clock.start();
      resync();
    } else if (frame.type === "delta") {
      if (model.lastSeq === null) return;
      const gap = frame.seq !== model.lastSeq + 1;
      model.lastSeq = frame.seq;
      if (gap) {
        resync();
      } else if (model.resyncing) {
        model.buffer.push(frame);
      } else {
        applyDelta(frame);
      }
    } else if (frame.type === "clock" && clock) {
      clock.onReply(frame);
    }
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + root.dataset.wsPath);
    socket.addEventListener("message", onMessage);
    socket.addEventListener("close", (event) => {
      model.lastSeq = null;
      if (clock) clock.stop();
      if (event.code === 4403) { setStatus("forbidden"); return; }
      setStatus("reconnecting");
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 15000);
    });
    socket.addEventListener("open", () => { retry = 1000; });
  }

  // --- the launch button (organizers) ----------------------------------------------------------

  // Before the event's start the server refuses with how early it is (code launch_early); the organizer
  // then confirms an early launch in those words, and only that second press carries early=1.
  const launchForm = document.getElementById("launch-form");
  if (launchForm && window.DiemcauLaunch) {
    launchForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const serverNow = clock && clock.synced ? clock.serverNow() : Date.now();
      const looksEarly = model.event && serverNow < model.event.starts_at;
      if (!looksEarly && !window.confirm(T.confirmLaunch)) return;
      const button = launchForm.querySelector("button");
      button.disabled = true;
      try {
        let body;
        try {
          body = await window.DiemcauLaunch.press(launchForm.action, launchForm);
        } catch (refusal) {
          if (!refusal.body || refusal.body.code !== "launch_early") throw refusal;
          if (!window.confirm(refusal.body.detail + "\n\n" + T.confirmEarly)) { button.disabled = false; return; }
          body = await window.DiemcauLaunch.press(launchForm.action, launchForm, { early: true });
        }
        showLaunch(body.launch);
      } catch (e) {
        button.disabled = false;
        window.alert(e.body && e.body.detail ? e.body.detail : T.launchFailed);
      }
    });
  }

  const initial = document.getElementById("board-snapshot");
  if (initial) applySnapshot(JSON.parse(initial.textContent));
  setStatus("connecting");
  setInterval(() => { if (clock && socket && socket.readyState === WebSocket.OPEN) clock.start(); }, 60000);
  connect();
})();
