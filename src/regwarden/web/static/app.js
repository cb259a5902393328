// regwarden dashboard: the little behaviour the pages have. No inline script anywhere (CSP: script-src 'self').
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Filters apply as soon as a select changes.
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
  // Click a digest to copy it.
  for (const node of document.querySelectorAll("[data-copy]")) {
    node.addEventListener("click", () => {
      if (navigator.clipboard) navigator.clipboard.writeText(node.dataset.copy);
    });
  }
  // Triage everywhere needs no target: the field is disabled so nothing stale is sent.
  for (const scope of document.querySelectorAll("select[data-scope]")) {
    const target = scope.form.querySelector("input[name=target]");
    const sync = () => { target.disabled = scope.value === "all"; };
    scope.addEventListener("change", sync);
    sync();
  }
});
