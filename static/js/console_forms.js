/* The console's forms (confirm, decline, contacts, follow-up answers) go to the console's API.
 *
 * A form marked data-console-form posts to its action (an /api/console/<token>/... operation): as
 * JSON, with data-event as "event", or as multipart form data when marked data-multipart (an
 * answer may carry an attachment). An answer 2xx reloads the page, which then shows the new state
 * and the server's message (kept in sessionStorage across the reload) at the top of the section the form
 * was in, scrolled into view (a launch-day console folds that section under "more": it is opened); a
 * refusal shows each field's reason next to the field and a summary at the top of the form, in the words
 * the server chose, focused and scrolled into view: the eye is where the form starts, not two screens up.
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

  function keepForAfterReload(text, section) {
    try { sessionStorage.setItem(FLASH_KEY, JSON.stringify({ text: text || "", section: section || "" })); }
    catch (e) { /* private mode */ }
  }

  // Opens the folded parts (<details>) around a node, so that it can be seen and scrolled to.
  function unfold(node) {
    for (var parent = node && node.parentElement; parent; parent = parent.parentElement) {
      if (parent.tagName === "DETAILS" && !parent.open) parent.open = true;
    }
  }

  function bringIntoView(node) {
    if (!node) return;
    unfold(node);
    if (!node.hasAttribute("tabindex")) node.setAttribute("tabindex", "-1");
    node.focus({ preventScroll: true });
    node.scrollIntoView({ block: "start" });
  }

  function showKeptMessage() {
    var kept = null;
    try {
      kept = JSON.parse(sessionStorage.getItem(FLASH_KEY) || "null");
      sessionStorage.removeItem(FLASH_KEY);
    } catch (e) { kept = null; }
    if (!kept || !kept.text) return;
    var box = document.getElementById("console-messages");
    var section = kept.section ? document.getElementById(kept.section) : null;
    // The answer where the school was working: the top of that section (it may have gone: then the page's top).
    if (box && section) {
      var heading = section.querySelector("h2");
      if (heading) heading.insertAdjacentElement("afterend", box); else section.prepend(box);
    }
    showMessage(kept.text, "success");
    bringIntoView(box && section ? box : null);
  }

  function generalError(form, text) {
    var node = form.querySelector("[data-form-error]");
    if (!node) {
      node = document.createElement("p");
      node.className = "errorlist nonfield hidden";
      node.setAttribute("data-form-error", "");
      node.setAttribute("role", "alert");
      form.prepend(node);
    }
    node.textContent = text || "";
    node.classList.toggle("hidden", !text);
    return node;
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
    else if (!rest.length) rest = [body.detail || S.checkFields || S.refused];
    bringIntoView(generalError(form, rest.join(" ")));
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
          if (response.ok) {
            var section = form.closest("section[id]");
            keepForAfterReload(body.message, section ? section.id : "");
            reloadAt(form);
            return;
          }
          if (button) button.disabled = false;
          showRefusal(form, body);
        });
      }).catch(function () {
        if (button) button.disabled = false;
        bringIntoView(generalError(form, S.sendFailed));
      });
    });
  }

  // A link or a reload to #section inside the folded part opens it.
  if (location.hash.length > 1) {
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target) { unfold(target); target.scrollIntoView({ block: "start" }); }
  }
  showKeptMessage();
  document.querySelectorAll("form[data-console-form]").forEach(wire);
})();
