// The conversation: "Open in source" buttons open the viewer, and a new answer is scrolled to.
element.addEventListener("click", (event) => {
  const button = event.target.closest("button.open-source");
  if (!button || !element.contains(button)) return;
  element.querySelectorAll(".card.opened").forEach((c) => c.classList.remove("opened"));
  button.closest(".card")?.classList.add("opened");
  trigger("click", { turn: Number(button.dataset.turn), rank: Number(button.dataset.rank) });
});
watch("value", () => {
  const turns = element.querySelectorAll(".turn");
  const last = turns[turns.length - 1];
  if (last) requestAnimationFrame(() => last.scrollIntoView({ block: "start" }));
});
