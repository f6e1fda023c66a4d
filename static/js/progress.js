// Polls /api/jobs/<id> for every .job block and updates its bar in place; when the job ends it says
// "Done" (data-done-label) and shows the link to its result: the job's file, else data-result-url.
// Safe to load more than once (core/_progress.html includes it per job): each block is watched once.
// window.diemcauJobs.watch(root) watches blocks inserted later (static/js/confirm.js swaps sections).
(function () {
  function watch(el) {
    if (el.dataset.watching) return;
    el.dataset.watching = "1";
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
      pct.textContent = window.DiemcauNumbers.pct(job.percent, 0);  // static/js/numbers.js
      msg.textContent = job.message || "";
      status.dataset.status = job.status;
      if (job.status === "done" || job.status === "failed") {
        status.textContent = job.status === "done" ? (el.dataset.doneLabel || "Done") : (el.dataset.failedLabel || "Failed");
        const target = job.status === "done" ? (job.result_url || el.dataset.resultUrl) : "";
        if (target && link) { link.href = target; link.classList.remove("hidden"); }
        el.dispatchEvent(new CustomEvent("job:finished", { detail: job, bubbles: true }));
        if (el.dataset.doneUrl && job.status === "done") window.location.href = el.dataset.doneUrl;
        return;
      }
      setTimeout(tick, 500);
    }
    if (status.dataset.status !== "done" && status.dataset.status !== "failed") tick();
  }
  function watchAll(root) {
    (root || document).querySelectorAll(".job[data-job-url]").forEach(watch);
  }
  window.diemcauJobs = { watch: watchAll };
  watchAll(document);
})();
