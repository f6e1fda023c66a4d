// Asking first, in place (core/confirm.py holds the rule; this only shows it).
//
// A form marked data-ask-first="<section id>" posts with review=1: the server answers with its confirmation
// page (count and consequence computed now). Here that answer opens in a <dialog> instead of a new page;
// the confirmed form is posted with fetch and the section of the answer with that id replaces ours, with
// the answer's messages at its top: a job's progress appears where its button was, without a reload.
// A section marked data-refresh-on-finish is re-read the same way once a job inside it ends (its counts
// were from before the job). Without JavaScript the same forms lead to the confirmation page itself.
(function () {
  const progressSrc = (document.currentScript && document.currentScript.src || "").replace(/confirm\.js(\?.*)?$/, "progress.js");
  let dialog = null;

  function theDialog() {
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.className = "confirm-dialog";
      document.body.appendChild(dialog);
    }
    return dialog;
  }

  function parse(html) {
    return new DOMParser().parseFromString(html, "text/html");
  }

  function watchJobs(root) {
    if (!root.querySelector(".job[data-job-url]")) return;
    if (window.diemcauJobs) { window.diemcauJobs.watch(root); return; }
    const script = document.createElement("script");
    script.src = progressSrc;
    document.head.appendChild(script);  // progress.js watches every block when it loads
  }

  // Put the answer's section in place of ours; false when either is missing.
  function swapSection(doc, id) {
    const here = id && document.getElementById(id);
    const fresh = id && doc.getElementById(id);
    if (!here || !fresh) return false;
    const adopted = document.importNode(fresh, true);
    const messages = doc.querySelector("ul.messages");
    if (messages) {
      const copy = document.importNode(messages, true);
      copy.classList.add("swapped-messages");
      adopted.insertBefore(copy, adopted.firstChild);
    }
    here.replaceWith(adopted);
    watchJobs(adopted);
    return adopted;
  }

  async function send(url, method, body) {
    const options = { method: method, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } };
    if (method === "GET") {
      url += (url.indexOf("?") < 0 ? "?" : "&") + new URLSearchParams(body).toString();
    } else {
      options.body = body;
    }
    const resp = await fetch(url, options);
    const text = await resp.text();
    return { resp: resp, text: text, doc: parse(text) };
  }

  // The answer has no section to put in ours: show the answer itself (its messages were spent on it).
  function follow(resp, section, text) {
    if (text) {
      history.replaceState(null, "", resp.url + (section ? "#" + section : ""));
      document.open();
      document.write(text);
      document.close();
      return;
    }
    window.location.href = resp.url + (section ? "#" + section : "");
  }

  function show(box, section) {
    const d = theDialog();
    d.replaceChildren(box);
    box.querySelector(".confirm-cancel").addEventListener("click", function (e) {
      e.preventDefault();
      d.close();
    });
    const form = box.querySelector("form.confirm-form");
    form.addEventListener("submit", async function (e) {
      // The action leads to another page (no section of ours to put its answer in): let the browser go.
      if (!section || !document.getElementById(section)) return;
      e.preventDefault();
      const yes = form.querySelector(".confirm-yes");
      if (yes) yes.disabled = true;
      let answer;
      try {
        answer = await send(form.action, "POST", new FormData(form));
      } catch (err) {
        form.submit();
        return;
      }
      const again = answer.doc.querySelector(".confirm-box");
      if (again) { show(document.importNode(again, true), section); return; }  // the count changed: ask again
      d.close();
      const swapped = swapSection(answer.doc, section);
      if (!swapped) { follow(answer.resp, section, answer.text); return; }
      if (answer.resp.url && new URL(answer.resp.url).pathname === window.location.pathname) {
        history.replaceState(null, "", answer.resp.url + "#" + section);
      }
      swapped.setAttribute("tabindex", "-1");
      swapped.focus({ preventScroll: false });
    });
    if (!d.open) d.showModal();
    const first = box.querySelector(".confirm-box .danger") ? box.querySelector(".confirm-cancel") : box.querySelector(".confirm-yes");
    (first || box.querySelector(".confirm-cancel")).focus();
  }

  document.addEventListener("submit", async function (e) {
    const form = e.target.closest("form[data-ask-first]");
    if (!form || e.defaultPrevented || !window.fetch || !window.HTMLDialogElement) return;
    e.preventDefault();
    const section = form.dataset.askFirst;
    const body = new FormData(form, e.submitter || undefined);
    if (!body.has("review")) body.append("review", "1");
    let answer;
    try {
      answer = await send(form.getAttribute("action") || window.location.href, (form.method || "get").toUpperCase(), body);
    } catch (err) {
      form.submit();
      return;
    }
    const box = answer.doc.querySelector(".confirm-box");
    if (box) { show(document.importNode(box, true), box.dataset.section || section); return; }
    // Refused before asking (a message says why): show it in the section, else follow the answer.
    if (!swapSection(answer.doc, section)) follow(answer.resp, section, answer.text);
  });

  document.addEventListener("job:finished", async function (e) {
    const section = e.target.closest && e.target.closest("[data-refresh-on-finish]");
    if (!section || !section.id) return;
    try {
      const answer = await send(window.location.pathname + window.location.search, "GET", {});
      swapSection(answer.doc, section.id);
    } catch (err) { /* the page still shows the job as finished */ }
  });
})();
