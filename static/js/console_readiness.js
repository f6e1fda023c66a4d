// The console's readiness test: live-connection round trip over /ws/ping/, download throughput from
// our own server, camera and microphone, and whether the Jitsi server answers from this network.
// The server judges the numbers (events/services/readiness.py); this file only measures and shows.
(function () {
  "use strict";

  var section = document.getElementById("readiness");
  if (!section) return;
  var config = JSON.parse(document.getElementById(section.dataset.configId).textContent);
  // The console's routes (#console-urls): the speed test's bytes and the API operation that records the result.
  var urls = JSON.parse(document.getElementById("console-urls").textContent);
  var labels = JSON.parse(document.getElementById(section.dataset.labelsId).textContent);
  var button = section.querySelector("[data-run-readiness]");
  var resultBox = section.querySelector(".readiness-result");
  var PINGS = 10;

  function step(name, text, state) {
    var li = section.querySelector('[data-step="' + name + '"]');
    if (!li) return;
    li.dataset.state = state || "";
    li.querySelector(".step-result").textContent = text;
  }

  function withTimeout(promise, ms) {
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () { reject(new Error("timeout")); }, ms);
      promise.then(function (v) { clearTimeout(timer); resolve(v); },
                   function (e) { clearTimeout(timer); reject(e); });
    });
  }

  function median(values) {
    var sorted = values.slice().sort(function (a, b) { return a - b; });
    var mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  // Median of PINGS sequential round trips; null when the websocket cannot be opened.
  function measureRtt() {
    return new Promise(function (resolve) {
      var scheme = location.protocol === "https:" ? "wss://" : "ws://";
      var ws;
      try { ws = new WebSocket(scheme + location.host + config.wsPath); } catch (e) { resolve(null); return; }
      var samples = [];
      var sentAt = 0;
      var done = false;
      var timer = setTimeout(function () { finish(samples.length ? median(samples) : null); }, 15000);
      function finish(value) {
        if (done) return;
        done = true;
        clearTimeout(timer);
        try { ws.close(); } catch (e) { /* already closed */ }
        resolve(value);
      }
      function ping() {
        sentAt = performance.now();
        ws.send(JSON.stringify({ type: "ping", n: samples.length, t: sentAt }));
      }
      ws.onopen = function () { ws.send(JSON.stringify({ type: "hello", token: config.token })); };
      ws.onmessage = function (msg) {
        var data;
        try { data = JSON.parse(msg.data); } catch (e) { return; }
        if (data.type === "ready") { ping(); return; }
        if (data.type === "pong") {
          samples.push(performance.now() - sentAt);
          if (samples.length >= PINGS) finish(median(samples)); else ping();
        }
      };
      ws.onerror = function () { finish(samples.length ? median(samples) : null); };
      ws.onclose = function () { finish(samples.length ? median(samples) : null); };
    });
  }

  function measureDownload() {
    var url = urls.files.speedtest + "?bytes=" + config.speedtestBytes + "&nocache=" + Date.now();
    var started = performance.now();
    return withTimeout(fetch(url, { cache: "no-store", credentials: "same-origin" }), 30000)
      .then(function (resp) {
        if (!resp.ok) throw new Error(resp.status);
        return resp.arrayBuffer();
      })
      .then(function (body) {
        var seconds = (performance.now() - started) / 1000;
        return Math.round((body.byteLength * 8 / seconds / 1e6) * 10) / 10;
      })
      .catch(function () { return null; });
  }

  // "ok", "not_allowed", "not_found", "unsupported" or "error"; the tracks are stopped at once.
  function checkDevice(constraints) {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return Promise.resolve("unsupported");
    return withTimeout(navigator.mediaDevices.getUserMedia(constraints), 30000)
      .then(function (stream) {
        stream.getTracks().forEach(function (track) { track.stop(); });
        return "ok";
      })
      .catch(function (err) {
        var name = err && err.name;
        if (name === "NotAllowedError" || name === "SecurityError" || name === "PermissionDeniedError") return "not_allowed";
        if (name === "NotFoundError" || name === "OverconstrainedError" || name === "DevicesNotFoundError") return "not_found";
        return "error";
      });
  }

  // An opaque (no-cors) answer is enough: it proves the server is reachable from this network.
  function checkJitsi() {
    var url = "https://" + config.jitsiDomain + "/external_api.js";
    return withTimeout(fetch(url, { mode: "no-cors", cache: "no-store" }), 8000)
      .then(function () { return true; })
      .catch(function () { return false; });
  }

  function showResult(answer) {
    resultBox.textContent = "";
    var p = document.createElement("p");
    p.className = answer.ok ? "ok" : "error";
    p.textContent = answer.ok ? labels.passed : labels.problems;
    resultBox.appendChild(p);
    if (!answer.ok && answer.problems) {
      var ul = document.createElement("ul");
      answer.problems.forEach(function (text) {
        var li = document.createElement("li");
        li.textContent = text;
        ul.appendChild(li);
      });
      resultBox.appendChild(ul);
    }
    var badge = document.getElementById("invitation-status");
    if (badge && answer.status_label) {
      badge.textContent = answer.status_label;
      badge.className = "badge st-" + answer.status;
    }
  }

  function showError(text) {
    resultBox.textContent = "";
    var p = document.createElement("p");
    p.className = "error";
    p.textContent = text;
    resultBox.appendChild(p);
  }

  function deviceText(value) { return value === "ok" ? labels.ok : (labels[value] || labels.error); }

  async function run() {
    button.disabled = true;
    resultBox.textContent = "";
    ["rtt", "download", "camera", "microphone", "jitsi"].forEach(function (name) { step(name, "", ""); });
    var results = {};
    try {
      step("rtt", labels.running, "running");
      results.rtt_ms = await measureRtt();
      step("rtt", results.rtt_ms === null ? labels.failed : window.DiemcauNumbers.num(results.rtt_ms) + " " + labels.ms,
           results.rtt_ms === null ? "bad" : "done");
      if (results.rtt_ms !== null) results.rtt_ms = Math.round(results.rtt_ms * 10) / 10;

      step("download", labels.running, "running");
      results.download_mbps = await measureDownload();
      step("download", results.download_mbps === null ? labels.failed
           : window.DiemcauNumbers.num(results.download_mbps, 1) + " " + labels.mbps,
           results.download_mbps === null ? "bad" : "done");

      step("camera", labels.running, "running");
      results.camera = await checkDevice({ video: true });
      step("camera", deviceText(results.camera), results.camera === "ok" ? "done" : "bad");

      step("microphone", labels.running, "running");
      results.microphone = await checkDevice({ audio: true });
      step("microphone", deviceText(results.microphone), results.microphone === "ok" ? "done" : "bad");

      step("jitsi", labels.running, "running");
      results.jitsi_reachable = await checkJitsi();
      step("jitsi", results.jitsi_reachable ? labels.reachable : labels.unreachable,
           results.jitsi_reachable ? "done" : "bad");

      results.event = config.event;
      // The console's token in the path is the credential: no cookie, so no CSRF token either.
      var resp = await fetch(urls.api.readiness, {
        method: "POST",
        credentials: "omit",
        headers: { "Content-Type": "application/json", Accept: "application/json",
                   "Accept-Language": document.documentElement.lang || "vi" },
        body: JSON.stringify(results),
      });
      var answer = await resp.json();
      if (!resp.ok) {
        showError((answer.detail || labels.sendFailed) + (answer.errors ? " " + answer.errors.join(" ") : ""));
      } else {
        showResult(answer);
      }
    } catch (e) {
      showError(labels.sendFailed);
    } finally {
      button.disabled = false;
    }
  }

  button.addEventListener("click", run);
})();
