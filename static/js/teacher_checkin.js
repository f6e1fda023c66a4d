/* The teacher's check-in page (/a/<code>) and its answer page (templates/attendance/teacher_*.html).

On the form: a retried submit keeps its nonce (the server answers it once), and the name search asks
/a/<code>/names as the teacher types (at most a few masked names, never the roster). On the answer:
the submit was answered, so a later one on this phone (another colleague) gets a new nonce.
*/
(function () {
  var result = document.getElementById("checkin-result");
  if (result) {
    try { if (result.dataset.rollCall) sessionStorage.removeItem("diemcau.pending-nonce." + result.dataset.rollCall); } catch (e) {}
    return;
  }
  var form = document.getElementById("teacher-form"), input = document.getElementById("nonce");
  if (!form) return;
  var key = "diemcau.pending-nonce." + form.dataset.rollCall;
  try {
    if (document.getElementById("teacher-checkin").dataset.answered) sessionStorage.removeItem(key);
    var pending = sessionStorage.getItem(key);
    if (pending) input.value = pending;
    else if (window.crypto && crypto.randomUUID) input.value = crypto.randomUUID();
  } catch (e) { /* storage disabled: the server-made nonce still protects a double submit */ }
  form.addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.name === "find") return;
    try { sessionStorage.setItem(key, input.value); } catch (e) {}
    var button = document.getElementById("submit-checkin");
    button.disabled = true;
    setTimeout(function () { button.disabled = false; }, 8000);
  });

  // Search as you type: at most a few masked names, never the roster.
  var search = document.getElementById("name-search"), box = document.getElementById("name-matches");
  var hint = document.getElementById("name-hint"), timer = null, asked = "";
  var minLetters = parseInt(form.dataset.minLetters, 10) || 3;
  function letters(text) { return text.replace(/[\s-]+/g, "").length; }
  function show(data) {
    box.textContent = "";
    (data.matches || []).forEach(function (match) {
      var label = document.createElement("label"), radio = document.createElement("input");
      label.className = "name-match";
      radio.type = "radio"; radio.name = "person"; radio.value = match.id;
      if ((data.matches || []).length === 1) radio.checked = true;
      label.appendChild(radio);
      label.appendChild(document.createTextNode(" " + match.label));
      box.appendChild(label);
    });
    hint.textContent = data.message || data.detail || "";
  }
  function ask() {
    var text = search.value.trim();
    if (text === asked) return;
    asked = text;
    if (letters(text) < minLetters) { box.textContent = ""; hint.textContent = ""; return; }
    var url = form.dataset.namesUrl + "?page=" + encodeURIComponent(document.getElementById("page-token").value) +
              "&q=" + encodeURIComponent(text);
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (data) { if (asked === text) show(data); })
      .catch(function () { /* offline: the Find button still works once back */ });
  }
  search.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(ask, 250); });
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); clearTimeout(timer); ask(); }
  });
})();
