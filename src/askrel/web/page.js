() => {
  // Page-wide behaviour: Escape closes an open viewer, closing one returns to where you were,
  // Gradio's toasts do not outlive the tab they were shown on, and a message about an earlier
  // upload is set aside once a new file is chosen.
  const visible = (id) => {
    const el = document.getElementById(id);
    return el && el.offsetParent !== null ? el : null;
  };
  const backTo = (target) => {
    if (!target) return;
    requestAnimationFrame(() => requestAnimationFrame(() => {
      target.scrollIntoView({ block: "center" });
      (target.querySelector?.("button.open-source") || target).focus({ preventScroll: true });
    }));
  };
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || event.defaultPrevented) return;
    if (document.activeElement?.closest?.("#source-filter")) return; // the dropdown's own Escape
    const close = visible("viewer-col") ? document.getElementById("close-viewer")
      : visible("source-panel-col") ? document.getElementById("close-source") : null;
    if (close) { event.preventDefault(); close.click(); }
  });
  document.addEventListener("click", (event) => {
    if (event.target.closest?.("#close-viewer")) {
      backTo(window.askrelOpener && document.getElementById(window.askrelOpener));
    } else if (event.target.closest?.("#close-source")) {
      backTo(window.askrelSourceOpener);
    } else if (event.target.closest?.('[role="tab"]')) {
      document.querySelectorAll(".toast-close").forEach((b) => b.click());
    }
  }, true);
  // An upload refused in the browser shows only a toast: the last message no longer applies.
  new MutationObserver((changes) => {
    const added = changes.some((c) => [...c.addedNodes].some(
      (n) => n.nodeType === 1 && (n.matches?.(".toast-body") || n.querySelector?.(".toast-body"))));
    if (added && visible("upload")) {
      document.getElementById("sources-message")?.classList.add("stale");
    }
  }).observe(document.body, { childList: true, subtree: true });
  document.addEventListener("change", (event) => {
    if (event.target.closest?.("#upload")) {
      document.getElementById("sources-message")?.classList.add("stale");
    }
  }, true);
}
