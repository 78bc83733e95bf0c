// The conversation: "Open in source" opens the viewer, "Ask it on its own" / "Ask it as a
// follow-up" ask a question again, a numbered chip jumps to its card; a new answer is scrolled
// to and announced to screen readers.
element.addEventListener("click", (event) => {
  const chip = event.target.closest("a.chip");
  if (chip && element.contains(chip)) {
    event.preventDefault();
    const target = document.getElementById(chip.dataset.card);
    if (!target) return;
    const folded = target.closest("details");
    if (folded) folded.open = true;
    target.scrollIntoView({ block: "center" });
    target.focus({ preventScroll: true });
    return;
  }
  const button = event.target.closest("button[data-action]");
  if (!button || !element.contains(button)) return;
  const action = button.dataset.action;
  if (action === "open") {
    element.querySelectorAll(".card.opened").forEach((c) => c.classList.remove("opened"));
    button.closest(".card")?.classList.add("opened");
    window.askrelOpener = button.closest(".card")?.id || null;
    trigger("click", { action, turn: Number(button.dataset.turn),
                       rank: Number(button.dataset.rank) });
  } else {
    button.disabled = true;
    trigger("click", { action, turn: Number(button.dataset.turn) });
  }
});
// One polite live region outside the re-rendered HTML, so each new answer is read out once.
const announcer = (() => {
  let region = document.getElementById("answer-announcer");
  if (!region) {
    region = document.createElement("div");
    region.id = "answer-announcer";
    region.className = "visually-hidden";
    region.setAttribute("role", "status");
    region.setAttribute("aria-live", "polite");
    document.body.appendChild(region);
  }
  return region;
})();
let seen = 0;
watch("value", () => {
  const turns = element.querySelectorAll(".turn");
  const last = turns[turns.length - 1];
  if (turns.length > seen && last) {
    requestAnimationFrame(() => last.scrollIntoView({ block: "start" }));
  }
  if (turns.length >= seen && last) announcer.textContent = last.dataset.announce || "";
  seen = turns.length;
});
