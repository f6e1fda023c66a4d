// Reports page: when the background export finishes, show the link to the protected download.
(function () {
  document.addEventListener("job:finished", function (event) {
    const link = document.getElementById("export-download");
    if (link && event.detail && event.detail.status === "done") link.classList.remove("hidden");
  });
})();
