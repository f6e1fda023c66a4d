// Polls /api/jobs/<id> for every .job block and updates its bar; reloads or follows
// data-done-url when the job is finished.
(function () {
  function watch(el) {
    const url = el.dataset.jobUrl;
    const bar = el.querySelector("progress");
    const pct = el.querySelector(".job-percent");
    const msg = el.querySelector(".job-message");
    const status = el.querySelector(".job-status");
    const link = el.querySelector(".job-result");
    async function tick() {
      let job;
      try {
        const resp = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (!resp.ok) throw new Error(resp.status);
        job = await resp.json();
      } catch (e) {
        setTimeout(tick, 2000);
        return;
      }
      bar.value = job.percent;
      pct.textContent = job.percent + "%";
      msg.textContent = job.message || "";
      status.dataset.status = job.status;
      if (job.status === "done" || job.status === "failed") {
        status.textContent = job.status === "done" ? (el.dataset.doneLabel || "✓") : (el.dataset.failedLabel || "✗");
        if (job.result_url) { link.href = job.result_url; link.classList.remove("hidden"); }
        el.dispatchEvent(new CustomEvent("job:finished", { detail: job, bubbles: true }));
        if (el.dataset.doneUrl && job.status === "done") window.location.href = el.dataset.doneUrl;
        return;
      }
      setTimeout(tick, 500);
    }
    if (status.dataset.status !== "done" && status.dataset.status !== "failed") tick();
  }
  document.querySelectorAll(".job[data-job-url]").forEach(watch);
})();
