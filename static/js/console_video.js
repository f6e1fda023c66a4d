// The console's video room: Jitsi's IFrame API, loaded from the Jitsi server only when the school
// presses the join button (the script is large, and most console visits are not for the video).
// A room token lives for its session plus a margin (video.tokens.token_expiry): the page fetches a
// fresh one before `expires_at`, and when Jitsi drops the call for good it joins again with that one.
(function () {
  "use strict";

  var LOAD_TIMEOUT_MS = 15000;
  var REFRESH_BEFORE_MS = 10 * 60 * 1000;
  var MIN_REFRESH_MS = 30 * 1000;
  var loading = null;

  function expired(join) {
    return !join || !join.expires_at || Date.parse(join.expires_at) <= Date.now();
  }

  function loadExternalApi(url) {
    if (window.JitsiMeetExternalAPI) return Promise.resolve();
    if (loading) return loading;
    loading = new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      var timer = setTimeout(fail, LOAD_TIMEOUT_MS);
      function fail() {
        clearTimeout(timer);
        script.remove();
        loading = null;
        reject(new Error("unreachable"));
      }
      script.src = url;
      script.async = true;
      script.onload = function () {
        clearTimeout(timer);
        if (window.JitsiMeetExternalAPI) resolve(); else fail();
      };
      script.onerror = fail;
      document.head.appendChild(script);
    });
    return loading;
  }

  // The plan may have changed since the page was rendered: ask for fresh join data, and fall back
  // to what the page holds when the network hiccups. A refusal (403) is shown as the server words it.
  function freshJoinData(url, fallback) {
    if (!url || !window.fetch) return Promise.resolve(fallback);
    // The API negotiates its language: a refusal in the page's (Vietnamese unless the school switched).
    return fetch(url, { credentials: "omit",
                        headers: { Accept: "application/json", "Accept-Language": document.documentElement.lang || "vi" } })
      .then(function (response) {
        return response.json().then(function (body) {
          if (response.ok) return body;
          if (response.status === 403 || response.status === 404) throw new Error(body.detail || "");
          return usable(fallback);
        });
      }, function () { return usable(fallback); });
  }

  // An expired token would only fail inside Jitsi: say the server could not be reached instead.
  function usable(join) {
    if (expired(join)) throw new Error("unreachable");
    return join;
  }

  function setup(button) {
    var box = button.closest(".video-entry");
    var frame = box.querySelector("[data-jitsi-frame]");
    var errorBox = box.querySelector("[data-jitsi-error]");
    var leave = box.querySelector("[data-jitsi-leave]");
    var current = JSON.parse(document.getElementById(button.dataset.jitsiJoin).textContent);
    var api = null;
    var refreshTimer = null;
    var rejoined = false;

    // Keep a valid token at hand: before this one expires, ask for the next (a failure tries again soon).
    function scheduleRefresh() {
      clearTimeout(refreshTimer);
      var due = Date.parse(current.expires_at) - REFRESH_BEFORE_MS - Date.now();
      refreshTimer = setTimeout(function () {
        freshJoinData(button.dataset.refreshUrl, current).then(function (join) {
          current = join;
          scheduleRefresh();
        }, function () {
          refreshTimer = setTimeout(scheduleRefresh, MIN_REFRESH_MS);
        });
      }, Math.max(MIN_REFRESH_MS, due));
    }

    function start(join) {
      return loadExternalApi(join.script_url).then(function () {
        if (api) { api.dispose(); api = null; frame.innerHTML = ""; }
        api = new window.JitsiMeetExternalAPI(join.domain, {
          roomName: join.room,
          jwt: join.jwt,
          parentNode: frame,
          width: "100%",
          height: Math.max(360, Math.round(window.innerHeight * 0.7)),
          lang: document.documentElement.lang || "vi",
          userInfo: { displayName: join.display_name }
        });
        api.addListener("readyToClose", close);
        // A fatal error (the connection lost past Jitsi's own retries): join once more with the fresh token.
        api.addListener("errorOccurred", function (error) {
          if (!error || !error.isFatal || rejoined || expired(current)) return;
          rejoined = true;
          start(current);
        });
        button.hidden = true;
        leave.hidden = false;
      });
    }

    var errorText = errorBox.querySelector("[data-jitsi-error-text]");
    var retry = errorBox.querySelector("[data-jitsi-retry]");

    // What failed (the server's refusal, or the video server out of reach) and, below it, what to do.
    function showError(message) {
      errorText.textContent = message || errorText.dataset.unreachable;
      errorBox.hidden = false;
      button.disabled = false;
      errorBox.focus({ preventScroll: true });
      errorBox.scrollIntoView({ block: "nearest" });
    }
    if (retry) retry.addEventListener("click", function () { button.click(); });

    function close() {
      clearTimeout(refreshTimer);
      rejoined = false;
      if (api) { api.dispose(); api = null; }
      frame.innerHTML = "";
      leave.hidden = true;
      button.hidden = false;
      button.disabled = false;
    }

    button.addEventListener("click", function () {
      errorBox.hidden = true;
      button.disabled = true;
      freshJoinData(button.dataset.refreshUrl, current).then(function (join) {
        current = join;
        scheduleRefresh();
        return start(join).then(function () {
          frame.scrollIntoView({ behavior: "smooth", block: "start" });
        });
      }).catch(function (error) {
        showError(error && error.message !== "unreachable" ? error.message : "");
      });
    });
    leave.addEventListener("click", close);
  }

  document.querySelectorAll("[data-jitsi-join]").forEach(setup);
})();
