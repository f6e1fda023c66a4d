// The console's video room: Jitsi's IFrame API, loaded from the Jitsi server only when the school
// presses the join button (the script is large, and most console visits are not for the video).
(function () {
  "use strict";

  var LOAD_TIMEOUT_MS = 15000;
  var loading = null;

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
          return fallback;
        });
      }, function () { return fallback; });
  }

  function setup(button) {
    var box = button.closest(".video-entry");
    var frame = box.querySelector("[data-jitsi-frame]");
    var errorBox = box.querySelector("[data-jitsi-error]");
    var leave = box.querySelector("[data-jitsi-leave]");
    var embedded = JSON.parse(document.getElementById(button.dataset.jitsiJoin).textContent);
    var api = null;

    function showError(message) {
      errorBox.textContent = message || errorBox.dataset.unreachable;
      errorBox.hidden = false;
      button.disabled = false;
    }

    function close() {
      if (api) { api.dispose(); api = null; }
      frame.innerHTML = "";
      leave.hidden = true;
      button.hidden = false;
      button.disabled = false;
    }

    button.addEventListener("click", function () {
      errorBox.hidden = true;
      button.disabled = true;
      freshJoinData(button.dataset.refreshUrl, embedded).then(function (join) {
        return loadExternalApi(join.script_url).then(function () {
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
          button.hidden = true;
          leave.hidden = false;
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
