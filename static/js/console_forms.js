/* The console's forms (confirm, decline, contacts, follow-up answers) go to the console's API.
 *
 * A form marked data-console-form posts to its action (an /api/console/<token>/... operation): as
 * JSON, with data-event as "event", or as multipart form data when marked data-multipart (an
 * answer may carry an attachment). An answer 2xx reloads the page, which then shows the new state
 * and the server's message (kept in sessionStorage across the reload); a refusal shows each field's
 * reason next to the field and the rest above the form, in the words the server chose.
 */
(function () {
  "use strict";
  var FLASH_KEY = "diemcau.console-flash";
  var stringsNode = document.getElementById("console-strings");
  var S = stringsNode ? JSON.parse(stringsNode.textContent) : {};

  function showMessage(text, kind) {
    var box = document.getElementById("console-messages");
    if (!box || !text) return;
    var item = document.createElement("li");
    item.className = kind || "success";
    item.textContent = text;
    box.appendChild(item);
    box.classList.remove("hidden");
  }

  function keepForAfterReload(text) {
    try { sessionStorage.setItem(FLASH_KEY, JSON.stringify({ text: text || "" })); } catch (e) { /* private mode */ }
  }

  function showKeptMessage() {
    var kept = null;
    try {
      kept = JSON.parse(sessionStorage.getItem(FLASH_KEY) || "null");
      sessionStorage.removeItem(FLASH_KEY);
    } catch (e) { kept = null; }
    if (kept && kept.text) showMessage(kept.text, "success");
  }

  function generalError(form, text) {
    var node = form.querySelector("[data-form-error]");
    if (!node) { showMessage(text, "error"); return; }
    node.textContent = text || "";
    node.classList.toggle("hidden", !text);
  }

  function clearErrors(form) {
    form.querySelectorAll("[data-field-error]").forEach(function (node) { node.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (node) { node.removeAttribute("aria-invalid"); });
    generalError(form, "");
  }

  // The reasons for one field, right after its input; false when the form has no such field.
  function fieldError(form, name, reasons) {
    var input = name ? form.querySelector('[name="' + name + '"]') : null;
    if (!input) return false;
    var list = document.createElement("ul");
    list.className = "errorlist";
    list.dataset.fieldError = name;
    reasons.forEach(function (reason) {
      var item = document.createElement("li");
      item.textContent = reason;
      list.appendChild(item);
    });
    input.setAttribute("aria-invalid", "true");
    input.insertAdjacentElement("afterend", list);
    return true;
  }

  function showRefusal(form, body) {
    var fields = body.fields || {}, rest = [], placed = false;
    Object.keys(fields).forEach(function (name) {
      if (fieldError(form, name, fields[name])) placed = true;
      else rest = rest.concat(fields[name]);
    });
    if (body.code === "invalid_link") rest = [body.detail || S.invalidLink];
    else if (!rest.length && !placed) rest = (body.errors && body.errors.length) ? body.errors : [body.detail || S.refused];
    else if (!rest.length) rest = [body.detail || S.refused];
    generalError(form, rest.join(" "));
    var first = form.querySelector("[aria-invalid]");
    if (first) first.focus();
  }

  function reloadAt(form) {
    var url = new URL(location.href);
    if (form.dataset.event) url.searchParams.set("event", form.dataset.event);
    var section = form.closest("section[id]");
    url.hash = section ? section.id : "";
    history.replaceState(null, "", url.toString());
    location.reload();
  }

  function request(form) {
    // The API negotiates its language; the page's is what the school chose (Vietnamese unless switched).
    var options = { method: "POST", credentials: "omit", cache: "no-store",
                    headers: { Accept: "application/json", "Accept-Language": document.documentElement.lang || "vi" } };
    if (form.hasAttribute("data-multipart")) {
      options.body = new FormData(form);
    } else {
      var data = {};
      new FormData(form).forEach(function (value, key) { data[key] = value; });
      if (form.dataset.event) data.event = parseInt(form.dataset.event, 10);
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(data);
    }
    return fetch(form.getAttribute("action"), options);
  }

  function wire(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("[type=submit]");
      if (button) button.disabled = true;
      clearErrors(form);
      request(form).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (response.ok) { keepForAfterReload(body.message); reloadAt(form); return; }
          if (button) button.disabled = false;
          showRefusal(form, body);
        });
      }).catch(function () {
        if (button) button.disabled = false;
        generalError(form, S.sendFailed);
      });
    });
  }

  showKeptMessage();
  document.querySelectorAll("form[data-console-form]").forEach(wire);
})();
