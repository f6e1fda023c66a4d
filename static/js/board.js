/* The live board: renders a snapshot, then applies the server's coalesced deltas.
 *
 * Frames carry a per-connection sequence number. On (re)connect the server says hello with seq 0
 * and the board reloads the snapshot; a gap in the sequence also reloads it. Deltas carry absolute
 * values (tile states, counters), so one computed before the snapshot is simply dropped.
 * Group mode (a scope above the server's BOARD_TILES_MAX bridges, a nation's organizer: snapshot and frames say
 * mode "groups"): the table's groups are buttons; the board shows the tiles of the group picked (?group=<code>
 * on the snapshot and the socket, or a "view" message, answered by a hello), and a frame's counters carry only
 * the groups that moved.
 * Reconnects and snapshot retries wait a jittered, growing delay (static/js/backoff.js), so boards that
 * lost one server together do not all come back at the same instant.
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
    // Group mode: the code of the group looked at (from the page's ?group=), and the id the server matched it to.
    mode: "tiles", view: new URLSearchParams(location.search).get("group"), viewedId: null,
  };
  const withView = (url) => (model.view ? url + (url.includes("?") ? "&" : "?") + "group=" + encodeURIComponent(model.view) : url);
  const $ = (selector) => root.querySelector(selector);
  const el = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  };
  const fmt = (template, values) => template.replace(/\{(\w+)\}/g, (m, key) => (values[key] ?? ""));
  const { num } = window.DiemcauNumbers;  // static/js/numbers.js: 17.878
  const { Backoff } = window.DiemcauBackoff;  // static/js/backoff.js
  const outOf = (part, whole) => `${num(part)}/${num(whole)}`;

  document.querySelectorAll("[data-state-label]").forEach((node) => {
    node.textContent = T.states[node.dataset.stateLabel] || node.dataset.stateLabel;
  });

  // --- rendering -------------------------------------------------------------------------------

  function tileNode(tile) {
    let node = $("#board-groups").querySelector(`.tile[data-bridge-id="${tile.id}"]`);
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
    // Within the tiles' area: the counter table's rows carry data-group-id too.
    let section = $("#board-groups").querySelector(`:scope > [data-group-id="${group.id}"]`);
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
      if (model.mode === "groups") {
        // The group list: pick one to see its bridges' tiles.
        const pick = el("button", "link group-pick", counter.name);
        pick.type = "button";
        pick.dataset.groupCode = counter.code;
        pick.title = fmt(T.showGroup, { group: counter.name });
        pick.setAttribute("aria-pressed", String(counter.id === model.viewedId));
        const cell = el("td");
        cell.append(pick);
        row.append(cell);
        if (counter.id === model.viewedId) row.classList.add("viewed");
      } else {
        row.append(el("td", null, counter.name));
      }
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

  function renderViewHint() {
    const hint = $("#board-view-hint");
    if (!hint) return;
    if (model.mode !== "groups") { hint.classList.add("hidden"); return; }
    const group = model.groups.get(model.viewedId);
    hint.textContent = group ? fmt(T.viewingGroup, { group: group.name }) : T.pickGroup;
    hint.classList.remove("hidden");
  }

  function viewGroup(code) {
    // The socket's hello (seq as it stands) makes the board load that group's snapshot; without a socket, load it.
    model.view = code;
    const url = new URL(location.href);
    url.searchParams.set("group", code);
    history.replaceState(null, "", url);
    if (socket && socket.readyState === WebSocket.OPEN && model.lastSeq !== null) {
      socket.send(JSON.stringify({ type: "view", group: code }));
    } else if (!model.resyncing) {
      resync();
    }
  }

  $("#group-table").addEventListener("click", (event) => {
    const pick = event.target.closest(".group-pick");
    if (pick) viewGroup(pick.dataset.groupCode);
  });

  function renderMissing() {
    const list = $("#missing-list");
    const missing = Array.from(model.tiles.values()).filter((t) => t.missing);
    missing.sort((a, b) => (a.group - b.group) || a.code.localeCompare(b.code));
    if (!missing.length) {
      const pickFirst = model.mode === "groups" && model.viewedId === null;
      list.replaceChildren(el("li", "hint", pickFirst ? T.pickGroup : T.noMissing));
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
        const node = $("#board-groups").querySelector(`.tile[data-bridge-id="${id}"]`);
        if (node) node.remove();
      }
    });
    model.mode = snapshot.mode || "tiles";
    model.viewedId = snapshot.group ?? null;
    const shown = model.mode === "groups" ? snapshot.groups.filter((g) => g.id === model.viewedId) : snapshot.groups;
    root.querySelectorAll("#board-groups [data-group-id]").forEach((section) => {
      if (!shown.some((g) => String(g.id) === section.dataset.groupId)) section.remove();
    });
    shown.forEach(groupSection);
    renderTiles(snapshot.tiles);
    renderViewHint();
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
    const ownTiles = delta.mode !== "groups" || (delta.group ?? null) === model.viewedId;
    if (delta.resync || (ownTiles && delta.tiles.some((tile) => !model.tiles.has(tile.id)))) {
      // A bridge this board does not know yet (newly invited): the snapshot has all of it.
      if (!model.resyncing) resync();
      return;
    }
    if (setRollCalls(delta.roll_calls)) {
      // A new roll call changes every tile's count line.
      model.tiles.forEach((tile) => tileNode(tile));
    }
    if (delta.mode === "groups") {
      // Only the groups that moved, with their absolute counters; tiles of another group than the one now
      // looked at (a frame built before a "view") are not shown.
      const moved = new Map(delta.counters.groups.map((g) => [g.id, g]));
      model.counters = {
        groups: model.counters.groups.map((g) => moved.get(g.id) || g), total: delta.counters.total,
      };
      if ((delta.group ?? null) === model.viewedId) renderTiles(delta.tiles);
    } else {
      renderTiles(delta.tiles);
      model.counters = delta.counters;
    }
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

  const resyncBackoff = new Backoff({ base: 2000, cap: 15000 });
  async function resync() {
    model.resyncing = true;
    try {
      const response = await fetch(withView(root.dataset.snapshotUrl), { credentials: "same-origin", cache: "no-store" });
      if (!response.ok) throw new Error("HTTP " + response.status);
      applySnapshot(await response.json());
      model.buffer.forEach(applyDelta);
      resyncBackoff.reset();
    } catch (e) {
      setTimeout(resync, resyncBackoff.next());
      return;
    } finally {
      model.buffer = [];
      model.resyncing = false;
    }
  }

  let socket = null;
  // Reset by the server's hello, not by the socket opening: one that opens and closes at once backs off.
  const reconnectBackoff = new Backoff({ base: 1000, cap: 15000 });
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
      reconnectBackoff.reset();
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
    socket = new WebSocket(scheme + location.host + withView(root.dataset.wsPath));
    socket.addEventListener("message", onMessage);
    socket.addEventListener("close", (event) => {
      model.lastSeq = null;
      if (clock) clock.stop();
      if (event.code === 4403) { setStatus("forbidden"); return; }
      setStatus("reconnecting");
      setTimeout(connect, reconnectBackoff.next());
    });
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
