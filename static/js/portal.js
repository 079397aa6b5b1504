// Progressive enhancements; every page works without them.
// - [data-tabs]: the stacked "Cite this" sections become tabs (WAI-ARIA tabs pattern, arrow keys).
// - [data-copy]: copy buttons appear and copy the text of the element they name.
"use strict";

function enhanceTabs(section) {
  const list = section.querySelector("ul");
  const links = Array.from(list.querySelectorAll("a"));
  const panels = links.map((link) => document.getElementById(link.hash.slice(1)));
  list.setAttribute("role", "tablist");
  list.setAttribute("aria-labelledby", section.getAttribute("aria-labelledby"));
  section.classList.add("is-tabbed");

  function select(index, focus) {
    links.forEach((link, i) => {
      const selected = i === index;
      link.setAttribute("aria-selected", String(selected));
      link.tabIndex = selected ? 0 : -1;
      panels[i].hidden = !selected;
    });
    if (focus) links[index].focus();
  }

  links.forEach((link, index) => {
    link.parentElement.setAttribute("role", "presentation");
    link.setAttribute("role", "tab");
    link.id = `${panels[index].id}-tab`;
    link.setAttribute("aria-controls", panels[index].id);
    panels[index].setAttribute("role", "tabpanel");
    panels[index].setAttribute("aria-labelledby", link.id);
    panels[index].tabIndex = 0;
    link.addEventListener("click", (event) => {
      event.preventDefault();
      select(index, false);
    });
    link.addEventListener("keydown", (event) => {
      const last = links.length - 1;
      const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: last };
      if (event.key in moves) {
        event.preventDefault();
        select((moves[event.key] + links.length) % links.length, true);
      }
    });
  });
  select(0, false);
}

function enhanceCopy(button) {
  const status = document.querySelector("[data-copy-status]");
  button.hidden = !navigator.clipboard;
  button.addEventListener("click", async () => {
    const text = document.getElementById(button.dataset.copy).innerText.trim();
    try {
      await navigator.clipboard.writeText(text);
      if (status) status.textContent = "Copied to the clipboard.";
    } catch (error) {
      if (status) status.textContent = "Copying failed: select the text and copy it instead.";
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-tabs]").forEach(enhanceTabs);
  document.querySelectorAll("[data-copy]").forEach(enhanceCopy);
});
