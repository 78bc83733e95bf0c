// The source viewer: bring the cited passage into view inside the document and on the page.
const showCited = () => {
  requestAnimationFrame(() => {
    const cited = element.querySelector(".cited-passage");
    const body = element.querySelector(".doc-body");
    if (!cited || !body) return;
    body.scrollTop = Math.max(0, cited.offsetTop - body.clientHeight / 4);
    const panel = element.closest("#viewer-col") || element;
    const box = panel.getBoundingClientRect();
    if (box.top < 0 || box.top > window.innerHeight * 0.5) {
      panel.scrollIntoView({ block: "start" });
    }
  });
};
watch("value", showCited);
showCited();
