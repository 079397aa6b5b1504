// Names for the admin's fields that Django and its select2 leave unnamed (axe: "Form elements
// must have labels"), on the publication form (templates/admin/publications/publication/
// change_form.html):
// - a tabular inline's fields are named by their column header;
// - a select2 box (the autocompletes) is named by its select's label, or column header;
// - select2's "remove all" × sits inside its list of choices: it is for the mouse (Backspace
//   removes a choice), so it is hidden from assistive technology.
// Rows added with "Add another" and select2's re-renderings are named as they appear.
(function () {
  "use strict";
  let next = 0;

  function idOf(element) {
    if (!element.id) {
      next += 1;
      element.id = `admin-field-name-${next}`;
    }
    return element.id;
  }

  function columnHeader(cell) {
    const table = cell.closest("table");
    const row = table && table.tHead && table.tHead.rows[0];
    return row ? row.cells[cell.cellIndex] : null;
  }

  function nameOf(field) {
    if (field.labels && field.labels.length) {
      return field.labels[0];
    }
    const cell = field.closest(".tabular td");
    return cell ? columnHeader(cell) : null;
  }

  function nameFields() {
    const fields = ".tabular td :is(input:not([type=hidden]), select, textarea)";
    document.querySelectorAll(fields).forEach((field) => {
      const name = nameOf(field);
      if (name && !field.hasAttribute("aria-labelledby") && !field.labels.length) {
        field.setAttribute("aria-labelledby", idOf(name));
      }
    });
    document.querySelectorAll("select.admin-autocomplete + .select2").forEach((box) => {
      const name = nameOf(box.previousElementSibling);
      if (!name) {
        return;
      }
      const single = box.querySelector(".select2-selection--single");
      const rendered = box.querySelector(".select2-selection__rendered");
      if (single && rendered && !single.dataset.named) {
        // The label, then the chosen value (what select2 names it by); the value's own box
        // (a read-only textbox) by the label too, for when nothing is chosen yet.
        single.setAttribute("aria-labelledby", `${idOf(name)} ${idOf(rendered)}`);
        rendered.setAttribute("aria-labelledby", idOf(name));
        single.dataset.named = "true";
      }
      box.querySelectorAll(".select2-search__field:not([aria-labelledby])").forEach((input) => {
        input.setAttribute("aria-labelledby", idOf(name));
      });
    });
    document.querySelectorAll(".select2-selection__clear:not([aria-hidden])").forEach((clear) => {
      clear.setAttribute("aria-hidden", "true");
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    nameFields();
    // Setting attributes adds no nodes, so this does not call itself.
    new MutationObserver(nameFields).observe(document.body, { childList: true, subtree: true });
  });
})();
