// The sources table: open a source, and delete one after a confirmation in its row.
element.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-action]");
  if (!button || !element.contains(button)) return;
  const cell = button.closest("td");
  const confirm = cell?.querySelector(".confirm");
  const ask = cell?.querySelector('[data-action="ask-delete"]');
  switch (button.dataset.action) {
    case "ask-delete":
      if (confirm) { confirm.hidden = false; ask.hidden = true;
                     confirm.querySelector('[data-action="cancel"]').focus(); }
      break;
    case "cancel":
      if (confirm) { confirm.hidden = true; ask.hidden = false; ask.focus(); }
      break;
    case "open":
      window.askrelSourceOpener = button;
      trigger("click", { action: "open", source: button.dataset.source });
      break;
    case "delete":
      button.disabled = true;
      trigger("click", { action: "delete", source: button.dataset.source });
      break;
  }
});
